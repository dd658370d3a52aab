//! The audit run: records in, verdicts out, in input order, on all cores.
//!
//! One thread reads and decodes the list in chunks; the calling thread finds
//! the columns, matches each chunk's *distinct* rows in parallel (identical
//! rows are matched once, through a bounded cache), judges every row with the
//! gate in input order and hands it to the output sink. Memory stays flat:
//! at most a few chunks are in flight, and the cache is cleared when full.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::Arc;

use rayon::prelude::*;

use super::baseline::{row_key, RowKey};
use super::columns::{self, ColumnError, Columns, Overrides};
use super::gate::{Disposition, Gate, Summary};
use super::policy;
use super::sink::{Head, InputInfo, RowOut, Sink};
use super::{Auditor, Evaluation};
use crate::date::Date;
use crate::filing_no;
use crate::input::{header, InputError, Record, Table};
use crate::report::RegistryInfo;

/// Records per chunk handed to the matcher.
pub const CHUNK: usize = 4096;
/// Distinct rows remembered before the cache is cleared.
pub const CACHE_MAX: usize = 200_000;
/// Days a suggested exception lasts.
pub const SUGGESTED_EXCEPTION_DAYS: i64 = 90;

/// How the run treats rows.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub overrides: Overrides,
    /// Hand only failing rows to the sink.
    pub quiet: bool,
}

/// Why an audit could not produce an answer: all are the input's fault.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{file}{}: {problem}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Columns {
        file: String,
        line: Option<u64>,
        problem: ColumnError,
    },
    #[error("{file}: no rows to audit (the input is empty{}); a gate never passes on an empty list", if *.header { " but for its header" } else { "" })]
    Empty { file: String, header: bool },
    #[error("writing the report: {0}")]
    Output(#[from] std::io::Error),
}

/// A failing row for the diagnostics, once per distinct row.
#[derive(Clone, Debug)]
pub struct Failure {
    pub line: u64,
    /// Further lines with the same row.
    pub repeats: u64,
    pub vendor: String,
    pub model: String,
    pub evaluation: Arc<Evaluation>,
    /// A ready-to-paste policy entry.
    pub entry: String,
}

/// What a run produced besides the report.
#[derive(Debug)]
pub struct Finished {
    pub summary: Summary,
    pub failures: Vec<Failure>,
    pub input: InputInfo,
}

/// A distinct row and what the registry says about it.
struct Resolved {
    evaluation: Arc<Evaluation>,
    /// The evaluation's number in this run (see [`RowOut::shared`]).
    shared: u64,
    /// Computed only when the verdict is one the gate fails on.
    key: Option<RowKey>,
}

fn cache_key(vendor: &str, model: &str, number: &str) -> String {
    let mut k = String::with_capacity(vendor.len() + model.len() + number.len() + 2);
    k.push_str(vendor);
    k.push('\u{1f}');
    k.push_str(model);
    k.push('\u{1f}');
    k.push_str(number);
    k
}

fn field(fields: &[String], at: Option<usize>) -> &str {
    at.and_then(|i| fields.get(i)).map_or("", String::as_str)
}

/// A record's vendor, model and filing number: the number column's, or
/// else the first filing number written anywhere in the row (a remark, a
/// pasted vendor page), so that a number the list gives is always checked.
fn parts<'r>(r: &'r Record, cols: &Columns) -> (&'r str, &'r str, Cow<'r, str>) {
    let number = field(&r.fields, cols.number);
    let number = if number.trim().is_empty() {
        r.fields
            .iter()
            .filter(|cell| filing_no::may_hold_number(cell))
            .find_map(|cell| filing_no::find_in(cell).into_iter().next())
            .map_or(Cow::Borrowed(number), Cow::Owned)
    } else {
        Cow::Borrowed(number)
    };
    (
        field(&r.fields, cols.vendor),
        field(&r.fields, cols.model),
        number,
    )
}

