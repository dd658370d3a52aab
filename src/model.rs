//! The registry's vocabulary: regimes, sources, companies, filings and
//! aliases as plain data, shared by the store, the matcher and the printers.
//!
//! A filing has one family of types, each the one before plus what the next
//! stage knows: [`FilingFields`] are the cells any source gives (a published
//! list, `registry/filings.csv`, an export); a [`NewFiling`] is what is
//! inserted (those cells plus regime, kind, source, location and status); a
//! [`Filing`] is one stored (plus its id and its company's id). Every file
//! format (de)serialises these types; nothing else describes a filing.
//!
//! Nothing here does I/O; the types only describe what the registry holds.
//! The text enums carry their own conversions (command line, serde, SQLite),
//! so no caller parses their spellings by hand.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The error for a string that names no known value of an enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {given:?} (expected one of: {expected})")]
pub struct UnknownValue {
    pub what: &'static str,
    pub given: String,
    pub expected: String,
}

/// Declares an enum whose values have one spelling each, used alike in the
/// data files, on the command line, in JSON and in the database: `as_str`,
/// `Display`, `FromStr` (with [`UnknownValue`] listing the spellings, which
/// clap uses too), `Serialize`, `Deserialize` and SQLite's `ToSql`/`FromSql`.
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

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                text.trim().parse().map_err(::serde::de::Error::custom)
            }
        }

        impl ::rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> ::rusqlite::Result<::rusqlite::types::ToSqlOutput<'_>> {
                Ok(::rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl ::rusqlite::types::FromSql for $name {
            fn column_result(
                value: ::rusqlite::types::ValueRef<'_>,
            ) -> ::rusqlite::types::FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e: $crate::model::UnknownValue| {
                        ::rusqlite::types::FromSqlError::Other(Box::new(e))
                    })
            }
        }
    };
}
pub(crate) use text_enum;

/// Declares an id newtype: ordered, hashable, serialised as the number, and
/// stored as an SQLite integer.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl ::rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> ::rusqlite::Result<::rusqlite::types::ToSqlOutput<'_>> {
                Ok(::rusqlite::types::ToSqlOutput::from(self.0))
            }
        }

        impl ::rusqlite::types::FromSql for $name {
            fn column_result(
                value: ::rusqlite::types::ValueRef<'_>,
            ) -> ::rusqlite::types::FromSqlResult<Self> {
                value.as_i64().map($name)
            }
        }
    };
}

id_type! {
    /// A filing's id in its registry.
    FilingId
}

id_type! {
    /// A company's id in its registry.
    CompanyId
}

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

impl ItemKind {
    /// What the regime files, when a list does not say.
    pub fn of_regime(regime: Regime) -> ItemKind {
        match regime {
            Regime::DeepSynthesis => ItemKind::Algorithm,
            Regime::Genai => ItemKind::Model,
        }
    }
}

text_enum! {
    /// Whether a filing stands.
    pub enum FilingStatus ("filing status") {
        /// On the list it came from, and on every newer one seen.
        Listed = "listed",
        /// A newer complete list of its scope no longer holds it.
        AbsentFromNewer = "absent-from-newer",
        /// The regulator cancelled it (注销).
        Cancelled = "cancelled",
    }
}

impl FilingStatus {
    /// Whether the filing still counts as filed.
    pub fn stands(self) -> bool {
        self == FilingStatus::Listed
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
    /// Whether an alias names a company, an item (model/algorithm/service)
    /// or a group of companies (a company's `group`).
    pub enum AliasEntity ("alias entity") {
        Company = "company",
        Item = "item",
        Group = "group",
    }
}

text_enum! {
    /// Whether a source lists everything in its scope, or only some of it.
    pub enum Completeness ("completeness") {
        Complete = "complete",
        Partial = "partial",
    }
}

/// Serde helpers for text cells: trimmed, and empty meaning absent.
pub(crate) mod cell {
    use serde::{Deserialize, Deserializer};

    /// A required text cell, trimmed.
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(s.trim().to_string())
    }

