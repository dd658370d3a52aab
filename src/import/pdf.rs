//! Reading the regulator's PDF attachments into text lines and table rows.
//!
//! The CAC publishes the national generative-AI list as PDF attachments
//! exported from Word or WPS: a title line, then ruled tables (filings,
//! registrations, on-device models) that break across pages without
//! repeating their header, with long cells wrapped over several lines and
//! vertically centred. Text extraction alone loses the cells (a wrapped
//! company name's first lines come out above its row's 序号), so this reader
//! collects every glyph with its position and every ruling line through
//! `pdf-extract`'s [`OutputDev`], and [`layout`] rebuilds rows and cells
//! from those boxes (pure logic, unit-tested without PDFs).
//!
//! What `pdf-extract` cannot do is handled before or around it:
//! - the document is pre-processed with `lopdf` (re-exported by
//!   `pdf-extract`): a non-embedded CJK font with a predefined UCS-2 CMap
//!   (reportlab's `STSong-Light`, `UniGB-UCS2-H`), which `pdf-extract`
//!   panics on, gets the Identity CMap and a ToUnicode map (its codes are
//!   Unicode code points); image XObjects, which `pdf-extract` would try to
//!   run as content streams, are replaced by a marker fill so that a page
//!   that is only an image is known as one;
//! - `pdf-extract` still panics on some damaged or exotic files: the call is
//!   guarded with [`std::panic::catch_unwind`] and the panic becomes a
//!   [`DocumentError`] (its message is kept off stderr while the reader runs).
//!
//! A page with an image and no text (a scan), or with glyphs that map to no
//! character (a font without a Unicode map), is a [`DocumentError::Unreadable`]
//! naming the page: rows are never dropped silently.

mod layout;

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use pdf_extract::{
    ColorSpace, Dictionary, MediaBox, Object, ObjectId, OutputDev, OutputError, Path, PathOp,
    Stream, Transform,
};

use layout::{lay_out, Glyph, Item, Rule};

use super::document::{Block, Document, DocumentError, Place};

/// Reads the text lines and table rows of a PDF attachment.
pub fn read(file: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let damaged = |message: String| DocumentError::Damaged {
        file: file.to_string(),
        message,
    };
    let pages = quietly(|| collect(bytes))
        .map_err(|panic| damaged(format!("the PDF reader failed on this file: {panic}")))?
        .map_err(damaged)?;
    let mut blocks = Vec::new();
    let mut tables = 0u32;
    for (i, page) in pages.iter().enumerate() {
        let number = i as u32 + 1;
        check_readable(file, number, page)?;
        let first_table = tables;
        let mut lines = 0u32;
        for item in lay_out(&page.glyphs, &page.rules) {
            match item {
                Item::Text(text) => {
                    lines += 1;
                    blocks.push(Block::Text {
                        text,
                        place: Place {
                            page: Some(number),
                            table: None,
                            row: Some(lines),
                        },
                    });
                }
                Item::Row { table, row, cells } => {
                    let table = first_table + table as u32 + 1;
                    tables = tables.max(table);
                    blocks.push(Block::Row {
                        cells,
                        place: Place {
                            page: Some(number),
                            table: Some(table),
                            row: Some(row as u32 + 1),
                        },
                    });
                }
            }
        }
    }
    Ok(Document { blocks })
}

/// What one page draws.
#[derive(Default)]
struct Page {
    glyphs: Vec<Glyph>,
    rules: Vec<Rule>,
    /// Glyphs whose code maps to no character (or to U+FFFD / private use).
    unmapped: usize,
    /// Images drawn (the marker fills of [`neutralise_images`]).
    images: usize,
    /// Paths stroked or filled (rules, outlines of text drawn as curves).
    paths: usize,
}

fn check_readable(file: &str, page: u32, p: &Page) -> Result<(), DocumentError> {
    let unreadable = |message: String| DocumentError::Unreadable {
        file: file.to_string(),
        page,
        message,
    };
    if p.unmapped > 0 {
        return Err(unreadable(format!(
            "{} of {} glyphs map to no character (a font without a Unicode map?)",
            p.unmapped,
            p.unmapped + p.glyphs.len()
        )));
    }
    let text = p.glyphs.iter().any(|g| !g.text.trim().is_empty());
    // A blank page, or one with a line or two, has nothing to lose.
    if !text && (p.images > 0 || p.paths > 20) {
        return Err(unreadable(
            "no text on the page, only an image or drawing (a scanned attachment?)".into(),
        ));
    }
    Ok(())
}

