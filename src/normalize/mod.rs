//! Name normalisation: turning the many ways people write a company or model
//! name into comparable keys.
//!
//! Pure functions, no I/O. The steps, in order:
//!
//! 1. **Unicode NFKC**: full-width letters and digits become ASCII
//!    (`ＭｉｎｉＭａｘ` → `MiniMax`), compatibility forms are unified.
//! 2. **Traditional → simplified Chinese** (OpenCC `t2s`): `騰訊混元` → `腾讯混元`.
//! 3. **Case folding**: `MiniMax` → `minimax`.
//! 4. **Bracketed region markers** are taken out and remembered:
//!    `商汤科技(深圳)` → region `深圳`.
//! 5. **Punctuation, quotes, brackets and white space are removed**
//!    (`“” 《》 「」 () （） · - _ .` and the like): only letters, digits and
//!    CJK characters remain.
//! 6. **Legal forms are removed** wherever they end the name: 股份有限公司,
//!    有限责任公司, 有限公司, 集团, `co ltd`, `inc`… They never tell two
//!    companies apart. The result is the name's **key**. (控股, a holding,
//!    stays: 腾讯控股有限公司 is not the 腾讯 company that filed.)
//! 7. **A leading region marker** (北京, 上海, 杭州…) is taken off the key and
//!    remembered, as long as at least two characters remain.
//! 8. **Weak tokens** — generic model words (大模型, 大语言模型, 模型, 算法,
//!    生成算法…) and generic company words (科技, 技术, 智能, 信息, AI…) —
//!    are removed to give the **core**, unless that would leave fewer than two
//!    characters. They are weak, not meaningless: the matcher compares keys
//!    first and treats a match on cores alone as a (strong) fuzzy match.
//!
//! Every step is idempotent, so `normalize(normalize(x).key)` has the same
//! key and core as `normalize(x)` (a property test checks it). The region is
//! not: a bracketed region marker is taken out of the key (step 4), so the
//! key alone no longer says it.

pub mod legal_name;

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// The version of the rules below (and of the filing-number keys of
/// `filing_no`, which the name index stores too). A registry file keeps the
/// name index its names gave under these rules; when they change, an old
/// index would find other names than a fresh one, so it is not used (and is
/// rebuilt on the next write). Bump it with any change to what
/// [`normalize`], [`pinyin`] or `FilingNumber::key` returns; the test
/// `version_pins_the_rules` fails until you do.
pub const VERSION: u32 = 3;

/// A name reduced to comparable parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameKey {
    /// Folded, without punctuation and legal forms (step 6).
    pub key: String,
    /// The key without the leading region marker and weak tokens (step 8).
    pub core: String,
    /// Like `core`, but only generic *model* words removed: what an item
    /// name is compared on, so that `盘古智能` (a company) is not `盘古` (a model).
    pub item_core: String,
    /// Folded and without punctuation, legal forms still in (step 5).
    pub full: String,
    /// The region marker found, if any (bracketed or leading).
    pub region: Option<String>,
    /// The weak tokens removed from the key to give the core, in order.
    pub weak: Vec<&'static str>,
}

/// Legal-form suffixes, longest first so the longest match is taken.
const LEGAL_FORMS: &[&str] = &[
    "集团股份有限公司",
    "集团有限责任公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "公司",
    "集团",
    "corporation",
    "colimited",
    "coltd",
    "limited",
    "company",
    "group",
    "corp",
    "inc",
    "ltd",
    "llc",
    "plc",
    "gmbh",
];

/// Region markers that may lead a legal name or be bracketed in it.
/// Provinces, municipalities and the cities where AI companies register.
pub const REGIONS: &[&str] = &[
    "北京市",
    "上海市",
    "天津市",
    "重庆市",
    "深圳市",
    "广州市",
    "杭州市",
    "南京市",
    "苏州市",
    "成都市",
    "武汉市",
    "西安市",
    "合肥市",
    "珠海市",
    "厦门市",
    "长沙市",
    "济南市",
    "青岛市",
    "宁波市",
    "无锡市",
    "北京",
    "上海",
    "天津",
    "重庆",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "合肥",
    "珠海",
    "厦门",
    "长沙",
    "济南",
    "青岛",
    "宁波",
    "无锡",
    "广东省",
    "浙江省",
    "江苏省",
    "安徽省",
    "四川省",
    "湖北省",
    "湖南省",
    "山东省",
    "福建省",
    "广东",
    "浙江",
    "江苏",
    "安徽",
    "四川",
    "湖北",
    "湖南",
    "山东",
    "福建",
    "香港",
    "中国",
];

