//! Writing registry files: a new file from data, an imported list as one
//! batch, and the derived data every write keeps (the name index).
//!
//! A new file is built in memory and copied into place with SQLite's backup
//! API, so the destination's own locking and journal (a live WAL included)
//! see one write: readers never see half a registry, and nothing stale comes
//! back from an old journal.
//!
//! An import is one SQLite transaction: it either lands whole or not at all,
//! even if the process is killed halfway, and readers keep seeing the
//! previous state until it commits (the file is in WAL mode). Importing the
//! same file again for the same regime and scope changes nothing. Imported
//! companies are linked to known ones through the same normalised names the
//! matcher uses (listed, legal and English names, aliases), so a new filing
//! of 北京智谱华章科技有限公司 is 智谱AI's.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

use super::{read, Store, StoreError, SCHEMA_SQL};
use crate::filing_no::compare_key as number_key;
use crate::matcher::{CompanyLink, Matcher, NameIndex};
use crate::model::{
    CompanyId, Completeness, FilingFields, FilingId, FilingStatus, NewFiling, Regime, Source,
};
use crate::normalize::{self, compare_key as name_key};
use crate::registry::data::Data;

/// The scope of a national list.
pub const NATIONAL: &str = "national";

/// A test hook: the environment variable that pauses an import after that
/// many rows, inside its transaction, so a test can kill the process there.
pub const PAUSE_ENV: &str = "FILING_CHECK_TEST_PAUSE_IMPORT_AFTER";

/// The part of the schema every write brings a file up to (derived data:
/// the name index and what keeps it honest), after the `@derived` line.
fn derived_sql() -> &'static str {
    SCHEMA_SQL
        .split_once("-- @derived")
        .map_or("", |(_, derived)| derived)
}

/// The triggers that delete the name index on any change, by name: the
/// ones `schema.sql` declares (never names read from a file).
const INDEX_TRIGGERS: &[&str] = &[
    "name_index_stale_filings_insert",
    "name_index_stale_filings_update",
    "name_index_stale_filings_delete",
    "name_index_stale_companies_insert",
    "name_index_stale_companies_update",
    "name_index_stale_companies_delete",
    "name_index_stale_aliases_insert",
    "name_index_stale_aliases_update",
    "name_index_stale_aliases_delete",
];

/// Brings the derived data up to date inside a write: the derived schema,
/// then the name index of the data (unless a usable one is there).
pub(super) fn derive(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(derived_sql())?;
    refresh_index(c)
}

/// Starts a bulk write that rebuilds the index itself: drops the triggers
/// that delete the index on every change (a trigger makes SQLite keep a
/// statement journal for every row written, which costs as much as the
/// write) and deletes the index now. [`derive`] at the end of the same
/// transaction restores both.
fn suspend_index_triggers(c: &Connection) -> rusqlite::Result<()> {
    for name in INDEX_TRIGGERS {
        c.execute_batch(&format!("DROP TRIGGER IF EXISTS {name}"))?;
    }
    c.execute("DELETE FROM name_index", [])?;
    Ok(())
}

/// Writes the name index of the data `c` holds, unless a usable one is
/// there: inside the transaction of the write that changed the data (whose
/// triggers deleted the old index).
fn refresh_index(c: &Connection) -> rusqlite::Result<()> {
    if matches!(read::stored_index(c, true)?, Some(Ok(_))) {
        return Ok(());
    }
    let snap = read::all(c).map_err(|e| match e {
        read::ReadError::Sql(e) => e,
        read::ReadError::Value(m) => rusqlite::Error::ToSqlConversionFailure(
            format!("cannot index the registry's names: {m}").into(),
        ),
    })?;
    let index = NameIndex::build(&snap);
    c.execute(
        "INSERT OR REPLACE INTO name_index (id, bytes) VALUES (1, ?1)",
        [index.as_bytes()],
    )?;
    Ok(())
}

