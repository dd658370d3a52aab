//! Output of `filing-check eval`: the confusion table, the rate per form,
//! and every miss.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;

use crate::eval::EvalReport;

const VERDICTS: [&str; 3] = ["filed", "review", "not-found"];

pub fn write_table(out: &mut dyn Write, r: &EvalReport) -> io::Result<()> {
    let mut confusion = Table::new();
    confusion.load_preset(UTF8_FULL_CONDENSED).set_header([
        "expected \\ got",
        "filed",
        "review",
        "not-found",
    ]);
    for expected in VERDICTS {
        let row = r.confusion.get(expected);
        let count = |got: &str| row.and_then(|m| m.get(got)).copied().unwrap_or(0);
        confusion.add_row([
            expected.to_string(),
            count("filed").to_string(),
            count("review").to_string(),
            count("not-found").to_string(),
        ]);
    }
    writeln!(out, "{confusion}")?;

    let mut forms = Table::new();
    forms
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(["form", "right", "cases"]);
    for (form, (right, total)) in &r.by_form {
        forms.add_row([form.clone(), right.to_string(), total.to_string()]);
    }
    writeln!(out, "{forms}")?;

    if !r.misses.is_empty() {
        writeln!(out, "Misses ({}):", r.misses.len())?;
        for m in &r.misses {
            let regimes = |rs: &[crate::model::Regime]| {
                rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("|")
            };
            writeln!(
                out,
                "  line {}: {:?} [{}] expected {} {} {} — got {} {} {} ({})",
                m.line,
                m.query,
                m.form,
                m.expected.as_str(),
                m.expected_company.as_deref().unwrap_or("-"),
                regimes(&m.expected_regimes),
                m.got.as_str(),
                m.got_company.as_deref().unwrap_or("-"),
                regimes(&m.got_regimes),
                m.reason
            )?;
        }
    }
    writeln!(
        out,
        "{} cases: positives {}/{} right ({:.1}%, needs ≥ {:.0}%); negatives {} of which filed: {} (needs 0) — {}",
        r.cases,
        r.positives_right,
        r.positives,
        r.positive_rate * 100.0,
        r.min_positive_rate * 100.0,
        r.negatives,
        r.negatives_filed,
        if r.pass { "PASS" } else { "FAIL" }
    )
}