    /// A `yes`/`no` cell.
    pub fn yes_no<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        match s.trim() {
            "yes" => Ok(true),
            "no" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "expected yes or no, found {other:?}"
            ))),
        }
    }

    /// An optional text cell written as text, `""` when absent.
    pub fn ser_opt<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.as_deref().unwrap_or(""))
    }

    /// An optional text cell: trimmed, `None` when empty or missing.
    pub fn opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let s = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)?;
        Ok(s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegimeInfo {
    pub id: Regime,
    #[serde(deserialize_with = "cell::text")]
    pub title: String,
    #[serde(deserialize_with = "cell::text")]
    pub title_en: String,
    #[serde(deserialize_with = "cell::text")]
    pub issued: String,
    #[serde(deserialize_with = "cell::text")]
    pub in_force: String,
    #[serde(deserialize_with = "cell::text")]
    pub defines: String,
    #[serde(deserialize_with = "cell::text")]
    pub applies_to: String,
    #[serde(deserialize_with = "cell::text")]
    pub filing_number_label: String,
    #[serde(rename = "source", deserialize_with = "cell::text")]
    pub source_id: String,
    #[serde(default, deserialize_with = "cell::opt")]
    pub note: Option<String>,
}

/// Where filings come from: a document, a table in it, an official list.
/// Reports show every field but the file digest and our note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    #[serde(deserialize_with = "cell::text")]
    pub id: String,
    #[serde(deserialize_with = "cell::text")]
    pub title: String,
    #[serde(deserialize_with = "cell::text")]
    pub publisher: String,
    #[serde(default, deserialize_with = "cell::opt")]
    pub published: Option<String>,
    #[serde(deserialize_with = "cell::text")]
    pub as_of: String,
    pub completeness: Completeness,
    #[serde(default, deserialize_with = "cell::opt")]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub url: Option<String>,
    /// Digest of the file an import read.
    #[serde(default, skip_serializing, deserialize_with = "cell::opt")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing, deserialize_with = "cell::opt")]
    pub note: Option<String>,
}

/// A company, under the name the registry gives it, with the legal entity
/// behind the name when known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    #[serde(skip)]
    pub id: CompanyId,
    #[serde(rename = "company", deserialize_with = "cell::text")]
    pub name: String,
    #[serde(default, deserialize_with = "cell::opt")]
    pub legal_name: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub english_name: Option<String>,
    #[serde(rename = "group", default, deserialize_with = "cell::opt")]
    pub group_name: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub note: Option<String>,
}

impl Company {
    /// A company known only by the name a list gives it.
    pub fn named(name: &str) -> Company {
        Company {
            id: CompanyId::default(),
            name: name.to_string(),
            legal_name: None,
            english_name: None,
            group_name: None,
            source: None,
            note: None,
        }
    }
}

/// The cells any source gives of one filing, as it gives them: a published
/// list's row, a row of `registry/filings.csv`, an export's row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingFields {
    /// 序号: the official sequence number in its list.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cell::opt"
    )]
    pub seq: Option<String>,
    /// 备案单位 / 主体名称 / 登记单位, as listed ('' when the cell is empty).
    #[serde(default, deserialize_with = "cell::text")]
    pub company: String,
    /// 模型名称 / 算法名称 / 应用或功能名称, as listed.
    #[serde(deserialize_with = "cell::text")]
    pub item: String,
    /// 备案号 / 备案编号 / 上线编号 (written `""` when there is none).
    #[serde(
        default,
        serialize_with = "cell::ser_opt",
        deserialize_with = "cell::opt"
    )]
    pub filing_no: Option<String>,
    /// 角色 (deep-synthesis: 服务提供者 / 服务技术支持者).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cell::opt"
    )]
    pub role: Option<String>,
    /// 应用产品.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cell::opt"
    )]
    pub product: Option<String>,
    /// 主要用途.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cell::opt"
    )]
    pub purpose: Option<String>,
    /// 属地.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cell::opt"
    )]
    pub region: Option<String>,
    /// 备案时间 / 登记时间: `YYYY-MM-DD` when it could be read as a date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cell::opt"
    )]
    pub filed_on: Option<String>,
    /// 备注.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cell::opt"
    )]
    pub remark: Option<String>,
}

