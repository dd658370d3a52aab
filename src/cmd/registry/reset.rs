//! `filing-check registry reset`: back to the embedded registry.

use std::fs;
use std::io::Write;

use anyhow::Context;

use filing_check::registry::{embedded, user_registry_path, Location, Store};

use super::super::{Ctx, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    match &ctx.location {
        Location::File(path) => {
            // A named registry file is rewritten from the embedded data.
            Store::create_file(path, &embedded::data()?, true)?;
            for ext in ["db-wal", "db-shm"] {
                let _ = fs::remove_file(path.with_extension(ext));
            }
            writeln!(out, "rewrote {} from the embedded registry", path.display())?;
        }
        Location::User(path) => {
            fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
            for suffix in ["-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = fs::remove_file(p);
            }
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
