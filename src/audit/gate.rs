//! The gate: which rows fail a build, and the totals the exit code comes from.
//!
//! A row's verdict is a fact about the registry; whether it fails the gate
//! is policy: `--fail-on`, the exceptions of the policy file, a baseline of
//! accepted findings, and the registry's age. The exit code is decided from
//! the totals alone, after every row is counted.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::baseline::{Baseline, RowKey};
use super::policy::Exception;
use super::AuditVerdict;
use crate::date::Date;
use crate::model::{text_enum, Regime};

/// The verdicts that fail the gate unless told otherwise.
pub const DEFAULT_FAIL_ON: &[AuditVerdict] = &[
    AuditVerdict::NotFound,
    AuditVerdict::Mismatch,
    AuditVerdict::Invalid,
];

text_enum! {
    /// What the gate made of a row.
    pub enum Disposition ("disposition") {
        /// The verdict is not one that fails.
        Pass = "pass",
        /// The row fails the gate.
        Fail = "fail",
        /// It would fail, but an exception of the policy accepts it.
        Waived = "waived",
        /// It would fail, but the baseline already had it, as bad or worse.
        Known = "known",
    }
}

text_enum! {
    /// Stable codes of the gate's notices (diagnostics not about one row).
    pub enum NoticeCode ("notice code") {
        /// An exception of the policy is past its date.
        ExceptionExpired = "exception-expired",
        /// An exception waived no failing row.
        ExceptionUnused = "exception-unused",
        /// The registry's data are older than the gate allows.
        RegistryStale = "registry-stale",
    }
}

/// Gate diagnostics that are not about one row, with stable codes.
#[derive(Clone, Debug, Serialize)]
pub struct Notice {
    pub code: NoticeCode,
    /// Whether it fails the gate (a stale registry does; exceptions warn).
    pub fails: bool,
    pub message: String,
}

/// Counts per verdict and disposition, and the gate's notices.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub rows: u64,
    /// Rows per verdict (written in the order of the verdicts' names).
    #[serde(serialize_with = "by_name")]
    pub verdicts: BTreeMap<AuditVerdict, u64>,
    pub failing: u64,
    pub waived: u64,
    pub known: u64,
    pub notices: Vec<Notice>,
    pub registry_as_of: Option<String>,
    pub passed: bool,
}

impl Summary {
    pub fn count(&self, v: AuditVerdict) -> u64 {
        self.verdicts.get(&v).copied().unwrap_or(0)
    }
}

/// Counts keyed by verdict, as an object keyed by the verdicts' names in
/// the order of those names.
fn by_name<S: serde::Serializer>(
    counts: &BTreeMap<AuditVerdict, u64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let sorted: BTreeMap<&str, u64> = counts.iter().map(|(v, &n)| (v.as_str(), n)).collect();
    sorted.serialize(s)
}

/// The gate's settings and state over one run.
pub struct Gate {
    fail_on: BTreeSet<AuditVerdict>,
    exceptions: Vec<Exception>,
    /// Rows each exception waived.
    waived_by: Vec<u64>,
    /// Failing rows an expired exception would have covered.
    expired_hits: Vec<u64>,
    baseline: Option<Baseline>,
    max_staleness_days: Option<u32>,
    /// The as-of date of each regime the gate relies on (see
    /// [`Gate::relying_on`]); when empty, the registry's newest date.
    regime_dates: Vec<(Regime, Option<String>)>,
    today: Date,
    summary: Summary,
}

impl Gate {
    pub fn new(
        fail_on: &[AuditVerdict],
        exceptions: Vec<Exception>,
        baseline: Option<Baseline>,
        max_staleness_days: Option<u32>,
        today: Date,
    ) -> Gate {
        let mut summary = Summary::default();
        for v in AuditVerdict::ALL {
            summary.verdicts.insert(*v, 0);
        }
        Gate {
            fail_on: fail_on.iter().copied().collect(),
            waived_by: vec![0; exceptions.len()],
            expired_hits: vec![0; exceptions.len()],
            exceptions,
            baseline,
            max_staleness_days,
            regime_dates: Vec::new(),
            today,
            summary,
        }
    }

    /// The regimes whose data the gate relies on, with each one's as-of
    /// date: `--max-staleness` holds for each of them, not only for the
    /// newest data of any regime (old deep-synthesis data do not pass a
    /// deep-synthesis requirement because the genai data are new).
    pub fn relying_on(mut self, regime_dates: Vec<(Regime, Option<String>)>) -> Gate {
        self.regime_dates = regime_dates;
        self
    }

    pub fn today(&self) -> Date {
        self.today
    }

    pub fn fails_on(&self, v: AuditVerdict) -> bool {
        self.fail_on.contains(&v)
    }

