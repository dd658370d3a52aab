//! What an audit says on standard error: each failing row once, with its
//! code and a ready-to-paste exception; the gate's notices; and the summary
//! that ends every run. Standard output carries only the report.
//!
//! Values from the list are echoed cut to a readable length, and at most
//! [`FAILURES_SHOWN`] failing rows are listed: the report has every row.
//!
//! Styles are ANSI; the caller writes through `anstream`, which drops them
//! when standard error is not a terminal or `NO_COLOR` is set.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use crate::audit::gate::Summary;
use crate::audit::pipeline::Failure;
use crate::audit::policy;
use crate::audit::sink::InputInfo;
use crate::audit::AuditVerdict;
use crate::printer::text::{echo, is_clipped, reason};
use crate::report::RegistryInfo;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// Distinct failing rows listed in full; the rest are counted.
pub const FAILURES_SHOWN: usize = 100;

/// Each failing row, once per distinct vendor/model/number, with the entry
/// that would accept it; past [`FAILURES_SHOWN`], a count of the rest.
pub fn write_failures(out: &mut dyn Write, file: &str, failures: &[Failure]) -> io::Result<()> {
    for f in failures.iter().take(FAILURES_SHOWN) {
        let eval = &f.evaluation;
        let what = [f.vendor.trim(), f.model.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(echo)
            .collect::<Vec<_>>()
            .join(" / ");
        let repeats = if f.repeats > 0 {
            format!(" (and {} more row(s) like it)", f.repeats)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{ERROR}error[{}]{ERROR:#}: {file}:{}: {}{}: {}{repeats}",
            eval.code,
            f.line,
            eval.verdict,
            if what.is_empty() {
                String::new()
            } else {
                format!(" {what}")
            },
            reason(&eval.reason)
        )?;
        if eval.verdict == AuditVerdict::Invalid || what.is_empty() {
            writeln!(out, "  {DIM}= fix the row: give a vendor or a model{DIM:#}")?;
            continue;
        }
        if is_clipped(&f.vendor) || is_clipped(&f.model) {
            writeln!(
                out,
                "  {DIM}= to accept it, add an exception to {} (the row's names are too long to show here){DIM:#}",
                policy::FILE_NAME
            )?;
            continue;
        }
        writeln!(
            out,
            "  {DIM}= to accept it, add to {} (and fill in approved-by):{DIM:#}",
            policy::FILE_NAME
        )?;
        for line in f.entry.lines() {
            writeln!(out, "    {line}")?;
        }
    }
    if let Some(rest) = failures.get(FAILURES_SHOWN..).filter(|r| !r.is_empty()) {
        let rows: u64 = rest.iter().map(|f| 1 + f.repeats).sum();
        writeln!(
            out,
            "{DIM}(and {rows} more failing row{} not shown here: the report has every row; write it to a file with --output FILE){DIM:#}",
            if rows == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}

/// The gate's notices: expired and unused exceptions, a stale registry.
pub fn write_notices(out: &mut dyn Write, summary: &Summary, quiet: bool) -> io::Result<()> {
    for n in &summary.notices {
        if quiet && !n.fails {
            continue;
        }
        let (style, level) = if n.fails {
            (ERROR, "error")
        } else {
            (WARNING, "warning")
        };
        writeln!(out, "{style}{level}[{}]{style:#}: {}", n.code, n.message)?;
    }
    Ok(())
}

/// Which columns were read as vendor, model and filing number, so that a
/// list whose headers were misread shows it at once.
pub fn write_columns(out: &mut dyn Write, input: &InputInfo) -> io::Result<()> {
    writeln!(out, "columns: {}", input.columns_line())
}

/// The line that ends every run: counts, the registry's date, the outcome.
pub fn write_summary(
    out: &mut dyn Write,
    summary: &Summary,
    registry: &RegistryInfo,
) -> io::Result<()> {
    let counts: Vec<String> = AuditVerdict::ALL
        .iter()
        .map(|v| format!("{} {v}", summary.count(*v)))
        .collect();
    let (style, outcome) = if summary.passed {
        (GOOD, "gate passed".to_string())
    } else if summary.failing > 0 {
        (
            ERROR,
            format!("gate FAILED: {} failing row(s)", summary.failing),
        )
    } else {
        (ERROR, "gate FAILED".to_string())
    };
    writeln!(
        out,
        "audit: {} rows: {}; {} waived by exceptions, {} known from the baseline. Registry as of {}{}. {style}{outcome}{style:#}",
        summary.rows,
        counts.join(", "),
        summary.waived,
        summary.known,
        registry.as_of.as_deref().unwrap_or("unknown"),
        if registry.any_partial() { " (partial lists: not-found is not proof of no filing)" } else { "" },
    )
}
