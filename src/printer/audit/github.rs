//! `--format github`: workflow commands GitHub Actions turns into
//! annotations on the list's lines.
//!
//! A failing row is an `::error`, a row to review a `::warning`, a waived
//! or known row a `::notice`; rows that pass print nothing. Gate notices
//! and the registry's date come last.

use std::io::{self, Write};

use super::{as_of, caveat, Head, RowOut, Sink};
use crate::audit::gate::{Disposition, Summary};
use crate::audit::AuditVerdict;

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub struct GithubSink<'w> {
    out: Box<dyn Write + 'w>,
    file: String,
    as_of: String,
    caveat: String,
}

impl<'w> GithubSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> GithubSink<'w> {
        GithubSink {
            out,
            file: String::new(),
            as_of: String::new(),
            caveat: String::new(),
        }
    }
}

impl Sink for GithubSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        self.file = head.input.file.clone();
        self.as_of = as_of(head.registry);
        self.caveat = caveat(head.registry);
        Ok(())
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        let level = match (row.disposition, row.verdict()) {
            (Disposition::Fail, _) => "error",
            (Disposition::Pass, AuditVerdict::Filed) => return Ok(()),
            (Disposition::Pass, _) => "warning",
            (Disposition::Waived | Disposition::Known, _) => "notice",
        };
        let eval = row.evaluation;
        writeln!(
            self.out,
            "::{level} file={},line={},title={}::{}",
            property(&self.file),
            row.line,
            property(&format!("filing-check {} ({})", eval.verdict, eval.code)),
            data(&format!(
                "{}: {} [gate: {}; registry as of {}]",
                row.title(),
                eval.reason,
                row.gate_text(),
                self.as_of
            ))
        )
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        for n in &s.notices {
            let level = if n.fails { "error" } else { "warning" };
            writeln!(
                self.out,
                "::{level} title={}::{}",
                property(&format!("filing-check {}", n.code)),
                data(&n.message)
            )?;
        }
        writeln!(
            self.out,
            "::notice title={}::{}",
            property("filing-check audit"),
            data(&format!(
                "{} rows, {} failing, {} waived, {} known; gate {}. {}",
                s.rows,
                s.failing,
                s.waived,
                s.known,
                if s.passed { "passed" } else { "failed" },
                self.caveat
            ))
        )?;
        self.out.flush()
    }
}
