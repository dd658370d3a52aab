//! The SQLite registry store: the one owner of a database connection, its
//! pragmas, its schema version and every query.
//!
//! Two kinds of registry exist: the embedded one, the CSV data compiled into
//! the binary, and registry files on disk, which hold exactly the schema of
//! `schema.sql`. Opening a file checks that it is a filing-check registry and
//! brings an older one up to this build's schema through the numbered
//! migrations of [`migrate`]. Reads happen inside a [`Reading`] (one read
//! transaction, ended when it is dropped); writes of a whole registry go
//! through SQLite's backup API ([`write`]), never by renaming files over a
//! live database.
//!
//! - [`read`]: the queries that read a registry into the model's types;
//! - [`write`]: a new registry file, an import of a published list, the
//!   name index;
//! - [`migrate`]: schema versions and how a file moves from one to the next.

pub mod migrate;
mod read;
pub mod write;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::matcher::{IndexError, NameIndex};
use crate::model::{FilingId, Regime, Snapshot};

pub use migrate::SCHEMA_VERSION;
pub use write::{Absent, ImportPlan, ImportReport, NATIONAL, PAUSE_ENV};

/// The schema, executed verbatim on a new database.
pub const SCHEMA_SQL: &str = include_str!("../../../schema.sql");

/// `PRAGMA application_id` of a filing-check registry: "FCK1".
pub const APPLICATION_ID: i64 = 0x4643_4B31;

/// Where a registry came from, for display and for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Embedded,
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Embedded => f.write_str("embedded"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Why a registry could not be opened; callers tell these cases apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("registry file {0} does not exist (create one with `filing-check registry init {0}`, or omit --registry to use the embedded registry)")]
    Missing(PathBuf),
    #[error("{0} is not a filing-check registry (no registry schema in it); check the path, or create one with `filing-check registry init PATH`")]
    NotARegistry(PathBuf),
    #[error("{path} has registry schema version {found}, newer than this build reads ({supported}); upgrade filing-check, or recreate the file with `filing-check registry init --force {path}`")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path} has registry schema version {found}, which this build does not know (it reads {supported}); recreate it with `filing-check registry init --force {path}`")]
    UnknownSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path} has registry schema version {found} and cannot be upgraded to {supported} here ({reason}); open it once where it can be written, or recreate it with `filing-check registry init --force {path}`")]
    Upgrade {
        path: PathBuf,
        found: i64,
        supported: i64,
        reason: String,
    },
    #[error("{path} already exists (pass --force to replace it)")]
    Exists { path: PathBuf },
    #[error("cannot read registry {origin}")]
    Sqlite {
        origin: Origin,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot update registry {origin}; it is unchanged")]
    Write {
        origin: Origin,
        #[source]
        source: rusqlite::Error,
    },
    #[error("registry {origin}: {message} (the registry is unchanged)")]
    Conflict { origin: Origin, message: String },
    #[error("registry {origin} is damaged ({detail}); recreate it with `filing-check registry init --force {origin}` (or `registry reset` for the user registry) and import the lists again")]
    Corrupt { origin: Origin, detail: String },
    #[error("registry {origin} holds an invalid value: {message}")]
    Invalid { origin: Origin, message: String },
}

/// Whether a registry file's name index can be used.
pub enum IndexState {
    Ready(Box<NameIndex>),
    /// None stored: a file from before the index, or changed since by a
    /// program that does not keep it.
    Missing,
    /// Stored by a build with another index format or normaliser.
    Unusable(IndexError),
}

/// A registry database: the connection and where it came from.
pub struct Store {
    conn: Connection,
    origin: Origin,
}

/// Pragmas every connection gets: the schema's SQL (triggers, views) is not
/// trusted to call functions with side effects, and foreign keys hold.
const CONNECTION_PRAGMAS: &str = "PRAGMA trusted_schema = OFF; PRAGMA foreign_keys = ON;";

