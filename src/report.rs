//! The lookup report: what `filing-check <QUERY>...` answers, as plain data
//! with a documented, stable JSON shape.
//!
//! The matcher speaks in indexes into the snapshot; this module resolves them
//! into the fields users read (regime, company, item, source, as-of date), so
//! every printer shows the same facts.

use serde::Serialize;

use crate::date::Date;
use crate::freshness::{freshness, Freshness};
use crate::matcher::{Explain, FilingMatch, MatchKind, Outcome, Rule, Verdict, Via};
use crate::model::{Completeness, FilingStatus, ItemKind, Regime, Snapshot, Source};
use crate::registry::Registry;

/// `{"registry": {...}, "results": [...]}`.
#[derive(Clone, Debug, Serialize)]
pub struct LookupReport {
    pub registry: RegistryInfo,
    pub results: Vec<QueryResult>,
}

/// What registry answered, and how current it is.
#[derive(Clone, Debug, Serialize)]
pub struct RegistryInfo {
    /// The newest as-of date over all sources.
    pub as_of: Option<String>,
    /// `embedded`, or the path of the registry file.
    pub loaded_from: String,
    pub schema_version: i64,
    pub sources: Vec<Source>,
    /// The regulator's lists and how much of each the registry holds.
    pub lists: Vec<crate::model::OfficialList>,
}

#[derive(Clone, Debug, Serialize)]
pub struct QueryResult {
    pub query: String,
    pub verdict: Verdict,
    pub matches: Vec<MatchInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

/// One matching filing, as the JSON output documents it.
#[derive(Clone, Debug, Serialize)]
pub struct MatchInfo {
    pub regime: Regime,
    /// The company as listed (corrected where the extraction broke it).
    pub company: String,
    pub legal_name: Option<String>,
    pub item: String,
    pub item_kind: ItemKind,
    #[serde(rename = "match")]
    pub kind: MatchKind,
    pub score: f64,
    pub rule: Rule,
    /// The registry name the query matched, and what kind of name it is.
    pub matched_name: String,
    pub matched_via: Via,
    pub filing_no: Option<String>,
    /// `filing` (备案, a 备案号/备案编号) or `registration` (登记 of an app
    /// that calls a filed model, a 上线编号).
    pub record: Record,
    /// The official list the row is on (`cac-genai-registrations`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// What is odd about the row in its source (columns swapped, a stray
    /// character, a marked date…), and corrections made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The company cell as the source gives it, when the registry files the
    /// row under another name (a seed row under the entity that filed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_listed: Option<String>,
    /// The group the company belongs to, when the registry names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `listed`, `cancelled` (with when and who says so) or
    /// `absent-from-newer`.
    pub status: FilingStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_source: Option<String>,
    /// For a row of another source: the official filing (its number) it
    /// describes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
    pub source: String,
    pub as_of: String,
    pub location: String,
    /// Second sources that give the same number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub corroborated_by: Vec<Corroborated>,
}

/// A second source for a filing, as a match shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Corroborated {
    pub source: String,
    pub title: String,
    pub url: Option<String>,
    pub location: String,
}

impl RegistryInfo {
    pub fn new(reg: &Registry) -> RegistryInfo {
        let snap = &reg.snapshot;
        RegistryInfo {
            as_of: snap.as_of().map(str::to_string),
            loaded_from: reg.origin.to_string(),
            schema_version: reg.schema_version,
            sources: snap.sources.clone(),
            lists: snap.lists.clone(),
        }
    }

    /// Whether any source is partial: then absence proves nothing.
    pub fn any_partial(&self) -> bool {
        self.sources
            .iter()
            .any(|s| s.completeness == Completeness::Partial)
    }
}

/// Resolves a matcher outcome into the reported result.
pub fn query_result(snap: &Snapshot, outcome: Outcome, explain: bool) -> QueryResult {
    let matches: Vec<MatchInfo> = outcome
        .matches
        .iter()
        .map(|m| match_info(snap, m))
        .collect();
    let mut notes: Vec<String> = Vec::new();
    if let Some(note) = outcome.note {
        notes.push(note);
    }
    // What ended the filings that no longer stand, when a source says.
    for m in matches
        .iter()
        .filter(|m| m.status == FilingStatus::Cancelled)
    {
        let by = m
            .status_source
            .as_deref()
            .map(|id| {
                snap.source(id)
                    .map_or_else(|| id.to_string(), |s| format!("{} ({id})", s.title))
            })
            .map(|s| format!(" by {s}"))
            .unwrap_or_default();
        notes.push(format!(
            "{} · {} ({}) was cancelled{}{by}",
            m.company,
            m.item,
            m.filing_no.as_deref().unwrap_or("no number"),
            m.status_on
                .as_deref()
                .map(|d| format!(" on {d}"))
                .unwrap_or_default(),
        ));
    }
    if let Some(f) = outcome.nearest.and_then(|id| snap.filing(id)) {
        let company = snap
            .company(f.company_id)
            .map_or(f.company.as_str(), |c| c.name.as_str());
        notes.push(format!(
            "did you mean {} ({company} · {})? It is the listed number nearest to the one asked for; a number answers only when it is exactly a listed one",
            f.filing_no().unwrap_or_default(),
            f.item
        ));
    }
    QueryResult {
        query: outcome.query,
        verdict: outcome.verdict,
        matches,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
        explain: explain.then_some(outcome.explain),
    }
}

