//! Administration of `filing-check serve`: importing a newly published list
//! from the registry page (sign in with the admin token, upload, preview,
//! confirm or cancel) and through the API with the token as a bearer. The
//! real binary on an ephemeral port, over a registry file that lacks the
//! national lists; every refusal changes nothing.

mod util;

use std::path::{Path, PathBuf};
use std::process::Child;

use serde_json::Value;

const TOKEN: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
/// A filing of the 2026-08 attachment (`genai-2026-08.docx`), which the
/// registry without the national lists lacks.
const NEW_NUMBER: &str = "Jiangsu-ZhiBiaoBao-202512030061";

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, headers we look at, body.
struct Answer {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn answer(mut resp: ureq::http::Response<ureq::Body>) -> Answer {
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let location = header("location");
    let cookie = header("set-cookie");
    Answer {
        status: resp.status().as_u16(),
        location,
        cookie,
        body: resp.body_mut().read_to_string().unwrap(),
    }
}

/// A multipart body of text fields and one file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----filingcheckadmin0b1c2d";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let (child, url) = util::start_server(extra);
        Server { child, url }
    }

    fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let mut req = agent().get(&format!("{}{path}", self.url));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        answer(req.call().unwrap())
    }

    fn post_form(&self, path: &str, cookie: Option<&str>, form: &str) -> Answer {
        let mut req = agent()
            .post(&format!("{}{path}", self.url))
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        answer(req.send(form).unwrap())
    }

    fn post_multipart(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Answer {
        let (content_type, body) = multipart(fields, file);
        let mut req = agent()
            .post(&format!("{}{path}", self.url))
            .header("Content-Type", &content_type);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        answer(req.send(&body[..]).unwrap())
    }

    /// Signs in: the cookie to send, and the session's CSRF token as the
    /// registry page carries it.
    fn sign_in(&self) -> (String, String) {
        let a = self.post_form("/admin/login", None, &format!("token={TOKEN}"));
        assert_eq!(a.status, 303, "{}", a.body);
        assert!(a.location.unwrap().starts_with("/registry"));
        let set = a.cookie.expect("a session cookie");
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_string();
        let page = self.get("/registry?lang=en", Some(&cookie));
        let csrf = page
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the import form carries a CSRF token")
            .to_string();
        assert!(page.body.contains("Preview the import"), "{}", page.body);
        (cookie, csrf)
    }

    /// The verdict the API gives for `q`.
    fn verdict(&self, q: &str) -> String {
        let a = self.get(&format!("/api/v1/lookup?q={q}"), None);
        let v: Value = serde_json::from_str(&a.body).unwrap();
        v["results"][0]["verdict"].as_str().unwrap().to_string()
    }
}

fn attachment() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/attachments/genai-2026-08.docx"),
    )
    .unwrap()
}

/// A registry file without the national lists, a token file, and a server
/// administering them.
fn setup(dir: &util::Dir) -> (Server, PathBuf) {
    let reg = util::registry_without_the_lists(dir, "admin");
    let token = dir.join("admin-token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let server = Server::start(&[
        "--registry",
        reg.to_str().unwrap(),
        "--admin-token-file",
        token.to_str().unwrap(),
    ]);
    (server, reg)
}

