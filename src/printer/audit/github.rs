//! `--format github`: workflow commands GitHub Actions turns into
//! annotations on the list's lines.
//!
//! A failing row is an `::error`, a row to review a `::warning`, a waived
//! or known row a `::notice`; rows that pass print nothing. GitHub shows
//! only a few annotations per step, so at most [`ROW_ANNOTATIONS`] rows are
//! annotated (errors first, then warnings, then notices, each in list
//! order), and one notice counts the rest and says where the full report
//! is. Gate notices and the registry's date come last. Values from the list
//! are cut to a readable length.

use std::io::{self, Write};

use super::{as_of, caveat, Head, RowOut, Sink};
use crate::audit::gate::{Disposition, Summary};
use crate::audit::AuditVerdict;
use crate::printer::text::{echo, reason};

/// Rows annotated at most (GitHub shows 10 errors and 10 warnings of a
/// step; more only fill the log).
pub const ROW_ANNOTATIONS: usize = 50;

/// Gate notices written at most.
const GATE_NOTICES: usize = 10;

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

/// An annotation's kind, in the order they are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

pub struct GithubSink<'w> {
    out: Box<dyn Write + 'w>,
    file: String,
    as_of: String,
    caveat: String,
    /// Row annotations kept: at most [`ROW_ANNOTATIONS`] of each level,
    /// with their place in the list.
    kept: Vec<(Level, u64, String)>,
    /// Row annotations made, by level.
    made: [u64; 3],
}

impl<'w> GithubSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> GithubSink<'w> {
        GithubSink {
            out,
            file: String::new(),
            as_of: String::new(),
            caveat: String::new(),
            kept: Vec::new(),
            made: [0; 3],
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
            (Disposition::Fail, _) => Level::Error,
            (Disposition::Pass, AuditVerdict::Filed) => return Ok(()),
            (Disposition::Pass, _) => Level::Warning,
            (Disposition::Waived | Disposition::Known, _) => Level::Notice,
        };
        let made = &mut self.made[level as usize];
        *made += 1;
        if *made > ROW_ANNOTATIONS as u64 {
            return Ok(());
        }
        let eval = row.evaluation;
        let text = format!(
            "::{} file={},line={},title={}::{}",
            level.as_str(),
            property(&echo(&self.file)),
            row.line,
            property(&format!("filing-check {} ({})", eval.verdict, eval.code)),
            data(&format!(
                "{}: {} [gate: {}; registry as of {}]",
                echo(&row.title()),
                reason(&eval.reason),
                row.gate_text(),
                self.as_of
            ))
        );
        self.kept.push((level, row.line, text));
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        // The most severe first, then back in list order.
        self.kept.sort_by_key(|(level, line, _)| (*level, *line));
        self.kept.truncate(ROW_ANNOTATIONS);
        self.kept.sort_by_key(|(_, line, _)| *line);
        for (_, _, text) in &self.kept {
            writeln!(self.out, "{text}")?;
        }
        let mut left: Vec<String> = Vec::new();
        for level in [Level::Error, Level::Warning, Level::Notice] {
            let shown = self.kept.iter().filter(|(l, _, _)| *l == level).count() as u64;
            let rest = self.made[level as usize] - shown;
            if rest > 0 {
                left.push(format!("{rest} {}{}", level.as_str(), plural(rest)));
            }
        }
        let mut notices = s.notices.iter().filter(|n| n.fails).collect::<Vec<_>>();
        notices.extend(s.notices.iter().filter(|n| !n.fails));
        for n in notices.iter().take(GATE_NOTICES) {
            let level = if n.fails { "error" } else { "warning" };
            writeln!(
                self.out,
                "::{level} title={}::{}",
                property(&format!("filing-check {}", n.code)),
                data(&reason(&n.message))
            )?;
        }
        if notices.len() > GATE_NOTICES {
            let rest = (notices.len() - GATE_NOTICES) as u64;
            left.push(format!("{rest} gate notice{}", plural(rest)));
        }
        if !left.is_empty() {
            let total: u64 = self.made.iter().sum::<u64>() - self.kept.len() as u64
                + notices.len().saturating_sub(GATE_NOTICES) as u64;
            writeln!(
                self.out,
                "::notice title={}::{}",
                property("filing-check audit"),
                data(&format!(
                    "{total} more annotations not shown ({}): GitHub shows only a few per step. The full report has every row: write it with --output FILE (e.g. --format csv --output report.csv) and keep it as an artifact.",
                    left.join(", ")
                ))
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

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