    /// Judges and counts one row; returns the disposition and the exception
    /// that waived it (by number), if any.
    ///
    /// `key` is needed only for a verdict the gate fails on (see
    /// [`Gate::fails_on`]): it is computed lazily, once per distinct row.
    pub fn judge(
        &mut self,
        key: impl FnOnce() -> RowKey,
        verdict: AuditVerdict,
    ) -> (Disposition, Option<usize>) {
        self.summary.rows += 1;
        *self.summary.verdicts.entry(verdict).or_insert(0) += 1;
        let (d, by) = self.dispose(key, verdict);
        match d {
            Disposition::Pass => {}
            Disposition::Fail => self.summary.failing += 1,
            Disposition::Waived => self.summary.waived += 1,
            Disposition::Known => self.summary.known += 1,
        }
        (d, by)
    }

    fn dispose(
        &mut self,
        key: impl FnOnce() -> RowKey,
        verdict: AuditVerdict,
    ) -> (Disposition, Option<usize>) {
        if !self.fail_on.contains(&verdict) {
            return (Disposition::Pass, None);
        }
        let key = key();
        let mut waiver = None;
        for (i, e) in self.exceptions.iter().enumerate() {
            if !e.covers_keys(&key.vendor, &key.model) {
                continue;
            }
            if e.expired(self.today) {
                self.expired_hits[i] += 1;
            } else if waiver.is_none() {
                waiver = Some(i);
            }
        }
        if let Some(i) = waiver {
            self.waived_by[i] += 1;
            return (Disposition::Waived, Some(self.exceptions[i].number));
        }
        if let Some(b) = &self.baseline {
            if b.known(&key, verdict) {
                return (Disposition::Known, None);
            }
        }
        (Disposition::Fail, None)
    }

    /// Ends the run: exception and staleness notices, and the outcome.
    pub fn finish(mut self, registry_as_of: Option<&str>) -> Summary {
        for (i, e) in self.exceptions.iter().enumerate() {
            if e.expired(self.today) {
                let hits = self.expired_hits[i];
                self.summary.notices.push(Notice {
                    code: NoticeCode::ExceptionExpired,
                    fails: false,
                    message: format!(
                        "exception {} (line {}: {}) expired on {}{}; renew it or remove it",
                        e.number,
                        e.line,
                        e.describe(),
                        e.expires,
                        if hits > 0 {
                            format!(" and no longer waives {hits} failing row(s)")
                        } else {
                            String::new()
                        }
                    ),
                });
            } else if self.waived_by[i] == 0 {
                self.summary.notices.push(Notice {
                    code: NoticeCode::ExceptionUnused,
                    fails: false,
                    message: format!(
                        "exception {} (line {}: {}) waived no failing row; remove it if it is no longer needed",
                        e.number,
                        e.line,
                        e.describe()
                    ),
                });
            }
        }
        if let Some(max) = self.max_staleness_days {
            let dates: Vec<(Option<Regime>, Option<&str>)> = if self.regime_dates.is_empty() {
                vec![(None, registry_as_of)]
            } else {
                self.regime_dates
                    .iter()
                    .map(|(r, d)| (Some(*r), d.as_deref()))
                    .collect()
            };
            for (regime, as_of_text) in dates {
                let whose = regime.map_or_else(
                    || "the registry's data".to_string(),
                    |r| format!("the registry's {r} data"),
                );
                let as_of = as_of_text.and_then(Date::parse_as_of);
                let age = as_of.map(|d| self.today.days() - d.days());
                let message = match (as_of_text, age) {
                    (Some(d), Some(a)) if a < 0 => format!(
                        "{whose} are as of {d}, a date after today: a date from the future cannot show how current they are; correct the source's date"
                    ),
                    (Some(d), Some(a)) if a > i64::from(max) => format!(
                        "{whose} are as of {d}, {a} days ago, more than the {max} allowed (--max-staleness); use a newer registry (--registry) or raise the limit"
                    ),
                    (_, Some(_)) => continue,
                    _ => format!(
                        "{whose} have no usable as-of date, so they cannot be shown to be under {max} days old"
                    ),
                };
                self.summary.notices.push(Notice {
                    code: NoticeCode::RegistryStale,
                    fails: true,
                    message,
                });
            }
        }
        self.summary.registry_as_of = registry_as_of.map(str::to_string);
        self.summary.passed =
            self.summary.failing == 0 && !self.summary.notices.iter().any(|n| n.fails);
        self.summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::baseline::row_key;
    use crate::audit::policy;

    fn today() -> Date {
        Date::new(2026, 11, 29).unwrap()
    }

    fn k(vendor: &str) -> impl FnOnce() -> RowKey + '_ {
        move || row_key(vendor, "", "")
    }

