//! The registry data compiled into the binary, so that a lookup works on a
//! fresh machine with no file beside the executable.

use super::data::{self, Data, DataFiles};
use super::store::{Store, StoreError};

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
            assert!(snap.source(&f.source_id).is_some(), "{f:?}");
            assert!(!f.location.is_empty(), "{f:?}");
        }
    }
}
