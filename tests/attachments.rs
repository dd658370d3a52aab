//! The regulator's attachments as published (issue 14): PDF and docx
//! fixtures made from real rows by tests/fixtures/attachments/make.py read
//! back to exactly those rows, row by row, through the library and through
//! `filing-check registry import`.

mod util;

use std::path::PathBuf;

use filing_check::import::attachment::{self, FindingKind, TableKind};
use filing_check::import::document::DocumentError;
use filing_check::import::{docx, pdf, sniff};
use serde_json::Value;
use util::Dir;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/attachments")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The rows a fixture must read back to: `table,seq,region,item,company,
/// number,date,role,product,purpose,remark,extra`, cells as printed.
fn expected(name: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(fixture(&format!("{name}.expected.csv"))).unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn table_name(k: TableKind) -> &'static str {
    match k {
        TableKind::Filings => "filings",
        TableKind::Registrations => "registrations",
        TableKind::OnDevice => "on-device",
        TableKind::Algorithms => "algorithms",
    }
}

/// Reads a fixture with the reader its bytes call for.
fn read(name: &str) -> attachment::Attachment {
    let b = bytes(name);
    let doc = match sniff::sniff(&b) {
        sniff::FileKind::Pdf => pdf::read(name, &b),
        sniff::FileKind::Docx => docx::read(name, &b),
        other => panic!("{name}: read as {other:?}"),
    }
    .unwrap_or_else(|e| panic!("{e}"));
    attachment::read(name, &doc)
}

/// The rows as the list prints them, in the expected file's columns.
fn as_printed(a: &attachment::Attachment) -> Vec<Vec<String>> {
    a.rows
        .iter()
        .map(|(k, r)| {
            let o = |v: &Option<String>| v.clone().unwrap_or_default();
            let f = &r.fields;
            let extra = if *k == TableKind::OnDevice {
                o(&f.product)
            } else {
                String::new()
            };
            vec![
                table_name(*k).to_string(),
                o(&f.seq),
                o(&f.region),
                f.item.clone(),
                f.company.clone(),
                o(&f.filing_no),
                o(&f.filed_on),
                o(&f.role),
                if *k == TableKind::OnDevice {
                    String::new()
                } else {
                    o(&f.product)
                },
                o(&f.purpose),
                o(&f.remark),
                extra,
            ]
        })
        .collect()
}

/// Compares row by row; on failure, every differing cell with its row.
fn assert_rows(name: &str, got: &[Vec<String>], want: &[Vec<String>]) {
    const COLS: [&str; 12] = [
        "table", "seq", "region", "item", "company", "number", "date", "role", "product",
        "purpose", "remark", "extra",
    ];
    let mut diffs = Vec::new();
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        for (c, col) in COLS.iter().enumerate() {
            // The printed date may carry 「（补登）」, which the reader takes off.
            let want_cell = if *col == "date" {
                w[c].replace("（补登）", "")
            } else {
                w[c].clone()
            };
            if g[c] != want_cell {
                diffs.push(format!(
                    "row {} (序号 {}), {col}: got {:?}, want {:?}",
                    i + 1,
                    w[1],
                    g[c],
                    want_cell
                ));
            }
        }
    }
    if got.len() != want.len() {
        diffs.push(format!("{} rows read, {} expected", got.len(), want.len()));
    }
    assert!(
        diffs.is_empty(),
        "{name}: {} difference(s):\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// The fixture's swapped row (printed with model and entity exchanged) is
/// read the right way round; compared with the printed cells, its item and
/// company are exchanged back.
fn unswap(rows: &mut [Vec<String>], a: &attachment::Attachment) {
    for (row, (_, r)) in rows.iter_mut().zip(&a.rows) {
        if r.note
            .as_deref()
            .is_some_and(|n| n.contains("columns swapped"))
        {
            row.swap(3, 4);
        }
    }
}

#[test]
fn a_long_pdf_attachment_reads_back_row_by_row() {
    let a = read("genai-2025-06.pdf");
    let kinds: Vec<TableKind> = a.tables.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TableKind::Filings, TableKind::Registrations]);
    assert!(
        a.tables[0].continued >= 2,
        "the filings table goes over several pages without a header: {:?}",
        a.tables[0]
    );
    let mut printed = as_printed(&a);
    unswap(&mut printed, &a);
    assert_rows("genai-2025-06.pdf", &printed, &expected("genai-2025-06"));

    // Row 6 is printed with model and entity swapped: read the right way
    // round, said, and kept with the filing.
    let swapped = &a.rows[5].1;
    assert!(
        swapped.company.ends_with("公司") && !swapped.item.ends_with("公司"),
        "{swapped:?}"
    );
    assert!(swapped.note.as_deref().unwrap().contains("columns swapped"));
    // No. 414's stray 司, as the regulator printed it.
    let stray = a
        .rows
        .iter()
        .map(|(_, r)| r)
        .find(|r| r.fields.seq.as_deref() == Some("414"))
        .expect("序号 414");
    assert_eq!(stray.fields.company, "司珠海读书郎软件科技有限公司");
    assert_eq!(stray.company, "珠海读书郎软件科技有限公司");
    let kinds: Vec<FindingKind> = a.findings.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FindingKind::ColumnsSwapped), "{kinds:?}");
    assert!(kinds.contains(&FindingKind::StrayCharacter), "{kinds:?}");
    assert_eq!(a.unreadable().count(), 0, "{:?}", a.findings);
    let hint = attachment::date_hint(&a.titles, "genai-2025-06.pdf", None).unwrap();
    assert_eq!(hint.date, "2025-06");
}

