//! Finding a list's header row: the one place the audit (a user's vendor
//! list) and the import (a published filing list) look for it.
//!
//! A header may sit under a title row or two, and its cells may hold line
//! breaks, full-width characters or punctuation (`供应商\n名称`, `备案\n编号`,
//! `Vendor_Name`). Callers say what a header row must hold; this module
//! reads the first records and finds the first row that holds it.

use unicode_normalization::UnicodeNormalization;

use super::{InputError, Record, Table};

/// How many leading records may be title rows above the header.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// A header cell reduced for keyword tests: NFKC, lower case, no white
/// space, line breaks or punctuation.
pub fn fold_header(h: &str) -> String {
    h.nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads the first records of `table` (at most [`HEADER_SEARCH_ROWS`]),
/// among which the header is; the rest stay in the table.
pub fn first_records(table: &mut Table) -> Result<Vec<Record>, InputError> {
    let mut first = Vec::new();
    for r in table.records.by_ref() {
        first.push(r?);
        if first.len() >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    Ok(first)
}

/// The first of the leading rows for which `header` finds what a header
/// must hold, with what it found.
pub fn find<'r, T>(
    rows: impl IntoIterator<Item = &'r [String]>,
    mut header: impl FnMut(&'r [String]) -> Option<T>,
) -> Option<(usize, T)> {
    rows.into_iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .find_map(|(i, row)| header(row).map(|t| (i, t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_cells_fold_to_their_words() {
        assert_eq!(fold_header("供应商\n名称"), "供应商名称");
        assert_eq!(fold_header(" Vendor_Name "), "vendorname");
        assert_eq!(fold_header("备案\r\n编号（ＩＤ）"), "备案编号id");
    }

    #[test]
    fn the_header_is_the_first_row_that_holds_what_it_must() {
        let rows: Vec<Vec<String>> = vec![
            vec!["名单（2024年）".into()],
            vec!["序号".into(), "名称".into()],
            vec!["1".into(), "x".into()],
        ];
        let found = find(rows.iter().map(Vec::as_slice), |r| {
            r.iter().position(|c| fold_header(c) == "名称")
        });
        assert_eq!(found, Some((1, 1)));
        let none = find(rows.iter().map(Vec::as_slice), |_| None::<()>);
        assert_eq!(none, None);
    }
}
