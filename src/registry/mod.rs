//! The filing registry: its data files, its SQLite store, and how a command
//! finds and opens the registry it should use.
//!
//! - [`data`] parses the reviewable CSV files in `registry/`;
//! - [`store`] owns the SQLite database of a registry file;
//! - [`embedded`] is the data compiled into the binary.
//!
//! [`Registry::open`] is the one way in: it reads what a command needs (the
//! whole registry, or for a lookup only the name index and the small
//! tables), checks every cross-reference between the index and the data
//! once, and reports damage as [`StoreError::Corrupt`], never as a
//! different answer.

pub mod data;
pub mod data_dir;
pub mod embedded;
pub mod store;

use std::path::PathBuf;

pub use store::{IndexState, Origin, Reading, Store, StoreError, SCHEMA_VERSION};

use crate::matcher::{Matcher, NameIndex};
use crate::model::{FilingId, Snapshot};

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

/// How much of a registry a command reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every filing (audit, status, list, export).
    Whole,
    /// A registry file with a usable name index is not read whole: the
    /// matcher searches the stored index, and only the filings the answers
    /// name are read ([`Registry::resolve`]), in the same read transaction.
    Lookup,
}

/// An open registry: a matcher over its names, and what answers are
/// reported from.
pub struct Registry {
    /// The registry's data: whole, or (a lookup on an indexed file) the
    /// small tables and, once resolved, the filings the answers name.
    pub snapshot: Snapshot,
    pub origin: Origin,
    pub schema_version: i64,
    /// What lookups on this registry use as their name index.
    pub name_index: IndexSummary,
    matcher: Matcher,
    /// A lookup's filings still to read ([`Registry::resolve`]): from the
    /// store, inside its read transaction, or from the compiled-in rows (in
    /// a mutex so that a registry can be shared between threads).
    pending: std::sync::Mutex<Option<Pending>>,
}

/// Where a lookup reads the filings its answers name.
enum Pending {
    Store(Reading),
    Embedded,
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
    /// Opens the registry at `location` and reads all of it.
    pub fn load(location: &Location) -> Result<Registry, StoreError> {
        Registry::open(location, Scope::Whole)
    }

    /// Opens the registry at `location`, reading what `scope` needs.
    pub fn open(location: &Location, scope: Scope) -> Result<Registry, StoreError> {
        let path = match location {
            Location::Embedded => return Registry::embedded(scope),
            Location::File(path) | Location::User(path) => path,
        };
        let store = Store::open_read_only(path)?;
        let schema_version = store.schema_version()?;
        let origin = store.origin().clone();
        // One read transaction: the index and the data are of one state.
        // (Damage to the index is damage to the file: reported as such.)
        let reading = store.begin_read()?;
        let state = match scope {
            Scope::Whole => reading.name_index()?,
            Scope::Lookup => reading.name_index_for_lookup()?,
        };
        let name_index = IndexSummary::from(&state);
        let stored = match state {
            IndexState::Ready(ix) => Some(*ix),
            IndexState::Missing | IndexState::Unusable(_) => None,
        };
        let stored = match (scope, stored) {
            (Scope::Lookup, Some(index)) => {
                // The index must reach the last filing the file holds
                // (each one it names is checked when read).
                let last = reading.last_filing()?;
                let indexed_last = index
                    .filing_count()
                    .checked_sub(1)
                    .map(|pos| index.filing_at(pos).0);
                if last != indexed_last {
                    let show = |f: Option<FilingId>| f.map_or("none".into(), |f| f.to_string());
                    return Err(StoreError::Corrupt {
                        origin,
                        detail: format!(
                            "name index: its last filing is {}, the registry's is {}",
                            show(indexed_last),
                            show(last)
                        ),
                    });
                }
                let snapshot = reading.partial_snapshot(&[])?;
                return Ok(Registry {
                    snapshot,
                    origin,
                    schema_version,
                    name_index,
                    matcher: Matcher::from_index(index),
                    pending: std::sync::Mutex::new(Some(Pending::Store(reading))),
                });
            }
            (_, stored) => stored,
        };
        let snapshot = reading.snapshot()?;
        reading.finish()?;
        let damaged = |detail: String| StoreError::Corrupt {
            origin: origin.clone(),
            detail,
        };
        if let Some(detail) = snapshot.dangling() {
            return Err(damaged(detail));
        }
        let matcher = match stored {
            Some(index) => {
                check_index(&index, &snapshot).map_err(|d| damaged(format!("name index: {d}")))?;
                Matcher::from_index(index)
            }
            None => Matcher::new(&snapshot),
        };
        Ok(Registry {
            snapshot,
            origin,
            schema_version,
            name_index,
            matcher,
            pending: std::sync::Mutex::new(None),
        })
    }

