//! The registry data compiled into the binary, so that a lookup works on a
//! fresh machine with no file beside the executable.

use super::data::{self, Data, DataFiles};
use super::store::{Store, StoreError};
use crate::matcher::{input_digest, NameIndex};

/// The texts of `registry/*.csv` as they were at build time.
pub const FILES: DataFiles<'static> = DataFiles {
    regimes: include_str!("../../registry/regimes.csv"),
    sources: include_str!("../../registry/sources.csv"),
    companies: include_str!("../../registry/companies.csv"),
    filings: include_str!("../../registry/filings.csv"),
    aliases: include_str!("../../registry/aliases.csv"),
};

/// The embedded data, parsed and checked.
pub fn data() -> Result<Data, data::DataError> {
    data::parse(FILES)
}

/// The name index of the embedded data (`registry/name-index.bin`: a digest
/// of the data it indexes, then the index), so that start-up need not
/// normalise every name. It is derived data: the test
/// `the_compiled_in_index_is_the_index_of_the_embedded_data` fails when it
/// is not the index of the files above, and says how to write it again.
const INDEX_FILE: &[u8] = include_bytes!("../../registry/name-index.bin");

/// The digest of everything the embedded index depends on.
pub fn index_inputs_digest() -> u64 {
    input_digest(&[
        FILES.regimes,
        FILES.sources,
        FILES.companies,
        FILES.filings,
        FILES.aliases,
        crate::filing_no::REGIONS_CSV,
    ])
}

/// The compiled-in index, if it is the index of the compiled-in data and
/// this build reads it (else the index is built at start-up).
pub fn index() -> Option<NameIndex> {
    let (digest, bytes) = INDEX_FILE.split_at_checked(8)?;
    let mut d = [0u8; 8];
    d.copy_from_slice(digest);
    if u64::from_le_bytes(d) != index_inputs_digest() {
        return None;
    }
    NameIndex::from_bytes_unchecked(bytes.to_vec()).ok()
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
mod tests {
    use super::*;

    /// Set to write `registry/name-index.bin` when it is stale.
    const UPDATE: &str = "UPDATE_EMBEDDED_INDEX";

    #[test]
    fn the_compiled_in_index_is_the_index_of_the_embedded_data() {
        let built = NameIndex::build(&data().unwrap().to_snapshot());
        let mut want = index_inputs_digest().to_le_bytes().to_vec();
        want.extend_from_slice(built.as_bytes());
        if INDEX_FILE == want.as_slice() {
            assert_eq!(index().as_ref(), Some(&built));
            // Read back unchecked at run time, it passes every check too.
            assert!(NameIndex::from_bytes(built.as_bytes().to_vec()).is_ok());
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
    use crate::model::Regime;

    #[test]
    fn every_embedded_row_loads_and_the_counts_match_the_seed() {
        let data = data().expect("embedded registry data parse");
        let count = |r| data.filings.iter().filter(|f| f.regime == r).count();
        assert_eq!(count(Regime::Genai), 46);
        assert_eq!(count(Regime::DeepSynthesis), 32);
        let snap = store().unwrap().snapshot().unwrap();
        assert_eq!(snap.count(Regime::Genai), 46);
        assert_eq!(snap.count(Regime::DeepSynthesis), 32);
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
