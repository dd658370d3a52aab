//! The bad-input catalogue: every kind of broken, hostile or unusable input
//! a user or a CI job can hand the real binary, and what it must do.
//!
//! Procurement lists come from Excel exports, scrapers and copy-paste; a
//! registry file sits on shared or read-only storage; a CI job writes its
//! report to a path that may not exist. For each such input the binary must
//! give a correct verdict, or a clear error naming the file (and the line,
//! when there is one) with exit code 2. It must never panic (exit 101),
//! never report an internal error (exit 3), and a gate (`audit`) must never
//! pass (exit 0) on input that is not genuinely fine.
//!
//! Sections: empty inputs, binary and mis-encoded text, malformed CSV,
//! oversized inputs, SQL metacharacters in names, unwritable outputs, and
//! unusable registry files. Tests marked `#[ignore = "bug: …"]` document
//! product bugs; they pass once the bug is fixed.

mod util;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use util::{Dir, Run};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Writes `bytes` to `name` in the test's directory.
fn put(dir: &Dir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).expect("write a test input");
    path
}

/// The `filing-check: error: …` lines of a run.
fn errors(r: &Run) -> String {
    r.stderr
        .lines()
        .filter(|l| l.starts_with("filing-check: error:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// No panic, no internal error: an exit code a user can act on.
#[track_caller]
fn sane(r: &Run) {
    assert!(
        !r.stderr.contains("panicked"),
        "the binary panicked (exit {}):\n{}",
        r.code,
        r.stderr
    );
    assert!(
        matches!(r.code, 0..=2),
        "exit code {} is neither a verdict (0/1) nor a usage/input error (2)\n--- stdout:\n{}\n--- stderr:\n{}",
        r.code,
        truncated(&r.stdout),
        r.stderr
    );
}

/// An input error: exit 2, and an error message that contains `place`
/// (`file:` or `file:line:`).
#[track_caller]
fn input_error(r: &Run, place: &str) {
    sane(r);
    r.expect_code(2);
    let errors = errors(r);
    assert!(
        errors.contains(place),
        "the error does not name {place:?}:\n{}",
        r.stderr
    );
}

/// Long outputs (a 10 MB cell echoed back) shown in part.
fn truncated(s: &str) -> &str {
    match s.char_indices().nth(2000) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The binary with the harness's clean environment (see `util::Dir::run`),
/// for runs that need their standard streams set up by hand.
fn command(dir: &Dir, program: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir.path())
        .env_remove("FILING_CHECK_REGISTRY")
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("HOME", dir.join("home"))
        .env("NO_COLOR", "1");
    cmd
}

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_filing-check"))
}

fn collect(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary with `input` on standard input.
fn run_stdin(dir: &Dir, args: &[&str], input: &[u8]) -> Run {
    let mut child = command(dir, bin(), args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run filing-check");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // The binary may stop reading early (an error); that is its right.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for filing-check");
    writer.join().expect("the stdin writer");
    collect(out)
}

/// Runs the binary with standard output and/or standard error a pipe whose
/// reader is already gone (`filing-check … | head` after head exited).
fn run_closed(dir: &Dir, args: &[&str], close_stdout: bool, close_stderr: bool) -> Run {
    let mut child = command(dir, bin(), args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run filing-check");
    // Closed before the binary has loaded its registry, let alone written.
    if close_stdout {
        drop(child.stdout.take());
    }
    if close_stderr {
        drop(child.stderr.take());
    }
    collect(child.wait_with_output().expect("wait for filing-check"))
}

/// Deterministic pseudo-random bytes (xorshift), so a failure reproduces.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// `audit FILE --format json`: the run and its rows, by line.
fn audit_json(dir: &Dir, file: &str, extra: &[&str]) -> (Run, Vec<Value>) {
    let mut args = vec!["audit", file, "--format", "json", "--no-policy"];
    args.extend_from_slice(extra);
    let r = dir.run(&args);
    sane(&r);
    assert!(
        r.code != 2,
        "audit of {file} failed as an input error:\n{}",
        r.stderr
    );
    let rows = r.json()["rows"].as_array().expect("rows").clone();
    (r, rows)
}

/// (line, verdict) of each row of a JSON report.
fn verdicts(rows: &[Value]) -> Vec<(u64, String)> {
    rows.iter()
        .map(|row| {
            (
                row["line"].as_u64().expect("a line number"),
                row["verdict"].as_str().expect("a verdict").to_string(),
            )
        })
        .collect()
}

/// A list the embedded registry files every row of: the gate passes on it.
const FINE: &str = "\
供应商名称,模型名称
北京智谱华章科技有限公司,GLM大模型
百度,文心一言
腾讯,混元大模型
";

/// The filings per regime of the embedded registry.
/// The filings per regime of a registry file written from the embedded
/// registry (counted once, by the binary itself).
fn embedded_counts() -> (u64, u64) {
    static COUNTS: std::sync::OnceLock<(u64, u64)> = std::sync::OnceLock::new();
    *COUNTS.get_or_init(|| {
        let dir = Dir::new();
        dir.run(&["registry", "init", "base.db"]).expect_code(0);
        filing_counts(&dir, Some("base.db"))
    })
}

/// (genai, deep-synthesis) filings of a registry, from `registry status`.
fn filing_counts(dir: &Dir, registry: Option<&str>) -> (u64, u64) {
    let mut args = vec!["registry", "status", "--format", "json"];
    if let Some(r) = registry {
        args.extend_from_slice(&["--registry", r]);
    }
    let r = dir.run(&args);
    sane(&r);
    r.expect_code(0);
    let status = r.json();
    let count = |regime: &str| {
        status["regimes"]
            .as_array()
            .expect("regimes")
            .iter()
            .find(|x| x["regime"] == regime)
            .and_then(|x| x["filings"].as_u64())
            .unwrap_or_else(|| panic!("no {regime} count in {status}"))
    };
    (count("genai"), count("deep-synthesis"))
}

// ---------------------------------------------------------------------------
// Empty inputs: never a passing gate on nothing
// ---------------------------------------------------------------------------

#[test]
fn a_zero_byte_list_has_no_rows() {
    let dir = Dir::new();
    for name in ["empty.csv", "empty.tsv", "empty.txt"] {
        put(&dir, name, b"");
        let r = dir.run(&["audit", name]);
        input_error(&r, &format!("{name}:"));
        assert!(errors(&r).contains("no rows"), "{}", r.stderr);
    }
    // Nothing but blank lines is empty too.
    put(&dir, "blank.csv", "\n\n  \n\r\n");
    let r = dir.run(&["audit", "blank.csv"]);
    input_error(&r, "blank.csv:");
    assert!(errors(&r).contains("no rows"), "{}", r.stderr);
}

#[test]
fn a_zero_byte_workbook_is_an_input_error() {
    let dir = Dir::new();
    for name in ["empty.xlsx", "empty.xls"] {
        put(&dir, name, b"");
        input_error(&dir.run(&["audit", name]), &format!("{name}:"));
    }
}

#[test]
fn a_header_without_rows_has_no_rows() {
    let dir = Dir::new();
    for (name, text) in [
        ("h1.csv", "供应商名称,模型名称\n"),
        ("h2.csv", "供应商名称,模型名称"),
        ("h3.csv", "\u{feff}供应商名称,模型名称\r\n"),
        ("h4.csv", "供应商名称,模型名称\n\n\n"),
        ("h5.csv", "供应商名称,模型名称\n,\n,\n"),
        ("h6.tsv", "供应商名称\t模型名称\n"),
    ] {
        put(&dir, name, text);
        let r = dir.run(&["audit", name]);
        input_error(&r, &format!("{name}:"));
        assert!(errors(&r).contains("no rows"), "{name}: {}", r.stderr);
    }
}

#[test]
fn empty_standard_input_has_no_rows() {
    let dir = Dir::new();
    for input in [&b""[..], b"\n", "供应商名称,模型名称\n".as_bytes()] {
        let r = run_stdin(&dir, &["audit", "-"], input);
        input_error(&r, "<stdin>:");
        assert!(errors(&r).contains("no rows"), "{}", r.stderr);
    }
}

// ---------------------------------------------------------------------------
// Binary files, NUL bytes, invalid UTF-8
// ---------------------------------------------------------------------------

/// The first bytes of a PNG: what a mis-attached screenshot looks like.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0";

#[test]
fn a_binary_file_is_refused_by_name() {
    let dir = Dir::new();
    let mut png = PNG.to_vec();
    png.extend(noise(4096, 7));
    for name in ["shot.csv", "shot.txt", "shot.tsv", "shot"] {
        put(&dir, name, &png);
        let r = dir.run(&["audit", name]);
        input_error(&r, &format!("{name}:"));
        assert!(errors(&r).contains("binary"), "{}", r.stderr);
    }
    // Random bytes (with and without NULs), whatever the extension says.
    let no_nul: Vec<u8> = noise(8192, 11).into_iter().map(|b| b.max(1)).collect();
    let high: Vec<u8> = noise(8192, 13).into_iter().map(|b| b | 0x80).collect();
    for (name, bytes) in [
        ("noise.csv", noise(8192, 3)),
        ("no-nul.csv", no_nul),
        ("high.csv", high),
        ("noise.xlsx", noise(8192, 5)),
        ("noise.xls", noise(8192, 9)),
    ] {
        put(&dir, name, &bytes);
        input_error(&dir.run(&["audit", name]), &format!("{name}:"));
    }
    // A zip that is no workbook, and a workbook cut short.
    put(&dir, "fine.csv", FINE);
    dir.run(&["audit", "--no-policy", "-o", "report.xlsx", "fine.csv"])
        .expect_code(0);
    let workbook = fs::read(dir.join("report.xlsx")).unwrap();
    put(&dir, "cut.xlsx", &workbook[..workbook.len() / 3]);
    input_error(&dir.run(&["audit", "cut.xlsx"]), "cut.xlsx:");
}

#[test]
fn binary_standard_input_is_refused() {
    let dir = Dir::new();
    let mut png = PNG.to_vec();
    png.extend(noise(4096, 17));
    let r = run_stdin(&dir, &["audit", "-"], &png);
    input_error(&r, "<stdin>:");
    assert!(errors(&r).contains("binary"), "{}", r.stderr);
}

/// A UTF-8 list of `rows` filed rows after the header, then `tail`.
fn chinese_list(rows: usize, tail: &[u8]) -> Vec<u8> {
    let mut bytes = "供应商名称,模型名称\n".as_bytes().to_vec();
    for _ in 0..rows {
        bytes.extend_from_slice("北京智谱华章科技有限公司,GLM大模型\n".as_bytes());
    }
    bytes.extend_from_slice(tail);
    bytes
}

#[test]
fn a_nul_byte_is_refused_and_the_file_named() {
    let dir = Dir::new();
    // Early in the file (within the sample read before streaming)…
    put(
        &dir,
        "early.csv",
        chinese_list(2, "腾讯,混\0元大模型\n百度,文心一言\n".as_bytes()),
    );
    input_error(&dir.run(&["audit", "early.csv"]), "early.csv:");
    // …and past it, where the line is known: 2,000 rows of ~50 bytes.
    put(
        &dir,
        "late.csv",
        chinese_list(2000, "腾讯,混\0元大模型\n百度,文心一言\n".as_bytes()),
    );
    input_error(&dir.run(&["audit", "late.csv"]), "late.csv:2002:");
}

#[test]
fn a_nul_byte_in_a_short_text_list_names_its_line() {
    let dir = Dir::new();
    put(
        &dir,
        "nul.csv",
        chinese_list(2, "腾讯,混\0元大模型\n百度,文心一言\n".as_bytes()),
    );
    input_error(&dir.run(&["audit", "nul.csv"]), "nul.csv:4:");
}

#[test]
fn invalid_utf8_in_a_utf8_list_names_the_line() {
    let dir = Dir::new();
    let header = "供应商名称,模型名称\n".as_bytes();
    let good = "北京智谱华章科技有限公司,GLM大模型\n百度,文心一言\n".as_bytes();
    let mut cases: Vec<(&str, Vec<u8>, usize)> = Vec::new();
    // One 0xFF in an otherwise valid Chinese UTF-8 list, on line 4.
    let mut ff = [header, good].concat();
    ff.extend_from_slice("腾讯".as_bytes());
    ff.push(0xFF);
    ff.extend_from_slice(",混元大模型\n".as_bytes());
    cases.push(("ff.csv", ff, 4));
    // In the header.
    let mut in_header = "供应商".as_bytes().to_vec();
    in_header.push(0xFF);
    in_header.extend_from_slice("名称,模型名称\n".as_bytes());
    in_header.extend_from_slice(good);
    cases.push(("header.csv", in_header, 1));
    // A multi-byte character cut short (百 is E7 99 BE), on line 3.
    let mut cut = [header, "腾讯,混元大模型\n".as_bytes()].concat();
    cut.extend_from_slice(&[0xE7, 0x99]);
    cut.extend_from_slice("度,文心一言\n".as_bytes());
    cases.push(("cut.csv", cut, 3));
    // A lone continuation byte at the very end, without a final newline.
    let mut lone = [header, good].concat();
    lone.extend_from_slice("腾讯,混元大模型".as_bytes());
    lone.push(0x80);
    cases.push(("lone.csv", lone, 4));
    // Past the 64 KiB sample the encoding was detected from.
    let mut late = chinese_list(2000, "腾讯,混".as_bytes());
    late.push(0xFF);
    late.extend_from_slice("元大模型\n".as_bytes());
    cases.push(("late.csv", late, 2002));

    for (name, bytes, line) in cases {
        put(&dir, name, &bytes);
        let r = dir.run(&["audit", name]);
        input_error(&r, &format!("{name}:{line}:"));
        assert!(errors(&r).contains("UTF-8"), "{name}: {}", r.stderr);
        // The same bytes on standard input.
        let r = run_stdin(&dir, &["audit", "-"], &bytes);
        input_error(&r, &format!("<stdin>:{line}:"));
    }
}

// ---------------------------------------------------------------------------
// Malformed CSV: unbalanced quotes, ragged rows
// ---------------------------------------------------------------------------

#[test]
fn an_unbalanced_quote_names_the_file_and_line() {
    let dir = Dir::new();
    for (name, text, line) in [
        // Opened on line 3, never closed.
        (
            "mid.csv",
            "供应商名称,模型名称\n百度,文心一言\n\"腾讯,混元大模型\n北京智谱华章科技有限公司,GLM大模型\n",
            3,
        ),
        // On the last line.
        (
            "last.csv",
            "供应商名称,模型名称\n百度,文心一言\n腾讯,\"混元大模型\n",
            3,
        ),
        // In the header.
        ("header.csv", "\"供应商名称,模型名称\n百度,文心一言\n", 1),
        // After a legitimate multi-line cell (lines 2–3).
        (
            "after.csv",
            "供应商名称,模型名称\n\"百度\n\",文心一言\n腾讯,混元大模型\n\"Anthropic,Claude\n",
            5,
        ),
        // Tab-separated.
        (
            "tabs.tsv",
            "供应商名称\t模型名称\n百度\t\"文心一言\n腾讯\t混元大模型\n",
            2,
        ),
    ] {
        put(&dir, name, text);
        let r = dir.run(&["audit", name]);
        input_error(&r, &format!("{name}:{line}:"));
        assert!(errors(&r).contains("quote"), "{name}: {}", r.stderr);
        let r = run_stdin(&dir, &["audit", "-"], text.as_bytes());
        input_error(&r, &format!("<stdin>:{line}:"));
    }
}

#[test]
fn a_ragged_row_names_the_file_and_line() {
    let dir = Dir::new();
    for (name, text, line) in [
        // Too many fields on line 3.
        (
            "wide.csv",
            "供应商名称,模型名称\n百度,文心一言\n腾讯,混元大模型,多余,字段\n",
            3,
        ),
        // Too few fields on line 2.
        (
            "short.csv",
            "供应商名称,模型名称,备案号\n百度,文心一言\n腾讯,混元大模型,\n",
            2,
        ),
        // Tab-separated.
        (
            "wide.tsv",
            "供应商名称\t模型名称\n百度\t文心一言\t多\t余\n",
            2,
        ),
    ] {
        put(&dir, name, text);
        let r = dir.run(&["audit", name]);
        input_error(&r, &format!("{name}:{line}:"));
        assert!(errors(&r).contains("fields"), "{name}: {}", r.stderr);
    }
}

// ---------------------------------------------------------------------------
// Oversized inputs
// ---------------------------------------------------------------------------

const TEN_MB: usize = 10 * 1024 * 1024;

#[test]
fn a_ten_megabyte_cell_in_another_column_is_read() {
    let dir = Dir::new();
    let mut text = String::from("供应商名称,模型名称,备注\n百度,文心一言,");
    text.push_str(&"注".repeat(TEN_MB / 3));
    text.push_str("\n腾讯,混元大模型,\n");
    put(&dir, "notes.csv", &text);
    let (r, rows) = audit_json(&dir, "notes.csv", &[]);
    r.expect_code(0);
    assert_eq!(
        verdicts(&rows),
        [(2, "filed".to_string()), (3, "filed".to_string())]
    );
    // A quoted 10 MB cell full of separators, quotes and line breaks.
    let mut text = String::from("供应商名称,模型名称,备注\n百度,文心一言,\"");
    text.push_str(&"a,b\n\"\"c".repeat(TEN_MB / 8));
    text.push_str("\"\nAnthropic,Claude,\n");
    put(&dir, "quoted.csv", &text);
    let (r, rows) = audit_json(&dir, "quoted.csv", &[]);
    r.expect_code(1);
    let v = verdicts(&rows);
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(v[0].1, "filed");
    assert_eq!(v[1].1, "not-found");
}

#[test]
fn a_ten_megabyte_vendor_cell_gets_a_verdict_quickly() {
    let dir = Dir::new();
    let mut text = String::from("供应商名称,模型名称\n");
    text.push_str(&"a".repeat(TEN_MB));
    text.push_str(",\n");
    put(&dir, "big.csv", &text);
    let start = Instant::now();
    let r = dir.run(&["audit", "big.csv", "--format", "jsonl", "--no-policy"]);
    let took = start.elapsed();
    sane(&r);
    // A verdict for junk (the gate fails) or a clear error about the cell.
    match r.code {
        1 => {
            let row: Value = r
                .stdout
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("jsonl"))
                .find(|v| v["type"] == "row")
                .expect("a row");
            assert!(
                matches!(row["verdict"].as_str(), Some("not-found" | "invalid")),
                "{}",
                truncated(&row.to_string())
            );
        }
        2 => input_error(&r, "big.csv:2:"),
        other => panic!("exit {other} for a 10 MB junk vendor:\n{}", r.stderr),
    }
    // How long it takes is a benchmark's business; it prints for the record.
    eprintln!("a 10 MB cell took {took:?}");
}

#[test]
fn ten_thousand_columns_are_read() {
    let dir = Dir::new();
    const COLUMNS: usize = 10_000;
    let row = |cells: &[(usize, &str)]| {
        let mut v = vec![String::new(); COLUMNS];
        for (i, s) in cells {
            v[*i] = s.to_string();
        }
        v.join(",")
    };
    let mut header: Vec<String> = (1..=COLUMNS).map(|i| format!("字段{i}")).collect();
    header[5000] = "供应商名称".into();
    header[7000] = "模型名称".into();
    let text = format!(
        "{}\n{}\n{}\n",
        header.join(","),
        row(&[(5000, "百度"), (7000, "文心一言")]),
        row(&[(5000, "Anthropic"), (7000, "Claude"), (9999, "最后一列")]),
    );
    put(&dir, "wide.csv", &text);
    let (r, rows) = audit_json(&dir, "wide.csv", &[]);
    r.expect_code(1);
    assert_eq!(
        verdicts(&rows),
        [(2, "filed".to_string()), (3, "not-found".to_string())]
    );
    assert_eq!(rows[0]["vendor"], "百度");
    assert_eq!(rows[1]["model"], "Claude");

    // The vendor in the very last column, chosen by number.
    let mut header: Vec<String> = (1..=COLUMNS).map(|i| format!("c{i}")).collect();
    header[COLUMNS - 1] = "供应商".into();
    let text = format!("{}\n{}\n", header.join(","), row(&[(COLUMNS - 1, "腾讯")]));
    put(&dir, "last.csv", &text);
    let (r, rows) = audit_json(&dir, "last.csv", &[]);
    r.expect_code(0);
    assert_eq!(verdicts(&rows), [(2, "filed".to_string())]);
    let (r, rows) = audit_json(&dir, "last.csv", &["--vendor-col", "10000"]);
    r.expect_code(0);
    assert_eq!(rows[0]["vendor"], "腾讯");
}

// ---------------------------------------------------------------------------
// SQL metacharacters in names
// ---------------------------------------------------------------------------

/// Names that would break a query built by string concatenation, or match
/// everything as a LIKE pattern.
const SQL_NAMES: &[&str] = &[
    "'; DROP TABLE filings; --",
    "\" OR 1=1 --",
    "' OR '1'='1",
    "Robert'); DROP TABLE companies;--",
    "1; DELETE FROM companies",
    "x' UNION SELECT * FROM filings --",
];

/// Names made only of LIKE wildcards and escapes.
const WILDCARDS: &[&str] = &["%", "_", "\\", "%%", "__", "%_\\"];

/// Lookups through the embedded registry and through a registry file.
fn lookup_verdicts(dir: &Dir, registry: Option<&str>, names: &[&str]) -> (Run, Vec<String>) {
    let mut args = vec!["--format", "json"];
    if let Some(r) = registry {
        args.extend_from_slice(&["--registry", r]);
    }
    args.push("--");
    args.extend_from_slice(names);
    let r = dir.run(&args);
    sane(&r);
    let results = r.json()["results"].as_array().expect("results").clone();
    assert_eq!(results.len(), names.len());
    let v = results
        .iter()
        .zip(names)
        .map(|(res, name)| {
            assert_eq!(res["query"], *name, "the query is echoed literally");
            res["verdict"].as_str().expect("verdict").to_string()
        })
        .collect();
    (r, v)
}

#[test]
fn sql_metacharacters_as_queries_are_not_found() {
    let dir = Dir::new();
    dir.run(&["registry", "init", "r.db"]).expect_code(0);
    let before = fs::read(dir.join("r.db")).unwrap();
    for registry in [None, Some("r.db")] {
        let mut names = SQL_NAMES.to_vec();
        names.extend_from_slice(WILDCARDS);
        // A wildcard next to part of a filed name is not a pattern.
        names.extend_from_slice(&["腾%", "百_", "%讯", "_度", "谱%", "%飞"]);
        let (r, v) = lookup_verdicts(&dir, registry, &names);
        r.expect_code(1);
        for (name, verdict) in names.iter().zip(&v) {
            assert_eq!(verdict, "not-found", "{name:?} via {registry:?}");
        }
        // `registry list --company %` lists nothing, not everything.
        for company in WILDCARDS.iter().chain(SQL_NAMES) {
            let mut args = vec!["registry", "list", "--format", "json", "--company", company];
            if let Some(r) = registry {
                args.extend_from_slice(&["--registry", r]);
            }
            let r = dir.run(&args);
            sane(&r);
            assert_eq!(r.json(), serde_json::json!([]), "--company {company:?}");
        }
    }
    assert_eq!(filing_counts(&dir, Some("r.db")), embedded_counts());
    assert_eq!(filing_counts(&dir, None), embedded_counts());
    assert!(
        fs::read(dir.join("r.db")).unwrap() == before,
        "lookups changed the registry file"
    );
}

#[test]
fn sql_metacharacters_as_audit_rows_fail_the_gate() {
    let dir = Dir::new();
    dir.run(&["registry", "init", "r.db"]).expect_code(0);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["供应商名称", "模型名称", "备案号"])
        .unwrap();
    for name in SQL_NAMES {
        w.write_record([*name, "", ""]).unwrap();
        w.write_record(["", *name, ""]).unwrap();
        w.write_record(["百度", "文心一言", *name]).unwrap();
    }
    for name in WILDCARDS {
        w.write_record([*name, *name, ""]).unwrap();
    }
    put(&dir, "sql.csv", w.into_inner().unwrap());
    for registry in [&[][..], &["--registry", "r.db"][..]] {
        let (r, rows) = audit_json(&dir, "sql.csv", registry);
        r.expect_code(1);
        assert_eq!(rows.len(), SQL_NAMES.len() * 3 + WILDCARDS.len());
        for row in &rows {
            let verdict = row["verdict"].as_str().unwrap();
            let names = format!(
                "{} / {} / {}",
                row["vendor"], row["model"], row["filing_no"]
            );
            let only_wildcards = WILDCARDS.iter().any(|w| row["vendor"] == *w);
            let number_row = row["vendor"] == "百度";
            let expected: &[&str] = if number_row {
                // A filed pair with a junk filing number.
                &["mismatch"]
            } else if only_wildcards {
                &["invalid"]
            } else {
                &["not-found", "invalid"]
            };
            assert!(
                expected.contains(&verdict),
                "{names}: {verdict} (expected one of {expected:?})"
            );
            assert_eq!(row["gate"], "fail", "{names}");
        }
        // Names are reported as given.
        assert!(rows.iter().any(|r| r["vendor"] == SQL_NAMES[0]));
    }
    assert_eq!(filing_counts(&dir, Some("r.db")), embedded_counts());
}

/// A deep-synthesis list in the published layout, with hostile names.
fn hostile_list() -> (Vec<u8>, Vec<(&'static str, &'static str)>) {
    let companies_items = vec![
        (
            "'; DROP TABLE filings; --有限公司",
            "'; DROP TABLE filings; --",
        ),
        ("\" OR 1=1 --科技有限公司", "\" OR 1=1 --算法"),
        ("百分%下划_反斜\\公司", "百分%下划_反斜\\算法"),
        (
            "Robert'); DROP TABLE companies;--",
            "x' UNION SELECT * FROM filings --",
        ),
    ];
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "序号",
        "算法名称",
        "角色",
        "主体名称",
        "应用产品",
        "主要用途",
        "备案编号",
        "备注",
    ])
    .unwrap();
    for (i, (company, item)) in companies_items.iter().enumerate() {
        let n = (i + 1).to_string();
        let number = format!("网信算备1101088234839012300{:02}号", 41 + i);
        w.write_record([
            n.as_str(),
            item,
            "服务技术支持者",
            company,
            "测试产品",
            "测试",
            number.as_str(),
            "",
        ])
        .unwrap();
    }
    (w.into_inner().unwrap(), companies_items)
}

