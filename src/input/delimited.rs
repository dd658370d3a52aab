//! Delimited text (CSV, TSV, Excel "Unicode text") read as a stream.
//!
//! Vendor lists can have a million rows, so records are parsed one at a
//! time into a reused buffer and memory stays flat. Everything that needs a
//! look ahead (encoding, delimiter, binary garbage) is decided from the
//! 64 KiB sample read before streaming starts.
//!
//! The `csv` crate is lenient where a vendor list must not be: it reads an
//! unclosed quote as one field running to the end of the file, and accepts
//! rows of any width. This module turns both into errors with line numbers,
//! while still accepting what Excel really writes (quoted multi-line cells,
//! trailing empty cells, blank lines).

use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use encoding_rs::{Encoding, UTF_8};

use super::encoding::{self, Malformed, Transcoder};
use super::{InputError, InputFormat, Record, Table};

/// The candidates the delimiter is sniffed among, by preference on ties.
const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];

/// How many sample rows the delimiter is sniffed from.
const SNIFF_ROWS: usize = 50;

/// One-cell lines at the top taken as titles rather than as the table's
/// width.
const TITLE_LINES: usize = 3;

/// The CSV parser's buffer.
const CSV_BUFFER: usize = 64 * 1024;

/// The body of the end marker appended to every stream (see [`END_MARK`]).
/// Bytes 0x00..=0x08 are refused as delimiters, so it is always one field.
const END_BODY: &[u8] = b"\0\x01\x02\x03\x04\x05\x06\x07\x08\0";

/// Appended after the input so that an unclosed quote can be told from a
/// closed one. When the input ends normally, the line feed ends the last
/// record and the marker comes out as a record of its own, [`END_BODY`].
/// When the input ends inside a quoted field, the parser swallows the marker
/// into that field, which then ends with `END_MARK`. Costs nothing per byte.
const END_MARK: &[u8] = b"\n\0\x01\x02\x03\x04\x05\x06\x07\x08\0";

/// The first bytes of a text input, and the rest of it still unread.
pub(super) struct Sampled {
    pub sample: Vec<u8>,
    /// Whether `sample` is the whole input.
    pub complete: bool,
    pub rest: Box<dyn Read + Send>,
}

/// Whether `--delimiter` can be given this byte: one ASCII character that is
/// not a quote, a line break, or one of the control bytes of [`END_BODY`].
pub(super) fn is_usable_delimiter(delimiter: u8) -> bool {
    delimiter.is_ascii()
        && !matches!(delimiter, b'"' | b'\n' | b'\r')
        && !END_BODY.contains(&delimiter)
}

/// Starts streaming records from delimited text. `delimiter` is the one
/// given (or implied by a `.tsv` name); `None` sniffs it.
pub(super) fn read(
    name: &str,
    input: Sampled,
    forced: Option<&'static Encoding>,
    delimiter: Option<u8>,
) -> Result<Table, InputError> {
    let Sampled {
        mut sample,
        complete,
        rest,
    } = input;
    let detected = encoding::detect(&sample, complete, forced);
    sample.drain(..detected.bom_len);

    let (delimiter, cr_only) = {
        let text = encoding::decode_sample(detected.encoding, &sample);
        if let Some(at) = text.find('\0') {
            // Mostly text with a stray NUL is damaged text, named by line;
            // NULs all over are a binary file.
            let nuls = text.matches('\0').count();
            let line = text[..at].matches('\n').count() as u64 + 1;
            return Err(if nuls * 100 < text.len() {
                InputError::NulByte {
                    file: name.to_owned(),
                    line,
                }
            } else {
                InputError::Binary {
                    file: name.to_owned(),
                }
            });
        }
        let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&text, complete));
        (delimiter, is_cr_only(&text))
    };

    let raw: Box<dyn Read + Send> = Box::new(Cursor::new(sample).chain(rest));
    // Parse over the original bytes where that is safe, and decode each
    // field; otherwise turn the stream into UTF-8 first.
    let (text, field_encoding): (Box<dyn Read + Send>, _) =
        if encoding::is_byte_transparent(detected.encoding, delimiter) {
            (raw, detected.encoding)
        } else {
            (Box::new(Transcoder::new(raw, detected.encoding)), UTF_8)
        };
    let text: Box<dyn Read + Send> = if cr_only {
        Box::new(CrToLf(text))
    } else {
        text
    };
    let counted = Arc::new(Counted::default());
    // Records end at LF only: the parser's CRLF mode ends a record at the CR
    // and counts the LF towards the next one, which skews line numbers. The
    // CR then stays at the end of the last field and is dropped there.
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(CSV_BUFFER)
        .from_reader(Counting::new(text, &counted).chain(END_MARK));

    Ok(Table {
        name: name.to_owned(),
        format: InputFormat::Csv { delimiter },
        encoding: Some(encoding::display_name(detected.encoding)),
        records: Box::new(Records {
            file: name.to_owned(),
            reader,
            record: csv::ByteRecord::new(),
            field_encoding,
            encoding_name: encoding::display_name(detected.encoding),
            forced: detected.forced,
            width: None,
            lone_titles: 0,
            done: false,
            counted,
        }),
    })
}