/// The pages' glyphs and rules, or why the file cannot be read.
fn collect(bytes: &[u8]) -> Result<Vec<Page>, String> {
    let mut doc = pdf_extract::Document::load_mem(bytes).map_err(|e| format!("not a PDF: {e}"))?;
    if doc.is_encrypted() {
        doc.decrypt("")
            .map_err(|e| format!("encrypted, and not with an empty password: {e}"))?;
    }
    map_ucs2_fonts(&mut doc);
    neutralise_images(&mut doc);
    let rotations = doc
        .get_pages()
        .values()
        .map(|&id| page_rotation(&doc, id))
        .collect();
    let mut out = Collector {
        rotations,
        ..Collector::default()
    };
    pdf_extract::output_doc(&doc, &mut out).map_err(|e| e.to_string())?;
    if out.pages.is_empty() {
        return Err("no pages".into());
    }
    Ok(out.pages)
}

// ----------------------------------------------------------------- collector

#[derive(Default)]
struct Collector {
    pages: Vec<Page>,
    /// Each page's /Rotate (0, 90, 180 or 270), in page order.
    rotations: Vec<i64>,
    /// The current page's box and rotation, to turn PDF user space (y
    /// upwards) into the page as displayed (y downwards).
    media: Option<MediaBox>,
    rotate: i64,
}

/// The fill colour [`neutralise_images`] marks images with.
const IMAGE_MARK: [f64; 3] = [0.125, 0.25, 0.375];

