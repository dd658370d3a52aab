//! Rebuilding lines and table rows from glyph boxes and ruling lines: the
//! pure half of the PDF reader, tested without any PDF.
//!
//! Coordinates are page points with y growing downwards (top of the page is
//! 0), so sorting by y is reading order.
//!
//! A table is a set of ruling lines that touch each other. Its rows are the
//! bands between its distinct horizontal rules; a row's columns are the gaps
//! between the vertical rules that cross that band (so a full-width row in a
//! grid is one cell). A glyph belongs to the cell its centre falls in, which
//! is what keeps a vertically centred cell together: the first lines of a
//! long company name sit above the 序号 line but inside the same band. A
//! table drawn with horizontal rules only gets its columns from the gaps
//! that no glyph of the table covers.

/// One glyph as drawn: `x` its left edge, `y` its baseline, `w` its advance,
/// `size` its font size, all in page points.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub size: f64,
    pub text: String,
}

impl Glyph {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    /// The middle of the glyph's ink, roughly: baseline minus a third of
    /// the size (CJK glyphs sit between about -0.12 and 0.88 em).
    fn cy(&self) -> f64 {
        self.y - self.size * 0.35
    }
    fn top(&self) -> f64 {
        self.y - self.size * 0.88
    }
    fn is_space(&self) -> bool {
        self.text.chars().all(char::is_whitespace)
    }
}

/// A horizontal or vertical ruling line, `x0 <= x1`, `y0 <= y1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

/// Thicker than this is a filled area, not a rule.
const RULE_THICKNESS: f64 = 2.5;
/// Rules this close (points) are one rule; rules this close to touching touch.
const SNAP: f64 = 2.0;

impl Rule {
    /// The rule a line segment or thin rectangle makes, if it is one.
    pub fn from_box(x0: f64, y0: f64, x1: f64, y1: f64) -> Option<Rule> {
        let r = Rule {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
        };
        let (w, h) = (r.x1 - r.x0, r.y1 - r.y0);
        let horizontal = h <= RULE_THICKNESS && w > RULE_THICKNESS;
        let vertical = w <= RULE_THICKNESS && h > RULE_THICKNESS;
        (horizontal || vertical).then_some(r)
    }
    fn is_horizontal(&self) -> bool {
        self.x1 - self.x0 > self.y1 - self.y0
    }
    fn mid_x(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
    fn mid_y(&self) -> f64 {
        (self.y0 + self.y1) / 2.0
    }
    fn touches(&self, o: &Rule) -> bool {
        self.x0 <= o.x1 + SNAP
            && o.x0 <= self.x1 + SNAP
            && self.y0 <= o.y1 + SNAP
            && o.y0 <= self.y1 + SNAP
    }
}

/// What a page holds, in reading order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A line of text outside the tables.
    Text(String),
    /// A table row: `table` counts the page's tables from 0, `row` the
    /// table's rows from 0; cells keep their wrapped lines as `\n`.
    Row {
        table: usize,
        row: usize,
        cells: Vec<String>,
    },
}

struct Table {
    x0: f64,
    x1: f64,
    /// Distinct horizontal rule positions, top to bottom.
    ys: Vec<f64>,
    verticals: Vec<Rule>,
}

/// Lines and rows of one page.
pub fn lay_out(glyphs: &[Glyph], rules: &[Rule]) -> Vec<Item> {
    let tables = find_tables(rules);
    let columns: Vec<Vec<Vec<f64>>> = tables
        .iter()
        .map(|t| {
            t.ys.windows(2)
                .map(|band| column_edges(t, band[0], band[1], glyphs))
                .collect()
        })
        .collect();
    // The glyphs of each (table, row, column).
    let mut in_cells: Vec<Vec<Vec<Vec<&Glyph>>>> = columns
        .iter()
        .map(|rows| rows.iter().map(|e| vec![Vec::new(); e.len() - 1]).collect())
        .collect();
    let mut free = Vec::new();
    'glyph: for g in glyphs {
        let (cx, cy) = (g.cx(), g.cy());
        for (ti, t) in tables.iter().enumerate() {
            if cx < t.x0 - SNAP || cx > t.x1 + SNAP {
                continue;
            }
            let (Some(&top), Some(&bottom)) = (t.ys.first(), t.ys.last()) else {
                continue;
            };
            if cy < top || cy > bottom {
                continue;
            }
            let ri = t.ys.partition_point(|&y| y <= cy).clamp(1, t.ys.len() - 1) - 1;
            let edges = &columns[ti][ri];
            let ci = edges
                .partition_point(|&x| x <= cx)
                .clamp(1, edges.len() - 1)
                - 1;
            in_cells[ti][ri][ci].push(g);
            continue 'glyph;
        }
        free.push(g);
    }

    // (top y, order, item)
    let mut items: Vec<(f64, usize, Item)> = Vec::new();
    for (ti, t) in tables.iter().enumerate() {
        for (ri, row) in in_cells[ti].iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|c| cell_text(c)).collect();
            items.push((
                t.ys[ri],
                items.len(),
                Item::Row {
                    table: ti,
                    row: ri,
                    cells,
                },
            ));
        }
    }
    for line in lines(&free) {
        let top = line.iter().map(|g| g.top()).fold(f64::INFINITY, f64::min);
        let text = line_text(&line);
        if !text.is_empty() {
            items.push((top, items.len(), Item::Text(text)));
        }
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    // Rows of one table stay together and in order (a text line inside a
    // table's extent cannot happen: its glyphs would be in a cell).
    items.into_iter().map(|(_, _, item)| item).collect()
}

