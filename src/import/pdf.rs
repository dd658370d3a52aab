//! The regulator's PDF attachments read into text lines and table rows.
//!
//! A PDF has no tables, only glyphs at positions and the lines the table's
//! borders are drawn with. `pdf-extract` gives both; this module rebuilds
//! the rows as the bands between a table's horizontal rules and the cells
//! as the spans between its vertical rules, so that a cell's wrapped lines
//! (vertically centred, so the first lines of a long company name sit
//! *above* the 序号) stay in their row, and a table continued on the next
//! page without a header is just more rows. Text outside any table (the
//! title, captions) comes out as lines.
//!
//! Pure Rust: nothing runs outside the process. A page without text (a
//! scan) or whose glyphs have no Unicode map fails loudly, naming the page;
//! `pdf-extract` may panic on what it does not support (a CJK font it has
//! no map for), so each page is read under `catch_unwind` and a panic is an
//! error naming the page.
//!
//! - [`layout`]: the pure part, glyphs and rules in, blocks out.
//! - the rest: `pdf-extract` plumbing.

use std::panic::{self, AssertUnwindSafe};

use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

use super::document::{Document, DocumentError};

/// Reads the text lines and table rows of a PDF attachment.
pub fn read(file: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let damaged = |message: String| DocumentError::Damaged {
        file: file.to_string(),
        message,
    };
    let doc = pdf_extract::Document::load_mem(bytes)
        .map_err(|e| damaged(format!("not a readable PDF: {e}")))?;
    if doc.is_encrypted() {
        return Err(damaged(
            "the PDF is encrypted; save an unprotected copy".to_string(),
        ));
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    if pages.is_empty() {
        return Err(damaged("the PDF has no pages".to_string()));
    }
    let mut blocks = Vec::new();
    for page in pages {
        let mut sink = Collector::default();
        let result = quietly(|| {
            panic::catch_unwind(AssertUnwindSafe(|| {
                pdf_extract::output_doc_page(&doc, &mut sink, page)
            }))
        });
        let unreadable = |message: String| DocumentError::Unreadable {
            file: file.to_string(),
            page,
            message,
        };
        match result {
            Err(payload) => {
                let why = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown".into());
                return Err(unreadable(format!(
                    "its text cannot be decoded (the PDF reader failed: {}); a font without a Unicode map, or one that is not embedded — export the PDF again with fonts embedded, or save the list as docx/xlsx",
                    first_line(&why)
                )));
            }
            Ok(Err(e)) => return Err(unreadable(format!("cannot be read: {e}"))),
            Ok(Ok(())) => {}
        }
        let glyphs = &sink.glyphs;
        if glyphs.iter().all(|g| g.text.trim().is_empty()) {
            return Err(unreadable(
                "it has no text (a scanned image?); filing-check reads the text of a PDF, not pictures of it"
                    .to_string(),
            ));
        }
        let visible: Vec<&layout::Glyph> = glyphs
            .iter()
            .filter(|g| !g.text.trim().is_empty())
            .collect();
        let unmapped = visible
            .iter()
            .filter(|g| !layout::is_mapped(&g.text))
            .count();
        if unmapped * 10 > visible.len() {
            return Err(unreadable(format!(
                "{unmapped} of its {} characters have no Unicode map (a font exported without one); export the PDF again, or save the list as docx/xlsx",
                visible.len()
            )));
        }
        blocks.extend(layout::blocks(page, &sink.glyphs, &sink.rules));
    }
    Ok(Document { blocks })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

/// Runs `f` with the panic message hook silenced, so that a panic inside
/// the PDF reader, which is caught and reported, does not also print a
/// backtrace banner to the terminal.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let out = f();
    panic::set_hook(previous);
    out
}

/// Collects a page's glyphs and ruling lines from `pdf-extract`.
#[derive(Default)]
struct Collector {
    glyphs: Vec<layout::Glyph>,
    rules: Vec<layout::Rule>,
}

fn apply(m: &Transform, x: f64, y: f64) -> (f64, f64) {
    (x * m.m11 + y * m.m21 + m.m31, x * m.m12 + y * m.m22 + m.m32)
}

impl Collector {
    fn path(&mut self, ctm: &Transform, path: &Path) {
        let mut start: Option<(f64, f64)> = None;
        let mut at: Option<(f64, f64)> = None;
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    let p = apply(ctm, x, y);
                    start = Some(p);
                    at = Some(p);
                }
                PathOp::LineTo(x, y) => {
                    let p = apply(ctm, x, y);
                    if let Some(a) = at {
                        self.rules.extend(layout::Rule::segment(a, p));
                    }
                    at = Some(p);
                }
                PathOp::CurveTo(_, _, _, _, x, y) => at = Some(apply(ctm, x, y)),
                PathOp::Rect(x, y, w, h) => {
                    let corners = [
                        apply(ctm, x, y),
                        apply(ctm, x + w, y),
                        apply(ctm, x + w, y + h),
                        apply(ctm, x, y + h),
                    ];
                    self.rules.extend(layout::Rule::rect(&corners));
                }
                PathOp::Close => {
                    if let (Some(a), Some(s)) = (at, start) {
                        self.rules.extend(layout::Rule::segment(a, s));
                    }
                    at = start;
                }
            }
        }
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
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
        text: &str,
    ) -> Result<(), OutputError> {
        // The glyph's size in user space, as pdf-extract's own text output
        // computes it.
        let sx = font_size * (trm.m11 * trm.m11 + trm.m12 * trm.m12).sqrt();
        let sy = font_size * (trm.m21 * trm.m21 + trm.m22 * trm.m22).sqrt();
        let size = (sx * sy).sqrt().max(0.1);
        self.glyphs.push(layout::Glyph {
            x: trm.m31,
            y: trm.m32,
            width: width * size,
            size,
            text: text.to_string(),
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
        self.path(ctm, path);
        Ok(())
    }
    fn fill(
        &mut self,
        ctm: &Transform,
        _colorspace: &ColorSpace,
        _color: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        // Word and LibreOffice draw borders as thin filled rectangles; a
        // large one is a shading, which `Rule::rect` ignores.
        self.path(ctm, path);
        Ok(())
    }
}

/// Rows and lines from glyph positions and ruling lines. Pure.
pub mod layout {
    use super::super::document::{Block, Place};

    /// A glyph: its origin on the baseline (PDF space, y up), advance and
    /// size, and its text.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Glyph {
        pub x: f64,
        pub y: f64,
        pub width: f64,
        pub size: f64,
        pub text: String,
    }

    /// A horizontal or vertical ruling line.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Rule {
        /// At height `y`, from `x0` to `x1`.
        H { y: f64, x0: f64, x1: f64 },
        /// At `x`, from `y0` (bottom) to `y1` (top).
        V { x: f64, y0: f64, y1: f64 },
    }

    /// Thinner than this (points) a rectangle is a line.
    const THIN: f64 = 2.5;
    /// Shorter than this a segment is not a rule (a glyph's stroke, a tick).
    const SHORT: f64 = 3.0;

    impl Rule {
        /// The rule a segment draws, if it is horizontal or vertical.
        pub fn segment(a: (f64, f64), b: (f64, f64)) -> Option<Rule> {
            let (dx, dy) = ((a.0 - b.0).abs(), (a.1 - b.1).abs());
            if dy < 0.5 && dx >= SHORT {
                Some(Rule::H {
                    y: (a.1 + b.1) / 2.0,
                    x0: a.0.min(b.0),
                    x1: a.0.max(b.0),
                })
            } else if dx < 0.5 && dy >= SHORT {
                Some(Rule::V {
                    x: (a.0 + b.0) / 2.0,
                    y0: a.1.min(b.1),
                    y1: a.1.max(b.1),
                })
            } else {
                None
            }
        }

        /// The rules of a rectangle: a thin one is a line; a larger one
        /// (a stroked cell box) gives its four edges. Shadings, filled large
        /// rectangles drawn as backgrounds, give edges too, which only adds
        /// rules where cells already have them.
        pub fn rect(c: &[(f64, f64); 4]) -> Vec<Rule> {
            let xs = [c[0].0, c[1].0, c[2].0, c[3].0];
            let ys = [c[0].1, c[1].1, c[2].1, c[3].1];
            let (x0, x1) = (min(&xs), max(&xs));
            let (y0, y1) = (min(&ys), max(&ys));
            let (w, h) = (x1 - x0, y1 - y0);
            if h <= THIN && w >= SHORT {
                return vec![Rule::H {
                    y: (y0 + y1) / 2.0,
                    x0,
                    x1,
                }];
            }
            if w <= THIN && h >= SHORT {
                return vec![Rule::V {
                    x: (x0 + x1) / 2.0,
                    y0,
                    y1,
                }];
            }
            if w < SHORT || h < SHORT {
                return Vec::new();
            }
            vec![
                Rule::H { y: y0, x0, x1 },
                Rule::H { y: y1, x0, x1 },
                Rule::V { x: x0, y0, y1 },
                Rule::V { x: x1, y0, y1 },
            ]
        }
    }

    fn min(v: &[f64]) -> f64 {
        v.iter().copied().fold(f64::INFINITY, f64::min)
    }
    fn max(v: &[f64]) -> f64 {
        v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    /// Whether a glyph's text is real text: not the replacement character,
    /// a private-use code point or a control character, which is what a
    /// font without a Unicode map decodes to.
    pub fn is_mapped(text: &str) -> bool {
        text.chars().all(|c| {
            !(c == '\u{FFFD}'
                || ('\u{E000}'..='\u{F8FF}').contains(&c)
                || (c.is_control() && !c.is_whitespace()))
        })
    }

    /// Positions closer than this are one (points).
    const SNAP: f64 = 1.5;

    /// Sorted distinct values, those within `SNAP` merged.
    fn distinct(mut v: Vec<f64>) -> Vec<f64> {
        v.sort_by(|a, b| a.total_cmp(b));
        let mut out: Vec<f64> = Vec::new();
        for x in v {
            if out.last().is_none_or(|&l| x - l > SNAP) {
                out.push(x);
            }
        }
        out
    }

    /// A row band of a table: between two horizontal rules, with the
    /// column boundaries of the vertical rules crossing it.
    struct Band {
        top: f64,
        bottom: f64,
        cols: Vec<f64>,
    }

    /// The page's blocks, top to bottom: table rows (bands between
    /// horizontal rules that vertical rules cross) and text lines.
    pub fn blocks(page: u32, glyphs: &[Glyph], rules: &[Rule]) -> Vec<Block> {
        let ys = distinct(
            rules
                .iter()
                .filter_map(|r| match r {
                    Rule::H { y, .. } => Some(*y),
                    _ => None,
                })
                .collect(),
        );
        let verticals: Vec<(f64, f64, f64)> = rules
            .iter()
            .filter_map(|r| match *r {
                Rule::V { x, y0, y1 } => Some((x, y0, y1)),
                _ => None,
            })
            .collect();
        // Bands from top to bottom.
        let mut bands = Vec::new();
        for w in ys.windows(2).rev() {
            let (bottom, top) = (w[0], w[1]);
            if top - bottom < 4.0 {
                continue;
            }
            let mid = (top + bottom) / 2.0;
            let cols = distinct(
                verticals
                    .iter()
                    .filter(|&&(_, y0, y1)| y0 <= mid && y1 >= mid)
                    .map(|&(x, _, _)| x)
                    .collect(),
            );
            if cols.len() >= 3 {
                bands.push(Band { top, bottom, cols });
            }
        }

        // Each glyph to its band and cell, or to the page's text.
        let mut cells: Vec<Vec<Vec<&Glyph>>> = bands
            .iter()
            .map(|b| vec![Vec::new(); b.cols.len() - 1])
            .collect();
        let mut loose: Vec<&Glyph> = Vec::new();
        for g in glyphs {
            let cx = g.x + g.width / 2.0;
            // The glyph's vertical centre: a little above its baseline.
            let cy = g.y + g.size * 0.3;
            let hit = bands.iter().position(|b| cy < b.top && cy > b.bottom);
            match hit {
                Some(i) => {
                    let cols = &bands[i].cols;
                    match cols.windows(2).position(|w| cx >= w[0] && cx < w[1]) {
                        Some(c) => cells[i][c].push(g),
                        None => loose.push(g),
                    }
                }
                None => loose.push(g),
            }
        }

        let mut out: Vec<(f64, Block)> = Vec::new();
        let mut row_no = 0;
        for (band, cell_glyphs) in bands.iter().zip(cells) {
            if cell_glyphs.iter().all(Vec::is_empty) {
                continue;
            }
            row_no += 1;
            out.push((
                band.top,
                Block::Row {
                    cells: cell_glyphs
                        .iter()
                        .map(|g| lines_text(g).join("\n"))
                        .collect(),
                    place: Place {
                        page: Some(page),
                        table: None,
                        row: Some(row_no),
                    },
                },
            ));
        }
        for (n, (y, line)) in text_lines(&loose).into_iter().enumerate() {
            out.push((
                y,
                Block::Text {
                    text: line,
                    place: Place {
                        page: Some(page),
                        table: None,
                        row: Some(n as u32 + 1),
                    },
                },
            ));
        }
        // Top to bottom (PDF y grows upwards); rows before text at a tie.
        out.sort_by(|a, b| b.0.total_cmp(&a.0));
        out.into_iter().map(|(_, b)| b).collect()
    }

    /// Glyphs grouped into lines (by baseline), top to bottom, each line's
    /// text left to right with a space where the gap is a space.
    fn lines_of<'g>(glyphs: &[&'g Glyph]) -> Vec<(f64, Vec<&'g Glyph>)> {
        let mut sorted: Vec<&Glyph> = glyphs.to_vec();
        sorted.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
        let mut lines: Vec<(f64, Vec<&Glyph>)> = Vec::new();
        for g in sorted {
            match lines.last_mut() {
                Some((y, line)) if (*y - g.y).abs() < g.size * 0.5 => line.push(g),
                _ => lines.push((g.y, vec![g])),
            }
        }
        for (_, line) in &mut lines {
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
        }
        lines
    }

    fn line_text(line: &[&Glyph]) -> String {
        let mut s = String::new();
        let mut end: Option<f64> = None;
        for g in line {
            if g.text.trim().is_empty() {
                if !s.is_empty() && !s.ends_with(' ') {
                    s.push(' ');
                }
                end = Some(g.x + g.width);
                continue;
            }
            // A gap is a space between Latin words only: writers space CJK
            // from Latin text by layout (LibreOffice's autospace), not by
            // a space character.
            if let (Some(e), Some(prev)) = (end, s.chars().last()) {
                let next = g.text.chars().next().unwrap_or(' ');
                if g.x - e > g.size * 0.2 && prev != ' ' && !is_wide(prev) && !is_wide(next) {
                    s.push(' ');
                }
            }
            s.push_str(&g.text);
            end = Some(g.x + g.width);
        }
        s.trim().to_string()
    }

    /// CJK characters and full-width forms.
    fn is_wide(c: char) -> bool {
        matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
    }

    fn lines_text(glyphs: &[&Glyph]) -> Vec<String> {
        lines_of(glyphs)
            .into_iter()
            .map(|(_, l)| line_text(&l))
            .filter(|t| !t.is_empty())
            .collect()
    }

    fn text_lines(glyphs: &[&Glyph]) -> Vec<(f64, String)> {
        lines_of(glyphs)
            .into_iter()
            .map(|(y, l)| (y, line_text(&l)))
            .filter(|(_, t)| !t.is_empty())
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn glyphs(x: f64, y: f64, text: &str) -> Vec<Glyph> {
            let mut at = x;
            text.chars()
                .map(|c| {
                    let width = if c.is_ascii() { 5.0 } else { 10.0 };
                    at += width;
                    Glyph {
                        x: at - width,
                        y,
                        width,
                        size: 10.0,
                        text: c.to_string(),
                    }
                })
                .collect()
        }

        fn grid(ys: &[f64], xs: &[f64]) -> Vec<Rule> {
            let mut r = Vec::new();
            for &y in ys {
                r.push(Rule::H {
                    y,
                    x0: xs[0],
                    x1: *xs.last().unwrap(),
                });
            }
            for &x in xs {
                r.push(Rule::V {
                    x,
                    y0: *ys.first().unwrap(),
                    y1: *ys.last().unwrap(),
                });
            }
            r
        }

        #[test]
        fn rows_are_bands_and_wrapped_lines_stay_in_their_cell() {
            let rules = grid(&[600.0, 640.0, 700.0], &[50.0, 100.0, 300.0, 500.0]);
            let mut g = glyphs(60.0, 800.0, "标题");
            // Header row.
            g.extend(glyphs(60.0, 685.0, "序号"));
            g.extend(glyphs(110.0, 685.0, "模型名称"));
            g.extend(glyphs(310.0, 685.0, "备案单位"));
            // A data row whose entity wraps: its first line above the 序号.
            g.extend(glyphs(310.0, 625.0, "北京深度求索"));
            g.extend(glyphs(60.0, 615.0, "1"));
            g.extend(glyphs(110.0, 615.0, "DeepSeek"));
            g.extend(glyphs(310.0, 605.0, "有限公司"));
            let b = blocks(1, &g, &rules);
            assert_eq!(b.len(), 3, "{b:#?}");
            assert!(matches!(&b[0], Block::Text { text, .. } if text == "标题"));
            let Block::Row { cells, .. } = &b[2] else {
                panic!("{b:#?}")
            };
            assert_eq!(cells, &["1", "DeepSeek", "北京深度求索\n有限公司"]);
        }

        #[test]
        fn rects_and_segments_become_rules() {
            assert_eq!(
                Rule::rect(&[(0.0, 0.0), (100.0, 0.0), (100.0, 0.5), (0.0, 0.5)]),
                vec![Rule::H {
                    y: 0.25,
                    x0: 0.0,
                    x1: 100.0
                }]
            );
            assert_eq!(
                Rule::rect(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]),
                vec![]
            );
            assert!(Rule::segment((0.0, 0.0), (5.0, 5.0)).is_none());
            assert!(matches!(
                Rule::segment((3.0, 0.0), (3.0, 50.0)),
                Some(Rule::V { .. })
            ));
        }

        #[test]
        fn unmapped_glyphs_are_told_apart() {
            assert!(is_mapped("司"));
            assert!(is_mapped(" "));
            assert!(!is_mapped("\u{FFFD}"));
            assert!(!is_mapped("\u{E001}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_damaged_file_not_a_panic() {
        let err = read("x.pdf", b"%PDF-1.4\n garbage").unwrap_err();
        assert!(matches!(err, DocumentError::Damaged { .. }), "{err}");
        let err = read("x.pdf", b"").unwrap_err();
        assert!(err.to_string().starts_with("x.pdf: "), "{err}");
    }
}
