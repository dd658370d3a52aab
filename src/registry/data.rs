//! Parsing the registry's reviewable text form: the CSV files in `registry/`.
//!
//! The CSV files are the registry's source of truth (people review them in
//! pull requests); this module turns their text into the model's types (each
//! row deserialised as it is, see [`crate::model`]) and reports every
//! problem with the file name and line. It does no I/O: callers hand it the
//! text, whether compiled in or read from disk.

use std::collections::{HashMap, HashSet};

use serde::de::DeserializeOwned;

use crate::model::{
    Alias, AliasEntity, Company, CompanyId, Corroboration, Filing, FilingId, NewFiling,
    OfficialList, RegimeInfo, Snapshot, Source,
};

/// A problem in a registry data file, located by file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct DataError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// A data file: its path (in messages) and its text.
pub type DataFile<'a> = (&'a str, &'a str);

/// The texts of the registry's data files. Sources, filings and aliases
/// come in several files of one layout each (the hand-kept ones and those
/// `registry/tools/` writes from the official lists).
#[derive(Clone, Copy, Debug)]
pub struct DataFiles<'a> {
    pub regimes: &'a str,
    pub lists: &'a str,
    pub sources: &'a [DataFile<'a>],
    pub companies: &'a str,
    pub filings: &'a [DataFile<'a>],
    pub aliases: &'a [DataFile<'a>],
    /// `registry/corroborations.csv`: second sources for official filings.
    pub corroborations: &'a str,
}

/// All rows of the data files, checked for consistency. Companies have no
/// ids yet (they are given in [`Data::to_snapshot`], as a store gives them).
#[derive(Clone, Debug, Default)]
pub struct Data {
    pub regimes: Vec<RegimeInfo>,
    pub lists: Vec<OfficialList>,
    pub sources: Vec<Source>,
    pub companies: Vec<Company>,
    pub filings: Vec<NewFiling>,
    pub aliases: Vec<Alias>,
    pub corroborations: Vec<Corroboration>,
}

impl Data {
    /// The companies with the ids a store gives them, in insertion order:
    /// described ones first, then any a filing names that `companies.csv`
    /// does not describe.
    pub fn numbered_companies(&self) -> Vec<Company> {
        let mut out: Vec<Company> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let undescribed = self.filings.iter().map(|f| Company::named(&f.company));
        for c in self.companies.iter().cloned().chain(undescribed) {
            if seen.insert(c.name.clone()) {
                let id = CompanyId(out.len() as i64 + 1);
                out.push(Company { id, ..c });
            }
        }
        out
    }

    /// The snapshot a registry holding this data reads back, built directly:
    /// the embedded registry needs no database to be looked up (the store's
    /// own snapshot of the same data is tested to be equal).
    pub fn to_snapshot(&self) -> Snapshot {
        let mut snap = Snapshot::default();
        let mut regimes = self.regimes.clone();
        regimes.sort_by(|a, b| b.id.as_str().cmp(a.id.as_str()));
        snap.regimes = regimes;
        let mut lists = self.lists.clone();
        lists.sort_by(|a, b| a.id.cmp(&b.id));
        snap.lists = lists;
        let mut sources = self.sources.clone();
        sources.sort_by(|a, b| a.as_of.cmp(&b.as_of).then(a.id.cmp(&b.id)));
        snap.sources = sources;
        snap.companies = self.numbered_companies();
        let ids: HashMap<&str, CompanyId> = snap
            .companies
            .iter()
            .map(|c| (c.name.as_str(), c.id))
            .collect();
        snap.filings = self
            .filings
            .iter()
            .enumerate()
            .map(|(i, f)| Filing {
                id: FilingId(i as i64 + 1),
                company_id: ids[f.company.as_str()],
                entry: f.clone(),
            })
            .collect();
        let mut seen = HashSet::new();
        for a in &self.aliases {
            if seen.insert((a.entity, a.name.clone(), a.alias.clone())) {
                snap.aliases.push(a.clone());
            }
        }
        snap.corroborations = self.corroborations.clone();
        snap
    }
}

