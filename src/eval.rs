//! Measured matching quality: runs a labelled query set through the matcher
//! and counts how often it is right.
//!
//! The labelled set is a CSV with `query, expected_verdict, expected_company,
//! expected_regimes` (plus optional `form` and `note`). A *positive* expects
//! `filed`: it is right when the verdict is `filed`, the first match is the
//! expected company (or one of several written `A|B`, for a group whose
//! members file), and the matched regimes are exactly the expected ones. A
//! *negative* expects `review` or `not-found`: it is wrong when it comes back
//! `filed` (the dangerous error); `review` versus `not-found` is reported in
//! the confusion table but not counted as a failure.
//!
//! Pure logic: the caller reads the file and prints the report.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::matcher::Verdict;
use crate::model::{Regime, RegimeFilter};
use crate::registry::data::DataError;
use crate::registry::Registry;

/// The share of positives that must be right.
pub const MIN_POSITIVE_RATE: f64 = 0.97;

/// One labelled query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub line: u64,
    pub query: String,
    pub expected: Verdict,
    pub company: Option<String>,
    pub regimes: BTreeSet<Regime>,
    pub form: String,
}

#[derive(Deserialize)]
struct Record {
    query: String,
    expected_verdict: String,
    #[serde(default)]
    expected_company: String,
    #[serde(default)]
    expected_regimes: String,
    #[serde(default)]
    form: String,
}

