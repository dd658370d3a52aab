//! The name index the matcher searches: every name the registry knows,
//! normalised once, in flat tables.
//!
//! Normalising a name (traditional to simplified, legal forms, pinyin) is
//! what matching costs; a registry of 20,000 filings has some 22,000 names.
//! So the index is built once — at start-up for the embedded registry, and
//! when a registry file is written for a file, which keeps it as one blob
//! ([`super::codec`]) — and a cold lookup reads it instead of normalising
//! every name again.
//!
//! The layout has no per-name allocation: one string arena; names, targets
//! (a company, or one item of a company) and filings as fixed records; and
//! lookup tables sorted by key, searched by binary search. Reading it back
//! is a copy and a check, not a rebuild.

use std::collections::{HashMap, HashSet};

use crate::filing_no;
use crate::model::{AliasEntity, AliasKind, Regime, Snapshot};
use crate::normalize;

/// A range in one of the index's arrays (or bytes of its string arena).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    /// The marker of an absent optional string.
    pub const NONE: Span = Span {
        start: u32::MAX,
        len: 0,
    };

    pub fn range(self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start.saturating_add(self.len as usize)
    }

    pub fn is_none(self) -> bool {
        self == Span::NONE
    }
}

/// Where a registry name comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The name as the list gives it (corrected where the extraction broke it).
    Listed,
    /// The broken form the extraction printed, kept so it is found too.
    AsPrinted,
    /// An alias of the given kind (legal names and English names included).
    Alias(AliasKind),
    /// The group the company belongs to: a match through it is `related`.
    Group,
}

impl Via {
    pub fn describe(self) -> &'static str {
        match self {
            Via::Listed => "listed name",
            Via::AsPrinted => "name as printed",
            Via::Alias(k) => k.as_str(),
            Via::Group => "group",
        }
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            Via::Listed => 0,
            Via::AsPrinted => 1,
            Via::Group => 2,
            Via::Alias(k) => 16 + AliasKind::ALL.iter().position(|&a| a == k).unwrap_or(0) as u8,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Via> {
        match code {
            0 => Some(Via::Listed),
            1 => Some(Via::AsPrinted),
            2 => Some(Via::Group),
            c => AliasKind::ALL
                .get(usize::from(c.checked_sub(16)?))
                .map(|&k| Via::Alias(k)),
        }
    }
}

/// One registry name, normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NameRec {
    /// Index into the targets.
    pub target: u32,
    pub via: Via,
    /// The name as the registry has it.
    pub text: Span,
    pub key: Span,
    /// What the name is compared on: the item core for item names, the
    /// core for company names.
    pub core: Span,
    pub full: Span,
    pub region: Span,
    /// Pinyin of the core, key and full name, when they have CJK characters
    /// (a range of `pinyins`).
    pub pinyins: Span,
}

/// What a name stands for: a company, or the filings of one company with
/// one item name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TargetRec {
    pub company: i64,
    /// The item (bytes of the arena), or [`Span::NONE`] for a company.
    pub item: Span,
    /// Its filings (a range of `filing_list`).
    pub filings: Span,
}

/// What the matcher needs to know of a filing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FilingRec {
    /// The filing's id in the registry.
    pub id: i64,
    pub company: i64,
    pub regime: Regime,
    /// Still listed (not absent from a newer complete list).
    pub listed: bool,
}

/// A sorted lookup table from strings to a range of a posting list.
pub(crate) type Table = Vec<(Span, Span)>;

