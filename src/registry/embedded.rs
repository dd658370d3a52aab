//! The registry data compiled into the binary, so that a lookup works on a
//! fresh machine with no file beside the executable.

use super::data::{self, Data, DataError, DataFiles};
use super::store::{Store, StoreError};
use crate::matcher::{input_digest, NameIndex};
use crate::model::{Company, CompanyId, Filing, FilingId, NewFiling, Regime, Snapshot};

/// The texts of `registry/*.csv` as they were at build time.
pub const FILES: DataFiles<'static> = DataFiles {
    regimes: include_str!("../../registry/regimes.csv"),
    lists: include_str!("../../registry/lists.csv"),
    sources: &[
        (
            "registry/sources.csv",
            include_str!("../../registry/sources.csv"),
        ),
        (
            "registry/lists/sources.csv",
            include_str!("../../registry/lists/sources.csv"),
        ),
    ],
    companies: include_str!("../../registry/companies.csv"),
    filings: &[
        (
            "registry/filings.csv",
            include_str!("../../registry/filings.csv"),
        ),
        (
            "registry/lists/genai.csv",
            include_str!("../../registry/lists/genai.csv"),
        ),
        (
            "registry/lists/deep-synthesis.csv",
            include_str!("../../registry/lists/deep-synthesis.csv"),
        ),
    ],
    aliases: &[
        (
            "registry/aliases.csv",
            include_str!("../../registry/aliases.csv"),
        ),
        (
            "registry/lists/aliases.csv",
            include_str!("../../registry/lists/aliases.csv"),
        ),
    ],
    corroborations: include_str!("../../registry/corroborations.csv"),
};

/// The embedded data, parsed and checked.
pub fn data() -> Result<Data, data::DataError> {
    data::parse(FILES)
}

/// The name index of the embedded data and where each filing's row is, so
/// that a lookup neither normalises every name nor parses every row: it
/// searches the index in place and parses only the rows its answers name.
///
/// `registry/name-index.bin` is a digest of the data it describes (8 bytes),
/// the index's length (8), the index ([`NameIndex::as_bytes`]), the
/// (regime, source) pairs the filings cite (a count (4), then each as the
/// regime's place in [`Regime::ALL`] (1), the id's length (2) and the id),
/// then for each filing, in the order of the data, the file it is in (1
/// byte: its place in [`FILES`]`.filings`) and the byte offset of its row
/// (4). It is
/// derived data: the test `the_compiled_in_index_is_the_index_of_the_embedded_data`
/// fails when it is not the index of the files above, and says how to write
/// it again; a binary built with a stale file ignores it and reads
/// everything.
const INDEX_FILE: &[u8] = include_bytes!("../../registry/name-index.bin");

/// The digest of everything the embedded index depends on, as `build.rs`
/// computed it from the same files: no start reads the data to compare.
pub fn index_inputs_digest() -> u64 {
    env!("FILING_CHECK_DATA_DIGEST").parse().unwrap_or(0)
}

/// The same digest, computed from the compiled-in texts (what `build.rs`
/// must agree with, and what a rewritten `name-index.bin` carries).
pub fn computed_inputs_digest() -> u64 {
    let mut parts = vec![
        FILES.regimes,
        FILES.lists,
        FILES.companies,
        FILES.corroborations,
    ];
    for set in [FILES.sources, FILES.filings, FILES.aliases] {
        parts.extend(set.iter().map(|(_, text)| *text));
    }
    parts.push(crate::filing_no::REGIONS_CSV);
    parts.push(crate::matcher::index::BUILDER_VERSION);
    input_digest(&parts)
}

/// The parts of `INDEX_FILE`, when it is the index of the compiled-in data.
struct Compiled {
    index: &'static [u8],
    pairs: Vec<(Regime, String)>,
    rows: &'static [u8],
}

fn compiled() -> Option<Compiled> {
    let (digest, rest) = INDEX_FILE.split_at_checked(8)?;
    if u64::from_le_bytes(digest.try_into().ok()?) != index_inputs_digest() {
        return None;
    }
    let (len, rest) = rest.split_at_checked(8)?;
    let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
    let (index, rest) = rest.split_at_checked(len)?;
    let (count, mut rest) = rest.split_at_checked(4)?;
    let mut pairs = Vec::new();
    for _ in 0..u32::from_le_bytes(count.try_into().ok()?) {
        let (head, tail) = rest.split_at_checked(3)?;
        let regime = *Regime::ALL.get(usize::from(head[0]))?;
        let (id, tail) =
            tail.split_at_checked(usize::from(u16::from_le_bytes([head[1], head[2]])))?;
        pairs.push((regime, std::str::from_utf8(id).ok()?.to_string()));
        rest = tail;
    }
    Some(Compiled {
        index,
        pairs,
        rows: rest,
    })
}