    fn exceptions(text: &str) -> Vec<Exception> {
        policy::parse(text, "p.toml").unwrap().exceptions
    }

    #[test]
    fn fail_on_decides() {
        let mut g = Gate::new(DEFAULT_FAIL_ON, vec![], None, None, today());
        assert_eq!(g.judge(k("a"), AuditVerdict::Filed).0, Disposition::Pass);
        assert_eq!(g.judge(k("b"), AuditVerdict::Review).0, Disposition::Pass);
        assert_eq!(g.judge(k("c"), AuditVerdict::NotFound).0, Disposition::Fail);
        let s = g.finish(Some("2024-04"));
        assert_eq!((s.rows, s.failing), (3, 1));
        assert_eq!(s.count(AuditVerdict::Review), 1);
        assert!(!s.passed);
    }

    #[test]
    fn exceptions_waive_until_they_expire() {
        let ex = exceptions(
            "[[exceptions]]\nvendor=\"OpenAI\"\nreason=\"r\"\napproved-by=\"a\"\nexpires=2027-01-01\n\
             [[exceptions]]\nvendor=\"Anthropic\"\nreason=\"r\"\napproved-by=\"a\"\nexpires=2020-01-01\n\
             [[exceptions]]\nvendor=\"Nobody\"\nreason=\"r\"\napproved-by=\"a\"\nexpires=2027-01-01\n",
        );
        let mut g = Gate::new(DEFAULT_FAIL_ON, ex, None, None, today());
        assert_eq!(
            g.judge(k("openai"), AuditVerdict::NotFound),
            (Disposition::Waived, Some(1))
        );
        assert_eq!(
            g.judge(k("Anthropic"), AuditVerdict::NotFound).0,
            Disposition::Fail
        );
        let s = g.finish(None);
        let codes: Vec<&str> = s.notices.iter().map(|n| n.code.as_str()).collect();
        assert_eq!(codes, ["exception-expired", "exception-unused"]);
        assert!(s.notices[0].message.contains("no longer waives 1"));
        assert_eq!((s.waived, s.failing), (1, 1));
        assert!(!s.passed);
    }

    #[test]
    fn baseline_accepts_known_findings_only() {
        let b = Baseline::parse(
            r#"{"rows":[{"vendor":"OpenAI","verdict":"not-found"}]}"#,
            "b.json",
        )
        .unwrap();
        let mut g = Gate::new(DEFAULT_FAIL_ON, vec![], Some(b), None, today());
        assert_eq!(
            g.judge(k("OpenAI"), AuditVerdict::NotFound).0,
            Disposition::Known
        );
        assert_eq!(
            g.judge(k("OpenAI"), AuditVerdict::Mismatch).0,
            Disposition::Fail
        );
        assert_eq!(
            g.judge(k("Other"), AuditVerdict::NotFound).0,
            Disposition::Fail
        );
    }

    #[test]
    fn staleness_fails_the_gate() {
        let g = Gate::new(DEFAULT_FAIL_ON, vec![], None, Some(180), today());
        let s = g.finish(Some("2024-04"));
        assert!(!s.passed);
        assert_eq!(s.notices[0].code, NoticeCode::RegistryStale);
        let g = Gate::new(DEFAULT_FAIL_ON, vec![], None, Some(10_000), today());
        assert!(g.finish(Some("2024-04")).passed);
    }

    #[test]
    fn staleness_holds_for_each_regime_relied_on() {
        let today = Date::parse("2026-12-01").unwrap();
        let dates = vec![
            (Regime::Genai, Some("2026-11".to_string())),
            (Regime::DeepSynthesis, Some("2024-06".to_string())),
        ];
        // The newest date alone is recent; deep-synthesis is 900 days old.
        let g =
            Gate::new(DEFAULT_FAIL_ON, vec![], None, Some(600), today).relying_on(dates.clone());
        let s = g.finish(Some("2026-11"));
        assert!(!s.passed);
        assert!(s.notices[0]
            .message
            .contains("deep-synthesis data are as of 2024-06"));
        let g = Gate::new(DEFAULT_FAIL_ON, vec![], None, Some(600), today)
            .relying_on(dates[..1].to_vec());
        assert!(g.finish(Some("2026-11")).passed);
        // A date after today is not evidence of freshness.
        let g = Gate::new(DEFAULT_FAIL_ON, vec![], None, Some(600), today)
            .relying_on(vec![(Regime::Genai, Some("2062-01".to_string()))]);
        let s = g.finish(Some("2062-01"));
        assert!(!s.passed);
        assert!(s.notices[0].message.contains("a date after today"));
    }
}