#[test]
fn every_table_of_an_attachment_in_pdf_and_docx_alike() {
    let want = expected("genai-2026-08");
    for name in [
        "genai-2026-08.pdf",
        "genai-2026-08.docx",
        "genai-2026-08-saved-as.docx",
    ] {
        let a = read(name);
        let kinds: Vec<TableKind> = a.tables.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                TableKind::Filings,
                TableKind::Registrations,
                TableKind::OnDevice
            ],
            "{name}"
        );
        let mut printed = as_printed(&a);
        unswap(&mut printed, &a);
        assert_rows(name, &printed, &want);
        // Registrations dated with 「（补登）」 are said to be.
        assert!(
            a.findings.iter().any(|f| f.kind == FindingKind::MarkedDate),
            "{name}: {:?}",
            a.findings
        );
    }
}

#[test]
fn a_deep_synthesis_batch_in_docx() {
    let a = read("ds-2024-06.docx");
    assert_eq!(a.regime(), Some(filing_check::model::Regime::DeepSynthesis));
    assert_rows("ds-2024-06.docx", &as_printed(&a), &expected("ds-2024-06"));
}

#[test]
fn unreadable_pdfs_fail_loudly_naming_the_page() {
    let b = bytes("scanned.pdf");
    let err = pdf::read("scanned.pdf", &b).unwrap_err();
    assert!(
        matches!(err, DocumentError::Unreadable { page: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("page 1"), "{err}");

    // A CJK font that is not embedded (reportlab's STSong-Light, mapped by
    // UniGB-UCS2-H, which pdf-extract alone panics on) is read.
    let b = bytes("genai-stsong.pdf");
    let doc = pdf::read("genai-stsong.pdf", &b).unwrap_or_else(|e| panic!("{e}"));
    let a = attachment::read("genai-stsong.pdf", &doc);
    assert!(
        a.titles.iter().any(|t| t.contains("2024年4月")),
        "{:?}",
        a.titles
    );
}

// ---- through the command line ----

fn import_json(dir: &Dir, file: &str, extra: &[&str]) -> (i32, Value, String) {
    let path = fixture(file);
    let reg = dir.join("r.db");
    let mut args = vec![
        "--registry",
        reg.to_str().unwrap(),
        "registry",
        "import",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--create",
    ];
    args.extend_from_slice(extra);
    let r = dir.run(&args);
    let json = if r.code == 0 {
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
    } else {
        Value::Null
    };
    (r.code, json, r.stderr)
}

#[test]
fn import_reads_the_pdf_and_its_date_and_says_what_it_found() {
    let dir = Dir::new();
    let (code, report, stderr) = import_json(&dir, "genai-2025-06.pdf", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["regime"], "genai");
    assert_eq!(report["as_of"], "2025-06", "{report:#}");
    assert!(
        report["as_of_from"]
            .as_str()
            .unwrap()
            .contains("（2025年6月）"),
        "{report:#}"
    );
    let kinds: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"columns-swapped"), "{kinds:?}");
    assert!(kinds.contains(&"stray-character"), "{kinds:?}");
    // Its rows are in the registry already (the embedded data hold the
    // 2025-06 attachment): nothing is added twice.
    assert_eq!(report["added"], 0, "{report:#}");

    // The same file again changes nothing.
    let (code, again, _) = import_json(&dir, "genai-2025-06.pdf", &[]);
    assert_eq!(code, 0);
    assert!(again["already_imported_as"].is_number(), "{again:#}");
}