#[test]
fn sql_metacharacter_names_are_imported_and_found_literally() {
    let dir = Dir::new();
    dir.run(&["registry", "init", "r.db"]).expect_code(0);
    let (list, names) = hostile_list();
    put(&dir, "list.csv", list);
    let r = dir.run(&[
        "--registry",
        "r.db",
        "registry",
        "import",
        "list.csv",
        "--regime",
        "deep-synthesis",
        "--as-of",
        "2026-11-01",
    ]);
    sane(&r);
    r.expect_code(0);
    // Nothing dropped, the new rows added.
    assert_eq!(
        filing_counts(&dir, Some("r.db")),
        (
            embedded_counts().0,
            embedded_counts().1 + names.len() as u64
        )
    );

    // Stored literally.
    let r = dir.run(&[
        "--registry",
        "r.db",
        "registry",
        "list",
        "--format",
        "json",
        "--regime",
        "deep-synthesis",
    ]);
    sane(&r);
    let listed = r.json();
    for (company, item) in &names {
        let found = listed
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["company"] == *company && f["item"] == *item);
        assert!(found, "{company:?} / {item:?} not listed as given");
    }

    // Found literally, and the match names the stored company.
    let queries: Vec<&str> = names.iter().map(|(c, _)| *c).collect();
    let mut args = vec!["--registry", "r.db", "--format", "json", "--"];
    args.extend_from_slice(&queries);
    let r = dir.run(&args);
    sane(&r);
    r.expect_code(0);
    for (result, (company, _)) in r.json()["results"].as_array().unwrap().iter().zip(&names) {
        assert_eq!(result["verdict"], "filed", "{company:?}: {result}");
        assert_eq!(
            util::match_field(result, "company")
                .into_iter()
                .collect::<Vec<_>>(),
            [company.to_string()]
        );
    }

    // As audit rows, with their numbers.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["供应商名称", "模型名称"]).unwrap();
    for (company, item) in &names {
        w.write_record([*company, *item]).unwrap();
    }
    put(&dir, "rows.csv", w.into_inner().unwrap());
    let (r, rows) = audit_json(&dir, "rows.csv", &["--registry", "r.db"]);
    r.expect_code(0);
    assert!(rows.iter().all(|r| r["verdict"] == "filed"), "{rows:?}");

    // Wildcards still match nothing, in this registry too.
    let (r, v) = lookup_verdicts(&dir, Some("r.db"), WILDCARDS);
    r.expect_code(1);
    assert!(v.iter().all(|v| v == "not-found"), "{v:?}");
    assert_eq!(
        filing_counts(&dir, Some("r.db")),
        (
            embedded_counts().0,
            embedded_counts().1 + names.len() as u64
        )
    );
}

