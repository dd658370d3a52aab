//! `--format xlsx`: the audit as a workbook for procurement.
//!
//! Sheet `audit` holds the input's columns, then the verdict columns, with
//! the verdict cell coloured (green filed, amber review, red not-found and
//! mismatch, grey invalid); sheet `registry` says which registry answered
//! and as of when. Rows are written in constant-memory mode. A cell of the
//! list written exactly as a number prints is a number; a text cell Excel
//! would run as a formula is quoted ([`super::defuse`]); a value longer
//! than a cell holds (32,767 characters) is cut.

use std::io::{self, Write};

use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};

use super::{
    as_of, caveat, defuse, evaluation_columns, verdict_values, Head, Rendered, RowOut, Sink,
    VERDICT_COLUMNS,
};
use crate::audit::gate::Summary;
use crate::audit::AuditVerdict;
use crate::printer::text::clip;

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

pub struct XlsxSink<'w> {
    out: Box<dyn Write + 'w>,
    workbook: Workbook,
    width: u16,
    next_row: u32,
    as_of: String,
    info: Vec<(String, String)>,
    columns: Rendered<Vec<String>>,
}

impl<'w> XlsxSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> XlsxSink<'w> {
        XlsxSink {
            out,
            workbook: Workbook::new(),
            width: 0,
            next_row: 0,
            as_of: String::new(),
            info: Vec::new(),
            columns: Rendered::default(),
        }
    }
}

impl Sink for XlsxSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        self.as_of = as_of(head.registry);
        let input = head.input;
        let mut header = input.output_headers();
        self.width = header
            .len()
            .min(usize::from(u16::MAX) - VERDICT_COLUMNS.len() - 1) as u16;
        header.truncate(usize::from(self.width));
        header.insert(0, "line".into());
        header.extend(VERDICT_COLUMNS.iter().map(|s| s.to_string()));
        let bold = Format::new().set_bold();
        let sheet = self.workbook.add_worksheet_with_constant_memory();
        sheet.set_name("audit").map_err(xlsx_err)?;
        for (c, h) in header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, text(h), &bold)
                .map_err(xlsx_err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        self.next_row = 1;
        self.info = vec![
            ("registry".into(), head.registry.loaded_from.clone()),
            ("registry as of".into(), self.as_of.clone()),
            ("input".into(), input.file.clone()),
            ("required regimes".into(), head.require.to_string()),
            ("note".into(), caveat(head.registry)),
        ];
        for s in &head.registry.sources {
            self.info.push((
                format!("source {}", s.id),
                format!(
                    "{} — {} (as of {}, {})",
                    s.title, s.publisher, s.as_of, s.completeness
                ),
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
        let width = usize::from(self.width);
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
        let gate = row.gate_text();
        let columns = self.columns.of(row, evaluation_columns);
        for (i, v) in verdict_values(columns, &gate, &self.as_of).enumerate() {
            let c = first + i as u16;
            if i == 0 {
                sheet
                    .write_string_with_format(r, c, text(v), &fmt)
                    .map_err(xlsx_err)?;
            } else if !v.is_empty() {
                sheet.write_string(r, c, text(v)).map_err(xlsx_err)?;
            }
        }
        self.next_row += 1;
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let info = self.workbook.add_worksheet();
        info.set_name("registry").map_err(xlsx_err)?;
        let mut rows = std::mem::take(&mut self.info);
        rows.push(("rows".into(), s.rows.to_string()));
        for v in AuditVerdict::ALL {
            rows.push((v.to_string(), s.count(*v).to_string()));
        }
        rows.push((
            "gate".into(),
            if s.passed { "passed" } else { "failed" }.into(),
        ));
        for n in &s.notices {
            rows.push((n.code.to_string(), n.message.clone()));
        }
        for (r, (k, v)) in rows.iter().enumerate() {
            info.write_string(r as u32, 0, text(k)).map_err(xlsx_err)?;
            info.write_string(r as u32, 1, text(v)).map_err(xlsx_err)?;
        }
        info.set_column_width(0, 24).map_err(xlsx_err)?;
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
