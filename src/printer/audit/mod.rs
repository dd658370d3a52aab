//! Output formats of an audit, as sinks the run feeds row by row.
//!
//! The audit ([`crate::audit::pipeline`]) knows nothing of formats: it calls
//! [`Sink::begin`] once, [`Sink::row`] per row in input order and
//! [`Sink::finish`] with the totals. Streaming formats (csv, jsonl, json,
//! github, xlsx) write as rows arrive; table, markdown and junit keep only
//! what they print. Every format carries the registry's as-of date.

pub mod csv;
pub mod diagnostics;
pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod table;
pub mod xlsx;

use std::io;
use std::path::Path;

use serde::Serialize;

use crate::audit::columns::Columns;
use crate::audit::gate::{Disposition, Summary};
use crate::audit::{AuditVerdict, Evaluation, Require};
use crate::model::text_enum;
use crate::report::{MatchInfo, RegistryInfo};

text_enum! {
    /// The output formats of an audit.
    pub enum AuditFormat ("format") {
        Table = "table",
        Csv = "csv",
        Json = "json",
        Jsonl = "jsonl",
        Markdown = "markdown",
        Junit = "junit",
        Github = "github",
        Xlsx = "xlsx",
    }
}

impl AuditFormat {
    /// The format an output file's extension implies.
    pub fn from_extension(path: &Path) -> Option<AuditFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => AuditFormat::Csv,
            "json" => AuditFormat::Json,
            "jsonl" | "ndjson" => AuditFormat::Jsonl,
            "md" | "markdown" => AuditFormat::Markdown,
            "xml" => AuditFormat::Junit,
            "xlsx" => AuditFormat::Xlsx,
            "txt" => AuditFormat::Table,
            _ => return None,
        })
    }

    /// Whether the format is bytes a terminal should not receive.
    pub fn is_binary(self) -> bool {
        self == AuditFormat::Xlsx
    }
}

text_enum! {
    /// The text encoding of `--format csv` output.
    pub enum OutputEncoding ("output encoding") {
        Utf8 = "utf-8",
        /// UTF-8 with a byte-order mark: Excel then opens it correctly.
        Utf8Bom = "utf-8-bom",
        /// GBK, for Excel on Chinese Windows (characters outside GBK
        /// become `&#NNNN;`).
        Gbk = "gbk",
    }
}

/// What was read, and how.
#[derive(Clone, Debug, Serialize)]
pub struct InputInfo {
    pub file: String,
    pub format: String,
    pub encoding: Option<String>,
    /// The line of the header row, if the list has one.
    pub header_line: Option<u64>,
    pub headers: Vec<String>,
    #[serde(skip)]
    pub columns: Columns,
}

impl InputInfo {
    /// The input's headers as a report repeats them: as read, or `column N`
    /// up to the last column used when the list has no header row.
    pub fn output_headers(&self) -> Vec<String> {
        if !self.headers.is_empty() {
            return self.headers.clone();
        }
        let c = &self.columns;
        let width = [c.vendor, c.model, c.number]
            .into_iter()
            .flatten()
            .max()
            .map_or(1, |m| m + 1);
        (1..=width).map(|i| format!("column {i}")).collect()
    }

    /// The header of a column, or `column N`.
    pub fn column_name(&self, at: Option<usize>) -> Option<String> {
        let i = at?;
        Some(
            self.headers
                .get(i)
                .filter(|h| !h.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| format!("column {}", i + 1)),
        )
    }
}

/// What every format is told before the rows.
pub struct Head<'a> {
    pub input: &'a InputInfo,
    pub registry: &'a RegistryInfo,
    pub require: Require,
}

/// One audited row.
pub struct RowOut<'a> {
    /// The line (CSV) or row number (workbook) in the input.
    pub line: u64,
    /// The input row as read.
    pub fields: &'a [String],
    pub vendor: &'a str,
    pub model: &'a str,
    pub number: &'a str,
    pub evaluation: &'a Evaluation,
    pub disposition: Disposition,
    /// The exception that waived the row, by number.
    pub exception: Option<usize>,
}