// ---------------------------------------------------------------------------
// Unwritable outputs
// ---------------------------------------------------------------------------

/// Files in `dir` whose name starts with `prefix` (a report or its
/// temporary file).
fn leftovers(dir: &Path, prefix: &str) -> Vec<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(prefix) || n.starts_with(&format!(".{prefix}")))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_output_in_a_missing_directory_is_an_error() {
    let dir = Dir::new();
    put(&dir, "fine.csv", FINE);
    for output in ["missing/report.json", "missing/deeper/report.csv"] {
        let r = dir.run(&["audit", "fine.csv", "--no-policy", "--output", output]);
        input_error(&r, output);
        assert!(
            !dir.join("missing").exists(),
            "created {output}'s directory"
        );
    }
}

#[test]
fn an_output_that_is_a_directory_is_an_error() {
    let dir = Dir::new();
    put(&dir, "fine.csv", FINE);
    fs::create_dir(dir.join("reports")).unwrap();
    for output in ["reports", "reports/"] {
        let r = dir.run(&["audit", "fine.csv", "--no-policy", "--output", output]);
        input_error(&r, output);
        assert!(dir.join("reports").is_dir());
        assert_eq!(
            fs::read_dir(dir.join("reports")).unwrap().count(),
            0,
            "wrote into the directory"
        );
        assert!(
            leftovers(dir.path(), "reports")
                .iter()
                .all(|n| n == "reports"),
            "a partial file was left: {:?}",
            leftovers(dir.path(), "reports")
        );
    }
}

