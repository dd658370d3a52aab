//! Parsing the registry's reviewable text form: the CSV files in `registry/`.
//!
//! The CSV files are the registry's source of truth (people review them in
//! pull requests); this module turns their text into typed rows and reports
//! every problem with the file name and line. It does no I/O: callers hand it
//! the text, whether compiled in or read from disk.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::model::{
    Alias, AliasEntity, AliasKind, Company, Completeness, Filing, ItemKind, Regime, RegimeInfo,
    Snapshot, Source,
};

/// A problem in a registry data file, located by file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct DataError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// The texts of the registry's data files.
#[derive(Clone, Copy, Debug)]
pub struct DataFiles<'a> {
    pub regimes: &'a str,
    pub sources: &'a str,
    pub companies: &'a str,
    pub filings: &'a str,
    pub aliases: &'a str,
}

/// A company row of `companies.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyRow {
    pub name: String,
    pub legal_name: Option<String>,
    pub english_name: Option<String>,
    pub group_name: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// A filing row of `filings.csv`; `company` is the company's registry name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilingRow {
    pub regime: Regime,
    pub company: String,
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
    pub status: String,
    pub source: String,
    pub location: String,
    pub note: Option<String>,
}

/// All rows of the data files, checked for consistency.
#[derive(Clone, Debug, Default)]
pub struct Data {
    pub regimes: Vec<RegimeInfo>,
    pub sources: Vec<Source>,
    pub companies: Vec<CompanyRow>,
    pub filings: Vec<FilingRow>,
    pub aliases: Vec<Alias>,
}

impl Data {
    /// The snapshot a registry holding this data reads back, built directly:
    /// the embedded registry needs no database to be looked up (the store's
    /// own snapshot of the same data is tested to be equal).
    pub fn to_snapshot(&self) -> Snapshot {
        let mut snap = Snapshot::default();
        let mut regimes = self.regimes.clone();
        regimes.sort_by(|a, b| b.id.as_str().cmp(a.id.as_str()));
        snap.regimes = regimes;
        let mut sources = self.sources.clone();
        sources.sort_by(|a, b| a.as_of.cmp(&b.as_of).then(a.id.cmp(&b.id)));
        snap.sources = sources;
        // Companies get ids in insertion order, as the store gives them:
        // described ones first, then any a filing names.
        let mut ids: HashMap<String, i64> = HashMap::new();
        let described = self.companies.iter().map(|c| Company {
            id: 0,
            name: c.name.clone(),
            legal_name: c.legal_name.clone(),
            english_name: c.english_name.clone(),
            group_name: c.group_name.clone(),
            source: c.source.clone(),
            note: c.note.clone(),
        });
        let undescribed = self.filings.iter().map(|f| Company {
            id: 0,
            name: f.company.clone(),
            legal_name: None,
            english_name: None,
            group_name: None,
            source: None,
            note: None,
        });
        for c in described.chain(undescribed) {
            if ids.contains_key(&c.name) {
                continue;
            }
            let id = snap.companies.len() as i64 + 1;
            ids.insert(c.name.clone(), id);
            snap.companies.push(Company { id, ..c });
        }
        for (i, f) in self.filings.iter().enumerate() {
            snap.filings.push(Filing {
                id: i as i64 + 1,
                regime: f.regime,
                company_id: ids[f.company.as_str()],
                company_listed: f.company_listed.clone(),
                item: f.item.clone(),
                item_listed: f.item_listed.clone(),
                item_kind: f.item_kind,
                filing_no: f.filing_no.clone(),
                role: f.role.clone(),
                product: f.product.clone(),
                region: f.region.clone(),
                filed_on: f.filed_on.clone(),
                batch: f.batch.clone(),
                source_id: f.source.clone(),
                location: f.location.clone(),
                status: f.status.clone(),
                note: f.note.clone(),
                purpose: None,
                remark: None,
            });
        }
        let mut seen = HashSet::new();
        for a in &self.aliases {
            if seen.insert((a.entity, a.name.clone(), a.alias.clone())) {
                snap.aliases.push(a.clone());
            }
        }
        snap
    }
}

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn required(file: &str, line: u64, column: &str, value: String) -> Result<String, DataError> {
    opt(value).ok_or_else(|| DataError {
        file: file.to_string(),
        line,
        message: format!("column {column:?} is empty"),
    })
}

/// Reads every record of a CSV text into `T`, with the line each starts on.
fn records<T: for<'de> Deserialize<'de>>(
    file: &str,
    text: &str,
) -> Result<Vec<(u64, T)>, DataError> {
    let located = |line: u64, message: String| DataError {
        file: file.to_string(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| located(1, csv_error_message(&e)))?
        .clone();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            located(line, csv_error_message(&e))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let row = record
            .deserialize::<T>(Some(&headers))
            .map_err(|e| located(line, csv_error_message(&e)))?;
        out.push((line, row));
    }
    Ok(out)
}

fn csv_error_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields, found {len}"),
        _ => e.to_string(),
    }
}

