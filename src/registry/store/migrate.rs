//! Schema versions, and how a registry file moves from one to the next.
//!
//! `schema.sql` is the schema of a new file at [`SCHEMA_VERSION`]. A file of
//! an older version is brought up by the numbered steps below, in order, in
//! one transaction: it lands at the current version or stays as it was. Each
//! step is the SQL that turns version `n - 1` into `n`; a step never edits an
//! earlier one. Derived data (indexes, triggers, the name index) are made
//! again after the last step, as every write does.

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this build reads and writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 5;

/// The oldest version this build can bring up to [`SCHEMA_VERSION`].
pub const OLDEST: i64 = 1;

/// `(n, SQL)`: the step from version `n - 1` to version `n`.
const STEPS: &[(i64, &str)] = &[
    // 2: imports. Filings keep 主要用途 and 备注 as listed; each imported
    // list is a batch, with the rows it listed.
    (
        2,
        "ALTER TABLE filings ADD COLUMN purpose TEXT;
         ALTER TABLE filings ADD COLUMN remark TEXT;
         DROP INDEX IF EXISTS filings_regime;
         CREATE TABLE batches (
             id           INTEGER PRIMARY KEY,
             source_id    TEXT NOT NULL REFERENCES sources(id),
             regime       TEXT NOT NULL REFERENCES regimes(id),
             scope        TEXT NOT NULL,
             imported_at  TEXT NOT NULL,
             file_name    TEXT,
             sha256       TEXT NOT NULL,
             rows         INTEGER NOT NULL,
             added        INTEGER NOT NULL,
             changed      INTEGER NOT NULL,
             absent       INTEGER NOT NULL
         );
         CREATE TABLE batch_filings (
             batch_id   INTEGER NOT NULL REFERENCES batches(id),
             filing_id  INTEGER NOT NULL REFERENCES filings(id),
             listed     TEXT NOT NULL,
             PRIMARY KEY (batch_id, filing_id)
         );
         CREATE INDEX batch_filings_filing ON batch_filings(filing_id);",
    ),
    // 3: the official lists' sequence numbers, and cancelled filings (with
    // when, and who says so). SQLite cannot change a CHECK constraint, so
    // the table is made again (https://sqlite.org/lang_altertable.html,
    // "other kinds of table schema changes"); 'revoked' was never written.
    (
        3,
        "CREATE TABLE filings_v3 (
             id              INTEGER PRIMARY KEY,
             regime          TEXT NOT NULL REFERENCES regimes(id),
             company_id      INTEGER NOT NULL REFERENCES companies(id),
             company_listed  TEXT NOT NULL,
             item            TEXT NOT NULL,
             item_listed     TEXT NOT NULL,
             item_kind       TEXT NOT NULL CHECK (item_kind IN ('model', 'algorithm', 'service')),
             seq             TEXT,
             filing_no       TEXT,
             role            TEXT,
             product         TEXT,
             purpose         TEXT,
             region          TEXT,
             filed_on        TEXT,
             remark          TEXT,
             batch           TEXT,
             source_id       TEXT NOT NULL REFERENCES sources(id),
             location        TEXT NOT NULL,
             status          TEXT NOT NULL DEFAULT 'listed'
                             CHECK (status IN ('listed', 'absent-from-newer', 'cancelled')),
             status_on       TEXT,
             status_source   TEXT REFERENCES sources(id),
             note            TEXT
         );
         INSERT INTO filings_v3 (id, regime, company_id, company_listed, item, item_listed,
                                 item_kind, filing_no, role, product, purpose, region, filed_on,
                                 remark, batch, source_id, location, status, note)
             SELECT id, regime, company_id, company_listed, item, item_listed, item_kind,
                    filing_no, role, product, purpose, region, filed_on, remark, batch,
                    source_id, location,
                    CASE status WHEN 'revoked' THEN 'cancelled' ELSE status END, note
             FROM filings;
         DROP TABLE filings;
         ALTER TABLE filings_v3 RENAME TO filings;
         CREATE INDEX filings_company ON filings(company_id);
         CREATE INDEX filings_filing_no ON filings(filing_no) WHERE filing_no IS NOT NULL;",
    ),
    // 4: the regulator's official lists (what each holds, whether it is held
    // whole, the announced totals), the list each row is on, and the
    // official filing a row of another source describes.
    (
        4,
        "CREATE TABLE lists (
             id                TEXT PRIMARY KEY,
             regime            TEXT NOT NULL REFERENCES regimes(id),
             kind              TEXT NOT NULL CHECK (kind IN ('filings', 'registrations', 'algorithms')),
             scope             TEXT NOT NULL,
             title             TEXT NOT NULL,
             publisher         TEXT NOT NULL,
             page              TEXT,
             complete          INTEGER NOT NULL CHECK (complete IN (0, 1)),
             as_of             TEXT NOT NULL,
             held              TEXT,
             announced_total   TEXT,
             announced_as_of   TEXT,
             announced_on      TEXT,
             announced_source  TEXT,
             note              TEXT
         );
         ALTER TABLE filings ADD COLUMN list TEXT REFERENCES lists(id);
         ALTER TABLE filings ADD COLUMN same_as TEXT;",
    ),
    // 5: aliases of a group (字节跳动 → ByteDance), and second sources for
    // official filings. The aliases table is made again for its CHECK.
    (
        5,
        "CREATE TABLE aliases_v5 (
             id      INTEGER PRIMARY KEY,
             entity  TEXT NOT NULL CHECK (entity IN ('company', 'item', 'group')),
             name    TEXT NOT NULL,
             alias   TEXT NOT NULL,
             kind    TEXT NOT NULL CHECK (kind IN ('legal_name', 'english_name', 'brand',
                                                   'product_name', 'former_name', 'pinyin')),
             source  TEXT NOT NULL,
             note    TEXT,
             UNIQUE (entity, name, alias)
         );
         INSERT INTO aliases_v5 (id, entity, name, alias, kind, source, note)
             SELECT id, entity, name, alias, kind, source, note FROM aliases;
         DROP TABLE aliases;
         ALTER TABLE aliases_v5 RENAME TO aliases;
         CREATE TABLE corroborations (
             id         INTEGER PRIMARY KEY,
             filing_no  TEXT NOT NULL,
             source_id  TEXT NOT NULL REFERENCES sources(id),
             location   TEXT NOT NULL,
             quote      TEXT,
             note       TEXT
         );
         CREATE INDEX corroborations_filing_no ON corroborations(filing_no);",
    ),
];

