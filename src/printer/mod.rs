//! Printers: each output format of a lookup report, apart from the logic that
//! made the report. Each writes to any `io::Write`, so the binary decides
//! where output goes and tests can capture it.

pub mod eval;
pub mod json;
pub mod registry;
pub mod table;

use std::str::FromStr;

use crate::model::UnknownValue;

/// The output formats of a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Jsonl,
}

impl FromStr for Format {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "jsonl" => Ok(Format::Jsonl),
            _ => Err(UnknownValue {
                what: "format",
                given: s.to_string(),
                expected: "table, json, jsonl",
            }),
        }
    }
}