#[test]
fn an_output_below_a_regular_file_is_an_error() {
    // Refused even to root: a file cannot hold a directory entry.
    let dir = Dir::new();
    put(&dir, "fine.csv", FINE);
    let r = dir.run(&[
        "audit",
        "fine.csv",
        "--no-policy",
        "-o",
        "fine.csv/report.json",
    ]);
    input_error(&r, "fine.csv/report.json");
    assert_eq!(fs::read_to_string(dir.join("fine.csv")).unwrap(), FINE);
}

#[test]
fn an_input_error_leaves_no_report_behind() {
    let dir = Dir::new();
    // Fails after 2,000 rows were already reported.
    put(
        &dir,
        "late.csv",
        chinese_list(2000, "腾讯,混\0元大模型\n".as_bytes()),
    );
    for output in ["report.json", "report.csv", "report.xlsx", "report.md"] {
        let r = dir.run(&["audit", "late.csv", "--no-policy", "-o", output]);
        input_error(&r, "late.csv:2002:");
        let prefix = output.split('.').next().unwrap();
        assert_eq!(
            leftovers(dir.path(), prefix),
            Vec::<String>::new(),
            "a partial report was left"
        );
    }
    // A report from an earlier run is not replaced by a partial one.
    put(&dir, "fine.csv", FINE);
    dir.run(&["audit", "fine.csv", "--no-policy", "-o", "report.json"])
        .expect_code(0);
    let good = fs::read(dir.join("report.json")).unwrap();
    let r = dir.run(&["audit", "late.csv", "--no-policy", "-o", "report.json"]);
    input_error(&r, "late.csv:2002:");
    assert!(fs::read(dir.join("report.json")).unwrap() == good);
}

