//! Excel and OpenDocument workbooks (xlsx, xlsm, xlsb, xls, ods) through
//! calamine.
//!
//! Procurement lists are often kept as workbooks and never exported, so the
//! audit reads them directly: one sheet, chosen by `--sheet` name or number,
//! becomes the same [`Record`]s a CSV would give, with cell values rendered
//! as the user saw them (integral numbers without ".0", dates as
//! `YYYY-MM-DD`). Workbooks are loaded whole, which the formats require.

use std::io::Cursor;
use std::panic;

use calamine::{
    Data, ExcelDateTime, Ods, Range, Reader, SheetType, SheetVisible, Sheets, Xls, Xlsb, Xlsx,
};

use super::{InputError, InputFormat, Record, Table};

/// Zip container: xlsx, xlsm, xlsb, ods.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// OLE compound file: xls (and password-protected xlsx).
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether the input starts like a workbook, whatever it is named.
pub(super) fn has_magic(sample: &[u8]) -> bool {
    sample.starts_with(ZIP_MAGIC) || sample.starts_with(OLE_MAGIC)
}

/// Whether a (lower-case) file extension promises a workbook.
pub(super) fn is_workbook_extension(extension: &str) -> bool {
    matches!(extension, "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

/// Reads one sheet of the workbook in `bytes`. `extension` only decides
/// which zip-based format is tried first.
pub(super) fn read(
    name: &str,
    bytes: &[u8],
    extension: Option<&str>,
    sheet: Option<&str>,
) -> Result<Table, InputError> {
    // calamine has panicked on malformed files (slice indexing in its xls
    // parser); a damaged upload must still give an error, not a crash.
    let loaded = panic::catch_unwind(|| load(name, bytes, extension, sheet)).unwrap_or_else(|_| {
        Err(InputError::Workbook {
            file: name.to_owned(),
            reason: "the spreadsheet reader crashed on it".to_owned(),
        })
    });
    let (format, range) = loaded?;
    let first_row = range.start().map_or(1, |(row, _)| u64::from(row) + 1);
    Ok(Table {
        name: name.to_owned(),
        format,
        encoding: None,
        records: Box::new(SheetRows {
            range,
            first_row,
            next: 0,
        }),
    })
}

/// The names of the workbook's visible worksheets, in order.
pub(super) fn worksheet_names(
    name: &str,
    bytes: &[u8],
    extension: Option<&str>,
) -> Result<Vec<String>, InputError> {
    let listed = panic::catch_unwind(|| {
        open_workbook(bytes, extension).map(|w| {
            w.sheets_metadata()
                .iter()
                .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
        })
    })
    .unwrap_or_else(|_| Err("the spreadsheet reader crashed on it".to_owned()));
    listed.map_err(|reason| InputError::Workbook {
        file: name.to_owned(),
        reason,
    })
}

/// Opens the workbook and takes the wanted sheet's cells.
fn load(
    name: &str,
    bytes: &[u8],
    extension: Option<&str>,
    wanted: Option<&str>,
) -> Result<(InputFormat, Range<Data>), InputError> {
    let workbook_error = |reason: String| InputError::Workbook {
        file: name.to_owned(),
        reason,
    };
    let mut workbook = open_workbook(bytes, extension).map_err(workbook_error)?;
    let sheet = choose_sheet(name, workbook.sheets_metadata(), wanted)?;
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|err| workbook_error(format!("sheet {sheet:?}: {err}")))?;
    let format = match workbook {
        Sheets::Xlsx(_) => InputFormat::Xlsx { sheet },
        Sheets::Xlsb(_) => InputFormat::Xlsb { sheet },
        Sheets::Xls(_) => InputFormat::Xls { sheet },
        Sheets::Ods(_) => InputFormat::Ods { sheet },
    };
    Ok((format, range))
}

/// Opens the workbook as the format its magic bytes and extension suggest,
/// falling back to the other zip-based formats; the error is the one from
/// the most likely format.
fn open_workbook<'a>(
    bytes: &'a [u8],
    extension: Option<&str>,
) -> Result<Sheets<Cursor<&'a [u8]>>, String> {
    let cursor = Cursor::new(bytes);
    if bytes.starts_with(OLE_MAGIC) {
        return Xls::new(cursor).map(Sheets::Xls).map_err(|e| e.to_string());
    }
    let order = match extension {
        Some("ods") => [ZipFormat::Ods, ZipFormat::Xlsx, ZipFormat::Xlsb],
        Some("xlsb") => [ZipFormat::Xlsb, ZipFormat::Xlsx, ZipFormat::Ods],
        _ => [ZipFormat::Xlsx, ZipFormat::Ods, ZipFormat::Xlsb],
    };
    let mut first_error = None;
    for format in order {
        let opened = match format {
            ZipFormat::Xlsx => Xlsx::new(cursor.clone())
                .map(Sheets::Xlsx)
                .map_err(|e| e.to_string()),
            ZipFormat::Xlsb => Xlsb::new(cursor.clone())
                .map(Sheets::Xlsb)
                .map_err(|e| e.to_string()),
            ZipFormat::Ods => Ods::new(cursor.clone())
                .map(Sheets::Ods)
                .map_err(|e| e.to_string()),
        };
        match opened {
            Ok(workbook) => return Ok(workbook),
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    Err(first_error.unwrap_or_default())
}

/// The zip-based workbook formats, one of which a zip file is tried as.
#[derive(Clone, Copy)]
enum ZipFormat {
    Xlsx,
    Xlsb,
    Ods,
}

/// The sheet to read: `wanted` as a name (exact, else ignoring surrounding
/// spaces), else as a 1-based number; by default the first visible
/// worksheet (skipping chart sheets and hidden lookup sheets).
fn choose_sheet(
    name: &str,
    sheets: &[calamine::Sheet],
    wanted: Option<&str>,
) -> Result<String, InputError> {
    let names = || sheets.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    let Some(wanted) = wanted else {
        let is_worksheet = |s: &&calamine::Sheet| s.typ == SheetType::WorkSheet;
        return sheets
            .iter()
            .filter(is_worksheet)
            .find(|s| s.visible == SheetVisible::Visible)
            .or_else(|| sheets.iter().find(is_worksheet))
            .or_else(|| sheets.first())
            .map(|s| s.name.clone())
            .ok_or_else(|| InputError::Workbook {
                file: name.to_owned(),
                reason: "it has no sheets".to_owned(),
            });
    };
    if let Some(sheet) = sheets
        .iter()
        .find(|s| s.name == wanted)
        .or_else(|| sheets.iter().find(|s| s.name.trim() == wanted.trim()))
    {
        return Ok(sheet.name.clone());
    }
    let number = wanted.trim();
    if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a usize is simply out of range.
        let number = number.parse::<usize>().unwrap_or(usize::MAX);
        return number
            .checked_sub(1)
            .and_then(|index| sheets.get(index))
            .map(|s| s.name.clone())
            .ok_or_else(|| InputError::NoSuchSheetNumber {
                file: name.to_owned(),
                number,
                sheets: names(),
            });
    }
    Err(InputError::NoSuchSheet {
        file: name.to_owned(),
        sheet: wanted.to_owned(),
        sheets: names(),
    })
}

