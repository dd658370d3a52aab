//! Reading an official-style PDF attachment of 3,000 rows (159 pages, the
//! genai layout, rows wrapped as LibreOffice lays them out, the table
//! continued on every page without a header): `pdf::read` and the
//! attachment reader, in process, median of N runs.
//!
//! Make the PDF first (needs LibreOffice and python-docx, see
//! tests/fixtures/attachments/make.py), then run:
//!
//!     python3 tests/fixtures/attachments/make.py --bench target/bench-3000.pdf
//!     cargo bench --bench pdf -- [PATH] [--runs N]

use std::time::Instant;

use filing_check::import::{attachment, pdf};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut path = String::from("target/bench-3000.pdf");
    let mut runs = 5usize;
    while let Some(a) = args.next() {
        if a == "--runs" {
            runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs);
        } else {
            path = a;
        }
    }
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "{path} is missing: make it with `python3 tests/fixtures/attachments/make.py --bench {path}`"
        );
        return;
    };
    let mut times = Vec::new();
    let mut rows = 0;
    let mut pages = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let doc = pdf::read(&path, &bytes).expect("the bench PDF reads");
        let a = attachment::read(&path, &doc);
        times.push(t.elapsed().as_secs_f64());
        rows = a.rows.len();
        pages = doc
            .blocks
            .iter()
            .filter_map(|b| b.place().page)
            .max()
            .unwrap_or(0);
        assert_eq!(a.unreadable().count(), 0, "{:?}", a.findings);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "pdf read: {pages} pages, {rows} rows, {} bytes: median {:.3} s (min {:.3}, max {:.3}) over {} runs; {:.0} rows/s",
        bytes.len(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len(),
        rows as f64 / times[times.len() / 2]
    );
}
