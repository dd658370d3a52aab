//! The routes of administration (see [`super::admin`]): signing in with
//! the admin token, uploading a list for a preview, confirming or
//! cancelling it, and the same import through the API with the token as a
//! bearer.
//!
//! A browser signs in once and gets a session cookie (HttpOnly,
//! SameSite=Strict); every state-changing form carries the session's CSRF
//! token, and every one is a POST.

use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use super::admin::{Admin, AdminError, ImportRequest, Preview};
use super::{json_error, lang_of, page, pages, LangQuery, Shared};
use crate::printer::audit::Lang;

/// The session cookie's name.
const COOKIE: &str = "fc_admin";

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/admin/login", post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/import", post(preview))
        .route("/admin/import/{id}/confirm", post(confirm))
        .route("/admin/import/{id}/cancel", post(cancel))
        .route("/api/v1/registry/import", post(api_import))
}

/// The session id the browser's cookie holds.
fn session_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// What the registry page shows of administration to this browser.
pub(super) fn view(state: &Shared, headers: &HeaderMap) -> pages::AdminView {
    match &state.admin {
        None => pages::AdminView::Off,
        Some(admin) => match admin.csrf_of(session_of(headers).as_deref()) {
            Some(csrf) => pages::AdminView::Ready { csrf },
            None => pages::AdminView::SignIn,
        },
    }
}

fn title(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "导入清单",
        Lang::En => "Import a list",
    }
}

/// An error as a page, with the status that fits.
fn error_page(state: &Shared, lang: Lang, e: &AdminError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let html = page(state, lang, title(lang), pages::error(lang, &e.to_string()));
    (status, html).into_response()
}

/// The administration and the session a form that changes something
/// comes from, its CSRF token checked; else why it is refused.
fn checked<'a>(
    state: &'a Shared,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(&'a Admin, String), AdminError> {
    let admin = state.admin.as_ref().ok_or(AdminError::Off)?;
    let session = admin.check(session_of(headers).as_deref(), csrf)?;
    Ok((admin, session))
}

/// Runs administrative work (file and database I/O) off the async
/// threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AdminError> + Send + 'static,
) -> Result<T, AdminError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(AdminError::Registry(e.to_string())))
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

fn registry_url(lang: Lang) -> String {
    format!(
        "/registry?lang={}#admin",
        match lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    )
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    token: String,
}