/// How to run the binary so that a directory's permission bits apply:
/// directly, or — when the tests run as root, whom the bits do not stop —
/// as `nobody` through `setpriv`. `None` when neither makes a write to a
/// 0555 directory fail (then the test says so and checks nothing).
enum Runner {
    Direct,
    Nobody,
}

impl Runner {
    const NOBODY: [&'static str; 4] = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"];

    fn find(dir: &Dir, read_only: &Path) -> Option<Runner> {
        let probe = read_only.join(".probe");
        if fs::write(&probe, b"").is_err() {
            return Some(Runner::Direct);
        }
        let _ = fs::remove_file(&probe);
        // Root: let `nobody` reach the test directory, then check that the
        // bits stop it and that it can run the binary.
        let _ = set_mode(dir.path(), 0o755);
        let refused = Command::new("setpriv")
            .args(Self::NOBODY)
            .args(["sh", "-c", ": > \"$1\"", "sh"])
            .arg(&probe)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| !s.success());
        let runs = Command::new("setpriv")
            .args(Self::NOBODY)
            .arg(bin())
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        (refused && runs).then_some(Runner::Nobody)
    }

    fn run(&self, dir: &Dir, args: &[&str]) -> Run {
        match self {
            Runner::Direct => dir.run(args),
            Runner::Nobody => {
                let mut all: Vec<&str> = Self::NOBODY.to_vec();
                all.push(bin().to_str().expect("a UTF-8 binary path"));
                all.extend_from_slice(args);
                collect(
                    command(dir, Path::new("setpriv"), &all)
                        .stdin(Stdio::null())
                        .output()
                        .expect("run setpriv"),
                )
            }
        }
    }
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

/// Makes a directory read-only for the test's life, and writable again
/// after, so that the temporary directory can be removed.
struct ReadOnly(PathBuf);

impl ReadOnly {
    fn new(path: PathBuf) -> ReadOnly {
        set_mode(&path, 0o555).expect("chmod 0555");
        ReadOnly(path)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        let _ = set_mode(&self.0, 0o755);
    }
}

/// Says a test checked nothing, where `cargo test` shows it: on the real
/// standard error (the harness captures only `print!`/`eprint!`).
fn skip(test: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "note: {test} SKIPPED: permission bits do not stop writes here (root) and \
         `setpriv` to nobody is unavailable; nothing was checked"
    );
}