/// Inserts parsed data, with the ids [`Data::to_snapshot`] gives, and its
/// name index, in one transaction.
fn insert_data(conn: &mut Connection, data: &Data) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare(
            "INSERT INTO sources (id, title, publisher, published, as_of, location,
                                  completeness, url, sha256, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for s in &data.sources {
            insert_source(&mut st, s)?;
        }
        let mut st = tx.prepare(
            "INSERT INTO regimes (id, title, title_en, issued, in_force, defines, applies_to,
                                  filing_number_label, source_id, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for r in &data.regimes {
            st.execute(params![
                r.id,
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
        let mut st = tx.prepare(
            "INSERT INTO lists (id, regime, kind, scope, title, publisher, page, complete, as_of,
                                held, announced_total, announced_as_of, announced_on,
                                announced_source, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for l in &data.lists {
            st.execute(params![
                l.id,
                l.regime,
                l.kind,
                l.scope,
                l.title,
                l.publisher,
                l.page,
                l.complete,
                l.as_of,
                l.held,
                l.announced_total,
                l.announced_as_of,
                l.announced_on,
                l.announced_source,
                l.note
            ])?;
        }
        let companies = data.numbered_companies();
        let mut st = tx.prepare(
            "INSERT INTO companies (id, name, legal_name, english_name, group_name, source, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for c in &companies {
            st.execute(params![
                c.id,
                c.name,
                c.legal_name,
                c.english_name,
                c.group_name,
                c.source,
                c.note
            ])?;
        }
        let ids: HashMap<&str, CompanyId> =
            companies.iter().map(|c| (c.name.as_str(), c.id)).collect();
        let mut insert = FilingInsert::new(&tx)?;
        for (i, f) in data.filings.iter().enumerate() {
            insert.run(Some(FilingId(i as i64 + 1)), ids[f.company.as_str()], f)?;
        }
        let mut st = tx.prepare(
            "INSERT OR IGNORE INTO aliases (entity, name, alias, kind, source, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for a in &data.aliases {
            st.execute(params![a.entity, a.name, a.alias, a.kind, a.source, a.note])?;
        }
        let mut st = tx.prepare(
            "INSERT INTO corroborations (filing_no, source_id, location, quote, note)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for c in &data.corroborations {
            st.execute(params![c.filing_no, c.source, c.location, c.quote, c.note])?;
        }
    }
    refresh_index(&tx)?;
    tx.commit()
}

fn insert_source(st: &mut rusqlite::Statement<'_>, s: &Source) -> rusqlite::Result<usize> {
    st.execute(params![
        s.id,
        s.title,
        s.publisher,
        s.published,
        s.as_of,
        s.location,
        s.completeness,
        s.url,
        s.sha256,
        s.note
    ])
}

/// The one statement that inserts a filing.
struct FilingInsert<'c> {
    conn: &'c Connection,
    st: rusqlite::CachedStatement<'c>,
}

impl<'c> FilingInsert<'c> {
    fn new(c: &'c Connection) -> rusqlite::Result<FilingInsert<'c>> {
        Ok(FilingInsert {
            conn: c,
            st: c.prepare_cached(
                "INSERT INTO filings (id, regime, company_id, company_listed, item, item_listed,
                                      item_kind, seq, filing_no, role, product, purpose, region,
                                      filed_on, remark, batch, source_id, location, status,
                                      status_on, status_source, note, list, same_as)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
            )?,
        })
    }

    /// Inserts `f` for `company` (with id `id`, or the next one).
    fn run(
        &mut self,
        id: Option<FilingId>,
        company: CompanyId,
        f: &NewFiling,
    ) -> rusqlite::Result<FilingId> {
        let l = &f.fields;
        self.st.execute(params![
            id,
            f.regime,
            company,
            l.company,
            f.item,
            l.item,
            f.item_kind,
            l.seq,
            l.filing_no,
            l.role,
            l.product,
            l.purpose,
            l.region,
            l.filed_on,
            l.remark,
            f.batch,
            f.source,
            f.location,
            f.status,
            f.status_on,
            f.status_source,
            f.note,
            f.list,
            f.same_as
        ])?;
        Ok(FilingId(self.conn.last_insert_rowid()))
    }
}

impl Store {
    /// A registry of `data` in memory (what `registry init` copies to a file).
    pub fn in_memory(data: &Data) -> Result<Store, StoreError> {
        let origin = super::Origin::Embedded;
        let sql = |source| StoreError::Sqlite {
            origin: super::Origin::Embedded,
            source,
        };
        let mut conn = Connection::open_in_memory().map_err(sql)?;
        conn.execute_batch(SCHEMA_SQL)
            .and_then(|()| insert_data(&mut conn, data))
            .map_err(sql)?;
        Ok(Store { conn, origin })
    }
}

impl Store {
    /// Writes `data` into a registry file at `path`: a new one, or (with
    /// `force`) over an existing one, through SQLite's backup API.
    pub fn create_file(path: &Path, data: &Data, force: bool) -> Result<Store, StoreError> {
        if path.exists() && !force {
            return Err(StoreError::Exists {
                path: path.to_path_buf(),
            });
        }
        let origin = super::Origin::File(path.to_path_buf());
        let write = |source| StoreError::Write {
            origin: origin.clone(),
            source,
        };
        let mut mem = Connection::open_in_memory().map_err(write)?;
        mem.execute_batch(SCHEMA_SQL)
            .and_then(|()| insert_data(&mut mem, data))
            .map_err(write)?;
        let copied = copy_into(&mem, path);
        let copied = match copied {
            // Not a database at all (a file --force replaces): make room.
            Err(rusqlite::Error::SqliteFailure(f, _))
                if force && f.code == rusqlite::ErrorCode::NotADatabase =>
            {
                std::fs::remove_file(path)
                    .map_err(|e| write(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
                copy_into(&mem, path)
            }
            other => other,
        };
        copied.map_err(write)?;
        Store::open_read_only(path)
    }
}

impl Store {
    /// Writes `data` into a new registry file at `path` unless one is
    /// there: the file is built beside it and linked into place, which
    /// fails if another process created it meanwhile (then that one is
    /// used). Returns whether this call created it. Two imports started at
    /// once into a registry that does not exist yet both land.
    pub fn create_if_absent(path: &Path, data: &Data) -> Result<bool, StoreError> {
        let origin = super::Origin::File(path.to_path_buf());
        let write = |source| StoreError::Write {
            origin: origin.clone(),
            source,
        };
        let io = |e: std::io::Error| write(rusqlite::Error::ToSqlConversionFailure(Box::new(e)));
        if path.exists() {
            return Ok(false);
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.{}.new", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let mut mem = Connection::open_in_memory().map_err(write)?;
        mem.execute_batch(SCHEMA_SQL)
            .and_then(|()| insert_data(&mut mem, data))
            .and_then(|()| copy_into(&mem, &tmp))
            .map_err(write)?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(io(e)),
        }
    }
}

impl Store {
    /// Copies this registry, as of one moment, into a new file at `path`
    /// (one read of the source through the backup API, so an import
    /// running meanwhile is either wholly in the copy or not at all): an
    /// import can be tried on the copy and its effect shown before it is
    /// made on the registry.
    pub fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        if path.exists() {
            return Err(StoreError::Exists {
                path: path.to_path_buf(),
            });
        }
        copy_into(&self.conn, path).map_err(|source| StoreError::Write {
            origin: super::Origin::File(path.to_path_buf()),
            source,
        })
    }
}

/// Copies the database `from` into the file at `path` (created if absent)
/// in one step of the backup API, which takes the destination's locks and
/// writes through its journal.
fn copy_into(from: &Connection, path: &Path) -> rusqlite::Result<()> {
    if !path.exists() {
        // A journal left beside no database (one removed by hand) would be
        // replayed onto the new file: the old data would come back.
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    let mut dest = Connection::open(path)?;
    dest.busy_timeout(std::time::Duration::from_secs(10))?;
    // A WAL-mode destination cannot change its page size in a backup: go
    // back to a rollback journal first. Best effort: while another process
    // has the file open it stays in WAL mode, and the copy goes through the
    // WAL (where it supersedes every older frame) or, if the page sizes
    // differ, fails and says so, leaving the file as it was.
    let _ = dest.query_row("PRAGMA journal_mode = DELETE", [], |r| {
        r.get::<_, String>(0)
    });
    let backup = rusqlite::backup::Backup::new(from, &mut dest)?;
    // All pages in one step (-1): the copy is one write of the destination.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        use rusqlite::backup::StepResult;
        match backup.step(-1)? {
            StepResult::Done => break,
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            _ => {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    Some("the registry file is in use by another process".into()),
                ))
            }
        }
    }
    drop(backup);
    dest.close().map_err(|(_, e)| e)
}

/// One list to import.
#[derive(Clone, Debug)]
pub struct ImportPlan {
    pub regime: Regime,
    /// `national`, or the region the list covers.
    pub scope: String,
    /// The list's source. An empty id is derived from the regime, scope
    /// and the file's digest; `location` is the file's name.
    pub source: Source,
    /// The rows as listed (their `source` is set by the import).
    pub rows: Vec<NewFiling>,
}

/// A filing a complete newer list no longer holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Absent {
    pub company: String,
    pub item: String,
    pub filing_no: Option<String>,
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// The batch created; `None` when the same file was imported before.
    pub batch: Option<i64>,
    /// The earlier batch of the same file, when this import was a no-op.
    pub already_imported_as: Option<i64>,
    pub source: String,
    pub rows: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Companies new to the registry.
    pub new_companies: usize,
    /// Rows whose company name was unknown but whose distinctive item one
    /// known company had filed: linked to that company.
    pub linked_by_item: usize,
    /// Rows whose company name the matcher resolved to one known company
    /// (a legal name, brand or former name it knows): linked to it.
    pub linked_by_name: usize,
    /// Listed company names that are near known companies, but not surely
    /// one of them: kept as new companies, for a person to check.
    pub uncertain: Vec<UncertainLink>,
    /// Filings of earlier lists of the same regime and scope that this
    /// (complete) list lacks: marked `absent-from-newer`, not deleted.
    pub absent: Vec<Absent>,
}

/// A listed company name the import could not surely link.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UncertainLink {
    /// The name as listed, kept as a new company.
    pub listed: String,
    /// Where it was first listed.
    pub location: String,
    /// Known companies it is near, best first, with their scores.
    pub candidates: Vec<(String, f64)>,
}