/// Resolves one matching filing into the fields users read.
///
/// The registry holds every filing its matcher can name (it is checked when
/// opened, and a lookup reads the filings its answers name): a filing that
/// is not there is a bug, not damage.
/// Whether a row is a filing or a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Record {
    Filing,
    Registration,
}

/// A registration is on a list of registrations, or has a 上线编号.
fn record_of(snap: &Snapshot, f: &crate::model::Filing) -> Record {
    let on_list = f
        .list
        .as_deref()
        .and_then(|id| snap.lists.iter().find(|l| l.id == id))
        .map(|l| l.kind == crate::model::ListKind::Registrations);
    let by_number = || {
        f.filing_no()
            .and_then(|n| crate::filing_no::parse(n).ok())
            .is_some_and(|n| n.is_registration())
    };
    if on_list.unwrap_or_else(by_number) {
        Record::Registration
    } else {
        Record::Filing
    }
}

/// The corroborations of the filing number with this key
/// ([`crate::filing_no::FilingNumber::key`]), their keys parsed once.
fn corroborations_of<'a>(
    snap: &'a Snapshot,
    key: &'a str,
) -> impl Iterator<Item = &'a crate::model::Corroboration> {
    let keys = snap.corroboration_keys.get_or_init(|| {
        snap.corroborations
            .iter()
            .map(|c| crate::filing_no::parse(&c.filing_no).ok().map(|n| n.key()))
            .collect()
    });
    snap.corroborations
        .iter()
        .zip(keys)
        .filter(move |(_, k)| k.as_deref() == Some(key))
        .map(|(c, _)| c)
}

