//! `--format xlsx`: the audit as a workbook for procurement.
//!
//! Sheet `audit` holds the input's columns, then the verdict columns, with
//! the verdict cell coloured (green filed, amber review, red not-found and
//! mismatch, grey invalid), a filter on the header row and columns as wide
//! as their text (a CJK character counts two); headers and labels are
//! Chinese unless `--lang en`. Line numbers and scores are numbers. Sheet
//! `registry` says which registry answered, as of when, how old each
//! regime's data are and whether that is stale, and the counts. Rows are
//! written in constant-memory mode. A cell of the
//! list written exactly as a number prints is a number; a text cell Excel
//! would run as a formula is quoted ([`super::defuse`]); a value longer
//! than a cell holds (32,767 characters) is cut.

use std::io::{self, Write};

use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};

use super::{
    as_of, caveat, defuse, evaluation_columns, report_header, verdict_values, Head, Rendered,
    RowOut, Settings, Sink, Word, VERDICT_COLUMNS,
};
use crate::audit::gate::Summary;
use crate::audit::AuditVerdict;
use crate::printer::text::{clip, display_width};

/// The last row index a worksheet holds.
const MAX_ROW: u32 = 1_048_575;

fn xlsx_err(e: XlsxError) -> io::Error {
    io::Error::other(e)
}

/// Characters a cell holds at most (Excel's limit).
const CELL_MAX: usize = 32_767;

/// A text cell as written: within Excel's limit (a longer value is cut,
/// ending in `…`), and quoted if Excel would run it as a formula.
fn text(v: &str) -> String {
    defuse(&clip(v, CELL_MAX - 1)).into_owned()
}

/// The number a cell of the list holds, when its text is exactly how that
/// number prints (`-5`, `3.25`, `42`): a workbook keeps it a number.
/// `007`, `1.50`, `1e3`, `+5` and long digit strings (ID numbers) stay text.
fn plain_number(cell: &str) -> Option<f64> {
    if cell.is_empty() || cell.len() > 16 || cell == "-0" {
        return None;
    }
    if !cell
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return None;
    }
    let v: f64 = cell.parse().ok()?;
    (v.is_finite() && v.to_string() == cell).then_some(v)
}

fn verdict_format(v: AuditVerdict) -> Format {
    let (fill, font) = match v {
        AuditVerdict::Filed => (0xC6EFCE, 0x006100),
        AuditVerdict::Review => (0xFFEB9C, 0x9C5700),
        AuditVerdict::NotFound | AuditVerdict::Mismatch => (0xFFC7CE, 0x9C0006),
        AuditVerdict::Invalid => (0xD9D9D9, 0x3F3F3F),
    };
    Format::new()
        .set_background_color(Color::RGB(fill))
        .set_font_color(Color::RGB(font))
        .set_bold()
}

/// Rows whose text sets the columns' widths (the rest follow the same
/// shape; measuring a million rows would only cost time).
const WIDTH_ROWS: u32 = 10_000;

/// Column widths, in Excel's character units.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

/// A value of the registry sheet.
enum Info {
    Text(String),
    Number(f64),
}

pub struct XlsxSink<'w> {
    out: Box<dyn Write + 'w>,
    settings: Settings,
    workbook: Workbook,
    width: u16,
    next_row: u32,
    as_of: String,
    info: Vec<(String, Info)>,
    columns: Rendered<Vec<String>>,
    /// The widest text of each column so far (a CJK character counts two).
    widths: Vec<usize>,
    score: Format,
}

impl<'w> XlsxSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>, settings: Settings) -> XlsxSink<'w> {
        XlsxSink {
            out,
            settings,
            workbook: Workbook::new(),
            width: 0,
            next_row: 0,
            as_of: String::new(),
            info: Vec::new(),
            columns: Rendered::default(),
            widths: Vec::new(),
            score: Format::new().set_num_format("0.00"),
        }
    }
}

/// Notes the width of a cell's text in column `c`.
fn measure_cell(widths: &mut [usize], c: u16, text: &str) {
    if let Some(w) = widths.get_mut(usize::from(c)) {
        if *w < MAX_WIDTH {
            *w = (*w).max(display_width(&clip(text, MAX_WIDTH)));
        }
    }
}