/// The index. Fields are crate-visible for the codec; everything else goes
/// through the accessors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameIndex {
    pub(crate) text: String,
    pub(crate) names: Vec<NameRec>,
    pub(crate) targets: Vec<TargetRec>,
    pub(crate) filings: Vec<FilingRec>,
    /// Pinyin strings of the names.
    pub(crate) pinyins: Vec<Span>,
    /// Name ids, ranges of which the tables below point at.
    pub(crate) name_list: Vec<u32>,
    /// Filing positions, ranges of which targets and `by_number` point at.
    pub(crate) filing_list: Vec<u32>,
    pub(crate) by_key: Table,
    pub(crate) by_core: Table,
    pub(crate) by_pinyin: Table,
    /// Character bigrams of the cores (a one-character core as `(c, 0)`),
    /// sorted.
    pub(crate) by_gram: Vec<((u32, u32), Span)>,
    /// The item names of each company, sorted by company.
    pub(crate) items_of_company: Vec<(i64, Span)>,
    /// Filing-number keys ([`filing_no::FilingNumber::key`]) to filings.
    pub(crate) by_number: Table,
    /// Company display names, sorted by id.
    pub(crate) companies: Vec<(i64, Span)>,
    /// Regimes of which the registry holds filing numbers at all.
    pub(crate) numbered: Vec<Regime>,
}

/// A name with its strings, for scoring.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameView<'a> {
    pub target: u32,
    pub via: Via,
    pub text: &'a str,
    pub key: &'a str,
    pub core: &'a str,
    pub full: &'a str,
    pub region: Option<&'a str>,
    pinyins: &'a [Span],
    index: &'a NameIndex,
}

impl<'a> NameView<'a> {
    pub fn pinyins(&self) -> impl Iterator<Item = &'a str> + 'a {
        let index = self.index;
        self.pinyins.iter().map(move |&s| index.str(s))
    }

    pub fn has_pinyin(&self) -> bool {
        !self.pinyins.is_empty()
    }
}

/// The character bigrams of a string (a one-character string as `(c, 0)`).
pub(crate) fn grams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() == 1 {
        return vec![(chars[0], '\0')];
    }
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

fn gram_key((a, b): (char, char)) -> (u32, u32) {
    (u32::from(a), u32::from(b))
}

impl NameIndex {
    /// The text of a span of the arena ("" for an absent string).
    pub(crate) fn str(&self, s: Span) -> &str {
        if s.is_none() {
            return "";
        }
        self.text.get(s.range()).unwrap_or("")
    }

    /// The number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub(crate) fn name(&self, id: u32) -> NameView<'_> {
        let n = self.names[id as usize];
        NameView {
            target: n.target,
            via: n.via,
            text: self.str(n.text),
            key: self.str(n.key),
            core: self.str(n.core),
            full: self.str(n.full),
            region: (!n.region.is_none()).then(|| self.str(n.region)),
            pinyins: self.pinyins.get(n.pinyins.range()).unwrap_or(&[]),
            index: self,
        }
    }

    pub(crate) fn target(&self, id: u32) -> TargetRec {
        self.targets[id as usize]
    }

    /// The item a target stands for, if it is an item.
    pub(crate) fn target_item(&self, id: u32) -> Option<&str> {
        let t = self.target(id);
        (!t.item.is_none()).then(|| self.str(t.item))
    }

    pub(crate) fn target_filings(&self, id: u32) -> &[u32] {
        self.filing_list
            .get(self.target(id).filings.range())
            .unwrap_or(&[])
    }

    pub(crate) fn filing(&self, pos: usize) -> FilingRec {
        self.filings[pos]
    }

    /// The number of filings, in the order of the snapshot it was built from.
    pub fn filing_count(&self) -> usize {
        self.filings.len()
    }

    /// The registry id of the filing at `pos`.
    pub fn filing_id(&self, pos: usize) -> i64 {
        self.filings[pos].id
    }

    fn lookup<'s>(&'s self, table: &'s Table, key: &str) -> &'s [u32] {
        table
            .binary_search_by(|(s, _)| self.str(*s).cmp(key))
            .ok()
            .and_then(|i| self.name_list.get(table[i].1.range()))
            .unwrap_or(&[])
    }

    pub(crate) fn with_key(&self, key: &str) -> &[u32] {
        self.lookup(&self.by_key, key)
    }

    pub(crate) fn with_core(&self, core: &str) -> &[u32] {
        self.lookup(&self.by_core, core)
    }

    pub(crate) fn with_pinyin(&self, pinyin: &str) -> &[u32] {
        self.lookup(&self.by_pinyin, pinyin)
    }

    pub(crate) fn with_gram(&self, g: (char, char)) -> &[u32] {
        let k = gram_key(g);
        self.by_gram
            .binary_search_by(|(x, _)| x.cmp(&k))
            .ok()
            .and_then(|i| self.name_list.get(self.by_gram[i].1.range()))
            .unwrap_or(&[])
    }

    pub(crate) fn items_of_company(&self, company: i64) -> &[u32] {
        self.items_of_company
            .binary_search_by(|(c, _)| c.cmp(&company))
            .ok()
            .and_then(|i| self.name_list.get(self.items_of_company[i].1.range()))
            .unwrap_or(&[])
    }

    /// Filing positions with this number key.
    pub(crate) fn with_number(&self, key: &str) -> &[u32] {
        self.by_number
            .binary_search_by(|(s, _)| self.str(*s).cmp(key))
            .ok()
            .and_then(|i| self.filing_list.get(self.by_number[i].1.range()))
            .unwrap_or(&[])
    }

    pub(crate) fn company_name(&self, id: i64) -> Option<&str> {
        self.companies
            .binary_search_by(|(c, _)| c.cmp(&id))
            .ok()
            .map(|i| self.str(self.companies[i].1))
    }

    pub(crate) fn holds_numbers(&self, regime: Regime) -> bool {
        self.numbered.contains(&regime)
    }

    /// Indexes every name of the snapshot: listed company and item names,
    /// the forms the extraction printed, legal and English names, groups and
    /// aliases. Filing positions are the snapshot's.
    pub fn build(snap: &Snapshot) -> NameIndex {
        Builder::default().build(snap)
    }
}