/// The record iterator of a workbook [`Table`]: one record per non-blank
/// row of the sheet's used range.
struct SheetRows {
    range: Range<Data>,
    /// 1-based worksheet row of the range's first row.
    first_row: u64,
    /// Next row to read, relative to the range.
    next: usize,
}

impl Iterator for SheetRows {
    type Item = Result<Record, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (height, width) = self.range.get_size();
        while self.next < height {
            let row = self.next;
            self.next += 1;
            let fields: Vec<String> = (0..width)
                .map(|col| {
                    self.range
                        .get((row, col))
                        .map_or_else(String::new, cell_text)
                })
                .collect();
            if fields.iter().all(|f| f.chars().all(char::is_whitespace)) {
                continue;
            }
            return Some(Ok(Record {
                line: self.first_row + row as u64,
                fields,
            }));
        }
        None
    }
}

/// A cell as the user sees it, give or take number formats.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) => number_text(*x),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        Data::DateTime(datetime) if datetime.is_datetime() => date_text(datetime),
        // A duration ([h]:mm): its value in days.
        Data::DateTime(duration) => number_text(duration.as_f64()),
        // ODS dates come as ISO text already.
        Data::DateTimeIso(text) => text.strip_suffix("T00:00:00").unwrap_or(text).to_owned(),
        Data::DurationIso(text) => text.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// A number with Excel's 15 significant digits, integral ones without a
