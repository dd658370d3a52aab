//! The filing registry: its data files, its SQLite store, and how a command
//! finds the registry it should use.
//!
//! - [`data`] parses the reviewable CSV files in `registry/`;
//! - [`store`] owns the SQLite database (in memory for the embedded data, or a file);
//! - [`embedded`] is the data compiled into the binary.

pub mod data;
pub mod embedded;
pub mod store;

use std::path::PathBuf;

pub use store::{Origin, Store, StoreError, SCHEMA_VERSION};

use crate::model::Snapshot;

/// The environment variable naming a registry file, like `--registry`.
pub const REGISTRY_ENV: &str = "FILING_CHECK_REGISTRY";

/// Which registry a command uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The data compiled into the binary.
    Embedded,
    /// A registry file.
    File(PathBuf),
}

impl Location {
    /// `--registry` wins over the environment variable; without either the
    /// embedded registry is used. An empty value counts as unset.
    pub fn resolve(flag: Option<PathBuf>, env: Option<std::ffi::OsString>) -> Location {
        flag.filter(|p| !p.as_os_str().is_empty())
            .or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from))
            .map_or(Location::Embedded, Location::File)
    }
}

/// A loaded registry: its contents and where they came from.
pub struct Registry {
    pub snapshot: Snapshot,
    pub origin: Origin,
    pub schema_version: i64,
}

impl Registry {
    /// Opens the registry at `location` and reads it into memory.
    pub fn load(location: &Location) -> Result<Registry, StoreError> {
        let store = match location {
            Location::Embedded => embedded::store()?,
            Location::File(path) => Store::open_read_only(path)?,
        };
        Ok(Registry {
            snapshot: store.snapshot()?,
            schema_version: store.schema_version()?,
            origin: store.origin().clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_over_the_environment() {
        let loc = Location::resolve(Some("a.db".into()), Some("b.db".into()));
        assert_eq!(loc, Location::File("a.db".into()));
        let loc = Location::resolve(None, Some("b.db".into()));
        assert_eq!(loc, Location::File("b.db".into()));
        assert_eq!(Location::resolve(None, Some("".into())), Location::Embedded);
        assert_eq!(Location::resolve(None, None), Location::Embedded);
    }
}
