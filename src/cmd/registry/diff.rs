//! `filing-check registry diff A B`: what changed between two imported
//! batches (by number) or two registry files.

use std::io::Write;
use std::path::PathBuf;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;

use filing_check::import::diff::{diff, standing_entries, Diff, Entry};
use filing_check::model::{NewFiling, Regime};
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

/// The filings of one side, and the regime of its batch (`None` for a
/// registry file, which holds both).
fn side(spec: &str, ctx: &Ctx) -> anyhow::Result<(Vec<Entry>, Option<Regime>)> {
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
        let rows = rows
            .into_iter()
            .map(|row| NewFiling::listed(regime, row, String::new()))
            .collect();
        return Ok((rows, Some(regime)));
    }
    let registry = Registry::load(&Location::File(PathBuf::from(spec)))?;
    let entries = standing_entries(&registry.snapshot);
    Ok((entries, None))
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
    let (before, before_regime) = side(&args.before, ctx)?;
    let (after, after_regime) = side(&args.after, ctx)?;
    if let (Some(a), Some(b)) = (before_regime, after_regime) {
        if a != b {
            return Err(UsageError(format!(
                "batch {} is a {a} list and batch {} a {b} list: a diff of lists of two regimes would show every filing as added and removed; compare batches of one regime",
                args.before, args.after
            ))
            .into());
        }
    }
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
