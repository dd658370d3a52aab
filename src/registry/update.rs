//! Writing to a registry file: importing a published list as one batch.
//!
//! An import is one SQLite transaction: it either lands whole or not at all,
//! even if the process is killed halfway, and readers keep seeing the
//! previous state until it commits (the file is in WAL mode). Importing the
//! same file again for the same regime and scope changes nothing. Imported
//! companies are linked to known ones through the same normalised names the
//! matcher uses (listed, legal and English names, aliases), so a new filing
//! of 北京智谱华章科技有限公司 is 智谱AI's.

use std::collections::HashMap;
use std::io::Write;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::store::{self, Store, StoreError};
// A row's identity across lists is its filing number when it has one, else
// its company and item, each compared as these keys.
use crate::filing_no::compare_key as number_key;
use crate::import::ListRow;
use crate::model::{Completeness, Regime};
use crate::normalize::{self, compare_key as name_key};

/// The scope of a national list.
pub const NATIONAL: &str = "national";

/// What an import records about its source.
#[derive(Clone, Debug)]
pub struct SourceMeta {
    /// The source's id; derived from the regime and the file's digest when
    /// not given.
    pub id: Option<String>,
    pub title: String,
    pub publisher: String,
    pub published: Option<String>,
    pub as_of: String,
    pub url: Option<String>,
    pub completeness: Completeness,
    pub file_name: Option<String>,
    pub sha256: String,
}

/// One list to import.
#[derive(Clone, Debug)]
pub struct ImportPlan {
    pub regime: Regime,
    /// `national`, or the region the list covers.
    pub scope: String,
    pub source: SourceMeta,
    pub rows: Vec<ListRow>,
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
    /// Filings of earlier lists of the same regime and scope that this
    /// (complete) list lacks: marked `absent-from-newer`, not deleted.
    pub absent: Vec<Absent>,
}

/// The stored fields of a filing an import may change.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stored {
    id: i64,
    company_id: i64,
    item: String,
    filing_no: Option<String>,
    role: Option<String>,
    product: Option<String>,
    purpose: Option<String>,
    region: Option<String>,
    filed_on: Option<String>,
    remark: Option<String>,
}

impl Stored {
    /// A filing as a list row gives it.
    fn of(id: i64, company_id: i64, row: &ListRow) -> Stored {
        let number = row.filing_no.trim();
        Stored {
            id,
            company_id,
            item: row.item.clone(),
            filing_no: (!number.is_empty()).then(|| number.to_string()),
            role: row.role.clone(),
            product: row.product.clone(),
            purpose: row.purpose.clone(),
            region: row.region.clone(),
            filed_on: row.filed_on.clone(),
            remark: row.remark.clone(),
        }
    }
}

/// A test hook: the environment variable that pauses an import after that
/// many rows, inside its transaction, so a test can kill the process there.
pub const PAUSE_ENV: &str = "FILING_CHECK_TEST_PAUSE_IMPORT_AFTER";

impl Store {
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
        let origin = self.origin().clone();
        let write = |source| StoreError::Write {
            origin: origin.clone(),
            source,
        };
        // The same file again is answered without writing at all.
        if let Some(report) = already_imported(self.conn_mut(), plan).map_err(write)? {
            return Ok(report);
        }
        self.begin_write().map_err(write)?;
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(write)?;
        // A file from before the derived data gets them in the same
        // transaction, and the name index is rebuilt for the new data.
        let report = tx
            .execute_batch(store::derived_sql())
            .and_then(|()| store::suspend_index_triggers(&tx))
            .map_err(Failure::Sql)
            .and_then(|()| import_in(&tx, plan, pause_after))
            .and_then(|r| {
                store::refresh_index(&tx)?;
                tx.execute_batch(store::derived_sql())?;
                Ok(r)
            })
            .map_err(|f| match f {
            Failure::Sql(e) => write(e),
            Failure::SourceTaken(id) => StoreError::Conflict {
                origin: origin.clone(),
                message: format!(
                    "source id {id:?} is already an earlier import's; give this list another --source-id"
                ),
            },
        })?;
        tx.commit().map_err(write)?;
        self.settle();
        Ok(report)
    }
}

