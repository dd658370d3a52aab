//! `filing-check serve` over HTTP, as a browser or an OA system uses it:
//! the real binary on an ephemeral port, the same verdicts and JSON as the
//! CLI, escaping, limits and a clean stop.

mod util;

use std::io::Read;
use std::process::{Child, Command};

use serde_json::Value;

/// A running server; stopped (SIGTERM) on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let (child, url) = util::start_server(extra);
        Server { child, url }
    }

    fn get(&self, path: &str) -> (u16, String, Option<String>) {
        let mut resp = agent().get(&format!("{}{path}", self.url)).call().unwrap();
        let csp = resp
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string());
        (
            resp.status().as_u16(),
            resp.body_mut().read_to_string().unwrap(),
            csp,
        )
    }

    /// POSTs a multipart form with one file field and one text field.
    fn post_file(&self, path: &str, name: &str, bytes: &[u8], paste: &str) -> (u16, Vec<u8>) {
        let boundary = "----filingcheckboundary7MA4YWxk";
        let mut body = Vec::new();
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"paste\"\r\n\r\n{paste}\r\n--{boundary}--\r\n"
            )
            .as_bytes(),
        );
        let resp = agent()
            .post(&format!("{}{path}", self.url))
            .header(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send(&body[..])
            .unwrap();
        status_and_body(resp)
    }

    /// Stops the server as a service manager does, and waits.
    fn stop(mut self) -> (i32, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut rest)
            .unwrap();
        (status.code().unwrap_or(-1), rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that returns 4xx and 5xx answers instead of failing.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// An answer's status and whole body (up to 100 MB).
fn status_and_body(mut resp: ureq::http::Response<ureq::Body>) -> (u16, Vec<u8>) {
    let status = resp.status().as_u16();
    let mut out = Vec::new();
    resp.body_mut()
        .with_config()
        .limit(100 << 20)
        .reader()
        .read_to_end(&mut out)
        .unwrap();
    (status, out)
}

/// The address of the audit page's download link for `format` (e.g.
/// `xlsx`, `csv&encoding=gbk`).
fn report_link(html: &str, format: &str) -> String {
    let at = html
        .find(&format!("?format={format}"))
        .unwrap_or_else(|| panic!("no {format} link in {html}"));
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let end = at + html[at..].find('"').unwrap();
    html[start..end].to_string()
}

/// Every cell of an xlsx report's first sheet, as text.
fn xlsx_cells(xlsx: Vec<u8>) -> Vec<String> {
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx report");
    let first = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&first).unwrap();
    range.rows().flatten().map(|c| c.to_string()).collect()
}

fn repo(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_lookup_page_shows_a_filed_card_and_switches_language() {
    let s = Server::start(&[]);
    let (code, html, csp) = s.get("/");
    assert_eq!(code, 200);
    assert!(
        html.contains("查询") && html.contains("登记库数据截至"),
        "{html}"
    );
    let csp = csp.expect("a Content-Security-Policy");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );

    let (code, html, _) = s.get("/?q=%E6%99%BA%E8%B0%B1AI");
    assert_eq!(code, 200);
    assert!(html.contains("class=\"card filed\""), "{html}");
    assert!(html.contains("已备案"), "{html}");
    assert!(html.contains("北京智谱华章科技有限公司"), "{html}");

    let (_, html, _) = s.get("/?q=%E6%99%BA%E8%B0%B1AI&lang=en");
    assert!(
        html.contains("Look up") && html.contains(">filed<"),
        "{html}"
    );
    // Not found says what it does not mean.
    let (_, html, _) = s.get("/?q=Anthropic&lang=en");
    assert!(html.contains("does not prove it is not filed"), "{html}");
    let (code, _, _) = s.get("/registry?q=%E6%99%BA%E8%B0%B1");
    assert_eq!(code, 200);
}

