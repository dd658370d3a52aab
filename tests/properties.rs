//! Property tests (proptest) for the pure functions every input goes
//! through, on arbitrary Unicode and on strings built to hit their special
//! cases.
//!
//! Example-based tests check the names we thought of; these check what the
//! code claims for every string: the normaliser is idempotent on the key,
//! core and region (as `src/normalize.rs` documents), the matcher never
//! panics and gives a verdict consistent with its matches, a parsed filing
//! number survives a round trip through its canonical form, and the policy
//! parser never panics. A list row, a query or a policy file can hold any
//! text, so "any string" is the domain, not a stress test.
//!
//! Failures are not persisted (no `proptest-regressions/` files); a failure
//! prints the shrunk input, which belongs in an example test.

use std::sync::OnceLock;

use filing_check::audit::policy;
use filing_check::filing_no;
use filing_check::matcher::{Matcher, Verdict, STRONG};
use filing_check::model::{Regime, RegimeFilter};
use filing_check::normalize::normalize;
use filing_check::registry::{Location, Registry};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Enough cases to cover the targeted strategies' combinations while
/// keeping the whole file to a few seconds in a debug build; set
/// `PROPTEST_CASES` for a longer hunt.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Pieces names are made of: CJK names, full-width forms, brackets, legal
/// forms, region markers, weak words, traditional characters (some whose
/// simplification depends on the next character), punctuation and ASCII.
const PIECES: &[&str] = &[
    // CJK names and items
    "智谱",
    "华章",
    "百度",
    "文心一言",
    "腾讯",
    "混元",
    "商汤",
    "阿里",
    "通义千问",
    "星火",
    "盘古",
    "月之暗面",
    "讯飞",
    // traditional
    "騰訊",
    "訊飛",
    "乾",
    "燥",
    "著",
    "後",
    "髮",
    "麵",
    "臺",
    "裡",
    "雲",
    "於",
    // full-width forms
    "ＭｉｎｉＭａｘ",
    "ＡＩ",
    "ＧＬＭ",
    "１２３",
    "（",
    "）",
    "，",
    "：",
    "　",
    // brackets
    "(",
    ")",
    "[",
    "]",
    "【",
    "】",
    "《",
    "》",
    "「",
    "」",
    "“",
    "”",
    // legal forms
    "有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团",
    "分公司",
    "控股有限公司",
    "Co., Ltd.",
    "Co.,Ltd",
    " Inc.",
    " Limited",
    " Group",
    " LLC",
    " GmbH",
    // regions
    "北京",
    "上海",
    "北京市",
    "深圳",
    "广东省",
    "杭州",
    "香港",
    "中国",
    "(深圳)",
    "（北京）",
    "【上海】",
    "[杭州]",
    // weak words
    "大模型",
    "大语言模型",
    "模型",
    "算法",
    "生成算法",
    "科技",
    "技术",
    "智能",
    "信息",
    "网络",
    "人工智能科技",
    "AI",
    "ai",
    "Tech",
    "Technology",
    // ASCII and separators
    "Open",
    "Mini",
    "Max",
    "GLM",
    "zhipu",
    "-",
    "_",
    ".",
    "·",
    " ",
    "%",
    "'",
    "\"",
    "\\",
    "4",
    "0",
    // odd characters
    "İ",
    "ß",
    "ẞ",
    "Ǆ",
    "K",
    "ﬁ",
    "①",
    "\u{301}",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\n",
    "\t",
];

/// A name assembled from [`PIECES`], with an arbitrary character now and
/// then.
fn name_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => prop::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|v| v.concat())
}

/// Any string: arbitrary scalar values, control characters included.
fn any_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter)
}

/// Names of both kinds, half and half.
fn names() -> impl Strategy<Value = String> {
    prop_oneof![name_like(), any_text(24)]
}

