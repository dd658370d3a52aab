//! The regulator's docx attachments read into text lines and table rows.
//!
//! The deep-synthesis batches (境内深度合成服务算法备案清单) and some
//! genai attachments are Word documents made in Word or WPS. A docx is a
//! zip whose `word/document.xml` holds paragraphs and tables in reading
//! order; this module walks that XML: paragraphs outside tables become
//! text lines, each table row a row of cells. Inside a cell, paragraphs and
//! line breaks are kept as `\n`; deleted text of tracked changes is
//! skipped, inserted text kept; content controls, hyperlinks and smart tags
//! are looked through. A merged cell keeps the grid: a horizontal merge
//! (`gridSpan`) is followed by empty cells, a vertical merge repeats the
//! text of the cell it continues.
//!
//! [`read_xml`] is pure; [`read`] adds the zip.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::document::{Block, Document, DocumentError, Place};

/// More than this uncompressed is not a list (a zip bomb, or not a list).
const MAX_XML: u64 = 200 << 20;

/// Reads the text lines and table rows of a docx attachment.
pub fn read(file: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let damaged = |message: String| DocumentError::Damaged {
        file: file.to_string(),
        message,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| damaged(format!("not a readable Word document (docx): {e}")))?;
    let entry = zip.by_name("word/document.xml").map_err(|_| {
        damaged("a zip without word/document.xml: not a Word document (docx)".to_string())
    })?;
    let mut xml = Vec::new();
    entry
        .take(MAX_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|e| damaged(format!("word/document.xml cannot be read: {e}")))?;
    if xml.len() as u64 > MAX_XML {
        return Err(damaged(format!(
            "word/document.xml is larger than {} MB uncompressed",
            MAX_XML >> 20
        )));
    }
    read_xml(&xml).map_err(|e| damaged(format!("word/document.xml: {e}")))
}

/// A table being read: its rows so far, and the row and cell open.
#[derive(Default)]
struct TableState {
    rows: Vec<Vec<String>>,
    row: Option<Vec<String>>,
    /// The grid column each cell of the open row starts at.
    grid: Vec<usize>,
    cell: Option<String>,
    span: usize,
    /// The open cell continues a vertical merge.
    continues: bool,
    /// The grid column of each finished cell of every row, for merges.
    row_grids: Vec<Vec<usize>>,
}

