//! The command line: the top-level arguments, the subcommands (one file
//! each), and the exit codes they map to.

mod audit;
mod eval;
mod init;
mod lookup;
mod registry;
mod serve;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use filing_check::audit::pipeline::AuditError;
use filing_check::date::Date;
use filing_check::freshness::{self, DEFAULT_STALE_AFTER_DAYS, STALE_AFTER_ENV};
use filing_check::import::ImportError;
use filing_check::input::InputError;
use filing_check::registry::{user_registry_path, Location, Registry, StoreError, REGISTRY_ENV};

const AFTER_HELP: &str = "\
Exit codes:
  0  every query is filed
  1  some query is `review` or `not-found`
  2  usage error, or an input (registry file, query) that could not be used
  3  internal error

The registry is the one compiled into this binary unless --registry or the
FILING_CHECK_REGISTRY environment variable names a registry file. A query that
starts with `-`, or is a command's name, goes after `--`: filing-check -- -name.

Not finding a name proves nothing: the registry holds the lists as of its
as-of date, and partial lists at that.";

/// Is this AI vendor or model filed with China's Cyberspace Administration
/// (网信办), and under which regime?
///
/// Regimes: `genai` — 《生成式人工智能服务管理暂行办法》 (generative-AI
/// service filing); `deep-synthesis` — 《互联网信息服务深度合成管理规定》
/// (deep-synthesis algorithm filing).
#[derive(Debug, Parser)]
#[command(
    name = "filing-check",
    version,
    after_help = AFTER_HELP,
    override_usage = "filing-check [OPTIONS] <QUERY>...\n       filing-check [OPTIONS] <COMMAND>",
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    lookup: lookup::Args,

    /// Use this registry file instead of the user registry or the embedded
    /// registry (also: FILING_CHECK_REGISTRY).
    #[arg(long, global = true, value_name = "PATH")]
    registry: Option<PathBuf>,

    /// Warn when a regime's newest data are older than DAYS.
    #[arg(long, global = true, value_name = "DAYS", env = STALE_AFTER_ENV,
          default_value_t = DEFAULT_STALE_AFTER_DAYS, hide_env_values = true)]
    stale_after: u32,
}

/// What every command needs: which registry, and when its data are stale.
pub struct Ctx {
    pub location: Location,
    pub stale_after: u32,
}

impl Ctx {
    /// Loads the registry, warning on standard error when its data are old.
    pub fn load(&self) -> anyhow::Result<Registry> {
        self.load_warning(true)
    }

    /// Loads the registry; warns about old data only if `warn`.
    pub fn load_warning(&self, warn: bool) -> anyhow::Result<Registry> {
        let registry = Registry::load(&self.location)?;
        if warn {
            self.warn_if_stale(&registry);
        }
        Ok(registry)
    }

    /// Warns on standard error when a regime's data are old.
    pub fn warn_if_stale(&self, registry: &Registry) {
        let fresh = freshness::freshness(&registry.snapshot, Date::today(), self.stale_after);
        if let Some(w) = freshness::warning(&fresh, self.stale_after) {
            let _ = writeln!(std::io::stderr(), "filing-check: warning: {w}");
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check every row of a vendor list (CSV, TSV, xlsx, xls, or `-`): a
    /// verdict per row, a report, and a gate for CI (exit 1 when it fails).
    Audit(Box<audit::Args>),
    /// Write a commented policy file (filing-check.toml) for `audit`.
    Init(init::Args),
    /// Inspect the registry: its sources, dates and filings.
    Registry(registry::Args),
    /// Measure matching quality on a labelled query set: the confusion
    /// table and every miss (exit 1 when the set fails its thresholds).
    Eval(eval::Args),
    /// Serve the look-up, audit and registry pages and the JSON API
    /// (http://127.0.0.1:8730/ by default).
    Serve(serve::Args),
}

/// Exit codes, documented in `--help` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Findings = 1,
    Usage = 2,
    Internal = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// An error the user can fix (bad argument, unusable file): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Maps an error to its exit code: problems with the user's input are 2,
/// anything else is an internal error (3).
pub fn exit_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.downcast_ref::<UsageError>().is_some()
            || cause.downcast_ref::<InputError>().is_some()
            || cause.downcast_ref::<AuditError>().is_some()
            || cause.downcast_ref::<ImportError>().is_some()
        {
            return Exit::Usage;
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return match e {
                StoreError::Invalid {
                    origin: filing_check::registry::Origin::Embedded,
                    ..
                } => Exit::Internal,
                _ => Exit::Usage,
            };
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return Exit::Usage;
        }
    }
    Exit::Internal
}

/// The commands, and `registry`'s, by name: a query that is one of them, or
/// a typo of one, was meant as a command.
const COMMANDS: &[&str] = &["audit", "init", "registry", "eval", "help"];
const REGISTRY_COMMANDS: &[&str] = &[
    "status", "list", "import", "diff", "export", "reset", "reindex",
];

/// When a lookup's first query found nothing and reads as a command typed
/// wrong (`audti`, `status`) or as a list to audit (an existing file), what
/// the user meant: an exit 2 with the command to run, not a `not-found`
/// for a name nobody asked about. (`filing-check -- NAME` looks up any name.)
pub fn misdirected(outcomes: &[filing_check::matcher::Outcome]) -> Option<String> {
    let first = outcomes.first()?;
    if first.verdict != filing_check::matcher::Verdict::NotFound
        || std::env::args().any(|a| a == "--")
    {
        return None;
    }
    let q = first.query.trim();
    let rest: Vec<&str> = outcomes[1..].iter().map(|o| o.query.as_str()).collect();
    let with_rest = |cmd: &str| {
        std::iter::once(cmd)
            .chain(rest.iter().copied())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let near = |name: &str| {
        let lower = q.to_ascii_lowercase();
        lower == name || (q.len() >= 4 && strsim::damerau_levenshtein(&lower, name) <= 2)
    };
    if let Some(cmd) = COMMANDS.iter().find(|c| q.is_ascii() && near(c)) {
        return Some(format!(
            "{q:?} is no name in the registry; did you mean `filing-check {}`? (to look up {q:?} as a name, write `filing-check -- {q}`)",
            with_rest(cmd)
        ));
    }
    if let Some(cmd) = REGISTRY_COMMANDS.iter().find(|c| q.is_ascii() && near(c)) {
        return Some(format!(
            "{q:?} is no name in the registry; did you mean `filing-check registry {}`? (to look up {q:?} as a name, write `filing-check -- {q}`)",
            with_rest(cmd)
        ));
    }
    if outcomes.len() == 1 && std::path::Path::new(q).is_file() {
        return Some(format!(
            "{q:?} is a file, and no name in the registry; to check the vendors it lists, run `filing-check audit {q}` (to look it up as a name, write `filing-check -- {q}`)"
        ));
    }
    None
}

/// Runs the parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let ctx = Ctx {
        location: Location::resolve(
            cli.registry,
            std::env::var_os(REGISTRY_ENV),
            user_registry_path(),
        ),
        stale_after: cli.stale_after,
    };
    match cli.command {
        Some(Command::Audit(args)) => audit::run(*args, &ctx, out),
        Some(Command::Init(args)) => init::run(args, out),
        Some(Command::Registry(args)) => registry::run(args, &ctx, out),
        Some(Command::Eval(args)) => eval::run(args, &ctx, out),
        Some(Command::Serve(args)) => serve::run(args, &ctx, out),
        None => lookup::run(cli.lookup, &ctx, out),
    }
}
