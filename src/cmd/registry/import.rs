//! `filing-check registry import FILE --regime R`: a published list into the
//! registry, as one batch with its source.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use sha2::{Digest, Sha256};

use filing_check::date::Date;
use filing_check::filing_no;
use filing_check::import;
use filing_check::input::{self, ReadOptions};
use filing_check::model::{Completeness, NewFiling, Regime, Source};
use filing_check::registry::store::{ImportPlan, NATIONAL, PAUSE_ENV};
use filing_check::registry::{embedded, user_registry_path, Store};

use super::super::{Ctx, Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The list: .xlsx, .xls, .csv (any encoding `audit` reads), or .json
    /// from `registry export`.
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// The list's regime: genai or deep-synthesis.
    #[arg(long, value_name = "REGIME")]
    regime: Regime,

    /// What the list covers: `national`, or a region such as 广东.
    #[arg(long, value_name = "SCOPE", default_value = NATIONAL)]
    scope: String,

    /// The date the list describes (YYYY-MM-DD or YYYY-MM) [default: --published].
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

    /// Create the registry file --registry names if it does not exist (from
    /// the embedded data); without it, a missing file is an error, so that
    /// a typo in the path is not a new, empty-looking registry.
    #[arg(long)]
    create: bool,
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

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    // Validate everything before touching the registry.
    let published = args
        .published
        .as_deref()
        .map(|d| date_arg("--published", d))
        .transpose()?;
    let as_of = match (&args.as_of, &published) {
        (Some(d), _) => date_arg("--as-of", d)?,
        (None, Some(p)) => p.clone(),
        (None, None) => {
            return Err(UsageError(
                "give --as-of DATE (the date the list describes) or --published DATE, so answers can say how current they are".into(),
            )
            .into())
        }
    };
    if let filing_check::registry::Location::File(path) = &ctx.location {
        if !path.exists() && !args.create {
            return Err(UsageError(format!(
                "registry file {} does not exist; create it with `filing-check registry init {0}` or pass --create (a typo in the path would otherwise start a new registry)",
                path.display()
            ))
            .into());
        }
    }
    let target = ctx.location.writable(user_registry_path()).ok_or_else(|| {
        UsageError(
            "no user data directory is known here; name a registry file with --registry PATH"
                .into(),
        )
    })?;
    let name = args.file.display().to_string();
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
    let is_json = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let rows = if is_json {
        json_rows(&name, &bytes, args.regime)?
    } else {
        let tables = input::tables_from_bytes(&name, bytes, &opts)?;
        import::read_tables(&name, tables, args.regime).map_err(|e| UsageError(e.to_string()))?
    };
    // Numbers are stored as listed, but a malformed one is worth a word.
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
    let plan = ImportPlan {
        regime: args.regime,
        scope: args.scope.trim().to_string(),
        source: Source {
            id: args.source_id.clone().unwrap_or_default(),
            title: args.title.clone().unwrap_or_else(|| {
                args.file
                    .file_name()
                    .map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned())
            }),
            publisher: args.publisher.clone(),
            published,
            as_of,
            url: args.url.clone(),
            completeness: if args.complete {
                Completeness::Complete
            } else {
                Completeness::Partial
            },
            location: args
                .file
                .file_name()
                .map(|f| f.to_string_lossy().into_owned()),
            sha256: Some(sha256),
            note: None,
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
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(Exit::Ok);
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
            args.regime,
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
    Ok(Exit::Ok)
}
