//! The tables of an official attachment, read the way a careful person
//! reads them: every table found by its header (filed services, registered
//! apps, on-device models, deep-synthesis algorithms), rows after a page
//! break without a header kept with the table above, wrapped cells joined,
//! each row checked against its number's pattern, and what is odd about a
//! row (columns swapped, a stray character, a note inside a name cell, a
//! 「（补登）」 date, a duplicate number) said out loud and kept with the
//! filing. A row that cannot be read is reported with its place and text,
//! never dropped or guessed.
//!
//! Pure: a [`Document`] in, rows and findings out. The file formats are
//! `pdf.rs` and `docx.rs`.

use std::collections::HashMap;

use regex::Regex;
use serde::Serialize;

use super::document::{Block, Document, Place};
use super::{has_required, iso_date, layout, Field};
use crate::filing_no;
use crate::input::header::fold_header;
use crate::model::{FilingFields, ItemKind, NewFiling, Regime};
use crate::normalize::legal_name;

/// The kinds of table an attachment holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableKind {
    /// 已备案的生成式人工智能服务: 备案号.
    Filings,
    /// 已登记的应用或功能: 上线编号 (…S0001), its own numbering from 1.
    Registrations,
    /// 端侧模型 (from 2026-08), with 适用场景.
    OnDevice,
    /// 深度合成服务算法 (境内深度合成服务算法备案清单).
    Algorithms,
}

impl TableKind {
    pub fn regime(self) -> Regime {
        match self {
            TableKind::Algorithms => Regime::DeepSynthesis,
            _ => Regime::Genai,
        }
    }

    /// The official list (`registry/lists.csv`) the rows of a national
    /// attachment belong to.
    pub fn list_id(self) -> &'static str {
        match self {
            TableKind::Filings => "cac-genai-filings",
            TableKind::Registrations => "cac-genai-registrations",
            TableKind::OnDevice => "cac-genai-on-device",
            TableKind::Algorithms => "cac-deep-synthesis",
        }
    }

    /// How messages name the table's rows.
    pub fn label(self) -> &'static str {
        match self {
            TableKind::Filings => "genai filings",
            TableKind::Registrations => "genai registrations",
            TableKind::OnDevice => "genai on-device models",
            TableKind::Algorithms => "deep-synthesis algorithms",
        }
    }

    fn item_kind(self) -> ItemKind {
        match self {
            TableKind::Registrations => ItemKind::Service,
            TableKind::Algorithms => ItemKind::Algorithm,
            _ => ItemKind::Model,
        }
    }
}

/// What is odd about a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// The row cannot be read cleanly: not imported.
    Unreadable,
    /// The model and entity columns are swapped in the source; read the
    /// right way round.
    ColumnsSwapped,
    /// A character before the entity's name that belongs to the cell above
    /// (「司珠海读书郎…」); the name is read without it.
    StrayCharacter,
    /// A note inside a name cell (安第斯大模型注：英文名为AndesGPT); the
    /// name is read without it and the note kept as the remark.
    NoteInCell,
    /// The date carries a mark such as 「（补登）」.
    MarkedDate,
    /// The number does not have its list's pattern; kept as listed.
    MalformedNumber,
    /// Another row of the same table has the same 序号.
    DuplicateSeq,
    /// Another row of the attachment has the same number.
    DuplicateNumber,
    /// The list marks the filing cancelled (备注 已注销, or a cancellation
    /// notice); imported as cancelled.
    Cancelled,
    /// The 备注 records a change of the entity's or product's name.
    Renamed,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Unreadable => "unreadable",
            FindingKind::ColumnsSwapped => "columns-swapped",
            FindingKind::StrayCharacter => "stray-character",
            FindingKind::NoteInCell => "note-in-cell",
            FindingKind::MarkedDate => "marked-date",
            FindingKind::MalformedNumber => "malformed-number",
            FindingKind::DuplicateSeq => "duplicate-seq",
            FindingKind::DuplicateNumber => "duplicate-number",
            FindingKind::Cancelled => "cancelled",
            FindingKind::Renamed => "renamed",
        }
    }
}