impl FilingFields {
    /// The names of the cells that differ between two listings (the field
    /// names above), in declaration order.
    pub fn differing(&self, other: &FilingFields) -> Vec<&'static str> {
        let pairs: [(&'static str, Option<&str>, Option<&str>); 10] = [
            ("seq", self.seq.as_deref(), other.seq.as_deref()),
            ("company", Some(&self.company), Some(&other.company)),
            ("item", Some(&self.item), Some(&other.item)),
            (
                "filing_no",
                self.filing_no.as_deref(),
                other.filing_no.as_deref(),
            ),
            ("role", self.role.as_deref(), other.role.as_deref()),
            ("product", self.product.as_deref(), other.product.as_deref()),
            ("purpose", self.purpose.as_deref(), other.purpose.as_deref()),
            ("region", self.region.as_deref(), other.region.as_deref()),
            (
                "filed_on",
                self.filed_on.as_deref(),
                other.filed_on.as_deref(),
            ),
            ("remark", self.remark.as_deref(), other.remark.as_deref()),
        ];
        pairs
            .into_iter()
            .filter(|(_, a, b)| a != b)
            .map(|(name, _, _)| name)
            .collect()
    }
}

/// A filing as it is inserted: the listed cells, and what the registry says
/// of them. `company` and `item` are the registry's names (corrected where
/// the listing broke them, and `company` the registry name the filing is
/// linked to); `fields` keeps the cells as listed.
///
/// Its serde form is one flat record, the columns of `registry/filings.csv`
/// (`company`, `company_listed`, `item`, `item_listed`, then the other
/// listed cells by name): see the `Serialize`/`Deserialize` impls below.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFiling {
    pub regime: Regime,
    pub item_kind: ItemKind,
    pub company: String,
    pub item: String,
    pub fields: FilingFields,
    /// The official list the row is on ([`OfficialList::id`]), if any.
    pub list: Option<String>,
    /// The official filing a row of another source describes (its filing
    /// number): a report's row linked to the list's.
    pub same_as: Option<String>,
    /// The batch label of an import, `batch N`.
    pub batch: Option<String>,
    pub source: String,
    /// Where in the source this row is.
    pub location: String,
    pub status: FilingStatus,
    /// When the status took effect (a cancellation's month, say), if known.
    pub status_on: Option<String>,
    /// The source that reports the status, when it is not `source`.
    pub status_source: Option<String>,
    /// Ours: corrections, caveats.
    pub note: Option<String>,
}

impl NewFiling {
    /// A filing as a published list gives it: the registry's names are the
    /// listed ones, the status `listed`; `source` is filled in by the import.
    pub fn listed(regime: Regime, fields: FilingFields, location: String) -> NewFiling {
        NewFiling {
            regime,
            item_kind: ItemKind::of_regime(regime),
            company: fields.company.clone(),
            item: fields.item.clone(),
            fields,
            list: None,
            same_as: None,
            batch: None,
            source: String::new(),
            location,
            status: FilingStatus::Listed,
            status_on: None,
            status_source: None,
            note: None,
        }
    }

    pub fn filing_no(&self) -> Option<&str> {
        self.fields.filing_no.as_deref()
    }
}

/// The columns of a [`NewFiling`]'s flat record, in `filings.csv` order.
const NEW_FILING_COLUMNS: &[&str] = &[
    "regime",
    "company",
    "company_listed",
    "item",
    "item_listed",
    "item_kind",
    "list",
    "seq",
    "filing_no",
    "role",
    "product",
    "purpose",
    "region",
    "filed_on",
    "remark",
    "batch",
    "status",
    "status_on",
    "status_source",
    "source",
    "location",
    "same_as",
    "note",
];

