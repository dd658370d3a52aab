//! Human-readable output of a lookup report: a verdict line and the
//! evidence per query — a table on a terminal wide enough for all of it, a
//! block of `key: value` lines per match otherwise (a narrow terminal, a
//! pipe) — with the filing number when there is one,
//! an honest word on what "not found" means, and the registry's sources and
//! as-of date at the end. `--explain` lists the candidates that scored and
//! counts the rest.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::text::display_width;
use crate::matcher::{Explain, Verdict};
use crate::model::FilingStatus;
use crate::report::{LookupReport, MatchInfo, QueryResult, Record, RegistryInfo};

/// Prints every result, then the registry footer: evidence as a table
/// `width` columns wide, or as `key: value` lines when that is narrow or
/// unknown (see [`super::is_wide`]).
pub fn write_report(
    out: &mut dyn Write,
    report: &LookupReport,
    width: Option<u16>,
) -> io::Result<()> {
    for (i, result) in report.results.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_result(out, &report.registry, result, width)?;
    }
    writeln!(out)?;
    let mut cited: Vec<&str> = report
        .results
        .iter()
        .flat_map(|r| &r.matches)
        .flat_map(|m| {
            std::iter::once(m.source.as_str())
                .chain(m.status_source.as_deref())
                .chain(m.corroborated_by.iter().map(|c| c.source.as_str()))
        })
        .collect();
    cited.sort_unstable();
    cited.dedup();
    write_footer(out, &report.registry, &cited)
}

fn verdict_line(v: Verdict) -> &'static str {
    match v {
        Verdict::Filed => "FILED",
        Verdict::Review => "REVIEW — a weak, ambiguous or related match; check the evidence",
        Verdict::NotFound => "NOT FOUND in the registry",
    }
}

fn write_result(
    out: &mut dyn Write,
    reg: &RegistryInfo,
    r: &QueryResult,
    width: Option<u16>,
) -> io::Result<()> {
    writeln!(out, "{}: {}", r.query, verdict_line(r.verdict))?;
    // A table only where it fits whole: a wrapped one is unreadable.
    match width
        .filter(|_| super::is_wide(width))
        .and_then(|w| table(r).filter(|t| fits(t, w)))
    {
        Some(t) => writeln!(out, "{t}")?,
        None => write_lines(out, r, width.map(usize::from))?,
    }
    let mut notes: Vec<u8> = Vec::new();
    if let Some(note) = &r.note {
        writeln!(notes, "  note: {note}")?;
    }
    if r.verdict == Verdict::NotFound {
        write_coverage(&mut notes, reg, &r.query)?;
    }
    for line in String::from_utf8_lossy(&notes).lines() {
        match width {
            // Wrapped under their first word on a terminal of known width.
            Some(w) => {
                let indent = line.len() - line.trim_start().len() + 2;
                for part in super::text::wrap(line, usize::from(w), indent) {
                    writeln!(out, "{part}")?;
                }
            }
            None => writeln!(out, "{line}")?,
        }
    }
    if let Some(explain) = &r.explain {
        write_explain(out, explain)?;
    }
    Ok(())
}