/// The compiled-in index, if it is the index of the compiled-in data and
/// this build reads it (else the index is built at start-up). `whole`:
/// decode its strings at once, for a command that matches many names.
pub fn index(whole: bool) -> Option<NameIndex> {
    NameIndex::from_static(compiled()?.index, whole).ok()
}

/// Where the filing at position `pos` (its id − 1) is: its file and the
/// byte offset of its row.
fn row_of(rows: &[u8], pos: usize) -> Option<(usize, usize)> {
    let r = rows.get(pos * 5..pos * 5 + 5)?;
    Some((
        usize::from(r[0]),
        u32::from_le_bytes([r[1], r[2], r[3], r[4]]) as usize,
    ))
}

/// A reader of one compiled-in filings file, with its header row.
type FileReader = (
    csv::Reader<std::io::Cursor<&'static [u8]>>,
    csv::StringRecord,
);

/// Reads rows of the filings files where the index says they are: one
/// reader per file, moved to each row.
struct Rows {
    readers: Vec<Option<FileReader>>,
}

impl Rows {
    fn new() -> Rows {
        Rows {
            readers: FILES.filings.iter().map(|_| None).collect(),
        }
    }

    /// The filing of the row at `offset` of file `file`.
    fn filing(&mut self, file: usize, offset: usize) -> Option<NewFiling> {
        let slot = self.readers.get_mut(file)?;
        if slot.is_none() {
            let text = FILES.filings[file].1;
            let mut reader = csv::Reader::from_reader(std::io::Cursor::new(text.as_bytes()));
            let header = reader.headers().ok()?.clone();
            *slot = Some((reader, header));
        }
        let (reader, header) = slot.as_mut()?;
        let mut at = csv::Position::new();
        at.set_byte(offset as u64);
        reader.seek(at).ok()?;
        let mut record = csv::StringRecord::new();
        reader.read_record(&mut record).ok()?.then_some(())?;
        record.deserialize(Some(header)).ok()
    }
}

/// The snapshot of the embedded registry a lookup reports from: the small
/// tables whole, and the filings of `ids` with their companies (named as
/// the index names them, described as `companies.csv` describes them).
/// `None` when the compiled-in index is stale: read everything instead.
pub fn partial_snapshot(
    index: &NameIndex,
    ids: &[FilingId],
) -> Option<Result<Snapshot, DataError>> {
    let compiled = compiled()?;
    let mut snap = Snapshot::default();
    let small = DataFiles {
        filings: &[],
        aliases: &[],
        ..FILES
    };
    let data = match data::parse(small) {
        Ok(d) => d,
        Err(e) => return Some(Err(e)),
    };
    let described = data.companies.clone();
    let meta = data.to_snapshot();
    snap.regimes = meta.regimes;
    snap.lists = meta.lists;
    snap.sources = meta.sources;
    snap.corroborations = meta.corroborations;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut rows = Rows::new();
    for id in ids {
        let pos = usize::try_from(id.0 - 1).ok()?;
        let (file, offset) = row_of(compiled.rows, pos)?;
        let (indexed, company, _, _) = index.filing_at(pos);
        if indexed != id {
            return None;
        }
        let entry = rows.filing(file, offset)?;
        snap.filings.push(Filing {
            id,
            company_id: company,
            entry,
        });
    }
    let mut companies: Vec<CompanyId> = snap.filings.iter().map(|f| f.company_id).collect();
    companies.sort_unstable();
    companies.dedup();
    for id in companies {
        let company = match usize::try_from(id.0 - 1)
            .ok()
            .and_then(|i| described.get(i))
        {
            Some(c) => Company { id, ..c.clone() },
            None => Company {
                id,
                ..Company::named(index.company_name(id)?)
            },
        };
        snap.companies.push(company);
    }
    // The as-of dates stay those of every filing's source.
    snap.partial = Some(compiled.pairs);
    Some(Ok(snap))
}

#[cfg(test)]
/// The (regime, source) pairs of every embedded filing, from the files'
/// `regime` and `source` columns (what a partial snapshot's dates need).
fn regime_sources() -> Vec<(Regime, String)> {
    let mut pairs: Vec<(Regime, String)> = Vec::new();
    for &(_, text) in FILES.filings {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let Ok(header) = reader.headers().cloned() else {
            continue;
        };
        let (Some(r), Some(s)) = (
            header.iter().position(|h| h == "regime"),
            header.iter().position(|h| h == "source"),
        ) else {
            continue;
        };
        for record in reader.records().flatten() {
            let (Some(Ok(regime)), Some(source)) =
                (record.get(r).map(str::parse::<Regime>), record.get(s))
            else {
                continue;
            };
            if !pairs.iter().any(|(rr, ss)| *rr == regime && ss == source) {
                pairs.push((regime, source.to_string()));
            }
        }
    }
    pairs.sort();
    pairs
}