impl Collector {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        self.pages.last_mut().expect("a page")
    }

    /// A point of user space on the page as displayed, y downwards.
    fn display(&self, x: f64, y: f64) -> (f64, f64) {
        let m = self.media.unwrap_or(MediaBox {
            llx: 0.0,
            lly: 0.0,
            urx: 0.0,
            ury: 0.0,
        });
        match self.rotate {
            90 => (y - m.lly, x - m.llx),
            180 => (m.urx - x, y - m.lly),
            270 => (m.ury - y, m.urx - x),
            _ => (x - m.llx, m.ury - y),
        }
    }

    fn add_path(&mut self, ctm: &Transform, path: &Path, filled: bool) {
        self.page().paths += 1;
        let pt = |x: f64, y: f64| {
            let px = ctm.m11 * x + ctm.m21 * y + ctm.m31;
            let py = ctm.m12 * x + ctm.m22 * y + ctm.m32;
            self.display(px, py)
        };
        let mut rules = Vec::new();
        let mut start: Option<(f64, f64)> = None;
        let mut current: Option<(f64, f64)> = None;
        let mut sub: Vec<(f64, f64)> = Vec::new();
        let flush = |sub: &mut Vec<(f64, f64)>, rules: &mut Vec<Rule>| {
            if filled && sub.len() >= 3 {
                // A filled polygon: a rule if its box is thin.
                let (x0, x1) = sub.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
                    (a.0.min(p.0), a.1.max(p.0))
                });
                let (y0, y1) = sub.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
                    (a.0.min(p.1), a.1.max(p.1))
                });
                rules.extend(Rule::from_box(x0, y0, x1, y1));
            }
            sub.clear();
        };
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    flush(&mut sub, &mut rules);
                    let p = pt(x, y);
                    start = Some(p);
                    current = Some(p);
                    sub.push(p);
                }
                PathOp::LineTo(x, y) => {
                    let p = pt(x, y);
                    if let (false, Some(c)) = (filled, current) {
                        rules.extend(Rule::from_box(c.0, c.1, p.0, p.1));
                    }
                    current = Some(p);
                    sub.push(p);
                }
                PathOp::CurveTo(_, _, _, _, x, y) => {
                    let p = pt(x, y);
                    current = Some(p);
                    sub.push(p);
                }
                PathOp::Close => {
                    if let (false, Some(c), Some(s)) = (filled, current, start) {
                        rules.extend(Rule::from_box(c.0, c.1, s.0, s.1));
                    }
                    current = start;
                }
                PathOp::Rect(x, y, w, h) => {
                    flush(&mut sub, &mut rules);
                    let corners = [pt(x, y), pt(x + w, y), pt(x + w, y + h), pt(x, y + h)];
                    if filled {
                        sub.extend(corners);
                        flush(&mut sub, &mut rules);
                    } else if let Some(r) =
                        Rule::from_box(corners[0].0, corners[0].1, corners[2].0, corners[2].1)
                    {
                        // A thin stroked rectangle is one rule, not two.
                        rules.push(r);
                    } else {
                        for k in 0..4 {
                            let (a, b) = (corners[k], corners[(k + 1) % 4]);
                            rules.extend(Rule::from_box(a.0, a.1, b.0, b.1));
                        }
                    }
                    start = None;
                    current = None;
                }
            }
        }
        flush(&mut sub, &mut rules);
        self.page().rules.extend(rules);
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.media = Some(*media_box);
        self.rotate = self
            .rotations
            .get(self.pages.len())
            .copied()
            .unwrap_or(0)
            .rem_euclid(360);
        self.pages.push(Page::default());
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        let (x, y) = self.display(trm.m31, trm.m32);
        let scale_x = (trm.m11 * trm.m11 + trm.m12 * trm.m12).sqrt();
        let scale_y = (trm.m21 * trm.m21 + trm.m22 * trm.m22).sqrt();
        let size = font_size * scale_y;
        let page = self.page();
        let unmapped = char.is_empty()
            || char
                .chars()
                .any(|c| c == '\u{fffd}' || ('\u{e000}'..='\u{f8ff}').contains(&c));
        if unmapped {
            page.unmapped += 1;
            return Ok(());
        }
        page.glyphs.push(Glyph {
            x,
            y,
            w: width * font_size * scale_x,
            size,
            text: char.to_string(),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn stroke(
        &mut self,
        ctm: &Transform,
        _colorspace: &ColorSpace,
        _color: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.add_path(ctm, path, false);
        Ok(())
    }
    fn fill(
        &mut self,
        ctm: &Transform,
        _colorspace: &ColorSpace,
        color: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        if color == IMAGE_MARK {
            self.page().images += 1;
            return Ok(());
        }
        self.add_path(ctm, path, true);
        Ok(())
    }
}

// ------------------------------------------------------------ pre-processing

/// A page's /Rotate, inherited from the page tree.
fn page_rotation(doc: &pdf_extract::Document, mut id: ObjectId) -> i64 {
    for _ in 0..32 {
        let Ok(dict) = doc.get_dictionary(id) else {
            break;
        };
        if let Ok(r) = dict.get(b"Rotate").and_then(Object::as_i64) {
            return r;
        }
        match dict.get(b"Parent").and_then(Object::as_reference) {
            Ok(parent) => id = parent,
            Err(_) => break,
        }
    }
    0
}

/// Predefined CMaps whose codes are UCS-2 / UTF-16 code units.
const UCS2_CMAPS: &[&[u8]] = &[
    b"UniGB-UCS2-H",
    b"UniGB-UTF16-H",
    b"UniCNS-UCS2-H",
    b"UniCNS-UTF16-H",
    b"UniJIS-UCS2-H",
    b"UniJIS-UTF16-H",
    b"UniKS-UCS2-H",
    b"UniKS-UTF16-H",
];

/// Gives Type0 fonts with a UCS-2 CMap and no ToUnicode the Identity-H
/// encoding (so each two-byte code is its own CID) and a ToUnicode map
/// from each code to itself; their widths, given by CID of the character
/// collection, are re-keyed by code for the Latin range (CIDs 1–95 of
/// Adobe-GB1/CNS1/Japan1/Korea1 are ASCII 0x20–0x7E) and default to 1 em.
fn map_ucs2_fonts(doc: &mut pdf_extract::Document) {
    let ids: Vec<ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| {
            o.as_dict().is_ok_and(|d| {
                d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0".as_slice())
                    && !d.has(b"ToUnicode")
                    && d.get(b"Encoding")
                        .and_then(Object::as_name)
                        .is_ok_and(|n| UCS2_CMAPS.contains(&n))
            })
        })
        .map(|(id, _)| *id)
        .collect();
    if ids.is_empty() {
        return;
    }
    let cmap = identity_to_unicode();
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), cmap));
    for id in ids {
        // The descendant CID font: inline or a reference.
        let descendant = doc
            .get_dictionary(id)
            .ok()
            .and_then(|d| d.get(b"DescendantFonts").ok().cloned());
        let descendant_ref = match &descendant {
            Some(Object::Reference(r)) => doc
                .get_object(*r)
                .ok()
                .and_then(|o| o.as_array().ok())
                .and_then(|a| a.first())
                .and_then(|o| o.as_reference().ok()),
            Some(Object::Array(a)) => a.first().and_then(|o| o.as_reference().ok()),
            _ => None,
        };
        let rekey = |cid: &mut Dictionary| {
            let widths = latin_widths(cid.get(b"W").ok());
            cid.set("W", widths);
            cid.set("DW", 1000);
        };
        if let Some(r) = descendant_ref {
            if let Ok(Object::Dictionary(cid)) = doc.get_object_mut(r) {
                rekey(cid);
            }
        }
        if let Ok(Object::Dictionary(font)) = doc.get_object_mut(id) {
            if let Ok(Object::Array(a)) = font.get_mut(b"DescendantFonts") {
                if let Some(Object::Dictionary(cid)) = a.first_mut() {
                    rekey(cid);
                }
            }
            font.set("Encoding", Object::Name(b"Identity-H".to_vec()));
            font.set("ToUnicode", Object::Reference(to_unicode));
        }
    }
}

