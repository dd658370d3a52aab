//! `filing-check registry …`: inspect the registry, write it to a file, and
//! keep it current with the published lists. `status`, `list` and `init`
//! are here; each updating command has its own file.

mod diff;
mod export;
pub(crate) mod import;
mod reindex;
mod reset;
mod update;

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;

use filing_check::date::Date;
use filing_check::matcher::{MatchKind, STRONG};
use filing_check::model::{CompanyId, RegimeFilter};
use filing_check::printer::{self, Format};
use filing_check::registry::{embedded, Store};
use filing_check::report::{ListedFiling, StatusReport};

use super::{Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: RegistryCommand,
}

#[derive(Debug, Subcommand)]
enum RegistryCommand {
    /// Sources, as-of dates, counts per regime, schema version, and where the
    /// registry was loaded from.
    Status {
        /// Output format: table or json.
        #[arg(long, value_name = "FORMAT", default_value = "table")]
        format: Format,
    },
    /// List filings, optionally of one regime or one company.
    List {
        /// Only this regime: genai, deep-synthesis or any.
        #[arg(long, value_name = "REGIME", default_value = "any")]
        regime: RegimeFilter,
        /// Only the filings of this company (any name the matcher knows).
        #[arg(long, value_name = "NAME")]
        company: Option<String>,
        /// Output format: table, json or jsonl.
        #[arg(long, value_name = "FORMAT", default_value = "table")]
        format: Format,
    },
    /// Import a published filing list (the regulator's PDF or docx
    /// attachment, .xlsx, .xls, CSV, or JSON from `export`) into the user
    /// registry, as one batch.
    Import(Box<import::Args>),
    /// Look at the regulator's notice pages, download the attachments not
    /// yet imported and import them (needs network; offline it says so).
    Update(update::Args),
    /// Compare two batches (by number) or two registry files: filings
    /// added, removed and changed.
    Diff(diff::Args),
    /// Write one regime's filings in the published layout (what `import`
    /// reads back).
    Export(export::Args),
    /// Return to the embedded registry: remove the user registry (or
    /// rewrite the --registry file from the embedded data).
    Reset(reset::Args),
    /// Write a registry file's name index, which lookups read instead of
    /// every name (imports keep it; files from older versions lack it).
    Reindex(reindex::Args),
    /// Write the embedded registry to a registry file, for --registry.
    Init {
        /// Where to write the registry file.
        path: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
        /// Build the file from the CSV files of this directory, laid out
        /// like the repository's registry/, instead of the embedded data.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
}

/// The registry file a writing command (`import`, `update`) writes: the
/// --registry file, which must exist unless `create` (a typo in the path
/// would otherwise start a new registry), or the user registry.
fn writable_target(ctx: &Ctx, create: Option<bool>) -> Result<PathBuf, super::UsageError> {
    if let filing_check::registry::Location::File(path) = &ctx.location {
        if !path.exists() && create != Some(true) {
            let or_create = if create.is_some() {
                " or pass --create (a typo in the path would otherwise start a new registry)"
            } else {
                ""
            };
            return Err(super::UsageError(format!(
                "registry file {} does not exist; create it with `filing-check registry init {0}`{or_create}",
                path.display()
            )));
        }
    }
    ctx.location
        .writable(filing_check::registry::user_registry_path())
        .ok_or_else(|| {
            super::UsageError(
                "no user data directory is known here; name a registry file with --registry PATH"
                    .into(),
            )
        })
}

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    match args.command {
        RegistryCommand::Status { format } => {
            let registry = ctx.load()?;
            let status = StatusReport::new(&registry, Date::today(), ctx.stale_after);
            match format {
                Format::Table => printer::registry::write_status_table(out, &status)?,
                Format::Json | Format::Jsonl => {
                    serde_json::to_writer_pretty(&mut *out, &status)?;
                    writeln!(out)?;
                }
            }
            Ok(Exit::Ok)
        }
        RegistryCommand::List {
            regime,
            company,
            format,
        } => {
            let registry = ctx.load()?;
            let snap = &registry.snapshot;
            let companies: Option<Vec<CompanyId>> = company.map(|name| {
                let outcome = registry.matcher().lookup(&name, RegimeFilter::Any);
                let mut ids: Vec<CompanyId> = outcome
                    .matches
                    .iter()
                    .filter(|m| m.kind != MatchKind::Related && m.score >= STRONG)
                    .map(|m| m.company)
                    .collect();
                ids.dedup();
                ids
            });
            let rows: Vec<ListedFiling> = snap
                .filings
                .iter()
                .filter(|f| regime.admits(f.regime))
                .filter(|f| {
                    companies
                        .as_ref()
                        .is_none_or(|ids| ids.contains(&f.company_id))
                })
                .map(|f| ListedFiling::new(snap, f))
                .collect();
            match format {
                Format::Table => printer::registry::write_list_table(out, &rows)?,
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &rows)?;
                    writeln!(out)?;
                }
                Format::Jsonl => {
                    for r in &rows {
                        serde_json::to_writer(&mut *out, r)?;
                        writeln!(out)?;
                    }
                }
            }
            Ok(Exit::Ok)
        }
        RegistryCommand::Import(a) => import::run(*a, ctx, out),
        RegistryCommand::Update(a) => update::run(a, ctx, out),
        RegistryCommand::Diff(a) => diff::run(a, ctx, out),
        RegistryCommand::Export(a) => export::run(a, ctx, out),
        RegistryCommand::Reset(a) => reset::run(a, ctx, out),
        RegistryCommand::Reindex(a) => reindex::run(a, ctx, out),
        RegistryCommand::Init { path, force, data } => {
            let data = match data {
                Some(dir) => filing_check::registry::data_dir::read(&dir)?,
                None => embedded::data()?,
            };
            let store = Store::create_file(&path, &data, force)?;
            let snap = store.snapshot()?;
            writeln!(
                out,
                "wrote {} ({} filings, schema version {})",
                path.display(),
                snap.filings.len(),
                store.schema_version()?
            )?;
            Ok(Exit::Ok)
        }
    }
}
