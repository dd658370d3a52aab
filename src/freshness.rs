//! How old the registry's data are, and when that deserves a warning.
//!
//! The regulator publishes new filings every month or so; an answer from a
//! list a year old can be wrong in both directions. Each regime's data are
//! as old as the newest source that lists filings of it; past a threshold
//! (180 days unless configured) commands warn.

use serde::Serialize;

use crate::date::Date;
use crate::model::{Regime, Snapshot};

/// Days after which data are stale unless configured otherwise.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 180;

/// The environment variable that sets the threshold, like `--stale-after`.
pub const STALE_AFTER_ENV: &str = "FILING_CHECK_STALE_AFTER";

/// One regime's freshness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Freshness {
    pub regime: Regime,
    /// The newest as-of date of the sources listing the regime's filings.
    pub as_of: Option<String>,
    /// Days from `as_of` (read as the end of its month when only a month is
    /// given) to today.
    pub age_days: Option<i64>,
    pub stale: bool,
}

/// The freshness of every regime the registry knows.
pub fn freshness(snap: &Snapshot, today: Date, stale_after_days: u32) -> Vec<Freshness> {
    Regime::ALL
        .iter()
        .map(|&regime| {
            let as_of = snap.regime_as_of(regime).map(str::to_string);
            let age_days = as_of
                .as_deref()
                .and_then(Date::parse_as_of)
                .map(|d| today.days() - d.days());
            Freshness {
                regime,
                stale: age_days.is_none_or(|a| a > i64::from(stale_after_days)),
                as_of,
                age_days,
            }
        })
        .collect()
}

/// The warning for the stale regimes, if any.
pub fn warning(list: &[Freshness], stale_after_days: u32) -> Option<String> {
    let stale: Vec<String> = list
        .iter()
        .filter(|f| f.stale)
        .map(|f| match (&f.as_of, f.age_days) {
            (Some(d), Some(a)) => format!("{} data are as of {d} ({a} days old)", f.regime),
            _ => format!("{} data have no as-of date", f.regime),
        })
        .collect();
    (!stale.is_empty()).then(|| {
        format!(
            "the registry may be out of date: {}, more than {stale_after_days} days; import the current lists with `filing-check registry import` (set the threshold with --stale-after)",
            stale.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Location, Registry};

    #[test]
    fn embedded_data_of_the_latest_attachments() {
        let reg = Registry::load(&Location::Embedded).unwrap();
        // The genai list's last attachment is of 2026-08, the
        // deep-synthesis list's last batch of 2026-07.
        let today = Date::new(2026, 9, 30).unwrap();
        let f = freshness(&reg.snapshot, today, 180);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|x| !x.stale), "{f:?}");
        assert_eq!(warning(&f, 180), None);
        let later = Date::new(2027, 6, 30).unwrap();
        let f = freshness(&reg.snapshot, later, 180);
        assert!(f.iter().all(|x| x.stale));
        let w = warning(&f, 180).unwrap();
        assert!(
            w.contains("genai data are as of 2026-08 (303 days old)"),
            "{w}"
        );
        assert!(w.contains("deep-synthesis data are as of 2026-07"), "{w}");
    }
}