    /// The embedded registry: the compiled-in data, and the compiled-in
    /// index when it is theirs (else one built now). A lookup reads only
    /// the index, and then the rows its answers name.
    fn embedded(scope: Scope) -> Result<Registry, StoreError> {
        let invalid = |message: String| StoreError::Invalid {
            origin: Origin::Embedded,
            message,
        };
        if scope == Scope::Lookup {
            if let Some(index) = embedded::index(false) {
                return Ok(Registry {
                    matcher: Matcher::from_index(index),
                    snapshot: Snapshot::default(),
                    origin: Origin::Embedded,
                    schema_version: SCHEMA_VERSION,
                    name_index: IndexSummary::Embedded(true),
                    pending: std::sync::Mutex::new(Some(Pending::Embedded)),
                });
            }
        }
        let data = embedded::data().map_err(|e| invalid(e.to_string()))?;
        let snapshot = data.to_snapshot();
        let compiled = embedded::index(true);
        let name_index = IndexSummary::Embedded(compiled.is_some());
        let index = compiled.unwrap_or_else(|| NameIndex::build(&snapshot));
        check_index(&index, &snapshot).map_err(invalid)?;
        Ok(Registry {
            matcher: Matcher::from_index(index),
            snapshot,
            origin: Origin::Embedded,
            schema_version: SCHEMA_VERSION,
            name_index,
            pending: std::sync::Mutex::new(None),
        })
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Reads the filings `ids` names into the snapshot, for a lookup on an
    /// indexed file (every other registry holds them already), and ends the
    /// read. An id the registry lacks is damage: the index named it.
    pub fn resolve(&mut self, ids: impl IntoIterator<Item = FilingId>) -> Result<(), StoreError> {
        let taken = match self.pending.get_mut() {
            Ok(pending) => pending.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let damaged = |origin: &Origin| StoreError::Corrupt {
            origin: origin.clone(),
            detail: "name index: a reference points outside its array".into(),
        };
        if self.matcher.index().damaged() {
            return Err(damaged(&self.origin));
        }
        let ids: Vec<FilingId> = ids.into_iter().collect();
        let reading = match taken {
            None => return Ok(()),
            Some(Pending::Store(reading)) => reading,
            Some(Pending::Embedded) => {
                self.snapshot = match embedded::partial_snapshot(self.matcher.index(), &ids) {
                    Some(Ok(snapshot)) => snapshot,
                    Some(Err(e)) => {
                        return Err(StoreError::Invalid {
                            origin: Origin::Embedded,
                            message: e.to_string(),
                        })
                    }
                    // The compiled-in rows are not these data's: read them.
                    None => Registry::embedded(Scope::Whole)?.snapshot,
                };
                return Ok(());
            }
        };
        let snapshot = reading.partial_snapshot(&ids)?;
        reading.finish()?;
        let index = self.matcher.index();
        for f in &snapshot.filings {
            let indexed = index.filing_by_id(f.id);
            if indexed != Some((f.company_id, f.regime, f.status.stands())) {
                return Err(StoreError::Corrupt {
                    origin: self.origin.clone(),
                    detail: format!(
                        "name index: filing {} is not indexed as the registry holds it",
                        f.id
                    ),
                });
            }
        }
        self.snapshot = snapshot;
        Ok(())
    }
}

/// Checks that `index` indexes exactly the filings of `snap`, and names only
/// companies it holds.
fn check_index(index: &NameIndex, snap: &Snapshot) -> Result<(), String> {
    if index.filing_count() != snap.filings.len() {
        return Err(format!(
            "it indexes {} filings, the registry holds {}",
            index.filing_count(),
            snap.filings.len()
        ));
    }
    for (pos, f) in snap.filings.iter().enumerate() {
        let indexed = index.filing_at(pos);
        if indexed != (f.id, f.company_id, f.regime, f.status.stands()) {
            return Err(format!(
                "filing {} is not indexed as the registry holds it",
                f.id
            ));
        }
    }
    if let Some(c) = index.companies().find(|&c| snap.company(c).is_none()) {
        return Err(format!("it names company {c}, which does not exist"));
    }
    Ok(())
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