/// Parses a labelled set; `file` names it in errors.
pub fn parse_cases(file: &str, text: &str) -> Result<Vec<Case>, DataError> {
    let err = |line: u64, message: String| DataError {
        file: file.to_string(),
        line,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
    for needed in ["query", "expected_verdict"] {
        if !headers.iter().any(|h| h == needed) {
            return Err(err(
                1,
                format!(
                    "no {needed:?} column (found: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    let mut cases = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let r: Record = record
            .deserialize(Some(&headers))
            .map_err(|e| err(line, e.to_string()))?;
        let expected: Verdict = r
            .expected_verdict
            .trim()
            .parse()
            .map_err(|e: crate::model::UnknownValue| err(line, format!("expected_verdict: {e}")))?;
        let mut regimes = BTreeSet::new();
        for part in r
            .expected_regimes
            .split('|')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            regimes.insert(
                part.parse::<Regime>()
                    .map_err(|e| err(line, e.to_string()))?,
            );
        }
        let company = Some(r.expected_company.trim().to_string()).filter(|c| !c.is_empty());
        if expected == Verdict::Filed && (company.is_none() || regimes.is_empty()) {
            return Err(err(
                line,
                "a `filed` case needs expected_company and expected_regimes".into(),
            ));
        }
        if r.query.trim().is_empty() {
            return Err(err(line, "empty query".into()));
        }
        cases.push(Case {
            line,
            query: r.query,
            expected,
            company,
            regimes,
            form: r.form.trim().to_string(),
        });
    }
    Ok(cases)
}

impl Case {
    /// Whether `company` is the expected company or one of the alternatives.
    fn accepts_company(&self, company: Option<&str>) -> bool {
        match (&self.company, company) {
            (Some(want), Some(got)) => want.split('|').any(|w| w.trim() == got),
            (None, None) => true,
            _ => false,
        }
    }
}

/// What went wrong with one case.
#[derive(Clone, Debug, Serialize)]
pub struct Miss {
    pub line: u64,
    pub query: String,
    pub form: String,
    pub expected: Verdict,
    pub expected_company: Option<String>,
    pub expected_regimes: Vec<Regime>,
    pub got: Verdict,
    pub got_company: Option<String>,
    pub got_regimes: Vec<Regime>,
    pub reason: String,
}

/// The result of an evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    pub cases: usize,
    pub positives: usize,
    pub positives_right: usize,
    pub positive_rate: f64,
    pub negatives: usize,
    /// Negatives that came back `filed`: must be zero.
    pub negatives_filed: usize,
    /// expected verdict → actual verdict → count.
    pub confusion: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    /// Right / total per form.
    pub by_form: BTreeMap<String, (usize, usize)>,
    pub misses: Vec<Miss>,
    pub min_positive_rate: f64,
    /// Whether the set passes: no negative filed, positives at the rate.
    pub pass: bool,
}

/// Runs every case through the registry's matcher.
pub fn evaluate(registry: &Registry, cases: &[Case]) -> EvalReport {
    let (snap, matcher) = (&registry.snapshot, registry.matcher());
    let mut report = EvalReport {
        cases: cases.len(),
        positives: 0,
        positives_right: 0,
        positive_rate: 0.0,
        negatives: 0,
        negatives_filed: 0,
        confusion: BTreeMap::new(),
        by_form: BTreeMap::new(),
        misses: Vec::new(),
        min_positive_rate: MIN_POSITIVE_RATE,
        pass: false,
    };
    for case in cases {
        let outcome = matcher.lookup(&case.query, RegimeFilter::Any);
        let got_company = outcome
            .matches
            .first()
            .and_then(|m| snap.company(m.company))
            .map(|c| c.name.clone());
        let got_regimes: BTreeSet<Regime> = outcome.matches.iter().map(|m| m.regime).collect();
        *report
            .confusion
            .entry(case.expected.as_str())
            .or_default()
            .entry(outcome.verdict.as_str())
            .or_default() += 1;
        let reason = if case.expected == Verdict::Filed {
            report.positives += 1;
            if outcome.verdict != Verdict::Filed {
                Some(format!("verdict {}", outcome.verdict.as_str()))
            } else if !case.accepts_company(got_company.as_deref()) {
                Some("another company first".to_string())
            } else if got_regimes != case.regimes {
                Some("other regimes".to_string())
            } else {
                report.positives_right += 1;
                None
            }
        } else {
            report.negatives += 1;
            (outcome.verdict == Verdict::Filed).then(|| {
                report.negatives_filed += 1;
                "a negative came back filed".to_string()
            })
        };
        let form = report.by_form.entry(case.form.clone()).or_default();
        form.1 += 1;
        if reason.is_none() {
            form.0 += 1;
        }
        if let Some(reason) = reason {
            report.misses.push(Miss {
                line: case.line,
                query: case.query.clone(),
                form: case.form.clone(),
                expected: case.expected,
                expected_company: case.company.clone(),
                expected_regimes: case.regimes.iter().copied().collect(),
                got: outcome.verdict,
                got_company,
                got_regimes: got_regimes.into_iter().collect(),
                reason,
            });
        }
    }
    report.positive_rate = if report.positives == 0 {
        1.0
    } else {
        report.positives_right as f64 / report.positives as f64
    };
    report.pass = report.cases > 0
        && report.negatives_filed == 0
        && report.positive_rate >= MIN_POSITIVE_RATE;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "query,expected_verdict,expected_company,expected_regimes,form,note\n";

    #[test]
    fn cases_parse_with_regimes() {
        let text = format!("{HEAD}智谱AI,filed,智谱AI,genai|deep-synthesis,listed,\nOpenAI,not-found,,,negative_foreign,\n");
        let cases = parse_cases("q.csv", &text).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].regimes.len(), 2);
        assert_eq!(cases[1].expected, Verdict::NotFound);
        assert_eq!(cases[1].line, 3);
    }

    #[test]
    fn a_case_accepts_any_of_its_alternative_companies() {
        let text = format!(
            "{HEAD}字节跳动,filed,北京抖音信息服务有限公司|北京字跳网络技术有限公司,genai,group,\n"
        );
        let case = &parse_cases("q.csv", &text).unwrap()[0];
        assert!(case.accepts_company(Some("北京字跳网络技术有限公司")));
        assert!(case.accepts_company(Some("北京抖音信息服务有限公司")));
        assert!(!case.accepts_company(Some("北京微播视界科技有限公司")));
        assert!(!case.accepts_company(None));
    }

    #[test]
    fn a_filed_case_without_company_is_an_error_naming_the_line() {
        let text = format!("{HEAD}x,filed,,,listed,\n");
        let e = parse_cases("q.csv", &text).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("q.csv", 2));
    }

    #[test]
    fn a_bad_verdict_is_an_error() {
        let text = format!("{HEAD}x,maybe,,,listed,\n");
        let e = parse_cases("q.csv", &text).unwrap_err();
        assert!(e.message.contains("maybe"), "{e}");
    }

    #[test]
    fn a_missing_column_is_named() {
        let e = parse_cases("q.csv", "name,verdict\nx,filed\n").unwrap_err();
        assert!(e.message.contains("\"query\""), "{e}");
    }
}
