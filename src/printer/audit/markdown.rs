//! `--format markdown`: for pull-request comments and `$GITHUB_STEP_SUMMARY`.
//!
//! A heading with the outcome, the counts, then a table of the rows (failing
//! rows first, so a long list still shows what matters at the top), and
//! the registry's date with the caveat. Column headers and labels are
//! Chinese unless `--lang en`.
//!
//! A step summary takes at most 1 MiB, so the table keeps to
//! [`MAX_ROWS`] rows and about [`MAX_BYTES`] of output, whichever comes
//! first; a note then counts the rows left out and says how to get the full
//! report. Values from the list are cut to a readable length.

use std::io::{self, Write};

use super::{as_of, caveat, defuse, Head, Lang, RowOut, Sink, Word};
use crate::audit::gate::{Disposition, Summary};
use crate::audit::AuditVerdict;
use crate::printer::text::{echo, reason};

/// Table rows written at most.
pub const MAX_ROWS: usize = 1000;

/// Bytes of output at most (GitHub's step summary takes 1 MiB).
pub const MAX_BYTES: usize = 900 * 1024;

/// Gate notices listed at most.
const MAX_NOTICES: usize = 50;

/// Escapes text for a Markdown table cell (pasted into a spreadsheet, a
/// table is one too: a would-be formula is quoted).
fn cell(s: &str) -> String {
    defuse(s.trim())
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// Table rows kept for the end: the first ones, within the limits.
#[derive(Default)]
struct Kept {
    lines: Vec<String>,
    bytes: usize,
    /// No more fit: later rows are only counted (what is kept is always
    /// the first rows).
    full: bool,
}

impl Kept {
    fn push(&mut self, line: String) {
        if self.full || self.lines.len() >= MAX_ROWS || self.bytes + line.len() + 1 > MAX_BYTES {
            self.full = true;
            return;
        }
        self.bytes += line.len() + 1;
        self.lines.push(line);
    }
}

/// The table's columns.
const COLUMNS: [Word; 7] = [
    Word::Line,
    Word::Vendor,
    Word::Model,
    Word::Verdict,
    Word::Gate,
    Word::FiledAs,
    Word::Reason,
];

pub struct MarkdownSink<'w> {
    out: Box<dyn Write + 'w>,
    lang: Lang,
    file: String,
    as_of: String,
    caveat: String,
    failing: Kept,
    other: Kept,
    rows: u64,
}

impl<'w> MarkdownSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>, lang: Lang) -> MarkdownSink<'w> {
        MarkdownSink {
            out,
            lang,
            file: String::new(),
            as_of: String::new(),
            caveat: String::new(),
            failing: Kept::default(),
            other: Kept::default(),
            rows: 0,
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
        self.rows += 1;
        let kept = if row.disposition == Disposition::Fail {
            &mut self.failing
        } else {
            &mut self.other
        };
        if kept.full {
            return Ok(());
        }
        let top = row.top();
        let line = format!(
            "| {} | {} | {} | **{}** | {} | {} | {} |",
            row.line,
            cell(&echo(row.vendor)),
            cell(&echo(row.model)),
            self.lang.verdict(row.verdict()),
            cell(&self.lang.gate(row.disposition, row.exception)),
            cell(&echo(
                &top.map(|m| format!("{} · {}", m.company, row.items()))
                    .unwrap_or_default()
            )),
            cell(&reason(
                &self
                    .lang
                    .reason(row.evaluation.code, &row.evaluation.reason)
            )),
        );
        kept.push(line);
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        // Written to memory first, so that the table gets what is left of
        // the byte budget.
        let mut head: Vec<u8> = Vec::new();
        let outcome = if s.passed { "passed ✅" } else { "failed ❌" };
        writeln!(
            head,
            "## filing-check audit of `{}`: {outcome}\n",
            cell(&echo(&self.file))
        )?;
        let counts: Vec<String> = AuditVerdict::ALL
            .iter()
            .map(|v| format!("{} {v}", s.count(*v)))
            .collect();
        writeln!(
            head,
            "{} rows: {}. Failing: {}; waived by exceptions: {}; known from the baseline: {}. Registry as of {}.\n",
            s.rows,
            counts.join(", "),
            s.failing,
            s.waived,
            s.known,
            self.as_of
        )?;
        for n in s.notices.iter().take(MAX_NOTICES) {
            let mark = if n.fails { "❌" } else { "⚠️" };
            writeln!(head, "- {mark} `{}`: {}", n.code, cell(&reason(&n.message)))?;
        }
        if s.notices.len() > MAX_NOTICES {
            writeln!(head, "- (and {} more)", s.notices.len() - MAX_NOTICES)?;
        }
        if !s.notices.is_empty() {
            writeln!(head)?;
        }
        let header = format!(
            "| {} |\n|---:|---|---|---|---|---|---|\n",
            COLUMNS.map(|w| self.lang.word(w)).join(" | ")
        );
        // Room for the header, the note on rows left out and the caveat.
        let mut budget = MAX_BYTES.saturating_sub(head.len() + header.len() + 1024);
        let mut shown: Vec<&str> = Vec::new();
        for line in self.failing.lines.iter().chain(&self.other.lines) {
            if shown.len() >= MAX_ROWS || line.len() + 1 > budget {
                break;
            }
            budget -= line.len() + 1;
            shown.push(line);
        }

        let out = &mut self.out;
        out.write_all(&head)?;
        if !shown.is_empty() {
            out.write_all(header.as_bytes())?;
            for l in &shown {
                writeln!(out, "{l}")?;
            }
            writeln!(out)?;
        }
        let left_out = self.rows - shown.len() as u64;
        if left_out > 0 {
            writeln!(
                out,
                "_{left_out} more rows not shown: this summary keeps to {MAX_ROWS} rows and {} KiB, failing rows first. The full report has every row: write it with `--output FILE` (e.g. `--format csv --output report.csv`, or `--format xlsx`)._\n",
                MAX_BYTES / 1024
            )?;
        }
        writeln!(out, "_{}_", self.caveat)?;
        out.flush()
    }
}
