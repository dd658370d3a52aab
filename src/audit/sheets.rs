//! Which worksheets of a workbook hold a list to audit.
//!
//! A gate that read only the first sheet would pass a workbook whose second
//! sheet lists an unfiled vendor. Without `--sheet`, every visible sheet is
//! looked at: the one sheet with vendor or model columns is audited; when
//! several have them, the audit stops and names them, so that each is
//! audited on purpose.

use super::columns::{self, Overrides};
use crate::input::{self, header, InputError, ReadOptions};

/// The visible sheets of the workbook `bytes` (named `name` in messages)
/// whose first rows hold vendor or model columns (with `no_header`, any
/// sheet that has rows); none when `bytes` are no workbook.
pub fn with_columns(
    name: &str,
    bytes: &[u8],
    read: &ReadOptions,
    overrides: &Overrides,
) -> Result<Vec<String>, InputError> {
    let mut found = Vec::new();
    if !input::is_workbook(bytes) {
        return Ok(found);
    }
    for mut table in input::tables_from_bytes(name, bytes.to_vec(), read)? {
        let first = header::first_records(&mut table)?;
        let cells: Vec<Vec<String>> = first.iter().map(|r| r.fields.clone()).collect();
        let has_list = if overrides.no_header {
            !cells.is_empty()
        } else {
            columns::choose(&cells, overrides).is_ok()
        };
        if has_list {
            if let Some(sheet) = table.format.sheet() {
                found.push(sheet.to_string());
            }
        }
    }
    Ok(found)
}
