//! Filing numbers: telling a well-formed number from a typo or an invention.
//!
//! Vendors print their numbers on product pages and in contracts, and
//! procurement lists copy them. Two kinds exist:
//!
//! - the **algorithm 备案编号** of the deep-synthesis regime:
//!   `网信算备` + 21 digits + `号`, e.g. `网信算备110108823483901230031号`.
//!   The first six digits are the filer's administrative region code
//!   (GB/T 2260); we check the province part against `registry/regions.csv`.
//!   Every published number we have seen has 21 digits.
//! - the **generative-AI 备案号**: region pinyin, a name, and the date, e.g.
//!   `Beijing-WenXinYiYan-20230821`; since 2024 a 4-digit sequence follows
//!   the date (`Shanghai-MiniMax-202505230046`). Central state-owned
//!   enterprises use `ZhongYangQiYe` for the region. A registration's
//!   **上线编号** has `S` before the sequence:
//!   `Guangdong-Dr.GDCDC-20260706S0054`.
//!
//! Pure functions: parsing never touches the registry; whether a number is
//! *real* is a lookup the caller makes with [`FilingNumber::key`].

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use crate::model::Regime;

/// The province-level region table, as data.
/// The region table, as compiled in.
pub(crate) const REGIONS_CSV: &str = include_str!("../registry/regions.csv");

/// The digits an algorithm number carries between `网信算备` and `号`.
pub const ALGORITHM_DIGITS: usize = 21;

/// A province-level region (GB/T 2260).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// Two-digit province code, e.g. `11`.
    pub code: String,
    /// Chinese name, e.g. `北京`.
    pub name: String,
    /// Pinyin as used in generative-AI numbers, e.g. `Beijing`.
    pub pinyin: String,
    /// Other spellings seen in numbers (`InnerMongolia`).
    pub also: Vec<String>,
}

/// A parsed, well-formed filing number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilingNumber {
    /// Deep-synthesis algorithm 备案编号.
    Algorithm {
        digits: String,
        /// The province of the region code.
        region: Region,
    },
    /// Generative-AI 备案号 or 上线编号.
    Service {
        region: Region,
        /// The name part, e.g. `WenXinYiYan`.
        name: String,
        /// `YYYY-MM-DD`.
        date: String,
        /// The sequence after the date, if any (`0046`).
        sequence: Option<String>,
        /// A registration's 上线编号 (`…S0054`), not a filing's 备案号.
        registration: bool,
    },
}

/// Why a string is not a well-formed filing number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("empty filing number")]
    Empty,
    #[error("{given:?} is neither an algorithm number (网信算备 + {ALGORITHM_DIGITS} digits + 号) nor a generative-AI number (Region-Name-YYYYMMDD[NNNN], or …YYYYMMDDSNNNN for a registration)")]
    Unrecognised { given: String },
    #[error("{given:?} is a number Excel wrote in scientific notation, which has lost the filing number's digits; format the column as text (or paste the numbers as text) and export the list again")]
    ScientificNotation { given: String },
    #[error("{given:?} has {found} digits; algorithm numbers have {ALGORITHM_DIGITS}")]
    DigitCount { given: String, found: usize },
    #[error("{given:?} starts with region code {code}, which is no province (GB/T 2260)")]
    UnknownRegionCode { given: String, code: String },
    #[error("{given:?} starts with {region:?}, which is no province's pinyin")]
    UnknownRegionName { given: String, region: String },
    #[error("{given:?} carries the date {date}, which is not a valid date from 2023 on")]
    BadDate { given: String, date: String },
}

impl FilingNumber {
    /// The regime this kind of number belongs to.
    pub fn regime(&self) -> Regime {
        match self {
            FilingNumber::Algorithm { .. } => Regime::DeepSynthesis,
            FilingNumber::Service { .. } => Regime::Genai,
        }
    }

    /// Whether this is a registration's 上线编号 (`…S0054`), which the list
    /// of registrations holds, not the list of filings.
    pub fn is_registration(&self) -> bool {
        matches!(
            self,
            FilingNumber::Service {
                registration: true,
                ..
            }
        )
    }