/// A stored filing as an import compares it: id, company and cells.
#[derive(Clone, Debug)]
struct Known {
    id: FilingId,
    company: CompanyId,
    fields: FilingFields,
}

impl Known {
    /// Whether a row lists this filing as stored (the cells an import may
    /// change: all but the listed company name and the sequence number,
    /// which differ from list to list).
    fn same(&self, company: CompanyId, row: &FilingFields) -> bool {
        self.company == company
            && self
                .fields
                .differing(row)
                .iter()
                .all(|f| matches!(*f, "company" | "seq"))
    }
}

impl Store {
    /// Starts a write: WAL mode, in which readers keep reading the last
    /// committed state while the write transaction is open.
    fn begin_write(&self) -> rusqlite::Result<()> {
        // Changing the journal mode needs the file to itself: another
        // import's write (or its switch back) can make it answer "busy"
        // at once, busy timeout or not. Retried for up to ten seconds, as
        // the busy timeout waits for a lock.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            {
                Ok(_) => return Ok(()),
                Err(rusqlite::Error::SqliteFailure(f, _))
                    if matches!(
                        f.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Starts a write in WAL mode: an immediate transaction, which takes the
    /// write lock at once (another writer waits, up to the busy timeout).
    fn write_transaction(&mut self) -> Result<Transaction<'_>, StoreError> {
        self.begin_write().map_err(|e| self.write_error(e))?;
        let origin = self.origin.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| StoreError::Write { origin, source })
    }