/// Collects names and postings, then lays them out sorted.
#[derive(Default)]
struct Builder {
    index: NameIndex,
    interned: HashMap<String, Span>,
    company_targets: HashMap<i64, u32>,
    item_targets: HashMap<(i64, String), u32>,
    target_filings: Vec<Vec<u32>>,
    /// (target, key) pairs already indexed: the first description wins.
    seen: HashSet<(u32, String)>,
    by_key: HashMap<Span, Vec<u32>>,
    by_core: HashMap<Span, Vec<u32>>,
    by_pinyin: HashMap<Span, Vec<u32>>,
    by_gram: HashMap<(u32, u32), Vec<u32>>,
    items_of_company: HashMap<i64, Vec<u32>>,
}

impl Builder {
    fn intern(&mut self, s: &str) -> Span {
        if let Some(&span) = self.interned.get(s) {
            return span;
        }
        let span = Span {
            start: self.index.text.len() as u32,
            len: s.len() as u32,
        };
        self.index.text.push_str(s);
        self.interned.insert(s.to_string(), span);
        span
    }

    fn company_target(&mut self, company: i64) -> u32 {
        if let Some(&t) = self.company_targets.get(&company) {
            return t;
        }
        let t = self.new_target(company, Span::NONE);
        self.company_targets.insert(company, t);
        t
    }

    fn item_target(&mut self, company: i64, item: &str) -> u32 {
        if let Some(&t) = self.item_targets.get(&(company, item.to_string())) {
            return t;
        }
        let span = self.intern(item);
        let t = self.new_target(company, span);
        self.item_targets.insert((company, item.to_string()), t);
        t
    }

    fn new_target(&mut self, company: i64, item: Span) -> u32 {
        self.index.targets.push(TargetRec {
            company,
            item,
            filings: Span::default(),
        });
        self.target_filings.push(Vec::new());
        (self.index.targets.len() - 1) as u32
    }