impl Serialize for NewFiling {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let f = &self.fields;
        let mut st = s.serialize_struct("NewFiling", NEW_FILING_COLUMNS.len())?;
        st.serialize_field("regime", &self.regime)?;
        st.serialize_field("company", &self.company)?;
        st.serialize_field("company_listed", &f.company)?;
        st.serialize_field("item", &self.item)?;
        st.serialize_field("item_listed", &f.item)?;
        st.serialize_field("item_kind", &self.item_kind)?;
        st.serialize_field("list", self.list.as_deref().unwrap_or(""))?;
        for (name, value) in [
            ("seq", &f.seq),
            ("filing_no", &f.filing_no),
            ("role", &f.role),
            ("product", &f.product),
            ("purpose", &f.purpose),
            ("region", &f.region),
            ("filed_on", &f.filed_on),
            ("remark", &f.remark),
            ("batch", &self.batch),
        ] {
            st.serialize_field(name, value.as_deref().unwrap_or(""))?;
        }
        st.serialize_field("status", &self.status)?;
        st.serialize_field("status_on", self.status_on.as_deref().unwrap_or(""))?;
        st.serialize_field("status_source", self.status_source.as_deref().unwrap_or(""))?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("location", &self.location)?;
        st.serialize_field("same_as", self.same_as.as_deref().unwrap_or(""))?;
        st.serialize_field("note", self.note.as_deref().unwrap_or(""))?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for NewFiling {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct("NewFiling", NEW_FILING_COLUMNS, NewFilingVisitor)
    }
}

struct NewFilingVisitor;

impl<'de> serde::de::Visitor<'de> for NewFilingVisitor {
    type Value = NewFiling;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a filing record")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<NewFiling, A::Error> {
        use serde::de::Error;
        let mut regime = None;
        let mut item_kind = None;
        let mut status = None;
        let mut company = String::new();
        let mut item = String::new();
        let mut source = String::new();
        let mut location = String::new();
        let (mut batch, mut note) = (None, None);
        let (mut status_on, mut status_source) = (None, None);
        let (mut list, mut same_as) = (None, None);
        let mut f = FilingFields::default();
        let mut seen_item_listed = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            // Every value is text: read it as such, whatever it looks like.
            let cell = map.next_value::<std::borrow::Cow<'de, str>>()?;
            let cell = cell.trim();
            let value = || cell.to_string();
            let opt = || (!cell.is_empty()).then(|| cell.to_string());
            match key.as_ref() {
                "regime" => regime = Some(cell.parse().map_err(A::Error::custom)?),
                "item_kind" => item_kind = Some(cell.parse().map_err(A::Error::custom)?),
                "status" if cell.is_empty() => {}
                "status" => status = Some(cell.parse().map_err(A::Error::custom)?),
                "company" => company = value(),
                "company_listed" => f.company = value(),
                "item" => item = value(),
                "item_listed" => {
                    f.item = value();
                    seen_item_listed = true;
                }
                "seq" => f.seq = opt(),
                "filing_no" => f.filing_no = opt(),
                "role" => f.role = opt(),
                "product" => f.product = opt(),
                "purpose" => f.purpose = opt(),
                "region" => f.region = opt(),
                "filed_on" => f.filed_on = opt(),
                "remark" => f.remark = opt(),
                "batch" => batch = opt(),
                "status_on" => status_on = opt(),
                "status_source" => status_source = opt(),
                "source" => source = value(),
                "location" => location = value(),
                "note" => note = opt(),
                "list" => list = opt(),
                "same_as" => same_as = opt(),
                other => return Err(A::Error::unknown_field(other, NEW_FILING_COLUMNS)),
            }
        }
        let regime: Regime = regime.ok_or_else(|| A::Error::missing_field("regime"))?;
        for (column, value) in [
            ("company", &company),
            ("item", &item),
            ("source", &source),
            ("location", &location),
        ] {
            if value.is_empty() {
                return Err(A::Error::custom(format!("column {column:?} is empty")));
            }
        }
        if !seen_item_listed {
            f.item = item.clone();
        } else if f.item.is_empty() {
            return Err(A::Error::custom("column \"item_listed\" is empty"));
        }
        Ok(NewFiling {
            regime,
            item_kind: item_kind.unwrap_or(ItemKind::of_regime(regime)),
            company,
            item,
            fields: f,
            list,
            same_as,
            batch,
            source,
            location,
            status: status.unwrap_or(FilingStatus::Listed),
            status_on,
            status_source,
            note,
        })
    }
}

