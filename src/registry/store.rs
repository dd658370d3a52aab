//! The SQLite registry store: the one owner of a database connection, its
//! pragmas and its schema version.
//!
//! Two kinds of registry exist: the embedded one, built in memory at start-up
//! from the CSV data compiled into the binary, and registry files on disk.
//! Both hold exactly the schema of `schema.sql`; opening a file checks that it
//! is a filing-check registry of a schema version this build understands.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::data::Data;
use crate::import::ListRow;
use crate::matcher::{IndexError, NameIndex};
use crate::model::{
    Alias, Batch, Company, Completeness, Filing, Regime, RegimeInfo, Snapshot, Source,
};

/// The schema, executed verbatim on a new database.
pub const SCHEMA_SQL: &str = include_str!("../../schema.sql");

/// The part of the schema every write brings a file up to (derived data:
/// the name index and what keeps it honest), after the `@derived` line.
pub fn derived_sql() -> &'static str {
    SCHEMA_SQL
        .split_once("-- @derived")
        .map_or("", |(_, derived)| derived)
}

/// The schema version this build reads and writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

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

/// A registry database: the connection and where it came from.
pub struct Store {
    conn: Connection,
    origin: Origin,
}

impl Store {
    /// Builds the embedded registry in memory from parsed data.
    pub fn in_memory(data: &Data) -> Result<Store, StoreError> {
        let origin = Origin::Embedded;
        let sql = |source| StoreError::Sqlite {
            origin: Origin::Embedded,
            source,
        };
        let mut conn = Connection::open_in_memory().map_err(sql)?;
        conn.execute_batch(SCHEMA_SQL).map_err(sql)?;
        insert_data(&mut conn, data).map_err(sql)?;
        Ok(Store { conn, origin })
    }