    fn add(&mut self, target: u32, text: &str, via: Via) {
        let norm = normalize::normalize(text);
        if norm.key.is_empty() || !self.seen.insert((target, norm.key.clone())) {
            return;
        }
        let id = self.index.names.len() as u32;
        let is_item = !self.index.targets[target as usize].item.is_none();
        if is_item {
            let company = self.index.targets[target as usize].company;
            self.items_of_company.entry(company).or_default().push(id);
        }
        let core = if is_item { &norm.item_core } else { &norm.core };
        let mut pinyins: Vec<String> = [core, &norm.key, &norm.full]
            .into_iter()
            .filter(|s| normalize::has_cjk(s))
            .map(|s| normalize::pinyin(s))
            .collect();
        pinyins.dedup();
        let pinyin_start = self.index.pinyins.len() as u32;
        for p in &pinyins {
            let span = self.intern(p);
            self.index.pinyins.push(span);
            self.by_pinyin.entry(span).or_default().push(id);
        }
        let mut gs: Vec<(u32, u32)> = grams(core).into_iter().map(gram_key).collect();
        gs.sort_unstable();
        gs.dedup();
        for g in gs {
            self.by_gram.entry(g).or_default().push(id);
        }
        let rec = NameRec {
            target,
            via,
            text: self.intern(text),
            key: self.intern(&norm.key),
            core: self.intern(core),
            full: self.intern(&norm.full),
            region: match &norm.region {
                Some(r) => self.intern(r),
                None => Span::NONE,
            },
            pinyins: Span {
                start: pinyin_start,
                len: pinyins.len() as u32,
            },
        };
        self.by_key.entry(rec.key).or_default().push(id);
        self.by_core.entry(rec.core).or_default().push(id);
        self.index.names.push(rec);
    }

    fn build(mut self, snap: &Snapshot) -> NameIndex {
        let company_ids: HashMap<&str, i64> = snap
            .companies
            .iter()
            .map(|c| (c.name.as_str(), c.id))
            .collect();
        let mut by_number: HashMap<String, Vec<u32>> = HashMap::new();
        let mut with_filings: HashSet<i64> = HashSet::new();
        let mut items_by_name: HashMap<&str, Vec<i64>> = HashMap::new();
        let mut family: HashMap<(i64, String), Vec<&str>> = HashMap::new();
        for (pos, f) in snap.filings.iter().enumerate() {
            let pos = pos as u32;
            self.index.filings.push(FilingRec {
                id: f.id,
                company: f.company_id,
                regime: f.regime,
                listed: f.status == "listed",
            });
            if let Some(n) = f
                .filing_no
                .as_deref()
                .and_then(|n| filing_no::parse(n).ok())
            {
                by_number.entry(n.key()).or_default().push(pos);
                if !self.index.numbered.contains(&f.regime) {
                    self.index.numbered.push(f.regime);
                }
            }
            with_filings.insert(f.company_id);
            let new_item = !self
                .item_targets
                .contains_key(&(f.company_id, f.item.clone()));
            let item = self.item_target(f.company_id, &f.item);
            self.target_filings[item as usize].push(pos);
            if new_item {
                items_by_name.entry(&f.item).or_default().push(f.company_id);
                family
                    .entry((f.company_id, normalize::normalize(&f.item).item_core))
                    .or_default()
                    .push(&f.item);
                self.add(item, &f.item, Via::Listed);
                if f.item_listed != f.item {
                    self.add(item, &f.item_listed, Via::AsPrinted);
                }
            }
        }
        for c in &snap.companies {
            if !with_filings.contains(&c.id) {
                continue;
            }
            let t = self.company_target(c.id);
            self.add(t, &c.name, Via::Listed);
            if let Some(legal) = &c.legal_name {
                self.add(t, legal, Via::Alias(AliasKind::LegalName));
            }
            if let Some(en) = &c.english_name {
                self.add(t, en, Via::Alias(AliasKind::EnglishName));
            }
            if let Some(group) = &c.group_name {
                self.add(t, group, Via::Group);
            }
        }
        for f in &snap.filings {
            let listed = f.company_listed.as_str();
            if !listed.is_empty() && company_ids.get(listed) != Some(&f.company_id) {
                let t = self.company_target(f.company_id);
                self.add(t, listed, Via::AsPrinted);
            }
        }
        for a in &snap.aliases {
            match a.entity {
                AliasEntity::Company => {
                    if let Some(&id) = company_ids.get(a.name.as_str()) {
                        if with_filings.contains(&id) {
                            let t = self.company_target(id);
                            self.add(t, &a.alias, Via::Alias(a.kind));
                        }
                    }
                }
                AliasEntity::Item => {
                    // An alias names the model, whichever regime its filing
                    // is under: it applies to every item of the company with
                    // the same item core (云雀大模型 and 云雀大模型算法).
                    let core = normalize::normalize(&a.name).item_core;
                    for &company in items_by_name.get(a.name.as_str()).into_iter().flatten() {
                        let items = family.get(&(company, core.clone())).cloned();
                        for item in items.into_iter().flatten() {
                            let t = self.item_target(company, item);
                            self.add(t, &a.alias, Via::Alias(a.kind));
                        }
                    }
                }
            }
        }
        // Company filings: every filing of the company, in snapshot order.
        let mut of_company: HashMap<i64, Vec<u32>> = HashMap::new();
        for (pos, f) in snap.filings.iter().enumerate() {
            of_company.entry(f.company_id).or_default().push(pos as u32);
        }
        for (&company, &t) in &self.company_targets {
            self.target_filings[t as usize] = of_company.get(&company).cloned().unwrap_or_default();
        }
        for c in &snap.companies {
            let span = self.intern(&c.name);
            self.index.companies.push((c.id, span));
        }
        self.finish(by_number)
    }

