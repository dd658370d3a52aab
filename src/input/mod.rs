//! Reading the vendor lists users hand to `filing-check audit FILE|-`.
//!
//! Procurement lists arrive as whatever Excel on a Chinese Windows machine
//! produced: CSV in GBK/GB18030 or UTF-8 (with or without a byte-order mark),
//! "Unicode text" (UTF-16 with a BOM, tab-separated), TSV, `.xlsx`/`.xls`
//! workbooks, or a pipe on standard input. This module turns all of them into
//! one shape, a [`Table`] of [`Record`]s carrying 1-based line numbers, so the
//! audit never has to care where a row came from. Bad input becomes a typed
//! [`InputError`] that names the file and the line and says what to do about
//! it; it never panics.
//!
//! Text is streamed: only a 64 KiB sample is held for sniffing the encoding
//! and the delimiter, so memory does not grow with the number of rows.
//! Workbooks are loaded whole, as the spreadsheet readers require.
//!
//! - `encoding`: byte-order marks, encoding detection, strict decoding.
//! - `delimited`: CSV/TSV parsing, delimiter sniffing, quote and width checks.
//! - `workbook`: xlsx/xls/xlsb/ods through calamine.

mod delimited;
mod encoding;
pub mod header;
mod workbook;

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use encoding::parse_encoding;

/// How many leading bytes are held back for sniffing before streaming.
const SAMPLE_LEN: usize = 64 * 1024;

/// What the user asked for on the command line; all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The text encoding forced by `--encoding`; `None` detects it.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// `--sheet`: a sheet name, or a 1-based sheet number as text; `None`
    /// takes the first visible worksheet. An error for text inputs.
    pub sheet: Option<String>,
    /// `--delimiter`; `None` sniffs it (tab for `.tsv`/`.tab` files).
    pub delimiter: Option<u8>,
}

/// Where a table is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Stdin,
}

impl Source {
    /// `-` is standard input, anything else a path.
    pub fn from_arg(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Path(path) => write!(f, "{}", path.display()),
            Source::Stdin => f.write_str(STDIN_NAME),
        }
    }
}

/// The display name of standard input in messages.
const STDIN_NAME: &str = "<stdin>";

/// One row of the input, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// 1-based line where the record starts (text), or 1-based worksheet row.
    pub line: u64,
    /// The fields as decoded, untrimmed. Every record of a text table has as
    /// many fields as the first one; workbook rows all span the used range.
    pub fields: Vec<String>,
}

/// The shape the input was read in, for messages and reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// Delimited text (CSV, TSV, "Unicode text"...).
    Csv {
        delimiter: u8,
    },
    Xlsx {
        sheet: String,
    },
    Xlsb {
        sheet: String,
    },
    Xls {
        sheet: String,
    },
    Ods {
        sheet: String,
    },
}

impl InputFormat {
    /// The worksheet a table was read from; `None` for delimited text.
    pub fn sheet(&self) -> Option<&str> {
        match self {
            InputFormat::Csv { .. } => None,
            InputFormat::Xlsx { sheet }
            | InputFormat::Xlsb { sheet }
            | InputFormat::Xls { sheet }
            | InputFormat::Ods { sheet } => Some(sheet),
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputFormat::Csv { delimiter: b',' } => f.write_str("comma-separated text"),
            InputFormat::Csv { delimiter: b'\t' } => f.write_str("tab-separated text"),
            InputFormat::Csv { delimiter } => {
                write!(f, "text separated by {:?}", char::from(*delimiter))
            }
            InputFormat::Xlsx { sheet } => write!(f, "xlsx workbook, sheet {sheet:?}"),
            InputFormat::Xlsb { sheet } => write!(f, "xlsb workbook, sheet {sheet:?}"),
            InputFormat::Xls { sheet } => write!(f, "xls workbook, sheet {sheet:?}"),
            InputFormat::Ods { sheet } => write!(f, "ods workbook, sheet {sheet:?}"),
        }
    }
}

/// The records of one input, read lazily.
pub struct Table {
    /// The path as given, or `<stdin>`; what messages call the input.
    pub name: String,
    pub format: InputFormat,
    /// The encoding text was decoded from ("UTF-8", "GB18030", "UTF-16LE"...);
    /// `None` for workbooks.
    pub encoding: Option<&'static str>,
    /// Every non-blank row, the header row included (the caller finds the
    /// header). After an error about one record (a ragged row, a badly
    /// encoded field) the iterator goes on with the next record; after one
    /// that leaves the rest unreadable (I/O, an unclosed quote, a NUL byte,
    /// undecodable text in a UTF-16 stream) it ends.
    pub records: Box<dyn Iterator<Item = Result<Record, InputError>> + Send>,
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("encoding", &self.encoding)
            .finish_non_exhaustive()
    }
}