#[test]
fn a_pdf_named_docx_is_read_as_the_pdf_it_is() {
    let dir = Dir::new();
    let (code, report, stderr) = import_json(&dir, "genai-2026-08-saved-as.docx", &[]);
    assert_eq!(code, 0, "{stderr}");
    let tables: Vec<&str> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(tables, ["filings", "registrations", "on-device"]);
}

#[test]
fn a_scanned_pdf_is_refused_naming_the_page_and_changes_nothing() {
    let dir = Dir::new();
    let (code, _, stderr) = import_json(&dir, "scanned.pdf", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("scanned.pdf: page 1:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_provincial_workbook_takes_its_date_from_the_title_row() {
    let dir = Dir::new();
    let (code, report, stderr) = import_json(&dir, "gd-2024-03.xlsx", &["--scope", "广东"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["regime"], "genai");
    assert_eq!(report["as_of"], "2024-03", "{report:#}");
    assert_eq!(report["rows"], expected("gd-2024-03").len(), "{report:#}");
}

fn import_into(dir: &Dir, reg: &std::path::Path, file: &str) -> util::Run {
    let path = fixture(file);
    let r = dir.run(&[
        "--registry",
        reg.to_str().unwrap(),
        "registry",
        "import",
        path.to_str().unwrap(),
    ]);
    r.expect_code(0);
    r
}

fn rows_without_place(export: &str) -> Vec<String> {
    let mut rows: Vec<String> = export
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').map_or(l, |(_, rest)| rest).to_string())
        .collect();
    rows.sort();
    rows
}

fn export(dir: &Dir, reg: &std::path::Path) -> String {
    let r = dir.run(&[
        "--registry",
        reg.to_str().unwrap(),
        "registry",
        "export",
        "--regime",
        "genai",
    ]);
    r.expect_code(0);
    r.stdout
}

/// Issue 14, item 3: attachments are deltas; imported in either order they
/// give the same registry, the gaps in the numbering are said, and
/// `registry status` shows which 序号 each list holds.
#[test]
fn deltas_in_either_order_give_the_same_registry_and_the_gaps_are_said() {
    let dir = Dir::new();
    let a = util::registry_without_the_lists(&dir, "a");
    let b = util::registry_without_the_lists(&dir, "b");

    let first = import_into(&dir, &a, "genai-2025-06.pdf");
    assert!(
        first
            .stdout
            .contains("cac-genai-filings: this list starts at 序号"),
        "{}",
        first.stdout
    );
    import_into(&dir, &a, "genai-2026-08.pdf");
    import_into(&dir, &b, "genai-2026-08.pdf");
    let second = import_into(&dir, &b, "genai-2025-06.pdf");
    assert!(second.stdout.contains("finding(s)"), "{}", second.stdout);
    // The same filings (an export numbers its rows in the order they were
    // added, so the rows are compared without that column, sorted).
    let (ea, eb) = (export(&dir, &a), export(&dir, &b));
    assert!(
        ea.contains("Guangdong-MengXiangDaMoXing-202505090044"),
        "{ea}"
    );
    assert_eq!(
        rows_without_place(&ea),
        rows_without_place(&eb),
        "the order of the imports changed the registry"
    );
    assert!(
        ea.contains(",豆包视频生成,北京"),
        "the swapped row is stored the right way round: {ea}"
    );

    // Importing one again changes nothing.
    let again = import_into(&dir, &a, "genai-2025-06.pdf");
    assert!(again.stdout.contains("nothing changed"), "{}", again.stdout);
    assert_eq!(
        rows_without_place(&export(&dir, &a)),
        rows_without_place(&ea)
    );

    let r = dir.run(&[
        "--registry",
        a.to_str().unwrap(),
        "registry",
        "status",
        "--format",
        "json",
    ]);
    r.expect_code(0);
    let status = r.json();
    let held = |id: &str| -> String {
        status["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .and_then(|l| l["numbers_held"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let filings = held("cac-genai-filings");
    assert!(filings.contains("; missing 1–"), "{filings}");
    assert_eq!(held("cac-genai-on-device"), "1–7 of 7");
    let text = dir
        .run(&["--registry", a.to_str().unwrap(), "registry", "status"])
        .stdout;
    assert!(text.contains(&format!("序号 {filings}")), "{text}");
}
