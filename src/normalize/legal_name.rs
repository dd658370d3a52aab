//! Chinese company names taken apart: region, trade name (字号), industry
//! words (行业) and legal form (组织形式).
//!
//! The official lists name the legal entity that filed
//! (北京深度求索人工智能基础技术研究有限公司); people name its trade name
//! (深度求索). A registered name is built as region + trade name + industry +
//! form (《企业名称登记管理规定》), so the trade name is what is left when the
//! region in front, the form at the end and the generic industry words
//! before the form are taken off. Only the trade name is a name of the
//! company: a fragment of it (华章 of 智谱华章) or the region and industry
//! alone (北京科技) are not.
//!
//! Pure functions over folded text (see [`super::fold`]).

use super::{canonical_region, strip_punctuation, take_bracketed_region, REGIONS};

/// Legal forms of a company, longest first. A name without one is not a
/// registered company name (a brand, a product, an institute).
const FORMS: &[&str] = &[
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
];

/// Generic industry words that stand between the trade name and the legal
/// form, longest first. Words that usually belong to a trade name (健康,
/// 教育, 汽车, 云…) are not here: taking them off would make two companies
/// one (阿里健康 is not 阿里).
const INDUSTRY: &[&str] = &[
    "人工智能",
    "计算机系统",
    "信息技术",
    "网络技术",
    "信息服务",
    "技术服务",
    "科技发展",
    "数字技术",
    "软件技术",
    "大数据",
    "互联网",
    "科技",
    "技术",
    "信息",
    "网络",
    "智能",
    "数字",
    "数据",
    "软件",
    "服务",
    "发展",
    "基础",
    "研究",
    "开发",
    "计算",
    "系统",
];

/// Whether `word` is one of the generic industry words.
pub fn is_industry_word(word: &str) -> bool {
    INDUSTRY.contains(&word)
}

/// A company name taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyName {
    /// The region, in front or bracketed (`北京`, `杭州` of `（杭州）`).
    pub region: Option<String>,
    /// The trade name (字号): `深度求索`.
    pub trade: String,
    /// The industry words after it: `人工智能基础技术研究`.
    pub industry: String,
    /// The legal form: `有限公司`.
    pub form: &'static str,
}

/// Takes a registered company name apart; `None` for a name without a
/// legal form, or one whose trade name would be under two characters or a
/// region or industry word itself.
pub fn parse(name: &str) -> Option<CompanyName> {
    let folded = super::fold(name);
    let (unbracketed, bracket_region) = take_bracketed_region(&folded);
    let s = strip_punctuation(&unbracketed);
    let form = FORMS
        .iter()
        .find(|f| s.len() > f.len() && s.ends_with(*f))?;
    let body = &s[..s.len() - form.len()];
    let (trade, lead_region) = trade_name_of(body)?;
    let industry = body[body.find(&trade)? + trade.len()..].to_string();
    Some(CompanyName {
        region: bracket_region.or(lead_region),
        trade,
        industry,
        form,
    })
}

/// The trade name of a folded name without its legal form (a key: `北京深度
/// 求索人工智能基础技术研究` → `深度求索`), and the region taken off the
/// front; `None` when what remains is not a trade name.
pub fn trade_name(key: &str) -> Option<String> {
    trade_name_of(key).map(|(t, _)| t)
}

fn trade_name_of(body: &str) -> Option<(String, Option<String>)> {
    let mut rest = body;
    let mut region = None;
    for r in REGIONS {
        if let Some(after) = rest.strip_prefix(r) {
            if after.chars().count() >= 2 {
                rest = after;
                region = Some(canonical_region(r));
            }
            break;
        }
    }
    loop {
        let before = rest.len();
        for w in INDUSTRY {
            if let Some(r) = rest.strip_suffix(w) {
                if r.chars().count() >= 2 {
                    rest = r;
                    break;
                }
            }
        }
        if rest.len() == before {
            break;
        }
    }
    let plausible = rest.chars().count() >= 2
        && !rest.chars().all(|c| c.is_ascii_digit())
        && !REGIONS.contains(&rest)
        && !INDUSTRY.contains(&rest)
        && rest.chars().any(|c| c.is_alphabetic());
    plausible.then(|| (rest.to_string(), region))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(name: &str) -> Option<String> {
        parse(name).map(|c| c.trade)
    }

    #[test]
    fn the_trade_name_is_what_region_industry_and_form_leave() {
        for (name, want) in [
            ("北京深度求索人工智能基础技术研究有限公司", "深度求索"),
            ("北京智谱华章科技有限公司", "智谱华章"),
            ("北京智谱华章科技股份有限公司", "智谱华章"),
            ("上海阶跃星辰智能科技有限公司", "阶跃星辰"),
            ("北京月之暗面科技有限公司", "月之暗面"),
            ("深圳市腾讯计算机系统有限公司", "腾讯"),
            ("阿里健康科技（杭州）有限公司", "阿里健康"),
            ("华为云计算技术有限公司", "华为云"),
            ("小米科技有限责任公司", "小米"),
            ("北京抖音信息服务有限公司", "抖音"),
            ("三六零科技集团有限公司", "三六零"),
            ("宇树科技股份有限公司", "宇树"),
        ] {
            assert_eq!(trade(name).as_deref(), Some(want), "{name}");
        }
    }

    #[test]
    fn the_parts_are_kept() {
        let c = parse("阿里健康科技（杭州）有限公司").unwrap();
        assert_eq!(c.region.as_deref(), Some("杭州"));
        assert_eq!(c.industry, "科技");
        assert_eq!(c.form, "有限公司");
        let c = parse("北京深度求索人工智能基础技术研究有限公司").unwrap();
        assert_eq!(c.region.as_deref(), Some("北京"));
        assert_eq!(c.industry, "人工智能基础技术研究");
    }

    #[test]
    fn names_without_a_trade_name_have_none() {
        for name in [
            "北京科技有限公司",
            "上海智能科技有限公司",
            "科技有限公司",
            "中国科学院自动化研究所",
            "上海人工智能实验室",
            "智谱AI",
            "",
        ] {
            assert_eq!(trade(name), None, "{name}");
        }
    }

    #[test]
    fn a_key_without_a_form_gives_its_trade_name() {
        assert_eq!(trade_name("深度求索人工智能").as_deref(), Some("深度求索"));
        assert_eq!(trade_name("北京科技"), None);
        assert_eq!(trade_name("华章").as_deref(), Some("华章"));
    }
}
