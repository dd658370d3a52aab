//! Which filing lists a registry holds whole: what the absence of a number
//! or a name can be held against.
//!
//! A number no filing has is evidence against a vendor only when the
//! registry holds a *complete* list that would have to contain it: a list
//! of its regime, of a scope that includes its region (the national list,
//! or that province's), as of a date after the number could first have been
//! listed. A partial list (a monthly batch of new filings, a report's
//! selection) proves nothing by what it lacks. Pure: computed from a
//! snapshot.

use crate::date::Date;
use crate::filing_no::FilingNumber;
use crate::model::{Completeness, ListKind, Regime, Snapshot};

/// The scope of a national list, as imports record it.
const NATIONAL: &str = "national";

/// A complete list the registry holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompleteList {
    pub regime: Regime,
    /// `None` for a national list, else the region it covers (`广东`).
    pub scope: Option<String>,
    pub as_of: Date,
    pub source: String,
    /// For an official list (`lists.csv`), which numbers it holds: a list
    /// of filings holds no registration's 上线编号. `None`: a complete
    /// source, which holds every number of its regime.
    pub kind: Option<ListKind>,
}

/// How long after a number's date an official list may still lack it: the
/// bimonthly attachments publish a filing a month or two after its date.
const PUBLICATION_LAG_DAYS: i64 = 62;

/// The complete lists of a registry.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    pub complete: Vec<CompleteList>,
}

impl Coverage {
    /// The complete lists of `snap`: each complete source, with the regime
    /// and scope of the batches that imported it, or (for data compiled in)
    /// the regimes of the filings that cite it, nationally.
    pub fn of(snap: &Snapshot) -> Coverage {
        let mut complete = Vec::new();
        for s in &snap.sources {
            if s.completeness != Completeness::Complete {
                continue;
            }
            let Some(as_of) = Date::parse_as_of(&s.as_of) else {
                continue;
            };
            let batches: Vec<_> = snap
                .batches
                .iter()
                .filter(|b| b.source_id == s.id)
                .collect();
            if batches.is_empty() {
                for &regime in Regime::ALL {
                    if snap.partial.as_ref().map_or_else(
                        || {
                            snap.filings
                                .iter()
                                .any(|f| f.regime == regime && f.source == s.id)
                        },
                        |pairs| pairs.iter().any(|(r, id)| *r == regime && *id == s.id),
                    ) {
                        complete.push(CompleteList {
                            regime,
                            scope: None,
                            as_of,
                            source: s.id.clone(),
                            kind: None,
                        });
                    }
                }
            }
            for b in batches {
                complete.push(CompleteList {
                    regime: b.regime,
                    scope: (b.scope != NATIONAL).then(|| b.scope.clone()),
                    as_of,
                    source: s.id.clone(),
                    kind: None,
                });
            }
        }
        // The official lists the registry holds whole (`lists.csv`).
        for l in snap.lists.iter().filter(|l| l.complete) {
            let Some(as_of) = Date::parse_as_of(&l.as_of) else {
                continue;
            };
            complete.push(CompleteList {
                regime: l.regime,
                scope: (l.scope != NATIONAL).then(|| l.scope.clone()),
                as_of,
                source: l.id.clone(),
                kind: Some(l.kind),
            });
        }
        Coverage { complete }
    }

    /// The complete list that would have to hold `n` were it filed: its
    /// regime, a scope that includes its region, as of a date after the
    /// number could first be listed. `None`: its absence proves nothing.
    pub fn covering(&self, n: &FilingNumber) -> Option<&CompleteList> {
        let listed_by = n.listed_by()?;
        let region = &n.region().name;
        self.complete.iter().find(|c| {
            let (holds, lag) = match c.kind {
                None => (true, 0),
                Some(ListKind::Registrations) => (n.is_registration(), PUBLICATION_LAG_DAYS),
                Some(_) => (!n.is_registration(), PUBLICATION_LAG_DAYS),
            };
            holds
                && c.regime == n.regime()
                && c.as_of.days() >= listed_by.days() + lag
                && c.scope
                    .as_deref()
                    .is_none_or(|s| s.starts_with(region.as_str()) || region.starts_with(s))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filing_no::parse;

    fn coverage(lists: &[(Regime, Option<&str>, &str)]) -> Coverage {
        Coverage {
            complete: lists
                .iter()
                .map(|&(regime, scope, as_of)| CompleteList {
                    regime,
                    scope: scope.map(str::to_string),
                    as_of: Date::parse_as_of(as_of).unwrap(),
                    source: "s".into(),
                    kind: None,
                })
                .collect(),
        }
    }

    #[test]
    fn only_a_complete_list_that_would_hold_the_number_covers_it() {
        let n = parse("Beijing-WenXinYiYan-20230821").unwrap();
        assert!(Coverage::default().covering(&n).is_none());
        // Another regime, another province, or a list older than the number.
        assert!(coverage(&[(Regime::DeepSynthesis, None, "2026-07")])
            .covering(&n)
            .is_none());
        assert!(coverage(&[(Regime::Genai, Some("广东"), "2026-08")])
            .covering(&n)
            .is_none());
        assert!(coverage(&[(Regime::Genai, None, "2023-08-01")])
            .covering(&n)
            .is_none());
        assert!(coverage(&[(Regime::Genai, None, "2026-08")])
            .covering(&n)
            .is_some());
        assert!(coverage(&[(Regime::Genai, Some("北京"), "2026-08")])
            .covering(&n)
            .is_some());
        // An algorithm number of 2024 is covered by a list from 2025 on.
        let a = parse("网信算备110108970550101240011号").unwrap();
        assert!(coverage(&[(Regime::DeepSynthesis, None, "2024-12")])
            .covering(&a)
            .is_none());
        assert!(coverage(&[(Regime::DeepSynthesis, None, "2025-01")])
            .covering(&a)
            .is_some());
    }

    #[test]
    fn an_official_list_holds_its_own_kind_of_number_after_the_publication_lag() {
        let list = |kind, as_of| Coverage {
            complete: vec![CompleteList {
                regime: Regime::Genai,
                scope: None,
                as_of: Date::parse_as_of(as_of).unwrap(),
                source: "l".into(),
                kind: Some(kind),
            }],
        };
        let filing = parse("Beijing-ChatGLM-20230821").unwrap();
        let registration = parse("Beijing-AutoGLM-20250606S0053").unwrap();
        assert!(list(ListKind::Filings, "2026-08")
            .covering(&filing)
            .is_some());
        assert!(list(ListKind::Filings, "2026-08")
            .covering(&registration)
            .is_none());
        assert!(list(ListKind::Registrations, "2026-08")
            .covering(&registration)
            .is_some());
        // A number dated weeks before the list may not be published yet.
        let recent = parse("Beijing-Xyz-202607200001").unwrap();
        assert!(list(ListKind::Filings, "2026-08")
            .covering(&recent)
            .is_none());
    }
}