/// Reads `word/document.xml`.
pub fn read_xml(xml: &[u8]) -> Result<Document, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut blocks = Vec::new();
    // Nested tables: the innermost last.
    let mut tables: Vec<TableState> = Vec::new();
    let mut table_no = 0u32;
    let mut line = 0u32;
    let mut paragraph: Option<String> = None;
    // Inside w:del (tracked deletion) or mc:Fallback: text skipped.
    let mut skip = 0usize;
    let mut in_text = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                let name = local(&e);
                match name.as_slice() {
                    b"del" | b"Fallback" => skip += 1,
                    _ if skip > 0 => {}
                    b"tbl" => tables.push(TableState::default()),
                    b"tr" => {
                        if let Some(t) = tables.last_mut() {
                            t.row = Some(Vec::new());
                            t.grid = Vec::new();
                        }
                    }
                    b"tc" => {
                        if let Some(t) = tables.last_mut() {
                            t.cell = Some(String::new());
                            t.span = 1;
                            t.continues = false;
                        }
                    }
                    b"p" => paragraph = Some(String::new()),
                    b"t" => in_text = true,
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if skip > 0 {
                    buf.clear();
                    continue;
                }
                let name = local(&e);
                match name.as_slice() {
                    b"gridSpan" => {
                        if let Some(t) = tables.last_mut() {
                            t.span = attr(&e, b"val")
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(1)
                                .clamp(1, 64);
                        }
                    }
                    b"vMerge" => {
                        if let Some(t) = tables.last_mut() {
                            t.continues = attr(&e, b"val").is_none_or(|v| v != "restart");
                        }
                    }
                    b"br" | b"cr" => {
                        if let Some(p) = &mut paragraph {
                            p.push('\n');
                        }
                    }
                    b"tab" => {
                        if let Some(p) = &mut paragraph {
                            p.push(' ');
                        }
                    }
                    b"p" => paragraph_end(&mut tables, &mut blocks, String::new(), &mut line),
                    _ => {}
                }
            }
            Event::Text(t) if in_text && skip == 0 => {
                let text = t.decode().map_err(|e| format!("bad text: {e}"))?;
                let text =
                    quick_xml::escape::unescape(&text).map_err(|e| format!("bad text: {e}"))?;
                if let Some(p) = &mut paragraph {
                    p.push_str(&text);
                }
            }
            Event::GeneralRef(r) if in_text && skip == 0 => {
                let name = r.decode().map_err(|e| format!("bad entity: {e}"))?;
                let resolved = match name.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                if let (Some(c), Some(p)) = (resolved, &mut paragraph) {
                    p.push(c);
                }
            }
            Event::End(e) => {
                let name = e.local_name().as_ref().to_vec();
                match name.as_slice() {
                    b"del" | b"Fallback" => skip = skip.saturating_sub(1),
                    _ if skip > 0 => {}
                    b"t" => in_text = false,
                    b"p" => {
                        let text = paragraph.take().unwrap_or_default();
                        paragraph_end(&mut tables, &mut blocks, text, &mut line);
                    }
                    b"tc" => {
                        if let Some(t) = tables.last_mut() {
                            let text = t.cell.take().unwrap_or_default();
                            let row = t.row.get_or_insert_with(Vec::new);
                            let start = row.len();
                            let value = if t.continues {
                                // The text of the cell above, in the same grid column.
                                let above = t.rows.last().and_then(|r| r.get(start)).cloned();
                                above.unwrap_or_default()
                            } else {
                                text
                            };
                            row.push(value);
                            for _ in 1..t.span {
                                row.push(String::new());
                            }
                            t.grid.push(start);
                        }
                    }
                    b"tr" => {
                        if let Some(t) = tables.last_mut() {
                            if let Some(row) = t.row.take() {
                                t.row_grids.push(std::mem::take(&mut t.grid));
                                t.rows.push(row);
                            }
                        }
                    }
                    b"tbl" => {
                        if let Some(t) = tables.pop() {
                            if let Some(outer) = tables.last_mut() {
                                // A nested table's text goes into the outer cell.
                                let text = t
                                    .rows
                                    .iter()
                                    .map(|r| r.join(" "))
                                    .collect::<Vec<_>>()
                                    .join("\n");
                                if let Some(c) = &mut outer.cell {
                                    if !c.is_empty() {
                                        c.push('\n');
                                    }
                                    c.push_str(&text);
                                }
                            } else {
                                table_no += 1;
                                for (i, cells) in t.rows.into_iter().enumerate() {
                                    blocks.push(Block::Row {
                                        cells,
                                        place: Place {
                                            page: None,
                                            table: Some(table_no),
                                            row: Some(i as u32 + 1),
                                        },
                                    });
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(Document { blocks })
}

/// A paragraph ends: into the open cell, or a text line of the document.
fn paragraph_end(tables: &mut [TableState], blocks: &mut Vec<Block>, text: String, line: &mut u32) {
    if let Some(t) = tables.last_mut() {
        if let Some(c) = &mut t.cell {
            if !c.is_empty() {
                c.push('\n');
            }
            c.push_str(&text);
            return;
        }
    }
    if !text.trim().is_empty() {
        *line += 1;
        blocks.push(Block::Text {
            text,
            place: Place {
                page: None,
                table: None,
                row: Some(*line),
            },
        });
    }
}

fn local(e: &BytesStart<'_>) -> Vec<u8> {
    e.local_name().as_ref().to_vec()
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        // The values read (gridSpan, vMerge) are plain ASCII.
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        )
    }

    fn tc(text: &str) -> String {
        format!("<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
    }

    #[test]
    fn paragraphs_tables_breaks_and_tracked_changes() {
        let xml = doc(&format!(
            "<w:p><w:r><w:t>境内深度合成服务算法备案清单（2024年6月）</w:t></w:r></w:p>\
             <w:tbl><w:tr>{}{}</w:tr>\
             <w:tr><w:tc><w:p><w:r><w:t>ChatGLM生成</w:t><w:br/><w:t>算法</w:t></w:r></w:p></w:tc>\
             <w:tc><w:sdt><w:sdtContent><w:p><w:hyperlink><w:r><w:t xml:space=\"preserve\">北京&amp;智谱</w:t></w:r></w:hyperlink>\
             <w:del><w:r><w:delText>旧</w:delText></w:r></w:del><w:ins><w:r><w:t>新</w:t></w:r></w:ins></w:p></w:sdtContent></w:sdt></w:tc></w:tr></w:tbl>\
             <w:p/>",
            tc("算法名称"),
            tc("主体名称")
        ));
        let d = read_xml(xml.as_bytes()).unwrap();
        assert_eq!(d.blocks.len(), 3, "{:#?}", d.blocks);
        assert!(matches!(&d.blocks[0], Block::Text { text, .. } if text.contains("2024年6月")));
        let Block::Row { cells, place } = &d.blocks[2] else {
            panic!()
        };
        assert_eq!(cells, &["ChatGLM生成\n算法", "北京&智谱新"]);
        assert_eq!(place.table, Some(1));
        assert_eq!(place.row, Some(2));
    }

    #[test]
    fn merged_cells_keep_the_grid() {
        let xml = doc(&format!(
            "<w:tbl>\
             <w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"3\"/></w:tcPr><w:p><w:r><w:t>标题</w:t></w:r></w:p></w:tc></w:tr>\
             <w:tr>{}<w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr><w:p><w:r><w:t>某公司</w:t></w:r></w:p></w:tc>{}</w:tr>\
             <w:tr>{}<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>{}</w:tr></w:tbl>",
            tc("1"),
            tc("a"),
            tc("2"),
            tc("b")
        ));
        let d = read_xml(xml.as_bytes()).unwrap();
        let rows: Vec<&Vec<String>> = d
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Row { cells, .. } => Some(cells),
                _ => None,
            })
            .collect();
        assert_eq!(rows[0], &["标题", "", ""]);
        assert_eq!(rows[1], &["1", "某公司", "a"]);
        assert_eq!(rows[2], &["2", "某公司", "b"]);
    }

    #[test]
    fn damaged_input_is_an_error() {
        assert!(read("a.docx", b"PK\x03\x04junk").is_err());
        assert!(read("a.docx", b"").is_err());
        assert!(read_xml(b"<w:document><w:body><w:p></w:body>").is_err());
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let err = read("a.docx", &bytes).unwrap_err();
        assert!(err.to_string().contains("word/document.xml"), "{err}");
    }
}
