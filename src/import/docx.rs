//! Reading a .docx attachment into a [`Document`] of text lines and table
//! rows.
//!
//! The CAC publishes the deep-synthesis algorithm batches (境内深度合成服务
//! 算法备案清单) and some of the national genai attachments (已备案 and 已登记
//! tables) as Word files, made in Word or WPS. The attachment reader finds
//! the tables and headers in a [`Document`]; this module only turns
//! `word/document.xml` into one, keeping what a person sees in Word:
//!
//! * a paragraph outside any table is a [`Block::Text`] (empty ones are
//!   dropped);
//! * a table row is a [`Block::Row`] with `table` and `row` set (1-based;
//!   tracked-deleted rows are left out and not counted);
//! * a cell's text is its runs concatenated; its paragraphs and `w:br` are
//!   joined with `\n`, `w:tab` is a space; tracked deletions (`w:del`,
//!   `w:moveFrom`) are skipped and insertions (`w:ins`) kept; content
//!   controls, hyperlinks, smart tags and simple fields are read through;
//!   of an `mc:AlternateContent` only the first branch is read;
//! * a cell spanning grid columns (`w:gridSpan`) is followed by empty cells,
//!   so every row has the grid's width and a column means one thing;
//! * a vertically merged cell (`w:vMerge` without `restart`) takes the value
//!   of the cell above in its grid column: a company cell merged over three
//!   filings names the company of each;
//! * a table nested in a cell adds its cells' text to that cell, one per
//!   line.
//!
//! The zip I/O ([`read`]) is kept apart from the XML walk ([`parse`]), which
//! tests feed with XML strings. Neither panics on bad input: a file that is
//! not a zip, lacks `word/document.xml` (or the main part its package
//! relationships name, as Word Online's `word/document2.xml`), or holds
//! malformed XML is [`DocumentError::Damaged`].

use std::io::{Cursor, Read};

use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::document::{Block, Document, DocumentError, Place};

/// The most `word/document.xml` may decompress to. The largest real
/// attachment (some 800 rows) is a few MB; this only stops zip bombs.
pub const MAX_XML_BYTES: u64 = 200 * 1024 * 1024;

/// Reads the text lines and table rows of a docx attachment. `file` names
/// it in errors.
pub fn read(file: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let damaged = |message: String| DocumentError::Damaged {
        file: file.to_string(),
        message,
    };
    let (part, xml) = document_xml(bytes, MAX_XML_BYTES).map_err(damaged)?;
    parse(&xml).map_err(|e| damaged(format!("{part}: {e}")))
}

/// The main part of a docx archive: its name and text. It is
/// `word/document.xml`, or (Word Online writes `word/document2.xml`) the
/// part the package relationships name as the office document.
fn document_xml(bytes: &[u8], limit: u64) -> Result<(String, String), String> {
    const PART: &str = "word/document.xml";
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a docx file (not a zip archive: {e})"))?;
    let mut name = PART.to_string();
    let mut data = read_part(&mut archive, PART, limit)?;
    if data.is_none() {
        if let Some(rels) = read_part(&mut archive, "_rels/.rels", limit)? {
            match office_document(&rels) {
                Some(target) if target.starts_with("word/") => {
                    data = read_part(&mut archive, &target, limit)?;
                    name = target;
                }
                Some(other) => {
                    return Err(format!(
                        "not a docx file (a zip archive without {PART}; its main part is {other})"
                    ))
                }
                None => {}
            }
        }
    }
    let data = data.ok_or_else(|| format!("not a docx file (a zip archive without {PART})"))?;
    let text = String::from_utf8(data).map_err(|e| format!("{name} is not UTF-8 text: {e}"))?;
    Ok((name, text))
}

/// A part of the archive, `None` if there is none of that name; at most
/// `limit` bytes decompressed.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, String> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("cannot open {name}: {e}")),
    };
    let mut data = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("cannot decompress {name}: {e}"))?;
    if data.len() as u64 > limit {
        return Err(format!(
            "{name} decompresses to more than {} MB; refusing to read it",
            limit / (1024 * 1024)
        ));
    }
    Ok(Some(data))
}

