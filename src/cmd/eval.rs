//! `filing-check eval FILE`: measure the matcher on a labelled query set.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use filing_check::eval;
use filing_check::printer::{self, Format};

use super::{Ctx, Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The labelled set: a CSV with query, expected_verdict,
    /// expected_company, expected_regimes (and optional form, note).
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Output format: table or json.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    format: Format,
}

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| UsageError(format!("cannot read {}: {e}", args.file.display())))?;
    let cases = eval::parse_cases(&args.file.display().to_string(), &text)
        .map_err(|e| UsageError(e.to_string()))?;
    let registry = ctx.load()?;
    let report = eval::evaluate(&registry, &cases);
    match args.format {
        Format::Table => printer::eval::write_table(out, &report)?,
        Format::Json | Format::Jsonl => {
            serde_json::to_writer_pretty(&mut *out, &report).context("writing the report")?;
            writeln!(out)?;
        }
    }
    Ok(if report.pass {
        Exit::Ok
    } else {
        Exit::Findings
    })
}