/// How many bytes of the real input the parser has been given, and whether
/// it has reached their end: the end marker ends the table only there.
#[derive(Default)]
struct Counted {
    bytes: AtomicU64,
    at_end: AtomicBool,
}

/// Counts the bytes that pass through it (see [`Counted`]).
struct Counting<R> {
    inner: R,
    counted: Arc<Counted>,
}

impl<R: Read> Counting<R> {
    fn new(inner: R, counted: &Arc<Counted>) -> Counting<R> {
        Counting {
            inner,
            counted: Arc::clone(counted),
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.counted.at_end.store(true, Ordering::Relaxed);
        }
        self.counted.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Whether lines end in CR alone (classic Mac, "CSV (Macintosh)" in old
/// Excel). Records are split at LF, so such text is rewritten to LF. A CR at
/// the very end of the sample may be the first half of a CRLF cut in two, so
/// it is not taken as evidence.
fn is_cr_only(sample: &str) -> bool {
    !sample.contains('\n') && sample.trim_end_matches('\r').contains('\r')
}

/// Rewrites every CR to LF (see [`is_cr_only`]).
struct CrToLf<R>(R);

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        for byte in &mut buf[..n] {
            if *byte == b'\r' {
                *byte = b'\n';
            }
        }
        Ok(n)
    }
}

/// Picks the delimiter of `sample` among [`CANDIDATES`]: the one that occurs
/// (outside quotes) the same non-zero number of times on the most rows,
/// preferring the higher count and then the earlier candidate; `,` if none
/// occurs. `complete` says whether the sample is the whole input (else its
/// last, cut-off row is ignored).
pub(super) fn sniff_delimiter(sample: &str, complete: bool) -> u8 {
    let rows = candidate_counts(sample, complete);
    let mut best: Option<((usize, usize), u8)> = None;
    for (k, &candidate) in CANDIDATES.iter().enumerate() {
        let Some(score) = modal_count(rows.iter().map(|row| row[k])) else {
            continue;
        };
        if best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, candidate));
        }
    }
    best.map_or(b',', |(_, candidate)| candidate)
}

/// For each non-blank row of the sample (up to [`SNIFF_ROWS`]), how often
/// each candidate occurs outside quotes. A quote opens a quoted section at
/// the start of a row or right after a candidate, as it does in CSV; line
/// breaks inside quotes do not end the row.
fn candidate_counts(sample: &str, complete: bool) -> Vec<[usize; CANDIDATES.len()]> {
    let mut rows = Vec::new();
    let mut counts = [0; CANDIDATES.len()];
    let mut blank = true;
    let mut in_quotes = false;
    let mut field_start = true;
    let mut bytes = sample.bytes().peekable();
    while let Some(byte) = bytes.next() {
        if in_quotes {
            if byte == b'"' && bytes.next_if_eq(&b'"').is_none() {
                in_quotes = false;
            }
            continue;
        }
        match byte {
            b'\n' | b'\r' => {
                if !blank {
                    rows.push(counts);
                    if rows.len() == SNIFF_ROWS {
                        return rows;
                    }
                }
                counts = [0; CANDIDATES.len()];
                blank = true;
                field_start = true;
            }
            b'"' if field_start => {
                in_quotes = true;
                blank = false;
                field_start = false;
            }
            _ => {
                match CANDIDATES.iter().position(|&c| c == byte) {
                    Some(k) => {
                        counts[k] += 1;
                        field_start = true;
                    }
                    None => field_start = false,
                }
                blank &= byte.is_ascii_whitespace();
            }
        }
    }
    if complete && !blank && !in_quotes {
        rows.push(counts);
    }
    rows
}

