//! Administration of `serve`: importing a newly published official list
//! from the registry page — upload, a preview of what it adds, changes and
//! drops, then confirm.
//!
//! Off unless the server was given an admin token (`--admin-token-file`)
//! and a registry file to write. The import is the CLI's own `registry
//! import` (the binary hands it in as an [`Importer`]): the preview runs it
//! on a copy of the registry, the confirmation on the registry itself, in
//! one transaction, so a failed or cancelled import changes nothing. A
//! confirmation is refused when the registry changed since its preview.
//!
//! Sessions and previews live in memory only. Nothing a client sends
//! becomes a path: the upload is saved under a fixed name in a private
//! temporary directory, and its own name is only a label.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::import::diff::{diff, standing_entries, Diff};
use crate::model::Regime;
use crate::registry::{Location, Registry, Store};

/// What an import of an uploaded list needs; [`Importer`] runs it.
#[derive(Clone, Debug, Default)]
pub struct ImportRequest {
    /// Where the server saved the upload (a name of its own choosing).
    pub file: PathBuf,
    /// The upload's own file name: a label, which may also date the list.
    pub label: String,
    pub regime: Option<Regime>,
    pub as_of: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub scope: Option<String>,
    /// The list is complete for its scope (filings it lacks are marked
    /// absent).
    pub complete: bool,
    pub skip_unreadable: bool,
}

/// Imports a list into the registry file given, as `registry import
/// --format json` does: its JSON report, or the message of its error.
pub type Importer =
    Arc<dyn Fn(&Path, &ImportRequest) -> Result<serde_json::Value, String> + Send + Sync>;

/// Why an administrative request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("administration is off: start the server with --admin-token-file FILE and a --registry file to import into")]
    Off,
    #[error("sign in with the admin token first")]
    NotSignedIn,
    #[error("the admin token is wrong")]
    WrongToken,
    #[error(
        "the form is out of date or not this session's (CSRF token); reload the page and try again"
    )]
    Csrf,
    #[error("no such preview (it was confirmed, cancelled or expired); upload the list again")]
    NoPreview,
    #[error("the registry changed since this preview (another import?); upload the list again to see its effect now")]
    Changed,
    /// The import refused the list: its message, for the person who sent it.
    #[error("{0}")]
    Import(String),
    /// Reading or copying the registry failed.
    #[error("{0}")]
    Registry(String),
}

impl AdminError {
    /// The HTTP status that fits.
    pub fn status(&self) -> u16 {
        match self {
            AdminError::Off | AdminError::Csrf => 403,
            AdminError::NotSignedIn | AdminError::WrongToken => 401,
            AdminError::NoPreview => 404,
            AdminError::Changed => 409,
            AdminError::Import(_) => 400,
            AdminError::Registry(_) => 500,
        }
    }
}

/// A signed-in browser.
struct Session {
    csrf: String,
    started: Instant,
}

/// How long a sign-in lasts.
const SESSION_LIFE: Duration = Duration::from_secs(8 * 3600);
/// How long a preview waits for its confirmation.
const PREVIEW_LIFE: Duration = Duration::from_secs(3600);
/// Previews kept at once (each holds a copy of the registry).
const PREVIEWS: usize = 4;

/// An import tried on a copy, waiting for its confirmation.
struct Pending {
    id: String,
    /// The session that asked for it (`None`: the API's token).
    session: Option<String>,
    request: ImportRequest,
    /// The registry's state the preview was made on.
    fingerprint: Fingerprint,
    created: Instant,
    /// Holds the upload and the copy; removed when the preview goes.
    _dir: tempfile::TempDir,
}

/// What tells one state of a registry from another: its imported batches
/// and its filings.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fingerprint {
    batches: Vec<i64>,
    filings: usize,
    last_filing: Option<crate::model::FilingId>,
}

impl Fingerprint {
    fn of(registry: &Registry) -> Fingerprint {
        let snap = &registry.snapshot;
        Fingerprint {
            batches: snap.batches.iter().map(|b| b.id).collect(),
            filings: snap.filings.len(),
            last_filing: snap.filings.last().map(|f| f.id),
        }
    }
}

/// What an import would do, shown before it is made.
#[derive(Debug, Serialize)]
pub struct Preview {
    /// Confirms or cancels it.
    pub id: String,
    /// The import's own report (`registry import --format json`), as made
    /// on the copy.
    pub report: serde_json::Value,
    /// The standing filings before and after.
    pub diff: Diff,
    pub label: String,
}