/// One thing worth saying about one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Where: `list.pdf: page 3, row 12`.
    pub location: String,
    pub table: Option<TableKind>,
    pub seq: Option<String>,
    pub message: String,
    /// The row's cells as read, joined by ` | `.
    pub text: String,
}

/// A table found in the attachment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableSummary {
    pub kind: TableKind,
    /// Where its header is.
    pub location: String,
    pub header: Vec<String>,
    pub rows: usize,
    /// Pages or tables the rows continued on without a header.
    pub continued: usize,
}

/// What the attachment says its date is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DateHint {
    /// `YYYY-MM` or `YYYY-MM-DD`.
    pub date: String,
    /// Where it was read: `the title 「…（2025年3月）」`.
    pub from: String,
}

/// An attachment read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Attachment {
    pub tables: Vec<TableSummary>,
    /// The rows, in the order of the document, with the table each is of.
    #[serde(skip)]
    pub rows: Vec<(TableKind, NewFiling)>,
    pub findings: Vec<Finding>,
    /// Text lines outside the tables (titles, captions).
    pub titles: Vec<String>,
}

impl Attachment {
    /// The regime of the attachment's tables, if they agree.
    pub fn regime(&self) -> Option<Regime> {
        let mut r = self.tables.iter().map(|t| t.kind.regime());
        let first = r.next()?;
        r.all(|x| x == first).then_some(first)
    }

    /// The newest 备案时间/登记时间 of its rows.
    pub fn newest_date(&self) -> Option<String> {
        self.rows
            .iter()
            .filter_map(|(_, r)| r.fields.filed_on.clone())
            .filter(|d| crate::date::Date::parse(d).is_some())
            .max()
    }

    pub fn unreadable(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.kind == FindingKind::Unreadable)
    }
}

/// The regime of a header row and the columns of its fields.
fn header_of(cells: &[String]) -> Option<(TableKind, Vec<(Field, usize)>)> {
    for regime in [Regime::DeepSynthesis, Regime::Genai] {
        let l = layout(cells, regime);
        if !has_required(&l, regime) {
            continue;
        }
        // A header holds no data: a row whose cells are headers only.
        let folded: Vec<String> = cells.iter().map(|c| fold_header(c)).collect();
        let kind = match regime {
            Regime::DeepSynthesis => TableKind::Algorithms,
            Regime::Genai => {
                let has = |w: &str| folded.iter().any(|h| h.contains(w));
                if has("适用场景") || has("端侧") {
                    TableKind::OnDevice
                } else if has("上线编号") || has("登记") || has("应用功能") {
                    TableKind::Registrations
                } else {
                    TableKind::Filings
                }
            }
        };
        return Some((kind, l));
    }
    None
}

/// Joins a cell's wrapped lines: a break between two Latin letters or
/// digits was a space (`DeepSeek` / `Chat`); any other break was not.
fn join_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split(['\n', '\r']).enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if i > 0 {
            let before = out.chars().last();
            let after = line.chars().next();
            if let (Some(b), Some(a)) = (before, after) {
                if b.is_ascii_alphanumeric() && a.is_ascii_alphanumeric() {
                    out.push(' ');
                }
            }
        }
        out.push_str(line);
    }
    out
}

/// A number, sequence number or date: no white space at all.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Ends of names that are legal entities rather than models or apps.
const ENTITY_ENDINGS: &[&str] = &[
    "公司",
    "集团",
    "研究院",
    "研究所",
    "研究中心",
    "大学",
    "学院",
    "实验室",
    "电视台",
    "通讯社",
    "信息中心",
    "工作室",
];

fn looks_like_entity(s: &str) -> bool {
    ENTITY_ENDINGS.iter().any(|e| s.ends_with(e))
}

