//! `filing-check audit FILE|-`: every row of a vendor list checked, a report
//! in the chosen format, and a gate for CI.
//!
//! Flags are parsed by clap, then resolved with the policy file into one
//! [`Plan`] by a pure function ([`Plan::new`], unit-tested below) before any
//! list is read; the run itself is the library's
//! ([`filing_check::audit::pipeline`]).

use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use filing_check::audit::baseline::Baseline;
use filing_check::audit::columns::{ColumnSpec, Overrides};
use filing_check::audit::gate::{Gate, DEFAULT_FAIL_ON};
use filing_check::audit::pipeline::{self, AuditError, Options};
use filing_check::audit::policy::{self, Policy};
use filing_check::audit::{AuditVerdict, Auditor, Require};
use filing_check::date::Date;
use filing_check::freshness;
use filing_check::input::{self, ReadOptions, Source};
use filing_check::printer;
use filing_check::printer::audit::{
    self as out_fmt, diagnostics, AuditFormat, Lang, OutputEncoding, Settings,
};
use filing_check::report::RegistryInfo;

use super::{Ctx, Exit, UsageError};

const AFTER_HELP: &str = "\
Columns are found by header, in Chinese or English: vendor (供应商, 厂商,
公司, 单位, vendor, company, supplier…), model (模型, 产品, 服务, 算法, model,
product, service…) and filing number (备案号, 备案编号, 上线编号, filing
number). Text is read as UTF-8 (with or without BOM), GB18030/GBK or UTF-16
with a BOM, detected unless --encoding says.

Verdicts: filed, review, not-found, mismatch (the model is another company's,
or the filing number is malformed, unknown or another's), invalid (no usable
vendor or model).

Exit codes:
  0  the gate passed
  1  the gate failed: a row with a --fail-on verdict not waived by an
     exception nor known from --baseline, or a registry older than
     --max-staleness
  2  usage or input error (unreadable, empty or column-less list, bad policy
     or baseline file, unwritable --output)
  3  internal error

A policy file (./filing-check.toml, or --policy) holds the gate settings and
exceptions; `filing-check init` writes a commented one. Flags override it.";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The list to audit: .csv, .tsv, .txt, .xlsx, .xls, or `-` for standard
    /// input.
    #[arg(value_name = "FILE")]
    file: String,

    /// Output format: table, csv, json, jsonl, markdown, junit, github or xlsx
    /// [default: from --output's extension (.csv, .json, .jsonl, .md, .xml,
    /// .xlsx, .txt; another is an error), else table].
    #[arg(long, value_name = "FORMAT")]
    format: Option<AuditFormat>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Encoding of csv output: utf-8-bom (UTF-8 as Excel opens it), utf-8
    /// (for programs), gb18030 (Excel on Chinese Windows) or gbk (a character
    /// GBK lacks is an error naming the row).
    #[arg(long, value_name = "ENCODING", default_value = "utf-8-bom")]
    output_encoding: OutputEncoding,

    /// The language of headers and labels: zh or en [default: zh for table,
    /// markdown and xlsx; en for csv]. Codes stay English; json, jsonl,
    /// junit and github output are English only.
    #[arg(long, value_name = "LANG")]
    lang: Option<Lang>,

    /// The input's text encoding (utf-8, gbk, gb18030, utf-16le, utf-16be,
    /// big5…) instead of detecting it.
    #[arg(long, value_name = "ENCODING")]
    encoding: Option<String>,

    /// The worksheet of a workbook, by name or 1-based number [default: the
    /// first].
    #[arg(long, value_name = "SHEET")]
    sheet: Option<String>,

    /// The field delimiter of a text list [default: sniffed].
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,

    /// The vendor column: a header or a 1-based number.
    #[arg(long, value_name = "COLUMN")]
    vendor_col: Option<ColumnSpec>,

    /// The model column: a header or a 1-based number.
    #[arg(long, value_name = "COLUMN")]
    model_col: Option<ColumnSpec>,

    /// The filing-number column: a header or a 1-based number.
    #[arg(long, value_name = "COLUMN")]
    filing_col: Option<ColumnSpec>,

    /// The list has no header row (a bare list of names is read as vendors).
    #[arg(long)]
    no_header: bool,

    /// Which regimes count as filed: any, genai, deep-synthesis or both
    /// [default: policy file, else any].
    #[arg(long, value_name = "REGIME")]
    require: Option<Require>,

    /// Verdicts that fail the gate, comma-separated [default: policy file,
    /// else not-found,mismatch,invalid].
    #[arg(long, value_name = "VERDICTS", value_delimiter = ',')]
    fail_on: Option<Vec<AuditVerdict>>,

    /// The policy file [default: ./filing-check.toml if it exists].
    #[arg(long, value_name = "FILE", conflicts_with = "no_policy")]
    policy: Option<PathBuf>,

    /// Ignore ./filing-check.toml.
    #[arg(long)]
    no_policy: bool,

    /// A previous JSON report: fail only on rows that are new or got worse.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// Fail the gate when the registry's data are older than DAYS.
    #[arg(long, value_name = "DAYS")]
    max_staleness: Option<u32>,

    /// Print only failing rows, and on standard error only failures. A
    /// report written with --output still has every row.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Reads a small text file the user named, with the path in any error.