/// A ToUnicode CMap mapping every two-byte code outside the surrogates to
/// the same code point.
fn identity_to_unicode() -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CMapName /Identity-UCS2 def /CMapType 2 def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    // Ranges within one high byte, as the CMap spec asks.
    let highs: Vec<u32> = (0x00..=0xffu32)
        .filter(|h| !(0xd8..=0xdf).contains(h))
        .collect();
    for chunk in highs.chunks(100) {
        s.push_str(&format!("{} beginbfrange\n", chunk.len()));
        for h in chunk {
            let lo = h << 8;
            s.push_str(&format!("<{lo:04X}> <{:04X}> <{lo:04X}>\n", lo | 0xff));
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
    s.into_bytes()
}

/// A `W` array keyed by code: the ASCII widths of CIDs 1–95 of the old one.
fn latin_widths(w: Option<&Object>) -> Object {
    let mut by_cid = std::collections::HashMap::new();
    if let Some(Ok(w)) = w.map(Object::as_array) {
        let num = |o: &Object| o.as_float().ok().or(o.as_i64().ok().map(|i| i as f32));
        let mut i = 0;
        while i + 1 < w.len() {
            match (&w[i], &w[i + 1]) {
                (first, Object::Array(ws)) => {
                    if let Ok(first) = first.as_i64() {
                        for (k, v) in ws.iter().enumerate() {
                            if let Some(v) = num(v) {
                                by_cid.insert(first + k as i64, v);
                            }
                        }
                    }
                    i += 2;
                }
                (first, last) if i + 2 < w.len() => {
                    if let (Ok(a), Ok(b), Some(v)) = (first.as_i64(), last.as_i64(), num(&w[i + 2]))
                    {
                        for cid in a..=b.min(a + 0xffff) {
                            by_cid.insert(cid, v);
                        }
                    }
                    i += 3;
                }
                _ => break,
            }
        }
    }
    let widths: Vec<Object> = (0x20..=0x7e_i64)
        .map(|code| Object::Real(*by_cid.get(&(code - 31)).unwrap_or(&500.0)))
        .collect();
    Object::Array(vec![Object::Integer(0x20), Object::Array(widths)])
}

/// Replaces every image XObject by a form that fills with [`IMAGE_MARK`]:
/// `pdf-extract` runs an XObject's stream as content whatever its type.
fn neutralise_images(doc: &mut pdf_extract::Document) {
    let content = format!(
        "/DeviceRGB cs {} {} {} sc 0 0 1 1 re f",
        IMAGE_MARK[0], IMAGE_MARK[1], IMAGE_MARK[2]
    )
    .into_bytes();
    for obj in doc.objects.values_mut() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Image".as_slice()) {
            continue;
        }
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"XObject".to_vec()));
        dict.set("Subtype", Object::Name(b"Form".to_vec()));
        *obj = Object::Stream(Stream::new(dict, content.clone()));
    }
}

