//! Reading the regulator's published filing lists into filing rows.
//!
//! The CAC and the provincial 网信办 publish their lists as spreadsheets:
//! the deep-synthesis algorithm lists (序号, 算法名称, 角色, 主体名称, 应用产品,
//! 主要用途, 备案编号, 备注; published as .docx, which users save as a
//! spreadsheet) and the generative-AI service lists (序号, 属地, 模型名称 or
//! 大模型名称, 备案单位, 备案号 or 备案编号, 备案时间; registrations carry
//! 上线编号). Headers are
//! matched by name, tolerating white space, line breaks and full-width
//! forms inside header cells; a title row above the header is skipped; every
//! sheet of a workbook that has the regime's columns is read. This module is
//! pure: it turns records into [`NewFiling`]s, and the store writes them.

pub mod attachment;
pub mod diff;
pub mod document;
pub mod docx;
pub mod pdf;
pub mod sniff;

use crate::input::header::{self, fold_header};
use crate::input::{InputError, Table};
use crate::model::{text_enum, FilingFields, NewFiling, Regime};

text_enum! {
    /// What `registry export` writes.
    pub enum ExportFormat ("export format") {
        Csv = "csv",
        Json = "json",
    }
}

/// A field of a published list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Seq,
    Item,
    Company,
    Number,
    Role,
    Product,
    Purpose,
    Region,
    Date,
    Remark,
}

impl Field {
    /// The header as the lists print it, used in messages and exports.
    pub fn header(self, regime: Regime) -> &'static str {
        match (self, regime) {
            (Field::Seq, _) => "序号",
            (Field::Item, Regime::DeepSynthesis) => "算法名称",
            (Field::Item, Regime::Genai) => "模型名称",
            (Field::Company, Regime::DeepSynthesis) => "主体名称",
            (Field::Company, Regime::Genai) => "备案单位",
            (Field::Number, Regime::DeepSynthesis) => "备案编号",
            (Field::Number, Regime::Genai) => "备案号",
            (Field::Role, _) => "角色",
            (Field::Product, _) => "应用产品",
            (Field::Purpose, _) => "主要用途",
            (Field::Region, _) => "属地",
            (Field::Date, _) => "备案时间",
            (Field::Remark, _) => "备注",
        }
    }

    /// Header spellings accepted for the field, folded (see [`fold_header`]).
    fn names(self, regime: Regime) -> &'static [&'static str] {
        match (self, regime) {
            (Field::Seq, _) => &["序号", "编号", "no"],
            (Field::Item, Regime::DeepSynthesis) => &["算法名称", "算法"],
            (Field::Item, Regime::Genai) => &[
                "模型名称",
                "服务名称",
                "大模型名称",
                "生成式人工智能服务名称",
                "应用名称",
                "功能名称",
                "应用或功能名称",
                "应用功能名称",
            ],
            (Field::Company, Regime::DeepSynthesis) => &["主体名称", "备案主体", "主体"],
            (Field::Company, Regime::Genai) => &[
                "备案单位",
                "企业名称",
                "主体名称",
                "单位名称",
                "公司名称",
                "备案主体",
                "登记单位",
            ],
            (Field::Number, Regime::DeepSynthesis) => &["备案编号", "备案号"],
            (Field::Number, Regime::Genai) => &["备案号", "备案编号", "上线编号", "登记编号"],
            (Field::Role, _) => &["角色"],
            // 适用场景 of the on-device models' table (苹果手机).
            (Field::Product, _) => &["应用产品", "产品", "适用场景"],
            (Field::Purpose, _) => &["主要用途", "用途"],
            (Field::Region, _) => &["属地", "地区", "省份"],
            (Field::Date, _) => &[
                "备案时间",
                "备案日期",
                "上线时间",
                "上线日期",
                "登记时间",
                "登记日期",
            ],
            (Field::Remark, _) => &["备注"],
        }
    }

    /// The fields a list of the regime must have.
    fn required(regime: Regime) -> &'static [Field] {
        match regime {
            Regime::DeepSynthesis => &[Field::Item, Field::Company, Field::Number],
            Regime::Genai => &[Field::Item, Field::Company, Field::Number],
        }
    }

    const ALL: &'static [Field] = &[
        Field::Seq,
        Field::Item,
        Field::Company,
        Field::Number,
        Field::Role,
        Field::Product,
        Field::Purpose,
        Field::Region,
        Field::Date,
        Field::Remark,
    ];
}

