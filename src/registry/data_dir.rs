//! Registry data read from a directory laid out like the repository's
//! `registry/` (the files compiled into the binary), for `registry init
//! --data`: a team that keeps its own lists, or a test that needs a registry
//! of known content, builds a registry file from them.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::data::{self, Data, DataFile, DataFiles};

/// The header of `lists.csv`, when a directory has none.
const NO_LISTS: &str = "id,regime,kind,scope,title,publisher,page,complete,as_of,held,announced_total,announced_as_of,announced_on,announced_source,note\n";
/// The header of `corroborations.csv`, when a directory has none.
const NO_CORROBORATIONS: &str = "filing_no,source,location,quote,note\n";

/// Reads and checks the data files of `dir`: `regimes.csv`, `sources.csv`,
/// `companies.csv`, `filings.csv` and `aliases.csv`, and where present
/// `lists.csv`, `corroborations.csv` and `lists/{sources,genai,
/// deep-synthesis,aliases}.csv`.
pub fn read(dir: &Path) -> anyhow::Result<Data> {
    let path = |name: &str| dir.join(name);
    let required = |name: &str| -> anyhow::Result<(String, String)> {
        let p = path(name);
        let text = std::fs::read_to_string(&p)
            .with_context(|| format!("cannot read registry data {}", p.display()))?;
        Ok((p.display().to_string(), text))
    };
    let optional = |name: &str| -> anyhow::Result<Option<(String, String)>> {
        let p: PathBuf = path(name);
        if !p.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&p)
            .with_context(|| format!("cannot read registry data {}", p.display()))?;
        Ok(Some((p.display().to_string(), text)))
    };
    let regimes = required("regimes.csv")?;
    let companies = required("companies.csv")?;
    let lists = optional("lists.csv")?;
    let corroborations = optional("corroborations.csv")?;
    let mut sources = vec![required("sources.csv")?];
    sources.extend(optional("lists/sources.csv")?);
    let mut filings = vec![required("filings.csv")?];
    filings.extend(optional("lists/genai.csv")?);
    filings.extend(optional("lists/deep-synthesis.csv")?);
    let mut aliases = vec![required("aliases.csv")?];
    aliases.extend(optional("lists/aliases.csv")?);
    let (sources, filings, aliases) = (borrow(&sources), borrow(&filings), borrow(&aliases));
    let files = DataFiles {
        regimes: &regimes.1,
        lists: lists.as_ref().map_or(NO_LISTS, |l| l.1.as_str()),
        sources: &sources,
        companies: &companies.1,
        filings: &filings,
        aliases: &aliases,
        corroborations: corroborations
            .as_ref()
            .map_or(NO_CORROBORATIONS, |c| c.1.as_str()),
    };
    data::parse(files).map_err(anyhow::Error::from)
}

fn borrow(files: &[(String, String)]) -> Vec<DataFile<'_>> {
    files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect()
}
