//! `filing-check serve`: the same engine, verdicts and registry as the CLI,
//! as web pages and a JSON API for the people and systems that are not on
//! the command line.
//!
//! - `/` looks names and numbers up; `/audit` audits an uploaded or pasted
//!   list; `/registry` shows what the registry holds.
//! - `/api/v1/lookup?q=…`, `POST /api/v1/audit`, `/api/v1/registry` answer
//!   with the CLI's JSON shapes.
//!
//! Safe by default: loopback unless told otherwise, every value escaped
//! (maud), a Content-Security-Policy without script, upload and row limits
//! with clear messages, and errors that are the client's are 4xx, never a
//! 500. The registry is loaded once and shared read-only.

pub mod admin;
mod admin_http;
pub mod audit;
pub mod pages;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::date::Date;
use crate::freshness;
use crate::model::RegimeFilter;
use crate::printer::audit::{AuditFormat, Lang, OutputEncoding};
use crate::registry::Registry;
use crate::report::{self, LookupReport, RegistryInfo, StatusReport};

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The largest request body (an upload), in bytes.
    pub max_upload: usize,
    /// The most rows an audit takes.
    pub max_rows: usize,
    /// Audits running at once; more wait their turn.
    pub max_audits: usize,
    /// The longest a request may take, upload and audit included.
    pub timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_upload: 50 << 20,
            max_rows: 200_000,
            max_audits: 2,
            timeout: std::time::Duration::from_secs(120),
        }
    }
}

/// The registry being served, with what is derived from it once. An
/// import on the registry page replaces it whole; requests under way keep
/// the one they started with.
pub struct Loaded {
    pub registry: Registry,
    /// The `registry` member of every lookup answer, serialised once: it
    /// is most of an answer's bytes (41 sources).
    registry_json: String,
}

impl Loaded {
    fn new(registry: Registry) -> Loaded {
        let registry_json =
            serde_json::to_string(&RegistryInfo::new(&registry)).unwrap_or_else(|_| "{}".into());
        Loaded {
            registry,
            registry_json,
        }
    }
}

/// What every request shares.
pub struct AppState {
    current: std::sync::RwLock<Arc<Loaded>>,
    pub stale_after: u32,
    pub limits: Limits,
    audits: tokio::sync::Semaphore,
    /// The latest audited lists, for downloading their reports: by a
    /// random token, never by a name a client gave.
    recent: std::sync::Mutex<std::collections::VecDeque<Kept>>,
    /// Importing lists from the registry page; `None`: off.
    pub admin: Option<admin::Admin>,
}

/// An audited list kept for its downloads.
struct Kept {
    token: String,
    name: String,
    bytes: Vec<u8>,
}

/// How many audited lists are kept for downloads.
const KEPT: usize = 8;

impl AppState {
    pub fn new(registry: Registry, stale_after: u32, limits: Limits) -> AppState {
        AppState {
            current: std::sync::RwLock::new(Arc::new(Loaded::new(registry))),
            audits: tokio::sync::Semaphore::new(limits.max_audits.max(1)),
            stale_after,
            limits,
            recent: Default::default(),
            admin: None,
        }
    }

    /// The same, with administration.
    pub fn with_admin(mut self, admin: admin::Admin) -> AppState {
        self.admin = Some(admin);
        self
    }

    /// The registry as it is now.
    pub fn current(&self) -> Arc<Loaded> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Serves `registry` from now on.
    fn replace(&self, registry: Registry) {
        let loaded = Arc::new(Loaded::new(registry));
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = loaded;
    }

    fn keep(&self, name: &str, bytes: &[u8]) -> String {
        let token = token();
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() >= KEPT {
            recent.pop_front();
        }
        recent.push_back(Kept {
            token: token.clone(),
            name: name.to_string(),
            bytes: bytes.to_vec(),
        });
        token
    }

    fn kept(&self, token: &str) -> Option<(String, Vec<u8>)> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .iter()
            .find(|k| k.token == token)
            .map(|k| (k.name.clone(), k.bytes.clone()))
    }
}