/// Reads every record of a CSV text into `T`, with the line each starts on.
fn records<T: DeserializeOwned>(file: &str, text: &str) -> Result<Vec<(u64, T)>, DataError> {
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

/// Parses and cross-checks the data files.
///
/// Checks: every field of the right type; every required cell filled; every
/// filing cites a known source and a location; every alias names a known
/// company or item and cites a source; no company is described twice, and
/// none states a fact without a source.
pub fn parse(files: DataFiles<'_>) -> Result<Data, DataError> {
    let mut data = Data::default();
    let fail = |file: &str, line: u64, message: String| DataError {
        file: file.to_string(),
        line,
        message,
    };
    let required = |file: &str, line: u64, cells: &[(&str, &str)]| match cells
        .iter()
        .find(|(_, v)| v.is_empty())
    {
        Some((column, _)) => Err(fail(file, line, format!("column {column:?} is empty"))),
        None => Ok(()),
    };

    const SOURCES: &str = "registry/sources.csv";
    let mut source_seen = HashSet::new();
    for &(file, text) in files.sources {
        for (line, s) in records::<Source>(file, text)? {
            required(
                file,
                line,
                &[
                    ("id", &s.id),
                    ("title", &s.title),
                    ("publisher", &s.publisher),
                    ("as_of", &s.as_of),
                ],
            )?;
            if !source_seen.insert(s.id.clone()) {
                return Err(fail(
                    file,
                    line,
                    format!("source {:?} is described twice", s.id),
                ));
            }
            data.sources.push(s);
        }
    }
    let source_ids: HashSet<&str> = data.sources.iter().map(|s| s.id.as_str()).collect();
    let check_source = |file: &str, line: u64, id: &str| -> Result<(), DataError> {
        if source_ids.contains(id) {
            Ok(())
        } else {
            Err(fail(
                file,
                line,
                format!("unknown source {id:?} (not in {SOURCES})"),
            ))
        }
    };

    const REGIMES: &str = "registry/regimes.csv";
    for (line, r) in records::<RegimeInfo>(REGIMES, files.regimes)? {
        required(
            REGIMES,
            line,
            &[
                ("title", &r.title),
                ("title_en", &r.title_en),
                ("issued", &r.issued),
                ("in_force", &r.in_force),
                ("defines", &r.defines),
                ("applies_to", &r.applies_to),
                ("filing_number_label", &r.filing_number_label),
                ("source", &r.source_id),
            ],
        )?;
        check_source(REGIMES, line, &r.source_id)?;
        data.regimes.push(r);
    }

    const LISTS: &str = "registry/lists.csv";
    for (line, l) in records::<OfficialList>(LISTS, files.lists)? {
        required(
            LISTS,
            line,
            &[("id", &l.id), ("title", &l.title), ("as_of", &l.as_of)],
        )?;
        if crate::date::Date::parse_as_of(&l.as_of).is_none() {
            return Err(fail(
                LISTS,
                line,
                format!("as_of {:?} is not a date", l.as_of),
            ));
        }
        data.lists.push(l);
    }
    let list_ids: HashSet<String> = data.lists.iter().map(|l| l.id.clone()).collect();

    const COMPANIES: &str = "registry/companies.csv";
    let mut seen = HashSet::new();
    for (line, c) in records::<Company>(COMPANIES, files.companies)? {
        required(COMPANIES, line, &[("company", &c.name)])?;
        if !seen.insert(c.name.clone()) {
            return Err(fail(
                COMPANIES,
                line,
                format!("company {:?} is described twice", c.name),
            ));
        }
        let has_fact = c.legal_name.is_some() || c.english_name.is_some() || c.group_name.is_some();
        if has_fact && c.source.is_none() {
            return Err(fail(
                COMPANIES,
                line,
                format!("company {:?} states facts but cites no source", c.name),
            ));
        }
        data.companies.push(c);
    }

    for &(file, text) in files.filings {
        for (line, f) in records::<NewFiling>(file, text)? {
            check_source(file, line, &f.source)?;
            if let Some(s) = &f.status_source {
                check_source(file, line, s)?;
            }
            if let Some(l) = f.list.as_deref().filter(|l| !list_ids.contains(*l)) {
                return Err(fail(
                    file,
                    line,
                    format!("unknown list {l:?} (not in {LISTS})"),
                ));
            }
            data.filings.push(f);
        }
    }

    let company_names: HashSet<&str> = data
        .companies
        .iter()
        .map(|c| c.name.as_str())
        .chain(data.filings.iter().map(|f| f.company.as_str()))
        .collect();
    let item_names: HashSet<&str> = data.filings.iter().map(|f| f.item.as_str()).collect();
    let group_names: HashSet<&str> = data
        .companies
        .iter()
        .filter_map(|c| c.group_name.as_deref())
        .collect();
    let mut aliases = Vec::new();
    for &(file, text) in files.aliases {
        for (line, a) in records::<Alias>(file, text)? {
            required(
                file,
                line,
                &[
                    ("name", &a.name),
                    ("alias", &a.alias),
                    ("source", &a.source),
                ],
            )?;
            let known = match a.entity {
                AliasEntity::Company => company_names.contains(a.name.as_str()),
                AliasEntity::Item => item_names.contains(a.name.as_str()),
                AliasEntity::Group => group_names.contains(a.name.as_str()),
            };
            if !known {
                return Err(fail(
                    file,
                    line,
                    format!(
                        "{} {:?} is not in the registry (an alias must name a listed {0})",
                        a.entity, a.name
                    ),
                ));
            }
            aliases.push(a);
        }
    }
    data.aliases = aliases;

    const CORROBORATIONS: &str = "registry/corroborations.csv";
    let numbers: HashSet<String> = data
        .filings
        .iter()
        .filter_map(|f| f.filing_no())
        .filter_map(|n| crate::filing_no::parse(n).ok())
        .map(|n| n.key())
        .collect();
    for (line, c) in records::<Corroboration>(CORROBORATIONS, files.corroborations)? {
        required(
            CORROBORATIONS,
            line,
            &[("filing_no", &c.filing_no), ("location", &c.location)],
        )?;
        check_source(CORROBORATIONS, line, &c.source)?;
        let known = crate::filing_no::parse(&c.filing_no)
            .map_err(|e| fail(CORROBORATIONS, line, format!("filing_no: {e}")))?;
        // (A parse of the tables without the filings, for one lookup on the
        // embedded registry, has nothing to check them against; the whole
        // data are checked when built and tested.)
        if !data.filings.is_empty() && !numbers.contains(&known.key()) {
            return Err(fail(
                CORROBORATIONS,
                line,
                format!("{:?} is no filing's number in the registry", c.filing_no),
            ));
        }
        data.corroborations.push(c);
    }
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

    const LISTS: &str = "id,regime,kind,scope,title,publisher,page,complete,as_of,held,announced_total,announced_as_of,announced_on,announced_source,note\n";

    fn parse_with(filings: &str, aliases: &str) -> Result<Data, DataError> {
        parse(DataFiles {
            regimes: REGIMES,
            lists: LISTS,
            sources: &[("registry/sources.csv", SOURCES)],
            companies: COMPANIES,
            filings: &[("registry/filings.csv", filings)],
            aliases: &[("registry/aliases.csv", aliases)],
            corroborations: "filing_no,source,location,quote,note\n",
        })
    }

    #[test]
    fn a_filing_row_parses() {
        let filings = format!(
            "{FILINGS_HEAD}genai,智谱AI,智谱AI,GLM大模型,GLM大模型,model,,,,,,,listed,s1,line 3,\n"
        );
        let data = parse_with(&filings, ALIASES).unwrap();
        assert_eq!(data.filings.len(), 1);
        assert_eq!(data.filings[0].regime, crate::model::Regime::Genai);
        assert_eq!(data.filings[0].filing_no(), None);
    }

    #[test]
    fn an_unknown_regime_names_file_and_line() {
        let filings = format!("{FILINGS_HEAD}genai,a,a,b,b,model,,,,,,,listed,s1,x,\nllm,a,a,b,b,model,,,,,,,listed,s1,x,\n");
        let err = parse_with(&filings, ALIASES).unwrap_err();
        assert_eq!(err.file, "registry/filings.csv");
        assert_eq!(err.line, 3);
        assert!(err.message.contains("unknown regime \"llm\""), "{err}");
    }

    #[test]
    fn a_filing_must_cite_a_known_source() {
        let filings = format!("{FILINGS_HEAD}genai,a,a,b,b,model,,,,,,,listed,nowhere,x,\n");
        let err = parse_with(&filings, ALIASES).unwrap_err();
        assert!(err.message.contains("unknown source \"nowhere\""), "{err}");
    }

    #[test]
    fn an_alias_must_name_a_listed_entity() {
        let filings = format!("{FILINGS_HEAD}genai,a,a,b,b,model,,,,,,,listed,s1,x,\n");
        let aliases = format!("{ALIASES}company,zz,Z,brand,http://x,\n");
        let err = parse_with(&filings, &aliases).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("\"zz\" is not in the registry"),
            "{err}"
        );
    }

    #[test]
    fn a_ragged_row_is_an_error() {
        let filings = format!("{FILINGS_HEAD}genai,a,a\n");
        let err = parse_with(&filings, ALIASES).unwrap_err();
        assert_eq!(err.line, 2);
    }
}