/// Everything that can be wrong with an input. Each message names the file
/// (and the line, where there is one) and suggests a fix.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: cannot open: {source}")]
    Open { file: String, source: io::Error },

    #[error("{file}{}: cannot read: {source}", at_line(.line))]
    Read {
        file: String,
        line: Option<u64>,
        source: io::Error,
    },

    #[error("{file}: looks like a binary file (NUL bytes), not CSV or a workbook; if it is UTF-16 text without a byte-order mark, pass --encoding utf-16le")]
    Binary { file: String },

    #[error("{file}:{line}: NUL byte in the text; the file is binary or corrupt from here on")]
    NulByte { file: String, line: u64 },

    #[error("{file}:{line}: not valid {encoding}{}; {}", byte_note(.byte), encoding_hint(.encoding, .forced))]
    Encoding {
        file: String,
        line: u64,
        /// The encoding the text was decoded as.
        encoding: &'static str,
        /// The first offending byte, when known.
        byte: Option<u8>,
        /// Whether `--encoding` chose the encoding (else it was detected).
        forced: bool,
    },

    #[error("{file}:{line}: record has {found} fields, the header has {expected} (a ragged row, or a quote that is never closed?)")]
    Ragged {
        file: String,
        line: u64,
        found: usize,
        expected: usize,
    },

    #[error("{file}:{line}: a quoted field starting here is never closed (close it, or write a literal quote inside quotes as \"\")")]
    UnclosedQuote { file: String, line: u64 },

    #[error("{file}: no sheet named {sheet:?}; sheets: {}", .sheets.join(", "))]
    NoSuchSheet {
        file: String,
        sheet: String,
        sheets: Vec<String>,
    },

    #[error("{file}: no sheet number {number}; the workbook has {} sheet(s): {}", .sheets.len(), .sheets.join(", "))]
    NoSuchSheetNumber {
        file: String,
        number: usize,
        sheets: Vec<String>,
    },

    #[error("{file}: cannot read the workbook: {reason} (corrupt or password-protected? open it in Excel and save a copy as .xlsx or CSV)")]
    Workbook { file: String, reason: String },

    #[error("{file}: named like a workbook but is not an xlsx, xls or ods file (an HTML or text export?); open it in Excel and save it as .xlsx or CSV")]
    NotAWorkbook { file: String },

    #[error("{file}: --sheet applies only to workbooks (xlsx, xls, ods), and this is text")]
    SheetForText { file: String },

    #[error("{file}: --delimiter {} cannot be used; pick one ASCII character other than a quote or a line break", char::from(*.delimiter).escape_default())]
    BadDelimiter { file: String, delimiter: u8 },

    #[error("--encoding {label:?}: unknown encoding; use one of utf-8, gbk (read as gb18030), gb18030, big5, utf-16le, utf-16be")]
    UnknownEncoding { label: String },
}

fn at_line(line: &Option<u64>) -> String {
    line.map(|n| format!(":{n}")).unwrap_or_default()
}

fn byte_note(byte: &Option<u8>) -> String {
    byte.map(|b| format!(" (byte {b:#04X})"))
        .unwrap_or_default()
}

fn encoding_hint(encoding: &str, forced: &bool) -> &'static str {
    match (encoding, *forced) {
        ("UTF-8", false) => "if the file is GBK, pass --encoding gbk",
        ("UTF-8", true) => "the file is not UTF-8; try --encoding gbk or --encoding big5",
        (_, false) => "the encoding was guessed; pass --encoding (utf-8, gbk, big5...) to set it",
        (_, true) => "check the --encoding given; try utf-8, gbk or big5",
    }
}

impl InputError {
    /// The input the error is about: a path as given, `<stdin>`, or for
    /// [`InputError::UnknownEncoding`] the option `--encoding`.
    pub fn file(&self) -> &str {
        match self {
            InputError::Open { file, .. }
            | InputError::Read { file, .. }
            | InputError::Binary { file }
            | InputError::NulByte { file, .. }
            | InputError::Encoding { file, .. }
            | InputError::Ragged { file, .. }
            | InputError::UnclosedQuote { file, .. }
            | InputError::NoSuchSheet { file, .. }
            | InputError::NoSuchSheetNumber { file, .. }
            | InputError::Workbook { file, .. }
            | InputError::NotAWorkbook { file }
            | InputError::SheetForText { file }
            | InputError::BadDelimiter { file, .. } => file,
            InputError::UnknownEncoding { .. } => "--encoding",
        }
    }