impl Store {
    /// Opens an existing registry file for reading. A file of an older
    /// schema is brought up to this build's first, if it can be written.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let store = Store::open(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        match store.check_schema(path)? {
            SCHEMA_VERSION => Ok(store),
            _ => {
                drop(store);
                // Upgrading writes: through a writable connection, once.
                let writable = Store::open_writable(path)?;
                drop(writable);
                let store = Store::open(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                store.check_schema(path)?;
                Ok(store)
            }
        }
    }

    /// Opens an existing registry file for writing (imports), after checking
    /// it is whole and bringing it up to this build's schema. A write
    /// switches it to WAL mode while it lasts ([`Store::begin_write`]), so
    /// that readers keep working.
    pub fn open_writable(path: &Path) -> Result<Store, StoreError> {
        let mut store = Store::open(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let found = store.check_schema(path)?;
        store
            .conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| store.sql_error(e))?;
        // Never write into a damaged file: the import would "succeed" into
        // something no one can read.
        let check: String = store
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| store.corrupt(e.to_string()))?;
        if check != "ok" {
            return Err(store.corrupt(check));
        }
        if found < SCHEMA_VERSION {
            migrate::upgrade(&mut store.conn).map_err(|e| StoreError::Upgrade {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
                reason: e.to_string(),
            })?;
        }
        store.check_index()?;
        store
            .conn
            .execute_batch(
                "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
            )
            .map_err(|e| store.sql_error(e))?;
        Ok(store)
    }

    fn open(path: &Path, mode: OpenFlags) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let origin = Origin::File(path.to_path_buf());
        let conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|source| StoreError::Sqlite {
                origin: origin.clone(),
                source,
            })?;
        let store = Store { conn, origin };
        store
            .conn
            .execute_batch(CONNECTION_PRAGMAS)
            .map_err(|e| store.sql_error(e))?;
        Ok(store)
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.pragma_i64("user_version")
    }

    fn pragma_i64(&self, name: &str) -> Result<i64, StoreError> {
        self.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .map_err(|source| self.sql_error(source))
    }

    /// The error for a damaged registry file, with what to do about it.
    pub(crate) fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt {
            origin: self.origin.clone(),
            detail,
        }
    }

    fn sql_error(&self, source: rusqlite::Error) -> StoreError {
        if is_damage(&source) {
            return self.corrupt(source.to_string());
        }
        StoreError::Sqlite {
            origin: self.origin.clone(),
            source,
        }
    }

    fn write_error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Write {
            origin: self.origin.clone(),
            source,
        }
    }

    /// Checks the file is a registry; returns its schema version, which is
    /// this build's or one it can upgrade from.
    fn check_schema(&self, path: &Path) -> Result<i64, StoreError> {
        // A file that is not SQLite at all fails on the first read.
        let app_id = self.pragma_i64("application_id").map_err(|e| match e {
            StoreError::Sqlite {
                source: rusqlite::Error::SqliteFailure(f, _),
                ..
            } if f.code == rusqlite::ErrorCode::NotADatabase => {
                StoreError::NotARegistry(path.to_path_buf())
            }
            other => other,
        })?;
        let version = self.schema_version()?;
        if app_id != APPLICATION_ID {
            return Err(StoreError::NotARegistry(path.to_path_buf()));
        }
        match version {
            v if v > SCHEMA_VERSION => Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: v,
                supported: SCHEMA_VERSION,
            }),
            v if v >= migrate::OLDEST => Ok(v),
            v => Err(StoreError::UnknownSchema {
                path: path.to_path_buf(),
                found: v,
                supported: SCHEMA_VERSION,
            }),
        }
    }

    /// Starts a read: what is read through the [`Reading`] is one state of
    /// the registry, even if an import commits meanwhile.
    pub fn begin_read(self) -> Result<Reading, StoreError> {
        self.conn
            .execute_batch("BEGIN")
            .map_err(|e| self.sql_error(e))?;
        Ok(Reading { store: self })
    }

    /// The name index the file keeps, if it has a usable one, checked
    /// reference by reference.
    pub fn name_index(&self) -> Result<IndexState, StoreError> {
        self.read_index(true)
    }

    /// The name index for one lookup: checked as it is read (see
    /// [`NameIndex::damaged`]) rather than whole.
    pub fn name_index_for_lookup(&self) -> Result<IndexState, StoreError> {
        self.read_index(false)
    }

    fn read_index(&self, checked: bool) -> Result<IndexState, StoreError> {
        match read::stored_index(&self.conn, checked).map_err(|e| self.sql_error(e))? {
            None => Ok(IndexState::Missing),
            Some(Ok(ix)) => Ok(IndexState::Ready(Box::new(ix))),
            // Another build's index: not damage; the data are read instead.
            Some(Err(e @ (IndexError::Format { .. } | IndexError::Normaliser { .. }))) => {
                Ok(IndexState::Unusable(e))
            }
            // Damage to the index (the end of the file, where a truncation
            // shows first) is damage to the file: it is never worked around.
            Some(Err(e)) => Err(self.corrupt(format!("name index: {e}"))),
        }
    }

    /// Checks the stored name index, if any, for damage (see
    /// [`Store::name_index`]).
    pub fn check_index(&self) -> Result<(), StoreError> {
        self.name_index().map(drop)
    }

    /// Reads the whole registry into memory.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        read::all(&self.conn).map_err(|e| self.read_error(e))
    }

    /// The regime and listed rows of an imported batch.
    pub fn batch_rows(
        &self,
        batch: i64,
    ) -> Result<Option<(Regime, Vec<crate::model::FilingFields>)>, StoreError> {
        read::batch_rows(&self.conn, batch).map_err(|e| self.read_error(e))
    }

    fn read_error(&self, e: read::ReadError) -> StoreError {
        match e {
            read::ReadError::Sql(source) => self.sql_error(source),
            read::ReadError::Value(message) => StoreError::Invalid {
                origin: self.origin.clone(),
                message,
            },
        }
    }
}