fn read_text(path: &Path, what: &str) -> anyhow::Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read the {what} {}", path.display()))
}

/// The policy file in force, if any.
fn policy(args: &Args) -> anyhow::Result<Policy> {
    let path = match (&args.policy, args.no_policy) {
        (Some(p), _) => p.clone(),
        (None, true) => return Ok(Policy::default()),
        (None, false) => {
            let p = PathBuf::from(policy::FILE_NAME);
            if !p.exists() {
                return Ok(Policy::default());
            }
            p
        }
    };
    let text = read_text(&path, "policy file")?;
    policy::parse(&text, &path.display().to_string()).map_err(|e| UsageError(e.to_string()).into())
}

fn delimiter(s: &str) -> Result<u8, UsageError> {
    match s {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(UsageError(format!(
            "--delimiter takes one ASCII character (or `tab`), got {s:?}"
        ))),
    }
}

/// Where the report goes: a file written beside its final path and renamed
/// into place at the end, so a failed run leaves no half report behind.
struct Output {
    tmp: PathBuf,
    path: PathBuf,
}

/// Whether the file begins like a workbook (its first bytes; a file that
/// cannot be read is left to the reader, which says why).
fn starts_like_a_workbook(path: &Path) -> bool {
    let mut head = [0u8; 8];
    fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .is_ok_and(|n| input::is_workbook(&head[..n]))
}

/// Whether two paths name one existing file (the same path written another
/// way, a symlink, or a hard link).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) {
            if ma.dev() == mb.dev() && ma.ino() == mb.ino() {
                return true;
            }
        }
    }
    matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