/// A random token (128 bits, as hex) for a kept report.
fn token() -> String {
    admin::random_token()
}

type Shared = Arc<AppState>;

/// The application's routes.
pub fn router(state: Shared) -> Router {
    let max = state.limits.max_upload;
    Router::new()
        .route("/", get(lookup_page))
        .route("/audit", get(audit_form).post(audit_page))
        .route("/audit/report/{token}", get(audit_download))
        .route("/registry", get(registry_page))
        .route("/static/app.css", get(css))
        .route("/api/v1/lookup", get(api_lookup))
        .route("/api/v1/audit", axum::routing::post(api_audit))
        .route("/api/v1/registry", get(api_registry))
        .merge(admin_http::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn(headers_and_log))
        .with_state(state)
}

/// Serves until `shutdown` resolves; requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Shared,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Security headers on every answer, and one log line per request.
async fn headers_and_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    eprintln!(
        "{method} {path} {} {:.1} ms",
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    resp
}

/// A request over the time limit is answered 503 with a message (its
/// work, an audit running on a blocking thread, finishes unseen).
async fn time_limit(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let limit = state.limits.timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s; audit a shorter list, or run `filing-check audit` on it",
                limit.as_secs()
            ),
        ),
    }
}

#[derive(Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

/// `?lang=`, else the browser's Accept-Language, else Chinese.
fn lang_of(q: Option<&str>, headers: &HeaderMap) -> Lang {
    match q {
        Some("en") => return Lang::En,
        Some("zh") => return Lang::Zh,
        _ => {}
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let first = accept.split(',').next().unwrap_or_default().trim();
    if first.starts_with("en") {
        Lang::En
    } else {
        Lang::Zh
    }
}

fn page(state: &AppState, lang: Lang, title: &str, body: maud::Markup) -> Html<String> {
    let cur = state.current();
    let info = RegistryInfo::new(&cur.registry);
    let fresh = freshness::freshness(&cur.registry.snapshot, Date::today(), state.stale_after);
    let stale: Vec<String> = fresh
        .iter()
        .filter(|f| f.stale)
        .map(|f| {
            let as_of = f.as_of.as_deref().unwrap_or("-");
            let age = f.age_days.map_or_else(|| "?".to_string(), |d| d.to_string());
            match lang {
                Lang::Zh => format!(
                    "数据已过期：{} 数据截至 {as_of}，已 {age} 天。请导入最新清单。",
                    f.regime
                ),
                Lang::En => format!(
                    "Stale data: {} data are as of {as_of}, {age} days old. Import the current lists.",
                    f.regime
                ),
            }
        })
        .collect();
    let stale = (!stale.is_empty()).then(|| stale.join(" "));
    Html(
        pages::layout(
            lang,
            title,
            info.as_of.as_deref().unwrap_or("-"),
            stale.as_deref(),
            body,
        )
        .into_string(),
    )
}

/// The lookups of `queries`, as the CLI reports them with `--explain`.
fn lookups(state: &AppState, queries: &[String], explain: bool) -> LookupReport {
    let cur = state.current();
    let matcher = cur.registry.matcher();
    let results = queries
        .iter()
        .map(|q| {
            let outcome = if explain {
                matcher.lookup(q, RegimeFilter::Any)
            } else {
                matcher.lookup_brief(q, RegimeFilter::Any)
            };
            report::query_result(&cur.registry.snapshot, outcome, explain)
        })
        .collect();
    LookupReport {
        registry: RegistryInfo::new(&cur.registry),
        results,
    }
}

#[derive(Deserialize)]
struct LookupQuery {
    q: Option<String>,
    lang: Option<String>,
}

async fn lookup_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LookupQuery>,
) -> Html<String> {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let query = q.q.unwrap_or_default();
    let report =
        (!query.trim().is_empty()).then(|| lookups(&state, std::slice::from_ref(&query), true));
    let title = match lang {
        Lang::Zh => "查询",
        Lang::En => "Look up",
    };
    page(
        &state,
        lang,
        title,
        pages::lookup(lang, &query, report.as_ref()),
    )
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::CSS,
    )
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "not found")
}