/// Ruling lines that touch, grouped into tables; horizontal rules that touch
/// no vertical one but share their extent make a table too.
fn find_tables(rules: &[Rule]) -> Vec<Table> {
    let n = rules.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    // Sorting by x0 bounds the pairs to compare: a rule can only touch
    // rules that start before it ends.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| rules[a].x0.total_cmp(&rules[b].x0));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if rules[j].x0 > rules[i].x1 + SNAP {
                break;
            }
            if rules[i].touches(&rules[j]) {
                let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
                parent[ra] = rb;
            }
        }
    }
    // Horizontal rules with no vertical rule touching them join the other
    // such rules of the same span: a table ruled with horizontal lines only.
    let mut has_vertical = vec![false; n];
    for (i, rule) in rules.iter().enumerate() {
        if !rule.is_horizontal() {
            let r = root(&mut parent, i);
            has_vertical[r] = true;
        }
    }
    let loose: Vec<usize> = (0..n)
        .filter(|&i| {
            let r = root(&mut parent, i);
            !has_vertical[r]
        })
        .collect();
    for (k, &i) in loose.iter().enumerate() {
        for &j in &loose[k + 1..] {
            let (a, b) = (&rules[i], &rules[j]);
            if (a.x0 - b.x0).abs() <= SNAP * 2.0 && (a.x1 - b.x1).abs() <= SNAP * 2.0 {
                let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
                parent[ra] = rb;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut tables = Vec::new();
    for members in groups.into_values() {
        let mut ys: Vec<f64> = Vec::new();
        let mut verticals = Vec::new();
        let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
        for &i in &members {
            let r = rules[i];
            x0 = x0.min(r.x0);
            x1 = x1.max(r.x1);
            if r.is_horizontal() {
                ys.push(r.mid_y());
            } else {
                verticals.push(r);
            }
        }
        let ys = snap(ys);
        if ys.len() < 2 {
            continue;
        }
        tables.push(Table {
            x0,
            x1,
            ys,
            verticals,
        });
    }
    tables.sort_by(|a, b| a.ys[0].total_cmp(&b.ys[0]));
    tables
}

/// Sorted values with those closer than [`SNAP`] merged.
fn snap(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    let mut out: Vec<f64> = Vec::new();
    for x in v {
        match out.last() {
            Some(&last) if x - last <= SNAP => {}
            _ => out.push(x),
        }
    }
    out
}

/// Column edges of the band between `top` and `bottom`, left to right,
/// including the table's outer edges.
fn column_edges(t: &Table, top: f64, bottom: f64, glyphs: &[Glyph]) -> Vec<f64> {
    let (mid, h) = ((top + bottom) / 2.0, bottom - top);
    let crossing: Vec<f64> = t
        .verticals
        .iter()
        .filter(|v| v.y0 <= mid.max(top + h * 0.25) && v.y1 >= mid.min(bottom - h * 0.25))
        .map(Rule::mid_x)
        .collect();
    let mut edges = snap(crossing);
    if edges.len() < 2 {
        // No vertical rules: columns are the gaps no glyph of the table covers.
        edges = gap_columns(t, glyphs);
    }
    if edges.first().is_none_or(|&x| x > t.x0 + SNAP) {
        edges.insert(0, t.x0);
    }
    if edges.last().is_none_or(|&x| x < t.x1 - SNAP) {
        edges.push(t.x1);
    }
    edges
}

/// Column edges from the horizontal extents of a ruled-only table's glyphs:
/// every gap wider than a glyph's half that no glyph spans is a boundary.
fn gap_columns(t: &Table, glyphs: &[Glyph]) -> Vec<f64> {
    let (top, bottom) = (t.ys[0], *t.ys.last().unwrap_or(&t.ys[0]));
    let mut spans: Vec<(f64, f64, f64)> = glyphs
        .iter()
        .filter(|g| !g.is_space())
        .filter(|g| g.cy() >= top && g.cy() <= bottom && g.cx() >= t.x0 && g.cx() <= t.x1)
        .map(|g| (g.x, g.x + g.w, g.size))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut edges = vec![t.x0];
    let mut reach = f64::NEG_INFINITY;
    for (x0, x1, size) in spans {
        if reach.is_finite() && x0 - reach > size * 0.9 {
            edges.push((reach + x0) / 2.0);
        }
        reach = reach.max(x1);
    }
    edges.push(t.x1);
    edges
}

/// Glyphs grouped into lines by baseline, top to bottom, each left to right.
fn lines<'a>(glyphs: &[&'a Glyph]) -> Vec<Vec<&'a Glyph>> {
    let mut sorted: Vec<&Glyph> = glyphs.to_vec();
    sorted.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut out: Vec<Vec<&Glyph>> = Vec::new();
    let mut base = f64::NEG_INFINITY;
    for g in sorted {
        match out.last_mut() {
            Some(line) if g.y - base <= g.size.max(1.0) * 0.5 => line.push(g),
            _ => {
                base = g.y;
                out.push(vec![g]);
            }
        }
    }
    for line in &mut out {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out
}