#[test]
fn an_output_in_a_read_only_directory_is_an_error() {
    let dir = Dir::new();
    put(&dir, "fine.csv", FINE);
    fs::create_dir(dir.join("locked")).unwrap();
    let _guard = ReadOnly::new(dir.join("locked"));
    let Some(runner) = Runner::find(&dir, &dir.join("locked")) else {
        return skip("an_output_in_a_read_only_directory_is_an_error");
    };
    let r = runner.run(
        &dir,
        &[
            "audit",
            "fine.csv",
            "--no-policy",
            "-o",
            "locked/report.json",
        ],
    );
    input_error(&r, "locked/report.json");
    assert_eq!(fs::read_dir(dir.join("locked")).unwrap().count(), 0);
}

#[test]
fn a_closed_standard_output_fails_the_gate() {
    // `filing-check audit … | head`: the report was not delivered.
    let dir = Dir::new();
    put(&dir, "fine.csv", FINE);
    for format in ["table", "json", "csv"] {
        let r = run_closed(
            &dir,
            &["audit", "fine.csv", "--no-policy", "--format", format],
            true,
            false,
        );
        sane(&r);
        r.expect_code(2);
        assert!(errors(&r).contains("standard output"), "{}", r.stderr);
    }
}

#[test]
fn a_closed_standard_output_does_not_turn_a_lookup_into_filed() {
    let dir = Dir::new();
    for args in [
        &["Anthropic"][..],
        &["--format", "json", "Anthropic", "百度"][..],
    ] {
        let r = run_closed(&dir, args, true, false);
        sane(&r);
        assert_ne!(r.code, 0, "{args:?} (not-found) exited 0:\n{}", r.stderr);
    }
}