/// A JSON error with its status.
fn json_error(status: StatusCode, message: String) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}

/// `GET /api/v1/lookup?q=…&q=…`: the CLI's `--format json` report.
async fn api_lookup(State(state): State<Shared>, uri: axum::http::Uri) -> Response {
    let queries: Vec<String> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k == "q")
        .map(|(_, v)| crate::update::links::percent_decode(v))
        .collect();
    if queries.is_empty() || queries.iter().any(|q| q.trim().is_empty()) {
        return json_error(
            StatusCode::BAD_REQUEST,
            "give one or more non-empty q parameters: /api/v1/lookup?q=智谱AI".into(),
        );
    }
    if queries.len() > 1000 {
        return json_error(
            StatusCode::BAD_REQUEST,
            "at most 1000 queries per request; audit a list instead".into(),
        );
    }
    // The CLI's `--format json` shape, `{"registry": …, "results": […]}`,
    // compact, with the registry member serialised once.
    let cur = state.current();
    let matcher = cur.registry.matcher();
    let results: Vec<report::QueryResult> = queries
        .iter()
        .map(|q| {
            report::query_result(
                &cur.registry.snapshot,
                matcher.lookup_brief(q, RegimeFilter::Any),
                false,
            )
        })
        .collect();
    let results = match serde_json::to_string(&results) {
        Ok(r) => r,
        Err(e) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let body = format!(
        "{{\"registry\":{},\"results\":{results}}}\n",
        cur.registry_json
    );
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `GET /api/v1/registry`: `registry status --format json`.
async fn api_registry(State(state): State<Shared>) -> Response {
    let status = StatusReport::new(&state.current().registry, Date::today(), state.stale_after);
    axum::Json(status).into_response()
}

/// A list taken from a request: a file, pasted rows, or JSON rows.
struct Upload {
    name: String,
    bytes: Vec<u8>,
    pasted: String,
}

/// A multipart form as read: its file (named by its own file name, a
/// label, never a path) and its text fields.
struct FormData {
    file: Option<(String, Vec<u8>)>,
    fields: std::collections::HashMap<String, String>,
}

/// Reads a multipart form: the field `file` (a non-empty one) and every
/// other field as text.
async fn read_multipart(mut mp: Multipart) -> Result<FormData, (StatusCode, String)> {
    let mut form = FormData {
        file: None,
        fields: Default::default(),
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err((e.status(), too_large_or(e.body_text()))),
        };
        let name = field.name().unwrap_or_default().to_string();
        // The file's own name is only a label in messages: never a path.
        let file_name = field
            .file_name()
            .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string());
        let data = field
            .bytes()
            .await
            .map_err(|e| (e.status(), too_large_or(e.body_text())))?;
        if name == "file" {
            if !data.is_empty() {
                let label = file_name
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "upload".into());
                form.file = Some((label, data.to_vec()));
            }
        } else {
            form.fields
                .insert(name, String::from_utf8_lossy(&data).into_owned());
        }
    }
    Ok(form)
}

/// Reads the multipart fields `file` and `paste`.
async fn upload(mp: Multipart) -> Result<Upload, (StatusCode, String)> {
    let mut form = read_multipart(mp).await?;
    let pasted = form.fields.remove("paste").unwrap_or_default();
    let (name, bytes) = match form.file {
        Some(file) => file,
        None if !pasted.trim().is_empty() => ("pasted rows".into(), pasted.clone().into_bytes()),
        None => {
            return Err((
                StatusCode::BAD_REQUEST,
                "no list: upload a file (field `file`) or paste rows (field `paste`)".into(),
            ))
        }
    };
    Ok(Upload {
        name,
        bytes,
        pasted,
    })
}

fn too_large_or(text: String) -> String {
    if text.to_ascii_lowercase().contains("length limit") || text.contains("too large") {
        "the upload is larger than this server accepts (--max-upload-mb)".into()
    } else {
        text
    }
}

