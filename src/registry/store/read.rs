//! The queries that read a registry file into the model's types.
//!
//! Every column is read as its model type (the text enums and ids convert
//! themselves); a value the types refuse is damage, reported by the store.

use rusqlite::{Connection, OptionalExtension, Row};

use crate::matcher::{IndexError, NameIndex};
use crate::model::{
    Alias, Batch, Company, Corroboration, Filing, FilingFields, FilingId, NewFiling, OfficialList,
    Regime, RegimeInfo, Snapshot, Source,
};

pub(super) enum ReadError {
    Sql(rusqlite::Error),
    Value(String),
}

impl From<rusqlite::Error> for ReadError {
    fn from(e: rusqlite::Error) -> Self {
        ReadError::Sql(e)
    }
}

/// The whole registry.
pub(super) fn all(c: &Connection) -> Result<Snapshot, ReadError> {
    let mut snap = meta(c)?;
    snap.companies = companies(c, "", [])?;
    snap.filings = filings(c, "", [])?;
    snap.aliases = aliases(c)?;
    Ok(snap)
}

/// The registry with only the filings of `ids` and their companies; see
/// [`super::Reading::partial_snapshot`].
pub(super) fn partial(c: &Connection, ids: &[FilingId]) -> Result<Snapshot, ReadError> {
    let mut snap = meta(c)?;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        snap.filings.extend(filings(c, "WHERE f.id = ?1", [id])?);
    }
    let mut companies_of: Vec<_> = snap.filings.iter().map(|f| f.company_id).collect();
    companies_of.sort_unstable();
    companies_of.dedup();
    for id in companies_of {
        snap.companies.extend(companies(c, "WHERE id = ?1", [id])?);
    }
    let mut st = c.prepare_cached(
        "SELECT r.id, s.id FROM regimes r, sources s
         WHERE EXISTS (SELECT 1 FROM filings f WHERE f.regime = r.id AND f.source_id = s.id)
         ORDER BY r.id, s.id",
    )?;
    let pairs: Vec<(Regime, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    snap.partial = Some(pairs);
    Ok(snap)
}