/// Why a list could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{file}: no sheet has the {regime} list's columns; missing {missing} (headers found: {headers}); is this a {regime} list? (--regime)")]
    MissingColumn {
        file: String,
        regime: Regime,
        missing: String,
        headers: String,
    },
    #[error("{location}: {message}")]
    Row { location: String, message: String },
    #[error("{file}: the list has no filings")]
    Empty { file: String },
}

/// Cleans a cell: trimmed, inner line breaks joined (`ChatGLM生成\n算法`).
fn cell(s: &str) -> String {
    let joined: String = s
        .split(['\r', '\n'])
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("");
    joined.trim_matches(|c: char| c.is_whitespace()).to_string()
}

/// `2023/8/31`, `2023.8.31`, `2023年8月31日` → `2023-08-31`; anything else
/// is kept as written.
fn iso_date(s: &str) -> String {
    let parts: Vec<&str> = s
        .split(['/', '-', '.', '年', '月', '日', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    if let [y, m, d] = parts[..] {
        if let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
            if let Some(date) = crate::date::Date::new(y, m, d) {
                return date.to_string();
            }
        }
    }
    s.to_string()
}

fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// The column of each field in a header row, if the row is a header.
fn layout(header: &[String], regime: Regime) -> Vec<(Field, usize)> {
    let folded: Vec<String> = header.iter().map(|h| fold_header(h)).collect();
    let mut out = Vec::new();
    for &f in Field::ALL {
        let names = f.names(regime);
        // Exact names first, in order of preference.
        if let Some(i) = names
            .iter()
            .find_map(|n| folded.iter().position(|h| h == n))
        {
            if !out.iter().any(|&(_, j)| j == i) {
                out.push((f, i));
            }
        }
    }
    out
}

fn has_required(l: &[(Field, usize)], regime: Regime) -> bool {
    Field::required(regime)
        .iter()
        .all(|f| l.iter().any(|(g, _)| g == f))
}

/// Reads the filings of every table that has the regime's columns.
/// `file` names the input in messages.
pub fn read_tables(
    file: &str,
    tables: Vec<Table>,
    regime: Regime,
) -> Result<Vec<NewFiling>, ImportError> {
    let mut rows = Vec::new();
    let mut best_headers: Option<(usize, Vec<String>)> = None;
    let mut any_fit = false;
    for table in tables {
        let sheet = match &table.format {
            crate::input::InputFormat::Csv { .. } => None,
            crate::input::InputFormat::Xlsx { sheet }
            | crate::input::InputFormat::Xlsb { sheet }
            | crate::input::InputFormat::Xls { sheet }
            | crate::input::InputFormat::Ods { sheet } => Some(sheet.clone()),
        };
        let mut table = table;
        let mut first = header::first_records(&mut table)?;
        let records = table.records;
        let found = header::find(first.iter().map(|r| r.fields.as_slice()), |row| {
            Some(layout(row, regime)).filter(|l| has_required(l, regime))
        });
        let Some((at, cols)) = found else {
            // Remember the most promising header of any sheet for the
            // error message.
            if let Some(r) = first.iter().max_by_key(|r| layout(&r.fields, regime).len()) {
                let score = layout(&r.fields, regime).len();
                if best_headers.as_ref().is_none_or(|(s, _)| score > *s) {
                    best_headers = Some((score, r.fields.clone()));
                }
            }
            continue;
        };
        any_fit = true;
        let where_ = |line: u64| match &sheet {
            Some(s) => format!("{file}[{s}]:{line}"),
            None => format!("{file}:{line}"),
        };
        let rest = first.split_off(at + 1);
        let all = rest.into_iter().map(Ok).chain(records);
        for r in all {
            let r = r?;
            let get = |f: Field| -> String {
                cols.iter()
                    .find(|(g, _)| *g == f)
                    .and_then(|&(_, i)| r.fields.get(i))
                    .map(|s| cell(s))
                    .unwrap_or_default()
            };
            let row = FilingFields {
                seq: opt(get(Field::Seq)),
                company: get(Field::Company),
                item: get(Field::Item),
                filing_no: opt(get(Field::Number)),
                role: opt(get(Field::Role)),
                product: opt(get(Field::Product)),
                purpose: opt(get(Field::Purpose)),
                region: opt(get(Field::Region)),
                filed_on: opt(iso_date(&get(Field::Date))),
                remark: opt(get(Field::Remark)),
            };
            if row.company.is_empty() && row.item.is_empty() && row.filing_no.is_none() {
                // A note or total row under the table.
                continue;
            }
            if row.item.is_empty() || row.company.is_empty() {
                return Err(ImportError::Row {
                    location: where_(r.line),
                    message: format!(
                        "the row has no {}; every filing names its {} and its {}",
                        if row.item.is_empty() {
                            Field::Item.header(regime)
                        } else {
                            Field::Company.header(regime)
                        },
                        Field::Item.header(regime),
                        Field::Company.header(regime)
                    ),
                });
            }
            rows.push(NewFiling::listed(regime, row, where_(r.line)));
        }
    }
    if !any_fit {
        let headers = best_headers.map(|(_, h)| h).unwrap_or_default();
        let have = layout(&headers, regime);
        let missing: Vec<&str> = Field::required(regime)
            .iter()
            .filter(|f| !have.iter().any(|(g, _)| g == *f))
            .map(|f| f.header(regime))
            .collect();
        return Err(ImportError::MissingColumn {
            file: file.to_string(),
            regime,
            missing: missing.join(", "),
            headers: if headers.is_empty() {
                "none".to_string()
            } else {
                headers
                    .iter()
                    .map(|h| format!("{:?}", h.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        });
    }
    if rows.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    Ok(rows)
}

/// The title rows above the header of each table (a row with one
/// filled cell, such as 「广东省生成式人工智能服务已备案信息(截至2024年3月)」),
/// for the list's date and title.
pub fn title_rows(tables: Vec<Table>) -> Result<Vec<String>, ImportError> {
    let mut out = Vec::new();
    for mut table in tables {
        for r in header::first_records(&mut table)? {
            let filled: Vec<&String> = r.fields.iter().filter(|c| !c.trim().is_empty()).collect();
            if let [only] = filled[..] {
                out.push(cell(only));
            }
        }
    }
    Ok(out)
}

/// The header row of an export of `regime`, in the published layout.
pub fn export_header(regime: Regime) -> Vec<&'static str> {
    let fields: &[Field] = match regime {
        Regime::DeepSynthesis => &[
            Field::Seq,
            Field::Item,
            Field::Role,
            Field::Company,
            Field::Product,
            Field::Purpose,
            Field::Number,
            Field::Remark,
        ],
        Regime::Genai => &[
            Field::Seq,
            Field::Region,
            Field::Item,
            Field::Company,
            Field::Number,
            Field::Date,
            Field::Remark,
        ],
    };
    fields.iter().map(|f| f.header(regime)).collect()
}

/// A row of an export, matching [`export_header`]: the listed cells, and
/// `seq` as the 序号 (the row's place in the export).
pub fn export_record(regime: Regime, seq: usize, r: &FilingFields) -> Vec<String> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    match regime {
        Regime::DeepSynthesis => vec![
            seq.to_string(),
            r.item.clone(),
            o(&r.role),
            r.company.clone(),
            o(&r.product),
            o(&r.purpose),
            o(&r.filing_no),
            o(&r.remark),
        ],
        Regime::Genai => vec![
            seq.to_string(),
            o(&r.region),
            r.item.clone(),
            r.company.clone(),
            o(&r.filing_no),
            o(&r.filed_on),
            o(&r.remark),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{from_reader, ReadOptions};

    fn table(text: &str) -> Vec<Table> {
        vec![from_reader(
            "list.csv",
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            &ReadOptions::default(),
        )
        .unwrap()]
    }

    #[test]
    fn deep_synthesis_layout_with_a_title_and_wrapped_header() {
        let text = "境内深度合成服务算法备案清单（2023年6月）,,,,,,,\n序号,算法名称,角色,主体名称,应用产品,主要用途,\"备案\n编号\",备注\n1,\"ChatGLM生成\n算法\",服务提供者,北京智谱华章科技有限公司,智谱清言,文本生成,网信算备110108105858001230019号,\n";
        let rows = read_tables("list.csv", table(text), Regime::DeepSynthesis).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.item, "ChatGLM生成算法");
        let r = &r.fields;
        assert_eq!(r.company, "北京智谱华章科技有限公司");
        assert_eq!(
            r.filing_no.as_deref(),
            Some("网信算备110108105858001230019号")
        );
        assert_eq!(r.role.as_deref(), Some("服务提供者"));
        assert_eq!(r.remark, None);
        // The wrapped header cell spans lines 2 and 3.
        assert_eq!(rows[0].location, "list.csv:4");
    }

    #[test]
    fn genai_layout() {
        // As reproduced from the national lists: 大模型名称, 备案编号, 备案时间.
        let text = "序号,属地,大模型名称,备案单位,备案编号,备案时间\n87,国资委,九天自然语言交互大模型,中国移动通信有限公司,ZhongYangQiYe-JiuTian-20240123,2024/2/7\n";
        let rows = read_tables("g.csv", table(text), Regime::Genai).unwrap();
        let r = &rows[0].fields;
        assert_eq!(r.seq.as_deref(), Some("87"));
        assert_eq!(r.region.as_deref(), Some("国资委"));
        assert_eq!(r.item, "九天自然语言交互大模型");
        assert_eq!(
            r.filing_no.as_deref(),
            Some("ZhongYangQiYe-JiuTian-20240123")
        );
        assert_eq!(r.filed_on.as_deref(), Some("2024-02-07"));
        let text = "序号,属地,模型名称,备案单位,备案号\n1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821\n";
        let rows = read_tables("g.csv", table(text), Regime::Genai).unwrap();
        let r = &rows[0].fields;
        assert_eq!(r.region.as_deref(), Some("北京市"));
        assert_eq!(r.filing_no.as_deref(), Some("Beijing-WenXinYiYan-20230821"));
    }

    #[test]
    fn a_missing_column_is_named() {
        let text = "序号,算法名称,角色,应用产品\n1,x,y,z\n";
        let err = read_tables("d.csv", table(text), Regime::DeepSynthesis).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("missing 主体名称, 备案编号"), "{msg}");
        assert!(msg.contains("\"应用产品\""), "{msg}");
    }

    #[test]
    fn rows_need_item_and_company() {
        let text = "算法名称,主体名称,备案编号\nA,,网信算备110108105858001230019号\n";
        let err = read_tables("d.csv", table(text), Regime::DeepSynthesis).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("d.csv:2: the row has no 主体名称"),
            "{err}"
        );
    }

    #[test]
    fn export_round_trips_through_the_reader() {
        for regime in [Regime::Genai, Regime::DeepSynthesis] {
            let row = FilingFields {
                seq: Some("1".into()),
                company: "公司".into(),
                item: "模型".into(),
                filing_no: Some("N".into()),
                role: (regime == Regime::DeepSynthesis).then(|| "服务提供者".into()),
                region: (regime == Regime::Genai).then(|| "北京".into()),
                filed_on: (regime == Regime::Genai).then(|| "2024-02-07".into()),
                ..FilingFields::default()
            };
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(export_header(regime)).unwrap();
            w.write_record(export_record(regime, 1, &row)).unwrap();
            let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
            let back = read_tables("e.csv", table(&text), regime).unwrap();
            assert_eq!(back[0], NewFiling::listed(regime, row, "e.csv:2".into()));
        }
    }
}