// ---------------------------------------------------------------------------
// Normaliser: `normalize(normalize(x).key)` agrees with `normalize(x)` on
// the key, core and region (module documentation of src/normalize.rs).
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn normalising_the_key_again_changes_nothing(s in names()) {
        let once = normalize(&s);
        let twice = normalize(&once.key);
        prop_assert_eq!(&twice.key, &once.key, "input {:?}", s);
    }

    #[test]
    fn the_core_of_the_key_is_the_core(s in names()) {
        let once = normalize(&s);
        let twice = normalize(&once.key);
        prop_assert_eq!(&twice.core, &once.core, "input {:?}", s);
        prop_assert_eq!(&twice.item_core, &once.item_core, "input {:?}", s);
    }

    #[test]
    fn keys_and_cores_hold_only_letters_digits_and_cjk(s in names()) {
        let n = normalize(&s);
        for part in [&n.key, &n.core, &n.item_core, &n.full] {
            prop_assert!(
                part.chars().all(|c| c.is_alphanumeric() || is_cjk(c)),
                "input {:?} gave {:?}", s, n
            );
        }
        // The core is the key with things taken away.
        prop_assert!(n.core.chars().count() <= n.key.chars().count(), "input {:?} gave {:?}", s, n);
    }
}

/// The CJK blocks the normaliser keeps (src/normalize.rs), assigned or not.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The region is not a property of the key: a bracketed marker is taken out
/// of the key and kept beside it (the module doc of src/normalize.rs).
#[test]
fn a_bracketed_region_is_kept_beside_the_key() {
    let n = normalize("商汤科技(深圳)");
    assert_eq!(n.key, "商汤科技");
    assert_eq!(n.region.as_deref(), Some("深圳"));
    assert_eq!(normalize(&n.key).region, None);
    // A leading region stays in the key, so normalising the key finds it.
    let n = normalize("北京智谱华章科技有限公司");
    assert_eq!(n.region.as_deref(), Some("北京"));
    assert_eq!(normalize(&n.key).region.as_deref(), Some("北京"));
}

// ---------------------------------------------------------------------------
// Matcher: never panics, and the verdict agrees with the matches.
// ---------------------------------------------------------------------------

/// The embedded registry's matcher, built once for all cases.
fn matcher() -> &'static Matcher {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let registry = REGISTRY.get_or_init(|| {
            Registry::load(&Location::Embedded).expect("the embedded registry loads")
        });
        Matcher::new(&registry.snapshot)
    })
}

/// Strings that are, or nearly are, filing numbers: they take the number
/// route through the matcher and the parser.
fn number_like() -> impl Strategy<Value = String> {
    let algorithm = (
        prop::sample::select(&["", "备案编号：", "备案号:", " "][..]),
        prop::sample::select(&["网信算备", "網信算備"][..]),
        prop::collection::vec(prop::char::range('0', '9'), 0..25),
        prop::sample::select(&["号", "", "號", " 号"][..]),
    )
        .prop_map(|(label, head, digits, tail)| {
            format!("{label}{head}{}{tail}", String::from_iter(digits))
        });
    let service = (
        prop::sample::select(
            &[
                "Beijing",
                "beijing",
                "Shanghai",
                "Guangdong",
                "ZhongYangQiYe",
                "InnerMongolia",
                "Nowhere",
                "",
            ][..],
        ),
        "[A-Za-z0-9.]{0,12}(-[A-Za-z0-9.]{1,6})?",
        "20[0-9]{2}(0[0-9]|1[0-3])[0-3][0-9]",
        prop::sample::select(&["", "0046", "S0054", "s0001", "12", "S12345"][..]),
    )
        .prop_map(|(region, name, date, tail)| format!("{region}-{name}-{date}{tail}"));
    prop_oneof![algorithm, service]
}

fn queries() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => name_like(),
        2 => any_text(24),
        1 => number_like(),
    ]
}

const FILTERS: [RegimeFilter; 3] = [
    RegimeFilter::Any,
    RegimeFilter::Only(Regime::Genai),
    RegimeFilter::Only(Regime::DeepSynthesis),
];