    /// Ends a write: the file goes back to a rollback journal, so that it
    /// can be read where it cannot be written (a read-only directory), as a
    /// WAL file cannot. Best effort: with other connections open the file
    /// stays in WAL mode, which is still correct.
    fn settle(&self) {
        let _ = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            });
    }

    /// Imports a list as one batch, in one transaction.
    ///
    /// `pause_after` (the [`PAUSE_ENV`] test hook) stops the import after
    /// that many rows, with the transaction open, until the process is
    /// killed.
    pub fn import(
        &mut self,
        plan: &ImportPlan,
        pause_after: Option<usize>,
    ) -> Result<ImportReport, StoreError> {
        // The same file again is answered without writing at all.
        if let Some(report) = already_imported(&self.conn, plan).map_err(|e| self.write_error(e))? {
            return Ok(report);
        }
        let origin = self.origin.clone();
        let tx = self.write_transaction()?;
        // A file from before the derived data gets them in the same
        // transaction, and the name index is rebuilt for the new data.
        let report = tx
            .execute_batch(derived_sql())
            .and_then(|()| matcher_of(&tx))
            .and_then(|matcher| suspend_index_triggers(&tx).map(|()| matcher))
            .map_err(Failure::Sql)
            .and_then(|matcher| import_in(&tx, plan, &matcher, pause_after))
            .and_then(|r| {
                derive(&tx)?;
                Ok(r)
            })
            .map_err(|f| match f {
                Failure::Sql(source) => StoreError::Write {
                    origin: origin.clone(),
                    source,
                },
                Failure::SourceTaken(id) => StoreError::Conflict {
                    origin: origin.clone(),
                    message: format!(
                        "source id {id:?} is already an earlier import's; give this list another --source-id"
                    ),
                },
            })?;
        tx.commit().map_err(|source| StoreError::Write {
            origin: origin.clone(),
            source,
        })?;
        self.settle();
        Ok(report)
    }

    /// Writes the name index if the file has no usable one (made before the
    /// index existed, changed by another program, or by a build with
    /// another normaliser). Returns whether it wrote one.
    pub fn reindex(&mut self) -> Result<bool, StoreError> {
        if matches!(self.name_index()?, super::IndexState::Ready(_)) {
            return Ok(false);
        }
        let origin = self.origin.clone();
        let tx = self.write_transaction()?;
        derive(&tx)
            .and_then(|()| tx.commit())
            .map_err(|source| StoreError::Write { origin, source })?;
        self.settle();
        Ok(true)
    }
}

