//! `filing-check registry reindex`: write a registry file's name index.
//!
//! Imports keep the index; a file made by an older filing-check, changed by
//! another program, or indexed by a build with another normaliser has none
//! it can use, and lookups then read the whole registry. This writes one.

use std::io::Write;

use filing_check::registry::{user_registry_path, Store};

use super::super::{Ctx, Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(path) = ctx.location.writable(None) else {
        let hint = user_registry_path()
            .map(|p| format!(" (no user registry at {})", p.display()))
            .unwrap_or_default();
        return Err(UsageError(format!(
            "the embedded registry is indexed at start-up{hint}; name a registry file with --registry"
        ))
        .into());
    };
    let mut store = Store::open_writable(&path)?;
    let wrote = store.reindex()?;
    let names = match store.name_index()? {
        filing_check::registry::IndexState::Ready(ix) => ix.len(),
        _ => 0,
    };
    if wrote {
        writeln!(
            out,
            "wrote the name index of {} ({names} names)",
            path.display()
        )?;
    } else {
        writeln!(
            out,
            "{} already has a usable name index ({names} names); nothing written",
            path.display()
        )?;
    }
    Ok(Exit::Ok)
}