/// Characters that end an entity's name (公司, 中心, 研究院…): one of them
/// in front of a complete name is the tail of the cell above.
const TAIL_CHARACTERS: &[char] = &['司', '心', '院', '所', '学', '团', '室', '台', '社'];

/// The entity's name without a stray leading character, when the rest is
/// a complete registered name that begins with a region and the whole is
/// not one.
fn without_stray_character(company: &str) -> Option<(char, String)> {
    let mut chars = company.chars();
    let first = chars.next()?;
    if !TAIL_CHARACTERS.contains(&first) {
        return None;
    }
    let rest: String = chars.collect();
    let whole = legal_name::parse(company);
    let trimmed = legal_name::parse(&rest)?;
    let whole_has_region = whole.as_ref().is_some_and(|w| w.region.is_some());
    (trimmed.region.is_some() && !whole_has_region).then_some((first, rest))
}

/// Marks a date may carry, as printed.
const DATE_MARKS: &[&str] = &["（补登）", "(补登)", "补登"];

/// Reads an attachment. `file` names it in messages.
pub fn read(file: &str, doc: &Document) -> Attachment {
    let mut reader = Reader {
        file,
        out: Attachment::default(),
        current: None,
        cancellation_notice: false,
    };
    for block in &doc.blocks {
        match block {
            Block::Text { text, .. } => reader.text(text),
            Block::Row { cells, place } => reader.row(cells, place),
        }
    }
    reader.finish()
}

struct Current {
    kind: TableKind,
    cols: Vec<(Field, usize)>,
    width: usize,
    summary: usize,
    last_page: Option<u32>,
    last_table: Option<u32>,
}

struct Reader<'a> {
    file: &'a str,
    out: Attachment,
    current: Option<Current>,
    /// A title said the document is a cancellation notice (注销): its
    /// rows are filings cancelled, not filed.
    cancellation_notice: bool,
}

