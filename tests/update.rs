//! `filing-check registry update` against a local server that plays the
//! regulator's site (never the internet): notice pages whose attachment
//! links answer only with a `Referer`, a page that changes, a 404, a slow
//! page, a truncated download, and no network at all.

mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use util::Dir;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/attachments")
            .join(name),
    )
    .unwrap()
}

const LINK_A: &str = "/cms/pub/interact/downloadfile.jsp?filepath=A1&fText=%E7%94%9F%E6%88%90%E5%BC%8F%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD%E6%9C%8D%E5%8A%A1%E5%B7%B2%E5%A4%87%E6%A1%88%E5%92%8C%E5%B7%B2%E7%99%BB%E8%AE%B0%E4%BF%A1%E6%81%AF%EF%BC%882025%E5%B9%B46%E6%9C%88%EF%BC%89";
const LINK_B: &str = "/cms/pub/interact/downloadfile.jsp?filepath=B2&fText=2026-08";

fn page(links: &[&str]) -> Vec<u8> {
    let mut html = String::from(
        "<html><head><meta charset=\"utf-8\"><title>生成式人工智能服务已备案信息</title></head><body><p>附件：</p>",
    );
    for l in links {
        html.push_str(&format!(
            "<p><a href=\"{}\">附件</a></p>",
            l.replace('&', "&amp;")
        ));
    }
    html.push_str("<a href=\"/news.htm\">新闻</a></body></html>");
    html.into_bytes()
}

/// The regulator's site, on 127.0.0.1.
struct Site {
    port: u16,
    /// Downloads asked for without a Referer.
    refused: Arc<AtomicUsize>,
}

fn respond(mut s: TcpStream, refused: &AtomicUsize) {
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut referer = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("referer") {
                referer = Some(v.trim().to_string());
            }
        }
    }
    let send = |s: &mut TcpStream, code: &str, body: &[u8], length: usize| {
        let _ = write!(
            s,
            "HTTP/1.1 {code}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        );
        let _ = s.write_all(body);
    };
    let attachment = |s: &mut TcpStream, body: Vec<u8>| {
        if referer.as_deref().is_some_and(|r| r.contains("/notice")) {
            send(s, "200 OK", &body, body.len());
        } else {
            refused.fetch_add(1, Ordering::SeqCst);
            send(s, "403 Forbidden", b"no referer", 10);
        }
    };
    match path.as_str() {
        "/notice-v1.htm" => send(&mut s, "200 OK", &page(&[LINK_A]), page(&[LINK_A]).len()),
        "/notice-v2.htm" => {
            let p = page(&[LINK_A, LINK_B]);
            send(&mut s, "200 OK", &p, p.len())
        }
        "/notice-broken.htm" => {
            let p = page(&[
                "/cms/pub/interact/downloadfile.jsp?filepath=GONE&fText=x",
                "/cms/pub/interact/downloadfile.jsp?filepath=CUT&fText=y",
                "/cms/pub/interact/downloadfile.jsp?filepath=PAGE&fText=z",
            ]);
            send(&mut s, "200 OK", &p, p.len())
        }
        "/notice-slow.htm" => {
            std::thread::sleep(Duration::from_secs(4));
            let p = page(&[]);
            send(&mut s, "200 OK", &p, p.len())
        }
        p if p.starts_with("/cms/pub/interact/downloadfile.jsp?filepath=A1") => {
            attachment(&mut s, fixture("genai-2025-06.pdf"))
        }
        p if p.starts_with("/cms/pub/interact/downloadfile.jsp?filepath=B2") => {
            attachment(&mut s, fixture("genai-2026-08.pdf"))
        }
        p if p.starts_with("/cms/pub/interact/downloadfile.jsp?filepath=PAGE") => {
            // An error page served as 200, as expired links are.
            let body = b"<!DOCTYPE html><html><body>\xe6\x96\x87\xe4\xbb\xb6\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</body></html>";
            attachment(&mut s, body.to_vec())
        }
        p if p.starts_with("/cms/pub/interact/downloadfile.jsp?filepath=CUT") => {
            // Announces the whole file, sends a tenth, and hangs up.
            let body = fixture("genai-2026-08.pdf");
            send(&mut s, "200 OK", &body[..body.len() / 10], body.len())
        }
        _ => send(&mut s, "404 Not Found", b"not found", 9),
    }
    let _ = s.flush();
    // Drain what the client may still send, then close.
    let _ = s.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = reader.read(&mut [0u8; 64]);
}