/// The most frequent non-zero value and how many times it occurs, as
/// `(occurrences, value)` so that more rows win, then a higher count.
fn modal_count(counts: impl Iterator<Item = usize>) -> Option<(usize, usize)> {
    let mut nonzero: Vec<usize> = counts.filter(|&n| n > 0).collect();
    nonzero.sort_unstable();
    nonzero
        .chunk_by(|a, b| a == b)
        .map(|run| (run.len(), run[0]))
        .max()
}

/// A field that holds nothing but whitespace (U+3000 included).
fn is_blank(field: &str) -> bool {
    field.chars().all(char::is_whitespace)
}

/// The record iterator of a delimited [`Table`].
struct Records<R> {
    file: String,
    reader: csv::Reader<R>,
    /// Reused for every record.
    record: csv::ByteRecord,
    /// What the parsed bytes are in: the input's encoding, or UTF-8 after
    /// a [`Transcoder`].
    field_encoding: &'static Encoding,
    /// The input's encoding, for messages.
    encoding_name: &'static str,
    forced: bool,
    /// Field count of the first non-blank record (the header).
    width: Option<usize>,
    /// One-cell records read before the width was set.
    lone_titles: usize,
    done: bool,
    /// The input's length, once read to its end.
    counted: Arc<Counted>,
}

impl<R: Read> Iterator for Records<R> {
    type Item = Result<Record, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {
                    // `None` here is a blank record, or the end marker.
                    if let Some(item) = self.check_record().transpose() {
                        return Some(item);
                    }
                }
                Ok(false) => self.done = true,
                Err(err) => {
                    self.done = true;
                    return Some(Err(self.stream_error(err)));
                }
            }
        }
        None
    }
}

impl<R: Read> Records<R> {
    /// Turns the raw record just read into a [`Record`]; `None` for a blank
    /// one. Sets `done` at the end marker and on errors that end the stream.
    fn check_record(&mut self) -> Result<Option<Record>, InputError> {
        let count = self.record.len();
        let Some(last) = count.checked_sub(1).and_then(|i| self.record.get(i)) else {
            return Ok(None);
        };
        // The marker ends the table only where the input really ended: a
        // record that merely looks like it (the same ten bytes, anywhere in
        // the file) is data, and its NUL bytes make it an error below.
        if count == 1
            && last == END_BODY
            && self.counted.at_end.load(Ordering::Relaxed)
            && self.reader.position().byte()
                == self.counted.bytes.load(Ordering::Relaxed) + END_MARK.len() as u64
        {
            self.done = true;
            return Ok(None);
        }
        // The parser records where it was before skipping blank lines, so
        // the start line is worked out backwards from where the record ends:
        // past its LF, and past the line feeds inside quoted fields.
        let end_line = self.reader.position().line();
        let raw = self.record.as_slice();
        let inner_newlines = if raw.contains(&b'\n') {
            raw.iter().filter(|&&b| b == b'\n').count() as u64
        } else {
            0
        };
        if last.ends_with(END_MARK) {
            // No LF ended this record: the end of input did. The quote opens
            // the last field; count the lines before it.
            let last_newlines = last.iter().filter(|&&b| b == b'\n').count() as u64;
            self.done = true;
            return Err(InputError::UnclosedQuote {
                file: self.file.clone(),
                line: end_line.saturating_sub(last_newlines),
            });
        }
        let line = end_line.saturating_sub(inner_newlines + 1);
        if raw.contains(&0) {
            self.done = true;
            return Err(InputError::NulByte {
                file: self.file.clone(),
                line,
            });
        }

        let mut fields = Vec::with_capacity(count);
        for (i, bytes) in self.record.iter().enumerate() {
            // The CR of a CRLF stays with the last field.
            let bytes = match bytes.strip_suffix(b"\r") {
                Some(stripped) if i + 1 == count => stripped,
                _ => bytes,
            };
            let field = encoding::decode_strict(self.field_encoding, bytes).map_err(|byte| {
                InputError::Encoding {
                    file: self.file.clone(),
                    line,
                    encoding: self.encoding_name,
                    byte,
                    forced: self.forced,
                }
            })?;
            fields.push(field);
        }
        if fields.iter().all(|field| is_blank(field)) {
            return Ok(None);
        }
        match self.width {
            // A lone cell before any wider row is a title above the table
            // (`2024年AI供应商清单`): it does not set the width.
            None if fields.len() == 1 && self.lone_titles < TITLE_LINES => {
                self.lone_titles += 1;
            }
            None => self.width = Some(fields.len()),
            Some(width) if fields.len() == width => {}
            // Excel pads rows with empty cells when some row runs wider.
            Some(width) if fields.len() > width && fields[width..].iter().all(|f| is_blank(f)) => {
                fields.truncate(width);
            }
            Some(width) => {
                return Err(InputError::Ragged {
                    file: self.file.clone(),
                    line,
                    found: fields.len(),
                    expected: width,
                });
            }
        }
        Ok(Some(Record { line, fields }))
    }

