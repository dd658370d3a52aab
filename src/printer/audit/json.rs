//! `--format json` and `--format jsonl`: the audit for programs.
//!
//! `json` is one object — `{"tool", "registry", "input", "rows": [...],
//! "summary"}` — written as rows arrive, so memory stays flat; it is also
//! what `--baseline` reads back. `jsonl` is one object per line: a `header`
//! line, a `row` line per row, and a `summary` line.

use std::io::{self, Write};

use serde::Serialize;

use super::{Head, Rendered, RowOut, Sink};
use crate::audit::gate::{Disposition, Summary};
use crate::report::RegistryInfo;

/// One row as JSON: the row's own fields; the evaluation's members
/// (verdict, code, reason, regimes, evidence) follow them.
#[derive(Serialize)]
struct RowJson<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    line: u64,
    vendor: &'a str,
    model: &'a str,
    filing_no: &'a str,
    gate: Disposition,
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<usize>,
}

/// The evaluation's fields as JSON object members, without the braces:
/// `"verdict":…,"code":…,"reason":…,"regimes":[…],"evidence":[…]`
/// (serialising the evidence is most of the cost of a JSON report: it is
/// done once per shared evaluation).
fn members(e: &crate::audit::Evaluation) -> String {
    let text = serde_json::to_string(e).unwrap_or_else(|_| "{}".into());
    text[1..text.len() - 1].to_string()
}

/// Writes a row as one JSON object.
fn write_row(
    out: &mut dyn Write,
    row: &RowOut<'_>,
    members: &str,
    kind: Option<&'static str>,
) -> io::Result<()> {
    let own = serde_json::to_string(&RowJson {
        kind,
        line: row.line,
        vendor: row.vendor.trim(),
        model: row.model.trim(),
        filing_no: row.number.trim(),
        gate: row.disposition,
        exception: row.exception,
    })?;
    out.write_all(&own.as_bytes()[..own.len() - 1])?;
    out.write_all(b",")?;
    out.write_all(members.as_bytes())?;
    out.write_all(b"}")
}

#[derive(Serialize)]
struct Header<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    tool: &'static str,
    version: &'static str,
    registry: &'a RegistryInfo,
    input: &'a super::InputInfo,
    require: crate::audit::Require,
}

#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    inner: &'a T,
}

pub struct JsonSink<'w> {
    out: Box<dyn Write + 'w>,
    lines: bool,
    rows: u64,
    members: Rendered<String>,
}

impl<'w> JsonSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>, lines: bool) -> JsonSink<'w> {
        JsonSink {
            out,
            lines,
            rows: 0,
            members: Rendered::default(),
        }
    }
}

impl Sink for JsonSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        let header = Header {
            kind: self.lines.then_some("header"),
            tool: "filing-check",
            version: env!("CARGO_PKG_VERSION"),
            registry: head.registry,
            input: head.input,
            require: head.require,
        };
        if self.lines {
            serde_json::to_writer(&mut self.out, &header)?;
            return writeln!(self.out);
        }
        // The header's fields, then the rows array opened.
        let text = serde_json::to_string(&header)?;
        let body = text.strip_suffix('}').unwrap_or(&text);
        write!(self.out, "{body},\"rows\":[")
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        let members = self.members.of(row, members);
        if self.lines {
            write_row(&mut self.out, row, members, Some("row"))?;
        } else {
            if self.rows > 0 {
                self.out.write_all(b",")?;
            }
            self.out.write_all(b"\n")?;
            write_row(&mut self.out, row, members, None)?;
        }
        self.rows += 1;
        if self.lines {
            writeln!(self.out)?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.lines {
            serde_json::to_writer(
                &mut self.out,
                &Tagged {
                    kind: "summary",
                    inner: summary,
                },
            )?;
        } else {
            self.out.write_all(b"\n],\"summary\":")?;
            serde_json::to_writer(&mut self.out, summary)?;
            self.out.write_all(b"}")?;
        }
        writeln!(self.out)?;
        self.out.flush()
    }
}
