//! `--format table`: the audit for a person at a terminal.
//!
//! One line per row: what was asked, the verdict, what the gate made of it,
//! the filing that matched and why. The registry's date and the caveat on
//! `not-found` close the table. Values from the list are cut to a readable
//! length.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::{caveat, Head, Lang, RowOut, Sink, Word};
use crate::audit::gate::Summary;
use crate::printer::text::{echo, reason};

/// The table's columns.
const COLUMNS: [Word; 10] = [
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

pub struct TableSink<'w> {
    out: Box<dyn Write + 'w>,
    lang: Lang,
    table: Table,
    caveat: String,
    rows: usize,
}

impl<'w> TableSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>, lang: Lang) -> TableSink<'w> {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(COLUMNS.map(|w| lang.word(w)));
        TableSink {
            out,
            lang,
            table,
            caveat: String::new(),
            rows: 0,
        }
    }
}

impl Sink for TableSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        self.caveat = caveat(head.registry);
        Ok(())
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        let top = row.top();
        self.table.add_row([
            row.line.to_string(),
            echo(row.vendor.trim()).into_owned(),
            echo(row.model.trim()).into_owned(),
            self.lang.verdict(row.verdict()).to_string(),
            self.lang.gate(row.disposition, row.exception),
            top.map(|m| format!("{} · {}", m.company, row.items()))
                .unwrap_or_default(),
            row.regimes(),
            top.map(|m| format!("{} {:.2}", m.kind, m.score))
                .unwrap_or_default(),
            top.map(|m| format!("{} ({})", m.source, m.as_of))
                .unwrap_or_default(),
            reason(&row.evaluation.reason).into_owned(),
        ]);
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        if self.rows > 0 {
            writeln!(self.out, "{}", self.table)?;
        } else {
            writeln!(self.out, "(no rows to show)")?;
        }
        writeln!(self.out, "{}", self.caveat)?;
        self.out.flush()
    }
}
