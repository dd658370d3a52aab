//! The registry's vocabulary: regimes, sources, companies, filings and
//! aliases as plain data, shared by the store, the matcher and the printers.
//!
//! Nothing here does I/O; the types only describe what the registry holds.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A filing regime: the regulation under which something is filed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Regime {
    /// 《生成式人工智能服务管理暂行办法》: generative-AI service filing.
    #[serde(rename = "genai")]
    Genai,
    /// 《互联网信息服务深度合成管理规定》: deep-synthesis algorithm filing.
    #[serde(rename = "deep-synthesis")]
    DeepSynthesis,
}

impl Regime {
    pub const ALL: [Regime; 2] = [Regime::Genai, Regime::DeepSynthesis];

    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Genai => "genai",
            Regime::DeepSynthesis => "deep-synthesis",
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a string that names no known value of an enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {given:?} (expected one of: {expected})")]
pub struct UnknownValue {
    pub what: &'static str,
    pub given: String,
    pub expected: &'static str,
}

impl FromStr for Regime {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "genai" => Ok(Regime::Genai),
            "deep-synthesis" => Ok(Regime::DeepSynthesis),
            _ => Err(UnknownValue {
                what: "regime",
                given: s.to_string(),
                expected: "genai, deep-synthesis",
            }),
        }
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
                expected: "genai, deep-synthesis, any",
            })
    }
}

/// What a filing is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Model,
    Algorithm,
    Service,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Model => "model",
            ItemKind::Algorithm => "algorithm",
            ItemKind::Service => "service",
        }
    }
}

impl FromStr for ItemKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "model" => Ok(ItemKind::Model),
            "algorithm" => Ok(ItemKind::Algorithm),
            "service" => Ok(ItemKind::Service),
            _ => Err(UnknownValue {
                what: "item kind",
                given: s.to_string(),
                expected: "model, algorithm, service",
            }),
        }
    }
}

/// The kind of an alternative name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasKind {
    LegalName,
    EnglishName,
    Brand,
    ProductName,
    FormerName,
    Pinyin,
}

impl AliasKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AliasKind::LegalName => "legal_name",
            AliasKind::EnglishName => "english_name",
            AliasKind::Brand => "brand",
            AliasKind::ProductName => "product_name",
            AliasKind::FormerName => "former_name",
            AliasKind::Pinyin => "pinyin",
        }
    }
}

impl FromStr for AliasKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "legal_name" => AliasKind::LegalName,
            "english_name" => AliasKind::EnglishName,
            "brand" => AliasKind::Brand,
            "product_name" => AliasKind::ProductName,
            "former_name" => AliasKind::FormerName,
            "pinyin" => AliasKind::Pinyin,
            _ => {
                return Err(UnknownValue {
                    what: "alias kind",
                    given: s.to_string(),
                    expected: "legal_name, english_name, brand, product_name, former_name, pinyin",
                })
            }
        })
    }
}

/// Whether an alias names a company or an item (model/algorithm/service).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AliasEntity {
    Company,
    Item,
}

impl FromStr for AliasEntity {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "company" => Ok(AliasEntity::Company),
            "item" => Ok(AliasEntity::Item),
            _ => Err(UnknownValue {
                what: "alias entity",
                given: s.to_string(),
                expected: "company, item",
            }),
        }
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Completeness {
    Complete,
    Partial,
}

impl FromStr for Completeness {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "complete" => Ok(Completeness::Complete),
            "partial" => Ok(Completeness::Partial),
            _ => Err(UnknownValue {
                what: "completeness",
                given: s.to_string(),
                expected: "complete, partial",
            }),
        }
    }
}

impl Completeness {
    pub fn as_str(self) -> &'static str {
        match self {
            Completeness::Complete => "complete",
            Completeness::Partial => "partial",
        }
    }
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

/// Everything a registry holds, read into memory once per process.
///
/// The registry is small (hundreds to tens of thousands of rows), so the
/// matcher works on this snapshot rather than querying SQLite per name.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub regimes: Vec<RegimeInfo>,
    pub sources: Vec<Source>,
    pub companies: Vec<Company>,
    pub filings: Vec<Filing>,
    pub aliases: Vec<Alias>,
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
        self.filings
            .iter()
            .filter(|f| f.regime == regime)
            .filter_map(|f| self.source(&f.source_id))
            .map(|s| s.as_of.as_str())
            .max()
    }

    pub fn count(&self, regime: Regime) -> usize {
        self.filings.iter().filter(|f| f.regime == regime).count()
    }
}