fn parse_enum<T: std::str::FromStr<Err = crate::model::UnknownValue>>(
    file: &str,
    line: u64,
    value: &str,
) -> Result<T, DataError> {
    value.trim().parse::<T>().map_err(|e| DataError {
        file: file.to_string(),
        line,
        message: e.to_string(),
    })
}

#[derive(Deserialize)]
struct RegimeRecord {
    id: String,
    title: String,
    title_en: String,
    issued: String,
    in_force: String,
    defines: String,
    applies_to: String,
    filing_number_label: String,
    source: String,
    note: String,
}

#[derive(Deserialize)]
struct SourceRecord {
    id: String,
    title: String,
    publisher: String,
    published: String,
    as_of: String,
    location: String,
    completeness: String,
    url: String,
    note: String,
}

#[derive(Deserialize)]
struct CompanyRecord {
    company: String,
    legal_name: String,
    english_name: String,
    group: String,
    source: String,
    note: String,
}

#[derive(Deserialize)]
struct FilingRecord {
    regime: String,
    company: String,
    company_listed: String,
    item: String,
    item_listed: String,
    item_kind: String,
    filing_no: String,
    role: String,
    product: String,
    region: String,
    filed_on: String,
    batch: String,
    status: String,
    source: String,
    location: String,
    note: String,
}

#[derive(Deserialize)]
struct AliasRecord {
    entity: String,
    name: String,
    alias: String,
    kind: String,
    source: String,
    note: String,
}

