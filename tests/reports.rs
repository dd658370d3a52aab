//! Reports made to be trusted unattended and opened in Excel (issue 12).
//!
//! Each test runs the real binary and checks one promise of the reports:
//! cells that would start a formula are neutralised in every
//! spreadsheet-bound format; hostile sizes (huge cells, huge headers, long
//! lists) are cut down where a person or GitHub reads them; a CSV opens in
//! Excel as it is; `--quiet` never thins a report file; an output name the
//! tool cannot honour is refused; the workbook fits its text, filters,
//! keeps numbers as numbers and says how old the registry is; Chinese
//! labels by default; the lookup shows filing numbers and explains briefly;
//! and narrow or unknown terminal widths get a layout that does not wrap.

mod util;

use serde_json::Value;
use util::Dir;

// ---------------------------------------------------------------------------
// Shared inputs and helpers
// ---------------------------------------------------------------------------

/// A list with every verdict (the same as tests/audit.rs's `MIXED`).
const MIXED: &str = "\
序号,供应商名称,模型名称,备案号
1,北京智谱华章科技有限公司,GLM大模型,
2,百度,GLM大模型,
3,MiniMax,海螺AI,
4,OpenAI,ChatGPT,
5,,,
6,N/A,N/A,
7,金山办公,WPS AI,网信算备1101088234839号
";

fn put(dir: &Dir, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).expect("write a test input");
}

fn dir_with_list(text: &str) -> Dir {
    let dir = Dir::new();
    put(&dir, "list.csv", text);
    dir
}

/// The files in the test's directory but `keep`.
fn other_files(dir: &Dir, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------
// 10. CSV for Excel
// ---------------------------------------------------------------------------

mod csv_for_excel {
    use super::*;

    #[test]
    fn csv_is_utf8_with_a_bom_by_default_on_stdout_and_in_files() {
        let dir = dir_with_list(MIXED);
        let r = dir.run(&["audit", "list.csv", "--format", "csv"]);
        r.expect_code(1);
        assert!(r.stdout.starts_with("\u{feff}line,"), "{}", r.stdout);
        dir.run(&["audit", "list.csv", "-o", "r.csv"])
            .expect_code(1);
        let bytes = std::fs::read(dir.join("r.csv")).unwrap();
        assert_eq!(bytes[..3], [0xEF, 0xBB, 0xBF]);
        // UTF-8 without a BOM is still there for programs.
        let r = dir.run(&[
            "audit",
            "list.csv",
            "--format",
            "csv",
            "--output-encoding",
            "utf-8",
        ]);
        assert!(r.stdout.starts_with("line,"), "{}", r.stdout);
    }

    #[test]
    fn a_character_gbk_lacks_is_an_error_naming_the_row_and_no_report() {
        let dir = dir_with_list("供应商,模型\n百度,文心一言\n表情😀公司,𠀀模型\n");
        let r = dir.run(&[
            "audit",
            "list.csv",
            "--output-encoding",
            "gbk",
            "-o",
            "r.csv",
        ]);
        r.expect_code(2);
        assert!(r.stderr.contains("line 3"), "{}", r.stderr);
        assert!(r.stderr.contains("gb18030"), "{}", r.stderr);
        assert!(!dir.join("r.csv").exists(), "a half-written report");
        assert_eq!(other_files(&dir, &["list.csv"]), Vec::<String>::new());

        // Never an HTML entity, on standard output either (the header is
        // ASCII here, so that what was written before the error reads as
        // UTF-8).
        put(&dir, "list.csv", "vendor,model\nOpenAI😀,x\n");
        let r = dir.run(&[
            "audit",
            "list.csv",
            "--format",
            "csv",
            "--output-encoding",
            "gbk",
        ]);
        r.expect_code(2);
        assert!(!r.stdout.contains("&#"), "{}", r.stdout);
        assert!(r.stderr.contains("line 2"), "{}", r.stderr);
    }

    #[test]
    fn gb18030_encodes_every_character() {
        let dir = dir_with_list("供应商,模型\n百度,文心一言\n表情😀公司,𠀀模型\n");
        dir.run(&[
            "audit",
            "list.csv",
            "--output-encoding",
            "gb18030",
            "-o",
            "r.csv",
        ])
        .expect_code(1);
        let bytes = std::fs::read(dir.join("r.csv")).unwrap();
        let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
        assert!(!bad);
        assert!(!text.contains("&#"), "{text}");
        assert!(
            text.contains("表情😀公司") && text.contains("𠀀模型"),
            "{text}"
        );
        assert!(text.starts_with("line,"), "no BOM in GB18030: {text}");
    }
}

// ---------------------------------------------------------------------------
// 11. --quiet quiets the terminal, never a report file
// ---------------------------------------------------------------------------

mod quiet {
    use super::*;

    #[test]
    fn a_report_file_has_every_row_under_quiet() {
        let dir = dir_with_list(MIXED);
        let r = dir.run(&["audit", "list.csv", "-q", "-o", "r.json"]);
        r.expect_code(1);
        assert_eq!(r.stdout, "");
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
        let lines: Vec<u64> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8]);
        // Standard error stays quiet: failures and the summary only.
        assert!(!r.stderr.contains("warning"), "{}", r.stderr);

        // On standard output, quiet still shows only the failing rows.
        let r = dir.run(&["audit", "list.csv", "-q", "--format", "json"]);
        let rows = r.json()["rows"].as_array().unwrap().len();
        assert_eq!(rows, 5);
    }
}

// ---------------------------------------------------------------------------
// 12. Output names the tool cannot honour
// ---------------------------------------------------------------------------

mod extensions {
    use super::*;

    #[test]
    fn an_unknown_output_extension_is_an_error_naming_the_formats() {
        let dir = dir_with_list(MIXED);
        for name in ["r.xls", "r.html", "r.tsv", "r.junit", "r.pdf"] {
            let r = dir.run(&["audit", "list.csv", "-o", name]);
            r.expect_code(2);
            let ext = name.trim_start_matches("r");
            assert!(r.stderr.contains(ext), "{name}: {}", r.stderr);
            for format in ["csv", "xlsx", "json", "markdown", "--format"] {
                assert!(r.stderr.contains(format), "{name}: {}", r.stderr);
            }
            assert!(!dir.join(name).exists(), "{name} was written");
        }
        // --format says what to write, whatever the name.
        dir.run(&["audit", "list.csv", "-o", "r.tsv", "--format", "csv"])
            .expect_code(1);
        assert!(dir.join("r.tsv").exists());
    }
}