    /// The province the number names.
    pub fn region(&self) -> &Region {
        match self {
            FilingNumber::Algorithm { region, .. } | FilingNumber::Service { region, .. } => region,
        }
    }

    /// The earliest date a list could hold this number: a service number's
    /// date; for an algorithm number, the first day after the year its
    /// digits carry (`网信算备110108823483901230031号`: 23, so 2023 — any day of
    /// it), when it can be read.
    pub fn listed_by(&self) -> Option<crate::date::Date> {
        match self {
            FilingNumber::Service { date, .. } => crate::date::Date::parse(date),
            FilingNumber::Algorithm { digits, .. } => {
                let year: i32 = digits.get(15..17)?.parse().ok()?;
                crate::date::Date::new(2000 + year + 1, 1, 1)
            }
        }
    }

    /// The number as it should be written.
    pub fn canonical(&self) -> String {
        match self {
            FilingNumber::Algorithm { digits, .. } => format!("网信算备{digits}号"),
            FilingNumber::Service { .. } => self.service_text(false),
        }
    }

    /// A comparison key: two spellings of one number have the same key
    /// (case and the region's spelling do not matter).
    pub fn key(&self) -> String {
        match self {
            FilingNumber::Algorithm { digits, .. } => digits.clone(),
            FilingNumber::Service { .. } => self.service_text(true),
        }
    }

    /// `Region-Name-YYYYMMDD[S]NNNN`, as written or in lower case.
    fn service_text(&self, lower: bool) -> String {
        let FilingNumber::Service {
            region,
            name,
            date,
            sequence,
            registration,
        } = self
        else {
            return String::new();
        };
        let text = format!(
            "{}-{}-{}{}{}",
            region.pinyin,
            name,
            date.replace('-', ""),
            if *registration { "S" } else { "" },
            sequence.as_deref().unwrap_or("")
        );
        if lower {
            text.to_lowercase()
        } else {
            text
        }
    }
}

/// The key a listed number is compared on: its parsed key when well
/// formed, else its folded text (lists do hold malformed numbers); `None`
/// when empty.
pub fn compare_key(listed: &str) -> Option<String> {
    let n = listed.trim();
    (!n.is_empty()).then(|| parse(n).map_or_else(|_| crate::normalize::fold(n), |p| p.key()))
}

/// The region table, parsed once.
pub fn regions() -> &'static [Region] {
    static REGIONS: OnceLock<Vec<Region>> = OnceLock::new();
    REGIONS.get_or_init(|| parse_regions(REGIONS_CSV))
}

/// Parses `registry/regions.csv` (`code,name,pinyin,also,source`; `also`
/// separated by `;`). The file is compiled in and tested, so a malformed
/// line is skipped rather than reported.
fn parse_regions(text: &str) -> Vec<Region> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter(|r| r.len() >= 4)
        .map(|r| Region {
            code: r[0].to_string(),
            name: r[1].to_string(),
            pinyin: r[2].to_string(),
            also: r[3]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        })
        .collect()
}

/// Whether a text may hold a filing number at all: a cheap test before
/// [`find_in`]. Every number has at least eight digits (an algorithm
/// number 21, a service number its date), ASCII or full-width.
pub fn may_hold_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut digits = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // ０-９ are EF BC 90 … EF BC 99 in UTF-8.
        let full_width =
            (0x90..=0x99).contains(&b) && i >= 2 && bytes[i - 2] == 0xEF && bytes[i - 1] == 0xBC;
        if b.is_ascii_digit() || full_width {
            digits += 1;
            if digits >= 8 {
                return true;
            }
        }
    }
    false
}

