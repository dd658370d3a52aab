//! What the audit hands its output: the [`Sink`] every output format
//! implements, and the rows and head it is given.
//!
//! The run ([`super::pipeline`]) knows nothing of formats: it calls
//! [`Sink::begin`] once, [`Sink::row`] per row in input order and
//! [`Sink::finish`] with the totals. The formats live in
//! `printer::audit`, each a sink of its own.

use std::io;

use serde::Serialize;

use super::columns::Columns;
use super::gate::{Disposition, Summary};
use super::{AuditVerdict, Evaluation, Require};
use crate::report::{MatchInfo, RegistryInfo};

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
    /// The columns read as vendor, model and filing number, as the report
    /// says them (`"columns"` in JSON).
    #[serde(rename = "columns")]
    pub used: Vec<UsedColumn>,
}

/// One column the audit read, by role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsedColumn {
    /// `vendor`, `model` or `filing_no`.
    pub role: &'static str,
    /// 1-based.
    pub column: usize,
    /// Its header, or `column N` for a list without one.
    pub header: String,
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

    /// The columns `columns` picks out of `headers`, by role.
    pub fn used_columns(headers: &[String], columns: &Columns) -> Vec<UsedColumn> {
        [
            ("vendor", columns.vendor),
            ("model", columns.model),
            ("filing_no", columns.number),
        ]
        .into_iter()
        .filter_map(|(role, at)| {
            let i = at?;
            let header = headers
                .get(i)
                .map(|h| h.trim())
                .filter(|h| !h.is_empty())
                .map_or_else(|| format!("column {}", i + 1), str::to_string);
            Some(UsedColumn {
                role,
                column: i + 1,
                header,
            })
        })
        .collect()
    }

    /// `vendor = 供应商名称 (col 2), model = 产品名称 (col 4), number = –`.
    pub fn columns_line(&self) -> String {
        let part = |role: &str, label: &str| {
            self.used.iter().find(|u| u.role == role).map_or_else(
                || format!("{label} = –"),
                |u| format!("{label} = {} (col {})", u.header, u.column),
            )
        };
        format!(
            "{}, {}, {}",
            part("vendor", "vendor"),
            part("model", "model"),
            part("filing_no", "number")
        )
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
    /// Identical rows share one evaluation: this number names it, so that a
    /// format may render it once for all of them. Numbers are never reused
    /// within a run.
    pub shared: u64,
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
        self.evaluation.items_text()
    }

    pub fn regimes(&self) -> String {
        self.evaluation.regimes_text()
    }
}

/// An output format.
pub trait Sink {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()>;
    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}
