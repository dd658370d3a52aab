//! An audit of an uploaded or pasted list, exactly as `filing-check audit`
//! runs it (the same reader, auditor and gate defaults), into any report
//! format the CLI writes. Shared by the audit page and `POST /api/v1/audit`.

use std::io::Cursor;

use crate::audit::gate::{Gate, DEFAULT_FAIL_ON};
use crate::audit::pipeline::{self, AuditError, Options};
use crate::audit::{Auditor, Require};
use crate::date::Date;
use crate::freshness;
use crate::input::{self, ReadOptions};
use crate::printer::audit::{self as out_fmt, AuditFormat, Lang, OutputEncoding, Settings};
use crate::registry::Registry;
use crate::report::RegistryInfo;

/// Why an uploaded list could not be audited: the client's input.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("{0}")]
    Input(String),
    #[error("the list has {rows} rows; this server audits at most {limit} per request")]
    TooManyRows { rows: usize, limit: usize },
}

/// The report asked for.
#[derive(Clone, Copy, Debug)]
pub struct Report {
    pub format: AuditFormat,
    pub lang: Lang,
    /// For CSV: UTF-8 with a BOM or GB18030, for Excel.
    pub encoding: OutputEncoding,
}

/// Audits `bytes` (named `name` in messages) into `report`.
pub fn run(
    registry: &Registry,
    name: &str,
    bytes: Vec<u8>,
    report: Report,
    stale_after: u32,
    max_rows: usize,
) -> Result<Vec<u8>, UploadError> {
    let Report {
        format,
        lang,
        encoding,
    } = report;
    let bad = |e: String| UploadError::Input(e);
    let mut read = ReadOptions::default();
    let options = Options::default();
    // A workbook: the sheet holding the list, or a stop when several do.
    if input::is_workbook(&bytes) {
        let found = crate::audit::sheets::with_columns(name, &bytes, &read, &options.overrides)
            .map_err(|e| bad(e.to_string()))?;
        match found.as_slice() {
            [one] => read.sheet = Some(one.clone()),
            several @ [_, _, ..] => {
                return Err(bad(format!(
                    "{name}: {} sheets hold a vendor or model column ({}); upload one sheet",
                    several.len(),
                    several.join(", ")
                )))
            }
            [] => {}
        }
    }
    // Rows are counted on a quick first read, to refuse a list over the
    // limit before auditing it.
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    if !input::is_workbook(&bytes) && lines > max_rows + 1 {
        return Err(UploadError::TooManyRows {
            rows: lines,
            limit: max_rows,
        });
    }
    let table = input::from_reader(name, Box::new(Cursor::new(bytes)), &read)
        .map_err(|e| bad(e.to_string()))?;
    let info = RegistryInfo::new(registry);
    let auditor = Auditor::new(registry, Require::Any);
    let gate = Gate::new(DEFAULT_FAIL_ON, Vec::new(), None, None, Date::today());
    let settings = Settings {
        encoding,
        lang,
        width: None,
        freshness: freshness::freshness(&registry.snapshot, Date::today(), stale_after),
        stale_after_days: stale_after,
    };
    let mut buf = Vec::new();
    {
        let mut sink = out_fmt::sink(format, Box::new(&mut buf), &settings);
        let mut rows = 0u64;
        let mut progress = |n: u64| rows = n;
        pipeline::run(
            table,
            &auditor,
            gate,
            &info,
            &options,
            sink.as_mut(),
            &mut progress,
        )
        .map_err(|e| match e {
            AuditError::Output(io) => bad(format!("writing the report: {io}")),
            other => bad(other.to_string()),
        })?;
        if rows as usize > max_rows {
            return Err(UploadError::TooManyRows {
                rows: rows as usize,
                limit: max_rows,
            });
        }
    }
    Ok(buf)
}