/// The embedded registry as an in-memory SQLite store.
pub fn store() -> Result<Store, StoreError> {
    let data = data().map_err(|e| StoreError::Invalid {
        origin: super::Origin::Embedded,
        message: e.to_string(),
    })?;
    Store::in_memory(&data)
}

#[cfg(test)]
/// `registry/name-index.bin` for the compiled-in data, as
/// [`INDEX_FILE`] describes it.
fn index_file(data: &Data) -> Vec<u8> {
    let built = NameIndex::build(&data.to_snapshot());
    let mut out = computed_inputs_digest().to_le_bytes().to_vec();
    out.extend_from_slice(&(built.as_bytes().len() as u64).to_le_bytes());
    out.extend_from_slice(built.as_bytes());
    let pairs = regime_sources();
    out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
    for (regime, id) in &pairs {
        out.push(Regime::ALL.iter().position(|r| r == regime).unwrap_or(0) as u8);
        out.extend_from_slice(&(id.len() as u16).to_le_bytes());
        out.extend_from_slice(id.as_bytes());
    }
    for (file, &(_, text)) in FILES.filings.iter().enumerate() {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records() {
            let offset = record
                .expect("the embedded data parse")
                .position()
                .expect("a record has a position")
                .byte();
            out.push(file as u8);
            out.extend_from_slice(&(offset as u32).to_le_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set to write `registry/name-index.bin` when it is stale.
    const UPDATE: &str = "UPDATE_EMBEDDED_INDEX";

    #[test]
    fn the_build_digest_is_the_digest_of_the_embedded_data() {
        assert_ne!(index_inputs_digest(), 0);
        assert_eq!(index_inputs_digest(), computed_inputs_digest());
    }

    #[test]
    fn the_compiled_in_index_is_the_index_of_the_embedded_data() {
        let data = data().unwrap();
        let want = index_file(&data);
        if INDEX_FILE == want.as_slice() {
            let built = NameIndex::build(&data.to_snapshot());
            assert_eq!(index(false).as_ref(), Some(&built));
            // Read back unchecked at run time, it passes every check too.
            assert!(NameIndex::from_bytes(built.as_bytes().to_vec()).is_ok());
            // And every row it points at is the filing of that position.
            let snap = data.to_snapshot();
            let ids: Vec<FilingId> = snap.filings.iter().map(|f| f.id).collect();
            let partial = partial_snapshot(&built, &ids).unwrap().unwrap();
            assert_eq!(partial.filings, snap.filings);
            return;
        }
        if std::env::var_os(UPDATE).is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/registry/name-index.bin");
            std::fs::write(path, &want).unwrap();
            eprintln!("wrote {path}; build again to compile it in");
            return;
        }
        panic!(
            "registry/name-index.bin is not the index of the embedded data (the data, the \
             normaliser or the index format changed); write it again with \
             `{UPDATE}=1 cargo test --lib compiled_in_index` and commit it"
        );
    }

    #[test]
    fn the_direct_snapshot_equals_the_stores() {
        let data = data().unwrap();
        let from_store = store().unwrap().snapshot().unwrap();
        assert_eq!(data.to_snapshot(), from_store);
    }
    #[test]
    fn every_embedded_row_loads_and_the_counts_match_the_lists() {
        let data = data().expect("embedded registry data parse");
        let count = |source: &str, r| {
            data.filings
                .iter()
                .filter(|f| f.regime == r && f.source.starts_with(source))
                .count()
        };
        // The seed report's two tables.
        assert_eq!(count("qianzhan-", Regime::Genai), 46);
        assert_eq!(count("qianzhan-", Regime::DeepSynthesis), 32);
        // The official lists: 1,105 filings, 730 registrations and 7
        // on-device models of generative AI; 7,764 deep-synthesis algorithms.
        let in_list = |l: &str| {
            data.filings
                .iter()
                .filter(|f| f.list.as_deref() == Some(l))
                .count()
        };
        assert_eq!(in_list("cac-genai-filings"), 1105);
        assert_eq!(in_list("cac-genai-registrations"), 730);
        assert_eq!(in_list("cac-genai-on-device"), 7);
        assert_eq!(in_list("cac-deep-synthesis"), 7764);
        let snap = store().unwrap().snapshot().unwrap();
        assert_eq!(snap.count(Regime::Genai), 46 + 1105 + 730 + 7);
        assert_eq!(snap.count(Regime::DeepSynthesis), 32 + 7764);
        assert_eq!(snap.filings.len(), data.filings.len());
        assert_eq!(snap.aliases.len(), data.aliases.len());
    }

    #[test]
    fn every_embedded_filing_cites_a_source_and_location() {
        let snap = store().unwrap().snapshot().unwrap();
        for f in &snap.filings {
            assert!(snap.source(&f.source).is_some(), "{f:?}");
            assert!(!f.location.is_empty(), "{f:?}");
        }
    }
}
