//! `--format markdown`: for pull-request comments and `$GITHUB_STEP_SUMMARY`.
//!
//! A heading with the outcome, the counts, then a table of the rows (failing
//! rows first, so a long list still shows what matters at the top), and
//! the registry's date with the caveat.

use std::io::{self, Write};

use super::{as_of, caveat, defuse, Head, RowOut, Sink};
use crate::audit::gate::{Disposition, Summary};
use crate::audit::AuditVerdict;

/// Escapes text for a Markdown table cell (pasted into a spreadsheet, a
/// table is one too: a would-be formula is quoted).
fn cell(s: &str) -> String {
    defuse(s.trim())
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

pub struct MarkdownSink<'w> {
    out: Box<dyn Write + 'w>,
    file: String,
    as_of: String,
    caveat: String,
    failing: Vec<String>,
    other: Vec<String>,
}

impl<'w> MarkdownSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> MarkdownSink<'w> {
        MarkdownSink {
            out,
            file: String::new(),
            as_of: String::new(),
            caveat: String::new(),
            failing: Vec::new(),
            other: Vec::new(),
        }
    }
}

impl Sink for MarkdownSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        self.file = head.input.file.clone();
        self.as_of = as_of(head.registry);
        self.caveat = caveat(head.registry);
        Ok(())
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        let top = row.top();
        let line = format!(
            "| {} | {} | {} | **{}** | {} | {} | {} |",
            row.line,
            cell(row.vendor),
            cell(row.model),
            row.verdict(),
            cell(&row.gate_text()),
            cell(
                &top.map(|m| format!("{} · {}", m.company, row.items()))
                    .unwrap_or_default()
            ),
            cell(&row.evaluation.reason),
        );
        if row.disposition == Disposition::Fail {
            self.failing.push(line);
        } else {
            self.other.push(line);
        }
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let out = &mut self.out;
        let outcome = if s.passed { "passed ✅" } else { "failed ❌" };
        writeln!(
            out,
            "## filing-check audit of `{}`: {outcome}\n",
            cell(&self.file)
        )?;
        let counts: Vec<String> = AuditVerdict::ALL
            .iter()
            .map(|v| format!("{} {v}", s.count(*v)))
            .collect();
        writeln!(
            out,
            "{} rows: {}. Failing: {}; waived by exceptions: {}; known from the baseline: {}. Registry as of {}.\n",
            s.rows,
            counts.join(", "),
            s.failing,
            s.waived,
            s.known,
            self.as_of
        )?;
        for n in &s.notices {
            let mark = if n.fails { "❌" } else { "⚠️" };
            writeln!(out, "- {mark} `{}`: {}", n.code, cell(&n.message))?;
        }
        if !s.notices.is_empty() {
            writeln!(out)?;
        }
        if !self.failing.is_empty() || !self.other.is_empty() {
            writeln!(
                out,
                "| line | vendor | model | verdict | gate | filed as | reason |"
            )?;
            writeln!(out, "|---:|---|---|---|---|---|---|")?;
            for l in self.failing.iter().chain(&self.other) {
                writeln!(out, "{l}")?;
            }
            writeln!(out)?;
        }
        writeln!(out, "_{}_", self.caveat)?;
        out.flush()
    }
}