#[test]
fn a_closed_standard_error_is_no_panic() {
    let dir = Dir::new();
    put(&dir, "fine.csv", FINE);
    put(&dir, "header.csv", "供应商名称,模型名称\n");
    // An input error: 2, whether or not it could be said.
    let r = run_closed(&dir, &["audit", "header.csv"], false, true);
    assert_ne!(r.code, 101, "panicked");
    assert_eq!(r.code, 2);
    // A passing gate with its report in a file: the report was written.
    let r = run_closed(
        &dir,
        &["audit", "fine.csv", "--no-policy", "-o", "report.json"],
        false,
        true,
    );
    assert_ne!(r.code, 101, "panicked");
    assert!(matches!(r.code, 0 | 2), "exit {}", r.code);
    // Both closed.
    let r = run_closed(&dir, &["audit", "fine.csv", "--no-policy"], true, true);
    assert_ne!(r.code, 101, "panicked");
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------------------
// Registry files: corrupt, foreign, newer, read-only
// ---------------------------------------------------------------------------

/// Every way a registry is read or written, against registry file `db`:
/// (what, args). Writes come last.
fn registry_uses(db: &str) -> Vec<(&'static str, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        ("lookup", s(&["--registry", db, "百度"])),
        (
            "audit",
            s(&["audit", "fine.csv", "--no-policy", "--registry", db]),
        ),
        ("status", s(&["registry", "status", "--registry", db])),
        ("list", s(&["registry", "list", "--registry", db])),
        (
            "import",
            s(&[
                "--registry",
                db,
                "registry",
                "import",
                "list.csv",
                "--regime",
                "deep-synthesis",
                "--as-of",
                "2026-11-01",
            ]),
        ),
    ]
}

/// Sets up `fine.csv`, `list.csv` and a fresh registry `r.db`.
fn registry_dir() -> Dir {
    let dir = Dir::new();
    put(&dir, "fine.csv", FINE);
    put(&dir, "list.csv", hostile_list().0);
    dir.run(&["registry", "init", "r.db"]).expect_code(0);
    dir
}

/// Each use of registry `db` is refused with exit 2, names the file, says
/// `hint` (what to do), and leaves the file as it was.
#[track_caller]
fn refused(dir: &Dir, db: &str, hint: &str) {
    let before = fs::read(dir.join(db)).unwrap();
    for (what, args) in registry_uses(db) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = dir.run(&args);
        input_error(&r, db);
        assert!(
            errors(&r).contains(hint),
            "{what} on {db}: the error does not say {hint:?}:\n{}",
            r.stderr
        );
        assert!(
            fs::read(dir.join(db)).unwrap() == before,
            "{what} changed {db}"
        );
    }
}

#[test]
fn a_registry_of_random_bytes_is_refused_with_a_fix() {
    let dir = registry_dir();
    for (name, bytes) in [
        ("noise.db", noise(40_000, 21)),
        ("zero.db", Vec::new()),
        ("text.db", FINE.as_bytes().to_vec()),
        (
            "fake-header.db",
            [&b"SQLite format 3\0"[..], &noise(8192, 23)].concat(),
        ),
    ] {
        put(&dir, name, bytes);
        refused(&dir, name, "filing-check registry init");
    }
}

