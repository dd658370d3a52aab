//! `filing-check audit FILE|-` as procurement teams and CI pipelines run it.
//!
//! Each test runs the real binary on a vendor list built here (or on the
//! repository's example) and checks what a user relies on: the verdict and
//! code of each row, every output format and the registry's as-of date in
//! it, every input encoding and workbook, header detection, the gate's exit
//! code with its policy file, baseline and staleness limit, and the errors
//! for input that cannot be audited. Organised by topic, one module each.

mod util;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use util::{Dir, Run};

// ---------------------------------------------------------------------------
// Shared inputs and helpers
// ---------------------------------------------------------------------------

/// A list with every verdict: (line, vendor, model, number) → verdict, code.
///
/// | line | row                                    | verdict   | code                  |
/// |------|----------------------------------------|-----------|-----------------------|
/// | 2    | 北京智谱华章科技有限公司 / GLM大模型   | filed     | filed                 |
/// | 3    | 百度 / GLM大模型                       | mismatch  | vendor-model-mismatch |
/// | 4    | 科大讯飞 / 内部测试模型                | review    | model-not-listed      |
/// | 5    | Anthropic / Claude                     | not-found | not-in-registry       |
/// | 6    | (empty)                                | invalid   | empty-row             |
/// | 7    | N/A / N/A                              | invalid   | placeholder-name      |
/// | 8    | 金山办公 / WPS AI / malformed number   | mismatch  | malformed-number      |
const MIXED: &str = "\
序号,供应商名称,模型名称,备案号
1,北京智谱华章科技有限公司,GLM大模型,
2,百度,GLM大模型,
3,科大讯飞,内部测试模型,
4,Anthropic,Claude,
5,,,
6,N/A,N/A,
7,金山办公,WPS AI,网信算备1101088234839号
";

/// What the embedded registry says about [`MIXED`], by line.
const MIXED_EXPECTED: &[(u64, &str, &str)] = &[
    (2, "filed", "filed"),
    (3, "mismatch", "vendor-model-mismatch"),
    (4, "review", "model-not-listed"),
    (5, "not-found", "not-in-registry"),
    (6, "invalid", "empty-row"),
    (7, "invalid", "placeholder-name"),
    (8, "mismatch", "malformed-number"),
];

/// The lines of [`MIXED`] that fail the default gate.
const MIXED_FAILING: &[u64] = &[3, 5, 6, 7, 8];

/// A list whose every row is filed: the gate passes on it.
const ALL_FILED: &str = "\
供应商名称,模型名称
北京智谱华章科技有限公司,GLM大模型
百度,文心一言
腾讯,混元大模型
";

/// The registry's as-of date, which every format must carry.
const AS_OF: &str = "2026-08";

/// Writes `bytes` to `name` in the test's directory.
fn put(dir: &Dir, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).expect("write a test input");
}

/// The binary, set up like [`Dir::run`] does: run in `cwd`, with no
/// registry from the environment, no colour, and a user data directory
/// under `home` (never the developer's).
fn command(cwd: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_filing-check"));
    cmd.current_dir(cwd)
        .env_remove("FILING_CHECK_REGISTRY")
        .env("XDG_DATA_HOME", home.join("xdg-data"))
        .env("HOME", home.join("home"))
        .env("NO_COLOR", "1");
    cmd
}

fn finished(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs the binary in `dir` like [`Dir::run`], with `stdin` piped in.
fn run_with_stdin(dir: &Dir, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = command(dir.path(), dir.path())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run filing-check");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The binary may stop reading early (an error); that is its right.
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for filing-check");
    writer.join().expect("stdin writer");
    finished(out)
}

/// Runs the binary with the repository root as working directory.
fn run_in_repo(args: &[&str]) -> Run {
    let home = Dir::new();
    let out = command(Path::new(env!("CARGO_MANIFEST_DIR")), home.path())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run filing-check");
    finished(out)
}

/// A directory holding `list.csv` with `text`.
fn dir_with_list(text: &str) -> Dir {
    let dir = Dir::new();
    put(&dir, "list.csv", text);
    dir
}

/// The rows of a JSON report.
fn rows(report: &Value) -> &Vec<Value> {
    report["rows"].as_array().expect("rows is an array")
}

/// The row of a JSON report from input line `line`.
fn row(report: &Value, line: u64) -> &Value {
    rows(report)
        .iter()
        .find(|r| r["line"] == line)
        .unwrap_or_else(|| panic!("no row for line {line} in {report:#}"))
}

/// `(line, verdict, code)` of every row, in order.
fn verdicts(report: &Value) -> Vec<(u64, String, String)> {
    rows(report)
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().expect("line"),
                r["verdict"].as_str().expect("verdict").to_string(),
                r["code"].as_str().expect("code").to_string(),
            )
        })
        .collect()
}

/// What identifies a row's outcome across encodings and input kinds: the
/// decoded names and number, and the verdict and code.
fn fingerprint(report: &Value) -> Vec<Value> {
    rows(report)
        .iter()
        .map(|r| {
            json!([
                r["line"],
                r["vendor"],
                r["model"],
                r["filing_no"],
                r["verdict"],
                r["code"]
            ])
        })
        .collect()
}

fn expected(pairs: &[(u64, &str, &str)]) -> Vec<(u64, String, String)> {
    pairs
        .iter()
        .map(|&(l, v, c)| (l, v.to_string(), c.to_string()))
        .collect()
}

/// The lines of rows the gate failed.
fn failing_lines(report: &Value) -> Vec<u64> {
    rows(report)
        .iter()
        .filter(|r| r["gate"] == "fail")
        .map(|r| r["line"].as_u64().unwrap())
        .collect()
}

/// The last non-empty line of a stream.
fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

/// Runs `audit list.csv --format json ARGS…` in `dir` and parses stdout.
fn audit_json(dir: &Dir, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["audit", "list.csv", "--format", "json"];
    args.extend_from_slice(extra);
    let r = dir.run(&args);
    let json = r.json();
    (r, json)
}

/// Encodes text as UTF-16 with a byte-order mark.
fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        let bytes = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&bytes);
    }
    out
}

/// Encodes text as GBK, failing on characters GBK lacks.
fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "the test text is not all GBK");
    bytes.into_owned()
}

// ---------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------

mod formats {
    use super::*;

    #[test]
    fn table_shows_every_verdict_and_ends_with_the_registry_caveat() {
        // English labels (Chinese is the default), on a terminal wide
        // enough for the table (narrow ones get blocks of lines): both in
        // tests/reports.rs.
        let mut dir = dir_with_list(MIXED);
        dir.env("COLUMNS", "200");
        let r = dir.run(&["audit", "list.csv", "--lang", "en"]);
        r.expect_code(1);
        r.expect_stdout_contains(&[
            "verdict",
            "filed",
            "review",
            "not-found",
            "mismatch",
            "invalid",
            "北京智谱华章科技有限公司",
            "Anthropic",
        ]);
        let caveat = last_line(&r.stdout);
        assert!(
            caveat.starts_with(&format!("Registry as of {AS_OF}")) && caveat.contains("not proof"),
            "the table does not end with the caveat: {caveat:?}"
        );
        let summary = last_line(&r.stderr);
        assert!(
            summary.starts_with(
                "audit: 7 rows: 1 filed, 1 review, 1 not-found, 2 mismatch, 2 invalid;"
            ),
            "{summary}"
        );
        assert!(summary.contains(AS_OF) && summary.contains("gate FAILED: 5 failing row(s)"));
    }