/// The target of the package's officeDocument relationship (`_rels/.rels`),
/// as a part name. Unreadable relationships are no target.
fn office_document(rels: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(rels);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                let mut kind = None;
                let mut target = None;
                for attr in e.attributes().flatten() {
                    let value = attr.decode_and_unescape_value(reader.decoder()).ok()?;
                    match attr.key.local_name().as_ref() {
                        b"Type" => kind = Some(value.into_owned()),
                        b"Target" => target = Some(value.into_owned()),
                        _ => {}
                    }
                }
                if kind.is_some_and(|k| k.ends_with("/officeDocument")) {
                    return target.map(|t| t.trim_start_matches('/').to_string());
                }
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// Walks `word/document.xml` into blocks. Errors name what is wrong and,
/// for XML errors, where (a byte offset).
pub fn parse(xml: &str) -> Result<Document, String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut walk = Walk::new(reader.decoder());
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML near byte {position}: {e}"))?;
        match event {
            Event::Start(e) => walk.start(&e, false)?,
            Event::Empty(e) => walk.start(&e, true)?,
            Event::End(_) => walk.end(),
            Event::Text(t) => {
                let text = t
                    .xml10_content()
                    .map_err(|e| format!("bad text near byte {position}: {e}"))?;
                walk.text(&text);
            }
            Event::CData(t) => {
                let text = t
                    .decode()
                    .map_err(|e| format!("bad text near byte {position}: {e}"))?;
                walk.text(&text);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = r
                            .decode()
                            .map_err(|e| format!("bad reference near byte {position}: {e}"))?;
                        match &*name {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            other => {
                                return Err(format!(
                                    "unknown entity &{other}; near byte {position}"
                                ))
                            }
                        }
                    }
                    Err(e) => return Err(format!("bad reference near byte {position}: {e}")),
                };
                walk.text(resolved.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = walk.names.last() {
        return Err(format!(
            "ends inside <{}> (the file is cut short)",
            String::from_utf8_lossy(open)
        ));
    }
    if !walk.seen_body {
        return Err("no w:body: not a Word document".into());
    }
    Ok(Document {
        blocks: walk.blocks,
    })
}

/// Elements whose whole content is left out: tracked deletions and moves
/// away, ruby (phonetic) annotations, and the former properties a tracked
/// formatting change keeps (they hold an old `w:gridSpan`/`w:vMerge`).
const SKIPPED: &[&[u8]] = &[
    b"del",
    b"moveFrom",
    b"rt",
    b"pPrChange",
    b"rPrChange",
    b"tcPrChange",
    b"trPrChange",
    b"tblPrChange",
    b"tblGridChange",
    b"sectPrChange",
];

struct Walk {
    decoder: Decoder,
    /// Local names of the open elements (prefixes differ between producers).
    names: Vec<Vec<u8>>,
    /// Depth (in `names`) of an element being skipped, while one is.
    skip_from: Option<usize>,
    /// Open `mc:AlternateContent`s: whether a branch has been taken.
    alternates: Vec<bool>,
    /// Open paragraphs (a text box's paragraphs sit inside a paragraph).
    paragraphs: Vec<String>,
    tables: Vec<TableState>,
    rows: Vec<RowState>,
    cells: Vec<CellState>,
    /// Top-level tables seen so far.
    table_count: u32,
    seen_body: bool,
    blocks: Vec<Block>,
}

#[derive(Default)]
struct TableState {
    /// Top-level table number (1-based); 0 for a nested table.
    number: u32,
    /// `w:gridCol`s in `w:tblGrid`.
    grid_width: usize,
    /// Rows kept so far.
    row_count: u32,
    /// The previous row's cells by grid column, for vertical merges.
    above: Vec<String>,
    /// A nested table's rows, given to the enclosing cell when it ends.
    nested_rows: Vec<Vec<String>>,
}

#[derive(Default)]
struct RowState {
    /// Cells by grid column.
    cells: Vec<String>,
    /// Grid columns (start, span) of cells continuing a vertical merge.
    continued: Vec<(usize, usize)>,
    grid_after: usize,
    deleted: bool,
}

#[derive(Default)]
struct CellState {
    /// Non-empty lines: paragraphs, and nested tables' cells.
    lines: Vec<String>,
    span: usize,
    continues_merge: bool,
}

fn local_name(e: &BytesStart<'_>) -> Vec<u8> {
    e.local_name().as_ref().to_vec()
}

/// The `w:val` attribute.
fn val(e: &BytesStart<'_>, decoder: Decoder) -> Result<Option<String>, String> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| format!("malformed attribute: {err}"))?;
        if attr.key.local_name().as_ref() == b"val" {
            let value = attr
                .decode_and_unescape_value(decoder)
                .map_err(|err| format!("malformed attribute: {err}"))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// A count attribute (`w:gridSpan`, `w:gridBefore`); absurd values are
/// capped so a damaged file cannot make a row of a billion cells.
fn count(e: &BytesStart<'_>, decoder: Decoder) -> Result<usize, String> {
    const MAX_SPAN: usize = 1000;
    Ok(val(e, decoder)?
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .min(MAX_SPAN))
}

impl Walk {
    fn new(decoder: Decoder) -> Walk {
        Walk {
            decoder,
            names: Vec::new(),
            skip_from: None,
            alternates: Vec::new(),
            paragraphs: Vec::new(),
            tables: Vec::new(),
            rows: Vec::new(),
            cells: Vec::new(),
            table_count: 0,
            seen_body: false,
            blocks: Vec::new(),
        }
    }

    fn parent(&self) -> Option<&[u8]> {
        self.names.last().map(Vec::as_slice)
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        if self.skip_from.is_some() {
            if !empty {
                self.names.push(local_name(e));
            }
            return Ok(());
        }
        let name = local_name(e);
        let parent_name = self.names.last().cloned();
        let parent = parent_name.as_deref();
        let in_run = parent == Some(b"r");
        // Elements that are only markers: handled whether empty or not.
        match name.as_slice() {
            b"body" => self.seen_body = true,
            b"tab" | b"ptab" if in_run => self.push(" "),
            b"br" | b"cr" if in_run => self.push("\n"),
            b"noBreakHyphen" if in_run => self.push("-"),
            b"gridCol" if parent == Some(b"tblGrid") => {
                if let Some(table) = self.tables.last_mut() {
                    table.grid_width += 1;
                }
            }
            b"gridSpan" if parent == Some(b"tcPr") => {
                let span = count(e, self.decoder)?;
                if let Some(cell) = self.cells.last_mut() {
                    cell.span = span.max(1);
                }
            }
            b"vMerge" if parent == Some(b"tcPr") => {
                let restart = val(e, self.decoder)?.is_some_and(|v| v == "restart");
                if let Some(cell) = self.cells.last_mut() {
                    cell.continues_merge = !restart;
                }
            }
            b"gridBefore" if parent == Some(b"trPr") => {
                let n = count(e, self.decoder)?;
                if let Some(row) = self.rows.last_mut() {
                    row.cells.extend(std::iter::repeat_n(String::new(), n));
                }
            }
            b"gridAfter" if parent == Some(b"trPr") => {
                let n = count(e, self.decoder)?;
                if let Some(row) = self.rows.last_mut() {
                    row.grid_after = n;
                }
            }
            b"del" if parent == Some(b"trPr") => {
                if let Some(row) = self.rows.last_mut() {
                    row.deleted = true;
                }
            }
            _ => {}
        }
        if empty {
            // An empty container (`<w:p/>`, `<w:tc/>`) still counts.
            match name.as_slice() {
                b"p" | b"tc" | b"tr" | b"tbl" => {
                    self.open(&name);
                    self.close(&name);
                }
                _ => {}
            }
            return Ok(());
        }
        let skip = if SKIPPED.contains(&name.as_slice()) {
            true
        } else if matches!(name.as_slice(), b"Choice" | b"Fallback")
            && parent == Some(b"AlternateContent")
        {
            match self.alternates.last_mut() {
                Some(taken) if *taken => true,
                Some(taken) => {
                    *taken = true;
                    false
                }
                None => false,
            }
        } else {
            false
        };
        if skip {
            self.skip_from = Some(self.names.len());
        } else {
            self.open(&name);
        }
        self.names.push(name);
        Ok(())
    }

    fn open(&mut self, name: &[u8]) {
        match name {
            b"p" => self.paragraphs.push(String::new()),
            b"tbl" => {
                let number = if self.tables.is_empty() {
                    self.table_count += 1;
                    self.table_count
                } else {
                    0
                };
                self.tables.push(TableState {
                    number,
                    ..TableState::default()
                });
            }
            b"tr" => self.rows.push(RowState::default()),
            b"tc" => self.cells.push(CellState {
                span: 1,
                ..CellState::default()
            }),
            b"AlternateContent" => self.alternates.push(false),
            _ => {}
        }
    }

    fn end(&mut self) {
        let Some(name) = self.names.pop() else {
            return; // unmatched end tags are an XML error, reported by the reader
        };
        if let Some(depth) = self.skip_from {
            if depth == self.names.len() {
                self.skip_from = None;
            }
            return;
        }
        self.close(&name);
    }

    fn close(&mut self, name: &[u8]) {
        match name {
            b"p" => {
                let Some(text) = self.paragraphs.pop() else {
                    return;
                };
                let text = text.trim();
                if text.is_empty() {
                    return;
                }
                if let Some(outer) = self.paragraphs.last_mut() {
                    // A text box's paragraph: a line of the paragraph holding it.
                    if !outer.is_empty() {
                        outer.push('\n');
                    }
                    outer.push_str(text);
                } else if let Some(cell) = self.cells.last_mut() {
                    cell.lines.push(text.to_string());
                } else {
                    self.blocks.push(Block::Text {
                        text: text.to_string(),
                        place: Place::default(),
                    });
                }
            }
            b"tc" => {
                let Some(cell) = self.cells.pop() else {
                    return;
                };
                if let Some(row) = self.rows.last_mut() {
                    let start = row.cells.len();
                    if cell.continues_merge {
                        row.continued.push((start, cell.span));
                    }
                    row.cells.push(cell.lines.join("\n"));
                    row.cells
                        .extend(std::iter::repeat_n(String::new(), cell.span - 1));
                }
            }
            b"tr" => {
                let Some(row) = self.rows.pop() else {
                    return;
                };
                self.finish_row(row);
            }
            b"tbl" => {
                let Some(table) = self.tables.pop() else {
                    return;
                };
                if table.number == 0 {
                    if let Some(cell) = self.cells.last_mut() {
                        let texts = table.nested_rows.into_iter().flatten();
                        cell.lines.extend(texts.filter(|t| !t.is_empty()));
                    }
                }
            }
            b"AlternateContent" => {
                self.alternates.pop();
            }
            _ => {}
        }
    }

    fn finish_row(&mut self, mut row: RowState) {
        let Some(table) = self.tables.last_mut() else {
            return; // a row outside any table: nowhere to put it
        };
        if row.deleted {
            return;
        }
        let width = table.grid_width.max(row.cells.len() + row.grid_after);
        row.cells.resize(width, String::new());
        for &(start, span) in &row.continued {
            for col in start..(start + span).min(width) {
                if let Some(above) = table.above.get(col) {
                    if !above.is_empty() {
                        row.cells[col] = above.clone();
                    }
                }
            }
        }
        table.above.clone_from(&row.cells);
        table.row_count += 1;
        if table.number == 0 {
            table.nested_rows.push(row.cells);
        } else {
            self.blocks.push(Block::Row {
                cells: row.cells,
                place: Place {
                    page: None,
                    table: Some(table.number),
                    row: Some(table.row_count),
                },
            });
        }
    }

    /// Character data from the XML: text only inside `w:t`. White space
    /// between elements, field codes (`w:instrText`) and deleted text
    /// (`w:delText`) are not part of the document's text.
    fn text(&mut self, text: &str) {
        if self.skip_from.is_none() && self.parent() == Some(b"t") {
            self.push(text);
        }
    }

    /// Text of the open paragraph.
    fn push(&mut self, text: &str) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            paragraph.push_str(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A document.xml around `body`, with the namespaces Word declares.
    fn xml(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml"><w:body>{body}<w:sectPr/></w:body></w:document>"#
        )
    }

    fn p(text: &str) -> String {
        format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    fn tc(inner: &str) -> String {
        format!("<w:tc><w:tcPr><w:tcW w:w=\"100\"/></w:tcPr>{inner}</w:tc>")
    }

    fn rows(doc: &Document) -> Vec<Vec<&str>> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Row { cells, .. } => Some(cells.iter().map(String::as_str).collect()),
                Block::Text { .. } => None,
            })
            .collect()
    }

    fn texts(doc: &Document) -> Vec<&str> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text { text, .. } => Some(text.as_str()),
                Block::Row { .. } => None,
            })
            .collect()
    }

    /// Package relationships naming `word/document2.xml`, as Word Online writes.
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="R1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/></Relationships>"#;

    fn docx(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn paragraphs_and_rows_in_document_order_with_places() {
        let body = format!(
            "{}<w:p/><w:p><w:r><w:t xml:space=\"preserve\">  </w:t></w:r></w:p>\
             <w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>\
             <w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>{}\
             <w:tbl><w:tr>{}</w:tr></w:tbl>",
            p("境内深度合成服务算法备案清单"),
            tc(&p("序号")),
            tc(&p("算法名称")),
            tc(&p("1")),
            tc(&p("A算法")),
            p("注：按备案时间排序"),
            tc(&p("x")),
        );
        let doc = parse(&xml(&body)).unwrap();
        let place = |table, row| Place {
            page: None,
            table: Some(table),
            row: Some(row),
        };
        let cells = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            doc.blocks,
            vec![
                Block::Text {
                    text: "境内深度合成服务算法备案清单".into(),
                    place: Place::default()
                },
                Block::Row {
                    cells: cells(&["序号", "算法名称"]),
                    place: place(1, 1)
                },
                Block::Row {
                    cells: cells(&["1", "A算法"]),
                    place: place(1, 2)
                },
                Block::Text {
                    text: "注：按备案时间排序".into(),
                    place: Place::default()
                },
                Block::Row {
                    cells: cells(&["x"]),
                    place: place(2, 1)
                },
            ]
        );
    }

    #[test]
    fn cell_text_joins_runs_paragraphs_breaks_and_tabs() {
        let cell = "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>\
                    <w:r><w:t>星智大模型</w:t></w:r><w:r><w:t>(APP)、</w:t></w:r>\
                    <w:r><w:br/><w:t>星智</w:t><w:tab/><w:t>(小程序)</w:t></w:r></w:p>\
                    <w:p/><w:p><w:r><w:t xml:space=\"preserve\"> 第二段 </w:t></w:r></w:p>";
        let body = format!("<w:tbl><w:tr>{}</w:tr></w:tbl>", tc(cell));
        let doc = parse(&xml(&body)).unwrap();
        assert_eq!(
            rows(&doc),
            vec![vec!["星智大模型(APP)、\n星智 (小程序)\n第二段"]]
        );
    }

    #[test]
    fn tracked_deletions_are_skipped_and_insertions_kept() {
        let cell = "<w:p><w:r><w:t>北京</w:t></w:r>\
                    <w:del w:id=\"1\" w:author=\"a\"><w:r><w:delText>旧名</w:delText></w:r></w:del>\
                    <w:ins w:id=\"2\" w:author=\"a\"><w:r><w:t>新名</w:t></w:r></w:ins>\
                    <w:moveFrom w:id=\"3\"><w:r><w:t>挪走</w:t></w:r></w:moveFrom>\
                    <w:r><w:rPr><w:del w:id=\"4\"/></w:rPr><w:t>有限公司</w:t></w:r></w:p>";
        let deleted_row = format!(
            "<w:tr><w:trPr><w:del w:id=\"5\" w:author=\"a\"/></w:trPr>{}</w:tr>",
            tc(&p("删除的行"))
        );
        let body = format!(
            "<w:tbl><w:tr>{}</w:tr>{deleted_row}<w:tr>{}</w:tr></w:tbl>",
            tc(cell),
            tc(&p("2"))
        );
        let doc = parse(&xml(&body)).unwrap();
        assert_eq!(rows(&doc), vec![vec!["北京新名有限公司"], vec!["2"]]);
        assert_eq!(
            doc.blocks[1].place().row,
            Some(2),
            "deleted rows are not counted"
        );
    }

    #[test]
    fn content_controls_links_smart_tags_and_fields_are_read_through() {
        let body = "<w:sdt><w:sdtPr><w:alias w:val=\"标题\"/></w:sdtPr><w:sdtContent>\
                    <w:p><w:hyperlink r:id=\"rId5\" xmlns:r=\"r\"><w:r><w:t>清单</w:t></w:r></w:hyperlink>\
                    <w:smartTag w:uri=\"u\" w:element=\"e\"><w:r><w:t>（2024年6月）</w:t></w:r></w:smartTag>\
                    <w:fldSimple w:instr=\" PAGE \"><w:r><w:t>1</w:t></w:r></w:fldSimple>\
                    <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> HYPERLINK \"x\" </w:instrText></w:r>\
                    <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>链接</w:t></w:r>\
                    <w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>\
                    </w:sdtContent></w:sdt>\
                    <w:tbl><w:sdt><w:sdtContent><w:tr><w:sdt><w:sdtContent>\
                    <w:tc><w:p><w:r><w:t>行内控件</w:t></w:r></w:p></w:tc>\
                    </w:sdtContent></w:sdt></w:tr></w:sdtContent></w:sdt></w:tbl>";
        let doc = parse(&xml(body)).unwrap();
        assert_eq!(texts(&doc), vec!["清单（2024年6月）1链接"]);
        assert_eq!(rows(&doc), vec![vec!["行内控件"]]);
    }

    #[test]
    fn alternate_content_is_read_once() {
        let textbox = |t: &str| {
            format!("<w:r><w:drawing><wps:txbx><w:txbxContent>{}</w:txbxContent></wps:txbx></w:drawing></w:r>", p(t))
        };
        let body = format!(
            "<w:p><w:r><w:t>题注</w:t></w:r><mc:AlternateContent>\
             <mc:Choice Requires=\"wps\">{}</mc:Choice>\
             <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>\
             </mc:AlternateContent></w:p>",
            textbox("文本框"),
            p("文本框")
        );
        let doc = parse(&xml(&body)).unwrap();
        assert_eq!(texts(&doc), vec!["题注\n文本框"]);
    }

    #[test]
    fn horizontal_merges_keep_the_grid_width() {
        let span = |n: u32, t: &str| {
            format!(
                "<w:tc><w:tcPr><w:gridSpan w:val=\"{n}\"/></w:tcPr>{}</w:tc>",
                p(t)
            )
        };
        let body = format!(
            "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>\
             <w:tr>{}</w:tr><w:tr>{}{}{}{}</w:tr><w:tr>{}{}</w:tr>\
             <w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>{}{}</w:tr></w:tbl>",
            span(4, "生成式人工智能服务已备案信息"),
            tc(&p("序号")),
            tc(&p("属地")),
            tc(&p("模型名称")),
            tc(&p("备案单位")),
            span(2, "1 北京市"),
            tc(&p("文心一言")),
            tc(&p("b")),
            tc(&p("c")),
        );
        let doc = parse(&xml(&body)).unwrap();
        assert_eq!(
            rows(&doc),
            vec![
                vec!["生成式人工智能服务已备案信息", "", "", ""],
                vec!["序号", "属地", "模型名称", "备案单位"],
                vec!["1 北京市", "", "文心一言", ""],
                vec!["", "b", "c", ""],
            ]
        );
    }

    #[test]
    fn vertical_merges_repeat_the_cell_above_in_its_grid_column() {
        let restart = |t: &str| {
            format!(
                "<w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr>{}</w:tc>",
                p(t)
            )
        };
        let cont = "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>";
        let cont_val = "<w:tc><w:tcPr><w:vMerge w:val=\"continue\"/></w:tcPr><w:p/></w:tc>";
        let cont_wide = "<w:tc><w:tcPr><w:gridSpan w:val=\"2\"/><w:vMerge/></w:tcPr><w:p/></w:tc>";
        let body = format!(
            "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>\
             <w:tr>{}{}{}</w:tr><w:tr>{}{cont}{}</w:tr><w:tr>{}{cont_val}{}</w:tr>\
             <w:tr>{}{}{}</w:tr>\
             <w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"2\"/><w:vMerge w:val=\"restart\"/></w:tcPr>{}</w:tc>{}</w:tr>\
             <w:tr>{cont_wide}{}</w:tr></w:tbl>",
            tc(&p("1")),
            restart("上海喜马拉雅科技有限公司"),
            tc(&p("喜马拉雅语音识别算法")),
            tc(&p("2")),
            tc(&p("喜马拉雅语音合成算法")),
            tc(&p("3")),
            tc(&p("喜马拉雅语音大模型算法")),
            tc(&p("4")),
            tc(&p("深兰科技（武汉）股份有限公司")),
            tc(&p("硅基")),
            p("宽"),
            tc(&p("x")),
            tc(&p("y")),
        );
        let doc = parse(&xml(&body)).unwrap();
        assert_eq!(
            rows(&doc),
            vec![
                vec!["1", "上海喜马拉雅科技有限公司", "喜马拉雅语音识别算法"],
                vec!["2", "上海喜马拉雅科技有限公司", "喜马拉雅语音合成算法"],
                vec!["3", "上海喜马拉雅科技有限公司", "喜马拉雅语音大模型算法"],
                vec!["4", "深兰科技（武汉）股份有限公司", "硅基"],
                vec!["宽", "", "x"],
                vec!["宽", "", "y"],
            ]
        );
    }

    #[test]
    fn a_nested_table_becomes_lines_of_its_cell() {
        let inner = format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}<w:tc><w:p/></w:tc></w:tr></w:tbl>",
            tc(&p("甲")),
            tc(&p("乙")),
            tc(&p("丙"))
        );
        let body = format!(
            "<w:tbl><w:tr>{}{}</w:tr></w:tbl><w:tbl><w:tr>{}</w:tr></w:tbl>",
            tc(&format!("{}{inner}<w:p/>", p("上"))),
            tc(&p("右")),
            tc(&p("第二张表"))
        );
        let doc = parse(&xml(&body)).unwrap();
        assert_eq!(
            rows(&doc),
            vec![vec!["上\n甲\n乙\n丙", "右"], vec!["第二张表"]]
        );
        assert_eq!(
            doc.blocks[1].place().table,
            Some(2),
            "nested tables are not numbered"
        );
    }

    #[test]
    fn references_are_resolved() {
        let doc = parse(&xml(&p("A&amp;B &lt;&#x4E2D;&#25991;&gt; &quot;x&apos;"))).unwrap();
        assert_eq!(texts(&doc), vec!["A&B <中文> \"x'"]);
    }

    #[test]
    fn malformed_xml_is_an_error_not_a_panic() {
        let whole = xml(&format!(
            "{}<w:tbl><w:tr>{}</w:tr></w:tbl>",
            p("标题"),
            tc(&p("1"))
        ));
        assert!(parse(&whole).is_ok());
        for cut in (0..whole.len()).filter(|&i| whole.is_char_boundary(i)) {
            assert!(parse(&whole[..cut]).is_err(), "cut at {cut} accepted");
        }
        let err = parse(&xml("<w:p><w:r><w:t>x</w:r></w:p>")).unwrap_err();
        assert!(err.contains("malformed XML"), "{err}");
        let err = parse("<w:document xmlns:w=\"w\"/>").unwrap_err();
        assert!(err.contains("no w:body"), "{err}");
        assert!(parse(&xml("<w:p><w:r><w:t>&nbsp;</w:t></w:r></w:p>")).is_err());
    }

    #[test]
    fn damaged_files_are_errors_naming_the_file() {
        let message = |bytes: &[u8]| match read("清单.docx", bytes) {
            Err(DocumentError::Damaged { file, message }) => {
                assert_eq!(file, "清单.docx");
                message
            }
            other => panic!("expected Damaged, got {other:?}"),
        };
        assert!(message(b"").contains("not a zip"));
        assert!(message(b"%PDF-1.7 garbage").contains("not a zip"));
        let no_part = docx(&[
            ("word/other.xml", b"<x/>"),
            ("_rels/.rels", b"<Relationships><Relationship Type=\"x/officeDocument\" Target=\"/word/gone.xml\"/></Relationships>"),
        ]);
        assert!(message(&no_part).contains("without word/document.xml"));
        let bad_xml = docx(&[("word/document.xml", b"<w:document><w:body>")]);
        assert!(message(&bad_xml).starts_with("word/document.xml:"));
        let not_utf8 = docx(&[("word/document.xml", b"<w:document>\xff\xfe</w:document>")]);
        assert!(message(&not_utf8).contains("not UTF-8"));
        let good = docx(&[("word/document.xml", xml(&p("标题")).as_bytes())]);
        let online = docx(&[
            ("_rels/.rels", RELS.as_bytes()),
            ("word/document2.xml", xml(&p("标题")).as_bytes()),
        ]);
        assert_eq!(
            read("清单.docx", &online).unwrap(),
            read("清单.docx", &good).unwrap()
        );
        let bad_online = docx(&[
            ("_rels/.rels", RELS.as_bytes()),
            ("word/document2.xml", b"<w:document>"),
        ]);
        assert!(message(&bad_online).starts_with("word/document2.xml:"));
        assert!(read("清单.docx", &good).is_ok());
        for cut in 0..good.len() {
            assert!(read("清单.docx", &good[..cut]).is_err());
        }
        // Garbage after a valid start, and bytes flipped inside.
        let mut flipped = good.clone();
        for i in (30..flipped.len()).step_by(7) {
            flipped[i] ^= 0x5a;
        }
        let _ = read("清单.docx", &flipped);
    }

    #[test]
    fn decompressed_size_is_limited() {
        let big = xml(&p(&"备".repeat(10_000)));
        let file = docx(&[("word/document.xml", big.as_bytes())]);
        let err = document_xml(&file, 1024).unwrap_err();
        assert!(err.contains("more than"), "{err}");
        assert!(document_xml(&file, big.len() as u64).is_ok());
    }

    // --- the fixtures of tests/fixtures/attachments/docx (make_docx.py) ---

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/attachments/docx")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// `<name>.expected.csv` without its header line: `table,row,c1…cN`,
    /// a text block with empty table and row and its text in c1.
    fn expected(name: &str) -> Vec<Vec<String>> {
        let bytes = fixture(&format!("{name}.expected.csv"));
        csv::Reader::from_reader(bytes.as_slice())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    /// A document in the layout of the expected files, each line as wide as
    /// `width` columns (rows are not padded: a wrong width shows).
    fn transcript(doc: &Document, width: usize) -> Vec<Vec<String>> {
        let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        doc.blocks
            .iter()
            .map(|block| match block {
                Block::Text { text, .. } => {
                    let mut line = vec![String::new(), String::new(), text.clone()];
                    line.resize(width, String::new());
                    line
                }
                Block::Row { cells, place } => {
                    let mut line = vec![number(place.table), number(place.row)];
                    line.extend(cells.iter().cloned());
                    line
                }
            })
            .collect()
    }

    /// Equal transcripts, or a failure listing the differing lines.
    fn assert_same(name: &str, actual: &[Vec<String>], expected: &[Vec<String>]) {
        if actual == expected {
            return;
        }
        let mut report = format!(
            "{name}: {} blocks read, {} expected\n",
            actual.len(),
            expected.len()
        );
        let empty = Vec::new();
        let mut shown = 0;
        for i in 0..actual.len().max(expected.len()) {
            let (a, e) = (
                actual.get(i).unwrap_or(&empty),
                expected.get(i).unwrap_or(&empty),
            );
            if a != e && shown < 10 {
                shown += 1;
                // Line i + 2 of the csv: its header is line 1.
                report.push_str(&format!(
                    "  csv line {}:\n    expected {e:?}\n    read     {a:?}\n",
                    i + 2
                ));
            }
        }
        panic!("{report}");
    }

    fn check_docx(name: &str) -> Document {
        check_docx_as(name, name)
    }

    /// Reads `<file>.docx` and compares it with `<rows>.expected.csv`.
    fn check_docx_as(file: &str, rows: &str) -> Document {
        let file = format!("{file}.docx");
        let doc = read(&file, &fixture(&file)).unwrap();
        let name = rows;
        let expected = expected(name);
        let width = expected[0].len();
        assert_same(&file, &transcript(&doc, width), &expected);
        doc
    }

    fn document_xml_of(name: &str) -> String {
        document_xml(&fixture(name), MAX_XML_BYTES).unwrap().1
    }

    fn row_with_seq<'a>(doc: &'a Document, seq: &str) -> &'a [String] {
        doc.blocks
            .iter()
            .find_map(|b| match b {
                Block::Row { cells, .. } if cells[0] == seq => Some(cells.as_slice()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no row 序号 {seq}"))
    }

    #[test]
    fn deep_synthesis_batch_fixture() {
        let doc = check_docx("ds-2024-06");
        assert_eq!(
            doc.blocks[0],
            Block::Text {
                text: "境内深度合成服务算法备案清单（2024年6月）".into(),
                place: Place::default()
            }
        );
        // 序号 32 and 33 share one vertically merged 主体名称 cell.
        let xml = document_xml_of("ds-2024-06.docx");
        assert!(xml.contains("<w:vMerge w:val=\"restart\"/>") && xml.contains("<w:vMerge/>"));
        assert_eq!(row_with_seq(&doc, "32")[3], "上海喜马拉雅科技有限公司");
        assert_eq!(row_with_seq(&doc, "33")[3], "上海喜马拉雅科技有限公司");
        // A hard line break inside the 应用产品 cell of 序号 11.
        assert_eq!(
            row_with_seq(&doc, "11")[4],
            "星智大模型(APP)、\n星智大模型(小程序)、星智大模型(公众账号)"
        );
        // 备注 recording changes come through whole.
        assert!(row_with_seq(&doc, "169")[7].starts_with("原主体名称"));
        assert_eq!(row_with_seq(&doc, "163")[7], "已注销");
    }

    #[test]
    fn genai_attachment_fixture_with_two_tables() {
        let doc = check_docx("genai-docx-2024-08");
        let texts = texts(&doc);
        assert_eq!(
            texts[0],
            "生成式人工智能服务已备案和已登记信息（2024年8月）"
        );
        // The filings table's merged title row keeps the grid's width.
        assert!(document_xml_of("genai-docx-2024-08.docx").contains("<w:gridSpan w:val=\"6\"/>"));
        let Block::Row { cells, place } = &doc.blocks[2] else {
            panic!("expected the title row, got {:?}", doc.blocks[2]);
        };
        assert_eq!(cells, &["已备案的生成式人工智能服务", "", "", "", "", ""]);
        assert_eq!((place.table, place.row), (Some(1), Some(1)));
        let tables: std::collections::BTreeSet<_> =
            doc.blocks.iter().filter_map(|b| b.place().table).collect();
        assert_eq!(tables.into_iter().collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn fixtures_saved_again_by_libreoffice_read_the_same() {
        // Another producer's markup for the same content (LibreOffice writes
        // `w:vMerge w:val="continue"` and its own run properties).
        assert!(document_xml_of("ds-2024-06-lo.docx").contains("w:val=\"continue\""));
        check_docx_as("ds-2024-06-lo", "ds-2024-06");
        check_docx_as("genai-docx-2024-08-lo", "genai-docx-2024-08");
    }

    #[test]
    fn tracked_changes_fixture() {
        let doc = check_docx("ds-tracked");
        let xml = document_xml_of("ds-tracked.docx");
        for element in [
            "<w:sdt>",
            "<w:del ",
            "<w:ins ",
            "<w:hyperlink ",
            "<w:delText>",
        ] {
            assert!(xml.contains(element), "the fixture lost its {element}");
        }
        // The tracked rename: the old name deleted, the new one kept.
        assert_eq!(row_with_seq(&doc, "169")[3], "上海得物信息集团有限公司");
        assert!(
            !doc.blocks.iter().any(|b| matches!(b,
            Block::Row { cells, .. } if cells[0] == "1")),
            "a deleted row was read"
        );
    }

    #[test]
    fn a_workbook_is_not_a_docx() {
        match read("gd-2024-03.xlsx", &fixture("gd-2024-03.xlsx")) {
            Err(DocumentError::Damaged { message, .. }) => {
                assert!(message.contains("without word/document.xml"), "{message}");
                assert!(message.contains("xl/workbook.xml"), "{message}");
            }
            other => panic!("expected Damaged, got {other:?}"),
        }
    }

    #[test]
    fn guangdong_workbook_fixture_reads_as_expected() {
        // Not a docx: the provincial layout, read by the workbook reader
        // the import already uses, kept with the other attachments.
        let table = crate::input::from_reader(
            "gd-2024-03.xlsx",
            Box::new(Cursor::new(fixture("gd-2024-03.xlsx"))),
            &crate::input::ReadOptions::default(),
        )
        .unwrap();
        let actual: Vec<Vec<String>> = table
            .records
            .map(|r| {
                let r = r.unwrap();
                let mut line = vec!["1".to_string(), r.line.to_string()];
                line.extend(r.fields);
                line
            })
            .collect();
        assert_same("gd-2024-03.xlsx", &actual, &expected("gd-2024-03"));
    }

    #[test]
    fn truncated_fixtures_are_errors() {
        let bytes = fixture("ds-tracked.docx");
        for cut in (0..bytes.len()).step_by(97) {
            assert!(
                read("ds-tracked.docx", &bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }
}