impl Site {
    fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let refused = Arc::new(AtomicUsize::new(0));
        let r = refused.clone();
        std::thread::spawn(move || {
            for s in listener.incoming().flatten() {
                let r = r.clone();
                std::thread::spawn(move || respond(s, &r));
            }
        });
        Site { port, refused }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn update(dir: &Dir, reg: &std::path::Path, from: &str, extra: &[&str]) -> util::Run {
    let mut args = vec![
        "--registry",
        reg.to_str().unwrap(),
        "registry",
        "update",
        "--from",
        from,
    ];
    args.extend_from_slice(extra);
    dir.run(&args)
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

#[test]
fn new_attachments_are_imported_once_and_a_changed_page_adds_its_new_one() {
    let site = Site::start();
    let dir = Dir::new();
    let reg = util::registry_without_the_lists(&dir, "r");

    let r = update(&dir, &reg, &site.url("/notice-v1.htm"), &[]);
    r.expect_code(0);
    r.expect_stdout_contains(&["1 attachment(s), 1 not imported yet", "1 imported"]);
    let after_first = export(&dir, &reg);
    assert!(
        after_first.contains("Guangdong-MengXiangDaMoXing-202505090044"),
        "{after_first}"
    );
    assert_eq!(
        site.refused.load(Ordering::SeqCst),
        0,
        "the Referer was sent"
    );

    // Again: nothing new, nothing changed.
    let r = update(&dir, &reg, &site.url("/notice-v1.htm"), &[]);
    r.expect_code(0);
    r.expect_stdout_contains(&["1 attachment(s), 0 not imported yet", "0 imported"]);
    assert_eq!(export(&dir, &reg), after_first);

    // The page changed: only its new attachment is fetched.
    let r = update(&dir, &reg, &site.url("/notice-v2.htm"), &["--dry-run"]);
    r.expect_code(0);
    r.expect_stdout_contains(&["2 attachment(s), 1 not imported yet", "would fetch"]);
    assert_eq!(export(&dir, &reg), after_first, "a dry run changes nothing");
    let r = update(&dir, &reg, &site.url("/notice-v2.htm"), &[]);
    r.expect_code(0);
    r.expect_stdout_contains(&["1 imported"]);
    let after_second = export(&dir, &reg);
    assert!(after_second.contains("Shanghai-AppleZhiNeng-202506160057"));

    // The source records where the file came from, its date; the batch its
    // digest.
    let st = dir
        .run(&[
            "--registry",
            reg.to_str().unwrap(),
            "registry",
            "status",
            "--format",
            "json",
        ])
        .json();
    let sources = st["sources"].as_array().unwrap();
    let a = sources
        .iter()
        .find(|s| s["url"].as_str().is_some_and(|u| u.contains("filepath=A1")))
        .expect("the first attachment's source");
    assert_eq!(a["as_of"], "2025-06", "{a:#}");
    assert_eq!(a["publisher"], "国家互联网信息办公室", "{a:#}");
    let batch = st["batches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["source_id"] == a["id"])
        .expect("its batch");
    assert_eq!(batch["sha256"].as_str().unwrap().len(), 64, "{batch:#}");
}

#[test]
fn a_missing_or_truncated_download_changes_nothing() {
    let site = Site::start();
    let dir = Dir::new();
    let reg = util::registry_without_the_lists(&dir, "r");
    let before = export(&dir, &reg);
    let r = update(&dir, &reg, &site.url("/notice-broken.htm"), &[]);
    r.expect_code(2);
    r.expect_stdout_contains(&[
        "HTTP 404",
        "cut short",
        "a web page, not a list",
        "3 failed",
    ]);
    assert_eq!(export(&dir, &reg), before);
    // Nothing is left behind in the temporary directory.
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("filing-check-update-")
        })
        .filter(|e| std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some()))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_slow_page_times_out_with_a_clear_message() {
    let site = Site::start();
    let dir = Dir::new();
    let reg = util::registry_without_the_lists(&dir, "r");
    let r = update(
        &dir,
        &reg,
        &site.url("/notice-slow.htm"),
        &["--timeout", "1"],
    );
    r.expect_code(2);
    r.expect_stdout_contains(&["notice-slow.htm", "no answer within 1 s"]);
}

#[test]
fn offline_it_says_so_in_one_line_and_changes_nothing() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = Dir::new();
    let reg = util::registry_without_the_lists(&dir, "r");
    let before = export(&dir, &reg);
    let r = update(
        &dir,
        &reg,
        &format!("http://127.0.0.1:{port}/notice.htm"),
        &[],
    );
    r.expect_code(2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(lines[0].contains("no network"), "{}", r.stderr);
    assert!(lines[0].contains("nothing changed"), "{}", r.stderr);
    assert_eq!(export(&dir, &reg), before);
}