// -------------------------------------------------------------------- panics

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into its message. While `f` runs on this
/// thread, panic messages are not printed: a hook installed once (and
/// passing every other panic to the hook it replaced) checks a thread-local
/// flag, so other threads' panics are printed as before.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/attachments/pdf/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The expected rows of a fixture: (table, cells as printed).
    fn expected(name: &str) -> Vec<(String, Vec<String>)> {
        let bytes = fixture(name);
        let mut r = csv::Reader::from_reader(&bytes[..]);
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                let table = rec[0].to_string();
                let mut cells: Vec<String> = (1..7).map(|i| rec[i].to_string()).collect();
                if table == "on-device" {
                    cells.push(rec[7].to_string());
                }
                (table, cells)
            })
            .collect()
    }

    /// Whether a cell read with its wrapped lines as `\n` is `want`: each
    /// break stands for nothing or for a space.
    fn same_cell(got: &str, want: &str) -> bool {
        let mut lines = got.split('\n');
        let Some(first) = lines.next() else {
            return want.is_empty();
        };
        let Some(mut rest) = want.strip_prefix(first) else {
            return false;
        };
        for line in lines {
            rest = rest
                .strip_prefix(' ')
                .filter(|r| r.starts_with(line))
                .unwrap_or(rest);
            match rest.strip_prefix(line) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest.is_empty()
    }

    fn is_header(cells: &[String]) -> bool {
        cells.first().is_some_and(|c| c.replace('\n', "") == "序号")
    }

    fn rows(doc: &Document) -> Vec<(Place, Vec<String>)> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Row { cells, place } => Some((place.clone(), cells.clone())),
                Block::Text { .. } => None,
            })
            .collect()
    }

    fn texts(doc: &Document) -> Vec<String> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text { text, .. } => Some(text.clone()),
                Block::Row { .. } => None,
            })
            .collect()
    }

    /// Every data row of `pdf` against `csv`, row by row, with a readable
    /// list of the differences.
    fn check(pdf: &str, csv: &str) -> Document {
        let doc = read(pdf, &fixture(pdf)).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<_> = rows(&doc)
            .into_iter()
            .filter(|(_, c)| !is_header(c))
            .collect();
        let want = expected(csv);
        let mut diffs = Vec::new();
        for (i, w) in want.iter().enumerate() {
            match got.get(i) {
                None => diffs.push(format!("row {}: missing, want {:?}", i + 1, w.1)),
                Some((place, g)) => {
                    let same =
                        g.len() == w.1.len() && g.iter().zip(&w.1).all(|(g, w)| same_cell(g, w));
                    if !same {
                        diffs.push(format!(
                            "row {} ({place}, {}):\n   got {g:?}\n  want {:?}",
                            i + 1,
                            w.0,
                            w.1
                        ));
                    }
                }
            }
        }
        for (place, g) in got.iter().skip(want.len()) {
            diffs.push(format!("extra row at {place}: {g:?}"));
        }
        assert!(
            diffs.is_empty(),
            "{pdf}: {} of {} rows differ\n{}",
            diffs.len(),
            want.len(),
            diffs.join("\n")
        );
        doc
    }

    #[test]
    fn same_cell_joins_breaks_as_nothing_or_a_space() {
        assert!(same_cell("求索对话DeepSeek\nChat", "求索对话DeepSeek Chat"));
        assert!(same_cell(
            "Guangdong-\nXunLei-\n2024",
            "Guangdong-XunLei-2024"
        ));
        assert!(!same_cell("甲\n乙", "甲丙"));
        assert!(!same_cell("甲乙", "甲乙丙"));
    }

    #[test]
    fn word_export_rows_are_read_exactly() {
        let doc = check("genai-2025-03.pdf", "genai-2025-03.expected.csv");
        let texts = texts(&doc);
        assert!(
            texts.contains(&"生成式人工智能服务已备案和已登记信息（2025年3月）".to_string()),
            "{texts:?}"
        );
        // Three headers: filings, registrations, on-device (with 适用场景);
        // the filings' continuation pages have none.
        let headers: Vec<_> = rows(&doc)
            .into_iter()
            .filter(|(_, c)| is_header(c))
            .collect();
        assert_eq!(headers.len(), 3, "{headers:?}");
        assert_eq!(headers[2].1.last().map(String::as_str), Some("适用场景"));
        let pages: std::collections::BTreeSet<_> =
            rows(&doc).iter().filter_map(|(p, _)| p.page).collect();
        assert!(pages.len() >= 3, "{pages:?}");
    }

    #[test]
    fn a_docx_named_copy_is_the_same_pdf() {
        let a = read("a.pdf", &fixture("genai-2025-03.pdf")).unwrap();
        let b = read("b.docx", &fixture("genai-2025-03-saved-as.docx")).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn reportlab_rows_are_read_exactly() {
        let doc = check(
            "genai-2024-04-reportlab.pdf",
            "genai-2024-04-reportlab.expected.csv",
        );
        assert!(texts(&doc).contains(&"生成式人工智能服务已备案信息（2024年4月）".to_string()));
    }

    #[test]
    fn a_non_embedded_ucs2_cjk_font_is_read() {
        let doc = check("genai-stsong.pdf", "genai-stsong.expected.csv");
        assert!(texts(&doc).contains(&"生成式人工智能服务已备案信息（2024年4月）".to_string()));
    }

    #[test]
    fn a_scanned_page_is_unreadable_with_its_page() {
        match read("scan.pdf", &fixture("scanned.pdf")) {
            Err(DocumentError::Unreadable { page, message, .. }) => {
                assert_eq!(page, 1, "{message}");
            }
            other => panic!("want Unreadable, got {other:?}"),
        }
    }

    #[test]
    fn a_cjk_font_without_a_unicode_map_is_unreadable_with_its_page() {
        // The STSong fixture with its UCS-2 CMap renamed Identity-H (padded
        // to the same length, so the cross-reference table still holds):
        // a Type0 font whose codes map to no character.
        let pdf = fixture("genai-stsong.pdf");
        let (from, to) = (b"/UniGB-UCS2-H", b"/Identity-H  ");
        let at = pdf
            .windows(from.len())
            .position(|w| w == from)
            .expect("the fixture names UniGB-UCS2-H");
        let mut pdf = pdf.clone();
        pdf[at..at + from.len()].copy_from_slice(to);
        match read("no-map.pdf", &pdf) {
            Err(DocumentError::Unreadable { page, message, .. }) => {
                assert_eq!(page, 1, "{message}");
                assert!(message.contains("map to no character"), "{message}");
            }
            other => panic!("want Unreadable, got {other:?}"),
        }
    }

    #[test]
    fn a_page_rotated_for_display_reads_as_displayed() {
        // Each page of the Word export turned into a landscape page whose
        // content is drawn a quarter turn round and shown with /Rotate 90:
        // it looks the same, and must read the same.
        let original = fixture("genai-2025-03.pdf");
        let mut doc = pdf_extract::Document::load_mem(&original).unwrap();
        for (_, id) in doc.get_pages() {
            let (w, h) = (595.3, 841.9);
            let content = doc.get_page_content(id).unwrap();
            let mut turned = format!("q 0 1 -1 0 {h} 0 cm\n").into_bytes();
            turned.extend(content);
            turned.extend(b"\nQ");
            doc.change_page_content(id, turned).unwrap();
            let page = doc.get_object_mut(id).unwrap().as_dict_mut().unwrap();
            let media: Vec<Object> = [0.0, 0.0, h, w].into_iter().map(Object::Real).collect();
            page.set("MediaBox", media);
            page.set("Rotate", 90);
        }
        let mut turned = Vec::new();
        doc.save_to(&mut turned).unwrap();
        let a = read("a.pdf", &original).unwrap();
        let b = read("turned.pdf", &turned).unwrap();
        assert_eq!(rows(&a), rows(&b));
        assert_eq!(texts(&a), texts(&b));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b""[..],
            b"not a pdf at all",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        ] {
            assert!(read("x.pdf", bytes).is_err());
        }
        // A real file cut short.
        let pdf = fixture("genai-2024-04-reportlab.pdf");
        for cut in [pdf.len() / 2, pdf.len() - 40] {
            let _ = read("cut.pdf", &pdf[..cut]);
        }
    }
}
