//! Name matching as a compliance officer relies on it: the forms people type
//! find the filer, and near-miss entities never come back `filed`.

mod util;

use std::collections::BTreeSet;

use serde_json::Value;
use util::run;

fn lookup(query: &str) -> Value {
    let r = run(&["--format", "json", query]);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    r.json()["results"][0].clone()
}

#[test]
fn legal_english_and_typo_forms_of_zhipu_are_filed_under_both_regimes() {
    for q in ["北京智谱华章科技有限公司", "Zhipu AI", "智普AI", "zhipu"] {
        let r = lookup(q);
        assert_eq!(r["verdict"], "filed", "{q}: {r}");
        assert_eq!(
            util::match_field(&r, "company"),
            BTreeSet::from(["智谱AI".to_string()]),
            "{q}"
        );
        assert_eq!(
            util::match_field(&r, "regime"),
            BTreeSet::from(["genai".to_string(), "deep-synthesis".to_string()]),
            "{q}"
        );
    }
}

#[test]
fn a_related_entity_is_not_filed_and_the_related_filings_are_shown() {
    for (q, related) in [("阿里健康", "阿里"), ("腾讯音乐", "腾讯")] {
        let r = lookup(q);
        assert_eq!(r["verdict"], "review", "{q}: {r}");
        let first = &r["matches"][0];
        assert_eq!(first["match"], "related", "{q}");
        assert_eq!(first["company"], related, "{q}");
    }
}

#[test]
fn full_width_and_traditional_forms_find_the_company() {
    for (q, company) in [
        ("ＭｉｎｉＭａｘ", "MiniMax"),
        ("騰訊混元", "腾讯"),
        ("科大訊飛", "科大讯飞"),
    ] {
        let r = lookup(q);
        assert_eq!(r["verdict"], "filed", "{q}: {r}");
        assert_eq!(r["matches"][0]["company"], company, "{q}");
    }
}

#[test]
fn a_vendor_and_a_model_together_match_the_pair() {
    let r = lookup("百度 文心一言");
    assert_eq!(r["verdict"], "filed");
    assert_eq!(r["matches"][0]["item"], "文心一言");
    assert_eq!(r["matches"][0]["rule"], "pair");
}

#[test]
fn homophone_and_romanised_forms_reach_the_chinese_name() {
    for q in ["迅飞", "xunfei", "iFlytek", "讯飞"] {
        let r = lookup(q);
        assert_eq!(r["verdict"], "filed", "{q}: {r}");
        assert_eq!(r["matches"][0]["company"], "科大讯飞", "{q}");
    }
}

#[test]
fn short_queries_match_only_exactly_through_an_alias_or_by_sound() {
    // One character of a filed name is not a match.
    let r = lookup("谱");
    assert_eq!(r["verdict"], "not-found", "{r}");
    // Two characters that merely share one with a filed name are not either.
    let r = lookup("智能");
    assert_ne!(r["verdict"], "filed", "{r}");
}

#[test]
fn explain_names_the_rule_the_alias_and_the_thresholds() {
    let r = run(&["--explain", "Zhipu AI"]);
    r.expect_code(0);
    r.expect_stdout_contains(&[
        "english_name",
        "key",
        "thresholds",
        "0.90",
        "verdict: alias match",
    ]);
}

#[test]
fn the_labelled_query_set_meets_the_quality_bar() {
    let r = run(&[
        "eval",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/queries.csv"),
        "--format",
        "json",
    ]);
    let report = r.json();
    let misses = serde_json::to_string_pretty(&report["misses"]).unwrap();
    assert!(
        report["cases"].as_u64().unwrap() >= 250,
        "{}",
        report["cases"]
    );
    assert!(report["negatives"].as_u64().unwrap() >= 100);
    assert_eq!(
        report["negatives_filed"], 0,
        "negatives came back filed:\n{misses}"
    );
    let rate = report["positive_rate"].as_f64().unwrap();
    assert!(
        rate >= 0.97,
        "positive rate {rate:.3} < 0.97; misses:\n{misses}"
    );
    r.expect_code(0);
}

#[test]
fn eval_of_a_broken_file_names_the_file_and_line() {
    let dir = util::Dir::new();
    let path = dir.join("bad.csv");
    std::fs::write(
        &path,
        "query,expected_verdict,expected_company,expected_regimes\n智谱AI,filed,智谱AI,genai\nx,perhaps,,\n",
    )
    .unwrap();
    let r = dir.run(&["eval", path.to_str().unwrap()]);
    r.expect_code(2);
    assert!(r.stderr.contains("bad.csv:3"), "{}", r.stderr);
}
