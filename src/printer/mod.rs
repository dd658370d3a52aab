//! Printers: each output format of a lookup report, apart from the logic that
//! made the report. Each writes to any `io::Write`, so the binary decides
//! where output goes and tests can capture it.
//!
//! Tables are for wide terminals: below [`WIDE`] columns, or when the width
//! is unknown (output piped or redirected), the human-readable formats
//! print one block of `key: value` lines per result instead, which no
//! terminal wraps into a mess.

pub mod audit;
pub mod eval;
pub mod json;
pub mod registry;
pub mod table;
pub mod text;

use crate::model::text_enum;

text_enum! {
    /// The output formats of a lookup.
    pub enum Format ("format") {
        Table = "table",
        Json = "json",
        Jsonl = "jsonl",
    }
}

/// The narrowest terminal, in columns, that gets tables.
pub const WIDE: u16 = 100;

/// The width of the terminal standard output goes to, in columns: `COLUMNS`
/// when it is set (the user's say, or a test's), else the terminal's own;
/// `None` when standard output is not a terminal and `COLUMNS` is unset,
/// or the width is 0.
pub fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .or_else(|| comfy_table::Table::new().width())
        .filter(|w| *w > 0)
}

/// Whether output `width` columns wide gets tables.
pub fn is_wide(width: Option<u16>) -> bool {
    width.is_some_and(|w| w >= WIDE)
}