    /// The error for a failure of the underlying stream.
    fn stream_error(&self, err: csv::Error) -> InputError {
        // The line the parser had reached when reading failed.
        let line = Some(self.reader.position().line());
        let source = match err.into_kind() {
            csv::ErrorKind::Io(source) => source,
            // Byte records, no headers, flexible widths: nothing else occurs.
            other => io::Error::other(format!("{other:?}")),
        };
        match source.get_ref().and_then(|e| e.downcast_ref::<Malformed>()) {
            Some(malformed) => InputError::Encoding {
                file: self.file.clone(),
                line: malformed.line,
                encoding: self.encoding_name,
                byte: malformed.byte,
                forced: self.forced,
            },
            None => InputError::Read {
                file: self.file.clone(),
                line,
                source,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{from_reader, ReadOptions};
    use encoding_rs::GB18030;

    fn table(name: &str, bytes: impl Into<Vec<u8>>, opts: &ReadOptions) -> Table {
        from_reader(name, Box::new(Cursor::new(bytes.into())), opts).unwrap()
    }

    /// (line, fields) of every record, or the error message.
    fn rows(bytes: impl Into<Vec<u8>>) -> Vec<Result<(u64, Vec<String>), String>> {
        collect(table("v.csv", bytes, &ReadOptions::default()))
    }

    fn collect(table: Table) -> Vec<Result<(u64, Vec<String>), String>> {
        table
            .records
            .map(|r| r.map(|r| (r.line, r.fields)).map_err(|e| e.to_string()))
            .collect()
    }

    fn ok(line: u64, fields: &[&str]) -> Result<(u64, Vec<String>), String> {
        Ok((line, fields.iter().map(|f| f.to_string()).collect()))
    }

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            let pair = if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        bytes
    }

    #[test]
    fn utf8() {
        let t = table(
            "v.csv",
            "名称,备案号\n智谱,110108\n",
            &ReadOptions::default(),
        );
        assert_eq!(t.encoding, Some("UTF-8"));
        assert_eq!(t.format, InputFormat::Csv { delimiter: b',' });
        assert_eq!(
            collect(t),
            vec![ok(1, &["名称", "备案号"]), ok(2, &["智谱", "110108"])]
        );
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let t = table(
            "v.csv",
            "\u{FEFF}名称,备注\r\n智谱,无\r\n",
            &ReadOptions::default(),
        );
        assert_eq!(t.encoding, Some("UTF-8"));
        assert_eq!(
            collect(t),
            vec![ok(1, &["名称", "备注"]), ok(2, &["智谱", "无"])]
        );
    }

    #[test]
    fn gb18030() {
        let bytes = GB18030
            .encode("供应商名称,备注\r\n北京智谱华章科技有限公司,大模型\r\n")
            .0;
        let t = table("v.csv", bytes.into_owned(), &ReadOptions::default());
        assert_eq!(t.encoding, Some("GB18030"));
        assert_eq!(
            collect(t),
            vec![
                ok(1, &["供应商名称", "备注"]),
                ok(2, &["北京智谱华章科技有限公司", "大模型"])
            ]
        );
    }

    #[test]
    fn gb18030_with_pipes_is_transcoded_first() {
        // "|" is 0x7C, a valid GBK trail byte: "觸" is 0xD3 0x7C. Parsed
        // over the raw bytes, it would split the field.
        assert_eq!(GB18030.encode("觸").0.as_ref(), [0xD3, 0x7C]);
        let bytes = GB18030.encode("名称|备注\n觸控|无\n").0;
        let opts = ReadOptions {
            encoding: Some(GB18030),
            ..ReadOptions::default()
        };
        let t = table("v.csv", bytes.into_owned(), &opts);
        assert_eq!(t.format, InputFormat::Csv { delimiter: b'|' });
        assert_eq!(
            collect(t),
            vec![ok(1, &["名称", "备注"]), ok(2, &["觸控", "无"])]
        );
    }

    #[test]
    fn utf16le_unicode_text() {
        let t = table(
            "v.txt",
            utf16("名称\t备注\r\n智谱, 北京\t无\r\n", true),
            &ReadOptions::default(),
        );
        assert_eq!(t.encoding, Some("UTF-16LE"));
        assert_eq!(t.format, InputFormat::Csv { delimiter: b'\t' });
        assert_eq!(
            collect(t),
            vec![ok(1, &["名称", "备注"]), ok(2, &["智谱, 北京", "无"])]
        );
    }

    #[test]
    fn utf16be() {
        let t = table(
            "v.txt",
            utf16("a,b\n智谱,c\n", false),
            &ReadOptions::default(),
        );
        assert_eq!(t.encoding, Some("UTF-16BE"));
        assert_eq!(collect(t), vec![ok(1, &["a", "b"]), ok(2, &["智谱", "c"])]);
    }

    #[test]
    fn forced_encoding_wins() {
        // Valid UTF-8 and valid GB18030 alike; the user says it is GB18030.
        let bytes = "名称\n".as_bytes().to_vec();
        let opts = ReadOptions {
            encoding: Some(GB18030),
            ..ReadOptions::default()
        };
        let t = table("v.csv", bytes.clone(), &opts);
        assert_eq!(t.encoding, Some("GB18030"));
        let expected = GB18030
            .decode_without_bom_handling(&bytes)
            .0
            .trim_end()
            .to_owned();
        assert_eq!(collect(t), vec![ok(1, &[expected.as_str()])]);
        // A UTF-16 file forced as UTF-16 keeps working, BOM dropped.
        let opts = ReadOptions {
            encoding: Some(encoding_rs::UTF_16LE),
            ..ReadOptions::default()
        };
        let t = table("v.txt", utf16("a\tb\n", true), &opts);
        assert_eq!(collect(t), vec![ok(1, &["a", "b"])]);
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", true), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1,5\t2\t3\n", true), b'\t');
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2,5;3\n", true), b';');
        assert_eq!(sniff_delimiter("a|b\n1|2\n", true), b'|');
        // Commas inside quotes do not count, nor do quoted line breaks.
        assert_eq!(
            sniff_delimiter("名称;备注\n\"智谱,北京,海淀\";\"x,\ny,z\"\n", true),
            b';'
        );
        // A title row without delimiters does not spoil the rest.
        assert_eq!(
            sniff_delimiter("供应商清单\na\tb\n1\t2\n3\t4\n", true),
            b'\t'
        );
        // Nothing to go on: a comma.
        assert_eq!(sniff_delimiter("名称\n智谱\n", true), b',');
        assert_eq!(sniff_delimiter("", true), b',');
        // An incomplete sample's last row is left out.
        assert_eq!(sniff_delimiter("a;b\n1;2\n3,4,5,6,7,8", false), b';');
    }