pub fn match_info(snap: &Snapshot, m: &FilingMatch) -> MatchInfo {
    let f = snap
        .filing(m.filing)
        .unwrap_or_else(|| panic!("filing {} was matched but not read", m.filing));
    let company = snap.company(f.company_id);
    let source = snap.source(&f.source);
    let name = company.map_or_else(|| f.company.clone(), |c| c.name.clone());
    let corroborated_by = f
        .filing_no()
        .and_then(|n| crate::filing_no::parse(n).ok())
        .map(|n| {
            let key = n.key();
            corroborations_of(snap, &key)
                .map(|c| Corroborated {
                    source: c.source.clone(),
                    title: snap
                        .source(&c.source)
                        .map_or_else(String::new, |s| s.title.clone()),
                    url: snap.source(&c.source).and_then(|s| s.url.clone()),
                    location: c.location.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    MatchInfo {
        regime: f.regime,
        company_listed: (!f.fields.company.is_empty() && f.fields.company != name)
            .then(|| f.fields.company.clone()),
        group: company.and_then(|c| c.group_name.clone()),
        status: f.status,
        status_on: f.status_on.clone(),
        status_source: f.status_source.clone(),
        same_as: f.same_as.clone(),
        corroborated_by,
        company: name,
        legal_name: company.and_then(|c| c.legal_name.clone()),
        item: f.item.clone(),
        item_kind: f.item_kind,
        kind: m.kind,
        score: (m.score * 100.0).round() / 100.0,
        rule: m.rule,
        matched_name: m.matched_name.clone(),
        matched_via: m.matched_via,
        filing_no: f.fields.filing_no.clone(),
        record: record_of(snap, f),
        list: f.list.clone(),
        note: f.note.clone(),
        source: f.source.clone(),
        as_of: source.map_or_else(String::new, |s| s.as_of.clone()),
        location: f.location.clone(),
    }
}

/// `filing-check registry status`: what the registry holds.
#[derive(Clone, Debug, Serialize)]
pub struct StatusReport {
    pub loaded_from: String,
    pub schema_version: i64,
    pub as_of: Option<String>,
    pub regimes: Vec<RegimeStatus>,
    /// Each official list: how many of its rows the registry holds, which
    /// (sequence ranges, batches), whether all, and the regulator's total.
    pub lists: Vec<ListStatus>,
    pub sources: Vec<SourceStatus>,
    pub companies: usize,
    pub aliases: usize,
    /// Imported lists, oldest first.
    pub batches: Vec<crate::model::Batch>,
    /// The age of each regime's data, and whether it is stale.
    pub freshness: Vec<Freshness>,
    pub stale_after_days: u32,
    /// Filings a newer complete list no longer holds.
    pub absent_from_newer: usize,
    /// The name index lookups use: built at start-up, stored in the file,
    /// or absent (and why).
    pub name_index: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RegimeStatus {
    pub regime: Regime,
    pub title: String,
    pub issued: String,
    pub in_force: String,
    pub filings: usize,
    pub as_of: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListStatus {
    #[serde(flatten)]
    pub list: crate::model::OfficialList,
    /// Rows of the list the registry holds.
    pub rows: usize,
    /// Of them, cancelled.
    pub cancelled: usize,
    /// The sequence numbers (序号) held, for a list numbered from 1 across
    /// its attachments (not the deep-synthesis batches, each numbered
    /// from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numbering: Option<crate::coverage::Numbering>,
    /// `numbering` in words: `1–188, 869–988 of 988; missing 189–868`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numbers_held: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceStatus {
    #[serde(flatten)]
    pub source: Source,
    pub filings: usize,
}

impl StatusReport {
    pub fn new(reg: &Registry, today: Date, stale_after_days: u32) -> StatusReport {
        let snap = &reg.snapshot;
        let info = RegistryInfo::new(reg);
        StatusReport {
            loaded_from: info.loaded_from,
            schema_version: info.schema_version,
            as_of: info.as_of,
            regimes: Regime::ALL
                .iter()
                .map(|&r| {
                    let meta = snap.regimes.iter().find(|m| m.id == r);
                    RegimeStatus {
                        regime: r,
                        title: meta.map_or_else(String::new, |m| m.title.clone()),
                        issued: meta.map_or_else(String::new, |m| m.issued.clone()),
                        in_force: meta.map_or_else(String::new, |m| m.in_force.clone()),
                        filings: snap.count(r),
                        as_of: snap.regime_as_of(r).map(str::to_string),
                    }
                })
                .collect(),
            lists: snap
                .lists
                .iter()
                .map(|l| {
                    let rows = snap
                        .filings
                        .iter()
                        .filter(|f| f.list.as_deref() == Some(l.id.as_str()));
                    let mut seqs = Vec::new();
                    let (rows, cancelled) = rows.fold((0, 0), |(n, c), f| {
                        if let Some(s) = f.fields.seq.as_deref().and_then(|s| s.parse().ok()) {
                            seqs.push(s);
                        }
                        (n + 1, c + usize::from(f.status == FilingStatus::Cancelled))
                    });
                    let numbering = (l.kind != crate::model::ListKind::Algorithms)
                        .then(|| crate::coverage::Numbering::of(seqs))
                        .filter(|n| !n.is_empty());
                    ListStatus {
                        list: l.clone(),
                        rows,
                        cancelled,
                        numbers_held: numbering.as_ref().map(|n| n.describe()),
                        numbering,
                    }
                })
                .collect(),
            sources: info
                .sources
                .into_iter()
                .map(|s| SourceStatus {
                    filings: snap.filings.iter().filter(|f| f.source == s.id).count(),
                    source: s,
                })
                .collect(),
            companies: snap.companies.len(),
            aliases: snap.aliases.len(),
            batches: snap.batches.clone(),
            freshness: freshness(snap, today, stale_after_days),
            stale_after_days,
            absent_from_newer: snap
                .filings
                .iter()
                .filter(|f| f.status == FilingStatus::AbsentFromNewer)
                .count(),
            name_index: reg.name_index.to_string(),
        }
    }
}

/// One row of `filing-check registry list`.
#[derive(Clone, Debug, Serialize)]
pub struct ListedFiling {
    pub regime: Regime,
    pub company: String,
    pub company_listed: String,
    pub legal_name: Option<String>,
    pub item: String,
    pub item_listed: String,
    pub item_kind: ItemKind,
    pub filing_no: Option<String>,
    /// `listed`, `absent-from-newer` when a newer complete list lacks it, or
    /// `cancelled`.
    pub status: FilingStatus,
    /// 角色, 应用产品, 主要用途, 属地, 备案时间 and 备注, as the list gave them.
    pub role: Option<String>,
    pub product: Option<String>,
    pub purpose: Option<String>,
    pub region: Option<String>,
    pub filed_on: Option<String>,
    pub remark: Option<String>,
    pub source: String,
    pub as_of: String,
    pub location: String,
    pub note: Option<String>,
    /// For a secondary source's row (the seed's), the official filing
    /// number it describes.
    pub same_as: Option<String>,
}

impl ListedFiling {
    pub fn new(snap: &Snapshot, f: &crate::model::Filing) -> ListedFiling {
        let company = snap.company(f.company_id);
        let l = f.fields.clone();
        ListedFiling {
            regime: f.regime,
            company: company.map_or_else(|| f.company.clone(), |c| c.name.clone()),
            company_listed: l.company,
            legal_name: company.and_then(|c| c.legal_name.clone()),
            item: f.item.clone(),
            item_listed: l.item,
            item_kind: f.item_kind,
            filing_no: l.filing_no,
            status: f.status,
            role: l.role,
            product: l.product,
            purpose: l.purpose,
            region: l.region,
            filed_on: l.filed_on,
            remark: l.remark,
            source: f.source.clone(),
            as_of: snap
                .source(&f.source)
                .map_or_else(String::new, |s| s.as_of.clone()),
            location: f.location.clone(),
            note: f.note.clone(),
            same_as: f.same_as.clone(),
        }
    }
}