/// JSON rows `[{vendor, model, filing_no}]` as a CSV list.
fn json_rows_to_csv(bytes: &Bytes) -> Result<Vec<u8>, String> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(bytes).map_err(|e| format!("not a JSON array of rows: {e}"))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["vendor", "model", "filing_no"])
        .map_err(|e| e.to_string())?;
    for r in rows {
        let get = |k: &str| {
            r.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        w.write_record([get("vendor"), get("model"), get("filing_no")])
            .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

async fn run_audit(
    state: Shared,
    name: String,
    bytes: Vec<u8>,
    format: AuditFormat,
    lang: Lang,
    encoding: OutputEncoding,
) -> Result<Vec<u8>, (StatusCode, String)> {
    let _permit = state.audits.acquire().await.map_err(|_| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is stopping".to_string(),
        )
    })?;
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        audit::run(
            &st.current().registry,
            &name,
            bytes,
            audit::Report {
                format,
                lang,
                encoding,
            },
            st.stale_after,
            st.limits.max_rows,
        )
    })
    .await
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map_err(|e| match e {
        audit::UploadError::TooManyRows { .. } => (StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
        audit::UploadError::Input(m) => (StatusCode::BAD_REQUEST, m),
    })
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// `POST /api/v1/audit`: a file (multipart `file`) or a JSON array of
/// `{vendor, model, filing_no}`; the CLI's JSON report (or `?format=` csv,
/// xlsx…).
async fn api_audit(
    State(state): State<Shared>,
    Query(q): Query<AuditQuery>,
    headers: HeaderMap,
    body: Request,
) -> Response {
    let format = match q.format.as_deref().unwrap_or("json").parse::<AuditFormat>() {
        Ok(f) => f,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let lang = lang_of(q.lang.as_deref(), &headers);
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (name, bytes) = if is_json {
        let bytes = match axum::body::to_bytes(body.into_body(), state.limits.max_upload).await {
            Ok(b) => b,
            Err(_) => {
                return json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the request is larger than this server accepts (--max-upload-mb)".into(),
                )
            }
        };
        match json_rows_to_csv(&bytes) {
            Ok(csv) => ("rows.json".to_string(), csv),
            Err(e) => return json_error(StatusCode::BAD_REQUEST, e),
        }
    } else {
        let mp = match Multipart::from_request(body, &state).await {
            Ok(m) => m,
            Err(e) => return json_error(e.status(), e.body_text()),
        };
        match upload(mp).await {
            Ok(u) => (u.name, u.bytes),
            Err((s, m)) => return json_error(s, m),
        }
    };
    match run_audit(state, name, bytes, format, lang, OutputEncoding::Utf8Bom).await {
        Ok(out) => ([(header::CONTENT_TYPE, content_type(format))], out).into_response(),
        Err((s, m)) => json_error(s, m),
    }
}

fn content_type(f: AuditFormat) -> &'static str {
    match f {
        AuditFormat::Json => "application/json",
        AuditFormat::Jsonl => "application/x-ndjson",
        AuditFormat::Csv => "text/csv; charset=utf-8",
        AuditFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        AuditFormat::Junit => "application/xml",
        _ => "text/plain; charset=utf-8",
    }
}

async fn audit_form(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Html<String> {
    let lang = lang_of(q.lang.as_deref(), &headers);
    page(
        &state,
        lang,
        title_audit(lang),
        pages::audit(lang, "", None, None),
    )
}

fn title_audit(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "批量核查",
        Lang::En => "Audit a list",
    }
}

