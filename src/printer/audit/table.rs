//! `--format table`: the audit for a person at a terminal.
//!
//! On a terminal at least [`crate::printer::WIDE`] columns wide, a table
//! with one line per row: what was asked, the verdict, what the gate made
//! of it, the filing that matched and why — every column as wide as its
//! text but the reason, which wraps. When that does not fit, a table of the
//! essential columns; when neither fits, or the width is unknown (output
//! piped or redirected), one block of `key: value` lines per row (written
//! as rows arrive). The registry's date and the caveat on `not-found` close
//! the report. Values from the list are cut to a readable length; labels
//! are Chinese unless `--lang en`.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ColumnConstraint, ContentArrangement, Table};

use super::{caveat, Head, Lang, RowOut, Sink, Word};
use crate::audit::gate::Summary;
use crate::printer::is_wide;
use crate::printer::text::{display_width, echo, reason};

/// The columns of the full table.
const FULL: &[Word] = &[
    Word::Line,
    Word::Vendor,
    Word::Model,
    Word::Verdict,
    Word::Gate,
    Word::FiledAs,
    Word::Regimes,
    Word::Match,
    Word::Source,
    Word::Reason,
];

/// The columns of the table for a terminal the full one does not fit.
const ESSENTIAL: &[Word] = &[
    Word::Line,
    Word::Vendor,
    Word::Model,
    Word::Verdict,
    Word::Gate,
    Word::Reason,
];

/// The narrowest the reason column may be in a table (it wraps).
const REASON_MIN: usize = 30;

/// A row as shown: every value made once, for the table or a block.
struct Shown {
    line: String,
    verdict: &'static str,
    code: &'static str,
    gate: String,
    vendor: String,
    model: String,
    number: String,
    filed_as: String,
    regimes: String,
    matched: String,
    source: String,
    reason: String,
}

impl Shown {
    fn new(row: &RowOut<'_>, lang: Lang) -> Shown {
        let top = row.top();
        Shown {
            line: row.line.to_string(),
            verdict: lang.verdict(row.verdict()),
            code: row.evaluation.code.as_str(),
            gate: lang.gate(row.disposition, row.exception),
            vendor: echo(row.vendor.trim()).into_owned(),
            model: echo(row.model.trim()).into_owned(),
            number: echo(row.number.trim()).into_owned(),
            filed_as: top
                .map(|m| format!("{} · {}", m.company, row.items()))
                .unwrap_or_default(),
            regimes: row.regimes(),
            matched: top
                .map(|m| format!("{} {:.2}", m.kind, m.score))
                .unwrap_or_default(),
            source: top
                .map(|m| format!("{} ({})", m.source, m.as_of))
                .unwrap_or_default(),
            reason: reason(&lang.reason(row.evaluation.code, &row.evaluation.reason)).into_owned(),
        }
    }

    /// The value of a table column.
    fn cell(&self, column: Word) -> &str {
        match column {
            Word::Line => &self.line,
            Word::Vendor => &self.vendor,
            Word::Model => &self.model,
            Word::Verdict => self.verdict,
            Word::Gate => &self.gate,
            Word::FiledAs => &self.filed_as,
            Word::Regimes => &self.regimes,
            Word::Match => &self.matched,
            Word::Source => &self.source,
            Word::Reason => &self.reason,
            _ => "",
        }
    }

    /// The row as a block of `key: value` lines:
    ///
    /// ```text
    /// line 3 · mismatch (vendor-model-mismatch) · gate: fail
    ///   vendor: 百度
    ///   model: GLM大模型
    ///   filed as: 智谱AI · GLM大模型
    ///   …
    ///   reason: model "GLM大模型" is filed by 智谱AI, not by the vendor "百度"
    /// ```
    fn write_block(&self, out: &mut dyn Write, lang: Lang) -> io::Result<()> {
        writeln!(
            out,
            "{} {} · {} ({}) · {}: {}",
            lang.word(Word::Line),
            self.line,
            self.verdict,
            self.code,
            lang.word(Word::Gate),
            self.gate
        )?;
        let fields = [
            (Word::Vendor, &self.vendor),
            (Word::Model, &self.model),
            (Word::Number, &self.number),
            (Word::FiledAs, &self.filed_as),
            (Word::Regimes, &self.regimes),
            (Word::Match, &self.matched),
            (Word::Source, &self.source),
            (Word::Reason, &self.reason),
        ];
        for (word, value) in fields {
            if !value.is_empty() {
                writeln!(out, "  {}: {value}", lang.word(word))?;
            }
        }
        Ok(())
    }
}

pub struct TableSink<'w> {
    out: Box<dyn Write + 'w>,
    lang: Lang,
    /// The terminal's width, when it is wide enough for a table: rows are
    /// kept for it. `None`: each row is written as a block when it comes.
    width: Option<u16>,
    kept: Vec<Shown>,
    caveat: String,
    rows: usize,
}

impl<'w> TableSink<'w> {
    /// A report for a terminal `width` columns wide (`None`: unknown).
    pub fn new(out: Box<dyn Write + 'w>, lang: Lang, width: Option<u16>) -> TableSink<'w> {
        TableSink {
            out,
            lang,
            width: width.filter(|_| is_wide(width)),
            kept: Vec::new(),
            caveat: String::new(),
            rows: 0,
        }
    }

    /// A table of `columns` that fits `width`: every column as wide as its
    /// widest value but the reason, which gets what is left (at least
    /// [`REASON_MIN`]).
    fn table(&self, columns: &[Word], width: u16) -> Option<Table> {
        let lang = self.lang;
        let natural = |c: Word| {
            self.kept
                .iter()
                .map(|s| display_width(s.cell(c)))
                .chain(std::iter::once(display_width(lang.word(c))))
                .max()
                .unwrap_or(0)
        };
        // Each column takes its text plus a space either side and a rule.
        let fixed: usize = columns
            .iter()
            .filter(|c| **c != Word::Reason)
            .map(|c| natural(*c) + 3)
            .sum::<usize>()
            + 1;
        let reason = natural(Word::Reason).min(REASON_MIN) + 3;
        if fixed + reason > usize::from(width) {
            return None;
        }
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(width)
            .set_header(columns.iter().map(|c| lang.word(*c)));
        for (column, word) in table.column_iter_mut().zip(columns) {
            if *word != Word::Reason {
                column.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
        for s in &self.kept {
            table.add_row(columns.iter().map(|c| s.cell(*c)));
        }
        Some(table)
    }
}

impl Sink for TableSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        self.caveat = caveat(head.registry);
        Ok(())
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        let shown = Shown::new(row, self.lang);
        if self.width.is_some() {
            self.kept.push(shown);
        } else {
            if self.rows > 0 {
                writeln!(self.out)?;
            }
            shown.write_block(&mut self.out, self.lang)?;
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        if self.rows == 0 {
            writeln!(self.out, "(no rows to show)")?;
        } else if let Some(width) = self.width {
            let table = self
                .table(FULL, width)
                .or_else(|| self.table(ESSENTIAL, width));
            match table {
                Some(table) => writeln!(self.out, "{table}")?,
                None => {
                    for (i, shown) in self.kept.iter().enumerate() {
                        if i > 0 {
                            writeln!(self.out)?;
                        }
                        shown.write_block(&mut self.out, self.lang)?;
                    }
                    writeln!(self.out)?;
                }
            }
        } else {
            writeln!(self.out)?;
        }
        writeln!(self.out, "{}", self.caveat)?;
        self.out.flush()
    }
}