#[test]
fn the_api_answers_with_the_cli_json() {
    let s = Server::start(&[]);
    let (code, body, _) = s.get("/api/v1/lookup?q=%E6%99%BA%E8%B0%B1AI&q=OpenAI");
    assert_eq!(code, 200);
    let api: Value = serde_json::from_str(&body).unwrap();
    let cli = util::run(&["--format", "json", "智谱AI", "OpenAI"]).json();
    assert_eq!(api["results"], cli["results"]);
    assert_eq!(api["registry"], cli["registry"]);
    assert_eq!(api["results"][0]["verdict"], "filed");

    let (code, body, _) = s.get("/api/v1/lookup");
    assert_eq!(code, 400);
    assert!(body.contains("\"error\""), "{body}");

    let (code, body, _) = s.get("/api/v1/registry");
    assert_eq!(code, 200);
    let st: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(st["as_of"], "2026-08");

    // An audit through the API gives the CLI's verdicts for the same file.
    let list = std::fs::read(repo("examples/vendors.csv")).unwrap();
    let (code, body) = s.post_file("/api/v1/audit", "vendors.csv", &list, "");
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    let api: Value = serde_json::from_slice(&body).unwrap();
    let cli = util::run(&["audit", &repo("examples/vendors.csv"), "--format", "json"]).json();
    let verdicts = |r: &Value| -> Vec<(u64, String)> {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["line"].as_u64().unwrap(),
                    x["verdict"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(!verdicts(&cli).is_empty());
    assert_eq!(verdicts(&api), verdicts(&cli));
}

const HOSTILE: [&str; 2] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
];

#[test]
fn hostile_names_show_as_text() {
    let s = Server::start(&[]);
    for h in HOSTILE {
        let q: String = h.bytes().map(|b| format!("%{b:02X}")).collect();
        let (code, html, _) = s.get(&format!("/?q={q}"));
        assert_eq!(code, 200);
        assert!(!html.contains(h), "{h} came back unescaped");
        assert!(
            !html.contains("<script>") && !html.contains("<img src=x"),
            "{html}"
        );
    }
    let list = format!(
        "供应商,模型\n{},x\n{},y\n",
        HOSTILE[0],
        HOSTILE[1].replace('"', "\"\"")
    );
    let (code, body) = s.post_file("/audit", "list.csv", list.as_bytes(), "");
    let html = String::from_utf8(body).unwrap();
    assert_eq!(code, 200, "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<script>") && !html.contains("<img src=x"),
        "{html}"
    );
    assert!(html.contains("class=\"row not-found\""), "{html}");
}

#[test]
fn pasted_rows_are_audited() {
    let s = Server::start(&[]);
    let (code, body) = s.post_file(
        "/audit?lang=en",
        "",
        b"",
        "vendor\tmodel\n北京智谱华章科技有限公司\tGLM大模型\nAnthropic\tClaude\n",
    );
    let html = String::from_utf8(body).unwrap();
    assert_eq!(code, 200, "{html}");
    assert!(html.contains("class=\"row filed\""), "{html}");
    assert!(html.contains("class=\"row not-found\""), "{html}");
}

#[test]
fn bad_input_is_a_4xx_with_a_readable_message() {
    let s = Server::start(&["--max-upload-mb", "1"]);
    let big = vec![b'a'; 2 << 20];
    let (code, body) = s.post_file("/api/v1/audit", "big.csv", &big, "");
    assert_eq!(code, 413, "{}", String::from_utf8_lossy(&body));
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        err["error"].as_str().unwrap().contains("larger than"),
        "{err}"
    );

    let (code, body) = s.post_file("/api/v1/audit", "garbage.xlsx", b"PK\x03\x04garbage", "");
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
    let (code, body) = s.post_file("/api/v1/audit", "none.csv", b"", "");
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
    let (code, _) = s.post_file("/audit", "garbage.xlsx", b"PK\x03\x04garbage", "");
    assert_eq!(code, 400);
}

#[test]
fn sigterm_stops_it_cleanly() {
    let s = Server::start(&[]);
    let (code, _, _) = s.get("/");
    assert_eq!(code, 200);
    let (exit, rest) = s.stop();
    assert_eq!(exit, 0, "{rest}");
    assert!(rest.contains("stopped"), "{rest}");
}

impl Server {
    fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let resp = agent().get(&format!("{}{path}", self.url)).call().unwrap();
        status_and_body(resp)
    }
}