/// Runs an audit of `table` into `sink`; `progress` is told the rows done
/// after every chunk.
pub fn run(
    mut table: Table,
    auditor: &Auditor<'_>,
    mut gate: Gate,
    registry: &RegistryInfo,
    options: &Options,
    sink: &mut dyn Sink,
    progress: &mut dyn FnMut(u64),
) -> Result<Finished, AuditError> {
    let file = table.name.clone();
    // The first records: the header is among them.
    let mut first = header::first_records(&mut table)?;
    if first.is_empty() {
        return Err(AuditError::Empty {
            file,
            header: false,
        });
    }
    let cells: Vec<Vec<String>> = first.iter().map(|r| r.fields.clone()).collect();
    let (header_at, cols) =
        columns::choose(&cells, &options.overrides).map_err(|problem| AuditError::Columns {
            file: file.clone(),
            line: first.first().map(|r| r.line),
            problem,
        })?;
    let data_from = header_at.map_or(0, |h| h + 1);
    let input = InputInfo {
        file: file.clone(),
        format: table.format.to_string(),
        encoding: table.encoding.map(str::to_string),
        header_line: header_at.map(|h| first[h].line),
        headers: header_at
            .map(|h| first[h].fields.clone())
            .unwrap_or_default(),
        columns: cols.clone(),
        used: Vec::new(),
    };
    let input = InputInfo {
        used: InputInfo::used_columns(&input.headers, &cols),
        ..input
    };
    sink.begin(&Head {
        input: &input,
        registry,
        require: auditor.require(),
    })?;

    let leftover: Vec<Record> = first.split_off(data_from.min(first.len()));
    let (tx, rx) = mpsc::sync_channel::<Result<Vec<Record>, InputError>>(4);
    let records = table.records;
    let today = gate.today();
    let mut state = State {
        auditor,
        gate: &mut gate,
        cols: &cols,
        cache: HashMap::new(),
        failures: Vec::new(),
        failure_at: HashMap::new(),
        quiet: options.quiet,
        today,
        next_shared: 0,
    };
    let mut rows_done = 0u64;
    let result = std::thread::scope(|scope| -> Result<(), AuditError> {
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            for r in records {
                match r {
                    Ok(rec) => {
                        chunk.push(rec);
                        if chunk.len() == CHUNK {
                            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                            if tx.send(Ok(full)).is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Ok(std::mem::take(&mut chunk)));
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            if !chunk.is_empty() {
                let _ = tx.send(Ok(chunk));
            }
        });
        if !leftover.is_empty() {
            rows_done += state.chunk(&leftover, sink)?;
            progress(rows_done);
        }
        for msg in rx {
            let chunk = msg?;
            rows_done += state.chunk(&chunk, sink)?;
            progress(rows_done);
        }
        Ok(())
    });
    result?;
    let failures = state.failures;
    if rows_done == 0 {
        return Err(AuditError::Empty {
            file,
            header: header_at.is_some(),
        });
    }
    let summary = gate.finish(registry.as_of.as_deref());
    sink.finish(&summary)?;
    Ok(Finished {
        summary,
        failures,
        input,
    })
}

/// The calling thread's side of a run.
struct State<'a, 'g> {
    auditor: &'a Auditor<'a>,
    gate: &'g mut Gate,
    cols: &'g Columns,
    cache: HashMap<String, Arc<Resolved>>,
    failures: Vec<Failure>,
    failure_at: HashMap<RowKey, usize>,
    quiet: bool,
    today: Date,
    /// The number the next distinct evaluation gets.
    next_shared: u64,
}

impl State<'_, '_> {
    /// Matches, judges and writes one chunk; returns the rows it held.
    fn chunk(&mut self, chunk: &[Record], sink: &mut dyn Sink) -> Result<u64, AuditError> {
        let cols = self.cols;
        let row_parts: Vec<_> = chunk.iter().map(|r| parts(r, cols)).collect();
        // The chunk's distinct rows not yet known; only those are copied.
        let mut missing: Vec<(String, (String, String, String))> = Vec::new();
        let mut keys: Vec<String> = Vec::with_capacity(chunk.len());
        {
            let mut seen = std::collections::HashSet::new();
            for (v, m, n) in &row_parts {
                let (v, m, n) = (*v, *m, n.as_ref());
                let k = cache_key(v, m, n);
                if !self.cache.contains_key(&k) && seen.insert(k.clone()) {
                    missing.push((k.clone(), (v.to_string(), m.to_string(), n.to_string())));
                }
                keys.push(k);
            }
        }
        if self.cache.len() + missing.len() > CACHE_MAX {
            // Keep what this chunk needs, drop the rest.
            let needed: std::collections::HashSet<&String> = keys.iter().collect();
            self.cache.retain(|k, _| needed.contains(k));
        }
        let auditor = self.auditor;
        let gate = &*self.gate;
        let first = self.next_shared;
        self.next_shared += missing.len() as u64;
        let resolved: Vec<(String, Arc<Resolved>)> = missing
            .into_par_iter()
            .enumerate()
            .map(|(i, (k, (v, m, n)))| {
                let evaluation = auditor.evaluate(&v, &m, &n);
                let key = gate
                    .fails_on(evaluation.verdict)
                    .then(|| row_key(&v, &m, &n));
                (
                    k,
                    Arc::new(Resolved {
                        evaluation: Arc::new(evaluation),
                        shared: first + i as u64,
                        key,
                    }),
                )
            })
            .collect();
        self.cache.extend(resolved);

        for ((r, k), (vendor, model, number)) in chunk.iter().zip(&keys).zip(&row_parts) {
            let res = Arc::clone(&self.cache[k]);
            let eval = &res.evaluation;
            let (vendor, model, number) = (*vendor, *model, number.as_ref());
            let (disposition, exception) = self.gate.judge(
                || {
                    res.key
                        .clone()
                        .unwrap_or_else(|| row_key(vendor, model, number))
                },
                eval.verdict,
            );
            if disposition == Disposition::Fail {
                self.note_failure(r.line, vendor, model, number, &res);
            }
            if self.quiet && disposition != Disposition::Fail {
                continue;
            }
            sink.row(&RowOut {
                shared: res.shared,
                line: r.line,
                fields: &r.fields,
                vendor,
                model,
                number,
                evaluation: eval,
                disposition,
                exception,
            })?;
        }
        Ok(chunk.len() as u64)
    }

    fn note_failure(&mut self, line: u64, vendor: &str, model: &str, number: &str, res: &Resolved) {
        let key = res
            .key
            .clone()
            .unwrap_or_else(|| row_key(vendor, model, number));
        if let Some(&i) = self.failure_at.get(&key) {
            self.failures[i].repeats += 1;
            return;
        }
        let eval = &res.evaluation;
        let why = format!("{}: {}", eval.verdict, eval.code);
        self.failure_at.insert(key, self.failures.len());
        self.failures.push(Failure {
            line,
            repeats: 0,
            vendor: vendor.to_string(),
            model: model.to_string(),
            evaluation: Arc::clone(eval),
            entry: policy::entry(
                vendor,
                model,
                &why,
                self.today.add_days(SUGGESTED_EXCEPTION_DAYS),
            ),
        });
    }
}