/// Generic words of model and algorithm names, longest first.
const WEAK_MODEL_WORDS: &[&str] = &[
    "大语言模型",
    "语言大模型",
    "内容生成算法",
    "生成式",
    "大模型算法",
    "生成算法",
    "合成算法",
    "大模型",
    "语言模型",
    "模型",
    "算法",
];

/// Generic words of company names. Stripped only at the end of a name.
const WEAK_COMPANY_WORDS: &[&str] = &[
    "人工智能科技",
    "智能科技",
    "信息技术",
    "网络技术",
    "科技",
    "技术",
    "智能",
    "信息",
    "网络",
    "软件",
    "technologies",
    "technology",
    "tech",
    "ai",
];

fn t2s() -> Option<&'static ferrous_opencc::OpenCC> {
    static CONVERTER: OnceLock<Option<ferrous_opencc::OpenCC>> = OnceLock::new();
    CONVERTER
        .get_or_init(|| {
            ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s).ok()
        })
        .as_ref()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Steps 1–3: NFKC, traditional → simplified, lower case.
pub fn fold(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    let simplified = if nfkc.chars().any(is_cjk) {
        // OpenCC's table maps some characters to ones it maps again (薴 →
        // 苧 → 苎): converting until nothing changes makes folding idempotent.
        t2s().map_or(nfkc.clone(), |cc| {
            let mut text = cc.convert(&nfkc);
            for _ in 0..4 {
                let again = cc.convert(&text);
                if again == text {
                    break;
                }
                text = again;
            }
            text
        })
    } else {
        nfkc
    };
    simplified.to_lowercase()
}

/// Keeps letters, digits and CJK characters (step 5). What remains is
/// composed again: taking out a hyphen can bring together characters that
/// compose (Hangul jamo, a letter and a combining mark), and without this a
/// second normalisation would change the key.
fn strip_punctuation(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|c| c.is_alphanumeric() || is_cjk(*c))
        .collect();
    // The input is already composed (step 1); only taking characters out
    // can bring composable ones together, so only then is it recomposed.
    if kept.len() == s.len() || kept.is_ascii() {
        kept
    } else {
        kept.nfkc().collect()
    }
}

/// Step 4: takes `(深圳)`-style region markers out of a folded name.
fn take_bracketed_region(s: &str) -> (String, Option<String>) {
    for &(open, close) in &[('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if let Some(start) = s.find(open) {
            if let Some(len) = s[start + open.len_utf8()..].find(close) {
                let inner = &s[start + open.len_utf8()..start + open.len_utf8() + len];
                let inner_t = inner.trim();
                if REGIONS.contains(&inner_t) {
                    let mut rest = String::with_capacity(s.len());
                    rest.push_str(&s[..start]);
                    rest.push_str(&s[start + open.len_utf8() + len + close.len_utf8()..]);
                    return (rest, Some(canonical_region(inner_t)));
                }
            }
        }
    }
    (s.to_string(), None)
}

/// `北京市` and `北京` are one region.
fn canonical_region(r: &str) -> String {
    r.trim_end_matches(['市', '省']).to_string()
}