/// Parses and cross-checks the data files.
///
/// Checks: every field of the right type; every filing cites a known source
/// and a location; every alias names a known company or item and cites a
/// source; no company is described twice.
pub fn parse(files: DataFiles<'_>) -> Result<Data, DataError> {
    let mut data = Data::default();

    const SOURCES: &str = "registry/sources.csv";
    for (line, r) in records::<SourceRecord>(SOURCES, files.sources)? {
        data.sources.push(Source {
            id: required(SOURCES, line, "id", r.id)?,
            title: required(SOURCES, line, "title", r.title)?,
            publisher: required(SOURCES, line, "publisher", r.publisher)?,
            published: opt(r.published),
            as_of: required(SOURCES, line, "as_of", r.as_of)?,
            location: opt(r.location),
            completeness: parse_enum::<Completeness>(SOURCES, line, &r.completeness)?,
            url: opt(r.url),
            sha256: None,
            note: opt(r.note),
        });
    }
    let source_ids: HashSet<&str> = data.sources.iter().map(|s| s.id.as_str()).collect();
    let check_source = |file: &str, line: u64, id: &str| -> Result<(), DataError> {
        if source_ids.contains(id) {
            Ok(())
        } else {
            Err(DataError {
                file: file.to_string(),
                line,
                message: format!("unknown source {id:?} (not in {SOURCES})"),
            })
        }
    };

    const REGIMES: &str = "registry/regimes.csv";
    for (line, r) in records::<RegimeRecord>(REGIMES, files.regimes)? {
        let source_id = required(REGIMES, line, "source", r.source)?;
        check_source(REGIMES, line, &source_id)?;
        data.regimes.push(RegimeInfo {
            id: parse_enum::<Regime>(REGIMES, line, &r.id)?,
            title: required(REGIMES, line, "title", r.title)?,
            title_en: required(REGIMES, line, "title_en", r.title_en)?,
            issued: required(REGIMES, line, "issued", r.issued)?,
            in_force: required(REGIMES, line, "in_force", r.in_force)?,
            defines: required(REGIMES, line, "defines", r.defines)?,
            applies_to: required(REGIMES, line, "applies_to", r.applies_to)?,
            filing_number_label: required(
                REGIMES,
                line,
                "filing_number_label",
                r.filing_number_label,
            )?,
            source_id,
            note: opt(r.note),
        });
    }

    const COMPANIES: &str = "registry/companies.csv";
    let mut seen = HashSet::new();
    for (line, r) in records::<CompanyRecord>(COMPANIES, files.companies)? {
        let name = required(COMPANIES, line, "company", r.company)?;
        if !seen.insert(name.clone()) {
            return Err(DataError {
                file: COMPANIES.into(),
                line,
                message: format!("company {name:?} is described twice"),
            });
        }
        let row = CompanyRow {
            name,
            legal_name: opt(r.legal_name),
            english_name: opt(r.english_name),
            group_name: opt(r.group),
            source: opt(r.source),
            note: opt(r.note),
        };
        let has_fact =
            row.legal_name.is_some() || row.english_name.is_some() || row.group_name.is_some();
        if has_fact && row.source.is_none() {
            return Err(DataError {
                file: COMPANIES.into(),
                line,
                message: format!("company {:?} states facts but cites no source", row.name),
            });
        }
        data.companies.push(row);
    }

    const FILINGS: &str = "registry/filings.csv";
    for (line, r) in records::<FilingRecord>(FILINGS, files.filings)? {
        let source = required(FILINGS, line, "source", r.source)?;
        check_source(FILINGS, line, &source)?;
        data.filings.push(FilingRow {
            regime: parse_enum::<Regime>(FILINGS, line, &r.regime)?,
            company: required(FILINGS, line, "company", r.company)?,
            company_listed: r.company_listed.trim().to_string(),
            item: required(FILINGS, line, "item", r.item)?,
            item_listed: required(FILINGS, line, "item_listed", r.item_listed)?,
            item_kind: parse_enum::<ItemKind>(FILINGS, line, &r.item_kind)?,
            filing_no: opt(r.filing_no),
            role: opt(r.role),
            product: opt(r.product),
            region: opt(r.region),
            filed_on: opt(r.filed_on),
            batch: opt(r.batch),
            status: opt(r.status).unwrap_or_else(|| "listed".to_string()),
            source,
            location: required(FILINGS, line, "location", r.location)?,
            note: opt(r.note),
        });
    }

    const ALIASES: &str = "registry/aliases.csv";
    let company_names: HashSet<&str> = data
        .companies
        .iter()
        .map(|c| c.name.as_str())
        .chain(data.filings.iter().map(|f| f.company.as_str()))
        .collect();
    let item_names: HashSet<&str> = data.filings.iter().map(|f| f.item.as_str()).collect();
    let mut aliases = Vec::new();
    for (line, r) in records::<AliasRecord>(ALIASES, files.aliases)? {
        let entity = parse_enum::<AliasEntity>(ALIASES, line, &r.entity)?;
        let name = required(ALIASES, line, "name", r.name)?;
        let known = match entity {
            AliasEntity::Company => company_names.contains(name.as_str()),
            AliasEntity::Item => item_names.contains(name.as_str()),
        };
        if !known {
            return Err(DataError {
                file: ALIASES.into(),
                line,
                message: format!(
                    "{} {name:?} is not in the registry (an alias must name a listed {0})",
                    match entity {
                        AliasEntity::Company => "company",
                        AliasEntity::Item => "item",
                    }
                ),
            });
        }
        aliases.push(Alias {
            entity,
            name,
            alias: required(ALIASES, line, "alias", r.alias)?,
            kind: parse_enum::<AliasKind>(ALIASES, line, &r.kind)?,
            source: required(ALIASES, line, "source", r.source)?,
            note: opt(r.note),
        });
    }
    data.aliases = aliases;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCES: &str = "id,title,publisher,published,as_of,location,completeness,url,note\n\
        s1,T,P,2024-04,2024-04,,partial,,\n";
    const REGIMES: &str =
        "id,title,title_en,issued,in_force,defines,applies_to,filing_number_label,source,note\n";
    const COMPANIES: &str = "company,legal_name,english_name,group,source,note\n";
    const ALIASES: &str = "entity,name,alias,kind,source,note\n";
    const FILINGS_HEAD: &str = "regime,company,company_listed,item,item_listed,item_kind,filing_no,role,product,region,filed_on,batch,status,source,location,note\n";

    fn files<'a>(filings: &'a str, aliases: &'a str) -> DataFiles<'a> {
        DataFiles {
            regimes: REGIMES,
            sources: SOURCES,
            companies: COMPANIES,
            filings,
            aliases,
        }
    }

    #[test]
    fn a_filing_row_parses() {
        let filings = format!(
            "{FILINGS_HEAD}genai,智谱AI,智谱AI,GLM大模型,GLM大模型,model,,,,,,,listed,s1,line 3,\n"
        );
        let data = parse(files(&filings, ALIASES)).unwrap();
        assert_eq!(data.filings.len(), 1);
        assert_eq!(data.filings[0].regime, Regime::Genai);
        assert_eq!(data.filings[0].filing_no, None);
    }

    #[test]
    fn an_unknown_regime_names_file_and_line() {
        let filings = format!("{FILINGS_HEAD}genai,a,a,b,b,model,,,,,,,listed,s1,x,\nllm,a,a,b,b,model,,,,,,,listed,s1,x,\n");
        let err = parse(files(&filings, ALIASES)).unwrap_err();
        assert_eq!(err.file, "registry/filings.csv");
        assert_eq!(err.line, 3);
        assert!(err.message.contains("unknown regime \"llm\""), "{err}");
    }

    #[test]
    fn a_filing_must_cite_a_known_source() {
        let filings = format!("{FILINGS_HEAD}genai,a,a,b,b,model,,,,,,,listed,nowhere,x,\n");
        let err = parse(files(&filings, ALIASES)).unwrap_err();
        assert!(err.message.contains("unknown source \"nowhere\""), "{err}");
    }

    #[test]
    fn an_alias_must_name_a_listed_entity() {
        let filings = format!("{FILINGS_HEAD}genai,a,a,b,b,model,,,,,,,listed,s1,x,\n");
        let aliases = format!("{ALIASES}company,zz,Z,brand,http://x,\n");
        let err = parse(files(&filings, &aliases)).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("\"zz\" is not in the registry"),
            "{err}"
        );
    }

    #[test]
    fn a_ragged_row_is_an_error() {
        let filings = format!("{FILINGS_HEAD}genai,a,a\n");
        let err = parse(files(&filings, ALIASES)).unwrap_err();
        assert_eq!(err.line, 2);
    }
}