impl Sink for XlsxSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        let lang = self.settings.lang;
        self.as_of = as_of(head.registry);
        let input = head.input;
        let mut headers = input.output_headers();
        self.width = headers
            .len()
            .min(usize::from(u16::MAX) - VERDICT_COLUMNS.len() - 1) as u16;
        headers.truncate(usize::from(self.width));
        let header = report_header(&headers, lang);
        self.widths = vec![0; header.len()];
        let bold = Format::new().set_bold();
        let sheet = self.workbook.add_worksheet_with_constant_memory();
        sheet.set_name("audit").map_err(xlsx_err)?;
        for (c, h) in header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, text(h), &bold)
                .map_err(xlsx_err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        for (c, h) in header.iter().enumerate() {
            // Room for the filter's drop-down button.
            let w = display_width(&clip(h, MAX_WIDTH)) + 3;
            self.widths[c] = w;
        }
        self.next_row = 1;
        let text = |s: String| Info::Text(s);
        self.info = vec![
            (
                lang.word(Word::Registry).into(),
                text(head.registry.loaded_from.clone()),
            ),
            (
                lang.word(Word::RegistryDate).into(),
                text(self.as_of.clone()),
            ),
        ];
        for f in &self.settings.freshness {
            self.info.push((
                lang.data_of(f.regime.as_str()),
                text(lang.age(
                    f.as_of.as_deref(),
                    f.age_days,
                    f.stale,
                    self.settings.stale_after_days,
                )),
            ));
        }
        self.info.extend([
            (lang.word(Word::Input).into(), text(input.file.clone())),
            (lang.word(Word::Columns).into(), text(input.columns_line())),
            (
                lang.word(Word::Required).into(),
                text(head.require.to_string()),
            ),
            (lang.word(Word::Note).into(), text(caveat(head.registry))),
        ]);
        for s in &head.registry.sources {
            self.info.push((
                lang.source(&s.id),
                text(format!(
                    "{} — {} (as of {}, {})",
                    s.title, s.publisher, s.as_of, s.completeness
                )),
            ));
        }
        Ok(())
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        if self.next_row > MAX_ROW {
            return Err(io::Error::other(
                "an xlsx worksheet holds at most 1,048,576 rows; use --format csv for longer lists",
            ));
        }
        let r = self.next_row;
        let lang = self.settings.lang;
        let width = usize::from(self.width);
        let line = row.line.to_string();
        let gate = lang.gate(row.disposition, row.exception);
        let columns = self.columns.of(row, |e| evaluation_columns(e, lang));
        let values: Vec<&str> = verdict_values(columns, &gate, &self.as_of).collect();
        if r <= WIDTH_ROWS {
            let widths = &mut self.widths;
            measure_cell(widths, 0, &line);
            for (c, v) in row.fields.iter().take(width).enumerate() {
                measure_cell(widths, c as u16 + 1, v);
            }
            for (i, v) in values.iter().enumerate() {
                measure_cell(widths, self.width + 1 + i as u16, v);
            }
        }

        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx_err)?;
        sheet
            .write_number(r, 0, row.line as f64)
            .map_err(xlsx_err)?;
        for (c, v) in row.fields.iter().take(width).enumerate() {
            let c = c as u16 + 1;
            if let Some(n) = plain_number(v) {
                sheet.write_number(r, c, n).map_err(xlsx_err)?;
            } else if !v.is_empty() {
                sheet.write_string(r, c, text(v)).map_err(xlsx_err)?;
            }
        }
        let first = self.width + 1;
        let fmt = verdict_format(row.verdict());
        for (i, v) in values.iter().enumerate() {
            let c = first + i as u16;
            match VERDICT_COLUMNS.get(i) {
                Some(Word::Verdict) => {
                    sheet
                        .write_string_with_format(r, c, text(v), &fmt)
                        .map_err(xlsx_err)?;
                }
                Some(Word::Score) => {
                    if let Some(m) = row.top() {
                        sheet
                            .write_number_with_format(r, c, m.score, &self.score)
                            .map_err(xlsx_err)?;
                    }
                }
                _ if !v.is_empty() => {
                    sheet.write_string(r, c, text(v)).map_err(xlsx_err)?;
                }
                _ => {}
            }
        }
        self.next_row += 1;
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let lang = self.settings.lang;
        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx_err)?;
        let last_col = self.widths.len().saturating_sub(1) as u16;
        sheet
            .autofilter(0, 0, self.next_row.saturating_sub(1), last_col)
            .map_err(xlsx_err)?;
        for (c, w) in self.widths.iter().enumerate() {
            let w = (*w + 2).clamp(MIN_WIDTH, MAX_WIDTH);
            sheet
                .set_column_width(c as u16, w as f64)
                .map_err(xlsx_err)?;
        }

        let info = self.workbook.add_worksheet();
        info.set_name("registry").map_err(xlsx_err)?;
        let mut rows = std::mem::take(&mut self.info);
        rows.push((lang.word(Word::Rows).into(), Info::Number(s.rows as f64)));
        for v in AuditVerdict::ALL {
            rows.push((lang.verdict(*v).into(), Info::Number(s.count(*v) as f64)));
        }
        rows.push((
            lang.word(Word::Gate).into(),
            Info::Text(
                lang.word(if s.passed { Word::Passed } else { Word::Failed })
                    .into(),
            ),
        ));
        for n in &s.notices {
            rows.push((n.code.to_string(), Info::Text(n.message.clone())));
        }
        for (r, (k, v)) in rows.iter().enumerate() {
            let r = r as u32;
            info.write_string(r, 0, text(k)).map_err(xlsx_err)?;
            match v {
                Info::Text(v) => info.write_string(r, 1, text(v)),
                Info::Number(n) => info.write_number(r, 1, *n),
            }
            .map_err(xlsx_err)?;
        }
        info.set_column_width(0, 24).map_err(xlsx_err)?;
        info.set_column_width(1, 80).map_err(xlsx_err)?;
        let bytes = self.workbook.save_to_buffer().map_err(xlsx_err)?;
        self.out.write_all(&bytes)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numbers_written_as_they_print_become_numbers() {
        assert_eq!(plain_number("-5"), Some(-5.0));
        assert_eq!(plain_number("42"), Some(42.0));
        assert_eq!(plain_number("3.25"), Some(3.25));
        for text in [
            "",
            "-",
            "007",
            "1.50",
            "1e3",
            "+5",
            "-0",
            "1-2",
            "NaN",
            "inf",
            "110108823483901230031",
            "12345678901234567",
        ] {
            assert_eq!(plain_number(text), None, "{text}");
        }
    }
}
