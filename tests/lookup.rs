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
    // The seed's row and the official filing it describes, side by side.
    let genai = items(result, "genai");
    assert!(
        genai.contains("GLM大模型") && genai.contains("智谱清言（ChatGLM）"),
        "{genai:?}"
    );
    let ds = items(result, "deep-synthesis");
    assert!(
        ds.contains("ChatGLM生成算法") && ds.contains("智谱ChatGLM生成算法"),
        "{ds:?}"
    );
    for m in result["matches"].as_array().unwrap() {
        let company = m["company"].as_str().unwrap();
        assert!(company.starts_with("北京智谱华章科技"), "{m}");
        assert!(m["match"] == "exact" || m["match"] == "alias", "{m}");
    }
}

#[test]
fn zhipu_table_shows_the_evidence_and_the_sources() {
    let r = run(&["智谱AI"]);
    r.expect_code(0);
    assert!(r.stdout.contains("智谱AI: FILED"), "{}", r.stdout);
    r.expect_stdout_contains(&[
        "北京智谱华章科技有限公司",
        "GLM大模型",
        "Beijing-ChatGLM-20230821",
        "网信算备110108105858001230019号",
        "deep-synthesis",
        "qianzhan-2024-genai",
        "cac-genai-2024-04",
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
    assert_eq!(top["company"], "北京百度网讯科技有限公司");
    assert_eq!(top["item"], "文心一言");
}

/// Issue 13, "done when": the names people ask about in 2026 answer with
/// the entity and the numbers of the official lists.
#[test]
fn deepseek_is_filed_under_both_regimes_with_its_numbers() {
    let r = run(&["--format", "json", "DeepSeek"]);
    r.expect_code(0);
    let result = &r.json()["results"][0];
    assert_eq!(result["verdict"], "filed", "{result}");
    let numbers = util::match_field(result, "filing_no");
    for n in [
        "Beijing-DeepseekChat-202404280016",
        "网信算备110108970550101240011号",
    ] {
        assert!(numbers.contains(n), "{n} not in {numbers:?}");
    }
    assert_eq!(
        result["matches"][0]["company"],
        "北京深度求索人工智能基础技术研究有限公司"
    );
    for m in result["matches"].as_array().unwrap() {
        assert!(
            m["source"].as_str().is_some_and(|s| s.starts_with("cac-")),
            "{m}"
        );
    }
    // A publication that quotes the attachment's row corroborates it.
    let genai = &result["matches"][0];
    assert_eq!(genai["filing_no"], "Beijing-DeepseekChat-202404280016");
    assert_eq!(
        genai["corroborated_by"][0]["source"], "china-ai-registry-book",
        "{genai}"
    );
    // The space the transcription dropped is restored, and matching is
    // indifferent to it.
    assert_eq!(genai["item"], "求索对话DeepSeek Chat");
    for q in ["求索对话DeepSeekChat", "求索对话 DeepSeek Chat"] {
        let r = run(&["--format", "json", q]);
        let top = &r.json()["results"][0]["matches"][0];
        assert_eq!(top["filing_no"], "Beijing-DeepseekChat-202404280016", "{q}");
    }
    let table = run(&["DeepSeek"]);
    assert!(
        table
            .stdout
            .contains("corroborated by: The China AI Registry"),
        "{}",
        table.stdout
    );
}

#[test]
fn an_algorithm_number_answers_with_its_algorithm_and_entity() {
    let r = run(&["--format", "json", "网信算备110108823483901230031号"]);
    r.expect_code(0);
    let result = &r.json()["results"][0];
    assert_eq!(result["verdict"], "filed", "{result}");
    let top = &result["matches"][0];
    assert_eq!(top["company"], "北京抖音信息服务有限公司");
    assert_eq!(top["item"], "豆包大模型算法");
    assert_eq!(top["regime"], "deep-synthesis");
}

#[test]
fn brands_of_2026_are_filed_with_numbers_and_a_look_alike_is_not() {
    for q in ["可灵", "阶跃星辰", "小米", "宇树科技", "豆包", "Kimi"] {
        let r = run(&["--format", "json", q]);
        let result = &r.json()["results"][0];
        assert_eq!(result["verdict"], "filed", "{q}: {result}");
        assert!(
            result["matches"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["filing_no"].is_string()),
            "{q}: no number in {result}"
        );
    }
    // (上海财跃星辰智能科技有限公司, which a reader might take for a
    // look-alike of 阶跃星辰, is a filer of its own in the lists, and 可乐
    // is an item of 北京智源人工智能研究院.)
    for q in [
        "北京月之亮面科技有限公司",
        "上海阶跃光年科技有限公司",
        "月之亮面",
        "可零",
    ] {
        let r = run(&["--format", "json", q]);
        assert_ne!(
            r.json()["results"][0]["verdict"],
            "filed",
            "{q}: {}",
            r.stdout
        );
    }
}

/// A list's placeholder for an undisclosed model (the seed's 美团 / 未公开)
/// is no name: asking for it finds nothing, and the company is still found.
#[test]
fn a_placeholder_item_is_no_name() {
    let r = run(&["--format", "json", "未公开", "美团"]);
    let results = r.json()["results"].clone();
    assert_eq!(results[0]["verdict"], "not-found", "{results}");
    assert_eq!(results[1]["verdict"], "filed", "{results}");
    assert_eq!(results[1]["matches"][0]["company"], "北京三快科技有限公司");
}

#[test]
fn an_off_by_one_number_is_not_found_with_the_nearest_listed_number() {
    let r = run(&["Beijing-ChatGLM-20230822"]);
    r.expect_code(1);
    assert!(r.stdout.contains("NOT FOUND"), "{}", r.stdout);
    assert!(
        r.stdout.contains("did you mean Beijing-ChatGLM-20230821"),
        "{}",
        r.stdout
    );
}

#[test]
fn openai_is_not_found_and_the_output_says_what_that_means() {
    let r = run(&["Anthropic"]);
    r.expect_code(1);
    assert!(r.stdout.contains("NOT FOUND"), "{}", r.stdout);
    assert!(r.stdout.contains("as of 2026-08"), "{}", r.stdout);
    assert!(r.stdout.contains("does not prove"), "{}", r.stdout);
    // How much of the official lists the registry holds, and where to check.
    assert!(r.stdout.contains("序号 1–1105"), "{}", r.stdout);
    assert!(r.stdout.contains("https://www.cac.gov.cn/"), "{}", r.stdout);
}

#[test]
fn json_output_has_the_documented_shape() {
    let r = run(&["--format", "json", "科大讯飞", "Anthropic"]);
    r.expect_code(1);
    let json = r.json();
    let registry = &json["registry"];
    assert_eq!(registry["as_of"], "2026-08");
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
    assert_eq!(lines[2]["registry_as_of"], "2026-08");
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

    // 宇树科技 is listed under genai only.
    let r = run(&["--regime", "deep-synthesis", "宇树科技"]);
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

/// Issue 14, item 2: a 上线编号 answers as a registration (登记), on the
/// registrations list, and what was odd about its row in the source shows.
#[test]
fn a_registration_number_answers_as_a_registration_with_its_note() {
    let r = run(&["--format", "json", "Fujian-BaiZe-20250624S0001"]);
    r.expect_code(0);
    let json = r.json();
    let m = &json["results"][0]["matches"][0];
    assert_eq!(json["results"][0]["verdict"], "filed");
    assert_eq!(m["record"], "registration", "{m:#}");
    assert_eq!(m["list"], "cac-genai-registrations", "{m:#}");
    assert!(m["note"].as_str().unwrap().contains("（补登）"), "{m:#}");
    let r = run(&["Fujian-BaiZe-20250624S0001"]);
    r.expect_stdout_contains(&["registration (登记), 上线编号: Fujian-BaiZe-20250624S0001"]);

    // A filing is a filing, and a corrected row says what was corrected.
    let r = run(&[
        "--format",
        "json",
        "Guangdong-MengXiangDaMoXing-202505090044",
    ]);
    let json = r.json();
    let m = &json["results"][0]["matches"][0];
    assert_eq!(m["record"], "filing", "{m:#}");
    assert_eq!(m["company"], "珠海读书郎软件科技有限公司", "{m:#}");
    assert_eq!(m["company_listed"], "司珠海读书郎软件科技有限公司", "{m:#}");
    assert!(m["note"].as_str().unwrap().contains("stray 司"), "{m:#}");
}

/// A registration number as the 2026-02 list prints it, with the middle
/// dot of its product's name (影谱·导演助手), pasted as listed or with
/// another font's dot.
#[test]
fn a_number_with_a_middle_dot_is_found() {
    for number in [
        "Shaanxi-YingPu·DaoYanZhuShou-20260126S0006",
        "Shaanxi-YingPu・DaoYanZhuShou-20260126S0006",
    ] {
        let r = run(&["--format", "json", number]);
        r.expect_code(0);
        let json = r.json();
        assert_eq!(json["results"][0]["verdict"], "filed", "{json:#}");
        let m = &json["results"][0]["matches"][0];
        assert_eq!(m["company"], "西安电影制片厂有限公司", "{m:#}");
        assert_eq!(m["record"], "registration", "{m:#}");
    }
}