    #[test]
    fn explicit_delimiter_and_tsv_extension() {
        let opts = ReadOptions {
            delimiter: Some(b';'),
            ..ReadOptions::default()
        };
        let t = table("v.csv", "a,b;c\n", &opts);
        assert_eq!(collect(t), vec![ok(1, &["a,b", "c"])]);
        let t = table("V.TSV", "a,b,c\n", &ReadOptions::default());
        assert_eq!(collect(t), vec![ok(1, &["a,b,c"])]);
    }

    #[test]
    fn ragged_row_is_an_error_with_its_line() {
        assert_eq!(
            rows("a,b,c\n1,2,3\n\n1,2,3,4\n1,2\n5,6,7\n"),
            vec![
                ok(1, &["a", "b", "c"]),
                ok(2, &["1", "2", "3"]),
                Err("v.csv:4: record has 4 fields, the header has 3 (a ragged row, or a quote that is never closed?)".into()),
                Err("v.csv:5: record has 2 fields, the header has 3 (a ragged row, or a quote that is never closed?)".into()),
                ok(6, &["5", "6", "7"]),
            ]
        );
    }

    #[test]
    fn trailing_empty_fields_are_tolerated() {
        assert_eq!(
            rows("a,b,c\n1,2,3,,\n4,5,6, \n"),
            vec![
                ok(1, &["a", "b", "c"]),
                ok(2, &["1", "2", "3"]),
                ok(3, &["4", "5", "6"]),
            ]
        );
    }