/// Why a file could not be brought up to this build's schema.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("step to version {to}: {source}")]
    Step {
        to: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error("after the upgrade, {0} rows point at nothing")]
    Dangling(usize),
}

/// Brings `conn` from its version to [`SCHEMA_VERSION`], in one
/// transaction; the name index is written again for the upgraded data.
pub fn upgrade(conn: &mut Connection) -> Result<(), MigrateError> {
    // Remaking a table that others reference needs foreign keys off while
    // it happens (they are checked at the end); the pragma is a no-op
    // inside a transaction, so it goes first.
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let result = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have upgraded the file meanwhile.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for &(to, sql) in STEPS.iter().filter(|(to, _)| *to > now) {
            tx.execute_batch(sql)
                .and_then(|()| tx.pragma_update(None, "user_version", to))
                .map_err(|source| MigrateError::Step { to, source })?;
        }
        let dangling: usize = tx
            .prepare("PRAGMA foreign_key_check")?
            .query_map([], |_| Ok(()))?
            .count();
        if dangling > 0 {
            return Err(MigrateError::Dangling(dangling));
        }
        super::write::derive(&tx)?;
        tx.commit()?;
        Ok(())
    })();
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_are_numbered_without_gaps_up_to_the_current_version() {
        let numbers: Vec<i64> = STEPS.iter().map(|s| s.0).collect();
        let want: Vec<i64> = (OLDEST + 1..=SCHEMA_VERSION).collect();
        assert_eq!(numbers, want);
    }

    /// The columns of every table, as SQLite reports them.
    fn columns(conn: &Connection) -> Vec<(String, String, String, bool, bool)> {
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                 ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut out = Vec::new();
        for t in tables {
            let mut st = conn
                .prepare(&format!("SELECT name, type, \"notnull\", pk FROM pragma_table_info('{t}') ORDER BY name"))
                .unwrap();
            let cols = st
                .query_map([], |r| {
                    Ok((
                        t.clone(),
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, bool>(3)?,
                    ))
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            out.extend(cols);
        }
        out
    }

    #[test]
    fn every_old_schema_upgrades_to_the_schema_of_a_new_file() {
        let new = Connection::open_in_memory().unwrap();
        new.execute_batch(super::super::SCHEMA_SQL).unwrap();
        for (version, sql) in [
            (1, include_str!("../../../tests/fixtures/schema-v1.sql")),
            (2, include_str!("../../../tests/fixtures/schema-v2.sql")),
            (3, include_str!("../../../tests/fixtures/schema-v3.sql")),
        ] {
            let mut old = Connection::open_in_memory().unwrap();
            old.execute_batch(sql).unwrap();
            upgrade(&mut old).unwrap();
            let v: i64 = old
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, SCHEMA_VERSION);
            assert_eq!(columns(&old), columns(&new), "from version {version}");
        }
    }
}