/// The filing numbers written inside free text (a remark cell, a vendor's
/// page that says `算法备案号：网信算备…号；大模型备案号：Beijing-…`), in the
/// order they appear, as written there; each may still be malformed (see
/// [`parse`]).
pub fn find_in(text: &str) -> Vec<String> {
    static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        regex::Regex::new(concat!(
            // 网信算备 + digits (+ 号), in simplified or traditional script,
            // full-width digits and spaces allowed.
            r"[网網]\s*信\s*算\s*[备備][\s0-9０-９]{6,40}[号號]?",
            "|",
            // Region-Name-YYYYMMDD[NNNN | SNNNN], not inside a longer word.
            // (ASCII word boundaries: CJK text around a number is no word.)
            r"(?-u:\b)[A-Za-z]{4,20}-[A-Za-z0-9.]+(?:-[A-Za-z0-9.]+)*-[0-9]{8}(?:[Ss]?[0-9]{4})?(?-u:\b)",
        ))
        .expect("the filing-number pattern compiles")
    });
    let mut found: Vec<String> = Vec::new();
    for m in pattern.find_iter(text) {
        let number = m.as_str().trim().to_string();
        if !found.contains(&number) {
            found.push(number);
        }
    }
    found
}

/// Whether the text is shaped like a filing number at all (as opposed to a
/// name): used to route a query to the number lookup.
pub fn looks_like_number(s: &str) -> bool {
    let s = clean(s);
    s.starts_with("网信算备") || service_parts(&s).is_some()
}

/// Parses a filing number, tolerating full-width characters, white space, a
/// leading label (`备案号：`) and lower case.
pub fn parse(given: &str) -> Result<FilingNumber, NumberError> {
    let s = clean(given);
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    if is_scientific(&s) {
        return Err(NumberError::ScientificNotation {
            given: given.to_string(),
        });
    }
    if let Some(rest) = s.strip_prefix("网信算备") {
        let digits = rest.strip_suffix('号').unwrap_or(rest);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumberError::Unrecognised {
                given: given.to_string(),
            });
        }
        if digits.len() != ALGORITHM_DIGITS {
            return Err(NumberError::DigitCount {
                given: given.to_string(),
                found: digits.len(),
            });
        }
        let code = &digits[..2];
        let region = regions()
            .iter()
            .find(|r| !r.code.is_empty() && r.code == code)
            .cloned()
            .ok_or_else(|| NumberError::UnknownRegionCode {
                given: given.to_string(),
                code: digits[..6].to_string(),
            })?;
        return Ok(FilingNumber::Algorithm {
            digits: digits.to_string(),
            region,
        });
    }
    let Some((region_text, name, stamp)) = service_parts(&s) else {
        return Err(NumberError::Unrecognised {
            given: given.to_string(),
        });
    };
    let region = regions()
        .iter()
        .find(|r| {
            r.pinyin.eq_ignore_ascii_case(region_text)
                || r.also.iter().any(|a| a.eq_ignore_ascii_case(region_text))
        })
        .cloned()
        .ok_or_else(|| NumberError::UnknownRegionName {
            given: given.to_string(),
            region: region_text.to_string(),
        })?;
    let (date, rest) = stamp.split_at(8);
    let (registration, sequence) = match rest.strip_prefix(['S', 's']) {
        Some(seq) => (true, seq),
        None => (false, rest),
    };
    let iso = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..8]);
    if !valid_date(&iso) {
        return Err(NumberError::BadDate {
            given: given.to_string(),
            date: date.to_string(),
        });
    }
    Ok(FilingNumber::Service {
        region,
        name: name.to_string(),
        date: iso,
        sequence: (!sequence.is_empty()).then(|| sequence.to_string()),
        registration,
    })
}

/// `1.10108823483901E+20`: a long number as Excel displays (and exports)
/// it once the column is no longer text.
fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(mantissa),
    };
    mantissa_ok && digits(exponent)
}

/// Traditional forms of the characters an algorithm number is written with.
fn simplified(c: char) -> char {
    match c {
        '網' => '网',
        '備' => '备',
        '號' => '号',
        // The middle dot of a service name (`YingPu·DaoYanZhuShou`), as
        // Japanese and bullet fonts write it.
        '・' | '•' | '‧' | '∙' => '·',
        other => other,
    }
}

/// NFKC, simplified, no white space, no leading label or colon.
fn clean(s: &str) -> String {
    let s: String = s
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(simplified)
        .collect();
    let mut rest = s.as_str();
    for label in [
        "生成式人工智能服务备案号",
        "备案编号",
        "备案号",
        "上线编号",
        "编号",
    ] {
        if let Some(r) = rest.strip_prefix(label) {
            rest = r;
            break;
        }
    }
    rest.trim_start_matches(':').to_string()
}

