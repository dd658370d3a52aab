//! `--baseline`: fail only on what is new or got worse since a previous run.
//!
//! A team adopting the gate on a long list accepts today's findings once (a
//! JSON report of an earlier run, kept in the repository) and from then on
//! fails only on rows that are new, or whose verdict got worse.

use std::collections::HashMap;

use serde::Deserialize;

use super::policy::name_key;
use super::AuditVerdict;

/// The worst verdict seen per row identity in the previous report.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    worst: HashMap<RowKey, AuditVerdict>,
}

/// A row's identity across runs: its names and number as compared keys
/// (line numbers move when rows are added).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RowKey {
    pub vendor: String,
    pub model: String,
    pub number: String,
}

/// The identity of a row with these names and number.
pub fn row_key(vendor: &str, model: &str, number: &str) -> RowKey {
    let k = |s: &str| {
        if s.trim().is_empty() {
            String::new()
        } else {
            name_key(s)
        }
    };
    RowKey {
        vendor: k(vendor),
        model: k(model),
        number: k(number),
    }
}

/// A previous report that cannot be used as a baseline.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct BaselineError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Deserialize)]
struct Report {
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    filing_no: String,
    verdict: String,
}

#[derive(Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: String,
}

impl Baseline {
    /// Reads a report of `audit --format json`, or the row lines of
    /// `--format jsonl`.
    pub fn parse(text: &str, file: &str) -> Result<Baseline, BaselineError> {
        let err = |line: Option<usize>, message: String| BaselineError {
            file: file.to_string(),
            line,
            message,
        };
        let whole_report =
            serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.get("rows").is_some());
        let rows: Vec<(Option<usize>, Row)> = if whole_report {
            let report: Report = serde_json::from_str(text).map_err(|e| {
                err(
                    Some(e.line()),
                    format!("not an audit report ({e}); make one with `filing-check audit --format json`"),
                )
            })?;
            report.rows.into_iter().map(|r| (None, r)).collect()
        } else {
            let mut rows = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let parse_err = |e: serde_json::Error| {
                    err(
                        Some(i + 1),
                        format!("not an audit report line ({e}); make a baseline with `filing-check audit --format json`"),
                    )
                };
                let kind: Line = serde_json::from_str(line).map_err(parse_err)?;
                if kind.kind == "row" {
                    rows.push((Some(i + 1), serde_json::from_str(line).map_err(parse_err)?));
                }
            }
            rows
        };
        if rows.is_empty() && text.trim().is_empty() {
            return Err(err(None, "the baseline file is empty".into()));
        }
        let mut worst: HashMap<RowKey, AuditVerdict> = HashMap::new();
        for (line, r) in rows {
            let v: AuditVerdict = r.verdict.parse().map_err(|e| err(line, format!("{e}")))?;
            let slot = worst
                .entry(row_key(&r.vendor, &r.model, &r.filing_no))
                .or_insert(v);
            *slot = (*slot).max(v);
        }
        Ok(Baseline { worst })
    }

    /// Whether a row with this verdict was already there, at least as bad.
    pub fn known(&self, key: &RowKey, verdict: AuditVerdict) -> bool {
        self.worst.get(key).is_some_and(|&old| verdict <= old)
    }

    pub fn len(&self) -> usize {
        self.worst.len()
    }

    pub fn is_empty(&self) -> bool {
        self.worst.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_report_and_jsonl() {
        let json = r#"{"registry":{},"rows":[
            {"line":2,"vendor":"OpenAI","model":"","filing_no":"","verdict":"not-found"},
            {"line":3,"vendor":"智谱AI","model":"GLM","filing_no":"","verdict":"filed"}],
            "summary":{}}"#;
        let b = Baseline::parse(json, "b.json").unwrap();
        assert_eq!(b.len(), 2);
        let openai = row_key("openai", "", "");
        assert!(b.known(&openai, AuditVerdict::NotFound));
        assert!(b.known(&openai, AuditVerdict::Review));
        assert!(!b.known(&openai, AuditVerdict::Mismatch));
        assert!(!b.known(&row_key("智谱AI", "GLM", ""), AuditVerdict::NotFound));
        assert!(!b.known(&row_key("Anthropic", "", ""), AuditVerdict::NotFound));

        let jsonl = "{\"type\":\"header\"}\n{\"type\":\"row\",\"vendor\":\"OpenAI\",\"verdict\":\"not-found\"}\n{\"type\":\"summary\"}\n";
        let b = Baseline::parse(jsonl, "b.jsonl").unwrap();
        assert!(b.known(&openai, AuditVerdict::NotFound));
    }

    #[test]
    fn junk_is_an_error_with_a_line() {
        let e = Baseline::parse("{\"type\":\"row\"}\nnot json\n", "b").unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = Baseline::parse("", "b").unwrap_err();
        assert!(e.message.contains("empty"));
        let e = Baseline::parse("{\"rows\":[{\"vendor\":\"x\",\"verdict\":\"great\"}]}", "b")
            .unwrap_err();
        assert!(e.message.contains("unknown verdict"), "{e}");
    }
}