/// Regimes, sources and batches: the small tables, always read whole.
fn meta(c: &Connection) -> Result<Snapshot, ReadError> {
    let mut snap = Snapshot::default();
    let mut st = c.prepare_cached(
        "SELECT id, title, title_en, issued, in_force, defines, applies_to,
                filing_number_label, source_id, note FROM regimes ORDER BY id DESC",
    )?;
    snap.regimes = st
        .query_map([], |r| {
            Ok(RegimeInfo {
                id: r.get(0)?,
                title: r.get(1)?,
                title_en: r.get(2)?,
                issued: r.get(3)?,
                in_force: r.get(4)?,
                defines: r.get(5)?,
                applies_to: r.get(6)?,
                filing_number_label: r.get(7)?,
                source_id: r.get(8)?,
                note: r.get(9)?,
            })
        })?
        .collect::<Result<_, _>>()?;

    let mut st = c.prepare_cached(
        "SELECT id, regime, kind, scope, title, publisher, page, complete, as_of, held,
                announced_total, announced_as_of, announced_on, announced_source, note
         FROM lists ORDER BY id",
    )?;
    snap.lists = st
        .query_map([], |r| {
            Ok(OfficialList {
                id: r.get(0)?,
                regime: r.get(1)?,
                kind: r.get(2)?,
                scope: r.get(3)?,
                title: r.get(4)?,
                publisher: r.get(5)?,
                page: r.get(6)?,
                complete: r.get(7)?,
                as_of: r.get(8)?,
                held: r.get(9)?,
                announced_total: r.get(10)?,
                announced_as_of: r.get(11)?,
                announced_on: r.get(12)?,
                announced_source: r.get(13)?,
                note: r.get(14)?,
            })
        })?
        .collect::<Result<_, _>>()?;

    let mut st = c.prepare_cached(
        "SELECT id, title, publisher, published, as_of, location, completeness, url,
                sha256, note FROM sources ORDER BY as_of, id",
    )?;
    snap.sources = st
        .query_map([], |r| {
            Ok(Source {
                id: r.get(0)?,
                title: r.get(1)?,
                publisher: r.get(2)?,
                published: r.get(3)?,
                as_of: r.get(4)?,
                location: r.get(5)?,
                completeness: r.get(6)?,
                url: r.get(7)?,
                sha256: r.get(8)?,
                note: r.get(9)?,
            })
        })?
        .collect::<Result<_, _>>()?;

    let mut st = c.prepare_cached(
        "SELECT id, source_id, regime, scope, imported_at, file_name, sha256, rows, added,
                changed, absent
         FROM batches ORDER BY id",
    )?;
    snap.batches = st
        .query_map([], |r| {
            Ok(Batch {
                id: r.get(0)?,
                source_id: r.get(1)?,
                regime: r.get(2)?,
                scope: r.get(3)?,
                imported_at: r.get(4)?,
                file_name: r.get(5)?,
                sha256: r.get(6)?,
                rows: r.get(7)?,
                added: r.get(8)?,
                changed: r.get(9)?,
                absent: r.get(10)?,
            })
        })?
        .collect::<Result<_, _>>()?;

    let mut st = c.prepare_cached(
        "SELECT filing_no, source_id, location, quote, note FROM corroborations ORDER BY id",
    )?;
    snap.corroborations = st
        .query_map([], |r| {
            Ok(Corroboration {
                filing_no: r.get(0)?,
                source: r.get(1)?,
                location: r.get(2)?,
                quote: r.get(3)?,
                note: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(snap)
}

/// Companies, all or those `filter` (a WHERE clause with `params`) selects.
fn companies(
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

/// The columns of the listed cells, in the order [`fields_at`] reads them.
pub(super) const FIELD_COLUMNS: &str = "seq, company_listed, item_listed, filing_no, role,
    product, purpose, region, filed_on, remark";

/// The listed cells of a filing, from [`FIELD_COLUMNS`] starting at `first`.
pub(super) fn fields_at(r: &Row<'_>, first: usize) -> rusqlite::Result<FilingFields> {
    Ok(FilingFields {
        seq: r.get(first)?,
        company: r.get(first + 1)?,
        item: r.get(first + 2)?,
        filing_no: r.get(first + 3)?,
        role: r.get(first + 4)?,
        product: r.get(first + 5)?,
        purpose: r.get(first + 6)?,
        region: r.get(first + 7)?,
        filed_on: r.get(first + 8)?,
        remark: r.get(first + 9)?,
    })
}

/// One filing from a row of `f.id, f.company_id, c.name, f.regime,
/// f.item_kind, f.item, f.batch, f.source_id, f.location, f.status,
/// f.status_on, f.status_source, f.note, f.list, f.same_as`, then
/// [`FIELD_COLUMNS`].
fn filing(r: &Row<'_>) -> rusqlite::Result<Filing> {
    Ok(Filing {
        id: r.get(0)?,
        company_id: r.get(1)?,
        entry: NewFiling {
            company: r.get(2)?,
            regime: r.get(3)?,
            item_kind: r.get(4)?,
            item: r.get(5)?,
            batch: r.get(6)?,
            source: r.get(7)?,
            location: r.get(8)?,
            status: r.get(9)?,
            status_on: r.get(10)?,
            status_source: r.get(11)?,
            note: r.get(12)?,
            list: r.get(13)?,
            same_as: r.get(14)?,
            fields: fields_at(r, 15)?,
        },
    })
}

/// Filings, all or those `filter` (a WHERE clause with `params`) selects.
fn filings(
    c: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Filing>, ReadError> {
    let mut st = c.prepare_cached(&format!(
        "SELECT f.id, f.company_id, c.name, f.regime, f.item_kind, f.item, f.batch, f.source_id,
                f.location, f.status, f.status_on, f.status_source, f.note, f.list,
                f.same_as, {FIELD_COLUMNS}
         FROM filings f JOIN companies c ON c.id = f.company_id
         {filter} ORDER BY f.id"
    ))?;
    let filings = st.query_map(params, filing)?.collect::<Result<_, _>>()?;
    Ok(filings)
}

fn aliases(c: &Connection) -> Result<Vec<Alias>, ReadError> {
    let mut st = c.prepare_cached(
        "SELECT entity, name, alias, kind, source, note FROM aliases ORDER BY id",
    )?;
    let aliases = st
        .query_map([], |r| {
            Ok(Alias {
                entity: r.get(0)?,
                name: r.get(1)?,
                alias: r.get(2)?,
                kind: r.get(3)?,
                source: r.get(4)?,
                note: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(aliases)
}

/// The regime of an imported batch and the rows it listed, as listed.
pub(super) fn batch_rows(
    c: &Connection,
    batch: i64,
) -> Result<Option<(Regime, Vec<FilingFields>)>, ReadError> {
    let regime: Option<Regime> = c
        .query_row("SELECT regime FROM batches WHERE id = ?1", [batch], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(regime) = regime else {
        return Ok(None);
    };
    let mut st =
        c.prepare_cached("SELECT listed FROM batch_filings WHERE batch_id = ?1 ORDER BY rowid")?;
    let texts: Vec<String> = st
        .query_map([batch], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::with_capacity(texts.len());
    for t in texts {
        rows.push(serde_json::from_str(&t).map_err(|e| {
            ReadError::Value(format!("batch {batch}: a listed row is not readable: {e}"))
        })?);
    }
    Ok(Some((regime, rows)))
}

/// The name index stored in `c`, read (`None` when none is stored): checked
/// whole, or (`checked` false) to be checked as a lookup reads it.
pub(super) fn stored_index(
    c: &Connection,
    checked: bool,
) -> rusqlite::Result<Option<Result<NameIndex, IndexError>>> {
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
    Ok(Some(if checked {
        NameIndex::from_bytes(bytes)
    } else {
        NameIndex::from_bytes_lazy(bytes)
    }))
}