impl Store {
    /// Writes the name index if the file has no usable one (made before the
    /// index existed, changed by another program, or by a build with
    /// another normaliser). Returns whether it wrote one.
    pub fn reindex(&mut self) -> Result<bool, StoreError> {
        let origin = self.origin().clone();
        let write = |source| StoreError::Write {
            origin: origin.clone(),
            source,
        };
        if matches!(self.name_index()?, super::IndexState::Ready(_)) {
            return Ok(false);
        }
        self.begin_write().map_err(write)?;
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(write)?;
        tx.execute_batch(store::derived_sql())
            .and_then(|()| store::refresh_index(&tx))
            .and_then(|()| tx.commit())
            .map_err(write)?;
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

fn import_in(
    tx: &Transaction<'_>,
    plan: &ImportPlan,
    pause_after: Option<usize>,
) -> Result<ImportReport, Failure> {
    let src = &plan.source;
    let regime = plan.regime.as_str();
    let mut report = ImportReport {
        rows: plan.rows.len(),
        ..ImportReport::default()
    };
    // The same file, same regime and scope (checked again inside the
    // transaction, in case another import landed meanwhile).
    if let Some(done) = already_imported(tx, plan)? {
        return Ok(done);
    }

    let source_id = src.id.clone().unwrap_or_else(|| {
        if plan.scope == NATIONAL {
            format!("import-{regime}-{}", &src.sha256[..12])
        } else {
            format!("import-{regime}-{}-{}", plan.scope, &src.sha256[..12])
        }
    });
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sources WHERE id = ?1)",
        [&source_id],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Failure::SourceTaken(source_id));
    }
    tx.execute(
        "INSERT INTO sources (id, title, publisher, published, as_of, location, completeness,
                              url, sha256, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)",
        params![
            source_id,
            src.title,
            src.publisher,
            src.published,
            src.as_of,
            src.file_name,
            src.completeness.as_str(),
            src.url,
            src.sha256
        ],
    )?;
    report.source = source_id.clone();
    tx.execute(
        "INSERT INTO batches (source_id, regime, scope, imported_at, file_name, sha256, rows,
                              added, changed, absent)
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4, ?5, ?6, 0, 0, 0)",
        params![
            source_id,
            regime,
            plan.scope,
            src.file_name,
            src.sha256,
            plan.rows.len() as i64
        ],
    )?;
    let batch = tx.last_insert_rowid();
    report.batch = Some(batch);

    let mut companies = company_index(tx)?;
    let (mut by_number, mut by_name) = filing_index(tx, regime)?;
    // The filings of each item name, for linking an unknown company name.
    let mut by_item: HashMap<String, Vec<Stored>> = HashMap::new();
    for ((_, item), stored) in &by_name {
        by_item
            .entry(item.clone())
            .or_default()
            .push(stored.clone());
    }

    let mut insert_company = tx.prepare(
        "INSERT INTO companies (name, legal_name, english_name, group_name, source, note)
         VALUES (?1, NULL, NULL, NULL, ?2, 'first seen in an imported list')",
    )?;
    let mut insert_filing = tx.prepare(
        "INSERT INTO filings (regime, company_id, company_listed, item, item_listed, item_kind,
                              filing_no, role, product, region, filed_on, batch, source_id,
                              location, status, note, purpose, remark)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'listed', NULL,
                 ?14, ?15)",
    )?;
    let mut update_filing = tx.prepare(
        "UPDATE filings SET company_id = ?2, company_listed = ?3, item = ?4, item_listed = ?4,
                filing_no = ?5, role = ?6, product = ?7, region = ?8, filed_on = ?9,
                source_id = ?10, location = ?11, status = 'listed', purpose = ?12, remark = ?13,
                batch = ?14
         WHERE id = ?1",
    )?;
    let mut touch_filing = tx.prepare(
        "UPDATE filings SET source_id = ?2, location = ?3, status = 'listed', batch = ?4
         WHERE id = ?1",
    )?;
    let mut member = tx.prepare(
        "INSERT OR REPLACE INTO batch_filings (batch_id, filing_id, listed) VALUES (?1, ?2, ?3)",
    )?;
    let item_kind = ListRow::item_kind(plan.regime).as_str();
    let batch_label = format!("batch {batch}");

    for (done, row) in plan.rows.iter().enumerate() {
        if pause_after == Some(done) {
            let _ = writeln!(
                std::io::stderr(),
                "filing-check: import paused after {done} rows ({PAUSE_ENV})"
            );
            std::thread::sleep(std::time::Duration::from_secs(600));
        }
        let company_key = name_key(&row.company);
        let item_key = name_key(&row.item);
        let known_company = companies.get(&company_key).copied().or_else(|| {
            // An unknown name for a distinctive item one company already
            // filed: the list names that company by another name (its legal
            // entity, usually). The row's name is kept as listed.
            let id = by_item_owner(&by_item, &item_key, &row.item, &row.filing_no)?;
            report.linked_by_item += 1;
            Some(id)
        });
        let company_id = match known_company {
            Some(id) => id,
            None => {
                // The listed name may already be a company (UNIQUE name).
                let existing: Option<i64> = tx
                    .query_row(
                        "SELECT id FROM companies WHERE name = ?1",
                        [&row.company],
                        |r| r.get(0),
                    )
                    .optional()?;
                let id = match existing {
                    Some(id) => id,
                    None => {
                        insert_company.execute(params![row.company, source_id])?;
                        report.new_companies += 1;
                        tx.last_insert_rowid()
                    }
                };
                companies.insert(company_key, id);
                id
            }
        };
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let number = opt(&row.filing_no);
        let known = number
            .as_deref()
            .and_then(number_key)
            .and_then(|k| by_number.get(&k).cloned())
            .or_else(|| by_name.get(&(company_id, item_key.clone())).cloned());
        let listed = serde_json::to_string(row).unwrap_or_default();
        let filing_id = match known {
            Some(old) => {
                let new = Stored::of(old.id, company_id, row);
                if new != old {
                    update_filing.execute(params![
                        old.id,
                        company_id,
                        row.company,
                        row.item,
                        number,
                        row.role,
                        row.product,
                        row.region,
                        row.filed_on,
                        source_id,
                        row.location,
                        row.purpose,
                        row.remark,
                        batch_label
                    ])?;
                    report.changed += 1;
                } else {
                    touch_filing.execute(params![old.id, source_id, row.location, batch_label])?;
                    report.unchanged += 1;
                }
                let stored = new;
                if let Some(k) = number.as_deref().and_then(number_key) {
                    by_number.insert(k, stored.clone());
                }
                let owners = by_item.entry(item_key.clone()).or_default();
                owners.retain(|s| s.id != old.id);
                owners.push(stored.clone());
                by_name.insert((company_id, item_key), stored);
                old.id
            }
            None => {
                insert_filing.execute(params![
                    regime,
                    company_id,
                    row.company,
                    row.item,
                    item_kind,
                    number,
                    row.role,
                    row.product,
                    row.region,
                    row.filed_on,
                    batch_label,
                    source_id,
                    row.location,
                    row.purpose,
                    row.remark
                ])?;
                let id = tx.last_insert_rowid();
                report.added += 1;
                let stored = Stored::of(id, company_id, row);
                if let Some(k) = number.as_deref().and_then(number_key) {
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
        let gone: Vec<(i64, Absent)> = st
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
                "UPDATE filings SET status = 'absent-from-newer' WHERE id = ?1",
                [id],
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
    by_item: &HashMap<String, Vec<Stored>>,
    item_key: &str,
    item: &str,
    number: &str,
) -> Option<i64> {
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
    let owners: Vec<&Stored> = by_item.get(item_key).into_iter().flatten().collect();
    let [only] = owners[..] else {
        return None;
    };
    let agrees = match (&only.filing_no, number_key(number)) {
        (Some(have), Some(want)) => number_key(have).as_deref() == Some(want.as_str()),
        _ => true,
    };
    agrees.then_some(only.company_id)
}

/// The report of an import already done: the same file for the same regime
/// and scope was imported as an earlier batch.
fn already_imported(
    conn: &rusqlite::Connection,
    plan: &ImportPlan,
) -> rusqlite::Result<Option<ImportReport>> {
    let found = conn
        .query_row(
            "SELECT id, source_id FROM batches WHERE sha256 = ?1 AND regime = ?2 AND scope = ?3",
            params![plan.source.sha256, plan.regime.as_str(), plan.scope],
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
fn company_index(tx: &Transaction<'_>) -> rusqlite::Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    let mut st = tx.prepare("SELECT id, name, legal_name, english_name FROM companies")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
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
    let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, alias) = row?;
        out.entry(name_key(&alias)).or_insert(id);
    }
    out.retain(|k, _| !k.is_empty());
    Ok(out)
}

type FilingIndex = (HashMap<String, Stored>, HashMap<(i64, String), Stored>);

/// The regime's filings by number and by (company, item).
fn filing_index(tx: &Transaction<'_>, regime: &str) -> rusqlite::Result<FilingIndex> {
    let mut by_number = HashMap::new();
    let mut by_name = HashMap::new();
    let mut st = tx.prepare(
        "SELECT id, company_id, item, filing_no, role, product, purpose, region, filed_on, remark
         FROM filings WHERE regime = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([regime], |r| {
        Ok(Stored {
            id: r.get(0)?,
            company_id: r.get(1)?,
            item: r.get(2)?,
            filing_no: r.get(3)?,
            role: r.get(4)?,
            product: r.get(5)?,
            purpose: r.get(6)?,
            region: r.get(7)?,
            filed_on: r.get(8)?,
            remark: r.get(9)?,
        })
    })?;
    for row in rows {
        let s = row?;
        if let Some(k) = s.filing_no.as_deref().and_then(number_key) {
            by_number.insert(k, s.clone());
        }
        by_name.insert((s.company_id, name_key(&s.item)), s);
    }
    Ok((by_number, by_name))
}
