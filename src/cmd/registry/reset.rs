//! `filing-check registry reset`: back to the embedded registry.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

use filing_check::registry::{embedded, user_registry_path, Location, Store};

use super::super::{Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {}

/// Removes SQLite's WAL files beside a registry file: `PATH-wal`, `PATH-shm`.
fn remove_journal(path: &Path) {
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = fs::remove_file(p);
    }
}

pub fn run(_args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
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