/// fraction (a 上线编号 typed as a number reads "20240101", not "20240101.0").
fn number_text(x: f64) -> String {
    let rounded: f64 = format!("{x:.14e}").parse().unwrap_or(x);
    if rounded == 0.0 {
        "0".to_owned() // not "-0"
    } else {
        rounded.to_string()
    }
}

/// A date as `YYYY-MM-DD`, with the time only when there is one; a bare
/// time of day (serial below 1) as `HH:MM:SS`.
fn date_text(datetime: &ExcelDateTime) -> String {
    let (year, month, day, hour, minute, second, milli) = datetime.to_ymd_hms_milli();
    let time = format!("{hour:02}:{minute:02}:{second:02}");
    if datetime.as_f64() < 1.0 {
        time
    } else if (hour, minute, second, milli) == (0, 0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {time}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{from_reader, ReadOptions};
    use rust_xlsxwriter::{ExcelDateTime as XlsxDate, Format, Workbook};

    /// A workbook with a hidden first sheet, a vendor sheet and a notes sheet.
    fn workbook_bytes() -> Vec<u8> {
        let mut workbook = Workbook::new();
        let lookup = workbook.add_worksheet();
        lookup.set_name("lookup").unwrap();
        lookup.write_string(0, 0, "hidden").unwrap();
        lookup.set_hidden(true);

        let vendors = workbook.add_worksheet();
        vendors.set_name("供应商").unwrap();
        // A hidden sheet cannot be the active one, which defaults to the first.
        vendors.set_active(true);
        // The used range starts at B2; row 4 is blank.
        vendors.write_string(1, 1, "名称").unwrap();
        vendors.write_string(1, 2, "上线编号").unwrap();
        vendors.write_string(1, 3, "日期").unwrap();
        vendors.write_string(1, 4, "其他").unwrap();
        vendors.write_string(2, 1, "智谱华章").unwrap();
        vendors.write_number(2, 2, 20240101.0).unwrap();
        let date_format = Format::new().set_num_format("yyyy-mm-dd");
        let date = XlsxDate::from_ymd(2024, 3, 1).unwrap();
        vendors
            .write_datetime_with_format(2, 3, &date, &date_format)
            .unwrap();
        vendors.write_boolean(2, 4, true).unwrap();
        vendors.write_string(4, 1, " 月之暗面 ").unwrap();
        vendors.write_number(4, 2, 0.1 + 0.2).unwrap();
        vendors.write_number(4, 4, -2.5).unwrap();

        let notes = workbook.add_worksheet();
        notes.set_name("2024").unwrap();
        notes.write_string(0, 0, "notes").unwrap();
        workbook.save_to_buffer().unwrap()
    }

    fn read_sheet(name: &str, sheet: Option<&str>) -> Result<Table, InputError> {
        let opts = ReadOptions {
            sheet: sheet.map(str::to_owned),
            ..ReadOptions::default()
        };
        from_reader(name, Box::new(Cursor::new(workbook_bytes())), &opts)
    }

    fn records(table: Table) -> Vec<(u64, Vec<String>)> {
        table
            .records
            .map(|r| r.map(|r| (r.line, r.fields)).unwrap())
            .collect()
    }

    fn row(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
        (line, fields.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn reads_the_first_visible_sheet_with_rendered_values() {
        let table = read_sheet("vendors.xlsx", None).unwrap();
        assert_eq!(table.name, "vendors.xlsx");
        assert_eq!(table.encoding, None);
        assert_eq!(
            table.format,
            InputFormat::Xlsx {
                sheet: "供应商".into()
            }
        );
        assert_eq!(
            records(table),
            vec![
                row(2, &["名称", "上线编号", "日期", "其他"]),
                row(3, &["智谱华章", "20240101", "2024-03-01", "TRUE"]),
                row(5, &[" 月之暗面 ", "0.3", "", "-2.5"]),
            ]
        );
    }

    #[test]
    fn a_workbook_named_csv_or_read_from_stdin_is_still_a_workbook() {
        for name in ["vendors.csv", "<stdin>"] {
            let table = read_sheet(name, None).unwrap();
            assert!(matches!(table.format, InputFormat::Xlsx { .. }), "{name}");
            assert_eq!(records(table).len(), 3);
        }
    }

    #[test]
    fn sheets_by_name_and_number() {
        let table = read_sheet("v.xlsx", Some("lookup")).unwrap();
        assert_eq!(records(table), vec![row(1, &["hidden"])]);
        let table = read_sheet("v.xlsx", Some("2")).unwrap();
        assert_eq!(
            table.format,
            InputFormat::Xlsx {
                sheet: "供应商".into()
            }
        );
        // A sheet named with digits is found by its name first.
        let table = read_sheet("v.xlsx", Some("2024")).unwrap();
        assert_eq!(records(table), vec![row(1, &["notes"])]);
        let table = read_sheet("v.xlsx", Some(" 供应商")).unwrap();
        assert_eq!(records(table).len(), 3);
    }

    #[test]
    fn missing_sheets_list_the_sheets() {
        let err = read_sheet("vendors.xlsx", Some("Foo")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "vendors.xlsx: no sheet named \"Foo\"; sheets: lookup, 供应商, 2024"
        );
        for number in ["0", "4", "99999999999999999999999"] {
            let err = read_sheet("vendors.xlsx", Some(number)).unwrap_err();
            assert!(
                matches!(err, InputError::NoSuchSheetNumber { .. }),
                "{number}: {err}"
            );
            assert!(err.to_string().ends_with("lookup, 供应商, 2024"), "{err}");
        }
    }

    #[test]
    fn a_damaged_workbook_is_an_error() {
        let mut bytes = workbook_bytes();
        bytes.truncate(bytes.len() / 2);
        let err = from_reader(
            "vendors.xlsx",
            Box::new(Cursor::new(bytes)),
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, InputError::Workbook { .. }), "{err}");
        assert!(err
            .to_string()
            .starts_with("vendors.xlsx: cannot read the workbook: "));
        // An OLE header with nothing behind it.
        let err = from_reader(
            "vendors.xls",
            Box::new(Cursor::new(OLE_MAGIC.to_vec())),
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, InputError::Workbook { .. }), "{err}");
    }

    #[test]
    fn numbers_render_like_excel() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(91110108.0), "91110108");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(123456789012345678.0), "123456789012346000");
        assert_eq!(cell_text(&Data::Int(42)), "42");
        assert_eq!(cell_text(&Data::Bool(false)), "FALSE");
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), "");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2024-03-01T00:00:00".into())),
            "2024-03-01"
        );
    }

    #[test]
    fn dates_render_as_iso() {
        use calamine::ExcelDateTimeType::DateTime;
        let date = ExcelDateTime::new(45352.0, DateTime, false);
        assert_eq!(date_text(&date), "2024-03-01");
        let moment = ExcelDateTime::new(45352.5, DateTime, false);
        assert_eq!(date_text(&moment), "2024-03-01 12:00:00");
        let time = ExcelDateTime::new(0.75, DateTime, false);
        assert_eq!(date_text(&time), "18:00:00");
    }
}