impl Reader<'_> {
    fn location(&self, place: &Place) -> String {
        format!("{}: {place}", self.file)
    }

    fn text(&mut self, text: &str) {
        let t = join_lines(text);
        if t.contains("注销") && self.current.is_none() {
            self.cancellation_notice = true;
        }
        if !t.is_empty() {
            self.out.titles.push(t);
        }
    }

    fn row(&mut self, cells: &[String], place: &Place) {
        let filled: Vec<&String> = cells.iter().filter(|c| !c.trim().is_empty()).collect();
        if filled.is_empty() {
            return;
        }
        if let Some((kind, cols)) = header_of(cells) {
            self.out.tables.push(TableSummary {
                kind,
                location: self.location(place),
                header: cells.iter().map(|c| join_lines(c)).collect(),
                rows: 0,
                continued: 0,
            });
            self.current = Some(Current {
                kind,
                cols,
                width: cells.len(),
                summary: self.out.tables.len() - 1,
                last_page: place.page,
                last_table: place.table,
            });
            return;
        }
        // A caption or note spanning the table (a merged cell), or a title
        // row above the header.
        if filled.len() == 1 && self.current.as_ref().is_none_or(|c| c.width > 2) {
            let only = filled[0];
            let is_data = self.current.is_some() && filing_no::looks_like_number(&squeeze(only));
            if !is_data {
                self.text(only);
                return;
            }
        }
        let Some(cur) = &mut self.current else {
            let location = self.location(place);
            self.out.findings.push(Finding {
                kind: FindingKind::Unreadable,
                location,
                table: None,
                seq: None,
                message: "a table row before any header the lists use".into(),
                text: show(cells),
            });
            return;
        };
        if place.page != cur.last_page || place.table != cur.last_table {
            self.out.tables[cur.summary].continued += 1;
            cur.last_page = place.page;
            cur.last_table = place.table;
        }
        let kind = cur.kind;
        let cols = cur.cols.clone();
        let width = cur.width;
        self.out.tables[cur.summary].rows += 1;
        self.data_row(kind, &cols, width, cells, place);
    }

    fn data_row(
        &mut self,
        kind: TableKind,
        cols: &[(Field, usize)],
        width: usize,
        cells: &[String],
        place: &Place,
    ) {
        let regime = kind.regime();
        let location = self.location(place);
        let text = show(cells);
        let mut findings = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut finding = |k: FindingKind, seq: &Option<String>, message: String| {
            findings.push(Finding {
                kind: k,
                location: location.clone(),
                table: Some(kind),
                seq: seq.clone(),
                message,
                text: text.clone(),
            });
        };
        let get = |f: Field| -> String {
            let raw = cols
                .iter()
                .find(|(g, _)| *g == f)
                .and_then(|&(_, i)| cells.get(i))
                .map(String::as_str)
                .unwrap_or_default();
            match f {
                Field::Seq | Field::Number | Field::Date => squeeze(raw),
                _ => join_lines(raw),
            }
        };
        let seq = Some(get(Field::Seq)).filter(|s| !s.is_empty());
        if cells.len() > width && cells[width..].iter().any(|c| !c.trim().is_empty()) {
            finding(
                FindingKind::Unreadable,
                &seq,
                format!(
                    "the row has {} cells where the header has {width}",
                    cells.len()
                ),
            );
            self.out.findings.extend(findings);
            return;
        }
        let mut item = get(Field::Item);
        let mut company = get(Field::Company);
        let number = get(Field::Number);
        let mut remark = Some(get(Field::Remark)).filter(|s| !s.is_empty());
        if item.is_empty() || company.is_empty() || number.is_empty() {
            let missing: Vec<&str> = [
                (Field::Item, &item),
                (Field::Company, &company),
                (Field::Number, &number),
            ]
            .iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(f, _)| f.header(regime))
            .collect();
            finding(
                FindingKind::Unreadable,
                &seq,
                format!("the row has no {}", missing.join(", ")),
            );
            self.out.findings.extend(findings);
            return;
        }
        if kind != TableKind::Algorithms && looks_like_entity(&item) && !looks_like_entity(&company)
        {
            // The listed cells too are read the right way round: the
            // entity's name as listed is the one printed in the model
            // column. The note keeps what was printed where.
            std::mem::swap(&mut item, &mut company);
            let m = format!(
                // After the swap: `company` is what the model column held.
                "columns swapped in the source: {} holds {company:?}, {} holds {item:?}; read the right way round",
                Field::Item.header(regime),
                Field::Company.header(regime)
            );
            notes.push(format!(
                "columns swapped in the source ({} and {})",
                Field::Item.header(regime),
                Field::Company.header(regime)
            ));
            finding(FindingKind::ColumnsSwapped, &seq, m);
        }
        let (item_listed, company_listed) = (item.clone(), company.clone());
        if let Some((stray, rest)) = without_stray_character(&company) {
            finding(
                FindingKind::StrayCharacter,
                &seq,
                format!("{company:?} begins with a stray {stray:?}; read as {rest:?}"),
            );
            notes.push(format!(
                "corrected: listed with a stray {stray} before the name"
            ));
            company = rest;
        }
        for mark in ["注：", "注:"] {
            if let Some(at) = item.find(mark).filter(|&at| at > 0) {
                let note = item[at..].to_string();
                item.truncate(at);
                finding(
                    FindingKind::NoteInCell,
                    &seq,
                    format!("a note inside the name cell: {note:?}; the name read as {item:?}"),
                );
                remark = Some(match remark {
                    Some(r) => format!("{r}；{note}"),
                    None => note,
                });
                break;
            }
        }
        let mut date = get(Field::Date);
        if let Some(mark) = DATE_MARKS.iter().find(|m| date.contains(*m)) {
            date = date.replace(mark, "");
            notes.push(format!("the date is listed with {mark}"));
            finding(
                FindingKind::MarkedDate,
                &seq,
                format!("the date is listed with {mark}"),
            );
        }
        match filing_no::parse(&number) {
            Err(e) => finding(
                FindingKind::MalformedNumber,
                &seq,
                format!("{number:?} is not a well-formed number ({e}); kept as listed"),
            ),
            Ok(n) => {
                let expected = match kind {
                    TableKind::Registrations => n.is_registration(),
                    TableKind::Algorithms => n.regime() == Regime::DeepSynthesis,
                    _ => n.regime() == Regime::Genai && !n.is_registration(),
                };
                if !expected {
                    finding(
                        FindingKind::MalformedNumber,
                        &seq,
                        format!("{number:?} is not a number of the {} table", kind.label()),
                    );
                }
            }
        }
        let fields = FilingFields {
            seq: seq.clone(),
            company: company_listed,
            item: item_listed,
            filing_no: Some(number),
            role: Some(get(Field::Role)).filter(|s| !s.is_empty()),
            product: Some(get(Field::Product)).filter(|s| !s.is_empty()),
            purpose: Some(get(Field::Purpose)).filter(|s| !s.is_empty()),
            region: Some(get(Field::Region)).filter(|s| !s.is_empty()),
            filed_on: Some(iso_date(&date)).filter(|s| !s.is_empty()),
            remark,
        };
        let cancelled_by_remark = fields.remark.as_deref().is_some_and(|r| r.contains("注销"));
        if cancelled_by_remark || self.cancellation_notice {
            finding(
                FindingKind::Cancelled,
                &seq,
                if cancelled_by_remark {
                    "the 备注 says 已注销: imported as cancelled".to_string()
                } else {
                    "a cancellation notice names it: imported as cancelled".to_string()
                },
            );
        }
        if let Some(r) = fields.remark.as_deref().filter(|r| r.contains("变更为")) {
            finding(
                FindingKind::Renamed,
                &seq,
                format!("the 备注 records a change: {r}"),
            );
        }
        let mut row = NewFiling::listed(regime, fields, location);
        if cancelled_by_remark || self.cancellation_notice {
            row.status = crate::model::FilingStatus::Cancelled;
        }
        row.company = company;
        row.item = item;
        row.item_kind = kind.item_kind();
        if !notes.is_empty() {
            row.note = Some(notes.join("; "));
        }
        self.out.findings.extend(findings);
        self.out.rows.push((kind, row));
    }

    fn finish(mut self) -> Attachment {
        // Duplicate 序号 within a table, duplicate numbers anywhere.
        let mut seqs: HashMap<(TableKind, String), String> = HashMap::new();
        let mut numbers: HashMap<String, String> = HashMap::new();
        let mut extra = Vec::new();
        for (kind, r) in &self.out.rows {
            if let Some(s) = &r.fields.seq {
                if let Some(first) = seqs.insert((*kind, s.clone()), r.location.clone()) {
                    extra.push(Finding {
                        kind: FindingKind::DuplicateSeq,
                        location: r.location.clone(),
                        table: Some(*kind),
                        seq: Some(s.clone()),
                        message: format!("序号 {s} is also the number of the row at {first}"),
                        text: format!("{} | {}", r.fields.item, r.fields.company),
                    });
                }
            }
            if let Some(n) = r.filing_no() {
                let key = filing_no::compare_key(n).unwrap_or_else(|| n.to_string());
                if let Some(first) = numbers.insert(key, r.location.clone()) {
                    extra.push(Finding {
                        kind: FindingKind::DuplicateNumber,
                        location: r.location.clone(),
                        table: Some(*kind),
                        seq: r.fields.seq.clone(),
                        message: format!("{n} is also listed at {first}"),
                        text: format!("{} | {}", r.fields.item, r.fields.company),
                    });
                }
            }
        }
        self.out.findings.extend(extra);
        self.out
    }
}

