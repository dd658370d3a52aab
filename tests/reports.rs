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
            serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap())
                .unwrap();
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