    #[test]
    fn csv_keeps_the_input_columns_and_appends_the_verdict_columns() {
        let r = dir_with_list(MIXED).run(&["audit", "list.csv", "--format", "csv"]);
        r.expect_code(1);
        let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .expect("a header row")
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(
            headers[..5],
            ["line", "序号", "供应商名称", "模型名称", "备案号"],
            "{headers:?}"
        );
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no {name} column in {headers:?}"))
        };
        let (verdict, code, gate, as_of, filer) = (
            col("verdict"),
            col("code"),
            col("gate"),
            col("registry_as_of"),
            col("filer"),
        );
        for name in ["reason", "regimes", "filed_items", "source", "source_as_of"] {
            col(name);
        }
        let records: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .expect("valid CSV");
        let got: Vec<(u64, String, String)> = records
            .iter()
            .map(|rec| {
                (
                    rec[0].parse().expect("a line number"),
                    rec[verdict].to_string(),
                    rec[code].to_string(),
                )
            })
            .collect();
        assert_eq!(got, expected(MIXED_EXPECTED));
        for rec in &records {
            assert_eq!(&rec[as_of], AS_OF, "{rec:?}");
            let line: u64 = rec[0].parse().unwrap();
            let want_gate = if MIXED_FAILING.contains(&line) {
                "fail"
            } else {
                "pass"
            };
            assert_eq!(&rec[gate], want_gate, "{rec:?}");
        }
        // The input's cells come through untouched.
        let baidu = records.iter().find(|r| &r[0] == "3").unwrap();
        assert_eq!(
            (&baidu[1], &baidu[2], &baidu[3]),
            ("2", "百度", "GLM大模型")
        );
        // The filer is the company the registry names, not the row's vendor.
        assert_eq!(&baidu[filer], "北京智谱华章科技有限公司");
        let kingsoft = records.iter().find(|r| &r[0] == "8").unwrap();
        assert_eq!(&kingsoft[4], "网信算备1101088234839号");
    }

    #[test]
    fn csv_output_encodings_for_excel() {
        let dir = dir_with_list(MIXED);
        let mut bytes = Vec::new();
        for (encoding, file) in [
            ("utf-8", "plain.csv"),
            ("utf-8-bom", "bom.csv"),
            ("gbk", "gbk.csv"),
        ] {
            dir.run(&[
                "audit",
                "list.csv",
                "--format",
                "csv",
                "--output-encoding",
                encoding,
                "-o",
                file,
            ])
            .expect_code(1);
            bytes.push(std::fs::read(dir.join(file)).expect("the report file"));
        }
        let (plain, bom, gbk_bytes) = (&bytes[0], &bytes[1], &bytes[2]);
        let text = std::str::from_utf8(plain).expect("utf-8 output is UTF-8");
        assert!(text.starts_with("line,序号,供应商名称"), "{text}");
        assert_eq!(bom[..3], [0xEF, 0xBB, 0xBF]);
        assert_eq!(
            &bom[3..],
            &plain[..],
            "utf-8-bom is the BOM then the same text"
        );
        assert!(
            std::str::from_utf8(gbk_bytes).is_err(),
            "gbk output is not UTF-8"
        );
        let decoded = encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(gbk_bytes)
            .expect("gbk output decodes as GBK");
        assert_eq!(decoded, text, "gbk output is the same report");
    }

    #[test]
    fn json_report_carries_rows_summary_input_and_registry_date() {
        let dir = dir_with_list(MIXED);
        let (r, json) = audit_json(&dir, &[]);
        // The gate fails, and stdout is still nothing but the JSON report.
        r.expect_code(1);
        assert!(r.stderr.contains("error[vendor-model-mismatch]"));
        assert_eq!(json["tool"], "filing-check");
        assert_eq!(json["registry"]["as_of"], AS_OF);
        assert_eq!(json["require"], "any");
        let input = &json["input"];
        assert_eq!(input["file"], "list.csv");
        assert_eq!(input["encoding"], "UTF-8");
        assert_eq!(input["header_line"], 1);
        assert_eq!(
            input["headers"],
            json!(["序号", "供应商名称", "模型名称", "备案号"])
        );

        assert_eq!(verdicts(&json), expected(MIXED_EXPECTED));
        assert_eq!(failing_lines(&json), MIXED_FAILING);
        let filed = row(&json, 2);
        assert_eq!(filed["vendor"], "北京智谱华章科技有限公司");
        assert_eq!(filed["gate"], "pass");
        assert!(filed.get("exception").is_none(), "{filed}");
        let evidence = filed["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty());
        for e in evidence {
            assert_eq!(e["company"], "北京智谱华章科技有限公司", "{e}");
            assert!(e["as_of"].as_str().is_some_and(|d| *d <= *AS_OF), "{e}");
            assert!(e["source"].as_str().is_some_and(|s| !s.is_empty()), "{e}");
        }
        assert_eq!(row(&json, 8)["filing_no"], "网信算备1101088234839号");

        // The summary agrees with the rows.
        let summary = &json["summary"];
        assert_eq!(summary["rows"], 7);
        for verdict in ["filed", "review", "not-found", "mismatch", "invalid"] {
            let n = rows(&json)
                .iter()
                .filter(|r| r["verdict"] == verdict)
                .count();
            assert_eq!(summary["verdicts"][verdict], n, "{verdict}");
        }
        assert_eq!(summary["failing"], MIXED_FAILING.len());
        assert_eq!(
            (&summary["waived"], &summary["known"]),
            (&json!(0), &json!(0))
        );
        assert_eq!(summary["registry_as_of"], AS_OF);
        assert_eq!(summary["passed"], false);

        let brief: Vec<Value> = rows(&json)
            .iter()
            .map(|r| {
                json!({
                    "line": r["line"], "vendor": r["vendor"], "model": r["model"],
                    "filing_no": r["filing_no"], "verdict": r["verdict"], "code": r["code"],
                    "gate": r["gate"], "regimes": r["regimes"], "reason": r["reason"],
                })
            })
            .collect();
        insta::assert_json_snapshot!("mixed_rows", json!({ "rows": brief, "summary": summary }));
    }

    #[test]
    fn jsonl_is_a_header_then_one_line_per_row_then_the_summary() {
        let dir = dir_with_list(MIXED);
        let r = dir.run(&["audit", "list.csv", "--format", "jsonl"]);
        r.expect_code(1);
        let lines: Vec<Value> = r
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(lines.len(), 1 + 7 + 1, "{}", r.stdout);
        let (head, tail) = (&lines[0], &lines[lines.len() - 1]);
        assert_eq!(head["type"], "header");
        assert_eq!(head["registry"]["as_of"], AS_OF);
        assert_eq!(head["input"]["file"], "list.csv");
        assert_eq!(tail["type"], "summary");
        assert_eq!(tail["registry_as_of"], AS_OF);
        assert_eq!(tail["rows"], 7);
        assert_eq!(tail["passed"], false);

        // The row lines are the rows of the JSON report.
        let (_, report) = audit_json(&dir, &[]);
        let row_lines: Vec<Value> = lines[1..lines.len() - 1]
            .iter()
            .map(|l| {
                assert_eq!(l["type"], "row", "{l}");
                let mut l = l.clone();
                l.as_object_mut().unwrap().remove("type");
                l
            })
            .collect();
        assert_eq!(&row_lines, rows(&report));
        assert_eq!(tail["failing"], report["summary"]["failing"]);
    }

    #[test]
    fn markdown_has_a_heading_a_row_per_line_and_the_date() {
        // English labels (Chinese is the default: tests/reports.rs).
        let r = dir_with_list(MIXED)
            .run(&["audit", "list.csv", "--format", "markdown", "--lang", "en"]);
        r.expect_code(1);
        let md = &r.stdout;
        assert!(
            md.starts_with("## filing-check audit of `list.csv`"),
            "{md}"
        );
        assert!(md.contains("| line |"), "{md}");
        for &(line, verdict, _) in MIXED_EXPECTED {
            let cells = md
                .lines()
                .find(|l| l.starts_with(&format!("| {line} |")))
                .unwrap_or_else(|| panic!("no table row for line {line}:\n{md}"));
            assert!(cells.contains(verdict), "{cells}");
        }
        assert!(md.contains(&format!("Registry as of {AS_OF}")), "{md}");
        insta::assert_snapshot!("mixed_markdown", md);
    }

    #[test]
    fn junit_has_a_testcase_per_row_and_a_failure_per_failing_row() {
        let r = dir_with_list(MIXED).run(&["audit", "list.csv", "--format", "junit"]);
        r.expect_code(1);
        let xml = &r.stdout;
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 7, "{xml}");
        assert_eq!(
            xml.matches("<failure ").count(),
            MIXED_FAILING.len(),
            "{xml}"
        );
        assert!(
            xml.contains(&format!(
                r#"<property name="registry_as_of" value="{AS_OF}"/>"#
            )),
            "{xml}"
        );
        // Each test case fails exactly when its row fails the gate, with
        // the diagnostic code as the failure type.
        for &(line, _, code) in MIXED_EXPECTED {
            let start = xml
                .find(&format!("<testcase name=\"line {line}:"))
                .unwrap_or_else(|| panic!("no testcase for line {line}"));
            let case = &xml[start..start + xml[start..].find("</testcase>").unwrap()];
            let failure = case.contains("<failure ");
            assert_eq!(failure, MIXED_FAILING.contains(&line), "{case}");
            if failure {
                assert!(case.contains(&format!("type=\"{code}\"")), "{case}");
            }
        }
    }

    #[test]
    fn github_annotates_failing_rows_and_ends_with_a_notice() {
        let r = dir_with_list(MIXED).run(&["audit", "list.csv", "--format", "github"]);
        r.expect_code(1);
        let lines: Vec<&str> = r.stdout.lines().collect();
        let errors: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("::error "))
            .collect();
        assert_eq!(errors.len(), MIXED_FAILING.len(), "{}", r.stdout);
        for line in MIXED_FAILING {
            let prefix = format!("::error file=list.csv,line={line},");
            assert!(
                errors.iter().any(|e| e.starts_with(&prefix)),
                "no annotation {prefix}:\n{}",
                r.stdout
            );
        }
        // A filed row passes silently; a row to review is a warning.
        assert!(!r.stdout.contains("line=2,"), "{}", r.stdout);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("::warning file=list.csv,line=4,")),
            "{}",
            r.stdout
        );
        let last = lines.last().unwrap();
        assert!(last.starts_with("::notice "), "{last}");
        assert!(
            last.contains(AS_OF) && last.contains("gate failed"),
            "{last}"
        );
        insta::assert_snapshot!("mixed_github", r.stdout);
    }

    #[test]
    fn xlsx_report_opens_with_the_verdict_of_each_row() {
        use calamine::Reader;
        let dir = dir_with_list(MIXED);
        // English labels (Chinese is the default: tests/reports.rs).
        let r = dir.run(&["audit", "list.csv", "-o", "report.xlsx", "--lang", "en"]);
        r.expect_code(1);
        assert!(
            r.stdout.is_empty(),
            "the report went to the file: {}",
            r.stdout
        );
        let mut book = calamine::open_workbook_auto(dir.join("report.xlsx")).expect("an xlsx");
        let sheet = book.worksheet_range("audit").expect("an audit sheet");
        let table: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        let header = &table[0];
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        assert_eq!(header[1..5], ["序号", "供应商名称", "模型名称", "备案号"]);
        let got: Vec<(u64, String, String)> = table[1..]
            .iter()
            .map(|r| {
                (
                    r[col("line")].parse().expect("a line number"),
                    r[col("verdict")].clone(),
                    r[col("code")].clone(),
                )
            })
            .collect();
        assert_eq!(got, expected(MIXED_EXPECTED));
        assert!(table[1..].iter().all(|r| r[col("registry_as_of")] == AS_OF));
        let registry = book.worksheet_range("registry").expect("a registry sheet");
        assert!(
            registry
                .rows()
                .flatten()
                .any(|c| c.to_string().contains(AS_OF)),
            "the registry sheet lacks the as-of date"
        );
    }

    #[test]
    fn output_format_follows_the_file_extension() {
        let dir = dir_with_list(MIXED);
        for file in ["r.json", "r.jsonl", "r.md", "r.xml", "r.csv"] {
            let r = dir.run(&["audit", "list.csv", "--output", file]);
            // The gate still decides the exit code; the report is written.
            r.expect_code(1);
            assert!(r.stdout.is_empty(), "{file}: {}", r.stdout);
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            match file {
                "r.json" => {
                    let v: Value = serde_json::from_str(&text).expect("JSON");
                    assert_eq!(verdicts(&v), expected(MIXED_EXPECTED));
                }
                "r.jsonl" => {
                    let types: Vec<String> = text
                        .lines()
                        .map(|l| {
                            let v: Value = serde_json::from_str(l).expect("JSON lines");
                            v["type"].as_str().unwrap().to_string()
                        })
                        .collect();
                    assert_eq!(types.first().map(String::as_str), Some("header"));
                    assert_eq!(types.last().map(String::as_str), Some("summary"));
                }
                "r.md" => assert!(text.starts_with("## filing-check audit"), "{text}"),
                "r.xml" => assert!(text.starts_with("<?xml") && text.contains("<testsuites")),
                // UTF-8 with a BOM, as Excel opens it.
                "r.csv" => assert!(text.starts_with("\u{feff}line,序号,"), "{text}"),
                _ => unreachable!(),
            }
        }
    }

    #[test]
    fn rows_stay_in_input_order_across_chunks() {
        // More rows than one chunk of the pipeline (4096), few distinct.
        let kinds = [
            ("北京智谱华章科技有限公司", "GLM大模型", "filed"),
            ("百度", "GLM大模型", "mismatch"),
            ("科大讯飞", "内部测试模型", "review"),
            ("Anthropic", "Claude", "not-found"),
        ];
        let n = 9_000;
        let mut text = String::from("供应商,模型\n");
        for i in 0..n {
            let (v, m, _) = kinds[i % kinds.len()];
            text.push_str(&format!("{v},{m}\n"));
        }
        let (r, json) = audit_json(&dir_with_list(&text), &[]);
        r.expect_code(1);
        let rows = rows(&json);
        assert_eq!(rows.len(), n);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row["line"], i as u64 + 2, "{row}");
            assert_eq!(row["verdict"], kinds[i % kinds.len()].2, "{row}");
        }
        assert_eq!(json["summary"]["failing"], n / 2);
        // Each distinct failing row is reported once, with its count.
        let errors: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("error["))
            .collect();
        assert_eq!(errors.len(), 2, "{}", r.stderr);
        assert!(
            errors[0].contains("list.csv:3:")
                && errors[0].ends_with("(and 2249 more row(s) like it)"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].contains("list.csv:5:")
                && errors[1].ends_with("(and 2249 more row(s) like it)"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn an_unwritable_output_is_an_input_error() {
        let dir = dir_with_list(MIXED);
        let r = dir.run(&["audit", "list.csv", "-o", "no-such-dir/report.json"]);
        r.expect_code(2);
        assert!(r.stderr.contains("no-such-dir/report.json"), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }

    #[test]
    fn an_input_error_leaves_no_half_written_report() {
        let dir = dir_with_list("供应商名称,模型名称\n智谱AI,GLM大模型\nAnthropic\n");
        let r = dir.run(&["audit", "list.csv", "-o", "report.json"]);
        r.expect_code(2);
        assert!(!dir.join("report.json").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "list.csv")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

// ---------------------------------------------------------------------------
// Input encodings and workbooks
// ---------------------------------------------------------------------------

mod encodings {
    use super::*;

    #[test]
    fn every_encoding_gives_the_same_verdicts_as_utf8() {
        let dir = Dir::new();
        let tsv = MIXED.replace(',', "\t");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(MIXED.as_bytes());
        let inputs: Vec<(&str, Vec<u8>, &str, &str)> = vec![
            ("utf8.csv", MIXED.as_bytes().to_vec(), "UTF-8", "comma"),
            ("bom.csv", bom, "UTF-8", "comma"),
            ("gbk.csv", gbk(MIXED), "GB18030", "comma"),
            // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
            ("le.txt", utf16(&tsv, false), "UTF-16LE", "tab"),
            ("be.txt", utf16(&tsv, true), "UTF-16BE", "tab"),
        ];
        let mut reference = None;
        for (name, bytes, encoding, delimiter) in inputs {
            put(&dir, name, bytes);
            let r = dir.run(&["audit", name, "--format", "json"]);
            r.expect_code(1);
            let json = r.json();
            assert_eq!(json["input"]["encoding"], encoding, "{name}");
            assert!(
                json["input"]["format"]
                    .as_str()
                    .unwrap()
                    .starts_with(delimiter),
                "{name}: {}",
                json["input"]["format"]
            );
            assert_eq!(json["input"]["headers"][1], "供应商名称", "{name}");
            assert_eq!(verdicts(&json), expected(MIXED_EXPECTED), "{name}");
            let print = fingerprint(&json);
            match &reference {
                None => reference = Some(print),
                Some(want) => assert_eq!(&print, want, "{name} differs from UTF-8"),
            }
        }
    }

    #[test]
    fn encoding_can_be_forced() {
        let dir = Dir::new();
        put(&dir, "list.csv", gbk(MIXED));
        put(&dir, "utf8.csv", MIXED);
        let forced = dir.run(&["audit", "list.csv", "--format", "json", "--encoding", "gbk"]);
        forced.expect_code(1);
        let reference = dir.run(&["audit", "utf8.csv", "--format", "json"]).json();
        assert_eq!(fingerprint(&forced.json()), fingerprint(&reference));

        // Forcing the wrong encoding is an error at the first bad line, not
        // a list of mojibake names that are all "not-found".
        let wrong = dir.run(&["audit", "list.csv", "--encoding", "utf-8"]);
        wrong.expect_code(2);
        assert!(wrong.stderr.contains("list.csv:1:"), "{}", wrong.stderr);
        assert!(wrong.stderr.contains("UTF-8"), "{}", wrong.stderr);

        let unknown = dir.run(&["audit", "utf8.csv", "--encoding", "klingon"]);
        unknown.expect_code(2);
        assert!(unknown.stderr.contains("klingon"), "{}", unknown.stderr);
    }

    #[test]
    fn invalid_utf8_under_forced_utf8_names_its_line() {
        let mut bytes = "供应商名称,模型名称\n北京智谱华章科技有限公司,GLM大模型\n百度,文心"
            .as_bytes()
            .to_vec();
        bytes.push(0xFF);
        bytes.extend_from_slice("一言\n腾讯,混元大模型\n".as_bytes());
        let dir = Dir::new();
        put(&dir, "list.csv", bytes);
        let r = dir.run(&["audit", "list.csv", "--encoding", "utf-8"]);
        r.expect_code(2);
        assert!(r.stderr.contains("list.csv:3:"), "{}", r.stderr);
    }

    #[test]
    fn invalid_utf8_in_a_utf8_list_names_its_line() {
        let mut bytes = "Vendor,Model\n北京智谱华章科技有限公司,GLM大模型\n百度,文心"
            .as_bytes()
            .to_vec();
        bytes.push(0xFF);
        bytes.extend_from_slice("一言\n腾讯,混元大模型\n".as_bytes());
        let dir = Dir::new();
        put(&dir, "list.csv", bytes);
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(2);
        assert!(r.stderr.contains("list.csv:3:"), "{}", r.stderr);
    }
}

mod workbooks {
    use super::*;

    /// A workbook: sheet `清单` (a title row, then the header and [`MIXED`]'s
    /// first four rows), then sheet `海外` (two foreign services).
    fn workbook(dir: &Dir, name: &str) {
        let mut book = rust_xlsxwriter::Workbook::new();
        let first = book.add_worksheet();
        first.set_name("清单").unwrap();
        first.write_string(0, 0, "2024年AI供应商清单").unwrap();
        // The header and four rows, from the second worksheet row on.
        for (r, line) in (1..).zip(MIXED.lines().take(5)) {
            for (c, cell) in line.split(',').enumerate() {
                if !cell.is_empty() {
                    first.write_string(r, c as u16, cell).unwrap();
                }
            }
        }
        let second = book.add_worksheet();
        second.set_name("海外").unwrap();
        for (r, (v, m)) in [
            ("Vendor", "Model"),
            ("Anthropic", "Claude"),
            ("Anthropic", "Claude"),
        ]
        .into_iter()
        .enumerate()
        {
            second.write_string(r as u32, 0, v).unwrap();
            second.write_string(r as u32, 1, m).unwrap();
        }
        book.save(dir.join(name)).unwrap();
    }

    #[test]
    fn xlsx_input_reads_the_sheet_under_its_title_row() {
        let dir = Dir::new();
        workbook(&dir, "list.xlsx");
        let r = dir.run(&["audit", "list.xlsx", "--sheet", "清单", "--format", "json"]);
        r.expect_code(1);
        let json = r.json();
        assert_eq!(json["input"]["header_line"], 2);
        assert_eq!(json["input"]["encoding"], Value::Null);
        assert!(
            json["input"]["format"].as_str().unwrap().contains("清单"),
            "{}",
            json["input"]
        );
        // Worksheet rows are numbered as Excel numbers them.
        assert_eq!(
            verdicts(&json),
            expected(&[
                (3, "filed", "filed"),
                (4, "mismatch", "vendor-model-mismatch"),
                (5, "review", "model-not-listed"),
                (6, "not-found", "not-in-registry"),
            ])
        );
        assert_eq!(row(&json, 3)["vendor"], "北京智谱华章科技有限公司");
    }

    /// Issue 12, item 3: a workbook whose two sheets both list vendors is
    /// not audited by its first sheet alone (the second's unfiled vendors
    /// would pass the gate): the audit stops and names both sheets.
    #[test]
    fn several_sheets_with_lists_stop_the_audit_and_are_named() {
        let dir = Dir::new();
        workbook(&dir, "list.xlsx");
        let r = dir.run(&["audit", "list.xlsx"]);
        r.expect_code(2);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        assert!(
            r.stderr
                .contains("list.xlsx: 2 sheets hold a vendor or model column")
                && r.stderr.contains("\"清单\", \"海外\"")
                && r.stderr.contains("--sheet"),
            "{}",
            r.stderr
        );
    }

    /// The one sheet that holds a list is audited, wherever it is.
    #[test]
    fn the_one_sheet_with_a_list_is_audited_wherever_it_is() {
        let dir = Dir::new();
        let mut book = rust_xlsxwriter::Workbook::new();
        let notes = book.add_worksheet();
        notes.set_name("说明").unwrap();
        notes.write_string(0, 0, "本表由采购部维护").unwrap();
        let list = book.add_worksheet();
        list.set_name("供应商").unwrap();
        for (r, (v, m)) in [("供应商名称", "模型名称"), ("Anthropic", "Claude")]
            .into_iter()
            .enumerate()
        {
            list.write_string(r as u32, 0, v).unwrap();
            list.write_string(r as u32, 1, m).unwrap();
        }
        book.save(dir.join("book.xlsx")).unwrap();
        let r = dir.run(&["audit", "book.xlsx", "--format", "json"]);
        r.expect_code(1);
        let json = r.json();
        assert!(
            json["input"]["format"].as_str().unwrap().contains("供应商"),
            "{}",
            json["input"]
        );
        assert_eq!(
            verdicts(&json),
            expected(&[(2, "not-found", "not-in-registry")])
        );
    }

    #[test]
    fn sheet_by_name_and_by_number() {
        let dir = Dir::new();
        workbook(&dir, "list.xlsx");
        let want = expected(&[
            (2, "not-found", "not-in-registry"),
            (3, "not-found", "not-in-registry"),
        ]);
        for sheet in ["海外", "2"] {
            let r = dir.run(&["audit", "list.xlsx", "--sheet", sheet, "--format", "json"]);
            r.expect_code(1);
            let json = r.json();
            assert_eq!(verdicts(&json), want, "--sheet {sheet}");
            assert_eq!(row(&json, 3)["vendor"], "Anthropic");
        }
    }

    #[test]
    fn a_missing_sheet_is_an_error_listing_the_sheets() {
        let dir = Dir::new();
        workbook(&dir, "list.xlsx");
        for sheet in ["Sheet9", "3"] {
            let r = dir.run(&["audit", "list.xlsx", "--sheet", sheet]);
            r.expect_code(2);
            assert!(r.stdout.is_empty(), "{}", r.stdout);
            assert!(
                r.stderr.contains("list.xlsx") && r.stderr.contains("清单, 海外"),
                "--sheet {sheet}: {}",
                r.stderr
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Verdicts and codes
// ---------------------------------------------------------------------------

mod codes {
    use super::*;

    #[test]
    fn codes_from_the_embedded_registry() {
        let cases: &[(&str, &str, &str, &str, &str)] = &[
            // vendor, model, number → verdict, code
            (
                "北京智谱华章科技有限公司",
                "GLM大模型",
                "",
                "filed",
                "filed",
            ),
            ("百度", "GLM大模型", "", "mismatch", "vendor-model-mismatch"),
            ("Anthropic", "Claude", "", "not-found", "not-in-registry"),
            ("科大讯飞", "内部测试模型", "", "review", "model-not-listed"),
            ("", "", "", "invalid", "empty-row"),
            ("N/A", "", "", "invalid", "placeholder-name"),
            (
                "金山办公",
                "WPS AI",
                "网信算备1101088234839号",
                "mismatch",
                "malformed-number",
            ),
            // A listed genai number of the vendor's filing confirms it.
            (
                "百度",
                "文心一言",
                "Beijing-WenXinYiYan-20230821",
                "filed",
                "filed",
            ),
            // The model is filed; the vendor is not known to be its filer.
            (
                "上海某某代理有限公司",
                "GLM大模型",
                "",
                "review",
                "unconfirmed-vendor",
            ),
            // A group's name answers with its members' filings.
            ("字节跳动", "", "", "filed", "filed"),
            // A parent without a filing of its own is not the filer.
            ("百度集团股份有限公司", "", "", "review", "related-entity"),
            // A branch contains the filer's name plus other words.
            (
                "北京智谱华章科技有限公司上海分公司",
                "",
                "",
                "review",
                "related-entity",
            ),
            ("上海人工智能实验", "", "", "review", "weak-match"),
        ];
        let mut text = String::from("序号,供应商,模型,备案号\n");
        for (i, (v, m, n, _, _)) in cases.iter().enumerate() {
            text.push_str(&format!("{},{v},{m},{n}\n", i + 1));
        }
        let (r, json) = audit_json(&dir_with_list(&text), &[]);
        r.expect_code(1);
        for (i, (v, m, n, verdict, code)) in cases.iter().enumerate() {
            let got = row(&json, i as u64 + 2);
            assert_eq!(
                (got["verdict"].as_str(), got["code"].as_str()),
                (Some(*verdict), Some(*code)),
                "{v} / {m} / {n}: {}",
                got["reason"]
            );
        }
    }

    #[test]
    fn require_decides_which_regimes_count() {
        let dir = dir_with_list("供应商,模型\n,星火大模型\n智谱AI,\n");
        // 星火大模型 is filed under genai only; 智谱AI under both regimes.
        let (r, json) = audit_json(&dir, &["--require", "deep-synthesis"]);
        r.expect_code(1);
        assert_eq!(
            verdicts(&json),
            expected(&[
                (2, "not-found", "regime-not-covered"),
                (3, "filed", "filed")
            ])
        );
        assert_eq!(json["require"], "deep-synthesis");
        assert!(r.stderr.contains("error[regime-not-covered]: list.csv:2:"));

        let (r, json) = audit_json(&dir, &["--require", "both"]);
        r.expect_code(1);
        assert_eq!(row(&json, 2)["code"], "regime-not-covered");
        assert_eq!(row(&json, 3)["verdict"], "filed");
        assert_eq!(row(&json, 3)["regimes"], json!(["genai", "deep-synthesis"]));

        let (r, json) = audit_json(&dir, &["--require", "genai"]);
        r.expect_code(0);
        assert_eq!(failing_lines(&json), Vec::<u64>::new());
    }

    /// Numbers against the embedded registry, which holds the official
    /// lists: the national genai list of filings whole (so an unknown genai
    /// number counts against a row), the deep-synthesis batches not (so an
    /// unknown algorithm number does not).
    #[test]
    fn filing_numbers_against_the_official_lists() {
        let dir = Dir::new();
        // 北京智谱华章科技有限公司's 智谱ChatGLM生成算法 (第一批, 序号 3).
        let known = "网信算备110108105858001230019号";
        let unknown_algorithm = "网信算备110108105858001230099号";
        let cases: &[(&str, &str, &str, &str, &str)] = &[
            ("", "", known, "filed", "filed-by-number"),
            ("智谱AI", "ChatGLM生成算法", known, "filed", "filed"),
            ("百度", "", known, "mismatch", "number-of-other-company"),
            ("智谱AI", "", unknown_algorithm, "filed", "filed"),
            ("Anthropic", "Claude", known, "review", "number-only"),
            (
                "智谱AI",
                "",
                "Beijing-ChatGLM-20230822",
                "mismatch",
                "unknown-number",
            ),
            ("智谱AI", "", "Beijing-ChatGLM-20230821", "filed", "filed"),
        ];
        let mut text = String::from("vendor,model,filing number\n");
        for (v, m, n, _, _) in cases {
            text.push_str(&format!("{v},{m},{n}\n"));
        }
        put(&dir, "list.csv", text);
        let (r, json) = audit_json(&dir, &["--no-policy"]);
        r.expect_code(1);
        for (i, (v, m, n, verdict, code)) in cases.iter().enumerate() {
            let got = row(&json, i as u64 + 2);
            assert_eq!(
                (got["verdict"].as_str(), got["code"].as_str()),
                (Some(*verdict), Some(*code)),
                "{v} / {m} / {n}: {}",
                got["reason"]
            );
        }
        // The number's filing is the evidence of a row filed by number.
        let by_number = row(&json, 2);
        assert_eq!(
            by_number["evidence"][0]["company"],
            "北京智谱华章科技有限公司"
        );
        assert_eq!(by_number["evidence"][0]["item"], "智谱ChatGLM生成算法");
        // An algorithm number the incomplete batches lack is not held
        // against the row, and the reason says it could not be confirmed.
        let unconfirmed = row(&json, 5)["reason"].as_str().unwrap().to_string();
        assert!(
            unconfirmed.contains("could not be confirmed"),
            "{unconfirmed}"
        );
    }
}

// ---------------------------------------------------------------------------
// Finding the columns
// ---------------------------------------------------------------------------

mod headers {
    use super::*;

    #[test]
    fn the_delimiter_is_sniffed_or_given() {
        // Semicolons, with commas inside a name: sniffed.
        let dir = dir_with_list("供应商;模型\n\"智谱AI, 北京\";GLM大模型\nAnthropic;Claude\n");
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(1);
        assert_eq!(row(&json, 2)["vendor"], "智谱AI, 北京");
        assert_eq!(row(&json, 3)["model"], "Claude");
        // A pipe, named on the command line.
        put(&dir, "list.csv", "供应商|模型\n百度|文心一言\n");
        let (r, json) = audit_json(&dir, &["--delimiter", "|"]);
        r.expect_code(0);
        assert_eq!(verdicts(&json), expected(&[(2, "filed", "filed")]));
        dir.run(&["audit", "list.csv", "--delimiter", "||"])
            .expect_code(2);
    }

    #[test]
    fn english_headers() {
        let dir = dir_with_list(
            "Vendor,Model,Filing Number\n北京智谱华章科技有限公司,GLM大模型,\n百度,GLM大模型,\n",
        );
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(1);
        assert_eq!(
            verdicts(&json),
            expected(&[
                (2, "filed", "filed"),
                (3, "mismatch", "vendor-model-mismatch")
            ])
        );
    }

    #[test]
    fn chinese_headers_among_other_columns() {
        let dir = dir_with_list(
            "用途,模型名称,负责部门,供应商名称,备案号\n\
             客服,GLM大模型,客户服务部,百度,\n\
             会议纪要,GLM大模型,行政部,北京智谱华章科技有限公司,\n",
        );
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(1);
        assert_eq!(row(&json, 2)["vendor"], "百度");
        assert_eq!(row(&json, 2)["model"], "GLM大模型");
        assert_eq!(
            verdicts(&json),
            expected(&[
                (2, "mismatch", "vendor-model-mismatch"),
                (3, "filed", "filed")
            ])
        );
    }

    /// Issue 12, item 6: name columns are preferred over codes, types and
    /// scenarios, and the columns read are said on stderr and in the JSON.
    #[test]
    fn name_columns_are_chosen_over_codes_and_types_and_said() {
        let dir = dir_with_list(
            "供应商编码,供应商名称,服务类型,产品名称
             V001,北京智谱华章科技有限公司,对话,GLM大模型
",
        );
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(0);
        assert_eq!(row(&json, 2)["verdict"], "filed", "{json:#}");
        assert!(
            r.stderr.contains(
                "columns: vendor = 供应商名称 (col 2), model = 产品名称 (col 4), number = –"
            ),
            "{}",
            r.stderr
        );
        assert_eq!(
            json["input"]["columns"],
            serde_json::json!([
                {"role": "vendor", "column": 2, "header": "供应商名称"},
                {"role": "model", "column": 4, "header": "产品名称"}
            ])
        );
    }

    #[test]
    fn a_title_row_padded_by_excel_is_skipped() {
        let dir = dir_with_list("2024年AI供应商清单,,\n供应商名称,模型名称,备案号\n智谱AI,GLM大模型,\nAnthropic,Claude,\n");
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(1);
        assert_eq!(json["input"]["header_line"], 2);
        assert_eq!(
            verdicts(&json),
            expected(&[(3, "filed", "filed"), (4, "not-found", "not-in-registry")])
        );
    }

    #[test]
    fn a_bare_title_row_is_skipped() {
        let dir = dir_with_list(
            "2024年AI供应商清单\n供应商名称,模型名称,备案号\n智谱AI,GLM大模型,\nAnthropic,Claude,\n",
        );
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(1);
        assert_eq!(json["input"]["header_line"], 2);
        assert_eq!(
            verdicts(&json),
            expected(&[(3, "filed", "filed"), (4, "not-found", "not-in-registry")])
        );
    }

    /// A list whose headers name no role: 编号, 名称, 说明.
    const UNNAMED: &str = "编号,名称,说明\n1,百度,文心一言\n2,Anthropic,Claude\n";

    #[test]
    fn columns_named_on_the_command_line() {
        let dir = dir_with_list(UNNAMED);
        let (r, json) = audit_json(&dir, &["--vendor-col", "2", "--model-col", "说明"]);
        r.expect_code(1);
        assert_eq!(row(&json, 2)["vendor"], "百度");
        assert_eq!(row(&json, 2)["model"], "文心一言");
        assert_eq!(
            verdicts(&json),
            expected(&[(2, "filed", "filed"), (3, "not-found", "not-in-registry")])
        );

        let (r, json) = audit_json(&dir, &["--vendor-col", "2"]);
        r.expect_code(1);
        assert_eq!(row(&json, 3)["vendor"], "Anthropic");
        assert_eq!(row(&json, 3)["model"], "");

        let r = dir.run(&["audit", "list.csv", "--vendor-col", "9"]);
        r.expect_code(2);
        let r = dir.run(&["audit", "list.csv", "--vendor-col", "公司"]);
        r.expect_code(2);
        assert!(r.stderr.contains("公司"), "{}", r.stderr);
    }

    #[test]
    fn no_usable_column_is_an_error_listing_the_headers() {
        let r = dir_with_list(UNNAMED).run(&["audit", "list.csv"]);
        r.expect_code(2);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        for needle in [
            "list.csv",
            "\"编号\"",
            "\"名称\"",
            "\"说明\"",
            "--vendor-col",
        ] {
            assert!(r.stderr.contains(needle), "no {needle}: {}", r.stderr);
        }
    }

    #[test]
    fn the_column_error_is_said_once() {
        let r = dir_with_list(UNNAMED).run(&["audit", "list.csv"]);
        r.expect_code(2);
        assert_eq!(
            r.stderr.matches("no vendor or model column").count(),
            1,
            "{}",
            r.stderr
        );
    }

    #[test]
    fn a_bare_list_without_header_is_read_as_vendors() {
        let dir = dir_with_list("智谱AI\nAnthropic\n");
        let (r, json) = audit_json(&dir, &["--no-header"]);
        r.expect_code(1);
        assert_eq!(json["input"]["header_line"], Value::Null);
        assert_eq!(
            verdicts(&json),
            expected(&[(1, "filed", "filed"), (2, "not-found", "not-in-registry")])
        );
    }
}

// ---------------------------------------------------------------------------
// The gate: exit codes and what stderr says
// ---------------------------------------------------------------------------

mod gate {
    use super::*;

    #[test]
    fn a_list_of_filed_rows_passes() {
        let r = dir_with_list(ALL_FILED).run(&["audit", "list.csv"]);
        r.expect_code(0);
        let summary = last_line(&r.stderr);
        assert!(summary.starts_with("audit: 3 rows: 3 filed,"), "{summary}");
        assert!(summary.ends_with("gate passed"), "{summary}");
        assert!(!r.stderr.contains("error["), "{}", r.stderr);
    }

    #[test]
    fn review_passes_by_default_and_fails_with_fail_on_review() {
        let dir = dir_with_list("供应商,模型\n智谱AI,GLM大模型\n科大讯飞,内部测试模型\n");
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(0);
        assert_eq!(row(&json, 3)["verdict"], "review");
        assert_eq!(row(&json, 3)["gate"], "pass");

        let (r, json) = audit_json(&dir, &["--fail-on", "review"]);
        r.expect_code(1);
        assert_eq!(failing_lines(&json), [3]);
        assert!(
            r.stderr.contains("error[model-not-listed]: list.csv:3:"),
            "{}",
            r.stderr
        );

        // --fail-on replaces the default: not-found alone no longer fails.
        let dir = dir_with_list("供应商,模型\n智谱AI,GLM大模型\nAnthropic,Claude\n");
        dir.run(&["audit", "list.csv"]).expect_code(1);
        dir.run(&["audit", "list.csv", "--fail-on", "mismatch,invalid"])
            .expect_code(0);
        dir.run(&["audit", "list.csv", "--fail-on", "not-found,mismatch"])
            .expect_code(1);
    }

    #[test]
    fn usage_errors_exit_2() {
        let dir = dir_with_list(ALL_FILED);
        for args in [
            &["audit", "list.csv", "--fail-on", "bogus"][..],
            &["audit", "list.csv", "--format", "pdf"],
            &["audit", "list.csv", "--require", "all"],
            &["audit", "missing.csv"],
            &["audit"],
        ] {
            let r = dir.run(args);
            r.expect_code(2);
            assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        }
    }

    #[test]
    fn a_closed_stdout_does_not_pass_a_failing_gate() {
        let dir = dir_with_list(MIXED);
        let mut child = command(dir.path(), dir.path())
            .args(["audit", "list.csv", "--format", "jsonl"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run filing-check");
        // The reader goes away before the report is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait for filing-check");
        assert_ne!(
            out.status.code(),
            Some(0),
            "a gate with failing rows passed; stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn each_failing_row_is_reported_once_with_an_entry_to_paste() {
        let dir = dir_with_list(
            "供应商,模型\nAnthropic,Claude\n智谱AI,GLM大模型\nAnthropic,Claude\nanthropic,claude\n百度,GLM大模型\n",
        );
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(1);
        let errors: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("error["))
            .collect();
        assert_eq!(errors.len(), 2, "{}", r.stderr);
        assert!(
            errors[0].starts_with("error[not-in-registry]: list.csv:2: ")
                && errors[0].ends_with("(and 2 more row(s) like it)"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].starts_with("error[vendor-model-mismatch]: list.csv:6: "),
            "{}",
            errors[1]
        );
        assert_eq!(
            r.stderr.matches("[[exceptions]]").count(),
            2,
            "{}",
            r.stderr
        );
        assert!(last_line(&r.stderr).starts_with("audit: 5 rows:"));
        assert!(last_line(&r.stderr).contains("gate FAILED: 4 failing row(s)"));
    }

    #[test]
    fn the_pasted_exception_entry_accepts_the_row() {
        let dir = dir_with_list("供应商,模型\n智谱AI,GLM大模型\nAnthropic,Claude\n");
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(1);
        // The indented block after `[[exceptions]]`, as printed.
        let entry: String = r
            .stderr
            .lines()
            .skip_while(|l| l.trim() != "[[exceptions]]")
            .take_while(|l| l.starts_with("    "))
            .map(|l| format!("{}\n", l.trim()))
            .collect();
        assert!(entry.contains("vendor = \"Anthropic\""), "{}", r.stderr);
        let approved = entry.replace("approved-by = \"\"", "approved-by = \"legal@example.com\"");
        assert_ne!(approved, entry, "the entry leaves approved-by to fill in");
        // Its reason is a TODO to replace: until it is, the policy is refused.
        put(&dir, "filing-check.toml", &approved);
        dir.run(&["audit", "list.csv"]).expect_code(2);
        let filled = approved.replace(
            "TODO: why this is acceptable",
            "pilot, no public-facing use",
        );
        assert_ne!(filled, approved, "the entry leaves the reason to write");
        put(&dir, "filing-check.toml", &filled);
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(0);
        assert_eq!(row(&json, 3)["gate"], "waived");
        assert_eq!(row(&json, 3)["exception"], 1);
    }
}

// ---------------------------------------------------------------------------
// Policy file and `filing-check init`
// ---------------------------------------------------------------------------

mod policy {
    use super::*;

    const LIST: &str = "供应商,模型\n智谱AI,GLM大模型\nAnthropic,Claude\n";

    fn exception(vendor: &str, expires: &str) -> String {
        format!(
            "[[exceptions]]\nvendor = \"{vendor}\"\nreason = \"pilot\"\napproved-by = \"legal\"\nexpires = {expires}\n\n"
        )
    }

    #[test]
    fn an_active_exception_waives_the_only_failure() {
        let dir = dir_with_list(LIST);
        // Names compare ignoring case and width.
        put(
            &dir,
            "filing-check.toml",
            exception("ａｎｔｈｒｏｐｉｃ", "2099-12-31"),
        );
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(0);
        let waived = row(&json, 3);
        assert_eq!(waived["verdict"], "not-found", "the verdict stays a fact");
        assert_eq!(waived["gate"], "waived");
        assert_eq!(waived["exception"], 1);
        assert_eq!(json["summary"]["waived"], 1);
        assert_eq!(json["summary"]["passed"], true);
        assert!(
            last_line(&r.stderr).contains("1 waived by exceptions"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("warning["), "{}", r.stderr);
        // CI dashboards show the accepted row as skipped, not failed.
        let junit = dir.run(&["audit", "list.csv", "--format", "junit"]);
        junit.expect_code(0);
        assert_eq!(
            junit.stdout.matches("<skipped").count(),
            1,
            "{}",
            junit.stdout
        );
        assert!(!junit.stdout.contains("<failure"), "{}", junit.stdout);

        // --no-policy ignores it; --policy names another file.
        dir.run(&["audit", "list.csv", "--no-policy"])
            .expect_code(1);
        std::fs::rename(dir.join("filing-check.toml"), dir.join("other.toml")).unwrap();
        dir.run(&["audit", "list.csv"]).expect_code(1);
        dir.run(&["audit", "list.csv", "--policy", "other.toml"])
            .expect_code(0);
    }

    #[test]
    fn an_expired_exception_no_longer_counts_and_is_reported() {
        let dir = dir_with_list(LIST);
        put(
            &dir,
            "filing-check.toml",
            exception("Anthropic", "2020-01-01"),
        );
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(1);
        assert_eq!(row(&json, 3)["gate"], "fail");
        let warning = r
            .stderr
            .lines()
            .find(|l| l.starts_with("warning[exception-expired]"))
            .unwrap_or_else(|| panic!("no expiry warning:\n{}", r.stderr));
        assert!(
            warning.contains("2020-01-01") && warning.contains("Anthropic"),
            "{warning}"
        );
        let notice = &json["summary"]["notices"][0];
        assert_eq!(notice["code"], "exception-expired");
        assert_eq!(notice["fails"], false);
    }

    #[test]
    fn an_unused_exception_is_reported() {
        let dir = dir_with_list(ALL_FILED);
        put(
            &dir,
            "filing-check.toml",
            exception("Nobody Ltd", "2099-12-31"),
        );
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(0);
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with("warning[exception-unused]") && l.contains("Nobody Ltd")),
            "{}",
            r.stderr
        );
    }

    #[test]
    fn gate_settings_of_the_policy_apply_and_flags_override_them() {
        let dir = dir_with_list("供应商,模型\n智谱AI,GLM大模型\n科大讯飞,内部测试模型\n");
        put(
            &dir,
            "filing-check.toml",
            "[gate]\nfail-on = [\"review\"]\nrequire = \"any\"\n",
        );
        let (r, json) = audit_json(&dir, &[]);
        r.expect_code(1);
        assert_eq!(failing_lines(&json), [3]);
        dir.run(&["audit", "list.csv", "--fail-on", "not-found"])
            .expect_code(0);

        put(
            &dir,
            "filing-check.toml",
            "[gate]\nrequire = \"deep-synthesis\"\n",
        );
        let (r, json) = audit_json(&dir, &[]);
        assert_eq!(json["require"], "deep-synthesis");
        // GLM大模型 is filed under genai only.
        assert_eq!(row(&json, 2)["code"], "regime-not-covered");
        r.expect_code(1);
    }

    #[test]
    fn init_writes_a_policy_that_audit_then_uses() {
        let dir = dir_with_list(ALL_FILED);
        let r = dir.run(&["init"]);
        r.expect_code(0);
        let text = std::fs::read_to_string(dir.join("filing-check.toml")).unwrap();
        assert!(text.contains("[gate]"), "{text}");
        // The template parses and keeps the default gate.
        dir.run(&["audit", "list.csv"]).expect_code(0);
        put(&dir, "bad.csv", LIST);
        dir.run(&["audit", "bad.csv"]).expect_code(1);

        // It is not overwritten without --force.
        put(&dir, "filing-check.toml", "# mine\n");
        let r = dir.run(&["init"]);
        r.expect_code(2);
        assert!(r.stderr.contains("--force"), "{}", r.stderr);
        assert_eq!(
            std::fs::read_to_string(dir.join("filing-check.toml")).unwrap(),
            "# mine\n"
        );
        dir.run(&["init", "--force"]).expect_code(0);
        assert_eq!(
            std::fs::read_to_string(dir.join("filing-check.toml")).unwrap(),
            text
        );

        // A path of one's own.
        dir.run(&["init", "ci/policy.toml"]).expect_code(2);
        std::fs::create_dir(dir.join("ci")).unwrap();
        dir.run(&["init", "ci/policy.toml"]).expect_code(0);
        dir.run(&["audit", "list.csv", "--policy", "ci/policy.toml"])
            .expect_code(0);
    }

    #[test]
    fn a_bad_policy_file_is_an_error_naming_file_and_line() {
        let dir = dir_with_list(ALL_FILED);
        let cases = [
            (
                "[gate]\nfail-on = [\"not-found\", \"bogus\"]\n",
                "bad.toml:2:",
            ),
            (
                "[gate]\n\n[[exceptions]]\nvendor = \"X\"\nreason = \"r\"\nexpires = 2027-01-01\n",
                "bad.toml:3:",
            ),
            ("[gate]\nfial-on = []\n", "bad.toml:2:"),
            ("not toml = = =\n", "bad.toml:1:"),
        ];
        for (text, at) in cases {
            put(&dir, "bad.toml", text);
            let r = dir.run(&["audit", "list.csv", "--policy", "bad.toml"]);
            r.expect_code(2);
            assert!(r.stderr.contains(at), "{text:?}: {}", r.stderr);
            assert!(r.stdout.is_empty(), "{}", r.stdout);
        }
        // The file in the working directory is read too.
        put(&dir, "filing-check.toml", cases[0].0);
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(2);
        assert!(r.stderr.contains("filing-check.toml:2:"), "{}", r.stderr);
        let r = dir.run(&["audit", "list.csv", "--policy", "missing.toml"]);
        r.expect_code(2);
        assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
    }
}

// ---------------------------------------------------------------------------
// Baseline
// ---------------------------------------------------------------------------

mod baseline {
    use super::*;

    const LIST: &str = "供应商,模型\n智谱AI,GLM大模型\nGoogle,Gemini\n百度,GLM大模型\n";

    #[test]
    fn known_findings_pass_and_new_ones_fail() {
        let dir = dir_with_list(LIST);
        dir.run(&["audit", "list.csv", "-o", "baseline.json"])
            .expect_code(1);

        let (r, json) = audit_json(&dir, &["--baseline", "baseline.json"]);
        r.expect_code(0);
        assert_eq!(row(&json, 3)["gate"], "known");
        assert_eq!(row(&json, 4)["gate"], "known");
        assert_eq!(json["summary"]["known"], 2);
        assert!(!r.stderr.contains("error["), "{}", r.stderr);

        // A new failing row fails alone, whatever line the old ones moved to.
        put(
            &dir,
            "list.csv",
            format!(
                "供应商,模型\nAnthropic,Claude\n{}",
                &LIST[LIST.find('\n').unwrap() + 1..]
            ),
        );
        let (r, json) = audit_json(&dir, &["--baseline", "baseline.json"]);
        r.expect_code(1);
        assert_eq!(failing_lines(&json), [2]);
        assert_eq!(row(&json, 4)["gate"], "known");
        let errors: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("error["))
            .collect();
        assert_eq!(errors.len(), 1, "{}", r.stderr);
        assert!(errors[0].contains("list.csv:2:"), "{}", errors[0]);
    }

    #[test]
    fn a_jsonl_report_is_a_baseline_too() {
        let dir = dir_with_list(LIST);
        dir.run(&["audit", "list.csv", "-o", "baseline.jsonl"])
            .expect_code(1);
        dir.run(&["audit", "list.csv", "--baseline", "baseline.jsonl"])
            .expect_code(0);
    }

    #[test]
    fn a_row_that_got_worse_fails() {
        let dir = dir_with_list(LIST);
        let (_, mut report) = audit_json(&dir, &[]);
        // Pretend 百度 / GLM大模型 was only not-found last time: mismatch is worse.
        let rows = report["rows"].as_array_mut().unwrap();
        let baidu = rows.iter_mut().find(|r| r["line"] == 4).unwrap();
        assert_eq!(baidu["verdict"], "mismatch");
        baidu["verdict"] = json!("not-found");
        put(&dir, "baseline.json", report.to_string());
        let (r, json) = audit_json(&dir, &["--baseline", "baseline.json"]);
        r.expect_code(1);
        assert_eq!(failing_lines(&json), [4]);
        assert_eq!(row(&json, 3)["gate"], "known");
    }

    #[test]
    fn an_unusable_baseline_is_an_input_error() {
        let dir = dir_with_list(LIST);
        for (name, text) in [
            ("empty.json", ""),
            ("junk.json", "not json\n"),
            (
                "verdict.json",
                r#"{"rows":[{"vendor":"x","verdict":"great"}]}"#,
            ),
        ] {
            put(&dir, name, text);
            let r = dir.run(&["audit", "list.csv", "--baseline", name]);
            r.expect_code(2);
            assert!(r.stderr.contains(name), "{name}: {}", r.stderr);
        }
        dir.run(&["audit", "list.csv", "--baseline", "missing.json"])
            .expect_code(2);
    }
}

// ---------------------------------------------------------------------------
// Registry staleness
// ---------------------------------------------------------------------------

mod staleness {
    use super::*;

    #[test]
    fn a_registry_older_than_the_limit_fails_the_gate() {
        let dir = dir_with_list(ALL_FILED);
        let (r, json) = audit_json(&dir, &["--max-staleness", "30"]);
        r.expect_code(1);
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with("error[registry-stale]") && l.contains(AS_OF)),
            "{}",
            r.stderr
        );
        assert_eq!(json["summary"]["failing"], 0, "no row fails");
        assert_eq!(json["summary"]["passed"], false);
        let notice = &json["summary"]["notices"][0];
        assert_eq!(
            (&notice["code"], &notice["fails"]),
            (&json!("registry-stale"), &json!(true))
        );
        assert!(
            last_line(&r.stderr).ends_with("gate FAILED"),
            "{}",
            r.stderr
        );

        let (r, json) = audit_json(&dir, &["--max-staleness", "100000"]);
        r.expect_code(0);
        assert!(!r.stderr.contains("registry-stale"), "{}", r.stderr);
        assert_eq!(json["summary"]["notices"], json!([]));
    }

    #[test]
    fn the_policy_can_set_the_limit() {
        let dir = dir_with_list(ALL_FILED);
        put(
            &dir,
            "filing-check.toml",
            "[gate]\nmax-staleness-days = 30\n",
        );
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(1);
        assert!(r.stderr.contains("error[registry-stale]"), "{}", r.stderr);
        dir.run(&["audit", "list.csv", "--max-staleness", "100000"])
            .expect_code(0);
    }
}

// ---------------------------------------------------------------------------
// Input that cannot be audited
// ---------------------------------------------------------------------------

mod bad_input {
    use super::*;

    #[track_caller]
    fn refused(text: &[u8], needles: &[&str]) {
        let dir = Dir::new();
        put(&dir, "list.csv", text);
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(2);
        for needle in needles {
            assert!(r.stderr.contains(needle), "no {needle:?} in: {}", r.stderr);
        }
    }

    #[test]
    fn an_unclosed_quote_names_the_line_where_it_opens() {
        refused(
            "供应商,模型\n智谱AI,GLM大模型\n\"Anthropic,Claude\n百度,文心一言\n腾讯,混元大模型\n"
                .as_bytes(),
            &["list.csv:3:", "never closed"],
        );
    }

    #[test]
    fn a_ragged_row_names_its_line() {
        refused(
            "供应商,模型,备案号\n智谱AI,GLM大模型,\nAnthropic,Claude\n百度,文心一言,\n".as_bytes(),
            &["list.csv:3:", "fields"],
        );
        refused(
            "供应商,模型\n智谱AI,GLM大模型\nAnthropic,Claude,x,y\n".as_bytes(),
            &["list.csv:3:"],
        );
    }

    #[test]
    fn an_empty_list_never_passes() {
        refused(b"", &["list.csv", "no rows to audit"]);
        refused(
            "供应商,模型\n".as_bytes(),
            &["list.csv", "no rows to audit"],
        );
        refused(b"\n\n", &["list.csv", "no rows to audit"]);
        let r = run_with_stdin(&Dir::new(), &["audit", "-"], b"");
        r.expect_code(2);
        assert!(r.stderr.contains("no rows to audit"), "{}", r.stderr);
    }

    #[test]
    fn binary_junk_is_refused() {
        refused(b"\x00\x01\x02\x03PK\x00\x00garbage\x00", &["list.csv"]);
    }
}

// ---------------------------------------------------------------------------
// Standard input and --quiet
// ---------------------------------------------------------------------------

mod stdin_and_quiet {
    use super::*;

    #[test]
    fn standard_input_is_audited_like_a_file() {
        let dir = dir_with_list(MIXED);
        let from_file = audit_json(&dir, &[]).1;
        for bytes in [MIXED.as_bytes().to_vec(), gbk(MIXED)] {
            let r = run_with_stdin(&dir, &["audit", "-", "--format", "json"], &bytes);
            r.expect_code(1);
            let json = r.json();
            assert_eq!(fingerprint(&json), fingerprint(&from_file));
            assert!(
                r.stderr
                    .contains("error[vendor-model-mismatch]: <stdin>:3:"),
                "{}",
                r.stderr
            );
        }
    }

    #[test]
    fn quiet_shows_only_failing_rows() {
        let dir = dir_with_list(MIXED);
        let (r, json) = audit_json(&dir, &["--quiet"]);
        r.expect_code(1);
        let lines: Vec<u64> = rows(&json)
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, MIXED_FAILING);
        // The summary still counts every row.
        assert_eq!(json["summary"]["rows"], 7);
        assert!(last_line(&r.stderr).starts_with("audit: 7 rows:"));

        let r = dir.run(&["audit", "list.csv", "-q"]);
        r.expect_code(1);
        assert!(r.stdout.contains("Anthropic"), "{}", r.stdout);
        assert!(
            !r.stdout.contains("供应商: 北京智谱华章科技有限公司")
                && !r.stdout.contains("科大讯飞"),
            "a passing row is shown:\n{}",
            r.stdout
        );
    }

    #[test]
    fn quiet_says_nothing_on_stderr_when_the_gate_passes() {
        let dir = dir_with_list(ALL_FILED);
        put(&dir, "filing-check.toml", policy_unused());
        let r = dir.run(&["audit", "list.csv", "-q"]);
        r.expect_code(0);
        assert_eq!(r.stderr, "", "quiet and passing: nothing on stderr");
        assert!(!r.stdout.contains("百度"), "{}", r.stdout);
        // Without -q the same run warns and sums up.
        let r = dir.run(&["audit", "list.csv"]);
        assert!(r.stderr.contains("warning[exception-unused]"));
        assert!(last_line(&r.stderr).starts_with("audit: 3 rows:"));
    }

    fn policy_unused() -> &'static str {
        "[[exceptions]]\nvendor = \"Nobody\"\nreason = \"r\"\napproved-by = \"a\"\nexpires = 2099-01-01\n"
    }
}

// ---------------------------------------------------------------------------
// The repository's example lists
// ---------------------------------------------------------------------------

mod examples {
    use super::*;

    #[test]
    fn the_example_list_prints_the_table_and_the_summary() {
        // A terminal wide enough for the table (piped output without
        // COLUMNS gets one block of lines per row: tests/reports.rs).
        let home = Dir::new();
        let r = finished(
            command(Path::new(env!("CARGO_MANIFEST_DIR")), home.path())
                .args(["audit", "examples/vendors.csv", "--lang", "en"])
                .env("COLUMNS", "200")
                .stdin(Stdio::null())
                .output()
                .expect("run filing-check"),
        );
        r.expect_code(1);
        r.expect_stdout_contains(&[
            "verdict",
            "北京智谱华章科技有限公司",
            "filed",
            "review",
            "not-found",
            "mismatch",
            "invalid",
        ]);
        assert!(last_line(&r.stdout).starts_with(&format!("Registry as of {AS_OF}")));
        let summary = last_line(&r.stderr);
        assert!(
            summary.starts_with(
                "audit: 14 rows: 8 filed, 2 review, 1 not-found, 2 mismatch, 1 invalid;"
            ),
            "{summary}"
        );
        for needle in [
            "error[not-in-registry]: examples/vendors.csv:10:",
            "error[vendor-model-mismatch]: examples/vendors.csv:11:",
            "error[malformed-number]: examples/vendors.csv:12:",
            "error[empty-row]: examples/vendors.csv:13:",
        ] {
            assert!(r.stderr.contains(needle), "no {needle}:\n{}", r.stderr);
        }
    }

    #[test]
    fn a_gbk_copy_of_the_example_gives_the_same_verdicts() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/vendors.csv"),
        )
        .unwrap();
        let dir = Dir::new();
        put(&dir, "vendors.csv", &text);
        put(&dir, "vendors-gbk.csv", gbk(&text));
        let utf8 = dir
            .run(&["audit", "vendors.csv", "--format", "json"])
            .json();
        let r = dir.run(&["audit", "vendors-gbk.csv", "--format", "json"]);
        r.expect_code(1);
        let gbk_json = r.json();
        assert_eq!(gbk_json["input"]["encoding"], "GB18030");
        assert_eq!(fingerprint(&gbk_json), fingerprint(&utf8));
    }

    #[test]
    fn the_repository_gbk_example_matches_the_utf8_example() {
        let utf8 = run_in_repo(&["audit", "examples/vendors.csv", "--format", "json"]);
        let gbk_run = run_in_repo(&["audit", "examples/vendors-gbk.csv", "--format", "json"]);
        gbk_run.expect_code(1);
        let (utf8, gbk_json) = (utf8.json(), gbk_run.json());
        assert_eq!(gbk_json["input"]["encoding"], "GB18030");
        assert_eq!(fingerprint(&gbk_json), fingerprint(&utf8));
    }
}

/// A filing number the list writes outside a number column (a remark, a
/// pasted vendor page) is found and checked like one in its own column.
#[test]
fn a_number_written_anywhere_in_a_row_is_checked() {
    let dir = dir_with_list(
        "供应商名称,模型名称,备注\n\
         北京智谱华章科技有限公司,GLM大模型,厂商页面：算法备案号 网信算备1101088234839012300号\n\
         北京智谱华章科技有限公司,GLM大模型,大模型备案号：Beijing-ChatGLM-20230821\n\
         北京智谱华章科技有限公司,GLM大模型,采购部门 2024 年第 3 批\n",
    );
    let (r, report) = audit_json(&dir, &["--no-policy"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // A malformed number in the remark: a mismatch, with the number shown.
    let bad = row(&report, 2);
    assert_eq!(
        (bad["verdict"].as_str(), bad["code"].as_str()),
        (Some("mismatch"), Some("malformed-number")),
        "{bad:#}"
    );
    assert_eq!(bad["filing_no"], "网信算备1101088234839012300号");
    // A well-formed one is checked against the official list, which holds
    // it: the reason says it is confirmed.
    let good = row(&report, 3);
    assert_eq!(good["verdict"], "filed", "{good:#}");
    assert_eq!(good["filing_no"], "Beijing-ChatGLM-20230821");
    assert!(
        good["reason"].as_str().unwrap().contains("confirmed"),
        "{good:#}"
    );
    // Numbers and dates that are no filing number are left alone.
    let plain = row(&report, 4);
    assert_eq!(
        (plain["verdict"].as_str(), plain["filing_no"].as_str()),
        (Some("filed"), Some(""))
    );
}

/// Issue 12, item 1: a monthly batch of new filings (not complete) is no
/// evidence against a number it lacks. A row with a number newer than the
/// embedded complete list keeps its name-based verdict, with a note that
/// its number was not confirmed; a complete list as of later counts.
#[test]
fn a_partial_list_is_no_evidence_against_a_number() {
    let dir = Dir::new();
    put(
        &dir,
        "batch.csv",
        "序号,属地,模型名称,备案单位,备案号,备案时间\n\
         1,北京市,甲模型,北京甲科技有限公司,Beijing-JiaMoXing-202610200001,2026/10/20\n\
         2,上海市,乙模型,上海乙科技有限公司,Shanghai-YiMoXing-202610200002,2026/10/20\n\
         3,广东省,丙模型,广东丙科技有限公司,Guangdong-BingMoXing-202610200003,2026/10/20\n",
    );
    dir.run(&["registry", "init", "reg.db"]).expect_code(0);
    dir.run(&[
        "--registry",
        "reg.db",
        "registry",
        "import",
        "batch.csv",
        "--regime",
        "genai",
        "--as-of",
        "2026-11-20",
    ])
    .expect_code(0);
    put(
        &dir,
        "list.csv",
        "供应商,模型,备案号\n百度,文心一言,Beijing-WenXinYiYan-202610150099\n",
    );
    let (r, json) = audit_json(&dir, &["--registry", "reg.db", "--no-policy"]);
    r.expect_code(0);
    let row = row(&json, 2);
    assert_eq!(row["verdict"], "filed", "{row:#}");
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .contains("not complete for it"),
        "{row:#}"
    );
    // The same number against a complete national list of that regime,
    // as of after the number's date: a mismatch.
    let all = std::fs::read_to_string(dir.join("batch.csv")).unwrap()
        + "4,天津市,丁模型,天津丁科技有限公司,Tianjin-DingMoXing-202610200004,2026/10/20\n";
    put(&dir, "all.csv", all);
    dir.run(&[
        "--registry",
        "reg.db",
        "registry",
        "import",
        "all.csv",
        "--regime",
        "genai",
        "--as-of",
        "2026-11-20",
        "--complete",
        "--source-id",
        "all-genai",
    ])
    .expect_code(0);
    let (r, json) = audit_json(&dir, &["--registry", "reg.db", "--no-policy"]);
    r.expect_code(1);
    assert_eq!(row_code(&json, 2), "unknown-number");
}

fn row_code(report: &Value, line: u64) -> String {
    row(report, line)["code"].as_str().unwrap().to_string()
}

/// Issue 12, item 7: the report never replaces the list it audits, however
/// the output path is written; the list is left byte for byte as it was.
#[test]
fn the_report_never_overwrites_the_input() {
    let dir = dir_with_list("供应商,模型\n智谱AI,GLM大模型\n");
    let before = std::fs::read(dir.join("list.csv")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("list.csv"), dir.join("link.csv")).unwrap();
    let mut cases = vec![("list.csv", "list.csv"), ("list.csv", "./list.csv")];
    if cfg!(unix) {
        cases.push(("link.csv", "list.csv"));
    }
    for (input, output) in cases {
        let r = dir.run(&["audit", input, "-o", output]);
        r.expect_code(2);
        assert!(
            r.stderr.contains("is the list being audited") && r.stderr.contains(input),
            "{input} -o {output}: {}",
            r.stderr
        );
        assert_eq!(std::fs::read(dir.join("list.csv")).unwrap(), before);
    }
    // Another file is written as usual.
    dir.run(&["audit", "list.csv", "-o", "report.csv"])
        .expect_code(0);
    assert!(dir.join("report.csv").exists());
}

/// Issue 12, item 14: a row a person must check says what to check and how
/// to accept it, and a reason never claims a relationship the data do not
/// hold (腾讯控股 merely contains the filed brand 腾讯; the registry holds no
/// filing of it and no link between them).
#[test]
fn review_rows_carry_a_next_step_and_claim_no_relationship() {
    let dir = dir_with_list("供应商\n腾讯控股\n智谱AI\n");
    let (_, json) = audit_json(&dir, &["--no-policy"]);
    let review = row(&json, 2);
    assert_eq!(
        (review["verdict"].as_str(), review["code"].as_str()),
        (Some("review"), Some("related-entity")),
        "{review:#}"
    );
    let reason = review["reason"].as_str().unwrap();
    assert!(reason.contains("share characters"), "{reason}");
    assert!(!reason.contains("a related entity"), "{reason}");
    let next = review["next_step"].as_str().unwrap();
    assert!(
        next.contains("confirm which legal entity") && next.contains("exception"),
        "{next}"
    );
    // A filed row needs no next step.
    assert!(
        row(&json, 3).get("next_step").is_none(),
        "{:#}",
        row(&json, 3)
    );
}

/// Issue 14, item 2: a row whose number is a 上线编号 is checked against the
/// registrations; the number settles a model name two companies share.
#[test]
fn a_registration_number_is_checked_against_the_registrations() {
    let dir = dir_with_list(
        "供应商,模型,备案号\n\
         南威软件股份有限公司,白泽大模型,Fujian-BaiZe-20250624S0001\n\
         山东旅游职业学院,白泽大模型,Fujian-BaiZe-20250624S0001\n",
    );
    let (_, report) = audit_json(&dir, &[]);
    let r = row(&report, 2);
    assert_eq!(r["verdict"], "filed", "{r:#}");
    assert_eq!(r["evidence"][0]["record"], "registration", "{r:#}");
    // The same number claimed for the other company that filed a 白泽大模型.
    let r = row(&report, 3);
    assert_eq!(r["code"], "number-of-other-company", "{r:#}");
}