/// A stored filing: what was inserted, its id, and its company's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    pub id: FilingId,
    pub company_id: CompanyId,
    pub entry: NewFiling,
}

impl std::ops::Deref for Filing {
    type Target = NewFiling;
    fn deref(&self) -> &NewFiling {
        &self.entry
    }
}

text_enum! {
    /// What an official list holds.
    pub enum ListKind ("list kind") {
        /// Generative-AI services filed (备案号).
        Filings = "filings",
        /// Apps and functions registered (登记, 上线编号).
        Registrations = "registrations",
        /// Deep-synthesis algorithms filed (备案编号).
        Algorithms = "algorithms",
    }
}

/// An official list the regulator publishes: what it holds, whether the
/// registry holds all of it, and the regulator's own total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficialList {
    #[serde(deserialize_with = "cell::text")]
    pub id: String,
    pub regime: Regime,
    pub kind: ListKind,
    /// `national`, or the region it covers.
    #[serde(deserialize_with = "cell::text")]
    pub scope: String,
    #[serde(deserialize_with = "cell::text")]
    pub title: String,
    #[serde(deserialize_with = "cell::text")]
    pub publisher: String,
    /// The notice page the list is published on.
    #[serde(default, deserialize_with = "cell::opt")]
    pub page: Option<String>,
    /// Whether the registry holds every row of the list as of `as_of`.
    #[serde(deserialize_with = "cell::yes_no")]
    pub complete: bool,
    #[serde(deserialize_with = "cell::text")]
    pub as_of: String,
    /// What of the list the registry holds (sequence ranges, batches).
    #[serde(default, deserialize_with = "cell::opt")]
    pub held: Option<String>,
    /// The regulator's announced total, as of a date, and where it is said.
    #[serde(default, deserialize_with = "cell::opt")]
    pub announced_total: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub announced_as_of: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub announced_on: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub announced_source: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub note: Option<String>,
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

/// Another established name of a company or an item, with its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub entity: AliasEntity,
    #[serde(deserialize_with = "cell::text")]
    pub name: String,
    #[serde(deserialize_with = "cell::text")]
    pub alias: String,
    pub kind: AliasKind,
    #[serde(deserialize_with = "cell::text")]
    pub source: String,
    #[serde(default, deserialize_with = "cell::opt")]
    pub note: Option<String>,
}

/// A second source for an official filing: a vendor's disclosure, a page
/// listing the numbers of the models it hosts, a publication quoting the
/// list. `registry/corroborations.csv`, one row per (number, source).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corroboration {
    #[serde(deserialize_with = "cell::text")]
    pub filing_no: String,
    #[serde(deserialize_with = "cell::text")]
    pub source: String,
    /// Where in the source.
    #[serde(deserialize_with = "cell::text")]
    pub location: String,
    /// What it says, verbatim.
    #[serde(default, deserialize_with = "cell::opt")]
    pub quote: Option<String>,
    #[serde(default, deserialize_with = "cell::opt")]
    pub note: Option<String>,
}

/// What a registry holds, read into memory.
///
/// Commands that go through every filing (audit, status, export) read the
/// whole registry. A lookup on a registry file reads only the filings it
/// matched (see `registry::Registry::resolve`): then `partial` says which
/// sources each regime's filings cite, over all of them, so that the as-of
/// dates stay those of the whole registry.
///
/// Filings and companies are in the order of their ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub regimes: Vec<RegimeInfo>,
    pub lists: Vec<OfficialList>,
    pub sources: Vec<Source>,
    pub companies: Vec<Company>,
    pub filings: Vec<Filing>,
    pub aliases: Vec<Alias>,
    pub corroborations: Vec<Corroboration>,
    pub batches: Vec<Batch>,
    /// Set when `filings` is only some of the registry's filings: the
    /// (regime, source id) pairs of all of them.
    pub partial: Option<Vec<(Regime, String)>>,
    /// The number key of each corroboration (in their order), parsed once
    /// on first use by [`crate::report`], which looks them up for every
    /// filing an answer shows (set `corroborations` before that).
    pub(crate) corroboration_keys: std::sync::OnceLock<Vec<Option<String>>>,
}

