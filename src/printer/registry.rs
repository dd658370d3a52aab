//! Output of `filing-check registry status` and `registry list`.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;

use crate::report::{ListedFiling, StatusReport};

pub fn write_status_table(out: &mut dyn Write, s: &StatusReport) -> io::Result<()> {
    writeln!(out, "Registry:        {}", s.loaded_from)?;
    writeln!(out, "Schema version:  {}", s.schema_version)?;
    writeln!(
        out,
        "As of:           {}",
        s.as_of.as_deref().unwrap_or("unknown")
    )?;
    writeln!(
        out,
        "Companies:       {}   Aliases: {}",
        s.companies, s.aliases
    )?;
    writeln!(out, "Name index:      {}", s.name_index)?;
    let mut regimes = Table::new();
    regimes.load_preset(UTF8_FULL_CONDENSED).set_header([
        "regime",
        "regulation",
        "issued",
        "in force",
        "filings",
        "as of",
    ]);
    for r in &s.regimes {
        regimes.add_row([
            r.regime.to_string(),
            r.title.clone(),
            r.issued.clone(),
            r.in_force.clone(),
            r.filings.to_string(),
            r.as_of.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    writeln!(out, "{regimes}")?;
    if !s.lists.is_empty() {
        let mut lists = Table::new();
        lists.load_preset(UTF8_FULL_CONDENSED).set_header([
            "official list",
            "regime",
            "kind",
            "rows held",
            "which",
            "complete",
            "as of",
            "announced by the CAC",
        ]);
        for l in &s.lists {
            let x = &l.list;
            let announced = match (&x.announced_total, &x.announced_as_of) {
                (Some(n), Some(on)) => format!("{n} as of {on}"),
                (Some(n), None) => n.clone(),
                _ => "-".into(),
            };
            let rows = if l.cancelled > 0 {
                format!("{} ({} cancelled)", l.rows, l.cancelled)
            } else {
                l.rows.to_string()
            };
            lists.add_row([
                x.id.clone(),
                x.regime.to_string(),
                x.kind.as_str().to_string(),
                rows,
                match &l.numbers_held {
                    Some(n) => format!("序号 {n}"),
                    None => x.held.clone().unwrap_or_default(),
                },
                if x.complete { "yes" } else { "no" }.to_string(),
                x.as_of.clone(),
                announced,
            ]);
        }
        writeln!(out, "Coverage of the official lists:\n{lists}")?;
        writeln!(
            out,
            "A list held complete answers for its scope and date: a number it lacks is not on it. \
             Of a list not held complete, absence proves nothing."
        )?;
    }
    let mut sources = Table::new();
    sources.load_preset(UTF8_FULL_CONDENSED).set_header([
        "source",
        "title",
        "publisher",
        "published",
        "as of",
        "list",
        "filings",
    ]);
    for src in &s.sources {
        let x = &src.source;
        sources.add_row([
            x.id.clone(),
            x.title.clone(),
            x.publisher.clone(),
            x.published.clone().unwrap_or_default(),
            x.as_of.clone(),
            x.completeness.as_str().to_string(),
            src.filings.to_string(),
        ]);
    }
    writeln!(out, "{sources}")?;
    if !s.batches.is_empty() {
        let mut batches = Table::new();
        batches.load_preset(UTF8_FULL_CONDENSED).set_header([
            "batch", "regime", "scope", "source", "imported", "rows", "added", "changed", "absent",
        ]);
        for b in &s.batches {
            batches.add_row([
                b.id.to_string(),
                b.regime.to_string(),
                b.scope.clone(),
                b.source_id.clone(),
                b.imported_at.clone(),
                b.rows.to_string(),
                b.added.to_string(),
                b.changed.to_string(),
                b.absent.to_string(),
            ]);
        }
        writeln!(out, "Imported lists:\n{batches}")?;
    }
    if s.absent_from_newer > 0 {
        writeln!(
            out,
            "{} filing(s) are absent from a newer complete list of their scope (status absent-from-newer; see `registry list`).",
            s.absent_from_newer
        )?;
    }
    for f in &s.freshness {
        let age = match (&f.as_of, f.age_days) {
            (Some(d), Some(a)) => format!("as of {d}, {a} days old"),
            _ => "no as-of date".to_string(),
        };
        if f.stale {
            writeln!(
                out,
                "STALE: {} data are {age}, more than {} days: import the current lists (`filing-check registry import`).",
                f.regime, s.stale_after_days
            )?;
        } else {
            writeln!(out, "Fresh: {} data are {age}.", f.regime)?;
        }
    }
    Ok(())
}

pub fn write_list_table(out: &mut dyn Write, rows: &[ListedFiling]) -> io::Result<()> {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "regime",
        "company",
        "item",
        "kind",
        "filing no",
        "source",
        "as of",
        "location",
    ]);
    for r in rows {
        table.add_row([
            r.regime.to_string(),
            r.company.clone(),
            r.item.clone(),
            r.item_kind.as_str().to_string(),
            r.filing_no.clone().unwrap_or_else(|| "-".into()),
            r.source.clone(),
            r.as_of.clone(),
            r.location.clone(),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "{} filing(s)", rows.len())
}
