//! The policy file, `filing-check.toml`: gate settings and exceptions.
//!
//! A team writes down, in its repository, what fails the build and which
//! unfiled vendors it has knowingly accepted: each exception names a vendor
//! and/or model, why, who approved it and until when. Parsing is pure; the
//! binary finds and reads the file.

use serde::Deserialize;
use toml::Spanned;

use super::{AuditVerdict, Require};
use crate::date::Date;
use crate::normalize;

/// The file name looked for in the working directory.
pub const FILE_NAME: &str = "filing-check.toml";

/// Gate settings and exceptions, as read from a policy file.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub fail_on: Option<Vec<AuditVerdict>>,
    pub require: Option<Require>,
    pub max_staleness_days: Option<u32>,
    pub exceptions: Vec<Exception>,
}

/// One accepted vendor and/or model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    /// 1-based position among the exceptions.
    pub number: usize,
    /// The line of the policy file where it starts.
    pub line: usize,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub reason: String,
    pub approved_by: String,
    pub expires: Date,
    vendor_key: Option<String>,
    model_key: Option<String>,
}

impl Exception {
    /// Whether the exception covers a row with these names: every name the
    /// exception gives must equal the row's, compared as the matcher
    /// compares keys (case, width, punctuation and legal form ignored).
    pub fn covers(&self, vendor: &str, model: &str) -> bool {
        self.covers_keys(&name_key(vendor), &name_key(model))
    }

    /// [`Exception::covers`] for names already reduced with [`name_key`].
    pub fn covers_keys(&self, vendor_key: &str, model_key: &str) -> bool {
        let same = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|k| k == got);
        same(&self.vendor_key, vendor_key) && same(&self.model_key, model_key)
    }

    /// Whether the exception has expired by `today` (it holds through its
    /// expiry date).
    pub fn expired(&self, today: Date) -> bool {
        self.expires < today
    }

    /// `vendor "X" / model "Y"`, for messages.
    pub fn describe(&self) -> String {
        match (&self.vendor, &self.model) {
            (Some(v), Some(m)) => format!("vendor {v:?}, model {m:?}"),
            (Some(v), None) => format!("vendor {v:?}"),
            (None, Some(m)) => format!("model {m:?}"),
            (None, None) => String::new(),
        }
    }
}

/// The comparison key of a name in an exception or a row.
pub fn name_key(s: &str) -> String {
    normalize::compare_key(s)
}

/// A policy file that cannot be used, with the line where there is one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct PolicyError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    gate: Option<RawGate>,
    #[serde(default)]
    exceptions: Vec<Spanned<RawException>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGate {
    fail_on: Option<Spanned<Vec<String>>>,
    require: Option<Spanned<String>>,
    max_staleness_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawException {
    vendor: Option<String>,
    model: Option<String>,
    reason: Option<String>,
    approved_by: Option<String>,
    expires: Option<RawDate>,
}

/// `expires = 2027-01-31` (a TOML date) or `expires = "2027-01-31"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawDate {
    Date(toml::value::Datetime),
    Text(String),
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses a policy file's text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Policy, PolicyError> {
    let err = |line: Option<usize>, message: String| PolicyError {
        file: file.to_string(),
        line,
        message,
    };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        err(line, e.message().trim().to_string())
    })?;
    let mut policy = Policy::default();
    if let Some(gate) = raw.gate {
        if let Some(list) = gate.fail_on {
            let line = line_of(text, list.span().start);
            let mut verdicts = Vec::new();
            for v in list.into_inner() {
                let v: AuditVerdict = v
                    .parse()
                    .map_err(|e| err(Some(line), format!("gate.fail-on: {e}")))?;
                verdicts.push(v);
            }
            policy.fail_on = Some(verdicts);
        }
        if let Some(r) = gate.require {
            let line = line_of(text, r.span().start);
            policy.require = Some(
                r.into_inner()
                    .parse()
                    .map_err(|e| err(Some(line), format!("gate.require: {e}")))?,
            );
        }
        policy.max_staleness_days = gate.max_staleness_days;
    }
    for (i, spanned) in raw.exceptions.into_iter().enumerate() {
        let line = line_of(text, spanned.span().start);
        let number = i + 1;
        let e = spanned.into_inner();
        let at = |message: String| err(Some(line), format!("exception {number}: {message}"));
        let non_empty =
            |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let vendor = non_empty(e.vendor);
        let model = non_empty(e.model);
        if vendor.is_none() && model.is_none() {
            return Err(at("name a vendor, a model, or both".into()));
        }
        let reason = non_empty(e.reason).ok_or_else(|| at("give a reason".into()))?;
        if reason.to_uppercase().starts_with("TODO") {
            // The entry the audit prints is a draft: an exception nobody
            // explained must not waive a failing row.
            return Err(at(format!(
                "the reason {reason:?} is still the draft's TODO: write why the row is acceptable"
            )));
        }
        let approved_by = non_empty(e.approved_by)
            .ok_or_else(|| at("say who approved it (approved-by)".into()))?;
        let expires = match e.expires {
            None => return Err(at("give an expiry date (expires = 2027-01-31)".into())),
            Some(RawDate::Date(d)) => d
                .date
                .and_then(|d| Date::new(i32::from(d.year), u32::from(d.month), u32::from(d.day))),
            Some(RawDate::Text(t)) => Date::parse(t.trim()),
        }
        .ok_or_else(|| at("expires must be a date, YYYY-MM-DD".into()))?;
        policy.exceptions.push(Exception {
            number,
            line,
            vendor_key: vendor.as_deref().map(name_key),
            model_key: model.as_deref().map(name_key),
            vendor,
            model,
            reason,
            approved_by,
            expires,
        });
    }
    Ok(policy)
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A ready-to-paste exception entry for a failing row.
pub fn entry(vendor: &str, model: &str, why: &str, expires: Date) -> String {
    let mut s = String::from("[[exceptions]]\n");
    if !vendor.trim().is_empty() {
        s.push_str(&format!("vendor = {}\n", quote(vendor.trim())));
    }
    if !model.trim().is_empty() {
        s.push_str(&format!("model = {}\n", quote(model.trim())));
    }
    s.push_str(&format!(
        "reason = {}\napproved-by = \"\"\nexpires = {expires}\n",
        quote(&format!("TODO: why this is acceptable ({why})"))
    ));
    s
}

