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

use std::io::Read;

use serde_json::Value;
use util::{Dir, Run};

// ---------------------------------------------------------------------------
// Shared inputs and helpers
// ---------------------------------------------------------------------------

/// A list with every verdict (the same as tests/audit.rs's `MIXED`).
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

/// Cells that Excel would run as formulas, as a CSV list: (line 2) a
/// formula, a DDE command and an `@` function; (line 3) a negative number,
/// a leading tab and a leading carriage return.
const FORMULAS: &str = "供应商,模型,备注\n\
\"=HYPERLINK(\"\"http://evil.example\"\",\"\"点击\"\")\",+cmd|' /C calc'!A0,@SUM(1)\n\
-5,\"\tTAB\",\"\rCR\"\n";

/// What a neutralised cell of [`FORMULAS`] reads as.
const NEUTRALISED: &[&str] = &[
    "'=HYPERLINK(\"http://evil.example\",\"点击\")",
    "'+cmd|' /C calc'!A0",
    "'@SUM(1)",
];

fn put(dir: &Dir, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).expect("write a test input");
}

fn dir_with_list(text: &str) -> Dir {
    let dir = Dir::new();
    put(&dir, "list.csv", text);
    dir
}

/// Text without the byte-order mark a CSV for Excel starts with.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The records of a CSV report, header first.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(without_bom(text).as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

