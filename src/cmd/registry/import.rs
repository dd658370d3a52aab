//! `filing-check registry import FILE`: a published list into the registry,
//! as one batch with its source. The file's format is told by its bytes:
//! the regulator's PDF and docx attachments (every table of one, its date
//! from its title), workbooks and CSV in the lists' layouts, or JSON from
//! `registry export`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use sha2::{Digest, Sha256};

use filing_check::coverage::Numbering;
use filing_check::date::Date;
use filing_check::filing_no;
use filing_check::import::{self, attachment, attachment::Attachment, sniff, sniff::FileKind};
use filing_check::input::{self, ReadOptions};
use filing_check::model::{Completeness, FilingStatus, NewFiling, Regime, Source};
use filing_check::registry::store::{ImportPlan, NATIONAL, PAUSE_ENV};
use filing_check::registry::{embedded, Store};
use filing_check::web::admin::ImportRequest;

use super::super::{Ctx, Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The list: an official attachment (PDF, docx), a workbook (xlsx,
    /// xls), CSV in any encoding `audit` reads, or JSON from `registry
    /// export`; told by content, whatever the extension.
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// The list's regime: genai or deep-synthesis [default: told by the
    /// list's headers].
    #[arg(long, value_name = "REGIME")]
    regime: Option<Regime>,

    /// What the list covers: `national`, or a region such as 广东.
    #[arg(long, value_name = "SCOPE", default_value = NATIONAL)]
    scope: String,

    /// The date the list describes (YYYY-MM-DD or YYYY-MM) [default: what
    /// the list says: its title (截至2024年3月, （2025年3月）), the file
    /// name, the newest date of its rows; else --published].
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,

    /// When the list was published (YYYY-MM-DD or YYYY-MM).
    #[arg(long, value_name = "DATE")]
    published: Option<String>,

    /// The list's title [default: the file name].
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,

    /// Who published it, e.g. 国家互联网信息办公室.
    #[arg(long, value_name = "TEXT", default_value = "not given")]
    publisher: String,

    /// Where it was published.
    #[arg(long, value_name = "URL")]
    url: Option<String>,

    /// The source's id [default: import-REGIME-DIGEST].
    #[arg(long, value_name = "ID")]
    source_id: Option<String>,

    /// The list is complete for its scope (a full, cumulative list): filings
    /// earlier lists of the scope had and this one lacks are then marked
    /// absent-from-newer. Leave it off for a batch of new filings.
    #[arg(long)]
    complete: bool,

    /// The worksheet to read [default: every sheet with the list's columns].
    #[arg(long, value_name = "SHEET")]
    sheet: Option<String>,

    /// The text encoding of a CSV list [default: detected].
    #[arg(long, value_name = "ENCODING")]
    encoding: Option<String>,

    /// Output: table or json.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    format: filing_check::printer::Format,

    /// Import the rows that could be read when some rows of an attachment
    /// cannot be (they are listed); without it such an import changes
    /// nothing.
    #[arg(long)]
    skip_unreadable: bool,

    /// Create the registry file --registry names if it does not exist (from
    /// the embedded data); without it, a missing file is an error, so that
    /// a typo in the path is not a new, empty-looking registry.
    #[arg(long)]
    create: bool,

    /// The name the list goes by, when the file's own name is not it (an
    /// upload to `serve`, saved under a name of the server's choosing).
    #[arg(skip)]
    label: Option<String>,
}

impl Args {
    /// An official attachment fetched by `registry update`: national,
    /// published by the CAC at `url`, its date read from the file.
    pub fn for_attachment(file: PathBuf, url: String, title: Option<String>) -> Args {
        Args {
            file,
            regime: None,
            scope: NATIONAL.to_string(),
            as_of: None,
            published: None,
            title,
            publisher: "国家互联网信息办公室".to_string(),
            url: Some(url),
            source_id: None,
            complete: false,
            sheet: None,
            encoding: None,
            format: filing_check::printer::Format::Table,
            skip_unreadable: false,
            create: true,
            label: None,
        }
    }
}

impl Args {
    /// A list uploaded on the registry page of `serve`: into an existing
    /// registry file, with the JSON report.
    pub fn for_upload(u: &ImportRequest) -> Args {
        let u = u.clone();
        Args {
            file: u.file,
            regime: u.regime,
            scope: u.scope.unwrap_or_else(|| NATIONAL.to_string()),
            as_of: u.as_of,
            published: u.published,
            title: u.title,
            publisher: u.publisher.unwrap_or_else(|| "not given".to_string()),
            url: u.url,
            source_id: None,
            complete: u.complete,
            sheet: None,
            encoding: None,
            format: filing_check::printer::Format::Json,
            skip_unreadable: u.skip_unreadable,
            create: false,
            label: Some(u.label),
        }
    }

    /// The file's name as the list goes by.
    fn file_name(&self) -> String {
        self.label.clone().unwrap_or_else(|| {
            self.file
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    }
}

fn date_arg(flag: &str, value: &str) -> Result<String, UsageError> {
    let v = value.trim();
    let date = Date::parse(v).or_else(|| (v.len() == 7).then(|| Date::parse_as_of(v)).flatten());
    match date {
        None => Err(UsageError(format!(
            "{flag} {value:?} is not a date; write YYYY-MM-DD or YYYY-MM"
        ))),
        // A list cannot describe a day that has not come: a typo (2062 for
        // 2026) would make the data look current for decades.
        Some(d) if d.days() > Date::today().days() => Err(UsageError(format!(
            "{flag} {value:?} is after today ({}); a list cannot describe the future — check the date",
            Date::today()
        ))),
        Some(_) => Ok(v.to_string()),
    }
}

/// Rows of a JSON export: an array of objects keyed by the list's headers.
fn json_rows(name: &str, bytes: &[u8], regime: Regime) -> anyhow::Result<Vec<NewFiling>> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| UsageError(format!("{name}:{}: not JSON: {e}", e.line())))?;
    let Some(items) = value.as_array() else {
        return Err(UsageError(format!(
            "{name}: expected an array of rows, as `registry export --format json` writes"
        ))
        .into());
    };
    let header = import::export_header(regime);
    let mut text = csv::Writer::from_writer(Vec::new());
    text.write_record(&header)?;
    for item in items {
        let record: Vec<String> = header
            .iter()
            .map(|h| match &item[*h] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect();
        text.write_record(&record)?;
    }
    let csv_bytes = text.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    let table = input::from_reader(
        name,
        Box::new(std::io::Cursor::new(csv_bytes)),
        &ReadOptions::default(),
    )?;
    Ok(import::read_tables(name, vec![table], regime)?)
}

/// A list read: its rows, and for an official attachment what was found
/// in it.
struct ListRead {
    kind: FileKind,
    regime: Regime,
    rows: Vec<NewFiling>,
    attachment: Option<Attachment>,
    /// Text above the tables (titles), for the list's date and title.
    titles: Vec<String>,
}

/// Reads the list in `bytes`, whatever its format.
fn read_list(
    args: &Args,
    name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> anyhow::Result<ListRead> {
    let mut kind = sniff::sniff(bytes);
    // Text named .json is JSON that does not parse: say so, not that it
    // lacks a list's columns.
    if kind == FileKind::Text
        && std::path::Path::new(&args.file_name())
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        kind = FileKind::Json;
    }
    let document = match kind {
        FileKind::Json => {
            let regime = args.regime.ok_or_else(|| {
                UsageError(format!(
                    "{name}: a JSON export does not say its regime; give --regime"
                ))
            })?;
            let rows = json_rows(name, bytes, regime)?;
            return Ok(ListRead {
                kind,
                regime,
                rows,
                attachment: None,
                titles: Vec::new(),
            });
        }
        FileKind::LegacyDoc => {
            return Err(UsageError(format!(
                "{name}: a legacy Word .doc file, which filing-check cannot read; open it in Word or WPS and save it as .docx (or PDF)"
            ))
            .into())
        }
        FileKind::Pdf => import::pdf::read(name, bytes),
        FileKind::Docx => import::docx::read(name, bytes),
        FileKind::Workbook | FileKind::Text => {
            return read_tabular(args, name, bytes, opts);
        }
    }
    .map_err(|e| UsageError(e.to_string()))?;
    let attachment = attachment::read(name, &document);
    let regime = match (args.regime, attachment.regime()) {
        (_, None) if attachment.tables.is_empty() => {
            return Err(UsageError(format!(
                "{name}: no table of the {} has the lists' headers (序号, 模型名称/算法名称, 备案单位/主体名称, 备案号/备案编号…); is this an official list?",
                kind.name()
            ))
            .into())
        }
        (Some(r), _) => r,
        (None, Some(r)) => r,
        (None, None) => {
            return Err(UsageError(format!(
                "{name}: it holds both genai and deep-synthesis tables; import it once per regime with --regime"
            ))
            .into())
        }
    };
    if !attachment.tables.iter().any(|t| t.kind.regime() == regime) {
        return Err(UsageError(format!(
            "{name}: it holds no {regime} table (it has {}); check --regime",
            attachment
                .tables
                .iter()
                .map(|t| t.kind.label())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    let national = args.scope.trim() == NATIONAL;
    let rows = attachment
        .rows
        .iter()
        .filter(|(k, _)| k.regime() == regime)
        .map(|(k, r)| {
            let mut r = r.clone();
            if national {
                r.list = Some(k.list_id().to_string());
            }
            r
        })
        .collect();
    let titles = attachment.titles.clone();
    Ok(ListRead {
        kind,
        regime,
        rows,
        attachment: Some(attachment),
        titles,
    })
}

/// A workbook or CSV in a list's layout: the regime given, or the one
/// whose columns the list has.
fn read_tabular(
    args: &Args,
    name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> anyhow::Result<ListRead> {
    let read = |regime| -> anyhow::Result<Result<Vec<NewFiling>, import::ImportError>> {
        let tables = input::tables_from_bytes(name, bytes.to_vec(), opts)?;
        Ok(import::read_tables(name, tables, regime))
    };
    let (regime, rows) = match args.regime {
        Some(r) => (r, read(r)?.map_err(|e| UsageError(e.to_string()))?),
        None => match (read(Regime::Genai)?, read(Regime::DeepSynthesis)?) {
            (Ok(rows), Err(_)) => (Regime::Genai, rows),
            (Err(_), Ok(rows)) => (Regime::DeepSynthesis, rows),
            (Ok(_), Ok(_)) => {
                return Err(UsageError(format!(
                    "{name}: it has the columns of both regimes' lists; give --regime"
                ))
                .into())
            }
            (Err(e), Err(_)) => {
                return Err(UsageError(format!(
                    "{e} (neither regime's columns were found; give --regime to name the one meant)"
                ))
                .into())
            }
        },
    };
    let tables = input::tables_from_bytes(name, bytes.to_vec(), opts)?;
    let titles = import::title_rows(tables)?;
    Ok(ListRead {
        kind: sniff::sniff(bytes),
        regime,
        rows,
        attachment: None,
        titles,
    })
}

/// Asks for the date a list describes, on a terminal only.
/// Asks for the list's date on a terminal; `may_ask` is false for a list
/// uploaded to `serve` (the server's terminal is nobody's to answer).
fn ask_as_of(name: &str, may_ask: bool) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    let needed = || {
        UsageError(format!(
            "{name}: the list does not say its date (no title with a month, no date in the file name or its rows); give --as-of DATE (the date the list describes) or --published DATE, so answers can say how current they are"
        ))
    };
    if !may_ask || !std::io::stdin().is_terminal() {
        return Err(needed().into());
    }
    eprint!("{name} does not say its date. The date it describes (YYYY-MM-DD or YYYY-MM): ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if line.trim().is_empty() {
        return Err(needed().into());
    }
    Ok(date_arg("--as-of", line.trim())?)
}

/// What the registry holds before the import: its official lists, and the
/// 序号 it holds of each.
struct Before {
    lists: HashSet<String>,
    numbering: HashMap<String, Numbering>,
}

fn before_import(target: &std::path::Path) -> Before {
    let location = if target.exists() {
        filing_check::registry::Location::File(target.to_path_buf())
    } else {
        filing_check::registry::Location::Embedded
    };
    let Ok(reg) = filing_check::registry::Registry::load(&location) else {
        return Before {
            lists: HashSet::new(),
            numbering: HashMap::new(),
        };
    };
    let mut seqs: HashMap<String, Vec<u32>> = HashMap::new();
    for f in &reg.snapshot.filings {
        if let (Some(list), Some(seq)) = (
            &f.list,
            f.fields.seq.as_deref().and_then(|s| s.parse().ok()),
        ) {
            seqs.entry(list.clone()).or_default().push(seq);
        }
    }
    Before {
        lists: reg.snapshot.lists.iter().map(|l| l.id.clone()).collect(),
        numbering: seqs
            .into_iter()
            .map(|(k, v)| (k, Numbering::of(v)))
            .collect(),
    }
}

/// What an import says about the numbering of each official list it adds
/// to: where it does not continue what the registry holds.
fn numbering_notes(before: &HashMap<String, Numbering>, rows: &[NewFiling]) -> Vec<String> {
    let mut by_list: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for r in rows {
        if let (Some(list), Some(seq)) = (
            r.list.as_deref(),
            r.fields.seq.as_deref().and_then(|s| s.parse().ok()),
        ) {
            if list != "cac-deep-synthesis" {
                by_list.entry(list).or_default().push(seq);
            }
        }
    }
    let mut notes = Vec::new();
    for (list, seqs) in by_list {
        let new = Numbering::of(seqs.iter().copied());
        let Some(&(first, _)) = new.held.first() else {
            continue;
        };
        let top = before.get(list).and_then(Numbering::top).unwrap_or(0);
        if first > top + 1 {
            notes.push(format!(
                "{list}: this list starts at 序号 {first}, and the registry holds {}: 序号 {}–{} are missing — import the attachments that list them too",
                if top == 0 { "none of it".to_string() } else { format!("up to {top}") },
                top + 1,
                first - 1
            ));
        }
        let inner = new
            .missing()
            .into_iter()
            .filter(|&(s, _)| s > first)
            .collect::<Vec<_>>();
        if !inner.is_empty() {
            notes.push(format!(
                "{list}: this list skips 序号 {}",
                filing_check::coverage::runs(&inner)
            ));
        }
    }
    notes
}

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    // Validate everything before touching the registry.
    let published = args
        .published
        .as_deref()
        .map(|d| date_arg("--published", d))
        .transpose()?;
    let as_of_arg = args
        .as_of
        .as_deref()
        .map(|d| date_arg("--as-of", d))
        .transpose()?;
    let target = super::writable_target(ctx, Some(args.create))?;
    let name = args
        .label
        .clone()
        .unwrap_or_else(|| args.file.display().to_string());
    let bytes =
        fs::read(&args.file).map_err(|e| UsageError(format!("{name}: cannot read: {e}")))?;
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let opts = ReadOptions {
        encoding: args
            .encoding
            .as_deref()
            .map(input::parse_encoding)
            .transpose()?,
        sheet: args.sheet.clone(),
        delimiter: None,
    };
    let ListRead {
        kind,
        regime,
        rows,
        attachment,
        titles,
    } = read_list(&args, &name, &bytes, &opts)?;
    if let Some(a) = &attachment {
        let bad: Vec<&attachment::Finding> = a.unreadable().collect();
        if !bad.is_empty() && !args.skip_unreadable {
            let mut msg = format!(
                "{name}: {} row(s) cannot be read cleanly; nothing was imported:",
                bad.len()
            );
            for f in &bad {
                msg.push_str(&format!("\n  {}: {}: {}", f.location, f.message, f.text));
            }
            msg.push_str(
                "\n(check them against the file; --skip-unreadable imports the other rows)",
            );
            return Err(UsageError(msg).into());
        }
    }
    if rows.is_empty() {
        return Err(UsageError(format!("{name}: the list has no {regime} filings")).into());
    }
    let file_name = args.file_name();
    let newest = rows
        .iter()
        .filter_map(|r| r.fields.filed_on.clone())
        .filter(|d| Date::parse(d).is_some())
        .max();
    // The title given (a link's text, for `registry update`) may say the
    // month too, after the file's own titles.
    let mut hint_titles = titles.clone();
    hint_titles.extend(args.title.clone());
    let hint = attachment::date_hint(&hint_titles, &file_name, newest.as_deref());
    let (as_of, as_of_from) = match (as_of_arg, &published, &hint) {
        (Some(d), _, _) => (d, "--as-of".to_string()),
        (None, _, Some(h)) => (date_arg("the list's date", &h.date)?, h.from.clone()),
        (None, Some(p), None) => (p.clone(), "--published".to_string()),
        (None, None, None) => (ask_as_of(&name, args.label.is_none())?, "you".to_string()),
    };
    let title = args.title.clone().unwrap_or_else(|| {
        titles
            .iter()
            .find(|t| t.contains("信息") || t.contains("清单") || t.contains("名单"))
            .cloned()
            .unwrap_or_else(|| file_name.clone())
    });
    // Rows go to the official lists the registry knows (a registry made
    // from other data may hold none).
    let before = before_import(&target);
    let rows: Vec<NewFiling> = rows
        .into_iter()
        .map(|mut r| {
            if r.list.as_ref().is_some_and(|l| !before.lists.contains(l)) {
                r.list = None;
            }
            r
        })
        .collect();
    let numbering = numbering_notes(&before.numbering, &rows);
    // A cancellation the list records took effect by the list's date.
    let rows: Vec<NewFiling> = rows
        .into_iter()
        .map(|mut r| {
            if r.status == FilingStatus::Cancelled && r.status_on.is_none() {
                r.status_on = Some(as_of.clone());
            }
            r
        })
        .collect();
    if attachment.is_none() {
        // Numbers are stored as listed, but a malformed one is worth a word
        // (an attachment's findings say it row by row).
        let malformed: Vec<(&str, String)> = rows
            .iter()
            .filter_map(|r| {
                filing_no::parse(r.filing_no().unwrap_or_default())
                    .err()
                    .map(|e| (r.location.as_str(), e.to_string()))
            })
            .collect();
        if let Some((at, why)) = malformed.first() {
            let _ = writeln!(
                std::io::stderr(),
                "filing-check: warning: {} row(s) have a filing number that is not well formed, stored as listed; the first, {at}: {why}",
                malformed.len()
            );
        }
    }
    let plan = ImportPlan {
        regime,
        scope: args.scope.trim().to_string(),
        source: Source {
            id: args.source_id.clone().unwrap_or_default(),
            title,
            publisher: args.publisher.clone(),
            published,
            as_of: as_of.clone(),
            url: args.url.clone(),
            completeness: if args.complete {
                Completeness::Complete
            } else {
                Completeness::Partial
            },
            location: Some(args.file_name()).filter(|n| !n.is_empty()),
            sha256: Some(sha256),
            note: (as_of_from != "--as-of" && as_of_from != "--published")
                .then(|| format!("as of {as_of}, from {as_of_from}")),
        },
        rows,
    };

    if !target.exists() {
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // Another import may create it at the same moment: either way, the
        // one file is used.
        Store::create_if_absent(&target, &embedded::data()?)?;
    }
    let mut store = Store::open_writable(&target)?;
    let pause = std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok());
    let report = store.import(&plan, pause)?;

    if args.format != filing_check::printer::Format::Table {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            #[serde(flatten)]
            report: &'a filing_check::registry::store::ImportReport,
            regime: Regime,
            as_of: &'a str,
            as_of_from: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            tables: Option<&'a [attachment::TableSummary]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            findings: Option<&'a [attachment::Finding]>,
            numbering: &'a [String],
        }
        let json = Json {
            report: &report,
            regime,
            as_of: &plan.source.as_of,
            as_of_from: &as_of_from,
            tables: attachment.as_ref().map(|a| a.tables.as_slice()),
            findings: attachment.as_ref().map(|a| a.findings.as_slice()),
            numbering: &numbering,
        };
        serde_json::to_writer_pretty(&mut *out, &json)?;
        writeln!(out)?;
        return Ok(Exit::Ok);
    }
    if let Some(a) = &attachment {
        writeln!(
            out,
            "{name}: {} — {}; as of {} (from {as_of_from}).",
            kind.name(),
            a.tables
                .iter()
                .map(|t| format!(
                    "{} rows of {}{}",
                    t.rows,
                    t.kind.label(),
                    if t.continued > 0 {
                        format!(" (continued {} time(s) without a header)", t.continued)
                    } else {
                        String::new()
                    }
                ))
                .collect::<Vec<_>>()
                .join(", "),
            plan.source.as_of
        )?;
    }
    if let Some(b) = report.already_imported_as {
        writeln!(
            out,
            "{name} was already imported as batch {b} ({}); nothing changed.",
            report.source
        )?;
        return Ok(Exit::Ok);
    }
    writeln!(
        out,
        "imported {name} into {} as batch {} (source {}): {} rows — {} added, {} changed, {} unchanged; {} new companies, {} rows linked to a known company by their item, {} by their name.",
        target.display(),
        report.batch.unwrap_or_default(),
        report.source,
        report.rows,
        report.added,
        report.changed,
        report.unchanged,
        report.new_companies,
        report.linked_by_item,
        report.linked_by_name
    )?;
    if !report.uncertain.is_empty() {
        writeln!(
            out,
            "{} listed name(s) are near a known company but not surely it; kept as new companies — check them, and add the link to registry/aliases.csv (or an alias) if they are the same:",
            report.uncertain.len()
        )?;
        for u in &report.uncertain {
            let near: Vec<String> = u
                .candidates
                .iter()
                .take(3)
                .map(|(name, score)| format!("{name} ({score:.2})"))
                .collect();
            writeln!(
                out,
                "  {} ({}): near {}",
                u.listed,
                u.location,
                near.join(", ")
            )?;
        }
    }
    if !report.absent.is_empty() {
        writeln!(
            out,
            "{} filing(s) of earlier {} lists of scope {} are not in this complete list; marked absent-from-newer, not deleted:",
            report.absent.len(),
            regime,
            plan.scope
        )?;
        for a in &report.absent {
            writeln!(
                out,
                "  {} · {}{}",
                a.company,
                a.item,
                a.filing_no
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )?;
        }
    }
    for n in &numbering {
        writeln!(out, "note: {n}")?;
    }
    if let Some(a) = &attachment {
        if !a.findings.is_empty() {
            writeln!(
                out,
                "{} finding(s) in the list, kept with the filings they concern:",
                a.findings.len()
            )?;
            for f in &a.findings {
                writeln!(
                    out,
                    "  {} [{}]{}: {}",
                    f.location,
                    f.kind.as_str(),
                    f.seq
                        .as_deref()
                        .map(|s| format!(" 序号 {s}"))
                        .unwrap_or_default(),
                    f.message
                )?;
            }
        }
    }
    Ok(Exit::Ok)
}
