//! The filing registry: its data files, its SQLite store, and how a command
//! finds the registry it should use.
//!
//! - [`data`] parses the reviewable CSV files in `registry/`;
//! - [`store`] owns the SQLite database (in memory for the embedded data, or a file);
//! - [`embedded`] is the data compiled into the binary.

pub mod data;
pub mod embedded;
pub mod store;
pub mod update;

use std::path::PathBuf;

pub use store::{IndexState, Origin, Store, StoreError, SCHEMA_VERSION};

use std::collections::HashMap;

use crate::matcher::{Matcher, NameIndex, Outcome};
use crate::model::Snapshot;

/// The environment variable naming a registry file, like `--registry`.
pub const REGISTRY_ENV: &str = "FILING_CHECK_REGISTRY";

/// The user registry's file name in the user's data directory.
pub const USER_REGISTRY_FILE: &str = "registry.db";

/// Where the user registry lives: `$XDG_DATA_HOME/filing-check/registry.db`
/// (`~/.local/share/filing-check/registry.db` on Linux; the platform's data
/// directory elsewhere). `None` when the system names no home directory.
pub fn user_registry_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "filing-check")
        .map(|d| d.data_dir().join(USER_REGISTRY_FILE))
}

/// Which registry a command uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The data compiled into the binary.
    Embedded,
    /// A registry file named by `--registry` or the environment.
    File(PathBuf),
    /// The user registry, which `registry import` created.
    User(PathBuf),
}

impl Location {
    /// `--registry` wins over the environment variable, which wins over the
    /// user registry when it exists; otherwise the embedded registry is used.
    /// An empty value counts as unset.
    pub fn resolve(
        flag: Option<PathBuf>,
        env: Option<std::ffi::OsString>,
        user: Option<PathBuf>,
    ) -> Location {
        if let Some(p) = flag
            .filter(|p| !p.as_os_str().is_empty())
            .or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from))
        {
            return Location::File(p);
        }
        match user {
            Some(p) if p.exists() => Location::User(p),
            _ => Location::Embedded,
        }
    }

    /// The registry file a write (import, reset) goes to: the one named, or
    /// the user registry (`user`), whether or not it exists yet.
    pub fn writable(&self, user: Option<PathBuf>) -> Option<PathBuf> {
        match self {
            Location::File(p) | Location::User(p) => Some(p.clone()),
            Location::Embedded => user,
        }
    }
}

/// A loaded registry: its contents and where they came from.
pub struct Registry {
    pub snapshot: Snapshot,
    pub origin: Origin,
    pub schema_version: i64,
    /// What lookups on this registry use as their name index.
    pub name_index: IndexSummary,
    /// The index the file keeps, until [`Registry::matcher`] takes it.
    stored_index: Option<Box<NameIndex>>,
}

/// The state of a registry's name index, as `registry status` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexSummary {
    /// The embedded registry's index: compiled in (`true`), or built at
    /// start-up when the compiled-in one is not the data's.
    Embedded(bool),
    /// The file keeps a usable index of this many names.
    Stored(usize),
    /// The file keeps none, or one another build made.
    Absent(String),
}

impl std::fmt::Display for IndexSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexSummary::Embedded(true) => f.write_str("compiled in"),
            IndexSummary::Embedded(false) => f.write_str("built at start-up"),
            IndexSummary::Stored(n) => write!(f, "stored ({n} names)"),
            IndexSummary::Absent(why) => write!(
                f,
                "{why}: lookups read the whole registry; `filing-check registry reindex` writes one"
            ),
        }
    }
}

impl From<&IndexState> for IndexSummary {
    fn from(state: &IndexState) -> IndexSummary {
        match state {
            IndexState::Ready(ix) => IndexSummary::Stored(ix.len()),
            IndexState::Missing => IndexSummary::Absent("none stored".into()),
            IndexState::Unusable(e) => IndexSummary::Absent(e.to_string()),
        }
    }
}

impl Registry {
    /// Opens the registry at `location` and reads it into memory.
    pub fn load(location: &Location) -> Result<Registry, StoreError> {
        let store = match location {
            Location::Embedded => {
                // No database needed: the compiled-in data become the snapshot.
                let data = embedded::data().map_err(|e| StoreError::Invalid {
                    origin: Origin::Embedded,
                    message: e.to_string(),
                })?;
                let index = embedded::index();
                return Ok(Registry {
                    snapshot: data.to_snapshot(),
                    origin: Origin::Embedded,
                    schema_version: SCHEMA_VERSION,
                    name_index: IndexSummary::Embedded(index.is_some()),
                    stored_index: index.map(Box::new),
                });
            }
            Location::File(path) | Location::User(path) => Store::open_read_only(path)?,
        };
        // One read transaction: the index and the data are of one state.
        // (Damage to the index is damage to the file: reported as such.)
        store.begin_read()?;
        let state = store.name_index()?;
        Registry::read(store, state)
    }