#[test]
fn a_foreign_sqlite_file_is_refused() {
    let dir = registry_dir();
    let conn = rusqlite::Connection::open(dir.join("other.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE filings (x); INSERT INTO filings VALUES ('百度'); PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(conn);
    refused(&dir, "other.db", "not a filing-check registry");
}

#[test]
fn a_registry_of_a_newer_or_older_schema_is_refused_with_a_fix() {
    let dir = registry_dir();
    for (name, version, hint) in [
        ("newer.db", 99, "upgrade filing-check"),
        ("older.db", 1, "registry init --force"),
    ] {
        fs::copy(dir.join("r.db"), dir.join(name)).unwrap();
        let conn = rusqlite::Connection::open(dir.join(name)).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {version};"))
            .unwrap();
        drop(conn);
        refused(&dir, name, hint);
    }
}

/// Cut points for a truncated copy of a registry of `len` bytes.
fn cuts(len: usize) -> [usize; 5] {
    [100, 4096, len / 2, len - 4096, len - 264]
}

#[test]
fn a_truncated_registry_is_refused_when_read() {
    let dir = registry_dir();
    let whole = fs::read(dir.join("r.db")).unwrap();
    for cut in cuts(whole.len()) {
        let name = format!("cut{cut}.db");
        put(&dir, &name, &whole[..cut]);
        // The reads (not the import: see the ignored test below).
        for (_, args) in registry_uses(&name).into_iter().take(4) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = dir.run(&args);
            input_error(&r, &name);
        }
        assert!(
            fs::read(dir.join(&name)).unwrap() == whole[..cut],
            "reading {name} changed it"
        );
    }
}

#[test]
fn a_truncated_registry_is_refused_with_a_fix() {
    let dir = registry_dir();
    let whole = fs::read(dir.join("r.db")).unwrap();
    for cut in cuts(whole.len()) {
        let name = format!("cut{cut}.db");
        put(&dir, &name, &whole[..cut]);
        for (what, args) in registry_uses(&name).into_iter().take(4) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = dir.run(&args);
            input_error(&r, &name);
            assert!(
                errors(&r).contains("filing-check registry"),
                "{what} on {name}: no advice:\n{}",
                r.stderr
            );
        }
    }
}

#[test]
fn importing_into_a_truncated_registry_is_refused() {
    let dir = registry_dir();
    let whole = fs::read(dir.join("r.db")).unwrap();
    for cut in cuts(whole.len()) {
        let name = format!("cut{cut}.db");
        put(&dir, &name, &whole[..cut]);
        let (_, args) = registry_uses(&name).pop().unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = dir.run(&args);
        input_error(&r, &name);
        assert!(
            fs::read(dir.join(&name)).unwrap() == whole[..cut],
            "the import changed {name}"
        );
    }
}

/// A registry in a directory of its own, made read-only.
fn read_only_registry(dir: &Dir, imported: bool) -> ReadOnly {
    fs::create_dir(dir.join("shared")).unwrap();
    dir.run(&["registry", "init", "shared/r.db"]).expect_code(0);
    if imported {
        dir.run(&[
            "--registry",
            "shared/r.db",
            "registry",
            "import",
            "list.csv",
            "--regime",
            "deep-synthesis",
            "--as-of",
            "2026-11-01",
        ])
        .expect_code(0);
    }
    ReadOnly::new(dir.join("shared"))
}

/// Lookups and audits read a registry in a read-only directory; an import
/// into it fails with exit 2 and leaves it unchanged.
fn read_only_registry_is_read_but_not_written(test: &str, imported: bool) {
    let dir = registry_dir();
    let guard = read_only_registry(&dir, imported);
    let Some(runner) = Runner::find(&dir, &guard.0) else {
        return skip(test);
    };
    let db = "shared/r.db";
    let before = fs::read(dir.join(db)).unwrap();

    let r = runner.run(
        &dir,
        &["--registry", db, "--format", "json", "百度", "Anthropic"],
    );
    sane(&r);
    r.expect_code(1);
    let verdicts: Vec<Value> = r.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["verdict"].clone())
        .collect();
    assert_eq!(verdicts, ["filed", "not-found"]);
    runner.run(&dir, &["--registry", db, "百度"]).expect_code(0);
    let r = runner.run(
        &dir,
        &["audit", "fine.csv", "--no-policy", "--registry", db],
    );
    sane(&r);
    r.expect_code(0);
    let r = runner.run(&dir, &["registry", "status", "--registry", db]);
    sane(&r);
    r.expect_code(0);

    // The same list again would be a no-op that writes nothing; as a list
    // of another scope it is a new batch, which must be written.
    let (_, mut import) = registry_uses(db).pop().unwrap();
    import.extend(["--scope".to_string(), "其他".to_string()]);
    let import: Vec<&str> = import.iter().map(String::as_str).collect();
    let r = runner.run(&dir, &import);
    input_error(&r, db);
    let e = errors(&r).to_lowercase();
    assert!(
        e.contains("read-only") || e.contains("readonly") || e.contains("permission"),
        "the error does not say the registry cannot be written:\n{}",
        r.stderr
    );
    assert!(
        fs::read(dir.join(db)).unwrap() == before,
        "the import changed {db}"
    );
    assert_eq!(
        fs::read_dir(dir.join("shared")).unwrap().count(),
        1,
        "files were left beside the registry"
    );
}

#[test]
fn a_registry_in_a_read_only_directory_is_read_but_not_written() {
    read_only_registry_is_read_but_not_written(
        "a_registry_in_a_read_only_directory_is_read_but_not_written",
        false,
    );
}

#[test]
fn an_imported_registry_in_a_read_only_directory_is_read_but_not_written() {
    read_only_registry_is_read_but_not_written(
        "an_imported_registry_in_a_read_only_directory_is_read_but_not_written",
        true,
    );
}