async fn login(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let Some(admin) = &state.admin else {
        return error_page(&state, lang, &AdminError::Off);
    };
    match admin.sign_in(&form.token) {
        Ok((session, _)) => {
            let mut resp = see_other(&registry_url(lang));
            if let Ok(v) = format!("{COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/").parse()
            {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(e) => error_page(&state, lang, &e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let lang = lang_of(q.lang.as_deref(), &headers);
    match checked(&state, &headers, &form.csrf) {
        Ok((admin, session)) => {
            admin.sign_out(&session);
            let mut resp = see_other(&registry_url(lang));
            if let Ok(v) =
                format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0").parse()
            {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(e) => error_page(&state, lang, &e),
    }
}

/// The fields of an import form: the file, and the rest as text.
type ImportForm = super::FormData;

impl ImportForm {
    fn text(&self, name: &str) -> Option<String> {
        self.fields
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn flag(&self, name: &str) -> bool {
        self.text(name)
            .is_some_and(|v| matches!(v.as_str(), "1" | "on" | "true" | "yes"))
    }

    /// The import's request, and the uploaded bytes.
    fn request(self) -> Result<(ImportRequest, Vec<u8>), AdminError> {
        let regime = match self.text("regime") {
            None => None,
            Some(r) => Some(r.parse().map_err(|_| {
                AdminError::Import(format!(
                    "regime {r:?}: genai or deep-synthesis, or leave it empty to tell by the list's headers"
                ))
            })?),
        };
        let req = ImportRequest {
            file: Default::default(),
            label: String::new(),
            regime,
            as_of: self.text("as_of"),
            published: self.text("published"),
            title: self.text("title"),
            publisher: self.text("publisher"),
            url: self.text("url"),
            scope: self.text("scope"),
            complete: self.flag("complete"),
            skip_unreadable: self.flag("skip_unreadable"),
        };
        let (label, bytes) = self
            .file
            .filter(|(_, b)| !b.is_empty())
            .ok_or_else(|| AdminError::Import("no list: choose the file to import".into()))?;
        Ok((ImportRequest { label, ..req }, bytes))
    }
}

/// `POST /admin/import`: the upload, tried on a copy; the preview page.
async fn preview(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    body: Request,
) -> Response {
    let lang = lang_of(q.lang.as_deref(), &headers);
    if state.admin.is_none() {
        return error_page(&state, lang, &AdminError::Off);
    }
    let form = match Multipart::from_request(body, &state).await {
        Ok(mp) => match super::read_multipart(mp).await {
            Ok(f) => f,
            Err((s, m)) => {
                let html = page(&state, lang, title(lang), pages::error(lang, &m));
                return (s, html).into_response();
            }
        },
        Err(e) => {
            let html = page(
                &state,
                lang,
                title(lang),
                pages::error(lang, &e.body_text()),
            );
            return (e.status(), html).into_response();
        }
    };
    let csrf = form.fields.get("csrf").cloned().unwrap_or_default();
    let session = match checked(&state, &headers, &csrf) {
        Ok((_, s)) => s,
        Err(e) => return error_page(&state, lang, &e),
    };
    let (request, bytes) = match form.request() {
        Ok(r) => r,
        Err(e) => return error_page(&state, lang, &e),
    };
    let st = state.clone();
    let sess = session.clone();
    let result = blocking(move || {
        st.admin
            .as_ref()
            .expect("checked above")
            .preview(Some(sess), &bytes, request)
    })
    .await;
    match result {
        Ok(p) => page(
            &state,
            lang,
            title(lang),
            pages::admin_preview(lang, &p, &csrf),
        )
        .into_response(),
        Err(e) => error_page(&state, lang, &e),
    }
}

/// `POST /admin/import/{id}/confirm`: the import, made; the registry
/// served from now on is the new one.
async fn confirm(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let session = match checked(&state, &headers, &form.csrf) {
        Ok((_, s)) => s,
        Err(e) => return error_page(&state, lang, &e),
    };
    let st = state.clone();
    let result = blocking(move || {
        st.admin
            .as_ref()
            .expect("checked above")
            .confirm(Some(&session), &id)
    })
    .await;
    match result {
        Ok(done) => {
            state.replace(done.registry);
            page(
                &state,
                lang,
                title(lang),
                pages::admin_done(lang, &done.report),
            )
            .into_response()
        }
        Err(e) => error_page(&state, lang, &e),
    }
}

/// `POST /admin/import/{id}/cancel`: the preview dropped; nothing changed.
async fn cancel(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let (admin, session) = match checked(&state, &headers, &form.csrf) {
        Ok(checked) => checked,
        Err(e) => return error_page(&state, lang, &e),
    };
    match admin.cancel(Some(&session), &id) {
        Ok(()) | Err(AdminError::NoPreview) => see_other(&registry_url(lang)),
        Err(e) => error_page(&state, lang, &e),
    }
}

#[derive(Deserialize, Default)]
struct ApiImportQuery {
    dry_run: Option<String>,
}

fn admin_json_error(e: &AdminError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    json_error(status, e.to_string())
}

/// `POST /api/v1/registry/import` with `Authorization: Bearer TOKEN`: the
/// same import (multipart `file` and the form's fields); `?dry_run=1`
/// only previews it.
async fn api_import(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ApiImportQuery>,
    body: Request,
) -> Response {
    let Some(admin) = &state.admin else {
        return admin_json_error(&AdminError::Off);
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Err(e) = admin.check_bearer(bearer) {
        return admin_json_error(&e);
    }
    let form = match Multipart::from_request(body, &state).await {
        Ok(mp) => match super::read_multipart(mp).await {
            Ok(f) => f,
            Err((s, m)) => return json_error(s, m),
        },
        Err(e) => return json_error(e.status(), e.body_text()),
    };
    let (request, bytes) = match form.request() {
        Ok(r) => r,
        Err(e) => return admin_json_error(&e),
    };
    let dry_run = q
        .dry_run
        .as_deref()
        .is_some_and(|v| matches!(v, "1" | "true" | "yes"));
    let st = state.clone();
    let result = blocking(move || {
        let admin = st.admin.as_ref().expect("checked above");
        let p: Preview = admin.preview(None, &bytes, request)?;
        if dry_run {
            admin.cancel(None, &p.id)?;
            return Ok((p, None));
        }
        let done = admin.confirm(None, &p.id)?;
        Ok::<_, AdminError>((p, Some(done)))
    })
    .await;
    match result {
        Ok((p, done)) => {
            let imported = done.is_some();
            let report = match done {
                Some(d) => {
                    let report = d.report;
                    state.replace(d.registry);
                    report
                }
                None => p.report,
            };
            axum::Json(serde_json::json!({
                "imported": imported,
                "report": report,
                "diff": p.diff,
            }))
            .into_response()
        }
        Err(e) => admin_json_error(&e),
    }
}