    fn finish(mut self, by_number: HashMap<String, Vec<u32>>) -> NameIndex {
        let mut index = std::mem::take(&mut self.index);
        for (t, filings) in self.target_filings.iter().enumerate() {
            index.targets[t].filings = push_list(&mut index.filing_list, filings);
        }
        let mut numbers: Vec<(String, Vec<u32>)> = by_number.into_iter().collect();
        numbers.sort();
        for (key, filings) in numbers {
            let span = self.intern_into(&mut index, &key);
            let list = push_list(&mut index.filing_list, &filings);
            index.by_number.push((span, list));
        }
        for (map, table) in [
            (&self.by_key, &mut index.by_key),
            (&self.by_core, &mut index.by_core),
            (&self.by_pinyin, &mut index.by_pinyin),
        ] {
            let mut rows: Vec<(&Span, &Vec<u32>)> = map.iter().collect();
            rows.sort_by(|a, b| index.text[a.0.range()].cmp(&index.text[b.0.range()]));
            for (&s, ids) in rows {
                let list = push_list(&mut index.name_list, ids);
                table.push((s, list));
            }
        }
        let mut grams: Vec<_> = self.by_gram.iter().collect();
        grams.sort();
        for (&g, ids) in grams {
            let list = push_list(&mut index.name_list, ids);
            index.by_gram.push((g, list));
        }
        let mut items: Vec<_> = self.items_of_company.iter().collect();
        items.sort();
        for (&c, ids) in items {
            let list = push_list(&mut index.name_list, ids);
            index.items_of_company.push((c, list));
        }
        index.companies.sort_by_key(|&(id, _)| id);
        index.companies.dedup_by_key(|&mut (id, _)| id);
        index.numbered.sort();
        index
    }

    /// Interns a string after the builder handed its arena to the index.
    fn intern_into(&mut self, index: &mut NameIndex, s: &str) -> Span {
        if let Some(&span) = self.interned.get(s) {
            return span;
        }
        let span = Span {
            start: index.text.len() as u32,
            len: s.len() as u32,
        };
        index.text.push_str(s);
        self.interned.insert(s.to_string(), span);
        span
    }
}

fn push_list(list: &mut Vec<u32>, items: &[u32]) -> Span {
    let start = list.len() as u32;
    list.extend_from_slice(items);
    Span {
        start,
        len: items.len() as u32,
    }
}