impl Output {
    fn create(path: &Path) -> anyhow::Result<(Option<Output>, File)> {
        // A FIFO, a device or a symlink is written through, never replaced.
        if fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file()) {
            let file = File::create(path)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            return Ok((None, file));
        }
        let name = path
            .file_name()
            .ok_or_else(|| UsageError(format!("--output {} is not a file name", path.display())))?;
        let tmp = path.with_file_name(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&tmp)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
        Ok((
            Some(Output {
                tmp,
                path: path.to_path_buf(),
            }),
            file,
        ))
    }

    fn commit(self) -> anyhow::Result<()> {
        fs::rename(&self.tmp, &self.path)
            .with_context(|| format!("cannot write the report to {}", self.path.display()))
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

/// Everything a run needs, resolved from the flags and the policy file
/// before the list or the registry is read.
#[derive(Debug)]
struct Plan {
    source: Source,
    format: AuditFormat,
    output: Option<PathBuf>,
    output_encoding: OutputEncoding,
    lang: Lang,
    read: ReadOptions,
    require: Require,
    fail_on: Vec<AuditVerdict>,
    max_staleness: Option<u32>,
    exceptions: Vec<policy::Exception>,
    options: Options,
    quiet: bool,
}

impl Plan {
    /// Resolves the flags against the policy (flags win, then the policy,
    /// then the defaults). `stdout_is_terminal` says whether a binary format
    /// could land on a terminal.
    fn new(args: &Args, policy: Policy, stdout_is_terminal: bool) -> Result<Plan, UsageError> {
        let format = match (args.format, args.output.as_deref()) {
            (Some(format), _) => format,
            (None, Some(path)) => AuditFormat::from_extension(path)
                .map_err(UsageError)?
                .unwrap_or(AuditFormat::Table),
            (None, None) => AuditFormat::Table,
        };
        if format.is_binary() && args.output.is_none() && stdout_is_terminal {
            return Err(UsageError(format!(
                "--format {format} writes a binary file; give --output FILE.{format} or redirect standard output"
            )));
        }
        let read = ReadOptions {
            encoding: args
                .encoding
                .as_deref()
                .map(input::parse_encoding)
                .transpose()
                .map_err(|e| UsageError(e.to_string()))?,
            sheet: args.sheet.clone(),
            delimiter: args.delimiter.as_deref().map(delimiter).transpose()?,
        };
        Ok(Plan {
            source: Source::from_arg(&args.file),
            format,
            output: args.output.clone(),
            output_encoding: args.output_encoding,
            lang: args.lang.unwrap_or_else(|| format.default_lang()),
            read,
            require: args.require.or(policy.require).unwrap_or(Require::Any),
            fail_on: args
                .fail_on
                .clone()
                .or(policy.fail_on)
                .unwrap_or_else(|| DEFAULT_FAIL_ON.to_vec()),
            max_staleness: args.max_staleness.or(policy.max_staleness_days),
            exceptions: policy.exceptions,
            options: Options {
                overrides: Overrides {
                    vendor: args.vendor_col.clone(),
                    model: args.model_col.clone(),
                    number: args.filing_col.clone(),
                    no_header: args.no_header,
                },
                // --quiet quiets the terminal: a report file has every row.
                quiet: args.quiet && args.output.is_none(),
            },
            quiet: args.quiet,
        })
    }
}

pub fn run(args: Args, ctx: &Ctx, stdout: &mut dyn Write) -> anyhow::Result<Exit> {
    // Resolve everything before reading the list.
    let plan = Plan::new(&args, policy(&args)?, io::stdout().is_terminal())?;
    let baseline = match &args.baseline {
        Some(path) => {
            let text = read_text(path, "baseline")?;
            Some(
                Baseline::parse(&text, &path.display().to_string())
                    .map_err(|e| UsageError(e.to_string()))?,
            )
        }
        None => None,
    };
    run_plan(plan, baseline, ctx, stdout)
}

/// Runs a resolved plan.
fn run_plan(
    plan: Plan,
    baseline: Option<Baseline>,
    ctx: &Ctx,
    stdout: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let registry = ctx.load_warning(!plan.quiet)?;
    let info = RegistryInfo::new(&registry);
    let auditor = Auditor::new(&registry, plan.require);
    let gate = Gate::new(
        &plan.fail_on,
        plan.exceptions,
        baseline,
        plan.max_staleness,
        Date::today(),
    )
    .relying_on(relied_on(&registry.snapshot, plan.require));
    if let (input::Source::Path(list), Some(report)) = (&plan.source, &plan.output) {
        if same_file(list, report) {
            return Err(UsageError(format!(
                "--output {} is the list being audited ({}): the report would replace it; write the report to another file",
                report.display(),
                list.display()
            ))
            .into());
        }
    }
    // Without --sheet, the sheet that holds the list, or a stop when several
    // do: a gate must not pass on sheets it did not read.
    let mut read = plan.read.clone();
    let table = match (&plan.source, &read.sheet) {
        (input::Source::Path(path), None) if starts_like_a_workbook(path) => {
            // A workbook is read whole anyway: once, for the sheet check and
            // for the audit.
            let name = path.display().to_string();
            let bytes = fs::read(path).map_err(|source| input::InputError::Open {
                file: name.clone(),
                source,
            })?;
            let found = filing_check::audit::sheets::with_columns(
                &name,
                &bytes,
                &read,
                &plan.options.overrides,
            )?;
            match found.as_slice() {
                [one] => read.sheet = Some(one.clone()),
                several @ [_, _, ..] => {
                    return Err(UsageError(format!(
                        "{name}: {} sheets hold a vendor or model column ({}); audit each with --sheet NAME, so that no sheet goes unread",
                        several.len(),
                        several.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
                    ))
                    .into());
                }
                [] => {}
            }
            input::from_reader(&name, Box::new(std::io::Cursor::new(bytes)), &read)?
        }
        _ => input::open(&plan.source, &read)?,
    };

    let (output, sink_out): (Option<Output>, Box<dyn Write + '_>) = match &plan.output {
        Some(path) => {
            let (o, file) = Output::create(path)?;
            (o, Box::new(BufWriter::new(file)))
        }
        None => (None, Box::new(BufWriter::new(stdout))),
    };
    let settings = Settings {
        encoding: plan.output_encoding,
        lang: plan.lang,
        // A report file has no terminal: the table prints blocks of lines.
        width: match plan.output {
            None => printer::terminal_width(),
            Some(_) => None,
        },
        freshness: freshness::freshness(&registry.snapshot, Date::today(), ctx.stale_after),
        stale_after_days: ctx.stale_after,
    };
    let mut sink = out_fmt::sink(plan.format, sink_out, &settings);

    let progress = progress_bar(plan.quiet);
    let mut tick = |rows: u64| progress.set_position(rows);
    let finished = pipeline::run(
        table,
        &auditor,
        gate,
        &info,
        &plan.options,
        sink.as_mut(),
        &mut tick,
    );
    progress.finish_and_clear();
    drop(sink);
    // A reader that closes the pipe early (`audit … | head`) did not get
    // the report; the gate's answer must not turn into a pass (exit 0).
    let finished = finished.map_err(|e| match e {
        AuditError::Output(io) if io.kind() == io::ErrorKind::BrokenPipe => UsageError(
            "standard output was closed before the report was written; the gate's outcome is unknown (write the report with --output FILE)".into(),
        )
        .into(),
        // Said once (the error's own text already ends with its cause): a
        // report that could not be written, e.g. a character its encoding
        // lacks.
        AuditError::Output(io) => UsageError(format!("writing the report: {io}")).into(),
        other => anyhow::Error::from(other),
    })?;
    if let Some(o) = output {
        o.commit()?;
    }

    // Diagnostics are best effort: a closed or full standard error must not
    // change the gate's exit code.
    let stderr = io::stderr();
    let color = anstream::AutoStream::choice(&stderr);
    let mut err = BufWriter::new(anstream::AutoStream::new(stderr.lock(), color));
    let columns = if plan.quiet {
        Ok(())
    } else {
        diagnostics::write_columns(&mut err, &finished.input)
    };
    let _ = columns
        .and_then(|()| {
            diagnostics::write_failures(&mut err, &finished.input.file, &finished.failures)
        })
        .and_then(|()| diagnostics::write_notices(&mut err, &finished.summary, plan.quiet))
        .and_then(|()| {
            if !plan.quiet || !finished.summary.passed {
                diagnostics::write_summary(&mut err, &finished.summary, &info)
            } else {
                Ok(())
            }
        })
        .and_then(|()| err.flush());
    Ok(if finished.summary.passed {
        Exit::Ok
    } else {
        Exit::Findings
    })
}

/// The regimes a gate with this requirement relies on, with each one's
/// as-of date: `any` relies on every regime the registry holds filings of.
fn relied_on(
    snap: &filing_check::model::Snapshot,
    require: Require,
) -> Vec<(filing_check::model::Regime, Option<String>)> {
    use filing_check::model::Regime;
    let regimes: Vec<Regime> = match require {
        Require::Any => Regime::ALL
            .iter()
            .copied()
            .filter(|&r| snap.count(r) > 0)
            .collect(),
        Require::Genai => vec![Regime::Genai],
        Require::DeepSynthesis => vec![Regime::DeepSynthesis],
        Require::Both => Regime::ALL.to_vec(),
    };
    regimes
        .into_iter()
        .map(|r| (r, snap.regime_as_of(r).map(str::to_string)))
        .collect()
}

/// A progress bar on standard error, drawn only on a terminal.
fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos} rows audited ({per_sec}, {elapsed})")
    {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The audit's arguments as the command line gives them.
    fn args(line: &[&str]) -> Args {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        Cli::try_parse_from(std::iter::once("audit").chain(line.iter().copied()))
            .unwrap()
            .args
    }

    fn policy(text: &str) -> Policy {
        policy::parse(text, "filing-check.toml").unwrap()
    }

    #[test]
    fn flags_win_over_the_policy_which_wins_over_the_defaults() {
        let p = Plan::new(&args(&["list.csv"]), Policy::default(), false).unwrap();
        assert_eq!(p.require, Require::Any);
        assert_eq!(p.fail_on, DEFAULT_FAIL_ON.to_vec());
        assert_eq!(p.format, AuditFormat::Table);

        let file =
            "[gate]\nrequire = \"genai\"\nfail-on = [\"mismatch\"]\nmax-staleness-days = 30\n";
        let p = Plan::new(&args(&["list.csv"]), policy(file), false).unwrap();
        assert_eq!(p.require, Require::Genai);
        assert_eq!(p.fail_on, vec![AuditVerdict::Mismatch]);
        assert_eq!(p.max_staleness, Some(30));

        let p = Plan::new(
            &args(&["list.csv", "--require", "both", "--max-staleness", "9"]),
            policy(file),
            false,
        )
        .unwrap();
        assert_eq!((p.require, p.max_staleness), (Require::Both, Some(9)));
    }

    #[test]
    fn the_format_follows_the_output_name_unless_given() {
        let p = Plan::new(&args(&["l.csv", "-o", "r.xlsx"]), Policy::default(), true).unwrap();
        assert_eq!(p.format, AuditFormat::Xlsx);
        let p = Plan::new(
            &args(&["l.csv", "-o", "r.xlsx", "--format", "json"]),
            Policy::default(),
            true,
        )
        .unwrap();
        assert_eq!(p.format, AuditFormat::Json);
    }

    #[test]
    fn an_output_name_no_format_writes_is_refused_unless_the_format_is_given() {
        for name in ["r.xls", "r.html", "r.tsv", "r.junit", "r.pdf"] {
            let err =
                Plan::new(&args(&["l.csv", "-o", name]), Policy::default(), false).unwrap_err();
            assert!(
                err.0.contains(name)
                    && err.0.contains(".xlsx (xlsx)")
                    && err.0.contains("--format"),
                "{err}"
            );
            let p = Plan::new(
                &args(&["l.csv", "-o", name, "--format", "csv"]),
                Policy::default(),
                false,
            )
            .unwrap();
            assert_eq!(p.format, AuditFormat::Csv);
        }
        // A name without an extension is the default format.
        let p = Plan::new(&args(&["l.csv", "-o", "report"]), Policy::default(), false).unwrap();
        assert_eq!(p.format, AuditFormat::Table);
        let p = Plan::new(&args(&["l.csv", "-o", "R.XLSX"]), Policy::default(), false).unwrap();
        assert_eq!(p.format, AuditFormat::Xlsx);
    }

    #[test]
    fn quiet_thins_the_terminal_output_never_a_report_file() {
        let p = Plan::new(&args(&["l.csv", "-q"]), Policy::default(), false).unwrap();
        assert!(p.quiet && p.options.quiet);
        let p = Plan::new(
            &args(&["l.csv", "-q", "-o", "r.json"]),
            Policy::default(),
            false,
        )
        .unwrap();
        assert!(p.quiet, "standard error stays quiet");
        assert!(!p.options.quiet, "the report file gets every row");
    }

    #[test]
    fn labels_are_chinese_where_people_read_them_unless_lang_says() {
        let lang = |line: &[&str]| {
            Plan::new(&args(line), Policy::default(), false)
                .unwrap()
                .lang
        };
        assert_eq!(lang(&["l.csv"]), Lang::Zh);
        assert_eq!(lang(&["l.csv", "-o", "r.xlsx"]), Lang::Zh);
        assert_eq!(lang(&["l.csv", "--format", "markdown"]), Lang::Zh);
        assert_eq!(lang(&["l.csv", "-o", "r.csv"]), Lang::En);
        assert_eq!(lang(&["l.csv", "--format", "json"]), Lang::En);
        assert_eq!(lang(&["l.csv", "-o", "r.xlsx", "--lang", "en"]), Lang::En);
        assert_eq!(lang(&["l.csv", "-o", "r.csv", "--lang", "zh"]), Lang::Zh);
    }

    #[test]
    fn a_binary_format_never_goes_to_a_terminal() {
        let err = Plan::new(
            &args(&["l.csv", "--format", "xlsx"]),
            Policy::default(),
            true,
        )
        .unwrap_err();
        assert!(err.0.contains("binary file"), "{err}");
        assert!(Plan::new(
            &args(&["l.csv", "--format", "xlsx"]),
            Policy::default(),
            false
        )
        .is_ok());
    }

    #[test]
    fn bad_reading_flags_are_usage_errors() {
        let err = Plan::new(
            &args(&["l.csv", "--delimiter", ";;"]),
            Policy::default(),
            false,
        )
        .unwrap_err();
        assert!(err.0.contains("--delimiter"), "{err}");
        let err = Plan::new(
            &args(&["l.csv", "--encoding", "klingon"]),
            Policy::default(),
            false,
        )
        .unwrap_err();
        assert!(err.0.contains("klingon"), "{err}");
    }
}