/// A confirmed import: its report, and the registry as it now is.
pub struct Done {
    pub report: serde_json::Value,
    pub registry: Registry,
}

/// The administration of one server.
pub struct Admin {
    token: String,
    registry: PathBuf,
    importer: Importer,
    sessions: Mutex<HashMap<String, Session>>,
    pending: Mutex<Vec<Pending>>,
    /// Held while an import is made: two confirmations at once would
    /// otherwise both pass the check that the registry is as previewed.
    importing: Mutex<()>,
}

/// 128 random bits from the operating system, as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No OS randomness: the standard library's per-process keys.
        return fallback_token();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 128 bits from the standard library's per-process hash keys and the
/// clock, where the OS has no randomness to give.
fn fallback_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// Whether two strings are equal, in time that does not depend on where
/// they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Reads an admin token file: the token is its first line, at least 16
/// characters.
pub fn read_token_file(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the admin token: {e}", path.display()))?;
    let token = text.lines().next().unwrap_or_default().trim().to_string();
    if token.chars().count() < 16 {
        return Err(format!(
            "{}: the admin token must be at least 16 characters (make one with `openssl rand -hex 16 > {0}`)",
            path.display()
        ));
    }
    Ok(token)
}

impl Admin {
    /// Administration with this token, importing into the registry file
    /// `registry` through `importer`.
    pub fn new(token: String, registry: PathBuf, importer: Importer) -> Admin {
        Admin {
            token,
            registry,
            importer,
            sessions: Mutex::default(),
            pending: Mutex::default(),
            importing: Mutex::default(),
        }
    }

    /// The registry file imports go into.
    pub fn registry_path(&self) -> &Path {
        &self.registry
    }