/// Splits `Region-Name-YYYYMMDD[NNNN]` (or `…YYYYMMDDSNNNN`) into its
/// parts: the region is ASCII letters, the name ASCII letters, digits, dots
/// and middle dots (`YingPu·DaoYanZhuShou`, as the 2026 lists print a
/// product named 影谱·导演助手) and may itself hold hyphens, the stamp 8
/// digits, then optionally 4 digits or `S` and 4 digits.
fn service_parts(s: &str) -> Option<(&str, &str, &str)> {
    let (region, rest) = s.split_once('-')?;
    let (name, stamp) = rest.rsplit_once('-')?;
    let word = |t: &str| {
        !t.is_empty()
            && !t.starts_with('·')
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '·')
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let stamp_ok = stamp.len() >= 8
        && stamp.is_char_boundary(8)
        && digits(&stamp[..8])
        && match &stamp[8..] {
            "" => true,
            seq if seq.len() == 4 => digits(seq),
            seq if seq.len() == 5 => seq.starts_with(['S', 's']) && digits(&seq[1..]),
            _ => false,
        };
    let ok = !region.is_empty()
        && region.bytes().all(|b| b.is_ascii_alphabetic())
        && name.split('-').all(word)
        && stamp_ok;
    ok.then_some((region, name, stamp))
}