/// Why an import stopped.
enum Failure {
    Sql(rusqlite::Error),
    /// The source id is already an earlier source's.
    SourceTaken(String),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sql(e)
    }
}

/// The matcher over the registry `c` holds: its stored index, or one built.
fn matcher_of(c: &Connection) -> rusqlite::Result<Matcher> {
    if let Some(Ok(index)) = read::stored_index(c, true)? {
        return Ok(Matcher::from_index(index));
    }
    let snap = read::all(c).map_err(|e| match e {
        read::ReadError::Sql(e) => e,
        read::ReadError::Value(m) => rusqlite::Error::ToSqlConversionFailure(m.into()),
    })?;
    Ok(Matcher::new(&snap))
}

fn import_in(
    tx: &Transaction<'_>,
    plan: &ImportPlan,
    matcher: &Matcher,
    pause_after: Option<usize>,
) -> Result<ImportReport, Failure> {
    let regime = plan.regime;
    let mut report = ImportReport {
        rows: plan.rows.len(),
        ..ImportReport::default()
    };
    // The same file, same regime and scope (checked again inside the
    // transaction, in case another import landed meanwhile).
    if let Some(done) = already_imported(tx, plan)? {
        return Ok(done);
    }

    let mut source = plan.source.clone();
    let digest = source.sha256.clone().unwrap_or_default();
    if source.id.is_empty() {
        let short = &digest[..digest.len().min(12)];
        source.id = if plan.scope == NATIONAL {
            format!("import-{regime}-{short}")
        } else {
            format!("import-{regime}-{}-{short}", plan.scope)
        };
    }
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sources WHERE id = ?1)",
        [&source.id],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Failure::SourceTaken(source.id));
    }
    insert_source(
        &mut tx.prepare(
            "INSERT INTO sources (id, title, publisher, published, as_of, location,
                                  completeness, url, sha256, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?,
        &source,
    )?;
    report.source = source.id.clone();
    tx.execute(
        "INSERT INTO batches (source_id, regime, scope, imported_at, file_name, sha256, rows,
                              added, changed, absent)
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4, ?5, ?6, 0, 0, 0)",
        params![
            source.id,
            regime,
            plan.scope,
            source.location,
            digest,
            plan.rows.len() as i64
        ],
    )?;
    let batch = tx.last_insert_rowid();
    report.batch = Some(batch);

    let mut companies = company_index(tx)?;
    let (mut by_number, mut by_name) = filing_index(tx, regime)?;
    // The filings of each item name, for linking an unknown company name.
    let mut by_item: HashMap<String, Vec<Known>> = HashMap::new();
    for ((_, item), known) in &by_name {
        by_item.entry(item.clone()).or_default().push(known.clone());
    }

    let mut insert_company = tx.prepare(
        "INSERT INTO companies (name, legal_name, english_name, group_name, source, note)
         VALUES (?1, NULL, NULL, NULL, ?2, 'first seen in an imported list')",
    )?;
    let mut insert_filing = FilingInsert::new(tx)?;
    let mut update_filing = tx.prepare(
        "UPDATE filings SET company_id = ?2, company_listed = ?3, item = ?16, item_listed = ?4,
                seq = ?5, filing_no = ?6, role = ?7, product = ?8, region = ?9, filed_on = ?10,
                source_id = ?11, location = ?12, status = ?20, purpose = ?13, remark = ?14,
                batch = ?15, note = COALESCE(?17, note), list = COALESCE(?18, list),
                item_kind = ?19, status_on = ?21, status_source = NULL
         WHERE id = ?1",
    )?;
    let mut touch_filing = tx.prepare(
        "UPDATE filings SET source_id = ?2, location = ?3, status = ?5, batch = ?4,
                status_on = ?6, status_source = NULL
         WHERE id = ?1",
    )?;
    let mut member = tx.prepare(
        "INSERT OR REPLACE INTO batch_filings (batch_id, filing_id, listed) VALUES (?1, ?2, ?3)",
    )?;
    let batch_label = format!("batch {batch}");

    for (done, row) in plan.rows.iter().enumerate() {
        if pause_after == Some(done) {
            let _ = writeln!(
                std::io::stderr(),
                "filing-check: import paused after {done} rows ({PAUSE_ENV})"
            );
            std::thread::sleep(std::time::Duration::from_secs(600));
        }
        let fields = &row.fields;
        // The registry's names: the listed cells, unless the reader
        // corrected them (a stray character, swapped columns).
        let company_key = name_key(&row.company);
        let item_key = name_key(&row.item);
        let known_company = companies
            .get(&company_key)
            .copied()
            .or_else(|| {
                // An unknown name for a distinctive item one company already
                // filed: the list names that company by another name (its
                // legal entity, usually). The row's name is kept as listed.
                let number = fields.filing_no.as_deref();
                let id = by_item_owner(&by_item, &item_key, &fields.item, number)?;
                report.linked_by_item += 1;
                Some(id)
            })
            .or_else(|| {
                // A name the registry already answers for (稀宇科技 for
                // 上海稀宇科技有限公司): the same company, by the matcher's
                // rules. A near name that is not surely one company is kept
                // apart, and reported.
                match matcher.company_named(&row.company) {
                    CompanyLink::Certain(id) => {
                        report.linked_by_name += 1;
                        companies.insert(company_key.clone(), id);
                        Some(id)
                    }
                    CompanyLink::Uncertain(candidates) => {
                        if !report.uncertain.iter().any(|u| u.listed == fields.company) {
                            report.uncertain.push(UncertainLink {
                                listed: fields.company.clone(),
                                location: row.location.clone(),
                                candidates,
                            });
                        }
                        None
                    }
                    CompanyLink::None => None,
                }
            });
        let company_id = match known_company {
            Some(id) => id,
            None => {
                // The listed name may already be a company (UNIQUE name).
                let existing: Option<CompanyId> = tx
                    .query_row(
                        "SELECT id FROM companies WHERE name = ?1",
                        [&row.company],
                        |r| r.get(0),
                    )
                    .optional()?;
                let id = match existing {
                    Some(id) => id,
                    None => {
                        insert_company.execute(params![row.company, source.id])?;
                        report.new_companies += 1;
                        CompanyId(tx.last_insert_rowid())
                    }
                };
                companies.insert(company_key, id);
                id
            }
        };
        let number = fields.filing_no.as_deref().and_then(number_key);
        let known = number
            .as_ref()
            .and_then(|k| by_number.get(k).cloned())
            .or_else(|| by_name.get(&(company_id, item_key.clone())).cloned());
        let listed = serde_json::to_string(fields).unwrap_or_default();
        let filing_id = match known {
            Some(old) => {
                if !old.same(company_id, fields) {
                    update_filing.execute(params![
                        old.id,
                        company_id,
                        fields.company,
                        fields.item,
                        fields.seq,
                        fields.filing_no,
                        fields.role,
                        fields.product,
                        fields.region,
                        fields.filed_on,
                        source.id,
                        row.location,
                        fields.purpose,
                        fields.remark,
                        batch_label,
                        row.item,
                        row.note,
                        row.list,
                        row.item_kind,
                        row.status,
                        row.status_on
                    ])?;
                    report.changed += 1;
                } else {
                    touch_filing.execute(params![
                        old.id,
                        source.id,
                        row.location,
                        batch_label,
                        row.status,
                        row.status_on
                    ])?;
                    report.unchanged += 1;
                }
                let stored = Known {
                    id: old.id,
                    company: company_id,
                    fields: fields.clone(),
                };
                if let Some(k) = number {
                    by_number.insert(k, stored.clone());
                }
                let owners = by_item.entry(item_key.clone()).or_default();
                owners.retain(|s| s.id != old.id);
                owners.push(stored.clone());
                by_name.insert((company_id, item_key), stored);
                old.id
            }
            None => {
                let new = NewFiling {
                    regime,
                    batch: Some(batch_label.clone()),
                    source: source.id.clone(),
                    // Listed, unless the list says it was cancelled (a
                    // 备注 of 已注销, a cancellation notice).
                    ..row.clone()
                };
                let id = insert_filing.run(None, company_id, &new)?;
                report.added += 1;
                let stored = Known {
                    id,
                    company: company_id,
                    fields: fields.clone(),
                };
                if let Some(k) = number {
                    by_number.insert(k, stored.clone());
                }
                by_item
                    .entry(item_key.clone())
                    .or_default()
                    .push(stored.clone());
                by_name.insert((company_id, item_key), stored);
                id
            }
        };
        member.execute(params![batch, filing_id, listed])?;
    }

    // A complete list of a scope: what earlier lists of that scope held and
    // this one lacks is marked, and reported.
    if plan.source.completeness == Completeness::Complete {
        let mut st = tx.prepare(
            "SELECT DISTINCT f.id, c.name, f.item, f.filing_no
             FROM filings f
             JOIN companies c ON c.id = f.company_id
             JOIN batch_filings bf ON bf.filing_id = f.id
             JOIN batches b ON b.id = bf.batch_id
             WHERE b.regime = ?1 AND b.scope = ?2 AND b.id <> ?3 AND f.status = 'listed'
               AND f.id NOT IN (SELECT filing_id FROM batch_filings WHERE batch_id = ?3)
             ORDER BY f.id",
        )?;
        let gone: Vec<(FilingId, Absent)> = st
            .query_map(params![regime, plan.scope, batch], |r| {
                Ok((
                    r.get(0)?,
                    Absent {
                        company: r.get(1)?,
                        item: r.get(2)?,
                        filing_no: r.get(3)?,
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        for (id, _) in &gone {
            tx.execute(
                "UPDATE filings SET status = ?2 WHERE id = ?1",
                params![id, FilingStatus::AbsentFromNewer],
            )?;
        }
        report.absent = gone.into_iter().map(|(_, a)| a).collect();
    }
    tx.execute(
        "UPDATE batches SET added = ?2, changed = ?3, absent = ?4 WHERE id = ?1",
        params![
            batch,
            report.added as i64,
            report.changed as i64,
            report.absent.len() as i64
        ],
    )?;
    Ok(report)
}

/// The one company that filed a distinctive item, if exactly one did and
/// its number (if any) does not contradict the row's.
fn by_item_owner(
    by_item: &HashMap<String, Vec<Known>>,
    item_key: &str,
    item: &str,
    number: Option<&str>,
) -> Option<CompanyId> {
    // Generic names (文本生成算法, 智能客服算法) say nothing about who
    // filed them.
    const GENERIC: &[&str] = &[
        "文本",
        "图像",
        "图片",
        "语音",
        "视频",
        "音频",
        "对话",
        "智能",
        "生成",
        "合成",
        "问答",
        "客服",
        "翻译",
        "写作",
        "搜索",
        "推荐",
        "数字人",
        "虚拟人",
        "人脸",
        "换脸",
        "绘画",
    ];
    let core = normalize::normalize(item).core;
    if core.chars().count() < 2 || GENERIC.iter().any(|g| core.contains(g)) {
        return None;
    }
    let owners: Vec<&Known> = by_item.get(item_key).into_iter().flatten().collect();
    let [only] = owners[..] else {
        return None;
    };
    let agrees = match (
        only.fields.filing_no.as_deref(),
        number.and_then(number_key),
    ) {
        (Some(have), Some(want)) => number_key(have).as_deref() == Some(want.as_str()),
        _ => true,
    };
    agrees.then_some(only.company)
}

/// The report of an import already done: the same file for the same regime
/// and scope was imported as an earlier batch.
fn already_imported(
    conn: &Connection,
    plan: &ImportPlan,
) -> rusqlite::Result<Option<ImportReport>> {
    let found = conn
        .query_row(
            "SELECT id, source_id FROM batches WHERE sha256 = ?1 AND regime = ?2 AND scope = ?3",
            params![plan.source.sha256, plan.regime, plan.scope],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?;
    Ok(found.map(|(batch, source)| ImportReport {
        already_imported_as: Some(batch),
        source,
        rows: plan.rows.len(),
        ..ImportReport::default()
    }))
}

/// Every name a company is known by, normalised, to its id.
fn company_index(tx: &Transaction<'_>) -> rusqlite::Result<HashMap<String, CompanyId>> {
    let mut out = HashMap::new();
    let mut st = tx.prepare("SELECT id, name, legal_name, english_name FROM companies")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, CompanyId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (id, name, legal, english) = row?;
        for n in [Some(name), legal, english].into_iter().flatten() {
            out.entry(name_key(&n)).or_insert(id);
        }
    }
    let mut st = tx.prepare(
        "SELECT c.id, a.alias FROM aliases a JOIN companies c ON c.name = a.name
         WHERE a.entity = 'company'",
    )?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, CompanyId>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, alias) = row?;
        out.entry(name_key(&alias)).or_insert(id);
    }
    out.retain(|k, _| !k.is_empty());
    Ok(out)
}

type FilingIndex = (HashMap<String, Known>, HashMap<(CompanyId, String), Known>);

/// The regime's filings by number and by (company, item).
fn filing_index(tx: &Transaction<'_>, regime: Regime) -> rusqlite::Result<FilingIndex> {
    let mut by_number = HashMap::new();
    let mut by_name = HashMap::new();
    let mut st = tx.prepare(&format!(
        "SELECT id, company_id, item, {} FROM filings WHERE regime = ?1 ORDER BY id",
        read::FIELD_COLUMNS
    ))?;
    let rows = st.query_map([regime], |r| {
        // Compared on the registry's item name (corrected where the list
        // broke it), as an export writes it.
        let mut fields = read::fields_at(r, 3)?;
        fields.item = r.get(2)?;
        Ok(Known {
            id: r.get(0)?,
            company: r.get(1)?,
            fields,
        })
    })?;
    for row in rows {
        let k = row?;
        if let Some(n) = k.fields.filing_no.as_deref().and_then(number_key) {
            by_number.insert(n, k.clone());
        }
        by_name.insert((k.company, name_key(&k.fields.item)), k);
    }
    Ok((by_number, by_name))
}