/// A gap between two Latin glyphs wider than this share of the font size
/// is a space (a space is 0.25–0.33 em; kerning stays under 0.1 em).
const LATIN_SPACE_GAP: f64 = 0.15;
/// Next to a Chinese glyph the gap must be wider: Word and LibreOffice put
/// 0.2–0.25 em between Chinese and Latin text (「2025 年」 as drawn), which
/// is no space in the source. A space glyph is a space wherever it is.
const CJK_SPACE_GAP: f64 = 0.6;

fn line_text(line: &[&Glyph]) -> String {
    let mut out = String::new();
    let mut prev: Option<&Glyph> = None;
    let mut pending_space = false;
    for &g in line {
        if g.is_space() {
            pending_space = true;
            continue;
        }
        if let Some(p) = prev {
            let gap = (g.x - (p.x + p.w)) / g.size.max(p.size).max(1.0);
            let latin = p.text.is_ascii() && g.text.is_ascii();
            let wide = gap
                > if latin {
                    LATIN_SPACE_GAP
                } else {
                    CJK_SPACE_GAP
                };
            if pending_space || wide {
                out.push(' ');
            }
        }
        pending_space = false;
        out.push_str(&g.text);
        prev = Some(g);
    }
    out
}

fn cell_text(glyphs: &[&Glyph]) -> String {
    lines(glyphs)
        .iter()
        .map(|l| line_text(l))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Glyphs of `text` from (x, y), `size` wide each (CJK) or half (ASCII).
    fn run(text: &str, x: f64, y: f64, size: f64) -> Vec<Glyph> {
        let mut x = x;
        text.chars()
            .map(|c| {
                let w = if c.is_ascii() { size * 0.5 } else { size };
                let g = Glyph {
                    x,
                    y,
                    w,
                    size,
                    text: c.to_string(),
                };
                x += w;
                g
            })
            .collect()
    }

    fn hrule(x0: f64, x1: f64, y: f64) -> Rule {
        Rule::from_box(x0, y, x1, y + 0.5).unwrap()
    }
    fn vrule(x: f64, y0: f64, y1: f64) -> Rule {
        Rule::from_box(x, y0, x + 0.5, y1).unwrap()
    }

    fn grid(xs: &[f64], ys: &[f64]) -> Vec<Rule> {
        let mut rules = Vec::new();
        for &y in ys {
            rules.push(hrule(xs[0], *xs.last().unwrap(), y));
        }
        // Word draws vertical rules cell by cell.
        for w in ys.windows(2) {
            for &x in xs {
                rules.push(vrule(x, w[0], w[1]));
            }
        }
        rules
    }

    fn rows(items: &[Item]) -> Vec<Vec<String>> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Row { cells, .. } => Some(cells.clone()),
                Item::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_vertically_centred_wrapped_cell_stays_in_its_row() {
        let rules = grid(&[50.0, 80.0, 200.0], &[100.0, 130.0, 190.0, 220.0]);
        let mut glyphs = run("序号", 52.0, 120.0, 10.0);
        glyphs.extend(run("备案单位", 82.0, 120.0, 10.0));
        // Row 2: 序号 on the middle line, the company over three lines.
        glyphs.extend(run("1", 60.0, 164.0, 10.0));
        glyphs.extend(run("北京深度求索人工智能", 82.0, 152.0, 10.0));
        glyphs.extend(run("基础技术研究有限公", 82.0, 164.0, 10.0));
        glyphs.extend(run("司", 82.0, 176.0, 10.0));
        glyphs.extend(run("2", 60.0, 210.0, 10.0));
        glyphs.extend(run("DeepSeek Chat", 82.0, 210.0, 10.0));
        let items = lay_out(&glyphs, &rules);
        assert_eq!(
            rows(&items),
            vec![
                vec!["序号".to_string(), "备案单位".into()],
                vec![
                    "1".into(),
                    "北京深度求索人工智能\n基础技术研究有限公\n司".into()
                ],
                vec!["2".into(), "DeepSeek Chat".into()],
            ]
        );
    }

    #[test]
    fn text_outside_tables_is_lines_in_reading_order() {
        let rules = grid(&[50.0, 100.0, 150.0], &[100.0, 120.0]);
        let mut glyphs = run("页脚", 60.0, 300.0, 10.0);
        glyphs.extend(run("标题（2025年3月）", 60.0, 60.0, 16.0));
        glyphs.extend(run("甲", 60.0, 115.0, 10.0));
        glyphs.extend(run("乙", 110.0, 115.0, 10.0));
        let items = lay_out(&glyphs, &rules);
        assert_eq!(
            items,
            vec![
                Item::Text("标题（2025年3月）".into()),
                Item::Row {
                    table: 0,
                    row: 0,
                    cells: vec!["甲".into(), "乙".into()]
                },
                Item::Text("页脚".into()),
            ]
        );
    }

    #[test]
    fn space_glyphs_and_wide_gaps_are_spaces_small_gaps_are_not() {
        let mut glyphs = run("2025", 0.0, 10.0, 10.0);
        glyphs.extend(run("年", 22.5, 10.0, 10.0)); // 0.25 em: autospace
        glyphs.extend(run("AI", 35.0, 10.0, 10.0)); // 0.25 em again
        glyphs.extend(run("Deep", 60.0, 10.0, 10.0)); // 1.5 em: columns apart
        glyphs.extend(run("Seek", 82.5, 10.0, 10.0)); // 0.25 em between Latin
        glyphs.extend(run(" ", 102.5, 10.0, 10.0)); // a space glyph
        glyphs.extend(run("Chat", 105.5, 10.0, 10.0));
        glyphs.extend(run("模型", 125.5, 10.0, 10.0)); // touching
        let items = lay_out(&glyphs, &[]);
        assert_eq!(
            items,
            vec![Item::Text("2025年AI Deep Seek Chat模型".into())]
        );
    }

    #[test]
    fn a_table_with_horizontal_rules_only_gets_columns_from_gaps() {
        let rules = vec![
            hrule(50.0, 300.0, 100.0),
            hrule(50.0, 300.0, 120.0),
            hrule(50.0, 300.0, 140.0),
        ];
        let mut glyphs = run("序号", 55.0, 115.0, 10.0);
        glyphs.extend(run("模型名称", 120.0, 115.0, 10.0));
        glyphs.extend(run("12", 55.0, 135.0, 10.0));
        glyphs.extend(run("文心一言", 120.0, 135.0, 10.0));
        let items = lay_out(&glyphs, &rules);
        assert_eq!(
            rows(&items),
            vec![
                vec!["序号".to_string(), "模型名称".into()],
                vec!["12".into(), "文心一言".into()],
            ]
        );
    }

    #[test]
    fn a_full_width_row_in_a_grid_is_one_cell() {
        let mut rules = grid(&[0.0, 50.0, 100.0], &[20.0, 40.0]);
        rules.push(hrule(0.0, 100.0, 0.0));
        rules.push(vrule(0.0, 0.0, 20.0));
        rules.push(vrule(100.0, 0.0, 20.0));
        let mut glyphs = run("表一", 30.0, 15.0, 10.0);
        glyphs.extend(run("甲", 5.0, 35.0, 10.0));
        glyphs.extend(run("乙", 55.0, 35.0, 10.0));
        assert_eq!(
            rows(&lay_out(&glyphs, &rules)),
            vec![vec!["表一".to_string()], vec!["甲".into(), "乙".into()]]
        );
    }

    #[test]
    fn two_tables_on_a_page_are_told_apart() {
        let mut rules = grid(&[0.0, 50.0, 100.0], &[0.0, 20.0]);
        rules.extend(grid(&[0.0, 30.0, 100.0], &[60.0, 80.0]));
        let mut glyphs = run("甲", 5.0, 15.0, 10.0);
        glyphs.extend(run("说明", 5.0, 45.0, 10.0));
        glyphs.extend(run("乙", 5.0, 75.0, 10.0));
        let items = lay_out(&glyphs, &rules);
        assert!(matches!(items[0], Item::Row { table: 0, .. }));
        assert_eq!(items[1], Item::Text("说明".into()));
        assert!(matches!(items[2], Item::Row { table: 1, .. }));
    }
}
