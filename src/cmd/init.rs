//! `filing-check init`: writes a commented policy file to start from.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;

use anyhow::Context;

use filing_check::audit::policy;

use super::{Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the policy file.
    #[arg(value_name = "PATH", default_value = policy::FILE_NAME)]
    path: PathBuf,

    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut open = OpenOptions::new();
    open.write(true);
    if args.force {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let mut file = match open.open(&args.path) {
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return Err(UsageError(format!(
                "{} exists; edit it, or pass --force to replace it",
                args.path.display()
            ))
            .into())
        }
        r => r.with_context(|| format!("cannot write {}", args.path.display()))?,
    };
    file.write_all(policy::template().as_bytes())
        .with_context(|| format!("cannot write {}", args.path.display()))?;
    writeln!(
        out,
        "wrote {}: gate settings and exceptions for `filing-check audit`",
        args.path.display()
    )?;
    Ok(Exit::Ok)
}