impl Snapshot {
    pub fn company(&self, id: CompanyId) -> Option<&Company> {
        self.companies
            .binary_search_by_key(&id, |c| c.id)
            .ok()
            .map(|i| &self.companies[i])
    }

    pub fn filing(&self, id: FilingId) -> Option<&Filing> {
        self.filings
            .binary_search_by_key(&id, |f| f.id)
            .ok()
            .map(|i| &self.filings[i])
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
                    .map(|f| f.source.as_str()),
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

    /// The first reference to a company, filing or source this snapshot
    /// does not hold, if any: a registry whose rows point nowhere is damaged.
    pub fn dangling(&self) -> Option<String> {
        fn ascending(ids: impl Iterator<Item = i64>) -> bool {
            let mut last = i64::MIN;
            for id in ids {
                if id <= last {
                    return false;
                }
                last = id;
            }
            true
        }
        if !ascending(self.filings.iter().map(|f| f.id.0))
            || !ascending(self.companies.iter().map(|c| c.id.0))
        {
            return Some("rows are not in the order of their ids".into());
        }
        for f in &self.filings {
            if self.company(f.company_id).is_none() {
                return Some(format!(
                    "filing {} names company {}, which does not exist",
                    f.id, f.company_id
                ));
            }
            if self.partial.is_none() && self.source(&f.source).is_none() {
                return Some(format!(
                    "filing {} cites source {:?}, which does not exist",
                    f.id, f.source
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<NewFiling>, csv::Error> {
        csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .collect()
    }

    #[test]
    fn a_new_filing_reads_its_flat_record_as_text() {
        let rows = read(
            "regime,company,company_listed,item,item_listed,item_kind,seq,filing_no,status,source,location,note\n\
             genai,智谱AI,智谱AI,360,360 ,model,2,Beijing-ChatGLM-20230821,,s1,line 3,\n",
        )
        .unwrap();
        let f = &rows[0];
        assert_eq!(f.item, "360");
        assert_eq!(f.fields.item, "360");
        assert_eq!(f.fields.seq.as_deref(), Some("2"));
        assert_eq!(f.filing_no(), Some("Beijing-ChatGLM-20230821"));
        assert_eq!(f.status, FilingStatus::Listed);
        assert_eq!(f.note, None);
    }

    #[test]
    fn a_new_filing_round_trips_through_csv() {
        let f = NewFiling {
            note: Some("n".into()),
            batch: Some("batch 1".into()),
            source: "s".into(),
            ..NewFiling::listed(
                Regime::DeepSynthesis,
                FilingFields {
                    seq: Some("7".into()),
                    company: "公司".into(),
                    item: "算法".into(),
                    filing_no: Some("网信算备110108105858001230019号".into()),
                    role: Some("服务提供者".into()),
                    purpose: Some("用途".into()),
                    remark: Some("备注".into()),
                    ..FilingFields::default()
                },
                "l".into(),
            )
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&f).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(read(&text).unwrap(), vec![f]);
    }

    #[test]
    fn unknown_columns_and_empty_required_cells_are_errors() {
        let err = read("regime,company,item,source,location,colour\ngenai,a,b,s,l,red\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `colour`"), "{err}");
        let err = read("regime,company,item,source,location\ngenai,,b,s,l\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("column \"company\" is empty"), "{err}");
    }

    #[test]
    fn text_enums_convert_every_way() {
        for s in FilingStatus::ALL {
            assert_eq!(s.as_str().parse::<FilingStatus>(), Ok(*s));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(serde_json::from_str::<FilingStatus>(&json).unwrap(), *s);
        }
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let back: Regime = conn
            .query_row("SELECT ?1", [Regime::DeepSynthesis], |r| r.get(0))
            .unwrap();
        assert_eq!(back, Regime::DeepSynthesis);
        let bad = conn.query_row("SELECT 'llm'", [], |r| r.get::<_, Regime>(0));
        assert!(bad.is_err());
    }
}
