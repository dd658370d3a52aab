//! Printers: each output format of a lookup report, apart from the logic that
//! made the report. Each writes to any `io::Write`, so the binary decides
//! where output goes and tests can capture it.

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