    /// Reads the whole registry from `store`, inside the read transaction
    /// in which its index was read as `state`, and ends that transaction.
    fn read(store: Store, state: IndexState) -> Result<Registry, StoreError> {
        let registry = Registry {
            snapshot: store.snapshot()?,
            schema_version: store.schema_version()?,
            origin: store.origin().clone(),
            name_index: IndexSummary::from(&state),
            stored_index: match state {
                IndexState::Ready(ix) => Some(ix),
                _ => None,
            },
        };
        store.end_read()?;
        Ok(registry)
    }

    /// The matcher over this registry: the index the file keeps (or the
    /// one compiled in with the embedded data) when it indexes exactly these
    /// filings — so that no command normalises every name again — or one
    /// built now.
    pub fn matcher(&mut self) -> Matcher {
        let filings = &self.snapshot.filings;
        match self.stored_index.take() {
            Some(ix)
                if ix.filing_count() == filings.len()
                    && filings
                        .iter()
                        .enumerate()
                        .all(|(pos, f)| ix.filing_id(pos) == f.id) =>
            {
                Matcher::from_index(*ix)
            }
            _ => Matcher::new(&self.snapshot),
        }
    }
}

/// A registry opened for lookups: a matcher, and what answers are reported
/// from.
///
/// A registry file with a usable name index is not read whole: the matcher
/// searches the stored index, and only the filings the answers name are
/// read ([`Lookup::resolve`]), all in one read transaction. The embedded
/// registry, and a file without a usable index (made by an older build, or
/// changed by another program), are read whole and indexed in memory.
pub struct Lookup {
    matcher: Matcher,
    from: LookupFrom,
}

enum LookupFrom {
    Whole(Registry),
    /// The open store, inside its read transaction.
    Indexed(Store),
}

impl Lookup {
    pub fn open(location: &Location) -> Result<Lookup, StoreError> {
        let mut registry = match location {
            Location::Embedded => Registry::load(location)?,
            Location::File(path) | Location::User(path) => {
                let store = Store::open_read_only(path)?;
                store.begin_read()?;
                match store.name_index()? {
                    IndexState::Ready(index) => {
                        return Ok(Lookup {
                            matcher: Matcher::from_index(*index),
                            from: LookupFrom::Indexed(store),
                        })
                    }
                    // No usable index: the same store and transaction, read whole.
                    state => Registry::read(store, state)?,
                }
            }
        };
        Ok(Lookup {
            matcher: registry.matcher(),
            from: LookupFrom::Whole(registry),
        })
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// The registry to report `outcomes` from. For an indexed file that is
    /// the filings they name, read now; their positions are renumbered to
    /// that snapshot's.
    pub fn resolve(self, outcomes: &mut [Outcome]) -> Result<Registry, StoreError> {
        let store = match self.from {
            LookupFrom::Whole(registry) => return Ok(registry),
            LookupFrom::Indexed(store) => store,
        };
        let index = self.matcher.index();
        let ids: Vec<i64> = outcomes
            .iter()
            .flat_map(|o| &o.matches)
            .map(|m| index.filing_id(m.filing))
            .collect();
        let snapshot = store.partial_snapshot(&ids)?;
        let schema_version = store.schema_version()?;
        store.end_read()?;
        let position: HashMap<i64, usize> = snapshot
            .filings
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id, i))
            .collect();
        for m in outcomes.iter_mut().flat_map(|o| o.matches.iter_mut()) {
            let id = index.filing_id(m.filing);
            m.filing = *position.get(&id).ok_or_else(|| StoreError::Invalid {
                origin: store.origin().clone(),
                message: format!("filing {id} is in the name index but not in the registry"),
            })?;
        }
        Ok(Registry {
            snapshot,
            origin: store.origin().clone(),
            schema_version,
            name_index: IndexSummary::Stored(index.len()),
            stored_index: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_over_the_environment() {
        let loc = Location::resolve(Some("a.db".into()), Some("b.db".into()), None);
        assert_eq!(loc, Location::File("a.db".into()));
        let loc = Location::resolve(None, Some("b.db".into()), None);
        assert_eq!(loc, Location::File("b.db".into()));
        assert_eq!(
            Location::resolve(None, Some("".into()), None),
            Location::Embedded
        );
        assert_eq!(Location::resolve(None, None, None), Location::Embedded);
    }

    #[test]
    fn the_user_registry_is_used_once_it_exists() {
        let dir = std::env::temp_dir().join(format!("fc-loc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let user = dir.join(USER_REGISTRY_FILE);
        let _ = std::fs::remove_file(&user);
        assert_eq!(
            Location::resolve(None, None, Some(user.clone())),
            Location::Embedded
        );
        assert_eq!(
            Location::Embedded.writable(Some(user.clone())),
            Some(user.clone())
        );
        std::fs::write(&user, b"").unwrap();
        assert_eq!(
            Location::resolve(None, None, Some(user.clone())),
            Location::User(user.clone())
        );
        // A named file still wins.
        assert_eq!(
            Location::resolve(Some("a.db".into()), None, Some(user)),
            Location::File("a.db".into())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
