//! `filing-check registry reset`: back to the embedded registry.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

use filing_check::registry::{embedded, user_registry_path, Location, Registry, Store};

use super::super::{Ctx, Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Really drop what the registry holds beyond the embedded data (without
    /// it, reset only says what it would drop).
    #[arg(long)]
    yes: bool,
}

/// What resetting `path` would drop, in words, or an error if it cannot
/// be read (a damaged file can still be reset).
fn what_it_drops(path: &Path) -> String {
    match Registry::load(&Location::File(path.to_path_buf())) {
        Ok(r) => format!(
            "{} filings, {} imported batch(es) and {} source(s) of {}",
            r.snapshot.filings.len(),
            r.snapshot.batches.len(),
            r.snapshot.sources.len(),
            path.display()
        ),
        Err(e) => format!("{} (which cannot be read: {e})", path.display()),
    }
}

/// Removes SQLite's WAL files beside a registry file: `PATH-wal`, `PATH-shm`.
fn remove_journal(path: &Path) {
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = fs::remove_file(p);
    }
}

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    if let Location::File(path) | Location::User(path) = &ctx.location {
        if !args.yes {
            return Err(UsageError(format!(
                "registry reset would drop {} and go back to the embedded data; pass --yes to do it",
                what_it_drops(path)
            ))
            .into());
        }
    }
    match &ctx.location {
        Location::File(path) => {
            // A named registry file is rewritten from the embedded data
            // (through SQLite, which keeps its journal consistent).
            Store::create_file(path, &embedded::data()?, true)?;
            writeln!(out, "rewrote {} from the embedded registry", path.display())?;
        }
        Location::User(path) => {
            fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
            remove_journal(path);
            writeln!(
                out,
                "removed the user registry {}; commands use the embedded registry again",
                path.display()
            )?;
        }
        Location::Embedded => {
            let where_ = user_registry_path()
                .map(|p| format!(" (none at {})", p.display()))
                .unwrap_or_default();
            writeln!(
                out,
                "no user registry{where_}; commands already use the embedded registry"
            )?;
        }
    }
    Ok(Exit::Ok)
}