/// The commented template `filing-check init` writes.
pub fn template() -> &'static str {
    r#"# filing-check policy: the gate settings and the accepted exceptions for
# `filing-check audit`. Command-line flags override the [gate] settings.
# Docs: README.md, "Gate and policy file".

[gate]
# Verdicts that fail the gate: filed, review, not-found, mismatch, invalid.
fail-on = ["not-found", "mismatch", "invalid"]

# Which regimes count as filed: any, genai, deep-synthesis or both.
require = "any"

# Fail when the registry's newest data are older than this many days.
# max-staleness-days = 365

# Exceptions: rows the gate accepts although they fail. Each names a vendor
# and/or a model (compared ignoring case, width, punctuation and legal form),
# why it is accepted, who approved it, and when the acceptance ends. An
# expired exception no longer counts; one that waives no row is reported as
# unused. A failing row prints an entry ready to paste here.
#
# [[exceptions]]
# vendor = "Example Vendor Ltd"
# model = "Example Model"
# reason = "internal pilot, no public-facing service"
# approved-by = "compliance@example.com"
# expires = 2027-06-30
"#
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_todo_reason_is_refused() {
        let text = "[[exceptions]]\nvendor = \"X\"\nreason = \"TODO: why this is acceptable (not-found: not-in-registry)\"\napproved-by = \"a\"\nexpires = 2027-01-31\n";
        let err = parse(text, "p.toml").unwrap_err().to_string();
        assert!(err.contains("still the draft's TODO"), "{err}");
    }

    use super::*;

    #[test]
    fn template_parses_and_is_empty_of_exceptions() {
        let p = parse(template(), "filing-check.toml").unwrap();
        assert_eq!(
            p.fail_on,
            Some(vec![
                AuditVerdict::NotFound,
                AuditVerdict::Mismatch,
                AuditVerdict::Invalid
            ])
        );
        assert_eq!(p.require, Some(Require::Any));
        assert!(p.exceptions.is_empty());
    }

    #[test]
    fn exceptions_with_dates_and_keys() {
        let text = "[[exceptions]]\nvendor = \"OpenAI, Inc.\"\nreason = \"pilot\"\napproved-by = \"x\"\nexpires = 2027-01-31\n\n[[exceptions]]\nmodel = \"Foo\"\nreason = \"r\"\napproved-by = \"y\"\nexpires = \"2020-01-01\"\n";
        let p = parse(text, "p.toml").unwrap();
        assert_eq!(p.exceptions.len(), 2);
        let (a, b) = (&p.exceptions[0], &p.exceptions[1]);
        assert_eq!((a.line, b.line), (1, 7));
        assert!(a.covers("openai", "anything"));
        assert!(a.covers("ＯｐｅｎＡＩ", ""));
        assert!(!a.covers("OpenAI Japan", ""));
        assert!(b.covers("any vendor", "FOO"));
        let today = Date::new(2026, 11, 29).unwrap();
        assert!(!a.expired(today));
        assert!(b.expired(today));
    }

    #[test]
    fn errors_name_the_line() {
        let text = "[gate]\nfail-on = [\"not-found\", \"bogus\"]\n";
        let e = parse(text, "p.toml").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.to_string()
                .starts_with("p.toml:2: gate.fail-on: unknown verdict"),
            "{e}"
        );

        let text =
            "[gate]\n\n[[exceptions]]\nvendor = \"X\"\nreason = \"r\"\nexpires = 2027-01-01\n";
        let e = parse(text, "p.toml").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("approved"), "{e}");

        let e = parse("[gate]\nfial-on = []\n", "p.toml").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse(
            "[[exceptions]]\nvendor = \"X\"\nreason=\"r\"\napproved-by=\"a\"\nexpires=\"soon\"\n",
            "p.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("YYYY-MM-DD"), "{e}");
        assert!(parse("not toml = = =", "p.toml").is_err());
    }

    #[test]
    fn pasted_entry_parses() {
        let today = Date::new(2026, 11, 29).unwrap();
        let text = entry("Open\"AI", "GPT-4o", "not-found", today.add_days(90));
        let p = parse(&text, "p.toml");
        // The reason is a TODO and approved-by is empty, for the approver
        // to fill in: the draft is refused until both are.
        assert!(p.unwrap_err().message.contains("TODO"));
        let approved = text.replace("approved-by = \"\"", "approved-by = \"me\"");
        assert!(parse(&approved, "p.toml")
            .unwrap_err()
            .message
            .contains("TODO"));
        let filled = approved.replace("TODO: why this is acceptable", "pilot, not public-facing");
        let p = parse(&filled, "p.toml").unwrap();
        assert!(p.exceptions[0].covers("Open\"AI", "gpt-4o"));
        assert_eq!(p.exceptions[0].expires.to_string(), "2027-02-27");
    }
}