/// Step 6: removes legal-form suffixes until none is left.
fn strip_legal_forms(mut s: String) -> String {
    loop {
        let before = s.len();
        for form in LEGAL_FORMS {
            if s.len() > form.len() && s.ends_with(form) {
                s.truncate(s.len() - form.len());
                break;
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

/// Step 7: a leading region marker, when at least two characters remain.
fn take_leading_region(s: &str) -> (String, Option<String>) {
    for r in REGIONS {
        if let Some(rest) = s.strip_prefix(r) {
            if rest.chars().count() >= 2 {
                return (rest.to_string(), Some(canonical_region(r)));
            }
        }
    }
    (s.to_string(), None)
}

/// Step 8: removes weak tokens, keeping at least two characters.
fn strip_model_words(s: &str, removed: &mut Vec<&'static str>) -> String {
    let mut out = s.to_string();
    for w in WEAK_MODEL_WORDS {
        // A substring search is costly to set up; most names lack the
        // word's first character, which a plain character scan rules out.
        if !w.chars().next().is_some_and(|c| out.contains(c)) {
            continue;
        }
        while let Some(pos) = out.find(w) {
            let mut next = String::with_capacity(out.len());
            next.push_str(&out[..pos]);
            next.push_str(&out[pos + w.len()..]);
            if next.chars().count() < 2 {
                break;
            }
            out = next;
            removed.push(*w);
        }
    }
    out
}

/// Company words at the end, repeatedly, keeping at least two characters.
fn strip_company_words(s: &str, removed: &mut Vec<&'static str>) -> String {
    let mut out = s.to_string();
    loop {
        let mut changed = false;
        for w in WEAK_COMPANY_WORDS {
            if let Some(rest) = out.strip_suffix(w) {
                if rest.chars().count() >= 2 && !ends_inside_ascii_word(rest, w) {
                    out = rest.to_string();
                    removed.push(*w);
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            return out;
        }
    }
}

/// `ai` at the end of `openai`'s `open` is part of a word, not a token: an
/// ASCII weak word only counts when a non-ASCII character precedes it.
fn ends_inside_ascii_word(rest: &str, word: &str) -> bool {
    word.is_ascii()
        && rest
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Normalises a name: see the module documentation for the steps.
pub fn normalize(name: &str) -> NameKey {
    let folded = fold(name);
    let (unbracketed, bracket_region) = take_bracketed_region(&folded);
    let key = strip_legal_forms(strip_punctuation(&unbracketed));
    let (after_region, lead_region) = take_leading_region(&key);
    let mut weak = Vec::new();
    let item_core = strip_model_words(&after_region, &mut weak);
    let core = strip_company_words(&item_core, &mut weak);
    NameKey {
        region: bracket_region.or(lead_region),
        full: strip_punctuation(&unbracketed),
        key,
        core,
        item_core,
        weak,
    }
}

/// The key two spellings of a name are compared on wherever names are
/// identified outside the matcher (exceptions, baselines, imports, diffs):
/// the normalised key, or the folded text when the key is empty (a name of
/// punctuation only).
pub fn compare_key(s: &str) -> String {
    let k = normalize(s).key;
    if k.is_empty() {
        fold(s.trim())
    } else {
        k
    }
}

/// Cell values that say "nothing here" (a list's 未公开 for an undisclosed
/// model, a user's N/A): never a name to match.
const PLACEHOLDERS: &[&str] = &[
    "-",
    "--",
    "—",
    "——",
    "/",
    "\\",
    "?",
    "？",
    "n/a",
    "na",
    "none",
    "null",
    "nil",
    "tbd",
    "无",
    "暂无",
    "待定",
    "未知",
    "不详",
    "空",
    "未公开",
    "未披露",
];

/// Whether a cell says "nothing here" rather than naming something.
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim().to_lowercase();
    PLACEHOLDERS.contains(&t.as_str()) || normalize(&t).key.is_empty()
}

/// Whether a core is nothing but a generic word (科技, 智能, 模型, 北京…):
/// what is left of a name that has no name in it (北京科技). Such a core
/// matches only a name that is exactly it, never by sound or likeness.
pub fn is_generic(core: &str) -> bool {
    WEAK_COMPANY_WORDS.contains(&core)
        || WEAK_MODEL_WORDS.contains(&core)
        || REGIONS.contains(&core)
        || legal_name::is_industry_word(core)
}

/// The query with its numbers written the other way, when it has any:
/// digits next to CJK characters as Chinese numerals (`第4范式` →
/// `第四范式`), or, in a query without digits, runs of two or more Chinese
/// numerals as digits (`三六零智脑` → `360智脑`).
pub fn numeral_variant(query: &str) -> Option<String> {
    const CN: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let chars: Vec<char> = query.chars().collect();
    if chars.iter().any(|c| c.is_ascii_digit()) {
        if !chars.iter().copied().any(is_cjk) {
            return None;
        }
        let out: String = chars
            .iter()
            .map(|&c| match c.to_digit(10) {
                Some(d) if c.is_ascii_digit() => CN[d as usize],
                _ => c,
            })
            .collect();
        return Some(out);
    }
    let digit = |c: char| CN.iter().position(|&n| n == c);
    let mut out = String::with_capacity(query.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|&&c| digit(c).is_some())
            .count();
        if run >= 2 {
            for &c in &chars[i..i + run] {
                out.push(char::from(b'0' + digit(c).unwrap_or(0) as u8));
            }
            changed = true;
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// The product names of a deep-synthesis filing's 应用产品 cell: the cell
/// lists them separated by 、 or commas, each with what it is in brackets
/// (`可灵AI(APP)、可灵AI(网站)`), sometimes ending in 等. Names of one
/// character are dropped.
pub fn product_names(cell: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for part in cell.split(['、', '，', ',', '；', ';', '/', '\n']) {
        let mut name = part.trim();
        loop {
            let before = name.len();
            name = name.trim_end_matches('等').trim_end();
            for (open, close) in [('(', ')'), ('（', '）')] {
                if name.ends_with(close) {
                    if let Some(at) = name.rfind(open) {
                        name = name[..at].trim_end();
                    }
                }
            }
            if name.len() == before {
                break;
            }
        }
        if name.chars().count() >= 2 && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The toneless pinyin of a string's CJK characters, other characters kept:
/// `智谱ai` → `zhipuai`. Each character takes its most common reading.
pub fn pinyin(s: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::with_capacity(s.len() * 3);
    for c in s.chars() {
        match c.to_pinyin() {
            Some(p) => out.push_str(p.plain()),
            None => out.push(c),
        }
    }
    out
}

/// Whether a string has any CJK character.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names that exercise every rule: legal forms, regions (bracketed and
    /// leading), traditional characters, full-width forms, weak words,
    /// model words, English, punctuation, pinyin.
    const RULE_SAMPLES: &[&str] = &[
        "北京智谱华章科技有限公司",
        "智谱AI",
        "智谱清言",
        "百度在线网络技术（北京）有限公司",
        "（上海）稀宇科技有限公司",
        "上海人工智能实验室",
        "阿里巴巴集团控股有限公司",
        "騰訊科技（深圳）有限公司",
        "ＭｉｎｉＭａｘ",
        "Beijing Baidu Netcom Science & Technology Co., Ltd.",
        "OpenAI",
        "Ant Group",
        "云雀大模型算法",
        "文心一言",
        "讯飞星火认知大模型",
        "星火",
        "盘古智能",
        "商汤·日日新",
        "深度求索（DeepSeek）",
        "网易有道信息技术（北京）有限公司",
        "字节跳动",
        "北京字节跳动科技有限公司",
        "零一万物",
        "月之暗面 Kimi",
        "华为云计算技术有限公司",
        "中央企业",
        "zhipu",
        "',; DROP TABLE filings; --",
        "Ａ．Ｉ．",
        "ﬁ",
        "薴麻科技",
        "",
    ];

    /// Found by the property test: one pass of OpenCC turns 薴 into 苧, a
    /// second into 苎; folding must give the same text when done twice.
    #[test]
    fn folding_twice_is_folding_once() {
        for s in ["薴", "薴麻科技", "騰訊混元", "臺灣"] {
            assert_eq!(fold(&fold(s)), fold(s), "{s}");
        }
        assert_eq!(normalize("薴").core, normalize(&normalize("薴").key).core);
    }

    #[test]
    fn version_pins_the_rules() {
        // If this fails, what normalize() or pinyin() returns has changed: a
        // registry file's stored name index made by the old rules would find
        // other names. Bump VERSION (such indexes are then rebuilt, not
        // used) and record the new digest here.
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for s in RULE_SAMPLES {
            h.update(format!("{:?}|{}\n", normalize(s), pinyin(s)));
        }
        for n in [
            "网信算备110108823483901230031号",
            "网信算备 310104111111111111111 号",
            "Beijing-WenXinYiYan-20230821",
            "Guangdong-XiaoYi-202403140015",
            "Shanghai-XiaoYi-20240314S0015",
            "ZhongYangQiYe-ZhiHui-20240101",
        ] {
            let key = crate::filing_no::parse(n).map(|n| n.key());
            h.update(format!("{n}|{key:?}\n"));
        }
        let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            (VERSION, digest.as_str()),
            (
                3,
                "35e7152b6b319e3b0d0b7a674837e7bdcd774d62c35c55f79427f77afee60aa6"
            )
        );
    }

    fn key(s: &str) -> String {
        normalize(s).key
    }
    fn core(s: &str) -> String {
        normalize(s).core
    }

    #[test]
    fn keys_are_stable_when_removing_punctuation_brings_characters_together() {
        // Found by fuzzing (fuzz/artifacts-found/normalize).
        for s in ["α-\u{345}", "\u{1100}-\u{1161}", "\u{5BD}-\u{5B8}"] {
            let once = normalize(s);
            assert_eq!(normalize(&once.key).key, once.key, "{s:?}");
            assert_eq!(normalize(&once.key).core, once.core, "{s:?}");
        }
    }

    #[test]
    fn full_width_becomes_ascii_and_case_folds() {
        assert_eq!(key("ＭｉｎｉＭａｘ"), "minimax");
        assert_eq!(key("MiniMax"), "minimax");
    }

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(key("騰訊混元"), "腾讯混元");
        assert_eq!(key("訊飛"), "讯飞");
    }

    #[test]
    fn punctuation_quotes_and_brackets_go() {
        assert_eq!(key("“小爱同学”"), "小爱同学");
        assert_eq!(key("《文心一言》"), "文心一言");
        assert_eq!(key("Character GLM"), "characterglm");
        assert_eq!(key("书生·浦语"), "书生浦语");
        assert_eq!(key("WPS AI文本生成算法-1"), "wpsai文本生成算法1");
    }

    #[test]
    fn legal_forms_and_regions_go() {
        let n = normalize("北京智谱华章科技有限公司");
        assert_eq!(n.key, "北京智谱华章科技");
        assert_eq!(n.region.as_deref(), Some("北京"));
        assert_eq!(n.core, "智谱华章");
        let n = normalize("商汤科技(深圳)有限公司");
        assert_eq!(n.region.as_deref(), Some("深圳"));
        assert_eq!(n.key, "商汤科技");
        assert_eq!(key("科大讯飞股份有限公司"), "科大讯飞");
        assert_eq!(
            key("Beijing Zhipu Huazhang Technology Co., Ltd."),
            "beijingzhipuhuazhangtechnology"
        );
        assert_eq!(core("蚂蚁集团"), "蚂蚁");
    }

    #[test]
    fn a_region_is_not_taken_when_it_is_the_name() {
        assert_eq!(normalize("上海").core, "上海");
        assert_eq!(normalize("上海").region, None);
    }

    #[test]
    fn weak_words_leave_the_core() {
        assert_eq!(core("星火大模型"), "星火");
        assert_eq!(core("讯飞星火认知大模型算法"), "讯飞星火认知");
        assert_eq!(core("智谱AI"), "智谱");
        assert_eq!(core("OpenAI"), "openai");
        assert_eq!(core("商汤科技"), "商汤");
        // Never below two characters.
        assert_eq!(core("模型"), "模型");
        assert_eq!(core("快手"), "快手");
    }

    #[test]
    fn normalisation_is_idempotent_on_examples() {
        for s in [
            "北京智谱华章科技有限公司",
            "ＭｉｎｉＭａｘ",
            "騰訊混元",
            "商汤科技(深圳)有限公司",
            "讯飞星火认知大模型算法-SparkDesk",
            "“AI改简历”",
            "上海人工智能实验室",
            "",
            "   ",
        ] {
            let once = normalize(s);
            let twice = normalize(&once.key);
            assert_eq!(once.key, twice.key, "{s}");
            assert_eq!(once.core, twice.core, "{s}");
        }
    }

    #[test]
    fn pinyin_makes_homophones_equal() {
        assert_eq!(pinyin("智谱"), "zhipu");
        assert_eq!(pinyin("智普"), "zhipu");
        assert_eq!(pinyin("讯飞"), pinyin("迅飞"));
        assert_eq!(pinyin("智谱ai"), "zhipuai");
    }
}
