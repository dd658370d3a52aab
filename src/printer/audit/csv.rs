//! `--format csv`: the input's columns, then the verdict columns.
//!
//! The file goes back to the spreadsheet it came from, so it is written for
//! Excel unless the user says otherwise: UTF-8 with a BOM (Excel reads the
//! BOM as "this is UTF-8"); plain UTF-8 for programs; GB18030 or GBK for
//! Excel on Chinese Windows. GBK lacks many characters (emoji, rare
//! ideographs): a row holding one is an error naming the row, never a
//! silently altered report (encoding_rs would write `&#NNNN;` instead).
//! A cell Excel would run as a formula is quoted ([`super::defuse`]).
//! Column names and labels are English (what scripts read) unless `--lang
//! zh` asks for Chinese.

use std::borrow::Cow;
use std::io::{self, Write};

use encoding_rs::Encoding;

use super::{
    as_of, defuse, evaluation_columns, report_header, verdict_values, Head, Lang, OutputEncoding,
    Rendered, RowOut, Sink, VERDICT_COLUMNS,
};
use crate::audit::gate::Summary;
use crate::printer::text::echo;

pub struct CsvSink<'w> {
    encoding: OutputEncoding,
    lang: Lang,
    /// Until `begin`: the output, to which a BOM may go first.
    out: Option<Box<dyn Write + 'w>>,
    writer: Option<csv::Writer<Box<dyn Write + 'w>>>,
    width: usize,
    as_of: String,
    columns: Rendered<Vec<String>>,
    /// The header, to name the column of a cell GBK cannot encode.
    header: Vec<String>,
}

impl<'w> CsvSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>, encoding: OutputEncoding, lang: Lang) -> CsvSink<'w> {
        let out: Box<dyn Write + 'w> = match encoding {
            OutputEncoding::Gbk => Box::new(Encoder::new(out, encoding_rs::GBK)),
            OutputEncoding::Gb18030 => Box::new(Encoder::new(out, encoding_rs::GB18030)),
            OutputEncoding::Utf8 | OutputEncoding::Utf8Bom => out,
        };
        CsvSink {
            encoding,
            lang,
            out: Some(out),
            writer: None,
            width: 0,
            as_of: String::new(),
            columns: Rendered::default(),
            header: Vec::new(),
        }
    }
}

/// With GBK, an error naming the first cell of `record` GBK cannot encode,
/// on input line `line` (`None`: the header); other encodings encode
/// everything.
fn check_encodable(
    encoding: OutputEncoding,
    header: &[String],
    record: &[Cow<'_, str>],
    line: Option<u64>,
) -> io::Result<()> {
    if encoding != OutputEncoding::Gbk {
        return Ok(());
    }
    for (i, cell) in record.iter().enumerate() {
        if let Some(c) = unencodable(encoding_rs::GBK, cell) {
            let at = match line {
                Some(n) => format!("line {n}"),
                None => "the header".to_string(),
            };
            let column = header
                .get(i)
                .map(|h| format!(" (column {:?})", echo(h)))
                .unwrap_or_default();
            return Err(io::Error::other(format!(
                "{at}{column} holds {c:?} (U+{:04X}), which GBK cannot encode; write the report with --output-encoding gb18030 (every character) or utf-8-bom",
                u32::from(c)
            )));
        }
    }
    Ok(())
}

/// The first character of `text` that `encoding` cannot encode.
fn unencodable(encoding: &'static Encoding, text: &str) -> Option<char> {
    if text.is_ascii() || !encoding.encode(text).2 {
        return None;
    }
    let mut buf = [0u8; 4];
    text.chars()
        .find(|c| encoding.encode(c.encode_utf8(&mut buf)).2)
}

/// Encodes the UTF-8 written to it; a character split across two writes
/// waits for its remaining bytes. A character the encoding cannot encode
/// is an error (rows are checked before they are written, so that the
/// error can name the row; this is the last guard).
struct Encoder<'w> {
    inner: Box<dyn Write + 'w>,
    encoding: &'static Encoding,
    pending: Vec<u8>,
}

impl<'w> Encoder<'w> {
    fn new(inner: Box<dyn Write + 'w>, encoding: &'static Encoding) -> Encoder<'w> {
        Encoder {
            inner,
            encoding,
            pending: Vec::new(),
        }
    }

    fn encode(&mut self, text: &str) -> io::Result<()> {
        let (bytes, _, unmappable) = self.encoding.encode(text);
        if unmappable {
            let c = unencodable(self.encoding, text).unwrap_or(char::REPLACEMENT_CHARACTER);
            return Err(io::Error::other(format!(
                "{c:?} (U+{:04X}) cannot be encoded as {}; write the report with --output-encoding gb18030 or utf-8-bom",
                u32::from(c),
                self.encoding.name()
            )));
        }
        self.inner.write_all(&bytes)
    }
}

impl Write for Encoder<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) => e.valid_up_to(),
        };
        let pending = std::mem::take(&mut self.pending);
        let text = std::str::from_utf8(&pending[..valid]).unwrap_or_default();
        self.encode(text)?;
        self.pending = pending[valid..].to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            let text = String::from_utf8_lossy(&pending).into_owned();
            self.encode(&text)?;
        }
        self.inner.flush()
    }
}

impl Sink for CsvSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        let Some(mut out) = self.out.take() else {
            return Ok(());
        };
        if self.encoding == OutputEncoding::Utf8Bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(out);
        self.as_of = as_of(head.registry);
        let input = head.input;
        let headers = input.output_headers();
        self.width = headers.len();
        self.header = report_header(&headers, self.lang);
        let cells: Vec<Cow<str>> = self.header.iter().map(|h| defuse(h)).collect();
        check_encodable(self.encoding, &self.header, &cells, None)?;
        writer.write_record(cells.iter().map(|c| c.as_bytes()))?;
        self.writer = Some(writer);
        Ok(())
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        let line = row.line.to_string();
        let gate = self.lang.gate(row.disposition, row.exception);
        let mut record: Vec<Cow<str>> = Vec::with_capacity(self.width + VERDICT_COLUMNS.len() + 1);
        record.push(Cow::Borrowed(&line));
        record.extend(row.fields.iter().take(self.width).map(|f| defuse(f)));
        record.resize(self.width + 1, Cow::Borrowed(""));
        let lang = self.lang;
        let columns = self.columns.of(row, |e| evaluation_columns(e, lang));
        record.extend(verdict_values(columns, &gate, &self.as_of).map(defuse));
        check_encodable(self.encoding, &self.header, &record, Some(row.line))?;
        match &mut self.writer {
            Some(w) => Ok(w.write_record(record.iter().map(|c| c.as_bytes()))?),
            None => Ok(()),
        }
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}
