//! The registry's vocabulary: regimes, sources, companies, filings and
//! aliases as plain data, shared by the store, the matcher and the printers.
//!
//! Nothing here does I/O; the types only describe what the registry holds.

use std::str::FromStr;

use serde::Serialize;

/// The error for a string that names no known value of an enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {given:?} (expected one of: {expected})")]
pub struct UnknownValue {
    pub what: &'static str,
    pub given: String,
    pub expected: String,
}

/// Declares an enum whose values have one spelling each, used alike in the
/// data files, on the command line and in JSON: `as_str`, `Display`,
/// `FromStr` (with [`UnknownValue`] listing the spellings) and `Serialize`.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::model::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    _ => Err($crate::model::UnknownValue {
                        what: $what,
                        given: s.to_string(),
                        expected: $name::ALL
                            .iter()
                            .map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    }),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// A filing regime: the regulation under which something is filed.
    pub enum Regime ("regime") {
        /// 《生成式人工智能服务管理暂行办法》: generative-AI service filing.
        Genai = "genai",
        /// 《互联网信息服务深度合成管理规定》: deep-synthesis algorithm filing.
        DeepSynthesis = "deep-synthesis",
    }
}

/// Which regimes a question is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RegimeFilter {
    #[default]
    Any,
    Only(Regime),
}

impl RegimeFilter {
    pub fn admits(self, regime: Regime) -> bool {
        match self {
            RegimeFilter::Any => true,
            RegimeFilter::Only(r) => r == regime,
        }
    }
}

impl FromStr for RegimeFilter {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "any" {
            return Ok(RegimeFilter::Any);
        }
        s.parse::<Regime>()
            .map(RegimeFilter::Only)
            .map_err(|_| UnknownValue {
                what: "regime",
                given: s.to_string(),
                expected: "genai, deep-synthesis, any".to_string(),
            })
    }
}

text_enum! {
    /// What a filing is for.
    pub enum ItemKind ("item kind") {
        Model = "model",
        Algorithm = "algorithm",
        Service = "service",
    }
}

text_enum! {
    /// The kind of an alternative name.
    pub enum AliasKind ("alias kind") {
        LegalName = "legal_name",
        EnglishName = "english_name",
        Brand = "brand",
        ProductName = "product_name",
        FormerName = "former_name",
        Pinyin = "pinyin",
    }
}

text_enum! {
    /// Whether an alias names a company or an item (model/algorithm/service).
    pub enum AliasEntity ("alias entity") {
        Company = "company",
        Item = "item",
    }
}

text_enum! {
    /// Whether a source lists everything in its scope, or only some of it.
    pub enum Completeness ("completeness") {
        Complete = "complete",
        Partial = "partial",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegimeInfo {
    pub id: Regime,
    pub title: String,
    pub title_en: String,
    pub issued: String,
    pub in_force: String,
    pub defines: String,
    pub applies_to: String,
    pub filing_number_label: String,
    pub source_id: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub published: Option<String>,
    pub as_of: String,
    pub location: Option<String>,
    pub completeness: Completeness,
    pub url: Option<String>,
    pub sha256: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub legal_name: Option<String>,
    pub english_name: Option<String>,
    pub group_name: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filing {
    pub id: i64,
    pub regime: Regime,
    pub company_id: i64,
    pub company_listed: String,
    pub item: String,
    pub item_listed: String,
    pub item_kind: ItemKind,
    pub filing_no: Option<String>,
    pub role: Option<String>,
    pub product: Option<String>,
    pub region: Option<String>,
    pub filed_on: Option<String>,
    pub batch: Option<String>,
    pub source_id: String,
    pub location: String,
    pub status: String,
    pub note: Option<String>,
    /// 主要用途, as listed.
    pub purpose: Option<String>,
    /// 备注, as listed.
    pub remark: Option<String>,
}

/// One imported list: its source, what it covers and what it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Batch {
    pub id: i64,
    pub source_id: String,
    pub regime: Regime,
    /// `national`, or the region the list covers.
    pub scope: String,
    pub imported_at: String,
    pub file_name: Option<String>,
    pub sha256: String,
    pub rows: i64,
    pub added: i64,
    pub changed: i64,
    pub absent: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alias {
    pub entity: AliasEntity,
    pub name: String,
    pub alias: String,
    pub kind: AliasKind,
    pub source: String,
    pub note: Option<String>,
}

/// What a registry holds, read into memory.
///
/// Commands that go through every filing (audit, status, export) read the
/// whole registry. A lookup on a registry file reads only the filings it
/// matched (see `registry::Registry::open_for_lookup`): then `partial` says
/// which sources each regime's filings cite, over all of them, so that the
/// as-of dates stay those of the whole registry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub regimes: Vec<RegimeInfo>,
    pub sources: Vec<Source>,
    pub companies: Vec<Company>,
    pub filings: Vec<Filing>,
    pub aliases: Vec<Alias>,
    pub batches: Vec<Batch>,
    /// Set when `filings` is only some of the registry's filings: the
    /// (regime, source id) pairs of all of them.
    pub partial: Option<Vec<(Regime, String)>>,
}

impl Snapshot {
    pub fn company(&self, id: i64) -> Option<&Company> {
        // Ids are dense and ordered in practice; fall back to a scan otherwise.
        self.companies
            .get((id - 1).max(0) as usize)
            .filter(|c| c.id == id)
            .or_else(|| self.companies.iter().find(|c| c.id == id))
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The newest as-of date over all sources (ISO text compares in order).
    pub fn as_of(&self) -> Option<&str> {
        self.sources.iter().map(|s| s.as_of.as_str()).max()
    }

    /// The newest as-of date of the sources that list filings of `regime`.
    pub fn regime_as_of(&self, regime: Regime) -> Option<&str> {
        let cited: Box<dyn Iterator<Item = &str>> = match &self.partial {
            Some(pairs) => Box::new(
                pairs
                    .iter()
                    .filter(move |(r, _)| *r == regime)
                    .map(|(_, s)| s.as_str()),
            ),
            None => Box::new(
                self.filings
                    .iter()
                    .filter(move |f| f.regime == regime)
                    .map(|f| f.source_id.as_str()),
            ),
        };
        cited
            .filter_map(|id| self.source(id))
            .map(|s| s.as_of.as_str())
            .max()
    }

    pub fn count(&self, regime: Regime) -> usize {
        self.filings.iter().filter(|f| f.regime == regime).count()
    }
}
