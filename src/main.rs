//! The `filing-check` binary: parses arguments, runs one command, and turns
//! its outcome into an exit code. All logic lives in the library.

mod cmd;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use cmd::{Cli, Exit};

/// A test hook: set, the command panics once it has parsed its arguments,
/// so that a test can see what a panic does to the exit code and stderr.
const PANIC_ENV: &str = "FILING_CHECK_TEST_PANIC";

fn main() -> ExitCode {
    // A panic is a bug: one line saying so, where, and exit 3 (never 101).
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            io::stderr(),
            "filing-check: internal error, please report it with the command that caused it: {what}{at}"
        );
    }));
    std::panic::catch_unwind(run).unwrap_or_else(|_| Exit::Internal.into())
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are not errors; everything else is usage (2).
            let code = if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
            let _ = err.print();
            return code.into();
        }
    };
    if std::env::var_os(PANIC_ENV).is_some() {
        panic!("{PANIC_ENV} is set");
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = cmd::run(cli, &mut out).and_then(|code| match out.flush() {
        // The answer's exit code stands even if the reader left early.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(code),
        other => other.map(|()| code).map_err(anyhow::Error::from),
    });
    match result {
        Ok(code) => code.into(),
        Err(err) if is_broken_pipe(&err) => Exit::Ok.into(),
        Err(err) => {
            // Standard error may be closed too; the exit code still tells.
            let _ = writeln!(io::stderr(), "filing-check: error: {err:#}");
            cmd::exit_for(&err).into()
        }
    }
}

/// A closed pipe (`filing-check … | head`) is how a reader says "enough".
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
