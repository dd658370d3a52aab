//! Finding the vendor, model and filing-number columns of a user's list.
//!
//! Lists come with headers in Chinese or English, sometimes under a title
//! row, with line breaks or full-width characters inside header cells.
//! Headers are recognised by keyword; `--vendor-col`, `--model-col` and
//! `--filing-col` name a column by header or by 1-based number instead.

use std::fmt;
use std::str::FromStr;

use crate::input::header::{self, fold_header};

/// Header keywords of a filing-number column (checked first: `备案单位` is a
/// vendor, `备案号` is not).
const NUMBER_WORDS: &[&str] = &[
    "备案号",
    "备案编号",
    "上线编号",
    "登记编号",
    "filingnumber",
    "filingno",
    "filingid",
    "registrationnumber",
    "registrationno",
];
/// Header keywords of a vendor column.
const VENDOR_WORDS: &[&str] = &[
    "供应商",
    "厂商",
    "厂家",
    "公司",
    "单位",
    "企业",
    "主体",
    "服务商",
    "提供者",
    "提供方",
    "机构",
    "vendor",
    "company",
    "supplier",
    "provider",
    "manufacturer",
    "organization",
    "organisation",
];
/// Header keywords of a model column.
const MODEL_WORDS: &[&str] = &[
    "模型",
    "产品",
    "服务",
    "算法",
    "应用",
    "model",
    "product",
    "service",
    "algorithm",
];

/// A column named on the command line: a header or a 1-based number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnSpec {
    Name(String),
    Index(usize),
}

impl FromStr for ColumnSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err("a column is a header name or a 1-based number".into());
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return match t.parse::<usize>() {
                Ok(0) | Err(_) => Err(format!("column numbers start at 1, got {t}")),
                Ok(n) => Ok(ColumnSpec::Index(n)),
            };
        }
        Ok(ColumnSpec::Name(t.to_string()))
    }
}

impl fmt::Display for ColumnSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnSpec::Name(n) => write!(f, "{n:?}"),
            ColumnSpec::Index(i) => write!(f, "{i}"),
        }
    }
}

/// The columns the user named, if any.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub vendor: Option<ColumnSpec>,
    pub model: Option<ColumnSpec>,
    pub number: Option<ColumnSpec>,
    /// The list has no header row: every record is data.
    pub no_header: bool,
}

/// Where the row's parts are (0-based field indexes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    pub vendor: Option<usize>,
    pub model: Option<usize>,
    pub number: Option<usize>,
}

impl Columns {
    fn any(&self) -> bool {
        self.vendor.is_some() || self.model.is_some()
    }
}

/// Why no columns could be chosen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    #[error("no vendor or model column among the headers: {}; name one with --vendor-col or --model-col (a header or a 1-based number)", list(.headers))]
    NoColumn { headers: Vec<String> },
    #[error("no column headed {name:?} (for {role}); headers: {}", list(.headers))]
    NoSuchHeader {
        role: &'static str,
        name: String,
        headers: Vec<String>,
    },
    #[error("column {index} (for {role}) is past the last column; the list has {width}")]
    PastEnd {
        role: &'static str,
        index: usize,
        width: usize,
    },
}

/// The headers as an error lists them: the first 20, each cut to 200
/// characters, and a count of the rest (a list may have millions of
/// columns, and a header cell megabytes).
fn list(headers: &[String]) -> String {
    const SHOWN: usize = 20;
    const CHARS: usize = 200;
    if headers.iter().all(|h| h.trim().is_empty()) {
        return "(none)".into();
    }
    let mut shown: Vec<String> = headers
        .iter()
        .take(SHOWN)
        .map(|h| {
            let h = h.trim();
            match h.char_indices().nth(CHARS - 1) {
                Some((end, _)) if h[end..].chars().nth(1).is_some() => {
                    format!("{:?}", format!("{}…", &h[..end]))
                }
                _ => format!("{h:?}"),
            }
        })
        .collect();
    if headers.len() > SHOWN {
        shown.push(format!("(and {} more)", headers.len() - SHOWN));
    }
    shown.join(", ")
}

