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

/// Which official sequence numbers (序号) of a list a registry holds: the
/// national genai lists are numbered from 1 without gaps across their
/// bimonthly attachments, so the numbers held say which attachments are
/// missing. Pure.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Numbering {
    /// Runs of consecutive numbers held, ascending.
    pub held: Vec<(u32, u32)>,
}

impl Numbering {
    /// The numbering of `seqs` (any order, repeats allowed).
    pub fn of(seqs: impl IntoIterator<Item = u32>) -> Numbering {
        let mut all: Vec<u32> = seqs.into_iter().collect();
        all.sort_unstable();
        all.dedup();
        let mut held: Vec<(u32, u32)> = Vec::new();
        for n in all {
            match held.last_mut() {
                Some((_, end)) if *end + 1 == n => *end = n,
                _ => held.push((n, n)),
            }
        }
        Numbering { held }
    }

    /// The highest number held.
    pub fn top(&self) -> Option<u32> {
        self.held.last().map(|&(_, e)| e)
    }

    /// The runs missing below the highest number held, from 1.
    pub fn missing(&self) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut next = 1;
        for &(s, e) in &self.held {
            if s > next {
                out.push((next, s - 1));
            }
            next = e + 1;
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// `1–188, 869–988 of 988; missing 189–868`.
    pub fn describe(&self) -> String {
        let Some(top) = self.top() else {
            return "none".into();
        };
        let held = runs(&self.held);
        let missing = self.missing();
        if missing.is_empty() {
            format!("{held} of {top}")
        } else {
            format!("{held} of {top}; missing {}", runs(&missing))
        }
    }
}

/// `1–188, 869–988`.
pub fn runs(r: &[(u32, u32)]) -> String {
    r.iter()
        .map(|&(s, e)| {
            if s == e {
                s.to_string()
            } else {
                format!("{s}–{e}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod numbering_tests {
    use super::*;

    #[test]
    fn runs_and_gaps() {
        let n = Numbering::of((869..=988).chain(1..=188).chain([5, 5]));
        assert_eq!(n.describe(), "1–188, 869–988 of 988; missing 189–868");
        assert_eq!(Numbering::of(1..=731).describe(), "1–731 of 731");
        let n = Numbering::of((1..=262).chain(264..=731));
        assert_eq!(n.describe(), "1–262, 264–731 of 731; missing 263");
        assert_eq!(Numbering::of([3]).describe(), "3 of 3; missing 1–2");
        assert_eq!(Numbering::of([]).describe(), "none");
    }
}