fn bytes_of(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// The filings the CLI finds for `q` in the registry file.
fn cli_verdict(dir: &util::Dir, reg: &Path, q: &str) -> String {
    let run = dir.run(&["--registry", reg.to_str().unwrap(), "--format", "json", q]);
    run.json()["results"][0]["verdict"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn administration_is_off_without_a_token_and_says_how_to_turn_it_on() {
    let s = Server::start(&[]);
    let page = s.get("/registry?lang=en", None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Administration is off"), "{}", page.body);
    assert!(page.body.contains("--admin-token-file"), "{}", page.body);
    assert!(!page.body.contains("name=\"token\""), "no sign-in form");

    let login = s.post_form("/admin/login?lang=en", None, &format!("token={TOKEN}"));
    assert_eq!(login.status, 403, "{}", login.body);
    assert!(login.cookie.is_none());
    let api = s.post_multipart(
        "/api/v1/registry/import",
        &[("Authorization", &format!("Bearer {TOKEN}"))],
        &[],
        Some(("list.docx", &attachment())),
    );
    assert_eq!(api.status, 403, "{}", api.body);
    let v: Value = serde_json::from_str(&api.body).unwrap();
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("administration is off"));
}

/// Runs `filing-check serve ARGS…` that should refuse to start: its exit
/// code and standard error (a server that starts anyway is killed after
/// 30 s and fails the test).
fn refused_start(dir: &util::Dir, args: &[&str]) -> (i32, String) {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_filing-check"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("FILING_CHECK_REGISTRY")
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("HOME", dir.join("home"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve {args:?} started instead of refusing");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status.code().unwrap_or(-1), err)
}

#[test]
fn a_token_for_the_built_in_registry_or_a_short_token_is_refused_at_start() {
    let dir = util::Dir::new();
    let token = dir.join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let (code, err) = refused_start(&dir, &["--admin-token-file", token.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("registry init"), "{err}");

    let reg = util::registry_without_the_lists(&dir, "short");
    std::fs::write(&token, "short\n").unwrap();
    let (code, err) = refused_start(
        &dir,
        &[
            "--registry",
            reg.to_str().unwrap(),
            "--admin-token-file",
            token.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at least 16"), "{err}");
}

#[test]
fn an_import_without_the_token_is_refused_and_changes_nothing() {
    let dir = util::Dir::new();
    let (s, reg) = setup(&dir);
    let before = bytes_of(&reg);
    let list = attachment();

    // The page: a wrong token signs nobody in; no session, no import; a
    // session without its CSRF token, no import.
    let wrong = s.post_form("/admin/login", None, "token=not-the-token-at-all");
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(wrong.cookie.is_none());
    let anon = s.post_multipart(
        "/admin/import?lang=en",
        &[],
        &[("csrf", "0000")],
        Some(("list.docx", &list)),
    );
    assert_eq!(anon.status, 401, "{}", anon.body);
    assert!(anon.body.contains("sign in"), "{}", anon.body);
    let (cookie, _csrf) = s.sign_in();
    let forged = s.post_multipart(
        "/admin/import?lang=en",
        &[("Cookie", &cookie)],
        &[("csrf", "00000000000000000000000000000000")],
        Some(("list.docx", &list)),
    );
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(forged.body.contains("CSRF"), "{}", forged.body);

    // The API: no token, a wrong one.
    for auth in [None, Some("Bearer wrong-token-wrong-token")] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", *a)).collect();
        let a = s.post_multipart(
            "/api/v1/registry/import",
            &headers,
            &[],
            Some(("list.docx", &list)),
        );
        assert_eq!(a.status, 401, "{auth:?}: {}", a.body);
        assert!(serde_json::from_str::<Value>(&a.body).unwrap()["error"].is_string());
    }

    assert_eq!(s.verdict(NEW_NUMBER), "not-found");
    assert!(bytes_of(&reg) == before, "the registry file changed");
}

#[test]
fn a_list_is_previewed_then_imported_and_answers_at_once() {
    let dir = util::Dir::new();
    let (s, reg) = setup(&dir);
    let before = bytes_of(&reg);
    assert_eq!(s.verdict(NEW_NUMBER), "not-found");
    let (cookie, csrf) = s.sign_in();

    // A hostile file name is a label, shown as text.
    let preview = s.post_multipart(
        "/admin/import?lang=en",
        &[("Cookie", &cookie)],
        &[("csrf", &csrf)],
        Some(("<img src=x onerror=alert(1)>.docx", &attachment())),
    );
    assert_eq!(preview.status, 200, "{}", preview.body);
    let body = &preview.body;
    assert!(body.contains("Import preview"), "{body}");
    assert!(
        body.contains("&lt;img src=x onerror=alert(1)&gt;.docx"),
        "{body}"
    );
    assert!(!body.contains("<img"), "{body}");
    assert!(body.contains("Filings added"), "{body}");
    assert!(body.contains(NEW_NUMBER), "{body}");
    assert!(body.contains("2026-08"), "the list's date: {body}");
    // Nothing is imported by a preview.
    assert_eq!(s.verdict(NEW_NUMBER), "not-found");
    assert!(
        bytes_of(&reg) == before,
        "a preview changed the registry file"
    );

    let confirm_path = body
        .split("action=\"")
        .find(|a| a.contains("/confirm"))
        .and_then(|a| a.split('"').next())
        .expect("a confirm form")
        .replace("&amp;", "&");
    let done = s.post_form(&confirm_path, Some(&cookie), &format!("csrf={csrf}"));
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Imported"), "{}", done.body);

    // Served at once, and written to the file the CLI reads.
    assert_eq!(s.verdict(NEW_NUMBER), "filed");
    assert_eq!(cli_verdict(&dir, &reg, NEW_NUMBER), "filed");
    // A preview is confirmed once.
    let again = s.post_form(&confirm_path, Some(&cookie), &format!("csrf={csrf}"));
    assert_eq!(again.status, 404, "{}", again.body);
}

#[test]
fn a_cancelled_preview_or_one_overtaken_by_another_import_changes_nothing() {
    let dir = util::Dir::new();
    let (s, reg) = setup(&dir);
    let (cookie, csrf) = s.sign_in();
    let form_path = |body: &str, what: &str| {
        body.split("action=\"")
            .find(|a| a.contains(what))
            .and_then(|a| a.split('"').next())
            .unwrap()
            .replace("&amp;", "&")
    };

    let before = bytes_of(&reg);
    let p = s.post_multipart(
        "/admin/import?lang=en",
        &[("Cookie", &cookie)],
        &[("csrf", &csrf)],
        Some(("genai-2026-08.docx", &attachment())),
    );
    assert_eq!(p.status, 200, "{}", p.body);
    let cancel = s.post_form(
        &form_path(&p.body, "/cancel"),
        Some(&cookie),
        &format!("csrf={csrf}"),
    );
    assert_eq!(cancel.status, 303);
    let late = s.post_form(
        &form_path(&p.body, "/confirm"),
        Some(&cookie),
        &format!("csrf={csrf}"),
    );
    assert_eq!(late.status, 404, "{}", late.body);
    assert!(
        bytes_of(&reg) == before,
        "a cancelled import changed the file"
    );
    assert_eq!(s.verdict(NEW_NUMBER), "not-found");

    // Another import lands between the preview and its confirmation: the
    // preview no longer says what the import would do.
    let p = s.post_multipart(
        "/admin/import?lang=en",
        &[("Cookie", &cookie)],
        &[("csrf", &csrf)],
        Some(("genai-2026-08.docx", &attachment())),
    );
    assert_eq!(p.status, 200, "{}", p.body);
    let ds = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/attachments/ds-2024-06.docx");
    dir.run(&[
        "registry",
        "import",
        ds.to_str().unwrap(),
        "--registry",
        reg.to_str().unwrap(),
    ])
    .expect_code(0);
    let changed = s.post_form(
        &form_path(&p.body, "/confirm"),
        Some(&cookie),
        &format!("csrf={csrf}"),
    );
    assert_eq!(changed.status, 409, "{}", changed.body);
    assert!(changed.body.contains("changed since"), "{}", changed.body);
    assert_eq!(cli_verdict(&dir, &reg, NEW_NUMBER), "not-found");
}

#[test]
fn the_api_previews_with_dry_run_and_imports_with_the_token() {
    let dir = util::Dir::new();
    let (s, reg) = setup(&dir);
    let before = bytes_of(&reg);
    let auth = format!("Bearer {TOKEN}");

    let dry = s.post_multipart(
        "/api/v1/registry/import?dry_run=1",
        &[("Authorization", &auth)],
        &[("as_of", "2026-08")],
        Some(("genai-2026-08.docx", &attachment())),
    );
    assert_eq!(dry.status, 200, "{}", dry.body);
    let v: Value = serde_json::from_str(&dry.body).unwrap();
    assert_eq!(v["imported"], false);
    let added = v["diff"]["added"].as_array().unwrap();
    assert!(
        added
            .iter()
            .any(|e| e.as_object().unwrap().values().any(|c| c == NEW_NUMBER)),
        "{}",
        v["diff"]
    );
    assert_eq!(v["report"]["regime"], "genai");
    assert!(bytes_of(&reg) == before, "a dry run changed the file");
    assert_eq!(s.verdict(NEW_NUMBER), "not-found");

    let real = s.post_multipart(
        "/api/v1/registry/import",
        &[("Authorization", &auth)],
        &[("as_of", "2026-08")],
        Some(("genai-2026-08.docx", &attachment())),
    );
    assert_eq!(real.status, 200, "{}", real.body);
    let v: Value = serde_json::from_str(&real.body).unwrap();
    assert_eq!(v["imported"], true);
    assert_eq!(v["report"]["added"].as_u64(), Some(added.len() as u64));
    assert_eq!(s.verdict(NEW_NUMBER), "filed");

    // A list that is no list: 400 with the import's own message.
    let bad = s.post_multipart(
        "/api/v1/registry/import",
        &[("Authorization", &auth)],
        &[],
        Some(("notes.txt", b"nothing to see here\n")),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(serde_json::from_str::<Value>(&bad.body).unwrap()["error"].is_string());
}