/// The files in the test's directory but `keep`.
fn other_files(dir: &Dir, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

/// A part of an xlsx file (a zip archive) as text.
fn xlsx_part(path: &std::path::Path, part: &str) -> String {
    let file = std::fs::File::open(path).expect("the workbook");
    let mut zip = zip::ZipArchive::new(file).expect("an xlsx is a zip archive");
    let mut text = String::new();
    zip.by_name(part)
        .unwrap_or_else(|e| panic!("no {part} in the workbook: {e}"))
        .read_to_string(&mut text)
        .expect("a text part");
    text
}

/// The cells of a worksheet, as calamine reads them.
fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).expect("an xlsx");
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("no sheet {name}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

fn text_of(cell: &calamine::Data) -> String {
    cell.to_string()
}

/// A registry file like the embedded one, holding the filing number of
/// 智谱AI's ChatGLM生成算法.
fn numbered_registry(dir: &Dir) {
    dir.run(&["registry", "init", "reg.db"]).expect_code(0);
    let db = rusqlite::Connection::open(dir.join("reg.db")).unwrap();
    let n = db
        .execute(
            "UPDATE filings SET filing_no = '网信算备110108823483901230031号' \
             WHERE item = 'ChatGLM生成算法'",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
}

/// Box-drawing characters a table is drawn with.
fn has_table_borders(text: &str) -> bool {
    text.contains('│') || text.contains('┆') || text.contains('─')
}

/// The longest line of `text` in terminal columns (a CJK or full-width
/// character takes two).
fn longest_line(text: &str) -> usize {
    let width = |c: char| match c as u32 {
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
        0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF => 2,
        0x20000..=0x3FFFD => 2,
        _ => 1,
    };
    text.lines()
        .map(|l| l.chars().map(width).sum())
        .max()
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// 8. Formula injection
// ---------------------------------------------------------------------------

mod formulas {
    use super::*;

    #[test]
    fn csv_cells_that_would_start_a_formula_are_quoted() {
        let dir = dir_with_list(FORMULAS);
        let r = dir.run(&["audit", "list.csv", "--format", "csv"]);
        r.expect_code(1);
        let records = csv_records(&r.stdout);
        let first = &records[1];
        assert_eq!(first[0], "2", "{first:?}");
        assert_eq!(&first[1..4], NEUTRALISED, "{first:?}");
        let second = &records[2];
        // A negative number is prefixed like the rest in CSV: Excel would
        // read `-5+…` as a formula.
        assert_eq!(&second[1..4], ["'-5", "'\tTAB", "'\rCR"], "{second:?}");
        // No cell of the report starts a formula.
        for rec in &records {
            for cell in rec {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} in {rec:?}"
                );
            }
        }
    }

    #[test]
    fn a_header_that_would_start_a_formula_is_quoted_too() {
        let dir = dir_with_list("=1+1,供应商,模型\nx,百度,文心一言\n");
        let r = dir.run(&["audit", "list.csv", "--format", "csv"]);
        r.expect_code(0);
        let records = csv_records(&r.stdout);
        assert_eq!(records[0][1], "'=1+1", "{:?}", records[0]);
    }

    #[test]
    fn markdown_cells_that_would_start_a_formula_are_quoted() {
        let dir = dir_with_list(FORMULAS);
        let r = dir.run(&["audit", "list.csv", "--format", "markdown"]);
        r.expect_code(1);
        let md = &r.stdout;
        let row = md
            .lines()
            .find(|l| l.starts_with("| 2 |"))
            .unwrap_or_else(|| panic!("no row for line 2:\n{md}"));
        let cells: Vec<&str> = row.split(" | ").collect();
        // `|` inside a cell is escaped for Markdown.
        assert_eq!(
            cells[1], "'=HYPERLINK(\"http://evil.example\",\"点击\")",
            "{row}"
        );
        assert_eq!(cells[2], "'+cmd\\|' /C calc'!A0", "{row}");
        let row3 = md.lines().find(|l| l.starts_with("| 3 |")).unwrap();
        assert!(row3.starts_with("| 3 | '-5 |"), "{row3}");
    }

    #[test]
    fn xlsx_text_cells_that_would_start_a_formula_are_quoted() {
        let dir = dir_with_list(FORMULAS);
        dir.run(&["audit", "list.csv", "-o", "r.xlsx"])
            .expect_code(1);
        let rows = sheet(&dir.join("r.xlsx"), "audit");
        let texts: Vec<String> = rows[1][1..4].iter().map(text_of).collect();
        assert_eq!(texts, NEUTRALISED, "{:?}", rows[1]);
        // A plain negative number stays a number in a workbook.
        assert_eq!(rows[2][1], calamine::Data::Float(-5.0), "{:?}", rows[2]);
        assert_eq!(text_of(&rows[2][2]), "'\tTAB");
        assert_eq!(text_of(&rows[2][3]), "'\rCR");
    }
}

// ---------------------------------------------------------------------------
// 9. Hostile sizes
// ---------------------------------------------------------------------------

mod sizes {
    use super::*;

    /// A list whose second row has a vendor of two million characters.
    fn huge_cell() -> Dir {
        let mut text = String::from("供应商,模型\n百度,文心一言\n");
        text.push_str(&"a".repeat(2_000_000));
        text.push_str(",Claude\n");
        dir_with_list(&text)
    }

    #[test]
    fn a_huge_cell_is_not_echoed_whole_on_stderr() {
        let dir = huge_cell();
        let r = dir.run(&["audit", "list.csv", "--format", "json"]);
        r.expect_code(1);
        // The report itself keeps the cell: it is data.
        assert_eq!(
            r.json()["rows"][1]["vendor"].as_str().map(str::len),
            Some(2_000_000)
        );
        assert!(
            r.stderr.len() < 10_000,
            "stderr is {} bytes: {}…",
            r.stderr.len(),
            &r.stderr[..500]
        );
        assert!(r.stderr.contains("list.csv:3:"), "{}", &r.stderr[..500]);
        assert!(r.stderr.contains("aaa…"), "{}", &r.stderr[..500]);
    }

    #[test]
    fn a_huge_cell_is_not_echoed_whole_in_annotations_or_the_table() {
        let dir = huge_cell();
        for format in ["github", "table", "markdown"] {
            let r = dir.run(&["audit", "list.csv", "--format", format]);
            r.expect_code(1);
            assert!(
                r.stdout.len() < 10_000,
                "{format}: stdout is {} bytes",
                r.stdout.len()
            );
            assert!(r.stdout.contains("aaa…"), "{format}: {}", r.stdout);
        }
    }

    #[test]
    fn a_huge_header_row_is_not_listed_whole_in_the_error() {
        let header: Vec<String> = (0..200_000).map(|i| format!("h{i}")).collect();
        let dir = dir_with_list(&format!("{}\n{}\n", header.join(","), header.join(",")));
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(2);
        assert!(
            r.stderr.len() < 10_000,
            "stderr is {} bytes: {}…",
            r.stderr.len(),
            &r.stderr[..500]
        );
        assert!(r.stderr.contains("\"h0\", \"h1\""), "{}", r.stderr);
        assert!(r.stderr.contains("more)"), "{}", r.stderr);
        assert!(r.stderr.contains("--vendor-col"), "{}", r.stderr);
    }

    #[test]
    fn a_huge_header_cell_is_cut_in_the_error() {
        let dir = dir_with_list(&format!("{},x\n1,2\n", "h".repeat(1_000_000)));
        let r = dir.run(&["audit", "list.csv"]);
        r.expect_code(2);
        assert!(
            r.stderr.len() < 10_000,
            "stderr is {} bytes",
            r.stderr.len()
        );
        assert!(r.stderr.contains("hhh…"), "{}", &r.stderr[..500]);
    }

    #[test]
    fn markdown_is_capped_for_the_step_summary_failing_rows_first() {
        // 1,500 filed rows, then 1,500 failing ones.
        let mut text = String::from("供应商,模型\n");
        for _ in 0..1500 {
            text.push_str("百度,文心一言\n");
        }
        for _ in 0..1500 {
            text.push_str("Anthropic,Claude\n");
        }
        let r = dir_with_list(&text).run(&["audit", "list.csv", "--format", "markdown"]);
        r.expect_code(1);
        let md = &r.stdout;
        let table_rows: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with("| ") && l.chars().nth(2).is_some_and(|c| c.is_ascii_digit()))
            .collect();
        assert_eq!(table_rows.len(), 1000, "{}", &md[..2000]);
        // The rows shown are the failing ones.
        assert!(
            table_rows.iter().all(|l| l.contains("Anthropic")),
            "a passing row is shown before a failing one"
        );
        assert!(md.contains("2000 more rows not shown"), "{}", tail(md));
        assert!(md.contains("--output"), "{}", tail(md));
        // The counts still cover every row.
        assert!(md.contains("3000 rows"), "{}", &md[..500]);
    }

    #[test]
    fn markdown_stays_under_a_mebibyte_when_rows_are_long() {
        let long = "长".repeat(190);
        let mut text = String::from("供应商,模型\n");
        for _ in 0..1200 {
            text.push_str(&format!("{long}甲,{long}乙\n"));
        }
        let r = dir_with_list(&text).run(&["audit", "list.csv", "--format", "markdown"]);
        r.expect_code(1);
        assert!(
            r.stdout.len() <= 900 * 1024 + 4096,
            "markdown is {} bytes",
            r.stdout.len()
        );
        assert!(
            r.stdout.contains("more rows not shown"),
            "{}",
            tail(&r.stdout)
        );
    }

    #[test]
    fn github_annotations_are_capped_with_a_notice_for_the_rest() {
        let mut text = String::from("供应商,模型\n");
        for i in 0..300 {
            text.push_str(&format!("Nobody{i},Nothing{i}\n"));
        }
        let r = dir_with_list(&text).run(&["audit", "list.csv", "--format", "github"]);
        r.expect_code(1);
        let row_annotations = r
            .stdout
            .lines()
            .filter(|l| l.contains(" file=list.csv,line="))
            .count();
        assert_eq!(row_annotations, 50, "{}", r.stdout);
        let rest = r
            .stdout
            .lines()
            .find(|l| l.starts_with("::notice ") && l.contains("250 more"))
            .unwrap_or_else(|| panic!("no notice for the rest:\n{}", tail(&r.stdout)));
        assert!(rest.contains("--output"), "{rest}");
    }

    #[test]
    fn stderr_lists_at_most_a_hundred_failing_rows() {
        let mut text = String::from("供应商,模型\n");
        for i in 0..300 {
            text.push_str(&format!("Nobody{i},Nothing{i}\n"));
        }
        let r = dir_with_list(&text).run(&["audit", "list.csv", "--format", "json"]);
        r.expect_code(1);
        let errors = r.stderr.lines().filter(|l| l.starts_with("error[")).count();
        assert_eq!(errors, 100, "{}", tail(&r.stderr));
        assert!(
            r.stderr.contains("(and 200 more failing rows"),
            "{}",
            tail(&r.stderr)
        );
        // Every row is still in the report.
        assert_eq!(r.json()["rows"].as_array().unwrap().len(), 300);
    }

    fn tail(text: &str) -> &str {
        let at = text.len().saturating_sub(2000);
        let at = (at..text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        &text[at..]
    }
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
        put(&dir, "list.csv", "vendor,model\nAnthropic😀,x\n");
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

// ---------------------------------------------------------------------------
// 13. The workbook, and Chinese labels
// ---------------------------------------------------------------------------

mod workbook {
    use super::*;

    fn column(header: &[calamine::Data], name: &str) -> usize {
        header
            .iter()
            .position(|h| text_of(h) == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    }

    #[test]
    fn xlsx_has_chinese_headers_and_labels_numbers_and_the_registry_age() {
        let dir = dir_with_list(MIXED);
        // A limit the embedded data (2026-08) are past, so that the sheet
        // shows a stale regime.
        dir.run(&["audit", "list.csv", "-o", "r.xlsx", "--stale-after", "30"])
            .expect_code(1);
        let path = dir.join("r.xlsx");
        let rows = sheet(&path, "audit");
        let header = &rows[0];
        for name in [
            "行号",
            "结论",
            "代码",
            "门禁",
            "原因",
            "监管类别",
            "备案主体",
            "已备案项目",
            "备案号",
            "匹配",
            "得分",
            "来源",
            "来源日期",
            "登记库日期",
        ] {
            column(header, name);
        }
        let (line, verdict, code, gate, score) = (
            column(header, "行号"),
            column(header, "结论"),
            column(header, "代码"),
            column(header, "门禁"),
            column(header, "得分"),
        );
        let by_line = |n: f64| {
            rows[1..]
                .iter()
                .find(|r| r[line] == calamine::Data::Float(n))
                .unwrap_or_else(|| panic!("no row {n} as a number: {rows:?}"))
        };
        let filed = by_line(2.0);
        assert_eq!(text_of(&filed[verdict]), "已备案");
        assert_eq!(text_of(&filed[code]), "filed", "codes stay English");
        assert_eq!(text_of(&filed[gate]), "通过");
        assert!(
            matches!(filed[score], calamine::Data::Float(s) if s > 0.9),
            "the score is a number: {:?}",
            filed[score]
        );
        let labels: Vec<String> = rows[1..].iter().map(|r| text_of(&r[verdict])).collect();
        for l in ["需复核", "未找到", "不一致", "无效"] {
            assert!(labels.iter().any(|x| x == l), "{l} not in {labels:?}");
        }
        assert_eq!(text_of(&by_line(5.0)[gate]), "失败");

        // The registry sheet: its date and how old it is.
        let info: Vec<String> = sheet(&path, "registry")
            .iter()
            .map(|r| r.iter().map(text_of).collect::<Vec<_>>().join(" = "))
            .collect();
        let info = info.join("\n");
        assert!(info.contains("登记库日期 = 2026-08"), "{info}");
        assert!(
            info.contains(
                "读取的列 = vendor = 供应商名称 (col 2), model = 模型名称 (col 3), number = 备案号 (col 4)"
            ),
            "the columns read: {info}"
        );
        assert!(info.contains("天"), "the age in days: {info}");
        assert!(
            info.contains("已过期"),
            "the embedded data are stale: {info}"
        );
    }

    #[test]
    fn xlsx_has_an_autofilter_and_columns_wide_enough_for_chinese() {
        let dir = dir_with_list(MIXED);
        dir.run(&["audit", "list.csv", "-o", "r.xlsx"])
            .expect_code(1);
        let xml = xlsx_part(&dir.join("r.xlsx"), "xl/worksheets/sheet1.xml");
        assert!(xml.contains("<autoFilter ref=\"A1:"), "{xml}");
        // Column C (供应商名称) holds 北京智谱华章科技有限公司: 12 CJK
        // characters, each about two character widths.
        let col = xml
            .split("<col ")
            .skip(1)
            .find(|c| c.starts_with("min=\"3\""))
            .unwrap_or_else(|| panic!("no width for column C: {xml}"));
        let width: f64 = col
            .split("width=\"")
            .nth(1)
            .and_then(|w| w.split('"').next())
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("{col}"));
        assert!(width >= 24.0, "column C is {width} wide");
    }

    #[test]
    fn lang_en_gives_english_headers_and_labels() {
        let dir = dir_with_list(MIXED);
        dir.run(&["audit", "list.csv", "-o", "r.xlsx", "--lang", "en"])
            .expect_code(1);
        let rows = sheet(&dir.join("r.xlsx"), "audit");
        let header: Vec<String> = rows[0].iter().map(text_of).collect();
        assert_eq!(header[0], "line");
        assert!(header.contains(&"verdict".to_string()), "{header:?}");
        assert!(header.contains(&"registry_as_of".to_string()), "{header:?}");
        let v = header.iter().position(|h| h == "verdict").unwrap();
        assert_eq!(text_of(&rows[1][v]), "filed");
    }

    #[test]
    fn markdown_and_table_speak_chinese_by_default() {
        let dir = dir_with_list(MIXED);
        let r = dir.run(&["audit", "list.csv", "--format", "markdown"]);
        r.expect_code(1);
        assert!(
            r.stdout
                .contains("| 行号 | 供应商 | 模型 | 结论 | 门禁 | 备案信息 | 原因 |"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("| **不一致** | 失败 |"), "{}", r.stdout);
        let r = dir.run(&["audit", "list.csv", "--format", "markdown", "--lang", "en"]);
        assert!(
            r.stdout
                .contains("| line | vendor | model | verdict | gate |"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("| **mismatch** | fail |"), "{}", r.stdout);

        let mut wide = dir_with_list(MIXED);
        wide.env("COLUMNS", "200");
        let r = wide.run(&["audit", "list.csv"]);
        for word in [
            "行号",
            "结论",
            "已备案",
            "需复核",
            "未找到",
            "不一致",
            "无效",
            "失败",
        ] {
            assert!(r.stdout.contains(word), "no {word}:\n{}", r.stdout);
        }
        let r = wide.run(&["audit", "list.csv", "--lang", "en"]);
        assert!(r.stdout.contains("not-found") && r.stdout.contains("verdict"));
    }

    #[test]
    fn json_stays_english_and_unchanged_by_lang() {
        let dir = dir_with_list(MIXED);
        let default = dir.run(&["audit", "list.csv", "--format", "json"]);
        let english = dir.run(&["audit", "list.csv", "--format", "json", "--lang", "en"]);
        let chinese = dir.run(&["audit", "list.csv", "--format", "json", "--lang", "zh"]);
        english.expect_code(1);
        assert_eq!(default.stdout, english.stdout);
        assert_eq!(default.stdout, chinese.stdout);
        assert_eq!(default.json()["rows"][0]["verdict"], "filed");
    }
}

// ---------------------------------------------------------------------------
// 15. The lookup table: filing numbers, and a brief explanation
// ---------------------------------------------------------------------------

mod lookup {
    use super::*;

    #[test]
    fn the_lookup_shows_the_filing_number_when_there_is_one() {
        let mut dir = Dir::new();
        numbered_registry(&dir);
        let r = dir.run(&["--registry", "reg.db", "智谱AI"]);
        r.expect_code(0);
        assert!(
            r.stdout.contains("网信算备110108823483901230031号"),
            "{}",
            r.stdout
        );
        dir.env("COLUMNS", "250");
        let r = dir.run(&["--registry", "reg.db", "智谱AI"]);
        assert!(has_table_borders(&r.stdout), "{}", r.stdout);
        assert!(
            r.stdout.contains("网信算备110108823483901230031号"),
            "{}",
            r.stdout
        );
    }

    #[test]
    fn explain_lists_only_candidates_that_scored() {
        let dir = Dir::new();
        let json = dir.run(&["--format", "json", "--explain", "智谱AI"]).json();
        let candidates = json["results"][0]["explain"]["candidates"]
            .as_array()
            .unwrap()
            .clone();
        let scored = candidates
            .iter()
            .filter(|c| c["score"].as_f64().unwrap() > 0.0)
            .count();
        let rest = candidates.len() - scored;
        assert!(scored > 0 && rest > 0, "{candidates:?}");

        let r = dir.run(&["--explain", "智谱AI"]);
        r.expect_code(0);
        assert!(!r.stdout.contains(" 0.000 "), "{}", r.stdout);
        assert!(
            r.stdout
                .contains(&format!("and {rest} more names were compared, none scored")),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("1.000 key"), "{}", r.stdout);
    }
}

// ---------------------------------------------------------------------------
// 16. Narrow and unknown terminal widths
// ---------------------------------------------------------------------------

mod narrow {
    use super::*;

    fn lookup(columns: Option<&str>) -> Run {
        let mut dir = Dir::new();
        if let Some(c) = columns {
            dir.env("COLUMNS", c);
        }
        let r = dir.run(&["智谱AI", "Anthropic"]);
        r.expect_code(1);
        r
    }

    fn audit(columns: Option<&str>) -> Run {
        let mut dir = dir_with_list(MIXED);
        if let Some(c) = columns {
            dir.env("COLUMNS", c);
        }
        let r = dir.run(&["audit", "list.csv", "--lang", "en"]);
        r.expect_code(1);
        r
    }

    #[test]
    fn lookup_in_sixty_columns_is_key_value_lines() {
        for r in [lookup(Some("60")), lookup(None)] {
            assert!(!has_table_borders(&r.stdout), "{}", r.stdout);
            for needle in [
                "智谱AI: FILED",
                "GLM大模型",
                "ChatGLM生成算法",
                "deep-synthesis",
                "qianzhan-2024-genai",
                "2024-04",
                "exact 1.00",
                "Anthropic: NOT FOUND",
            ] {
                assert!(r.stdout.contains(needle), "no {needle}:\n{}", r.stdout);
            }
        }
        // In sixty columns the evidence wraps to fit; in a pipe (no width)
        // each fact stays on one line, for grep.
        let r = lookup(Some("60"));
        let evidence = r.stdout.split("Registry:").next().unwrap();
        let results: String = evidence
            .lines()
            .filter(|l| !l.contains("does not prove"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(longest_line(&results) <= 60, "{results}");
        let piped = lookup(None);
        assert!(
            piped.stdout.lines().any(|l| l.trim_start()
                == "source: cac-genai-2024-04, as of 2024-04 (序号 2; row 2 of the transcription)"),
            "{}",
            piped.stdout
        );
        let r = lookup(Some("300"));
        assert!(has_table_borders(&r.stdout), "{}", r.stdout);
    }

    #[test]
    fn audit_table_in_sixty_columns_is_one_block_per_row() {
        for r in [audit(Some("60")), audit(None)] {
            assert!(!has_table_borders(&r.stdout), "{}", r.stdout);
            for needle in [
                "line 3",
                "mismatch",
                "vendor: 百度",
                "model: GLM大模型",
                "gate: fail",
                "reason: model \"GLM大模型\" is filed by",
                "line 2",
                "vendor: 北京智谱华章科技有限公司",
            ] {
                assert!(r.stdout.contains(needle), "no {needle}:\n{}", r.stdout);
            }
            assert!(r
                .stdout
                .trim_end()
                .lines()
                .last()
                .unwrap()
                .starts_with("Registry as of"));
        }
        let r = audit(Some("200"));
        assert!(has_table_borders(&r.stdout), "{}", r.stdout);
        // A wide table keeps within its width.
        let table: String = r
            .stdout
            .lines()
            .filter(|l| has_table_borders(l))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(longest_line(&table) <= 200, "{table}");
    }
}
