//! `filing-check serve`: the pages and the JSON API (see
//! [`filing_check::web`]) on one address, until Ctrl-C or SIGTERM; requests
//! in flight finish first.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use filing_check::registry::{Location, Registry};
use filing_check::web::admin::{self, Admin};
use filing_check::web::{self, AppState, Limits};

use super::{Ctx, Exit, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address to listen on; loopback by default. To serve a team,
    /// give the host's intranet address (e.g. 0.0.0.0:8730) behind your
    /// firewall.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8730")]
    listen: String,

    /// Open the look-up page in the browser once listening.
    #[arg(long)]
    open: bool,

    /// The largest upload accepted, in MB.
    #[arg(long, value_name = "MB", default_value_t = 50)]
    max_upload_mb: usize,

    /// The most rows one audit takes.
    #[arg(long, value_name = "ROWS", default_value_t = 200_000)]
    max_rows: usize,

    /// Audits run at once; more wait their turn.
    #[arg(long, value_name = "N", default_value_t = 2)]
    max_audits: usize,

    /// Seconds a request may take, upload and audit included.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    timeout: u64,

    /// Turn on administration — importing newly published lists on the
    /// registry page, and `POST /api/v1/registry/import` — for whoever
    /// holds the token in this file (its first line, at least 16
    /// characters). Imports go into the --registry file (or the user
    /// registry); off without this.
    #[arg(long, value_name = "FILE")]
    admin_token_file: Option<std::path::PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let addr: SocketAddr = args.listen.parse().map_err(|_| {
        UsageError(format!(
            "--listen {:?} is not an address; write IP:PORT, e.g. 127.0.0.1:8730",
            args.listen
        ))
    })?;
    let admin = match &args.admin_token_file {
        Some(path) => Some(admin(path, ctx)?),
        None => None,
    };
    let registry: Registry = ctx.load()?;
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| UsageError(format!("cannot listen on {addr}: {e}")))?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}/");
    let as_of = filing_check::report::RegistryInfo::new(&registry)
        .as_of
        .unwrap_or_else(|| "-".into());
    let mut state = AppState::new(
        registry,
        ctx.stale_after,
        Limits {
            max_upload: args.max_upload_mb.saturating_mul(1 << 20),
            max_rows: args.max_rows,
            max_audits: args.max_audits,
            timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        },
    );
    if let Some(admin) = admin {
        writeln!(
            out,
            "administration on: lists imported on the registry page go into {}",
            admin.registry_path().display()
        )?;
        state = state.with_admin(admin);
    }
    let state = Arc::new(state);
    writeln!(
        out,
        "filing-check serving {url} (registry as of {as_of}); Ctrl-C stops"
    )?;
    out.flush()?;
    if args.open {
        open_browser(&url);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        web::serve(listener, state, shutdown()).await
    })?;
    writeln!(out, "filing-check: stopped")?;
    Ok(Exit::Ok)
}

/// Administration with the token of `path`, importing into the registry
/// file the CLI's `registry import` would write, through that command.
fn admin(path: &std::path::Path, ctx: &Ctx) -> anyhow::Result<Admin> {
    let token = admin::read_token_file(path).map_err(UsageError)?;
    let target = match &ctx.location {
        Location::File(p) | Location::User(p) => p.clone(),
        Location::Embedded => {
            return Err(UsageError(
                "--admin-token-file: imports need a registry file to go into, and the built-in registry is part of the program; make one with `filing-check registry init registry.db` and serve it with --registry registry.db".into(),
            )
            .into())
        }
    };
    let stale_after = ctx.stale_after;
    let importer: admin::Importer = Arc::new(move |registry, request| {
        let ctx = Ctx {
            location: Location::File(registry.to_path_buf()),
            stale_after,
        };
        let mut out = Vec::new();
        super::registry::import::run(
            super::registry::import::Args::for_upload(request),
            &ctx,
            &mut out,
        )
        .map_err(|e| format!("{e:#}"))?;
        serde_json::from_slice(&out).map_err(|e| format!("the import's report: {e}"))
    });
    Ok(Admin::new(token, target, importer))
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/c", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if std::process::Command::new(cmd.0)
        .args(&cmd.1)
        .spawn()
        .is_err()
    {
        eprintln!("filing-check: could not open a browser; open {url}");
    }
}