/// A store inside a read transaction, which ends when this is dropped (or
/// [`Reading::finish`]ed).
pub struct Reading {
    store: Store,
}

impl std::ops::Deref for Reading {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl Reading {
    /// The registry with only the filings of `ids` (and their companies):
    /// what a lookup reports from. Regimes, sources and batches are whole,
    /// and [`Snapshot::partial`] keeps the as-of dates those of the whole
    /// registry. An id that is not there is damage (the index named it).
    pub fn partial_snapshot(&self, ids: &[FilingId]) -> Result<Snapshot, StoreError> {
        let snap = read::partial(&self.conn, ids).map_err(|e| self.read_error(e))?;
        if let Some(missing) = ids.iter().find(|&&id| snap.filing(id).is_none()) {
            return Err(self.corrupt(format!(
                "filing {missing} is in the name index but not in the registry"
            )));
        }
        Ok(snap)
    }

    /// The largest filing id the registry holds (read from the end of the
    /// table's b-tree, not by reading every row).
    pub fn last_filing(&self) -> Result<Option<FilingId>, StoreError> {
        self.conn
            .query_row("SELECT max(id) FROM filings", [], |r| r.get(0))
            .map_err(|e| self.sql_error(e))
    }

    /// Ends the read transaction, saying if that failed.
    pub fn finish(self) -> Result<(), StoreError> {
        self.store
            .conn
            .execute_batch("COMMIT")
            .map_err(|e| self.store.sql_error(e))
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        // A read changes nothing: ending it cannot lose anything.
        if !self.store.conn.is_autocommit() {
            let _ = self.store.conn.execute_batch("COMMIT");
        }
    }
}

/// Whether an error while reading means the file is damaged: SQLite says
/// so, or a value the schema forbids (a NULL in a NOT NULL column, a text
/// no enum knows) came back.
fn is_damage(e: &rusqlite::Error) -> bool {
    match e {
        // (NotADatabase is a file that is no registry at all: reported as such.)
        // A short read (SQLITE_IOERR_SHORT_READ, 522) is a truncated file.
        rusqlite::Error::SqliteFailure(f, _) => {
            f.code == rusqlite::ErrorCode::DatabaseCorrupt
                || f.extended_code == rusqlite::ffi::SQLITE_IOERR_SHORT_READ
        }
        rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_sql_declares_the_version_this_build_reads() {
        assert!(SCHEMA_SQL.contains(&format!("PRAGMA user_version = {SCHEMA_VERSION};")));
        assert!(SCHEMA_SQL.contains(&format!("PRAGMA application_id = {APPLICATION_ID};")));
    }
}
