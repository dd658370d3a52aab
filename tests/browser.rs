//! The pages in a real browser: headless Chromium driven through
//! ChromeDriver's WebDriver protocol (plain HTTP, spoken with ureq). A
//! person's path through the pages: look 智谱AI up and see the filed card,
//! a near miss and see review, audit an xlsx list and a GBK CSV and see
//! coloured verdicts and counts, download the xlsx report and read its
//! verdicts, switch to English. Screenshots of each page go to
//! `target/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. `.ci/run` installs them
//! and sets `FILING_CHECK_REQUIRE_BROWSER=1`, so CI always runs this; a
//! local `cargo test` without them prints the test as SKIPPED, by name.

mod util;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn available(test: &str) -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(DRIVER).exists() {
        return true;
    }
    if std::env::var("FILING_CHECK_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("{test}: chromium and chromedriver are required here (FILING_CHECK_REQUIRE_BROWSER=1) but missing");
    }
    eprintln!(
        "SKIPPED browser test {test}: {CHROMIUM} or {DRIVER} is missing (apt-get install chromium chromium-driver)"
    );
    false
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A WebDriver session.
struct Browser {
    base: String,
    _driver: Proc,
}

impl Browser {
    fn start(downloads: &Path) -> Browser {
        let port = free_port();
        let driver = Proc(
            Command::new(DRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while agent().get(&format!("{url}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not answer"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = downloads.join("profile");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--window-size=1200,1000", "--lang=zh-CN",
                         format!("--user-data-dir={}", profile.display())],
            }
        }}});
        let session = post(&format!("{url}/session"), &caps);
        let id = session["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {session}"))
            .to_string();
        Browser {
            base: format!("{url}/session/{id}"),
            _driver: driver,
        }
    }

    fn go(&self, url: &str) {
        post(&format!("{}/url", self.base), &json!({ "url": url }));
    }

    fn find(&self, css: &str) -> Option<String> {
        let r = post(
            &format!("{}/element", self.base),
            &json!({"using": "css selector", "value": css}),
        );
        r["value"][ELEMENT].as_str().map(str::to_string)
    }

    /// The element, waiting for it as a person waits for a page to load.
    fn must(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(el) = self.find(css) {
                return el;
            }
            if started.elapsed() > Duration::from_secs(15) {
                panic!("no {css} on the page:\n{}", self.source());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn count(&self, css: &str) -> usize {
        let r = post(
            &format!("{}/elements", self.base),
            &json!({"using": "css selector", "value": css}),
        );
        r["value"].as_array().map_or(0, Vec::len)
    }

    fn type_into(&self, el: &str, text: &str) {
        post(
            &format!("{}/element/{el}/value", self.base),
            &json!({ "text": text }),
        );
    }

    fn click(&self, el: &str) {
        post(&format!("{}/element/{el}/click", self.base), &json!({}));
    }

    fn text(&self, el: &str) -> String {
        get(&format!("{}/element/{el}/text", self.base))["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn attribute(&self, el: &str, name: &str) -> String {
        get(&format!("{}/element/{el}/attribute/{name}", self.base))["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn source(&self) -> String {
        get(&format!("{}/source", self.base))["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn screenshot(&self, name: &str) {
        let b64 = get(&format!("{}/screenshot", self.base))["value"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), base64_decode(&b64)).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = agent().delete(&self.base).call();
    }
}

fn post(url: &str, body: &Value) -> Value {
    let mut r = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap_or(Value::Null)
}

fn get(url: &str) -> Value {
    let mut r = agent()
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let mut s = String::new();
    r.body_mut()
        .with_config()
        .limit(64 << 20)
        .reader()
        .read_to_string(&mut s)
        .unwrap();
    serde_json::from_str(&s).unwrap_or(Value::Null)
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn start_server() -> (Proc, String) {
    let (child, url) = util::start_server(&[]);
    (Proc(child), url)
}

/// The example list as an xlsx workbook, as a supplier list arrives.
fn xlsx_list(path: &Path) {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/vendors.csv"),
    )
    .unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            ws.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn a_person_looks_up_audits_downloads_and_switches_language() {
    if !available("a_person_looks_up_audits_downloads_and_switches_language") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (_server, url) = start_server();
    let b = Browser::start(tmp.path());

    // Look up 智谱AI: a filed card.
    b.go(&format!("{url}/?lang=zh"));
    let q = b.must("input[name=q]");
    b.type_into(&q, "智谱AI\u{E007}");
    b.must(".card.filed");
    assert!(b.text(&b.must(".card.filed .verdict")).contains("已备案"));
    b.screenshot("lookup-filed");

    // A near miss: review, not filed.
    b.go(&format!("{url}/?lang=zh"));
    let q = b.must("input[name=q]");
    b.type_into(&q, "OpenAI\u{E007}");
    b.must(".card.review");
    assert_eq!(b.count(".card.filed"), 0);
    b.screenshot("lookup-review");

    // Audit an xlsx supplier list: coloured verdicts and counts.
    let xlsx = tmp.path().join("供应商清单.xlsx");
    xlsx_list(&xlsx);
    b.go(&format!("{url}/audit?lang=zh"));
    let file = b.must("input[type=file]");
    b.type_into(&file, xlsx.to_str().unwrap());
    b.click(&b.must("form.audit button"));
    b.must("table.report");
    assert!(b.count("td.verdict.filed") >= 5, "{}", b.source());
    assert!(b.count("td.verdict.not-found") >= 1, "{}", b.source());
    let counts = b.text(&b.must("div.filter"));
    assert!(counts.contains("已备案 (filed): "), "{counts}");
    b.screenshot("audit-xlsx");

    // Its xlsx report: the verdict of each row.
    let link = b.attribute(&b.must("p.downloads a[href*='format=xlsx']"), "href");
    let link = if link.starts_with("http") {
        link
    } else {
        format!("{url}{link}")
    };
    let mut resp = agent().get(&link).call().unwrap();
    let mut bytes = Vec::new();
    resp.body_mut()
        .with_config()
        .limit(64 << 20)
        .reader()
        .read_to_end(&mut bytes)
        .unwrap();
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx report");
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(cells.iter().any(|c| c.contains("已备案")), "{cells:?}");

    // A GBK CSV, as Excel on Chinese Windows saves it.
    b.go(&format!("{url}/audit?lang=zh"));
    let file = b.must("input[type=file]");
    let gbk = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/vendors-gbk.csv");
    b.type_into(&file, gbk.to_str().unwrap());
    b.click(&b.must("form.audit button"));
    b.must("table.report");
    assert!(b.source().contains("北京智谱华章科技有限公司"));
    assert!(b.count("td.verdict.filed") >= 5);
    b.screenshot("audit-gbk");

    // The registry page, then English.
    b.go(&format!("{url}/registry?lang=zh"));
    b.must("table.filings");
    b.screenshot("registry");
    b.click(&b.must("a.lang"));
    let nav = b.text(&b.must("header nav"));
    assert!(nav.contains("Look up") && nav.contains("Registry"), "{nav}");
    b.screenshot("registry-en");
}

#[test]
fn an_administrator_imports_a_list_from_the_registry_page() {
    if !available("an_administrator_imports_a_list_from_the_registry_page") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = util::Dir::new();
    let reg = util::registry_without_the_lists(&dir, "admin");
    let token = dir.join("admin-token");
    std::fs::write(&token, "9f8e7d6c5b4a39281706f5e4d3c2b1a0\n").unwrap();
    let (child, url) = util::start_server(&[
        "--registry",
        reg.to_str().unwrap(),
        "--admin-token-file",
        token.to_str().unwrap(),
    ]);
    let _server = Proc(child);
    let b = Browser::start(tmp.path());
    let number = "Jiangsu-ZhiBiaoBao-202512030061";

    // Not yet in the registry.
    b.go(&format!("{url}/?lang=zh&q={number}"));
    b.must(".card.not-found");

    // Sign in with the token, upload the attachment: a preview, nothing
    // imported yet.
    b.go(&format!("{url}/registry?lang=zh#admin"));
    let field = b.must("input[name=token]");
    b.type_into(&field, "9f8e7d6c5b4a39281706f5e4d3c2b1a0\u{E007}");
    let file = b.must("form.import input[type=file]");
    let docx = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/attachments/genai-2026-08.docx");
    b.type_into(&file, docx.to_str().unwrap());
    b.click(&b.must("form.import button[type=submit]"));
    let confirm = b.must("#confirm");
    let preview = b.source();
    assert!(preview.contains(number), "{preview}");
    assert!(b.count("table.preview tr") > 10, "{preview}");
    b.screenshot("admin-preview");

    // Confirm: imported, and answered at once.
    b.click(&confirm);
    b.must("p.banner.done");
    assert!(b.source().contains("已导入"), "{}", b.source());
    b.screenshot("admin-done");
    b.go(&format!("{url}/?lang=zh&q={number}"));
    b.must(".card.filed");
}
