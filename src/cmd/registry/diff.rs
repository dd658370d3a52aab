//! `filing-check registry diff A B`: what changed between two imported
//! batches (by number) or two registry files.

use std::io::Write;
use std::path::PathBuf;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;

use filing_check::import::diff::{diff, Diff, Entry};
use filing_check::model::NewFiling;
use filing_check::printer::Format;
use filing_check::registry::{Location, Registry, Store};

use super::super::{Ctx, Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The earlier state: a batch number of this registry, or a registry file.
    #[arg(value_name = "A")]
    before: String,
    /// The later state: a batch number of this registry, or a registry file.
    #[arg(value_name = "B")]
    after: String,
    /// Output: table or json.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    format: Format,
}

/// The filings of one side.
fn side(spec: &str, ctx: &Ctx) -> anyhow::Result<Vec<Entry>> {
    if !spec.is_empty() && spec.bytes().all(|b| b.is_ascii_digit()) {
        let batch: i64 = spec
            .parse()
            .map_err(|_| UsageError(format!("batch {spec} is out of range")))?;
        let path = match &ctx.location {
            Location::File(p) | Location::User(p) => p.clone(),
            Location::Embedded => {
                return Err(UsageError(format!(
                    "batch {batch}: the embedded registry has no imported batches; import a list first, or compare registry files"
                ))
                .into())
            }
        };
        let store = Store::open_read_only(&path)?;
        let (regime, rows) = store.batch_rows(batch)?.ok_or_else(|| {
            UsageError(format!(
                "no batch {batch} in {}; `filing-check registry status` lists the batches",
                path.display()
            ))
        })?;
        return Ok(rows
            .into_iter()
            .map(|row| NewFiling::listed(regime, row, String::new()))
            .collect());
    }
    let registry = Registry::load(&Location::File(PathBuf::from(spec)))?;
    let snap = &registry.snapshot;
    Ok(snap
        .filings
        .iter()
        .filter(|f| f.status.stands())
        .map(|f| {
            // Registry files are compared by the registry's names.
            let mut entry = f.entry.clone();
            entry.fields.company = snap
                .company(f.company_id)
                .map_or_else(|| f.company.clone(), |c| c.name.clone());
            entry.fields.item = f.item.clone();
            entry
        })
        .collect())
}

fn write_table(out: &mut dyn Write, d: &Diff) -> std::io::Result<()> {
    writeln!(
        out,
        "{} added, {} removed, {} changed, {} unchanged",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    )?;
    if d.is_empty() {
        return Ok(());
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header([
        "",
        "regime",
        "company",
        "item",
        "filing no",
        "fields",
    ]);
    for e in &d.added {
        t.add_row([
            "+",
            e.regime.as_str(),
            &e.fields.company,
            &e.fields.item,
            e.filing_no().unwrap_or_default(),
            "",
        ]);
    }
    for e in &d.removed {
        t.add_row([
            "-",
            e.regime.as_str(),
            &e.fields.company,
            &e.fields.item,
            e.filing_no().unwrap_or_default(),
            "",
        ]);
    }
    for c in &d.changed {
        t.add_row([
            "~",
            c.after.regime.as_str(),
            &c.after.fields.company,
            &c.after.fields.item,
            c.after.filing_no().unwrap_or_default(),
            &c.fields.join(", "),
        ]);
    }
    writeln!(out, "{t}")
}

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let before = side(&args.before, ctx)?;
    let after = side(&args.after, ctx)?;
    let d = diff(&before, &after);
    match args.format {
        Format::Table => write_table(out, &d)?,
        Format::Json | Format::Jsonl => {
            serde_json::to_writer_pretty(&mut *out, &d)?;
            writeln!(out)?;
        }
    }
    Ok(Exit::Ok)
}
