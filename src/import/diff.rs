//! Comparing two states of the registry: two imported batches, or two
//! registry files. Pure: it compares rows, wherever they came from.
//!
//! Filings are paired first by filing number, then by company and item (as
//! normalised names), so a filing that gained its number in a newer list is
//! `changed`, not removed and added again.

use std::collections::HashMap;

use serde::{Serialize, Serializer};

use crate::filing_no;
use crate::model::{NewFiling, Regime};
use crate::normalize;

/// A filing on one side of a comparison: its regime and its cells as listed
/// (a registry file's filings name their company by its registry name).
pub type Entry = NewFiling;

/// An entry as the comparison reports it: its listed cells (but the
/// sequence number, a list's own numbering) and `regime`.
fn listed<S: Serializer>(e: &Entry, s: S) -> Result<S::Ok, S::Error> {
    let mut value = serde_json::to_value(&e.fields).map_err(serde::ser::Error::custom)?;
    if let serde_json::Value::Object(cells) = &mut value {
        cells.remove("seq");
        cells.insert("regime".into(), e.regime.as_str().into());
    }
    value.serialize(s)
}

fn all_listed<S: Serializer>(es: &[Entry], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(es.len()))?;
    for e in es {
        seq.serialize_element(&Side(e))?;
    }
    seq.end()
}

/// One entry, serialised as [`listed`].
struct Side<'a>(&'a Entry);

impl Serialize for Side<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        listed(self.0, s)
    }
}

/// A filing on both sides whose fields differ.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    #[serde(serialize_with = "listed")]
    pub before: Entry,
    #[serde(serialize_with = "listed")]
    pub after: Entry,
    /// The fields that differ, by their list header.
    pub fields: Vec<&'static str>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Diff {
    #[serde(serialize_with = "all_listed")]
    pub added: Vec<Entry>,
    #[serde(serialize_with = "all_listed")]
    pub removed: Vec<Entry>,
    pub changed: Vec<Change>,
    pub unchanged: usize,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

fn number_key(e: &Entry) -> Option<(Regime, String)> {
    filing_no::compare_key(e.filing_no()?).map(|k| (e.regime, k))
}

fn name_key(e: &Entry) -> (Regime, String, String) {
    (
        e.regime,
        normalize::compare_key(&e.fields.company),
        normalize::compare_key(&e.fields.item),
    )
}

/// The headers of the cells that differ (the sequence number, a list's
/// own numbering, is no difference).
fn differing(a: &Entry, b: &Entry) -> Vec<&'static str> {
    use super::Field;
    a.fields
        .differing(&b.fields)
        .into_iter()
        .filter_map(|name| {
            let field = match name {
                "company" => Field::Company,
                "item" => Field::Item,
                "filing_no" => Field::Number,
                "role" => Field::Role,
                "product" => Field::Product,
                "purpose" => Field::Purpose,
                "region" => Field::Region,
                "filed_on" => Field::Date,
                "remark" => Field::Remark,
                _ => return None,
            };
            Some(field.header(b.regime))
        })
        .collect()
}

/// The filings of a registry that still stand, as a comparison sees them:
/// named by their registry company name and item (a registry compares by
/// its own names, not the cells as a list printed them).
pub fn standing_entries(snap: &crate::model::Snapshot) -> Vec<Entry> {
    snap.filings
        .iter()
        .filter(|f| f.status.stands())
        .map(|f| {
            let mut entry = f.entry.clone();
            entry.fields.company = snap
                .company(f.company_id)
                .map_or_else(|| f.company.clone(), |c| c.name.clone());
            entry.fields.item = f.item.clone();
            entry
        })
        .collect()
}

/// What changed from `before` to `after`.
pub fn diff(before: &[Entry], after: &[Entry]) -> Diff {
    let mut paired_after = vec![false; after.len()];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut unpaired_before: Vec<usize> = Vec::new();

    let mut by_number: HashMap<(Regime, String), Vec<usize>> = HashMap::new();
    for (j, e) in after.iter().enumerate() {
        if let Some(k) = number_key(e) {
            by_number.entry(k).or_default().push(j);
        }
    }
    for (i, e) in before.iter().enumerate() {
        let found = number_key(e)
            .and_then(|k| by_number.get(&k))
            .and_then(|js| js.iter().copied().find(|&j| !paired_after[j]));
        match found {
            Some(j) => {
                paired_after[j] = true;
                pairs.push((i, j));
            }
            None => unpaired_before.push(i),
        }
    }
    let mut by_name: HashMap<(Regime, String, String), Vec<usize>> = HashMap::new();
    for (j, e) in after.iter().enumerate() {
        if !paired_after[j] {
            by_name.entry(name_key(e)).or_default().push(j);
        }
    }
    let mut removed = Vec::new();
    for i in unpaired_before {
        let found = by_name
            .get(&name_key(&before[i]))
            .and_then(|js| js.iter().copied().find(|&j| !paired_after[j]));
        match found {
            Some(j) => {
                paired_after[j] = true;
                pairs.push((i, j));
            }
            None => removed.push(before[i].clone()),
        }
    }
    let mut d = Diff {
        removed,
        ..Diff::default()
    };
    pairs.sort_unstable();
    for (i, j) in pairs {
        let fields = differing(&before[i], &after[j]);
        if fields.is_empty() {
            d.unchanged += 1;
        } else {
            d.changed.push(Change {
                before: before[i].clone(),
                after: after[j].clone(),
                fields,
            });
        }
    }
    d.added = after
        .iter()
        .zip(&paired_after)
        .filter(|(_, &p)| !p)
        .map(|(e, _)| e.clone())
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(company: &str, item: &str, no: &str) -> Entry {
        NewFiling::listed(
            Regime::DeepSynthesis,
            crate::model::FilingFields {
                company: company.into(),
                item: item.into(),
                filing_no: (!no.is_empty()).then(|| no.into()),
                ..Default::default()
            },
            String::new(),
        )
    }

    #[test]
    fn added_removed_changed() {
        let before = [
            e("甲公司", "A算法", ""),
            e("乙公司", "B算法", "N1"),
            e("丙", "C", ""),
        ];
        let after = [
            // Gained a number: paired by name, changed.
            e("甲公司", "A算法", "N0"),
            // Same number, renamed item: changed.
            e("乙公司", "B算法v2", "N1"),
            e("丁", "D", ""),
        ];
        let d = diff(&before, &after);
        assert_eq!(d.removed, vec![e("丙", "C", "")]);
        assert_eq!(d.added, vec![e("丁", "D", "")]);
        assert_eq!(d.changed.len(), 2);
        assert_eq!(d.changed[0].fields, vec!["备案编号"]);
        assert_eq!(d.changed[1].fields, vec!["算法名称"]);
        assert_eq!(d.unchanged, 0);
        let same = diff(&after, &after);
        assert!(same.is_empty());
        assert_eq!(same.unchanged, 3);
    }
}