/// The role a header cell's keywords suggest.
fn role_of(header: &str) -> Option<Role> {
    let h = fold_header(header);
    if h.is_empty() {
        return None;
    }
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if has(NUMBER_WORDS) {
        Some(Role::Number)
    } else if has(VENDOR_WORDS) {
        Some(Role::Vendor)
    } else if has(MODEL_WORDS) {
        Some(Role::Model)
    } else {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Vendor,
    Model,
    Number,
}

/// Words that make a header a name column (`供应商名称`, `产品全称`,
/// `Vendor Name`).
const NAME_WORDS: &[&str] = &["名称", "全称"];
const NAME_WORDS_EN: &[&str] = &["name"];

/// Words that make a vendor or model header something other than a name:
/// a code, a number, a type, a category, a scenario (`供应商编码`,
/// `服务类型`, `应用场景`, `Vendor ID`). English words count as whole words
/// (`Provider` is no `id`).
const NOT_A_NAME_WORDS: &[&str] = &["编码", "编号", "代码", "类型", "类别", "场景", "分类"];
const NOT_A_NAME_WORDS_EN: &[&str] = &["code", "id", "no", "number", "type", "category"];

/// How well a header of a vendor or model column names the thing: a name
/// column (2) over a plain one (1) over a code, type or scenario (0).
fn name_rank(header: &str) -> u8 {
    let h = fold_header(header);
    let lower = header.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |zh: &[&str], en: &[&str]| {
        zh.iter().any(|w| h.contains(w)) || en.iter().any(|w| words.contains(w))
    };
    if has(NOT_A_NAME_WORDS, NOT_A_NAME_WORDS_EN) {
        0
    } else if has(NAME_WORDS, NAME_WORDS_EN) {
        2
    } else {
        1
    }
}

/// Recognises columns from one header row by keyword. For the vendor and
/// the model, a name column wins over a plain one, and a code, type or
/// scenario column is never chosen (`供应商编码,供应商名称,服务类型,产品名称`:
/// vendor 供应商名称, model 产品名称); among equals the first wins.
pub fn detect(header: &[String]) -> Columns {
    let mut c = Columns::default();
    let mut ranks = (0u8, 0u8);
    for (i, h) in header.iter().enumerate() {
        match role_of(h) {
            Some(Role::Number) => {
                c.number.get_or_insert(i);
            }
            Some(role @ (Role::Vendor | Role::Model)) => {
                let rank = name_rank(h);
                let (slot, best) = match role {
                    Role::Vendor => (&mut c.vendor, &mut ranks.0),
                    _ => (&mut c.model, &mut ranks.1),
                };
                if rank > *best {
                    *slot = Some(i);
                    *best = rank;
                }
            }
            None => {}
        }
    }
    c
}

/// Resolves a named column against the header row.
fn resolve(
    spec: &ColumnSpec,
    role: &'static str,
    header: Option<&[String]>,
    width: usize,
) -> Result<usize, ColumnError> {
    match spec {
        ColumnSpec::Index(i) if *i <= width => Ok(i - 1),
        ColumnSpec::Index(i) => Err(ColumnError::PastEnd {
            role,
            index: *i,
            width,
        }),
        ColumnSpec::Name(name) => {
            let want = fold_header(name);
            header
                .and_then(|h| h.iter().position(|x| fold_header(x) == want))
                .ok_or_else(|| ColumnError::NoSuchHeader {
                    role,
                    name: name.clone(),
                    headers: header.map(<[String]>::to_vec).unwrap_or_default(),
                })
        }
    }
}

/// Puts the columns the user named in place of the detected ones.
fn apply(
    o: &Overrides,
    c: &mut Columns,
    header: Option<&[String]>,
    width: usize,
) -> Result<(), ColumnError> {
    for (spec, role, slot) in [
        (&o.vendor, "vendor", &mut c.vendor),
        (&o.model, "model", &mut c.model),
        (&o.number, "filing number", &mut c.number),
    ] {
        if let Some(spec) = spec {
            *slot = Some(resolve(spec, role, header, width)?);
        }
    }
    Ok(())
}

/// Chooses the header row among the first records and the columns in it.
///
/// Returns the index (into `first`) of the header row — `None` with
/// `no_header` — and the columns. Without overrides, the header is the first
/// record in which a vendor or model column is recognised; with a column
/// named by header, the first record holding that name.
pub fn choose(
    first: &[Vec<String>],
    o: &Overrides,
) -> Result<(Option<usize>, Columns), ColumnError> {
    let width = first.iter().map(Vec::len).max().unwrap_or(0);
    if o.no_header {
        let mut c = Columns::default();
        apply(o, &mut c, None, width)?;
        if !c.any() {
            // A bare list of names: the first column.
            c.vendor = Some(0);
        }
        return Ok((None, c));
    }
    let named = |spec: &Option<ColumnSpec>| match spec {
        Some(ColumnSpec::Name(n)) => Some(fold_header(n)),
        _ => None,
    };
    let names: Vec<String> = [named(&o.vendor), named(&o.model), named(&o.number)]
        .into_iter()
        .flatten()
        .collect();
    let rows = || first.iter().map(Vec::as_slice);
    let filled = |row: &[String]| row.iter().filter(|c| !c.trim().is_empty()).count();
    let widest = rows()
        .take(header::HEADER_SEARCH_ROWS)
        .map(filled)
        .max()
        .unwrap_or(0);
    let header_at = if names.is_empty() {
        // The first row with a recognised column; a lone cell (a title
        // above the table) is a header only when no row has more cells.
        header::find(rows(), |row| {
            (detect(row).any() && (filled(row) >= 2 || widest < 2)).then_some(())
        })
    } else {
        header::find(rows(), |row| {
            names
                .iter()
                .all(|n| row.iter().any(|h| &fold_header(h) == n))
                .then_some(())
        })
    }
    .map(|(at, ())| at);
    // With only numbered overrides and no recognisable header, the first
    // record is the header.
    let all_indexed = [&o.vendor, &o.model, &o.number]
        .iter()
        .any(|s| matches!(s, Some(ColumnSpec::Index(_))))
        && names.is_empty();
    let header_at = match header_at {
        Some(i) => i,
        None if all_indexed && !first.is_empty() => 0,
        None => {
            let headers = first.first().cloned().unwrap_or_default();
            return Err(match (&o.vendor, &o.model, &o.number) {
                (Some(ColumnSpec::Name(n)), _, _) => ColumnError::NoSuchHeader {
                    role: "vendor",
                    name: n.clone(),
                    headers,
                },
                (_, Some(ColumnSpec::Name(n)), _) => ColumnError::NoSuchHeader {
                    role: "model",
                    name: n.clone(),
                    headers,
                },
                (_, _, Some(ColumnSpec::Name(n))) => ColumnError::NoSuchHeader {
                    role: "filing number",
                    name: n.clone(),
                    headers,
                },
                _ => ColumnError::NoColumn { headers },
            });
        }
    };
    let header = &first[header_at];
    let mut c = detect(header);
    let width = header.len().max(width);
    apply(o, &mut c, Some(header), width)?;
    if !c.any() {
        return Err(ColumnError::NoColumn {
            headers: header.clone(),
        });
    }
    Ok((Some(header_at), c))
}

#[cfg(test)]
mod tests {

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn name_columns_win_over_codes_types_and_scenarios() {
        let c = detect(&headers(&[
            "供应商编码",
            "供应商名称",
            "服务类型",
            "产品名称",
        ]));
        assert_eq!((c.vendor, c.model, c.number), (Some(1), Some(3), None));
        let c = detect(&headers(&[
            "Vendor ID",
            "Vendor Name",
            "Product Category",
            "Product",
        ]));
        assert_eq!((c.vendor, c.model), (Some(1), Some(3)));
        // A code column alone is no vendor; a plain one is.
        let c = detect(&headers(&["供应商编码", "应用场景"]));
        assert_eq!((c.vendor, c.model), (None, None));
        let c = detect(&headers(&["供应商", "模型", "备案编号"]));
        assert_eq!((c.vendor, c.model, c.number), (Some(0), Some(1), Some(2)));
        let c = detect(&headers(&["Provider", "Model"]));
        assert_eq!((c.vendor, c.model), (Some(0), Some(1)));
    }

    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_headers() {
        let h = row(&["序号", "供应商名称", "模型名称", "备案号", "备注"]);
        assert_eq!(
            detect(&h),
            Columns {
                vendor: Some(1),
                model: Some(2),
                number: Some(3)
            }
        );
        // The official list's own headers: 备案单位 is the vendor.
        let h = row(&["序号", "属地", "模型名称", "备案单位", "备案号"]);
        assert_eq!(
            detect(&h),
            Columns {
                vendor: Some(3),
                model: Some(2),
                number: Some(4)
            }
        );
        let h = row(&["算法名称", "角色", "主体名称", "应用产品", "备案编号"]);
        let c = detect(&h);
        assert_eq!((c.vendor, c.model, c.number), (Some(2), Some(0), Some(4)));
    }

    #[test]
    fn english_headers_and_variants() {
        let h = row(&["#", "Vendor Name", "AI Product", "Filing Number"]);
        assert_eq!(
            detect(&h),
            Columns {
                vendor: Some(1),
                model: Some(2),
                number: Some(3)
            }
        );
        // Line breaks and full-width letters inside a header cell.
        let h = row(&["供应商\n名称", "ＭＯＤＥＬ"]);
        assert_eq!((detect(&h).vendor, detect(&h).model), (Some(0), Some(1)));
    }

    #[test]
    fn header_below_a_title_row() {
        let rows = vec![
            row(&["2024年AI供应商清单", "", ""]),
            row(&["序号", "供应商", "产品"]),
            row(&["1", "智谱AI", "GLM"]),
        ];
        let (at, c) = choose(&rows, &Overrides::default()).unwrap();
        assert_eq!(at, Some(1));
        assert_eq!((c.vendor, c.model), (Some(1), Some(2)));
    }

    #[test]
    fn overrides_by_name_and_number() {
        let rows = vec![row(&["甲", "乙", "丙"]), row(&["1", "智谱AI", "GLM"])];
        let o = Overrides {
            vendor: Some("乙".parse().unwrap()),
            model: Some("3".parse().unwrap()),
            ..Overrides::default()
        };
        let (at, c) = choose(&rows, &o).unwrap();
        assert_eq!(at, Some(0));
        assert_eq!((c.vendor, c.model), (Some(1), Some(2)));
        let o = Overrides {
            vendor: Some("9".parse().unwrap()),
            ..Overrides::default()
        };
        assert!(matches!(
            choose(&rows, &o),
            Err(ColumnError::PastEnd { index: 9, .. })
        ));
        assert!("0".parse::<ColumnSpec>().is_err());
    }

    #[test]
    fn no_usable_column_lists_headers() {
        let rows = vec![row(&["序号", "联系人", "电话"]), row(&["1", "张三", "123"])];
        let err = choose(&rows, &Overrides::default()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"联系人\""), "{msg}");
        assert!(msg.contains("--vendor-col"), "{msg}");
    }

    #[test]
    fn no_header_means_first_column() {
        let rows = vec![row(&["智谱AI"]), row(&["百度"])];
        let o = Overrides {
            no_header: true,
            ..Overrides::default()
        };
        let (at, c) = choose(&rows, &o).unwrap();
        assert_eq!(at, None);
        assert_eq!(c.vendor, Some(0));
    }
}
