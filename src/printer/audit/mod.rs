//! Output formats of an audit, as sinks the run feeds row by row.
//!
//! The audit ([`crate::audit::pipeline`]) knows nothing of formats: it calls
//! [`Sink::begin`] once, [`Sink::row`] per row in input order and
//! [`Sink::finish`] with the totals. Streaming formats (csv, jsonl, json,
//! github, xlsx) write as rows arrive; table, markdown and junit keep only
//! what they print. Every format carries the registry's as-of date.
//!
//! How a report is written — its encoding, language and the terminal's
//! width — is the run's [`Settings`]; the words of the formats people read
//! are in [`lang`], cells bound for a spreadsheet go through [`defuse`],
//! and values echoed to people are cut by [`crate::printer::text`].

pub mod csv;
pub mod diagnostics;
pub mod github;
pub mod json;
pub mod junit;
pub mod lang;
pub mod markdown;
pub mod table;
pub mod xlsx;

use std::borrow::Cow;
use std::io;
use std::path::Path;

use std::collections::HashMap;

pub use crate::audit::sink::{Head, InputInfo, RowOut, Sink};
use crate::audit::Evaluation;
use crate::freshness::Freshness;
use crate::model::text_enum;
use crate::report::RegistryInfo;
pub use lang::{Lang, Word};

text_enum! {
    /// The output formats of an audit.
    pub enum AuditFormat ("format") {
        Table = "table",
        Csv = "csv",
        Json = "json",
        Jsonl = "jsonl",
        Markdown = "markdown",
        Junit = "junit",
        Github = "github",
        Xlsx = "xlsx",
    }
}

/// The extensions of an output file, and the format each implies.
const EXTENSIONS: &[(&str, AuditFormat)] = &[
    ("csv", AuditFormat::Csv),
    ("json", AuditFormat::Json),
    ("jsonl", AuditFormat::Jsonl),
    ("ndjson", AuditFormat::Jsonl),
    ("md", AuditFormat::Markdown),
    ("markdown", AuditFormat::Markdown),
    ("xml", AuditFormat::Junit),
    ("xlsx", AuditFormat::Xlsx),
    ("txt", AuditFormat::Table),
];

impl AuditFormat {
    /// The format an output file's extension implies: `None` when the name
    /// has no extension, an error naming the formats when the extension is
    /// none of theirs (`.xls`, `.html`, `.tsv`…): a report the user did not
    /// ask for is never written under a name that promises another.
    pub fn from_extension(path: &Path) -> Result<Option<AuditFormat>, String> {
        let Some(ext) = path.extension() else {
            return Ok(None);
        };
        let lower = ext.to_string_lossy().to_ascii_lowercase();
        if let Some(&(_, format)) = EXTENSIONS.iter().find(|(e, _)| *e == lower) {
            return Ok(Some(format));
        }
        let known: Vec<String> = AuditFormat::ALL
            .iter()
            .filter_map(|f| {
                let exts: Vec<String> = EXTENSIONS
                    .iter()
                    .filter(|(_, g)| g == f)
                    .map(|(e, _)| format!(".{e}"))
                    .collect();
                (!exts.is_empty()).then(|| format!("{} ({f})", exts.join("/")))
            })
            .collect();
        let formats: Vec<&str> = AuditFormat::ALL.iter().map(|f| f.as_str()).collect();
        Err(format!(
            "--output {}: no report format has the extension .{}; the extensions are {}; or give --format ({})",
            path.display(),
            ext.to_string_lossy(),
            known.join(", "),
            formats.join(", ")
        ))
    }

    /// Whether the format is bytes a terminal should not receive.
    pub fn is_binary(self) -> bool {
        self == AuditFormat::Xlsx
    }

    /// The language of the format's headers and labels unless `--lang`
    /// says: Chinese for what people read (table, markdown, xlsx), English
    /// for csv (its column names are what scripts read) and for the machine
    /// formats, which are English only.
    pub fn default_lang(self) -> Lang {
        match self {
            AuditFormat::Table | AuditFormat::Markdown | AuditFormat::Xlsx => Lang::Zh,
            _ => Lang::En,
        }
    }
}

/// How the run wants its report written: settings of the run, not of any
/// row.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The text encoding (csv).
    pub encoding: OutputEncoding,
    /// The language of headers and labels (table, markdown, csv, xlsx).
    pub lang: Lang,
    /// The width of the terminal the report goes to, when known (table).
    pub width: Option<u16>,
    /// How old each regime's data are (the xlsx registry sheet).
    pub freshness: Vec<Freshness>,
    /// The age past which data are stale.
    pub stale_after_days: u32,
}

text_enum! {
    /// The text encoding of `--format csv` output.
    pub enum OutputEncoding ("output encoding") {
        Utf8 = "utf-8",
        /// UTF-8 with a byte-order mark: Excel then opens it correctly.
        Utf8Bom = "utf-8-bom",
        /// GB18030, for Excel on Chinese Windows: every character has a
        /// code.
        Gb18030 = "gb18030",
        /// GBK, for older Chinese software: a character outside GBK is an
        /// error naming the row.
        Gbk = "gbk",
    }
}

