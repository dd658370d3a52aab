//! `filing-check registry export --regime R`: one regime's filings in the
//! layout the regulator publishes, which `registry import` reads back.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use serde_json::{Map, Value};

use filing_check::import::{export_header, export_record, ExportFormat};
use filing_check::model::Regime;

use super::super::{Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The regime to export: genai or deep-synthesis.
    #[arg(long, value_name = "REGIME")]
    regime: Regime,

    /// csv (UTF-8 with a BOM, for Excel) or json (an array of rows keyed by
    /// the list's headers).
    #[arg(long, value_name = "FORMAT", default_value = "csv")]
    format: ExportFormat,

    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx, stdout: &mut dyn Write) -> anyhow::Result<Exit> {
    let registry = ctx.load()?;
    let snap = &registry.snapshot;
    let rows: Vec<_> = snap
        .filings
        .iter()
        .filter(|f| f.regime == args.regime && f.status.stands())
        .map(|f| {
            // The company as listed, so that a re-import links the same way
            // (the registry's name where the list left the cell empty), and
            // the item as the registry corrected it.
            let mut fields = f.fields.clone();
            if fields.company.trim().is_empty() {
                fields.company = f.company.clone();
            }
            fields.item = f.item.clone();
            fields
        })
        .collect();
    let mut out: Box<dyn Write + '_> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(stdout),
    };
    let header = export_header(args.regime);
    match args.format {
        ExportFormat::Csv => {
            out.write_all("\u{feff}".as_bytes())?;
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(&header)?;
            for (i, r) in rows.iter().enumerate() {
                w.write_record(export_record(args.regime, i + 1, r))?;
            }
            w.flush()?;
        }
        ExportFormat::Json => {
            let items: Vec<Value> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let values = export_record(args.regime, i + 1, r);
                    let mut m = Map::new();
                    for (h, v) in header.iter().zip(values) {
                        m.insert((*h).to_string(), Value::String(v));
                    }
                    Value::Object(m)
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
}
