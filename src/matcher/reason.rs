//! Why the matcher answered as it did, as data; the sentences users read
//! are made here and only here (`Display`, and the JSON of `--explain`).

use serde::{Serialize, Serializer};

use super::{MatchKind, Rule, STRONG};
use crate::model::Regime;

/// The reason for a verdict.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// Not yet decided (an outcome being filled in).
    Pending,
    /// Nothing in the registry matched.
    NoMatch,
    /// The query is longer than any name.
    TooLong { limit: usize },
    /// Strong matches for several companies of one group: the query names
    /// the group, or a name its members share.
    Group {
        group: String,
        companies: Vec<String>,
    },
    /// The query names a company that has no filing of its own; the
    /// filings shown are its group's.
    NoOwnFiling { name: String },
    /// The query contains a filed name plus other words.
    Related { name: String },
    /// The best match is below the strong threshold.
    Weak { score: f64 },
    /// Equally strong matches for several companies.
    Ambiguous { companies: Vec<String> },
    /// Every strong match is a filing a newer complete list dropped.
    Withdrawn,
    /// A strong match to one company.
    Filed {
        kind: MatchKind,
        via: &'static str,
        rule: Rule,
        score: f64,
    },
    /// The query looked like a filing number but is not a well-formed one.
    MalformedNumber { error: String },
    /// A well-formed number no filing of the regime has.
    UnknownNumber { regime: Regime, number: String },
    /// A well-formed number, but the registry holds none of its regime.
    NumbersNotHeld { regime: Regime },
    /// The number is a filing's.
    Number { number: String },
}

impl Reason {
    /// Whether this reason is one a user should read beside the answer
    /// (the verdict alone would mislead).
    pub fn is_note(&self) -> bool {
        matches!(
            self,
            Reason::TooLong { .. }
                | Reason::Withdrawn
                | Reason::MalformedNumber { .. }
                | Reason::UnknownNumber { .. }
                | Reason::NumbersNotHeld { .. }
        )
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Pending => Ok(()),
            Reason::NoMatch => f.write_str("no registry name matched"),
            Reason::TooLong { limit } => {
                write!(f, "a query of more than {limit} characters is no name")
            }
            Reason::Group { group, companies } => write!(
                f,
                "the query names the group {group} (or a name its members share); its members {} filed",
                companies.join(", ")
            ),
            Reason::NoOwnFiling { name } => write!(
                f,
                "{name} has no filing of its own in the registry: the filings shown are its group's (other companies'), which do not cover it; check which entity provides the service"
            ),
            Reason::Related { name } => write!(
                f,
                "the query contains the filed name {name:?} plus other words: the names share characters, which makes neither the filer of the other (nor related)"
            ),
            Reason::Weak { score } => write!(
                f,
                "best match {score:.2} is below the strong threshold {STRONG:.2}"
            ),
            Reason::Ambiguous { companies } => write!(
                f,
                "ambiguous: equally strong matches for {}",
                companies.join(", ")
            ),
            Reason::Withdrawn => f.write_str(
                "every matching filing no longer stands (cancelled, or absent from a newer complete list of its scope); check the current list",
            ),
            Reason::Filed {
                kind,
                via,
                rule,
                score,
            } => write!(
                f,
                "{} match ({via}, rule {}) {score:.2} ≥ {STRONG:.2}",
                kind.as_str(),
                rule.as_str()
            ),
            Reason::MalformedNumber { error } => {
                write!(f, "not a well-formed filing number: {error}")
            }
            Reason::UnknownNumber { regime, number } => {
                write!(f, "no {regime} filing in the registry has the number {number}")
            }
            Reason::NumbersNotHeld { regime } => write!(
                f,
                "the number is well formed, but the registry holds no {regime} numbers to look it up in; import the official lists (`filing-check registry import`)"
            ),
            Reason::Number { number } => write!(f, "filing number {number} is in the registry"),
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