/// What a not-found answer rests on: how much of each official list the
/// registry holds, and where to check.
fn write_coverage(out: &mut dyn Write, reg: &RegistryInfo, query: &str) -> io::Result<()> {
    let as_of = reg.as_of.as_deref().unwrap_or("an unknown date");
    if reg.lists.is_empty() {
        let partial = if reg.any_partial() {
            " Its lists are partial, so"
        } else {
            " So"
        };
        return writeln!(
            out,
            "  The registry holds the filing lists as of {as_of}.{partial} absence here does not prove that {query:?} is not filed: check the CAC's current lists or ask the vendor for its filing number."
        );
    }
    writeln!(out, "  The registry holds (as of {as_of}):")?;
    for l in &reg.lists {
        let announced = match (&l.announced_total, &l.announced_as_of) {
            (Some(n), Some(on)) => format!("; the CAC announced {n} as of {on}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "    {} {}: {}, {} as of {}{announced}",
            l.regime,
            l.kind.as_str(),
            l.held.as_deref().unwrap_or("some rows"),
            if l.complete {
                "complete"
            } else {
                "not complete"
            },
            l.as_of,
        )?;
    }
    let page = reg
        .lists
        .iter()
        .find_map(|l| l.page.as_deref())
        .unwrap_or("https://www.cac.gov.cn");
    writeln!(
        out,
        "  Absence here does not prove that {query:?} is not filed (newer attachments, provincial registrations, another name): check the CAC's lists ({page}) or ask the vendor for its filing number."
    )
}

/// Whether `table` is at most `width` columns wide.
fn fits(table: &Table, width: u16) -> bool {
    table
        .lines()
        .all(|l| display_width(&l) <= usize::from(width))
}

/// The evidence as a table, if there is any.
fn table(r: &QueryResult) -> Option<Table> {
    if r.matches.is_empty() {
        return None;
    }
    // The filing number when the registry has one: it is what a
    // procurement file asks for.
    let numbers = r.matches.iter().any(|m| m.filing_no.is_some());
    let mut header = vec![
        "regime",
        "company",
        "item",
        "kind",
        "match",
        "score",
        "matched name",
    ];
    if numbers {
        header.push("filing no");
    }
    header.extend(["source", "as of"]);
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for m in &r.matches {
        let mut row = vec![
            m.regime.to_string(),
            m.company.clone(),
            m.item.clone(),
            m.item_kind.as_str().to_string(),
            m.kind.as_str().to_string(),
            format!("{:.2}", m.score),
            format!("{} ({})", m.matched_name, m.matched_via),
        ];
        if numbers {
            let mut no = m.filing_no.clone().unwrap_or_default();
            if m.status != FilingStatus::Listed {
                no.push_str(&format!(" ({})", status_text(m)));
            }
            row.push(no);
        }
        row.extend([m.source.clone(), m.as_of.clone()]);
        table.add_row(row);
    }
    Some(table)
}

/// The evidence as one block per match, for narrow terminals and pipes:
///
/// ```text
///   1. 智谱AI · ChatGLM生成算法 (algorithm)
///      regime: deep-synthesis
///      match: exact 1.00, 智谱AI (listed name)
///      filing no: 网信算备110108823483901230031号
///      source: qianzhan-2024-deep-synthesis, as of 2024-04
/// ```
fn write_lines(out: &mut dyn Write, r: &QueryResult, width: Option<usize>) -> io::Result<()> {
    let mut lines: Vec<String> = Vec::new();
    for (i, m) in r.matches.iter().enumerate() {
        let n = format!("{}.", i + 1);
        let pad = " ".repeat(n.len());
        lines.push(format!(
            "  {n} {} · {} ({})",
            m.company,
            m.item,
            m.item_kind.as_str()
        ));
        let mut field = |text: String| lines.push(format!("  {pad} {text}"));
        field(format!("regime: {}", m.regime));
        field(format!(
            "match: {} {:.2}, {} ({})",
            m.kind.as_str(),
            m.score,
            m.matched_name,
            m.matched_via
        ));
        if let Some(no) = &m.filing_no {
            field(match m.record {
                Record::Registration => format!("registration (登记), 上线编号: {no}"),
                Record::Filing => format!("filing no: {no}"),
            });
        }
        if let Some(note) = &m.note {
            field(format!("note: {note}"));
        }
        if m.status != FilingStatus::Listed {
            field(format!("status: {}", status_text(m)));
        }
        if let Some(listed) = &m.company_listed {
            field(format!("listed as: {listed}"));
        }
        if let Some(group) = &m.group {
            field(format!("group: {group}"));
        }
        if let Some(same) = &m.same_as {
            field(format!("describes: the official filing {same}"));
        }
        field(format!(
            "source: {}, as of {} ({})",
            m.source, m.as_of, m.location
        ));
        for c in &m.corroborated_by {
            field(format!("corroborated by: {} — {}", c.title, c.location));
        }
    }
    // On a terminal of known width, long values wrap under their key; in a
    // pipe, each fact stays on one line for grep.
    for line in &lines {
        match width {
            Some(w) => {
                let indent = line.len() - line.trim_start().len() + 2;
                for part in super::text::wrap(line, w, indent) {
                    writeln!(out, "{part}")?;
                }
            }
            None => writeln!(out, "{line}")?,
        }
    }
    Ok(())
}

/// `cancelled on 2025-09-11`, `absent from a newer list`.
fn status_text(m: &MatchInfo) -> String {
    let mut s = m.status.as_str().replace('-', " ");
    if let Some(on) = &m.status_on {
        s.push_str(&format!(" on {on}"));
    }
    s
}

/// The `--explain` text of an answer (also shown by the web page's "why").
pub fn write_explain(out: &mut dyn Write, e: &Explain) -> io::Result<()> {
    writeln!(out, "  explain:")?;
    writeln!(
        out,
        "    normalised: key {:?}, core {:?}, region {}, weak tokens [{}], pinyin {}",
        e.key,
        e.core,
        e.region.as_deref().unwrap_or("-"),
        e.weak_tokens.join(", "),
        e.pinyin.as_deref().unwrap_or("-"),
    )?;
    writeln!(
        out,
        "    thresholds: filed needs an exact/alias/fuzzy score ≥ {:.2}; matches below {:.2} are dropped",
        e.thresholds.strong, e.thresholds.weak
    )?;
    // Only the candidates that scored: the others are counted.
    let scored: Vec<_> = e.candidates.iter().filter(|c| c.score > 0.0).collect();
    let unscored = e.candidates.len() - scored.len();
    if e.candidates.is_empty() {
        writeln!(
            out,
            "    candidates: none share a name, pronunciation or character pair"
        )?;
    } else if scored.is_empty() {
        writeln!(
            out,
            "    candidates: {unscored} name{} compared, none scored",
            if unscored == 1 { " was" } else { "s were" }
        )?;
    } else {
        writeln!(out, "    candidates that scored ({}):", scored.len())?;
        for c in scored {
            let what = match &c.item {
                Some(item) => format!("item {item} of {}", c.company),
                None => format!("company {}", c.company),
            };
            let how = match (c.rule, c.kind) {
                (Some(rule), Some(kind)) => format!("{:<8} {:<7}", rule.as_str(), kind.as_str()),
                _ => format!("{:<8} {:<7}", "-", "no"),
            };
            writeln!(
                out,
                "      {:.3} {how} {} ({}) → {what}",
                c.score, c.name, c.via
            )?;
        }
        if unscored > 0 {
            writeln!(
                out,
                "      and {unscored} more name{} compared, none scored",
                if unscored == 1 { " was" } else { "s were" }
            )?;
        }
    }
    writeln!(out, "    verdict: {}", e.reason)
}

/// The registry and its date, then the sources the answers cite (all of
/// them are in `filing-check registry status`).
fn write_footer(out: &mut dyn Write, reg: &RegistryInfo, cited: &[&str]) -> io::Result<()> {
    let shown: Vec<_> = reg
        .sources
        .iter()
        .filter(|s| cited.contains(&s.id.as_str()))
        .collect();
    writeln!(
        out,
        "Registry: {} (as of {}), {} sources{}",
        reg.loaded_from,
        reg.as_of.as_deref().unwrap_or("unknown"),
        reg.sources.len(),
        if shown.is_empty() {
            " (filing-check registry status lists them)."
        } else {
            "; the answers above cite:"
        }
    )?;
    for s in shown {
        writeln!(
            out,
            "  {} — {} ({}, as of {}, {} list)",
            s.id,
            s.title,
            s.publisher,
            s.as_of,
            s.completeness.as_str()
        )?;
    }
    Ok(())
}
