//! `filing-check <QUERY>...`: the verdict and evidence for each name.

use std::io::Write;

use filing_check::matcher::Verdict;
use filing_check::model::RegimeFilter;
use filing_check::printer::{self, Format};
use filing_check::registry::{Registry, Scope};
use filing_check::report::{self, LookupReport, RegistryInfo};

use super::{Ctx, Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Vendor or model names to look up (a legal name, a brand, a product…).
    #[arg(value_name = "QUERY")]
    queries: Vec<String>,

    /// Which regime counts: genai, deep-synthesis or any.
    #[arg(long, value_name = "REGIME", default_value = "any")]
    regime: RegimeFilter,

    /// Output format: table, json or jsonl.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    format: Format,

    /// Show how each verdict was reached: the normalised query, the
    /// candidates, the rule that fired, each score and the thresholds.
    #[arg(long)]
    explain: bool,
}

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    if args.queries.is_empty() {
        return Err(UsageError(
            "no query given; try `filing-check 智谱AI`, or `filing-check --help`".into(),
        )
        .into());
    }
    if let Some(i) = args.queries.iter().position(|q| q.trim().is_empty()) {
        return Err(UsageError(format!("query {} is empty", i + 1)).into());
    }
    let mut registry = Registry::open(&ctx.location, Scope::Lookup)?;
    let outcomes: Vec<_> = args
        .queries
        .iter()
        .map(|q| match args.explain {
            true => registry.matcher().lookup(q, args.regime),
            // Nobody reads the candidates: do not collect them.
            false => registry.matcher().lookup_brief(q, args.regime),
        })
        .collect();
    registry.resolve(
        outcomes
            .iter()
            .flat_map(|o| o.matches.iter().map(|m| m.filing).chain(o.nearest)),
    )?;
    if let Some(hint) = super::misdirected(&outcomes) {
        return Err(UsageError(hint).into());
    }
    ctx.warn_if_stale(&registry);
    let results: Vec<_> = outcomes
        .into_iter()
        .map(|outcome| report::query_result(&registry.snapshot, outcome, args.explain))
        .collect();
    let all_filed = results.iter().all(|r| r.verdict == Verdict::Filed);
    let report = LookupReport {
        registry: RegistryInfo::new(&registry),
        results,
    };
    let written = match args.format {
        Format::Table => printer::table::write_report(out, &report, printer::terminal_width()),
        Format::Json => printer::json::write_report(out, &report),
        Format::Jsonl => printer::json::write_lines(out, &report),
    }
    .and_then(|()| out.flush());
    match written {
        // A reader that stopped early still gets the answer's exit code:
        // a closed pipe must not turn `not-found` into success.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    // The process ends here: freeing the snapshot one allocation at a time
    // would only delay the exit.
    std::mem::forget(registry);
    Ok(if all_filed { Exit::Ok } else { Exit::Findings })
}
