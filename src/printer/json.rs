//! JSON and JSON Lines output of a lookup report.
//!
//! `json` prints the whole report as one object (the shape documented in the
//! README); `jsonl` prints one result object per line, each carrying the
//! registry's as-of date and where it was loaded from, so lines stand alone.

use std::io::{self, Write};

use serde::Serialize;

use crate::report::{LookupReport, QueryResult, RegistryInfo};

/// The whole report as one pretty-printed JSON object.
pub fn write_report(out: &mut dyn Write, report: &LookupReport) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    result: &'a QueryResult,
    registry_as_of: Option<&'a str>,
    registry: &'a str,
}

/// One line per result.
pub fn write_lines(out: &mut dyn Write, report: &LookupReport) -> io::Result<()> {
    for result in &report.results {
        write_line(out, &report.registry, result)?;
    }
    Ok(())
}

/// One result as one JSON line.
pub fn write_line(
    out: &mut dyn Write,
    registry: &RegistryInfo,
    result: &QueryResult,
) -> io::Result<()> {
    let line = Line {
        result,
        registry_as_of: registry.as_of.as_deref(),
        registry: &registry.loaded_from,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}
