//! `filing-check <QUERY>...` as users run it: verdicts, regimes, exit codes,
//! the JSON shape and usage errors.

mod util;

use std::collections::BTreeSet;

use serde_json::Value;
use util::run;

fn items(result: &Value, regime: &str) -> BTreeSet<String> {
    result["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["regime"] == regime)
        .map(|m| m["item"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn zhipu_is_filed_under_both_regimes() {
    let r = run(&["--format", "json", "智谱AI"]);
    r.expect_code(0);
    let json = r.json();
    let result = &json["results"][0];
    assert_eq!(result["verdict"], "filed");
    assert_eq!(
        util::match_field(result, "regime"),
        BTreeSet::from(["genai".to_string(), "deep-synthesis".to_string()])
    );
    assert_eq!(
        items(result, "genai"),
        BTreeSet::from(["GLM大模型".to_string()])
    );
    let ds = items(result, "deep-synthesis");
    assert_eq!(ds.len(), 5, "{ds:?}");
    assert!(ds.contains("ChatGLM生成算法"));
    for m in result["matches"].as_array().unwrap() {
        assert_eq!(m["company"], "智谱AI");
        assert_eq!(m["match"], "exact");
    }
}

#[test]
fn zhipu_table_shows_the_evidence_and_the_sources() {
    let r = run(&["智谱AI"]);
    r.expect_code(0);
    assert!(r.stdout.contains("智谱AI: FILED"), "{}", r.stdout);
    r.expect_stdout_contains(&[
        "GLM大模型",
        "ChatGLM生成算法",
        "deep-synthesis",
        "2024-04",
        "qianzhan-2024-genai",
    ]);
}

#[test]
fn wenxin_yiyan_is_filed_under_genai_by_baidu() {
    let r = run(&["--format", "json", "文心一言"]);
    r.expect_code(0);
    let json = r.json();
    let result = &json["results"][0];
    assert_eq!(result["verdict"], "filed");
    let top = &result["matches"][0];
    assert_eq!(top["regime"], "genai");
    assert_eq!(top["company"], "百度");
    assert_eq!(top["item"], "文心一言");
}

#[test]
fn openai_is_not_found_and_the_output_says_what_that_means() {
    let r = run(&["Anthropic"]);
    r.expect_code(1);
    assert!(r.stdout.contains("NOT FOUND"), "{}", r.stdout);
    assert!(r.stdout.contains("as of 2024-04"), "{}", r.stdout);
    assert!(r.stdout.contains("partial"), "{}", r.stdout);
    assert!(r.stdout.contains("does not prove"), "{}", r.stdout);
}

#[test]
fn json_output_has_the_documented_shape() {
    let r = run(&["--format", "json", "科大讯飞", "Anthropic"]);
    r.expect_code(1);
    let json = r.json();
    let registry = &json["registry"];
    assert_eq!(registry["as_of"], "2024-04");
    assert!(!registry["sources"].as_array().unwrap().is_empty());
    for s in registry["sources"].as_array().unwrap() {
        assert!(s["title"].is_string() && s["as_of"].is_string(), "{s}");
        assert!(s["completeness"] == "partial" || s["completeness"] == "complete");
    }
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["query"], "科大讯飞");
    assert_eq!(results[0]["verdict"], "filed");
    assert_eq!(results[1]["query"], "Anthropic");
    assert_eq!(results[1]["verdict"], "not-found");
    assert_eq!(results[1]["matches"].as_array().unwrap().len(), 0);
    let m = &results[0]["matches"][0];
    for key in [
        "regime",
        "company",
        "item",
        "item_kind",
        "match",
        "score",
        "filing_no",
        "source",
        "as_of",
    ] {
        assert!(m.get(key).is_some(), "match lacks {key}: {m}");
    }
    let score = m["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score));
    assert!(m["filing_no"].is_null() || m["filing_no"].is_string());
    // Best first.
    let scores: Vec<f64> = results[0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn jsonl_prints_one_object_per_query() {
    let r = run(&["--format", "jsonl", "科大讯飞", "Anthropic", "文心一言"]);
    r.expect_code(1);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["verdict"], "not-found");
    assert_eq!(lines[2]["registry_as_of"], "2024-04");
}

#[test]
fn the_regime_filter_restricts_matches() {
    let r = run(&["--format", "json", "--regime", "genai", "智谱AI"]);
    r.expect_code(0);
    let result = &r.json()["results"][0];
    assert_eq!(
        util::match_field(result, "regime"),
        BTreeSet::from(["genai".to_string()])
    );

    // 百川智能 is listed under genai only.
    let r = run(&["--regime", "deep-synthesis", "百川智能"]);
    r.expect_code(1);
    assert!(r.stdout.contains("another regime"), "{}", r.stdout);
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let r = run(&["--bogus"]);
    r.expect_code(2);
    assert!(r.stderr.contains("--bogus"), "{}", r.stderr);
}

#[test]
fn bad_option_values_are_usage_errors() {
    let r = run(&["--regime", "llm", "智谱AI"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("genai, deep-synthesis, any"),
        "{}",
        r.stderr
    );
    let r = run(&["--format", "xml", "智谱AI"]);
    r.expect_code(2);
}

#[test]
fn an_empty_query_is_a_usage_error() {
    let r = run(&["智谱AI", "  "]);
    r.expect_code(2);
    assert!(r.stderr.contains("query 2 is empty"), "{}", r.stderr);
}

#[test]
fn no_arguments_print_help_and_fail() {
    let r = run(&[]);
    r.expect_code(2);
    assert!(r.stderr.contains("Usage"), "{}", r.stderr);
}

#[test]
fn a_query_after_double_dash_may_start_with_a_dash() {
    let r = run(&["--format", "json", "--", "-Anthropic"]);
    r.expect_code(1);
    assert_eq!(r.json()["results"][0]["query"], "-Anthropic");
}

#[test]
fn help_states_the_exit_codes() {
    let r = run(&["--help"]);
    r.expect_code(0);
    insta::assert_snapshot!("help", r.stdout);
}

#[test]
fn explain_shows_the_path_to_the_verdict() {
    let r = run(&["--explain", "智谱AI"]);
    r.expect_code(0);
    r.expect_stdout_contains(&[
        "explain:",
        "normalised: key \"智谱ai\"",
        "thresholds:",
        "candidates",
        "verdict:",
    ]);
    let r = run(&["--format", "json", "--explain", "智谱AI"]);
    let explain = &r.json()["results"][0]["explain"];
    assert_eq!(explain["key"], "智谱ai");
    assert!(explain["thresholds"]["strong"].as_f64().unwrap() > 0.5);
    assert!(!explain["candidates"].as_array().unwrap().is_empty());
}

/// A panic is a bug, reported as one: a one-line internal error with where
/// it happened, and exit 3, never Rust's 101.
#[test]
fn a_panic_is_an_internal_error_with_exit_3() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_filing-check"))
        .arg("智谱AI")
        .env("FILING_CHECK_TEST_PANIC", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("filing-check: internal error, please report it")
            && stderr.contains("src/main.rs:")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
}