#[test]
fn the_audit_page_offers_its_report_as_xlsx_and_gbk_csv() {
    let s = Server::start(&[]);
    let list = std::fs::read(repo("examples/vendors.csv")).unwrap();
    let (code, body) = s.post_file("/audit", "vendors.csv", &list, "");
    let html = String::from_utf8(body).unwrap().replace("&amp;", "&");
    assert_eq!(code, 200, "{html}");
    // In Chinese, each row's reason opens with its gist, and a row for a
    // person says what to check in Chinese.
    assert!(html.contains("名称与备案一致"), "{html}");
    assert!(html.contains("最接近的匹配低于可信阈值"), "{html}");
    assert!(html.contains("请对照证据所引的官方清单核对名称"), "{html}");
    let link = |format: &str| report_link(&html, format);
    let (code, xlsx) = s.get_bytes(&link("xlsx"));
    assert_eq!(code, 200);
    let cells = xlsx_cells(xlsx);
    assert!(
        cells.iter().any(|c| c.contains("已备案") || c == "filed"),
        "{cells:?}"
    );

    let csv_link = link("csv&encoding=gbk");
    let (code, gbk) = s.get_bytes(&csv_link);
    assert_eq!(code, 200);
    let (text, _, bad) = encoding_rs::GB18030.decode(&gbk);
    assert!(!bad);
    assert!(text.contains("北京智谱华章科技有限公司"), "{text}");
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the GBK report is not UTF-8"
    );

    let (code, _) = s.get_bytes("/audit/report/0000?format=xlsx");
    assert_eq!(code, 404);
}

#[test]
fn the_api_audits_a_json_array_of_rows() {
    let s = Server::start(&[]);
    let agent = agent();
    let mut resp = agent
        .post(&format!("{}/api/v1/audit", s.url))
        .header("Content-Type", "application/json")
        .send(r#"[{"vendor":"百度","model":"文心一言","filing_no":"Beijing-WenXinYiYan-20230821"},{"vendor":"Anthropic","model":"Claude"}]"#)
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let report: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    let verdicts: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["filed", "not-found"]);
    let mut resp = agent
        .post(&format!("{}/api/v1/audit", s.url))
        .header("Content-Type", "application/json")
        .send("{not json")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp
        .body_mut()
        .read_to_string()
        .unwrap()
        .contains("not a JSON array"));
}

#[test]
fn serve_help_lists_its_options() {
    let r = util::run(&["serve", "--help"]);
    r.expect_code(0);
    insta::assert_snapshot!("serve_help", r.stdout);
}

/// A list audited on the page whose cells would start formulas: the CSV
/// and xlsx reports it offers carry them as text, as the CLI's do.
#[test]
fn the_page_reports_do_not_carry_formulas() {
    let s = Server::start(&[]);
    let list = "供应商,模型,备注\n\
\"=HYPERLINK(\"\"http://evil.example\"\",\"\"点击\"\")\",+cmd|' /C calc'!A0,@SUM(1)\n";
    let (code, body) = s.post_file("/audit?lang=en", "list.csv", list.as_bytes(), "");
    let html = String::from_utf8(body).unwrap().replace("&amp;", "&");
    assert_eq!(code, 200, "{html}");
    let link = |format: &str| report_link(&html, format);
    let neutralised = [
        "'=HYPERLINK(\"http://evil.example\",\"点击\")",
        "'+cmd|' /C calc'!A0",
        "'@SUM(1)",
    ];

    let (code, csv) = s.get_bytes(&link("csv"));
    assert_eq!(code, 200);
    let text = String::from_utf8(csv).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    for n in neutralised {
        assert!(cells.iter().any(|c| c == n), "{n} not in {cells:?}");
    }
    assert!(
        !cells.iter().any(|c| c.starts_with(['=', '+', '@'])),
        "{cells:?}"
    );

    let (code, xlsx) = s.get_bytes(&link("xlsx"));
    assert_eq!(code, 200);
    let cells = xlsx_cells(xlsx);
    for n in neutralised {
        assert!(cells.iter().any(|c| c == n), "{n} not in {cells:?}");
    }
    assert!(
        !cells.iter().any(|c| c.starts_with(['=', '+', '@'])),
        "{cells:?}"
    );
}