/// The verdict columns appended to the input's in `csv` and `xlsx` output.
pub const VERDICT_COLUMNS: &[Word] = &[
    Word::Verdict,
    Word::Code,
    Word::Gate,
    Word::Reason,
    Word::Regimes,
    Word::Filer,
    Word::FiledItems,
    Word::FilingNo,
    Word::Match,
    Word::Score,
    Word::Source,
    Word::SourceAsOf,
    Word::RegistryAsOf,
];

/// The header of a `csv` or `xlsx` report: `line`, the input's headers,
/// the verdict columns.
pub fn report_header(input: &[String], lang: Lang) -> Vec<String> {
    std::iter::once(lang.word(Word::Line).to_string())
        .chain(input.iter().cloned())
        .chain(VERDICT_COLUMNS.iter().map(|w| lang.word(*w).to_string()))
        .collect()
}

/// A cell for a spreadsheet: one a spreadsheet would read as a formula —
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return — gets a
/// single quote before it (OWASP's advice on CSV injection), so that Excel
/// shows it as text instead of running it (`=HYPERLINK(…)`, `+cmd|…`). Used
/// by every spreadsheet-bound format: csv, markdown tables, xlsx text cells.
pub fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// What a format makes of each shared evaluation, made once for all the
/// identical rows that share it (see [`RowOut::shared`]). Bounded: when full
/// it starts again, as the run's own cache does.
pub struct Rendered<T> {
    made: HashMap<u64, T>,
}

impl<T> Default for Rendered<T> {
    fn default() -> Self {
        Rendered {
            made: HashMap::new(),
        }
    }
}

impl<T> Rendered<T> {
    /// Evaluations remembered before the cache starts again.
    const LIMIT: usize = crate::audit::pipeline::CACHE_MAX;

    /// The rendering of the row's evaluation, made by `make` the first time.
    pub fn of(&mut self, row: &RowOut<'_>, make: impl FnOnce(&Evaluation) -> T) -> &T {
        if self.made.len() >= Self::LIMIT && !self.made.contains_key(&row.shared) {
            self.made.clear();
        }
        self.made
            .entry(row.shared)
            .or_insert_with(|| make(row.evaluation))
    }
}

/// The evaluation's columns of [`VERDICT_COLUMNS`] (all but `gate` and
/// `registry_as_of`), the verdict in `lang`.
pub fn evaluation_columns(e: &Evaluation, lang: Lang) -> Vec<String> {
    let top = e.evidence.first();
    vec![
        lang.verdict(e.verdict).to_string(),
        e.code.to_string(),
        lang.reason(e.code, &e.reason),
        e.regimes_text(),
        top.map(|m| m.company.clone()).unwrap_or_default(),
        e.items_text(),
        top.and_then(|m| m.filing_no.clone()).unwrap_or_default(),
        top.map(|m| m.kind.to_string()).unwrap_or_default(),
        top.map(|m| format!("{:.2}", m.score)).unwrap_or_default(),
        top.map(|m| m.source.clone()).unwrap_or_default(),
        top.map(|m| m.as_of.clone()).unwrap_or_default(),
    ]
}

/// The values of [`VERDICT_COLUMNS`] for a row: its evaluation's columns
/// (from [`evaluation_columns`]) with the row's own gate and the registry's
/// date in their places.
pub fn verdict_values<'a>(
    columns: &'a [String],
    gate: &'a str,
    registry_as_of: &'a str,
) -> impl Iterator<Item = &'a str> {
    columns[..2]
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(gate))
        .chain(columns[2..].iter().map(String::as_str))
        .chain(std::iter::once(registry_as_of))
}

/// The sink for a format, writing to `out`.
pub fn sink<'w>(
    format: AuditFormat,
    out: Box<dyn io::Write + 'w>,
    settings: &Settings,
) -> Box<dyn Sink + 'w> {
    let lang = settings.lang;
    match format {
        AuditFormat::Table => Box::new(table::TableSink::new(out, lang, settings.width)),
        AuditFormat::Csv => Box::new(csv::CsvSink::new(out, settings.encoding, lang)),
        AuditFormat::Json => Box::new(json::JsonSink::new(out, false)),
        AuditFormat::Jsonl => Box::new(json::JsonSink::new(out, true)),
        AuditFormat::Markdown => Box::new(markdown::MarkdownSink::new(out, lang)),
        AuditFormat::Junit => Box::new(junit::JunitSink::new(out)),
        AuditFormat::Github => Box::new(github::GithubSink::new(out)),
        AuditFormat::Xlsx => Box::new(xlsx::XlsxSink::new(out, settings.clone())),
    }
}

/// The registry's as-of date as printed, `unknown` when it has none.
pub fn as_of(registry: &RegistryInfo) -> String {
    registry
        .as_of
        .clone()
        .unwrap_or_else(|| "unknown".to_string())
}

/// The honest caveat every human-readable format ends with.
pub fn caveat(registry: &RegistryInfo) -> String {
    format!(
        "Registry as of {}{}: `not-found` means not in these lists, not proof that a service is unfiled.",
        as_of(registry),
        if registry.any_partial() {
            " (partial lists)"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_would_start_a_formula_are_quoted() {
        for cell in ["=1+1", "+cmd|' /C calc'!A0", "-5", "@SUM(1)", "\tx", "\rx"] {
            assert_eq!(defuse(cell), format!("'{cell}"));
        }
        for cell in ["", "百度", "1", " =1", "a=b", "'=1"] {
            assert_eq!(defuse(cell), cell);
        }
    }
}