    #[test]
    fn unclosed_quote_is_an_error_at_its_line() {
        let got = rows("a,b\n1,2\n3,\"four\n5,6\n7,8\n");
        assert_eq!(got[..2], [ok(1, &["a", "b"]), ok(2, &["1", "2"])]);
        assert_eq!(
            got[2..],
            [Err("v.csv:3: a quoted field starting here is never closed (close it, or write a literal quote inside quotes as \"\")".into())]
        );
        // The quote opens on line 3, after a multi-line cell of the record
        // that starts on line 2; nothing is read after it.
        let errors: Vec<_> = table("v.csv", "a,b,c\n\"x\ny\",\"z\nw\n", &ReadOptions::default())
            .records
            .filter_map(Result::err)
            .collect();
        assert!(
            matches!(errors[..], [InputError::UnclosedQuote { line: 3, .. }]),
            "{errors:?}"
        );
        // An escaped quote at the very end does not close the field.
        assert!(matches!(
            rows("a,\"b\"\"")[..],
            [Err(ref e)] if e.starts_with("v.csv:1: a quoted field")
        ));
    }

    #[test]
    fn quoted_multiline_cells_and_quotes_read_fine() {
        assert_eq!(
            rows("名称,备注\r\n\"智谱\r\n华章\",\"say \"\"hi\"\"\"\r\n下一个,x\r\n\"end\",\"q\""),
            vec![
                ok(1, &["名称", "备注"]),
                ok(2, &["智谱\r\n华章", "say \"hi\""]),
                ok(4, &["下一个", "x"]),
                ok(5, &["end", "q"]),
            ]
        );
    }

    #[test]
    fn blank_lines_are_skipped_and_counted() {
        assert_eq!(
            rows("\n名称,备注\n\n,\n \u{3000}, \r\n智谱,无"),
            vec![ok(2, &["名称", "备注"]), ok(6, &["智谱", "无"])]
        );
    }

    #[test]
    fn cr_only_line_ends_count_lines() {
        assert_eq!(
            rows("a,b\r1,2\r\r3,4\r"),
            vec![ok(1, &["a", "b"]), ok(2, &["1", "2"]), ok(4, &["3", "4"])]
        );
    }

    #[test]
    fn fields_are_not_trimmed() {
        assert_eq!(rows(" a ,\u{3000}b\n"), vec![ok(1, &[" a ", "\u{3000}b"])]);
    }

    #[test]
    fn invalid_utf8_is_an_error_with_its_line() {
        // Valid UTF-8 in the sample, then one GBK-encoded row far below.
        let mut bytes = b"name,note\n".to_vec();
        for i in 0..10_000 {
            bytes.extend_from_slice(format!("vendor{i},ok\n").as_bytes());
        }
        bytes.extend_from_slice(&GB18030.encode("智谱,无\n").0);
        bytes.extend_from_slice(b"last,row\n");
        let got: Vec<_> = rows(bytes).into_iter().skip(10_001).collect();
        assert_eq!(
            got,
            vec![
                Err("v.csv:10002: not valid UTF-8 (byte 0xD6); if the file is GBK, pass --encoding gbk".into()),
                ok(10003, &["last", "row"]),
            ]
        );
    }

    #[test]
    fn invalid_utf16_is_an_error_with_its_line() {
        let mut bytes = utf16("a,b\nc,d\n", true);
        bytes.extend_from_slice(&[0x00, 0xD8, b'x', 0, b'\n', 0]); // lone surrogate
        let got = rows(bytes);
        assert_eq!(got[..2], [ok(1, &["a", "b"]), ok(2, &["c", "d"])]);
        assert!(
            matches!(&got[2..], [Err(e)] if e.starts_with("v.csv:3: not valid UTF-16LE")),
            "{got:?}"
        );
    }