proptest! {
    #![proptest_config(config(384))]

    #[test]
    fn matching_never_panics_and_agrees_with_its_matches(q in queries()) {
        let m = matcher();
        for filter in FILTERS {
            let full = m.lookup(&q, filter);
            let brief = m.lookup_brief(&q, filter);
            // The brief lookup differs only in the explanation.
            prop_assert_eq!(full.verdict, brief.verdict, "query {:?}", q);
            prop_assert_eq!(&full.matches, &brief.matches, "query {:?}", q);
            match full.verdict {
                Verdict::Filed => {
                    prop_assert!(!full.matches.is_empty(), "filed without a match: {:?}", q);
                    let best = &full.matches[0];
                    prop_assert!(
                        best.score >= STRONG,
                        "filed on a weak match ({}) for {:?}", best.score, q
                    );
                }
                Verdict::NotFound => {
                    prop_assert!(
                        full.matches.is_empty(),
                        "not-found with matches for {:?}: {:?}", q, full.matches
                    );
                }
                Verdict::Review => {}
            }
            for w in full.matches.windows(2) {
                prop_assert!(w[0].score >= w[1].score, "matches not best first for {:?}", q);
            }
            for fm in &full.matches {
                prop_assert!((0.0..=1.0).contains(&fm.score), "score {} for {:?}", fm.score, q);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Filing numbers: parsing never panics; a parsed number's canonical form
// parses to the same number.
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn a_parsed_number_round_trips_through_its_canonical_form(
        s in prop_oneof![3 => number_like(), 1 => any_text(40), 1 => name_like()]
    ) {
        if let Ok(n) = filing_no::parse(&s) {
            let canonical = n.canonical();
            let again = filing_no::parse(&canonical);
            prop_assert!(again.is_ok(), "{:?} → {:?} does not parse: {:?}", s, canonical, again);
            let again = again.unwrap();
            prop_assert_eq!(again.key(), n.key(), "{:?} → {:?}", s, canonical);
            prop_assert_eq!(again.regime(), n.regime());
            prop_assert_eq!(again.canonical(), canonical);
        }
        // Whatever parses is shaped like a number.
        if filing_no::parse(&s).is_ok() {
            prop_assert!(filing_no::looks_like_number(&s), "{:?} parses but does not look like a number", s);
        }
    }
}

// ---------------------------------------------------------------------------
// Policy files: any text is a policy or an error, never a panic.
// ---------------------------------------------------------------------------

/// Lines a policy file is made of, valid and not.
const POLICY_LINES: &[&str] = &[
    "[gate]",
    "fail-on = [\"not-found\", \"mismatch\"]",
    "fail-on = [\"nonsense\"]",
    "fail-on = []",
    "fail-on = \"review\"",
    "require = \"genai\"",
    "require = \"both\"",
    "require = \"\"",
    "require = 7",
    "max-staleness-days = 30",
    "max-staleness-days = -1",
    "max-staleness-days = 99999999999999999999",
    "[[exceptions]]",
    "[exceptions]",
    "vendor = \"Anthropic\"",
    "vendor = \"'; DROP TABLE filings; --\"",
    "model = \"\"",
    "model = \"Claude\"",
    "reason = \"pilot\"",
    "approved-by = \"法务部\"",
    "expires = 2027-01-31",
    "expires = \"2027-02-30\"",
    "expires = \"9999-99-99\"",
    "expires = 2027-01-31T10:00:00Z",
    "expires = 10:00:00",
    "expires = 0001-01-01",
    "expires = \"\"",
    "unknown = 1",
    "# a comment",
    "",
    "\"",
    "[",
    "]]",
    "=",
    "\u{feff}",
    "\r",
];

fn policy_text() -> impl Strategy<Value = String> {
    let structured = prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(POLICY_LINES).prop_map(str::to_string),
            1 => any_text(12),
        ],
        0..14,
    )
    .prop_map(|lines| lines.join("\n"));
    prop_oneof![2 => structured, 1 => any_text(80)]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn a_policy_file_parses_or_fails_without_panicking(text in policy_text()) {
        match policy::parse(&text, "p.toml") {
            Ok(p) => {
                for e in &p.exceptions {
                    prop_assert!(e.vendor.is_some() || e.model.is_some());
                    prop_assert!(!e.reason.is_empty() && !e.approved_by.is_empty());
                }
            }
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(shown.starts_with("p.toml"), "error {:?} does not name the file", shown);
                if let Some(line) = e.line {
                    prop_assert!(line >= 1 && line <= text.split('\n').count(),
                        "error line {} outside the text's {} lines", line, text.split('\n').count());
                }
            }
        }
    }
}
