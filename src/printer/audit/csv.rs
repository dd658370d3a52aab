//! `--format csv`: the input's columns, then the verdict columns.
//!
//! The file goes back to the spreadsheet it came from, so the encoding is
//! the user's choice: UTF-8, UTF-8 with a BOM (Excel detects it), or GBK for
//! Excel on Chinese Windows.

use std::io::{self, Write};

use super::{
    as_of, evaluation_columns, verdict_values, Head, OutputEncoding, Rendered, RowOut, Sink,
    VERDICT_COLUMNS,
};
use crate::audit::gate::Summary;

pub struct CsvSink<'w> {
    encoding: OutputEncoding,
    /// Until `begin`: the output, to which a BOM may go first.
    out: Option<Box<dyn Write + 'w>>,
    writer: Option<csv::Writer<Box<dyn Write + 'w>>>,
    width: usize,
    as_of: String,
    columns: Rendered<Vec<String>>,
}

impl<'w> CsvSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>, encoding: OutputEncoding) -> CsvSink<'w> {
        let out: Box<dyn Write + 'w> = match encoding {
            OutputEncoding::Gbk => Box::new(GbkWriter {
                inner: out,
                pending: Vec::new(),
            }),
            OutputEncoding::Utf8 | OutputEncoding::Utf8Bom => out,
        };
        CsvSink {
            encoding,
            out: Some(out),
            writer: None,
            width: 0,
            as_of: String::new(),
            columns: Rendered::default(),
        }
    }
}

/// Encodes the UTF-8 written to it as GBK; a character split across two
/// writes waits for its remaining bytes.
struct GbkWriter<'w> {
    inner: Box<dyn Write + 'w>,
    pending: Vec<u8>,
}

impl Write for GbkWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) => e.valid_up_to(),
        };
        let text = std::str::from_utf8(&self.pending[..valid]).unwrap_or_default();
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        self.inner.write_all(&bytes)?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let text = String::from_utf8_lossy(&self.pending).into_owned();
            let (bytes, _, _) = encoding_rs::GBK.encode(&text);
            self.inner.write_all(&bytes)?;
            self.pending.clear();
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
        let writer = self
            .writer
            .insert(csv::WriterBuilder::new().flexible(true).from_writer(out));
        self.as_of = as_of(head.registry);
        let input = head.input;
        let mut header = input.output_headers();
        self.width = header.len();
        header.insert(0, "line".to_string());
        header.extend(VERDICT_COLUMNS.iter().map(|s| s.to_string()));
        writer.write_record(&header)?;
        Ok(())
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        let line = row.line.to_string();
        let gate = row.gate_text();
        let mut record: Vec<&str> = Vec::with_capacity(self.width + VERDICT_COLUMNS.len() + 1);
        record.push(&line);
        record.extend(row.fields.iter().take(self.width).map(String::as_str));
        record.resize(self.width + 1, "");
        let columns = self.columns.of(row, evaluation_columns);
        record.extend(verdict_values(columns, &gate, &self.as_of));
        match &mut self.writer {
            Some(w) => Ok(w.write_record(&record)?),
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