async fn audit_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    body: Request,
) -> Response {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let mp = match Multipart::from_request(body, &state).await {
        Ok(m) => m,
        Err(e) => {
            let status = e.status();
            let html = page(
                &state,
                lang,
                title_audit(lang),
                pages::audit(lang, "", None, Some(&e.body_text())),
            );
            return (status, html).into_response();
        }
    };
    let up = match upload(mp).await {
        Ok(u) => u,
        Err((s, m)) => {
            let html = page(
                &state,
                lang,
                title_audit(lang),
                pages::audit(lang, "", None, Some(&m)),
            );
            return (s, html).into_response();
        }
    };
    let pasted = up.pasted.clone();
    let token = state.keep(&up.name, &up.bytes);
    match run_audit(
        state.clone(),
        up.name,
        up.bytes,
        AuditFormat::Json,
        lang,
        OutputEncoding::Utf8,
    )
    .await
    {
        Ok(out) => {
            let report: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
            page(
                &state,
                lang,
                title_audit(lang),
                pages::audit(lang, &pasted, Some((&report, &token)), None),
            )
            .into_response()
        }
        Err((s, m)) => {
            let html = page(
                &state,
                lang,
                title_audit(lang),
                pages::audit(lang, &pasted, None, Some(&m)),
            );
            (s, html).into_response()
        }
    }
}

#[derive(Deserialize)]
struct DownloadQuery {
    format: Option<String>,
    encoding: Option<String>,
    lang: Option<String>,
}

/// `GET /audit/report/{token}?format=xlsx|csv|json[&encoding=gbk]`: the
/// report of a list audited on the page, as a file.
async fn audit_download(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::extract::Path(token): axum::extract::Path<String>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let Some((name, bytes)) = state.kept(&token) else {
        return (
            StatusCode::NOT_FOUND,
            "this report is no longer kept; audit the list again",
        )
            .into_response();
    };
    let format = match q.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => AuditFormat::Xlsx,
        "csv" => AuditFormat::Csv,
        "json" => AuditFormat::Json,
        other => {
            return (
                StatusCode::BAD_REQUEST,
                format!("unknown format {other:?}: xlsx, csv or json"),
            )
                .into_response()
        }
    };
    let encoding = match q.encoding.as_deref() {
        Some("gbk") | Some("gb18030") => OutputEncoding::Gb18030,
        _ => OutputEncoding::Utf8Bom,
    };
    let ext = match format {
        AuditFormat::Xlsx => "xlsx",
        AuditFormat::Csv => "csv",
        _ => "json",
    };
    match run_audit(state, name, bytes, format, lang, encoding).await {
        Ok(out) => (
            [
                (header::CONTENT_TYPE, content_type(format).to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"filing-check-report.{ext}\""),
                ),
            ],
            out,
        )
            .into_response(),
        Err((s, m)) => (s, m).into_response(),
    }
}

#[derive(Deserialize)]
struct RegistryQuery {
    q: Option<String>,
    page: Option<usize>,
    lang: Option<String>,
}

async fn registry_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<RegistryQuery>,
) -> Html<String> {
    const PER_PAGE: usize = 50;
    let lang = lang_of(q.lang.as_deref(), &headers);
    let cur = state.current();
    let status = StatusReport::new(&cur.registry, Date::today(), state.stale_after);
    let needle = q.q.clone().unwrap_or_default();
    let folded = needle.trim().to_lowercase();
    let snap = &cur.registry.snapshot;
    let hits: Vec<&crate::model::Filing> = snap
        .filings
        .iter()
        .filter(|f| {
            folded.is_empty()
                || f.company.to_lowercase().contains(&folded)
                || f.item.to_lowercase().contains(&folded)
                || f.filing_no()
                    .is_some_and(|n| n.to_lowercase().contains(&folded))
        })
        .collect();
    let page_no = q.page.unwrap_or(1).max(1);
    let shown: Vec<report::ListedFiling> = hits
        .iter()
        .skip((page_no - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|f| report::ListedFiling::new(snap, f))
        .collect();
    let title = match lang {
        Lang::Zh => "登记库",
        Lang::En => "Registry",
    };
    page(
        &state,
        lang,
        title,
        pages::registry(
            lang,
            &status,
            &needle,
            page_no,
            &shown,
            hits.len(),
            PER_PAGE,
            &admin_http::view(&state, &headers),
        ),
    )
}