    /// Opens an existing registry file for reading.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let origin = Origin::File(path.to_path_buf());
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Sqlite {
            origin: origin.clone(),
            source,
        })?;
        let store = Store { conn, origin };
        store.check_schema(path)?;
        Ok(store)
    }

    /// Opens an existing registry file for writing (imports), after checking
    /// it is whole. A write switches it to WAL mode while it lasts
    /// ([`Store::begin_write`]), so that readers keep working.
    pub fn open_writable(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let origin = Origin::File(path.to_path_buf());
        let sql = |source| StoreError::Sqlite {
            origin: origin.clone(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        let store = Store {
            conn,
            origin: origin.clone(),
        };
        store.check_schema(path)?;
        // Never write into a damaged file: the import would "succeed" into
        // something no one can read.
        let check: String = store
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| store.corrupt(e.to_string()))?;
        if check != "ok" {
            return Err(store.corrupt(check));
        }
        store.check_index()?;
        store
            .conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sql)?;
        store
            .conn
            .execute_batch(
                "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
            )
            .map_err(sql)?;
        Ok(store)
    }

    /// The regime of an imported batch and the rows it listed, as listed.
    pub fn batch_rows(&self, batch: i64) -> Result<Option<(Regime, Vec<ListRow>)>, StoreError> {
        let regime: Option<String> = self
            .conn
            .query_row("SELECT regime FROM batches WHERE id = ?1", [batch], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql_error(e))?;
        let Some(regime) = regime else {
            return Ok(None);
        };
        let regime: Regime =
            regime
                .parse()
                .map_err(|e: crate::model::UnknownValue| StoreError::Invalid {
                    origin: self.origin.clone(),
                    message: e.to_string(),
                })?;
        let mut st = self
            .conn
            .prepare("SELECT listed FROM batch_filings WHERE batch_id = ?1 ORDER BY rowid")
            .map_err(|e| self.sql_error(e))?;
        let texts: Vec<String> = st
            .query_map([batch], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_error(e))?;
        let mut rows = Vec::with_capacity(texts.len());
        for t in texts {
            rows.push(serde_json::from_str(&t).map_err(|e| StoreError::Invalid {
                origin: self.origin.clone(),
                message: format!("batch {batch}: a listed row is not readable: {e}"),
            })?);
        }
        Ok(Some((regime, rows)))
    }

    /// The error for a damaged registry file, with what to do about it.
    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt {
            origin: self.origin.clone(),
            detail,
        }
    }

    /// Starts a write: WAL mode, in which readers keep reading the last
    /// committed state while the write transaction is open.
    pub(super) fn begin_write(&self) -> rusqlite::Result<()> {
        self.conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map(|_| ())
    }

    /// Ends a write: the file goes back to a rollback journal, so that it
    /// can be read where it cannot be written (a read-only directory), as a
    /// WAL file cannot. Best effort: with other connections open the file
    /// stays in WAL mode, which is still correct.
    pub(super) fn settle(&self) {
        let _ = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            });
    }

    pub(super) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Writes `data` into a new registry file at `path`.
    ///
    /// The file is built beside its destination and renamed into place, so a
    /// failure never leaves a half-written registry at `path`.
    pub fn create_file(path: &Path, data: &Data, force: bool) -> Result<Store, StoreError> {
        if path.exists() && !force {
            return Err(StoreError::Exists {
                path: path.to_path_buf(),
            });
        }
        let origin = Origin::File(path.to_path_buf());
        let sql = |source| StoreError::Sqlite {
            origin: origin.clone(),
            source,
        };
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let result = (|| {
            let mut conn = Connection::open(&tmp)?;
            conn.execute_batch(SCHEMA_SQL)?;
            insert_data(&mut conn, data)?;
            conn.close().map_err(|(_, e)| e)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(sql(e));
        }
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            sql(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
        })?;
        Store::open_read_only(path)
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

    fn sql_error(&self, source: rusqlite::Error) -> StoreError {
        if is_damage(&source) {
            return self.corrupt(source.to_string());
        }
        StoreError::Sqlite {
            origin: self.origin.clone(),
            source,
        }
    }

    fn check_schema(&self, path: &Path) -> Result<(), StoreError> {
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
            SCHEMA_VERSION => Ok(()),
            v if v > SCHEMA_VERSION => Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: v,
                supported: SCHEMA_VERSION,
            }),
            v => Err(StoreError::UnknownSchema {
                path: path.to_path_buf(),
                found: v,
                supported: SCHEMA_VERSION,
            }),
        }
    }

    /// Reads the whole registry into memory.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        self.read_snapshot().map_err(|e| match e {
            ReadError::Sql(source) if is_damage(&source) => self.corrupt(source.to_string()),
            ReadError::Sql(source) => self.sql_error(source),
            ReadError::Value(message) => StoreError::Invalid {
                origin: self.origin.clone(),
                message,
            },
        })
    }

    fn read_snapshot(&self) -> Result<Snapshot, ReadError> {
        read_all(&self.conn)
    }

    /// The store's error for a failed read.
    fn read_error(&self, e: ReadError) -> StoreError {
        match e {
            ReadError::Sql(source) => self.sql_error(source),
            ReadError::Value(message) => StoreError::Invalid {
                origin: self.origin.clone(),
                message,
            },
        }
    }

    /// Starts a read transaction: what the reads until [`Store::end_read`]
    /// see is one state of the registry, even if an import commits meanwhile.
    pub fn begin_read(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("BEGIN")
            .map_err(|e| self.sql_error(e))
    }

    pub fn end_read(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| self.sql_error(e))
    }

    /// The name index the file keeps, if it has a usable one.
    pub fn name_index(&self) -> Result<IndexState, StoreError> {
        match stored_index(&self.conn).map_err(|e| self.sql_error(e))? {
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

    /// The registry with only the filings of `ids` (and their companies):
    /// what a lookup reports from. Regimes, sources and batches are whole,
    /// and [`Snapshot::partial`] keeps the as-of dates those of the whole
    /// registry.
    pub fn partial_snapshot(&self, ids: &[i64]) -> Result<Snapshot, StoreError> {
        self.read_partial(ids).map_err(|e| self.read_error(e))
    }

    fn read_partial(&self, ids: &[i64]) -> Result<Snapshot, ReadError> {
        let c = &self.conn;
        let mut snap = read_meta(c)?;
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            snap.filings.extend(read_filings(c, "WHERE id = ?1", [id])?);
        }
        let mut companies: Vec<i64> = snap.filings.iter().map(|f| f.company_id).collect();
        companies.sort_unstable();
        companies.dedup();
        for id in companies {
            snap.companies
                .extend(read_companies(c, "WHERE id = ?1", [id])?);
        }
        let mut st = c.prepare_cached(
            "SELECT r.id, s.id FROM regimes r, sources s
             WHERE EXISTS (SELECT 1 FROM filings f WHERE f.regime = r.id AND f.source_id = s.id)
             ORDER BY r.id, s.id",
        )?;
        let pairs: Vec<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut partial = Vec::with_capacity(pairs.len());
        for (regime, source) in pairs {
            partial.push((parse_value(&regime)?, source));
        }
        snap.partial = Some(partial);
        Ok(snap)
    }
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

/// The whole registry.
fn read_all(c: &Connection) -> Result<Snapshot, ReadError> {
    let mut snap = read_meta(c)?;
    snap.companies = read_companies(c, "", [])?;
    snap.filings = read_filings(c, "", [])?;
    snap.aliases = read_aliases(c)?;
    Ok(snap)
}

/// Regimes, sources and batches: the small tables, always read whole.
fn read_meta(c: &Connection) -> Result<Snapshot, ReadError> {
    {
        let mut snap = Snapshot::default();

        let mut st = c.prepare(
            "SELECT id, title, title_en, issued, in_force, defines, applies_to,
                    filing_number_label, source_id, note FROM regimes ORDER BY id DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                RegimeInfo {
                    id: crate::model::Regime::Genai,
                    title: r.get(1)?,
                    title_en: r.get(2)?,
                    issued: r.get(3)?,
                    in_force: r.get(4)?,
                    defines: r.get(5)?,
                    applies_to: r.get(6)?,
                    filing_number_label: r.get(7)?,
                    source_id: r.get(8)?,
                    note: r.get(9)?,
                },
            ))
        })?;
        for row in rows {
            let (id, mut info) = row?;
            info.id = parse_value(&id)?;
            snap.regimes.push(info);
        }

        let mut st = c.prepare(
            "SELECT id, title, publisher, published, as_of, location, completeness, url,
                    sha256, note FROM sources ORDER BY as_of, id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(6)?,
                Source {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    publisher: r.get(2)?,
                    published: r.get(3)?,
                    as_of: r.get(4)?,
                    location: r.get(5)?,
                    completeness: Completeness::Partial,
                    url: r.get(7)?,
                    sha256: r.get(8)?,
                    note: r.get(9)?,
                },
            ))
        })?;
        for row in rows {
            let (completeness, mut source) = row?;
            source.completeness = parse_value(&completeness)?;
            snap.sources.push(source);
        }

        let mut st = c.prepare(
            "SELECT id, source_id, regime, scope, imported_at, file_name, sha256, rows, added,
                    changed, absent
             FROM batches ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(2)?,
                Batch {
                    id: r.get(0)?,
                    source_id: r.get(1)?,
                    regime: crate::model::Regime::Genai,
                    scope: r.get(3)?,
                    imported_at: r.get(4)?,
                    file_name: r.get(5)?,
                    sha256: r.get(6)?,
                    rows: r.get(7)?,
                    added: r.get(8)?,
                    changed: r.get(9)?,
                    absent: r.get(10)?,
                },
            ))
        })?;
        for row in rows {
            let (regime, mut batch) = row?;
            batch.regime = parse_value(&regime)?;
            snap.batches.push(batch);
        }
        Ok(snap)
    }
}