impl RowOut<'_> {
    pub fn verdict(&self) -> AuditVerdict {
        self.evaluation.verdict
    }

    /// The strongest matching filing.
    pub fn top(&self) -> Option<&MatchInfo> {
        self.evaluation.evidence.first()
    }

    /// `vendor / model`, or whichever is given, for titles and messages.
    pub fn title(&self) -> String {
        let parts: Vec<&str> = [self.vendor.trim(), self.model.trim(), self.number.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if parts.is_empty() {
            "(empty row)".to_string()
        } else {
            parts.join(" / ")
        }
    }

    /// The gate's word on the row: `fail`, `pass`, `known`, `waived (exception 2)`.
    pub fn gate_text(&self) -> String {
        match self.exception {
            Some(n) => format!("{} (exception {n})", self.disposition),
            None => self.disposition.to_string(),
        }
    }

    /// The filed items of the evidence, at most three.
    pub fn items(&self) -> String {
        items_text(self.evaluation)
    }

    pub fn regimes(&self) -> String {
        regimes_text(self.evaluation)
    }
}

/// The verdict columns appended to the input's in `csv` and `xlsx` output.
pub const VERDICT_COLUMNS: &[&str] = &[
    "verdict",
    "code",
    "gate",
    "reason",
    "regimes",
    "filer",
    "filed_items",
    "filing_no",
    "match",
    "score",
    "source",
    "source_as_of",
    "registry_as_of",
];

/// The values of [`VERDICT_COLUMNS`] for a row. Only the gate's column is
/// the row's own; the rest are its evaluation's, rendered once for all the
/// identical rows that share it.
pub fn verdict_values<'a>(
    row: &'a RowOut<'a>,
    gate: &'a str,
    registry_as_of: &'a str,
) -> impl Iterator<Item = &'a str> {
    let cached = evaluation_columns(row.evaluation);
    cached[..2]
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(gate))
        .chain(cached[2..].iter().map(String::as_str))
        .chain(std::iter::once(registry_as_of))
}

/// The evaluation's columns of [`VERDICT_COLUMNS`] (all but `gate` and
/// `registry_as_of`), made once per evaluation.
fn evaluation_columns(e: &Evaluation) -> &[String] {
    e.rendered(|| {
        let top = e.evidence.first();
        vec![
            e.verdict.to_string(),
            e.code.to_string(),
            e.reason.clone(),
            regimes_text(e),
            top.map(|m| m.company.clone()).unwrap_or_default(),
            items_text(e),
            top.and_then(|m| m.filing_no.clone()).unwrap_or_default(),
            top.map(|m| m.kind.to_string()).unwrap_or_default(),
            top.map(|m| format!("{:.2}", m.score)).unwrap_or_default(),
            top.map(|m| m.source.clone()).unwrap_or_default(),
            top.map(|m| m.as_of.clone()).unwrap_or_default(),
        ]
    })
}

/// The filed items of the evidence, at most three.
fn items_text(e: &Evaluation) -> String {
    let mut items: Vec<&str> = Vec::new();
    for m in &e.evidence {
        if !items.contains(&m.item.as_str()) {
            items.push(&m.item);
        }
    }
    let more = items.len().saturating_sub(3);
    items.truncate(3);
    let mut s = items.join("; ");
    if more > 0 {
        s.push_str(&format!("; +{more}"));
    }
    s
}

fn regimes_text(e: &Evaluation) -> String {
    e.regimes
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

/// An output format.
pub trait Sink {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()>;
    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// The sink for a format, writing to `out`.
pub fn sink<'w>(
    format: AuditFormat,
    out: Box<dyn io::Write + 'w>,
    encoding: OutputEncoding,
) -> Box<dyn Sink + 'w> {
    match format {
        AuditFormat::Table => Box::new(table::TableSink::new(out)),
        AuditFormat::Csv => Box::new(csv::CsvSink::new(out, encoding)),
        AuditFormat::Json => Box::new(json::JsonSink::new(out, false)),
        AuditFormat::Jsonl => Box::new(json::JsonSink::new(out, true)),
        AuditFormat::Markdown => Box::new(markdown::MarkdownSink::new(out)),
        AuditFormat::Junit => Box::new(junit::JunitSink::new(out)),
        AuditFormat::Github => Box::new(github::GithubSink::new(out)),
        AuditFormat::Xlsx => Box::new(xlsx::XlsxSink::new(out)),
    }
}

/// The registry's as-of date as printed, `unknown` when it has none.
pub fn as_of(registry: &RegistryInfo) -> String {
    registry
        .as_of
        .clone()
        .unwrap_or_else(|| "unknown".to_string())
}

/// The honest caveat every human-readable format ends with.
pub fn caveat(registry: &RegistryInfo) -> String {
    format!(
        "Registry as of {}{}: `not-found` means not in these lists, not proof that a service is unfiled.",
        as_of(registry),
        if registry.any_partial() {
            " (partial lists)"
        } else {
            ""
        }
    )
}