    /// The 1-based line (or worksheet row) the error is about, if any.
    pub fn line(&self) -> Option<u64> {
        match self {
            InputError::Read { line, .. } => *line,
            InputError::NulByte { line, .. }
            | InputError::Encoding { line, .. }
            | InputError::Ragged { line, .. }
            | InputError::UnclosedQuote { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Opens a file or standard input and starts reading it.
pub fn open(source: &Source, opts: &ReadOptions) -> Result<Table, InputError> {
    match source {
        Source::Path(path) => {
            let name = path.display().to_string();
            let file = File::open(path).map_err(|source| InputError::Open {
                file: name.clone(),
                source,
            })?;
            from_reader(&name, Box::new(file), opts)
        }
        Source::Stdin => from_reader(STDIN_NAME, Box::new(io::stdin()), opts),
    }
}

/// Whether `bytes` begin like a workbook (xlsx, xlsb, ods: a zip; xls: an
/// OLE compound file), whatever the file is called.
pub fn is_workbook(bytes: &[u8]) -> bool {
    workbook::has_magic(bytes)
}

/// Reads every table of a file held in memory: each visible worksheet of a
/// workbook (or only `opts.sheet`), or the one table of a text file. For
/// imports, which need the whole file anyway (its digest is recorded).
pub fn tables_from_bytes(
    name: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
) -> Result<Vec<Table>, InputError> {
    if !workbook::has_magic(&bytes) || opts.sheet.is_some() {
        return from_reader(name, Box::new(io::Cursor::new(bytes)), opts).map(|t| vec![t]);
    }
    let ext = extension(name);
    workbook::worksheet_names(name, &bytes, ext.as_deref())?
        .iter()
        .map(|sheet| workbook::read(name, &bytes, ext.as_deref(), Some(sheet)))
        .collect()
}

/// Reads a table from any byte stream; `name` is used in messages and its
/// extension as a hint (`.tsv` means tabs; `.xlsx` must be a workbook).
///
/// Workbooks are recognised by their magic bytes whatever the name, and are
/// buffered whole; everything else is streamed as delimited text.
pub fn from_reader(
    name: &str,
    mut reader: Box<dyn Read + Send>,
    opts: &ReadOptions,
) -> Result<Table, InputError> {
    if let Some(delimiter) = opts.delimiter {
        if !delimited::is_usable_delimiter(delimiter) {
            return Err(InputError::BadDelimiter {
                file: name.to_owned(),
                delimiter,
            });
        }
    }
    let read_error = |source| InputError::Read {
        file: name.to_owned(),
        line: None,
        source,
    };
    let mut sample = Vec::with_capacity(SAMPLE_LEN);
    reader
        .by_ref()
        .take(SAMPLE_LEN as u64)
        .read_to_end(&mut sample)
        .map_err(read_error)?;
    let complete = sample.len() < SAMPLE_LEN;
    let extension = extension(name);

    if workbook::has_magic(&sample) {
        let mut bytes = sample;
        reader.read_to_end(&mut bytes).map_err(read_error)?;
        return workbook::read(name, &bytes, extension.as_deref(), opts.sheet.as_deref());
    }
    if extension
        .as_deref()
        .is_some_and(workbook::is_workbook_extension)
    {
        return Err(InputError::NotAWorkbook {
            file: name.to_owned(),
        });
    }
    if opts.sheet.is_some() {
        return Err(InputError::SheetForText {
            file: name.to_owned(),
        });
    }
    let delimiter = opts.delimiter.or(match extension.as_deref() {
        Some("tsv" | "tab") => Some(b'\t'),
        _ => None,
    });
    delimited::read(
        name,
        delimited::Sampled {
            sample,
            complete,
            rest: reader,
        },
        opts.encoding,
        delimiter,
    )
}

/// The lower-cased extension of a file name, if it has one.
fn extension(name: &str) -> Option<String> {
    Path::new(name)
        .extension()
        .and_then(|ext| ext.to_str())
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {

    #[test]
    fn encoding_errors_after_cr_only_lines_name_their_line() {
        // Found by fuzzing (fuzz/artifacts-found/input): UTF-16 and legacy
        // text with `|` are transcoded first, and a lone CR ends a line too.
        let cases: [(&[u8], ReadOptions); 2] = [
            (
                &[
                    0xFF, 0xFE, 0x61, 0, 0x0D, 0, 0x62, 0, 0x0D, 0, 0x00, 0xD8, 0x63, 0, 0x0D, 0,
                ],
                ReadOptions::default(),
            ),
            (
                b"a\rb\r\xff\r",
                ReadOptions {
                    encoding: Some(encoding_rs::GB18030),
                    delimiter: Some(b'|'),
                    ..ReadOptions::default()
                },
            ),
        ];
        for (bytes, opts) in cases {
            let table =
                from_reader("cr.csv", Box::new(io::Cursor::new(bytes.to_vec())), &opts).unwrap();
            let err = table
                .records
                .filter_map(Result::err)
                .next()
                .expect("an encoding error");
            assert_eq!(err.line(), Some(3), "{err}");
        }
    }

    use super::*;

    fn read_all(name: &str, bytes: Vec<u8>, opts: &ReadOptions) -> Vec<Result<Record, String>> {
        let table = from_reader(name, Box::new(io::Cursor::new(bytes)), opts).unwrap();
        table
            .records
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn open_reports_a_missing_file_by_name() {
        let err = open(
            &Source::Path(PathBuf::from("no/such/vendors.csv")),
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.file(), "no/such/vendors.csv");
        assert_eq!(err.line(), None);
        assert!(
            err.to_string()
                .starts_with("no/such/vendors.csv: cannot open: "),
            "{err}"
        );
    }

    #[test]
    fn open_reads_a_file_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vendors.tsv");
        std::fs::write(&path, "名称\t备注\n智谱, 北京\t无\n").unwrap();
        let table = open(&Source::Path(path.clone()), &ReadOptions::default()).unwrap();
        assert_eq!(table.name, path.display().to_string());
        // The .tsv extension means tabs even though commas outnumber them.
        assert_eq!(table.format, InputFormat::Csv { delimiter: b'\t' });
        let rows: Vec<_> = table.records.map(|r| r.unwrap().fields).collect();
        assert_eq!(rows, vec![vec!["名称", "备注"], vec!["智谱, 北京", "无"]]);
    }

    #[test]
    fn source_display_and_from_arg() {
        assert_eq!(Source::from_arg("-"), Source::Stdin);
        assert_eq!(Source::Stdin.to_string(), "<stdin>");
        assert_eq!(Source::from_arg("a/b.csv").to_string(), "a/b.csv");
    }

    #[test]
    fn sheet_option_is_an_error_for_text() {
        let opts = ReadOptions {
            sheet: Some("1".into()),
            ..ReadOptions::default()
        };
        let err =
            from_reader("v.csv", Box::new(io::Cursor::new(b"a,b\n".to_vec())), &opts).unwrap_err();
        assert!(matches!(err, InputError::SheetForText { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "v.csv: --sheet applies only to workbooks (xlsx, xls, ods), and this is text"
        );
    }

    #[test]
    fn unusable_delimiter_is_an_error() {
        for delimiter in [b'"', b'\n', b'\r', 0, 0xE4] {
            let opts = ReadOptions {
                delimiter: Some(delimiter),
                ..ReadOptions::default()
            };
            let err =
                from_reader("v.csv", Box::new(io::Cursor::new(Vec::new())), &opts).unwrap_err();
            assert!(matches!(err, InputError::BadDelimiter { .. }), "{err}");
        }
    }

    #[test]
    fn workbook_named_file_that_is_text_is_an_error() {
        let err = from_reader(
            "export.xls",
            Box::new(io::Cursor::new(b"<html><table>".to_vec())),
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, InputError::NotAWorkbook { .. }), "{err}");
    }

    #[test]
    fn empty_input_yields_no_records() {
        assert!(read_all("v.csv", Vec::new(), &ReadOptions::default()).is_empty());
        assert!(read_all("v.csv", b" \r\n\t\n  ".to_vec(), &ReadOptions::default()).is_empty());
    }

    #[test]
    fn error_messages_name_file_and_line() {
        let err = InputError::Encoding {
            file: "vendors.csv".into(),
            line: 5,
            encoding: "UTF-8",
            byte: Some(0xB9),
            forced: false,
        };
        assert_eq!(
            err.to_string(),
            "vendors.csv:5: not valid UTF-8 (byte 0xB9); if the file is GBK, pass --encoding gbk"
        );
        assert_eq!((err.file(), err.line()), ("vendors.csv", Some(5)));
        let err = InputError::NoSuchSheet {
            file: "vendors.xlsx".into(),
            sheet: "Foo".into(),
            sheets: vec!["Sheet1".into(), "供应商".into()],
        };
        assert_eq!(
            err.to_string(),
            "vendors.xlsx: no sheet named \"Foo\"; sheets: Sheet1, 供应商"
        );
    }

    #[test]
    fn format_display() {
        assert_eq!(
            InputFormat::Csv { delimiter: b';' }.to_string(),
            "text separated by ';'"
        );
        assert_eq!(
            InputFormat::Xlsx {
                sheet: "供应商".into()
            }
            .to_string(),
            "xlsx workbook, sheet \"供应商\""
        );
    }
}