/// Companies, all or those `filter` (a WHERE clause with `params`) selects.
fn read_companies(
    c: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Company>, ReadError> {
    let mut st = c.prepare_cached(&format!(
        "SELECT id, name, legal_name, english_name, group_name, source, note
         FROM companies {filter} ORDER BY id"
    ))?;
    let companies = st
        .query_map(params, |r| {
            Ok(Company {
                id: r.get(0)?,
                name: r.get(1)?,
                legal_name: r.get(2)?,
                english_name: r.get(3)?,
                group_name: r.get(4)?,
                source: r.get(5)?,
                note: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(companies)
}

/// Filings, all or those `filter` (a WHERE clause with `params`) selects.
fn read_filings(
    c: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Filing>, ReadError> {
    let mut filings = Vec::new();
    let mut st = c.prepare_cached(&format!(
        "SELECT id, regime, company_id, company_listed, item, item_listed, item_kind,
                    filing_no, role, product, region, filed_on, batch, source_id, location,
                    status, note, purpose, remark
             FROM filings {filter} ORDER BY id"
    ))?;
    let rows = st.query_map(params, |r| {
        Ok((
            r.get::<_, String>(1)?,
            r.get::<_, String>(6)?,
            Filing {
                id: r.get(0)?,
                regime: crate::model::Regime::Genai,
                company_id: r.get(2)?,
                company_listed: r.get(3)?,
                item: r.get(4)?,
                item_listed: r.get(5)?,
                item_kind: crate::model::ItemKind::Model,
                filing_no: r.get(7)?,
                role: r.get(8)?,
                product: r.get(9)?,
                region: r.get(10)?,
                filed_on: r.get(11)?,
                batch: r.get(12)?,
                source_id: r.get(13)?,
                location: r.get(14)?,
                status: r.get(15)?,
                note: r.get(16)?,
                purpose: r.get(17)?,
                remark: r.get(18)?,
            },
        ))
    })?;
    for row in rows {
        let (regime, kind, mut filing) = row?;
        filing.regime = parse_value(&regime)?;
        filing.item_kind = parse_value(&kind)?;
        filings.push(filing);
    }
    Ok(filings)
}

fn read_aliases(c: &Connection) -> Result<Vec<Alias>, ReadError> {
    let mut aliases = Vec::new();
    let mut st =
        c.prepare("SELECT entity, name, alias, kind, source, note FROM aliases ORDER BY id")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    for row in rows {
        let (entity, kind, name, alias, source, note) = row?;
        aliases.push(Alias {
            entity: parse_value(&entity)?,
            name,
            alias,
            kind: parse_value(&kind)?,
            source,
            note,
        });
    }
    Ok(aliases)
}

/// Starts a bulk write that rebuilds the index itself: drops the triggers
/// that delete the index on every change (a trigger makes SQLite keep a
/// statement journal for every row written, which costs as much as the
/// write) and deletes the index now. [`refresh_index`] and
/// [`derived_sql`] at the end of the same transaction restore both.
pub(super) fn suspend_index_triggers(c: &Connection) -> rusqlite::Result<()> {
    let names: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'name_index_stale_%'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for name in names {
        c.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
    }
    c.execute("DELETE FROM name_index", [])?;
    Ok(())
}

/// Writes the name index of the data `c` holds, unless a usable one is
/// there: inside the transaction of the write that changed the data (whose
/// triggers deleted the old index).
pub(super) fn refresh_index(c: &Connection) -> rusqlite::Result<()> {
    refresh(c).map_err(|e| match e {
        ReadError::Sql(e) => e,
        ReadError::Value(m) => rusqlite::Error::ToSqlConversionFailure(
            format!("cannot index the registry's names: {m}").into(),
        ),
    })
}

fn refresh(c: &Connection) -> Result<(), ReadError> {
    if matches!(stored_index(c)?, Some(Ok(_))) {
        return Ok(());
    }
    let index = NameIndex::build(&read_all(c)?);
    let bytes = index.as_bytes();
    c.execute(
        "INSERT OR REPLACE INTO name_index (id, bytes) VALUES (1, ?1)",
        [bytes],
    )?;
    Ok(())
}

/// The name index stored in `c`, read (`None` when none is stored).
fn stored_index(c: &Connection) -> rusqlite::Result<Option<Result<NameIndex, IndexError>>> {
    let has_table: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'name_index')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(None);
    }
    // Incremental blob I/O reads the pages straight into one buffer,
    // without SQLite assembling the value first (a copy of megabytes).
    let blob = match c.blob_open(rusqlite::DatabaseName::Main, "name_index", "bytes", 1, true) {
        Ok(blob) => blob,
        // No row 1 (or not a blob): nothing stored.
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::Unknown => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    let mut bytes = vec![0u8; blob.len()];
    blob.read_at_exact(&mut bytes, 0)?;
    Ok(Some(NameIndex::from_bytes(bytes)))
}

/// Whether an error while reading means the file is damaged: SQLite says
/// so, or a value the schema forbids (a NULL in a NOT NULL column) came back.
fn is_damage(e: &rusqlite::Error) -> bool {
    match e {
        // (NotADatabase is a file that is no registry at all: reported as such.)
        rusqlite::Error::SqliteFailure(f, _) => f.code == rusqlite::ErrorCode::DatabaseCorrupt,
        rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
            true
        }
        _ => false,
    }
}

enum ReadError {
    Sql(rusqlite::Error),
    Value(String),
}

impl From<rusqlite::Error> for ReadError {
    fn from(e: rusqlite::Error) -> Self {
        ReadError::Sql(e)
    }
}

fn parse_value<T: std::str::FromStr<Err = crate::model::UnknownValue>>(
    s: &str,
) -> Result<T, ReadError> {
    s.parse()
        .map_err(|e: crate::model::UnknownValue| ReadError::Value(e.to_string()))
}

/// Inserts parsed data in one transaction.
fn insert_data(conn: &mut Connection, data: &Data) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare(
            "INSERT INTO sources (id, title, publisher, published, as_of, location,
                                  completeness, url, sha256, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for s in &data.sources {
            st.execute(params![
                s.id,
                s.title,
                s.publisher,
                s.published,
                s.as_of,
                s.location,
                s.completeness.as_str(),
                s.url,
                s.sha256,
                s.note
            ])?;
        }
        let mut st = tx.prepare(
            "INSERT INTO regimes (id, title, title_en, issued, in_force, defines, applies_to,
                                  filing_number_label, source_id, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for r in &data.regimes {
            st.execute(params![
                r.id.as_str(),
                r.title,
                r.title_en,
                r.issued,
                r.in_force,
                r.defines,
                r.applies_to,
                r.filing_number_label,
                r.source_id,
                r.note
            ])?;
        }

        // Companies: described ones first, in file order, then any company a
        // filing names that companies.csv does not describe.
        let mut ids: HashMap<&str, i64> = HashMap::new();
        let mut st = tx.prepare(
            "INSERT INTO companies (name, legal_name, english_name, group_name, source, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for c in &data.companies {
            st.execute(params![
                c.name,
                c.legal_name,
                c.english_name,
                c.group_name,
                c.source,
                c.note
            ])?;
            ids.insert(&c.name, tx.last_insert_rowid());
        }
        for f in &data.filings {
            if !ids.contains_key(f.company.as_str()) {
                st.execute(params![
                    f.company,
                    None::<String>,
                    None::<String>,
                    None::<String>,
                    None::<String>,
                    None::<String>
                ])?;
                ids.insert(&f.company, tx.last_insert_rowid());
            }
        }

        let mut st = tx.prepare(
            "INSERT INTO filings (regime, company_id, company_listed, item, item_listed, item_kind,
                                  filing_no, role, product, region, filed_on, batch, source_id,
                                  location, status, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        for f in &data.filings {
            st.execute(params![
                f.regime.as_str(),
                ids[f.company.as_str()],
                f.company_listed,
                f.item,
                f.item_listed,
                f.item_kind.as_str(),
                f.filing_no,
                f.role,
                f.product,
                f.region,
                f.filed_on,
                f.batch,
                f.source,
                f.location,
                f.status,
                f.note
            ])?;
        }

        let mut st = tx.prepare(
            "INSERT OR IGNORE INTO aliases (entity, name, alias, kind, source, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for a in &data.aliases {
            st.execute(params![
                a.entity.as_str(),
                a.name,
                a.alias,
                a.kind.as_str(),
                a.source,
                a.note
            ])?;
        }
    }
    refresh_index(&tx)?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_schema_is_found_and_can_run_again() {
        assert!(derived_sql().contains("CREATE TABLE IF NOT EXISTS name_index"));
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA_SQL).unwrap();
        conn.execute_batch(derived_sql()).unwrap();
    }

    #[test]
    fn schema_sql_declares_the_version_this_build_reads() {
        assert!(SCHEMA_SQL.contains(&format!("PRAGMA user_version = {SCHEMA_VERSION};")));
        assert!(SCHEMA_SQL.contains(&format!("PRAGMA application_id = {APPLICATION_ID};")));
    }
}