/// A calendar date `YYYY-MM-DD` from 2023 (the first year of filings) on.
fn valid_date(iso: &str) -> bool {
    crate::date::Date::parse(iso).is_some_and(|d| d.year >= 2023)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_service_name_with_a_middle_dot_is_a_number() {
        // 影谱·导演助手's registration, as the 2026-02 list prints it.
        let n = parse("Shaanxi-YingPu·DaoYanZhuShou-20260126S0006").unwrap();
        assert!(n.is_registration());
        assert_eq!(n.key(), "shaanxi-yingpu·daoyanzhushou-20260126s0006");
        assert!(looks_like_number(
            "Shaanxi-YingPu·DaoYanZhuShou-20260126S0006"
        ));
        // The same dot as other fonts write it, and full-width letters.
        for other in [
            "Shaanxi-YingPu・DaoYanZhuShou-20260126S0006",
            "Shaanxi-YingPu•DaoYanZhuShou-20260126S0006",
            "Ｓhaanxi-YingPu·DaoYanZhuShou-20260126S0006",
        ] {
            assert_eq!(parse(other).unwrap().key(), n.key(), "{other}");
        }
        // A name is still no number, and a dot alone is no service name.
        assert!(!looks_like_number("舒压伴·PressGuard"));
        assert!(parse("Shaanxi-·-20260126S0006").is_err());
    }

    #[test]
    fn a_number_excel_wrote_in_scientific_notation_says_how_to_fix_it() {
        let err = parse("1.10108823483901E+20").unwrap_err();
        assert!(matches!(err, NumberError::ScientificNotation { .. }));
        assert!(
            err.to_string().contains("format the column as text"),
            "{err}"
        );
        // A genuine number with an E in its name is no such thing.
        assert!(parse("Beijing-E-20230821").is_ok());
        assert!(matches!(
            parse("1E+20").unwrap_err(),
            NumberError::ScientificNotation { .. }
        ));
    }

    #[test]
    fn numbers_are_found_inside_free_text() {
        let page = "算法备案号：网信算备110108823483901230031号；大模型备案号：Beijing-DeepseekChat-202404280016。";
        assert_eq!(
            find_in(page),
            vec![
                "网信算备110108823483901230031号".to_string(),
                "Beijing-DeepseekChat-202404280016".to_string()
            ]
        );
        let spaced = "備案：網信算備 1101 0882 3483 9012 3003 1 號";
        let found = find_in(spaced);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            parse(&found[0]).unwrap().canonical(),
            "网信算备110108823483901230031号"
        );
        assert!(find_in("智谱AI 与 文心一言 2023-08-21").is_empty());
        // Not inside a longer word; a registration's S is kept.
        assert_eq!(
            find_in("x:Guangdong-Dr.GDCDC-20260706S0054"),
            vec!["Guangdong-Dr.GDCDC-20260706S0054".to_string()]
        );
    }

    use super::*;

    #[test]
    fn region_table_has_every_province() {
        let r = regions();
        assert_eq!(r.iter().filter(|x| !x.code.is_empty()).count(), 34);
        assert!(r.iter().any(|x| x.code == "11" && x.pinyin == "Beijing"));
        assert!(r.iter().any(|x| x.code == "44" && x.name == "广东"));
    }

    #[test]
    fn algorithm_numbers() {
        let n = parse("网信算备110108823483901230031号").unwrap();
        assert_eq!(n.regime(), Regime::DeepSynthesis);
        assert_eq!(n.canonical(), "网信算备110108823483901230031号");
        let FilingNumber::Algorithm { region, .. } = &n else {
            panic!("not an algorithm number")
        };
        assert_eq!(region.name, "北京");
        // Full-width digits, a label and spaces are tolerated.
        let m = parse("备案编号： 网信算备１１０１０８８２３４８３９０１２３００３１号").unwrap();
        assert_eq!(m.key(), n.key());
    }

    #[test]
    fn algorithm_number_errors() {
        assert!(matches!(
            parse("网信算备11010882348390123003号"),
            Err(NumberError::DigitCount { found: 20, .. })
        ));
        assert!(matches!(
            parse("网信算备990108823483901230031号"),
            Err(NumberError::UnknownRegionCode { .. })
        ));
        assert!(matches!(
            parse("网信算备11010882348390123003X号"),
            Err(NumberError::Unrecognised { .. })
        ));
    }

    #[test]
    fn service_numbers() {
        let n = parse("Beijing-WenXinYiYan-20230821").unwrap();
        assert_eq!(n.regime(), Regime::Genai);
        assert_eq!(n.canonical(), "Beijing-WenXinYiYan-20230821");
        let m = parse("Shanghai-MiniMax-202505230046").unwrap();
        let FilingNumber::Service { date, sequence, .. } = &m else {
            panic!("not a service number")
        };
        assert_eq!(date, "2025-05-23");
        assert_eq!(sequence.as_deref(), Some("0046"));
        // Capitalisation differs across published numbers.
        assert_eq!(
            parse("ZheJiang-TongYiQianWen-20230901").unwrap().key(),
            parse("Zhejiang-tongyiqianwen-20230901").unwrap().key()
        );
    }

    #[test]
    fn registration_and_central_enterprise_numbers() {
        let n = parse("Guangdong-Dr.GDCDC-20260706S0054").unwrap();
        let FilingNumber::Service {
            registration,
            sequence,
            ..
        } = &n
        else {
            panic!("not a service number")
        };
        assert!(*registration);
        assert_eq!(sequence.as_deref(), Some("0054"));
        assert_eq!(n.canonical(), "Guangdong-Dr.GDCDC-20260706S0054");
        let n = parse("ZhongYangQiYe-JiuTian-20240123").unwrap();
        assert_eq!(n.regime(), Regime::Genai);
        // The central-enterprise row has no GB/T 2260 code to match.
        assert!(parse("网信算备000108823483901230031号").is_err());
    }

    #[test]
    fn service_number_errors() {
        assert!(matches!(
            parse("Atlantis-Foo-20230821"),
            Err(NumberError::UnknownRegionName { .. })
        ));
        assert!(matches!(
            parse("Beijing-Foo-20231345"),
            Err(NumberError::BadDate { .. })
        ));
        assert!(matches!(
            parse("Beijing-Foo-20220101"),
            Err(NumberError::BadDate { .. })
        ));
        assert!(matches!(
            parse("Beijing-Foo-2023082"),
            Err(NumberError::Unrecognised { .. })
        ));
        assert_eq!(parse("  "), Err(NumberError::Empty));
    }

    #[test]
    fn names_are_not_numbers() {
        assert!(!looks_like_number("智谱AI"));
        assert!(!looks_like_number("GPT-4o"));
        assert!(looks_like_number("Beijing-WenXinYiYan-20230821"));
        assert!(looks_like_number("网信算备123号"));
    }
}