fn show(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| join_lines(c))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The date a list describes, from what it says: a title with
/// 「截至2024年3月」 or 「（2025年3月）」, else the file's name, else the
/// newest date of its rows.
pub fn date_hint(titles: &[String], file_name: &str, newest: Option<&str>) -> Option<DateHint> {
    let until = Regex::new(r"截至\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
        .expect("static regex");
    let month = Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月").expect("static regex");
    let ymd = |c: &regex::Captures<'_>| -> Option<String> {
        let y: i32 = c.get(1)?.as_str().parse().ok()?;
        let m: u32 = c.get(2)?.as_str().parse().ok()?;
        if !(1..=12).contains(&m) || !(2000..=2100).contains(&y) {
            return None;
        }
        Some(
            match c.get(3).and_then(|d| d.as_str().parse::<u32>().ok()) {
                Some(d) if crate::date::Date::new(y, m, d).is_some() => {
                    format!("{y:04}-{m:02}-{d:02}")
                }
                _ => format!("{y:04}-{m:02}"),
            },
        )
    };
    let quoted = |t: &str| {
        let short: String = t.chars().take(60).collect();
        format!("「{short}」")
    };
    for t in titles {
        if let Some(d) = until.captures(t).as_ref().and_then(ymd) {
            return Some(DateHint {
                date: d,
                from: format!("the title {}", quoted(t)),
            });
        }
    }
    for t in titles {
        if let Some(d) = month.captures(t).as_ref().and_then(ymd) {
            return Some(DateHint {
                date: d,
                from: format!("the title {}", quoted(t)),
            });
        }
    }
    if let Some(d) = until
        .captures(file_name)
        .or_else(|| month.captures(file_name))
        .as_ref()
        .and_then(ymd)
    {
        return Some(DateHint {
            date: d,
            from: format!("the file name {file_name:?}"),
        });
    }
    newest.map(|d| DateHint {
        date: d.to_string(),
        from: "the newest date of its rows".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(page: u32, cells: &[&str]) -> Block {
        Block::Row {
            cells: cells.iter().map(|c| c.to_string()).collect(),
            place: Place {
                page: Some(page),
                table: None,
                row: None,
            },
        }
    }

    fn text(t: &str) -> Block {
        Block::Text {
            text: t.into(),
            place: Place::default(),
        }
    }

    const FILINGS: &[&str] = &["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"];
    const REGISTRATIONS: &[&str] = &[
        "序号",
        "属地",
        "应用/功能名称",
        "登记单位",
        "上线编号",
        "登记时间",
    ];

    fn sample() -> Document {
        Document {
            blocks: vec![
                text("生成式人工智能服务已备案和已登记信息（2025年3月）"),
                row(1, FILINGS),
                row(
                    1,
                    &[
                        "1",
                        "北京市",
                        "求索对话DeepSeek\nChat",
                        "北京深度求索人工智能基础技术研究有\n限公司",
                        "Beijing-DeepseekChat-\n202404280016",
                        "2024-04-28",
                    ],
                ),
                // Continued on the next page without a header.
                row(
                    2,
                    &[
                        "414",
                        "广东省",
                        "读书郎梦想大模型",
                        "司珠海读书郎软件科技有限公司",
                        "Guangdong-MengXiangDaMoXing-202505090044",
                        "2025/6/9",
                    ],
                ),
                row(
                    2,
                    &[
                        "340",
                        "北京市",
                        "北京百度网讯科技有限公司",
                        "文心一言",
                        "Beijing-WenXinYiYan-20230821",
                        "2023-08-31",
                    ],
                ),
                row(
                    2,
                    &[
                        "65",
                        "重庆市",
                        "安第斯大模型注：英文名为AndesGPT",
                        "OPPO（重庆）智能科技有限公司",
                        "ChongQing-andisiDaMoXing-20231222",
                        "2024-01-09",
                    ],
                ),
                row(
                    2,
                    &[
                        "65",
                        "重庆市",
                        "x",
                        "某公司",
                        "Beijing-X-20240101",
                        "2024-01-01",
                    ],
                ),
                text("二、已登记的生成式人工智能应用或功能"),
                row(2, REGISTRATIONS),
                row(
                    3,
                    &[
                        "1",
                        "福建省",
                        "白泽大模型",
                        "南威软件股份有限公司",
                        "Fujian-BaiZe-20250624S0001",
                        "2025-06-30（补登）",
                    ],
                ),
                row(3, &["2", "福建省", "", "南威软件股份有限公司", "", ""]),
            ],
        }
    }

    #[test]
    fn tables_continuations_and_anomalies() {
        let a = read("a.pdf", &sample());
        let kinds: Vec<TableKind> = a.tables.iter().map(|t| t.kind).collect();
        assert_eq!(kinds, [TableKind::Filings, TableKind::Registrations]);
        assert_eq!(a.tables[0].rows, 5);
        assert_eq!(a.tables[0].continued, 1, "page 2 continues the table");
        assert_eq!(a.regime(), Some(Regime::Genai));

        let (k, r) = &a.rows[0];
        assert_eq!(*k, TableKind::Filings);
        assert_eq!(
            r.item, "求索对话DeepSeek Chat",
            "a break between letters was a space"
        );
        assert_eq!(r.company, "北京深度求索人工智能基础技术研究有限公司");
        assert_eq!(r.filing_no(), Some("Beijing-DeepseekChat-202404280016"));
        assert_eq!(r.item_kind, ItemKind::Model);

        let stray = &a.rows[1].1;
        assert_eq!(stray.company, "珠海读书郎软件科技有限公司");
        assert_eq!(stray.fields.company, "司珠海读书郎软件科技有限公司");
        assert_eq!(stray.fields.filed_on.as_deref(), Some("2025-06-09"));

        let swapped = &a.rows[2].1;
        assert_eq!(swapped.item, "文心一言");
        let said = a
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::ColumnsSwapped)
            .unwrap();
        assert!(
            said.message
                .contains("模型名称 holds \"北京百度网讯科技有限公司\""),
            "{}",
            said.message
        );
        assert_eq!(swapped.company, "北京百度网讯科技有限公司");
        assert!(swapped.note.as_deref().unwrap().contains("columns swapped"));

        let andes = &a.rows[3].1;
        assert_eq!(andes.item, "安第斯大模型");
        assert_eq!(andes.fields.remark.as_deref(), Some("注：英文名为AndesGPT"));

        let (k, reg) = &a.rows[5];
        assert_eq!(*k, TableKind::Registrations);
        assert_eq!(reg.item_kind, ItemKind::Service);
        assert_eq!(reg.fields.filed_on.as_deref(), Some("2025-06-30"));
        assert!(reg.note.as_deref().unwrap().contains("（补登）"));

        let kinds: Vec<FindingKind> = a.findings.iter().map(|f| f.kind).collect();
        for k in [
            FindingKind::StrayCharacter,
            FindingKind::ColumnsSwapped,
            FindingKind::NoteInCell,
            FindingKind::MarkedDate,
            FindingKind::Unreadable,
            FindingKind::DuplicateSeq,
        ] {
            assert!(kinds.contains(&k), "{k:?} not found in {kinds:?}");
        }
        let bad = a.unreadable().next().unwrap();
        assert_eq!(bad.location, "a.pdf: page 3");
        assert!(bad.message.contains("模型名称"), "{}", bad.message);
        assert_eq!(a.rows.len(), 6, "the unreadable row is not imported");
        assert!(a.titles.iter().any(|t| t.contains("已登记")));
    }

    #[test]
    fn cancellations_from_remarks_and_notices() {
        let header = [
            "序号",
            "算法名称",
            "角色",
            "主体名称",
            "应用产品",
            "主要用途",
            "备案编号",
            "备注",
        ];
        let ds = |remark: &str| {
            row(
                1,
                &[
                    "1",
                    "某生成算法",
                    "服务提供者",
                    "北京某科技有限公司",
                    "某APP",
                    "文本生成",
                    "网信算备110108105858001230019号",
                    remark,
                ],
            )
        };
        let a = read(
            "ds.docx",
            &Document {
                blocks: vec![row(1, &header), ds("已注销")],
            },
        );
        assert_eq!(a.rows[0].1.status, crate::model::FilingStatus::Cancelled);
        assert_eq!(a.findings[0].kind, FindingKind::Cancelled);
        let a = read(
            "ds.docx",
            &Document {
                blocks: vec![row(1, &header), ds("")],
            },
        );
        assert_eq!(a.rows[0].1.status, crate::model::FilingStatus::Listed);
        let notice = Document {
            blocks: vec![
                text("关于注销部分深度合成服务算法备案的公告"),
                row(1, &header),
                ds(""),
            ],
        };
        let a = read("notice.pdf", &notice);
        assert_eq!(a.rows[0].1.status, crate::model::FilingStatus::Cancelled);
        let a = read(
            "ds.docx",
            &Document {
                blocks: vec![
                    row(1, &header),
                    ds("原主体名称“甲有限公司”变更为“乙有限公司”"),
                ],
            },
        );
        assert_eq!(a.findings[0].kind, FindingKind::Renamed);
    }

    #[test]
    fn a_row_before_any_header_is_reported() {
        let doc = Document {
            blocks: vec![row(1, &["1", "北京市", "x", "y", "Beijing-X-20240101", ""])],
        };
        let a = read("a.pdf", &doc);
        assert!(a.rows.is_empty());
        assert_eq!(a.unreadable().count(), 1);
    }

    #[test]
    fn deep_synthesis_batches_are_algorithms() {
        let doc = Document {
            blocks: vec![
                text("境内深度合成服务算法备案清单（2024年6月）"),
                row(
                    1,
                    &[
                        "序号",
                        "算法名称",
                        "角色",
                        "主体名称",
                        "应用产品",
                        "主要用途",
                        "备案编号",
                        "备注",
                    ],
                ),
                row(
                    1,
                    &[
                        "1",
                        "ChatGLM生成\n算法",
                        "服务提供者",
                        "北京智谱华章科技有限公司",
                        "智谱清言",
                        "文本生成",
                        "网信算备110108105858001230019号",
                        "",
                    ],
                ),
            ],
        };
        let a = read("ds.docx", &doc);
        assert_eq!(a.regime(), Some(Regime::DeepSynthesis));
        let r = &a.rows[0].1;
        assert_eq!(r.item, "ChatGLM生成算法");
        assert_eq!(r.item_kind, ItemKind::Algorithm);
        assert_eq!(r.fields.role.as_deref(), Some("服务提供者"));
        assert!(a.findings.is_empty(), "{:?}", a.findings);
        let hint = date_hint(&a.titles, "x.docx", None).unwrap();
        assert_eq!(hint.date, "2024-06");
    }

    #[test]
    fn dates_from_titles_file_names_and_rows() {
        let t = |s: &str| vec![s.to_string()];
        assert_eq!(
            date_hint(
                &t("广东省生成式人工智能服务已备案信息(截至2024年3月)"),
                "",
                None
            )
            .unwrap()
            .date,
            "2024-03"
        );
        assert_eq!(
            date_hint(&t("截至2024年3月31日"), "", None).unwrap().date,
            "2024-03-31"
        );
        let h = date_hint(&[], "生成式人工智能服务已备案信息（2025年12月）.pdf", None).unwrap();
        assert_eq!(h.date, "2025-12");
        assert!(h.from.contains("file name"));
        let h = date_hint(&[], "list.pdf", Some("2025-06-30")).unwrap();
        assert_eq!(h.date, "2025-06-30");
        assert!(date_hint(&[], "list.pdf", None).is_none());
        assert!(date_hint(&t("第2024年13月"), "", None).is_none());
    }
}