    /// Issue 12, item 0: the end marker's bytes inside a file, past the
    /// sample the NUL check reads, do not end the table early: the rows
    /// after them are read, or the read fails, never a silent cut.
    #[test]
    fn a_line_like_the_end_marker_does_not_cut_the_file() {
        let mut bytes = b"vendor,model\n".to_vec();
        bytes.extend(
            b"\xe6\x99\xba\xe8\xb0\xb1AI,GLM\xe5\xa4\xa7\xe6\xa8\xa1\xe5\x9e\x8b\n".repeat(3_000),
        );
        bytes.extend_from_slice(END_BODY);
        bytes.extend_from_slice(b"\n");
        bytes.extend(b"OpenAI,ChatGPT\n".repeat(5));
        assert!(bytes.len() > 64 * 1024);
        let got = rows(bytes);
        assert_eq!(got.len(), 3_002, "{:?}", got.last());
        assert!(
            got[3_001].as_ref().is_err_and(|e| e.contains("NUL byte")),
            "{:?}",
            got[3_001]
        );
        // The real end, with or without a final line break, still ends it.
        for tail in ["", "\n"] {
            let text = format!("a,b\nc,d{tail}");
            assert_eq!(rows(text.into_bytes()).len(), 2);
        }
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let err = from_reader(
            "v.bin",
            Box::new(Cursor::new(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec())),
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "v.bin: looks like a binary file (NUL bytes), not CSV or a workbook; if it is UTF-16 text without a byte-order mark, pass --encoding utf-16le"
        );
        // Past the sample, a NUL is an error at its line and ends the read.
        let mut bytes = b"a,b\n".repeat(20_000);
        bytes.extend_from_slice(b"x\0,y\nc,d\n");
        let got = rows(bytes);
        assert_eq!(got.len(), 20_001);
        assert_eq!(
            got[20_000],
            Err(
                "v.csv:20001: NUL byte in the text; the file is binary or corrupt from here on"
                    .into()
            )
        );
    }

    #[test]
    fn a_failing_stream_is_a_read_error() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        // Past the sample, so the failure comes while streaming.
        let text = Cursor::new(b"a,b\n".repeat(20_000)).chain(Failing);
        let t = from_reader("v.csv", Box::new(text), &ReadOptions::default()).unwrap();
        let last = t.records.last().unwrap().unwrap_err();
        assert!(
            matches!(last, InputError::Read { line: Some(_), .. }),
            "{last}"
        );
        assert!(
            last.to_string().contains(": cannot read: disk on fire"),
            "{last}"
        );
        // Within the sample, opening fails.
        let err = from_reader("v.csv", Box::new(Failing), &ReadOptions::default()).unwrap_err();
        assert_eq!(err.to_string(), "v.csv: cannot read: disk on fire");
    }

    #[test]
    fn empty_inputs_yield_nothing() {
        assert!(rows("").is_empty());
        assert!(rows("\u{FEFF}").is_empty());
        assert!(rows("\r\n \n\t\n").is_empty());
        assert!(rows(utf16("", true)).is_empty());
    }

    #[test]
    fn a_huge_field_is_read() {
        let big = "智".repeat(3_500_000); // 10.5 MB
        let got = rows(format!("a,b\n\"{big}\",x\ny,z\n"));
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].as_ref().unwrap().1[0].len(), big.len());
        assert_eq!(got[2], ok(3, &["y", "z"]));
    }

    #[test]
    fn the_sample_boundary_is_invisible() {
        // Rows of multi-byte text straddle the 64 KiB sample end somewhere.
        let row = "北京智谱华章科技有限公司,智谱清言,网信算备110108\n";
        let text = row.repeat(5_000);
        let got = rows(text.clone());
        assert_eq!(got.len(), 5_000);
        assert!(got
            .iter()
            .all(|r| r.as_ref().is_ok_and(|(_, f)| f.len() == 3)));
        let gbk = GB18030.encode(&text).0.into_owned();
        let t = table("v.csv", gbk, &ReadOptions::default());
        assert_eq!(t.encoding, Some("GB18030"));
        assert_eq!(collect(t), got);
    }

    #[test]
    fn records_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        assert_send(&table("v.csv", "a\n", &ReadOptions::default()).records);
    }
}