    /// Signs a browser in: a new session id and its CSRF token.
    pub fn sign_in(&self, token: &str) -> Result<(String, String), AdminError> {
        if !same_secret(token.trim(), &self.token) {
            return Err(AdminError::WrongToken);
        }
        let id = random_token();
        let csrf = random_token();
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|_, s| s.started.elapsed() < SESSION_LIFE);
        sessions.insert(
            id.clone(),
            Session {
                csrf: csrf.clone(),
                started: Instant::now(),
            },
        );
        Ok((id, csrf))
    }

    pub fn sign_out(&self, session: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.remove(session);
    }

    /// The CSRF token of a live session.
    pub fn csrf_of(&self, session: Option<&str>) -> Option<String> {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let s = sessions.get(session?)?;
        (s.started.elapsed() < SESSION_LIFE).then(|| s.csrf.clone())
    }

    /// A session's request with its form's CSRF token: allowed or why not.
    pub fn check(&self, session: Option<&str>, csrf: &str) -> Result<String, AdminError> {
        let expected = self.csrf_of(session).ok_or(AdminError::NotSignedIn)?;
        if !same_secret(csrf, &expected) {
            return Err(AdminError::Csrf);
        }
        Ok(session.unwrap_or_default().to_string())
    }

    /// An API request's bearer token: allowed or why not.
    pub fn check_bearer(&self, token: Option<&str>) -> Result<(), AdminError> {
        match token {
            None => Err(AdminError::NotSignedIn),
            Some(t) if same_secret(t.trim(), &self.token) => Ok(()),
            Some(_) => Err(AdminError::WrongToken),
        }
    }

    /// Tries the import of `bytes` on a copy of the registry and keeps it
    /// for [`Admin::confirm`]: what it adds, changes and drops. Blocking.
    pub fn preview(
        &self,
        session: Option<String>,
        bytes: &[u8],
        mut request: ImportRequest,
    ) -> Result<Preview, AdminError> {
        let dir = tempfile::Builder::new()
            .prefix("filing-check-import-")
            .tempdir()
            .map_err(|e| AdminError::Registry(format!("cannot make a temporary directory: {e}")))?;
        request.file = dir.path().join("list");
        std::fs::write(&request.file, bytes)
            .map_err(|e| AdminError::Registry(format!("cannot keep the upload: {e}")))?;
        let copy = dir.path().join("registry.db");
        Store::open_read_only(&self.registry)
            .and_then(|s| s.copy_to(&copy))
            .map_err(|e| AdminError::Registry(format!("{e:#}")))?;
        let load = |p: &Path| {
            Registry::load(&Location::File(p.to_path_buf()))
                .map_err(|e| AdminError::Registry(format!("{e:#}")))
        };
        let before = load(&copy)?;
        let fingerprint = Fingerprint::of(&before);
        let report = (self.importer)(&copy, &request).map_err(AdminError::Import)?;
        let after = load(&copy)?;
        let d = diff(
            &standing_entries(&before.snapshot),
            &standing_entries(&after.snapshot),
        );
        let id = random_token();
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|p| p.created.elapsed() < PREVIEW_LIFE);
        if pending.len() >= PREVIEWS {
            pending.remove(0);
        }
        let label = request.label.clone();
        pending.push(Pending {
            id: id.clone(),
            session,
            request,
            fingerprint,
            created: Instant::now(),
            _dir: dir,
        });
        Ok(Preview {
            id,
            report,
            diff: d,
            label,
        })
    }

    /// Makes the import a preview showed, on the registry itself, unless
    /// the registry changed since. Blocking.
    pub fn confirm(&self, session: Option<&str>, id: &str) -> Result<Done, AdminError> {
        let p = self.take(session, id)?;
        let _one_at_a_time = self.importing.lock().unwrap_or_else(|e| e.into_inner());
        let load = || {
            Registry::load(&Location::File(self.registry.clone()))
                .map_err(|e| AdminError::Registry(format!("{e:#}")))
        };
        if Fingerprint::of(&load()?) != p.fingerprint {
            return Err(AdminError::Changed);
        }
        let report = (self.importer)(&self.registry, &p.request).map_err(AdminError::Import)?;
        Ok(Done {
            report,
            registry: load()?,
        })
    }

    /// Drops a preview; nothing was changed.
    pub fn cancel(&self, session: Option<&str>, id: &str) -> Result<(), AdminError> {
        self.take(session, id).map(drop)
    }

    /// The preview `id` of this session (or of the API), taken out.
    fn take(&self, session: Option<&str>, id: &str) -> Result<Pending, AdminError> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|p| p.created.elapsed() < PREVIEW_LIFE);
        let at = pending
            .iter()
            .position(|p| same_secret(&p.id, id) && p.session.as_deref() == session)
            .ok_or(AdminError::NoPreview)?;
        Ok(pending.remove(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("0123456789abcdef", "0123456789abcdef"));
        assert!(!same_secret("0123456789abcdef", "0123456789abcdeF"));
        assert!(!same_secret("0123456789abcdef", "0123456789abcde"));
        assert!(!same_secret("", "x"));
    }

    #[test]
    fn random_tokens_differ() {
        let a = random_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_token());
    }

    #[test]
    fn a_short_token_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("token");
        std::fs::write(&p, "short\n").unwrap();
        assert!(read_token_file(&p).unwrap_err().contains("at least 16"));
        std::fs::write(&p, "0123456789abcdef0123\nignored\n").unwrap();
        assert_eq!(read_token_file(&p).unwrap(), "0123456789abcdef0123");
        assert!(read_token_file(&dir.path().join("none"))
            .unwrap_err()
            .contains("cannot read"));
    }

    fn admin() -> Admin {
        Admin::new(
            "0123456789abcdef".into(),
            PathBuf::from("/nonexistent"),
            Arc::new(|_, _| Err("not in this test".into())),
        )
    }

    #[test]
    fn a_session_needs_its_own_csrf_token() {
        let a = admin();
        assert!(matches!(
            a.sign_in("wrong-token-0000"),
            Err(AdminError::WrongToken)
        ));
        let (s1, c1) = a.sign_in("0123456789abcdef").unwrap();
        let (s2, c2) = a.sign_in(" 0123456789abcdef\n").unwrap();
        assert_eq!(a.check(Some(&s1), &c1).unwrap(), s1);
        assert!(matches!(a.check(Some(&s1), &c2), Err(AdminError::Csrf)));
        assert!(matches!(a.check(Some(&s2), ""), Err(AdminError::Csrf)));
        assert!(matches!(a.check(None, &c1), Err(AdminError::NotSignedIn)));
        assert!(matches!(
            a.check(Some("forged"), &c1),
            Err(AdminError::NotSignedIn)
        ));
        a.sign_out(&s1);
        assert!(matches!(
            a.check(Some(&s1), &c1),
            Err(AdminError::NotSignedIn)
        ));
    }

    #[test]
    fn the_api_needs_the_token() {
        let a = admin();
        assert!(matches!(a.check_bearer(None), Err(AdminError::NotSignedIn)));
        assert!(matches!(
            a.check_bearer(Some("nope")),
            Err(AdminError::WrongToken)
        ));
        assert!(a.check_bearer(Some("0123456789abcdef")).is_ok());
    }
}
