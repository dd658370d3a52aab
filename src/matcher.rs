//! The matcher: does a query name a filed company or item, and how surely?
//!
//! Pure logic over a [`Snapshot`]: it builds an index of every name the
//! registry knows (listed names, legal and English names, aliases), finds
//! candidates for a query from that index, scores them, and turns the scores
//! into a verdict. Every step is recorded so `--explain` can show it.
//!
//! Rules, strongest first (scores in 0–1):
//! - `key` (1.00): the normalised names are equal — an `exact` match for a
//!   listed name, an `alias` match for a legal name or alias;
//! - `core` (0.95): equal once generic words, legal forms and a region are
//!   set aside (`智谱` ~ `智谱AI`, `星火` ~ `星火大模型`), regions agreeing;
//! - `pinyin` (0.92): the same pronunciation — homophone typos (`智普` ~
//!   `智谱`) and romanised queries (`zhipu`);
//! - `pair` (the weaker part's score): the query names a company and one of
//!   its items (`百度 文心一言`, `腾讯混元`);
//! - `similar` (edit similarity of characters or pinyin): typos; queries of
//!   one or two characters never match this way;
//! - `contains`: the query contains a filed name plus distinguishing words
//!   (`阿里健康` ⊃ `阿里`): a `related` match, never `filed`.
//!
//! Verdicts: `filed` when the best match is exact/alias/fuzzy at or above
//! [`STRONG`] and points to one company; `review` for weaker or ambiguous
//! matches and related entities; `not-found` when nothing matched.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::model::{AliasEntity, AliasKind, RegimeFilter, Snapshot};
use crate::normalize::{self, NameKey};

/// A match at or above this score can make a `filed` verdict.
pub const STRONG: f64 = 0.90;
/// A match below this score is not reported at all.
pub const WEAK: f64 = 0.75;

const SCORE_CORE: f64 = 0.95;
const SCORE_PINYIN: f64 = 0.92;

/// How a query matched a filing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    Exact,
    Alias,
    Fuzzy,
    Related,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Alias => "alias",
            MatchKind::Fuzzy => "fuzzy",
            MatchKind::Related => "related",
        }
    }
}

/// The rule that produced a match (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    Key,
    Core,
    Pinyin,
    Pair,
    Similar,
    Contains,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Key => "key",
            Rule::Core => "core",
            Rule::Pinyin => "pinyin",
            Rule::Pair => "pair",
            Rule::Similar => "similar",
            Rule::Contains => "contains",
        }
    }
}

/// The verdict for one query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Verdict {
    #[serde(rename = "filed")]
    Filed,
    #[serde(rename = "review")]
    Review,
    #[serde(rename = "not-found")]
    NotFound,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Filed => "filed",
            Verdict::Review => "review",
            Verdict::NotFound => "not-found",
        }
    }
}

/// What a registry name stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Target {
    Company(i64),
    /// The filings of one company with this item name.
    Item {
        company_id: i64,
        item: String,
    },
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
}

impl Via {
    fn describe(self) -> &'static str {
        match self {
            Via::Listed => "listed name",
            Via::AsPrinted => "name as printed",
            Via::Alias(k) => k.as_str(),
        }
    }
}

struct NameEntry {
    target: Target,
    text: String,
    via: Via,
    norm: NameKey,
    /// Pinyin of the core, when the core has CJK characters.
    pinyin: Option<String>,
}

/// A scored candidate: one registry name against the query.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    /// The registry name compared.
    pub name: String,
    /// What that name is: `listed name`, `legal_name`, `english_name`…
    pub via: &'static str,
    /// The company the name belongs to.
    pub company: String,
    /// The item, when the name is an item's.
    pub item: Option<String>,
    pub rule: Option<Rule>,
    pub kind: Option<MatchKind>,
    pub score: f64,
}

/// One filing that matched, with how.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FilingMatch {
    /// Index into [`Snapshot::filings`].
    #[serde(skip)]
    pub filing: usize,
    pub kind: MatchKind,
    pub score: f64,
    pub rule: Rule,
    /// The registry name that matched, and what it is.
    pub matched_name: String,
    pub matched_via: &'static str,
}

/// The path to a verdict, for `--explain`.
#[derive(Clone, Debug, Serialize)]
pub struct Explain {
    pub key: String,
    pub core: String,
    pub region: Option<String>,
    pub weak_tokens: Vec<&'static str>,
    pub pinyin: Option<String>,
    pub candidates: Vec<Candidate>,
    pub thresholds: Thresholds,
    pub reason: String,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Thresholds {
    pub strong: f64,
    pub weak: f64,
}

/// The answer for one query.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub query: String,
    pub verdict: Verdict,
    /// Best first.
    pub matches: Vec<FilingMatch>,
    /// A remark for the user (e.g. filings exist under another regime).
    pub note: Option<String>,
    pub explain: Explain,
}

/// The name index over a snapshot.
pub struct Matcher<'a> {
    snap: &'a Snapshot,
    names: Vec<NameEntry>,
    by_key: HashMap<String, Vec<usize>>,
    by_core: HashMap<String, Vec<usize>>,
    by_pinyin: HashMap<String, Vec<usize>>,
    /// Character bigrams (and single characters of one-character cores).
    by_gram: HashMap<(char, char), Vec<usize>>,
    /// Filings of each company / of each (company, item).
    filings_of_company: HashMap<i64, Vec<usize>>,
    filings_of_item: HashMap<(i64, String), Vec<usize>>,
    /// Item names of each company, for pair matching.
    item_names_of_company: HashMap<i64, Vec<usize>>,
}

fn grams(s: &str) -> impl Iterator<Item = (char, char)> + '_ {
    let chars: Vec<char> = s.chars().collect();
    let single = (chars.len() == 1).then(|| (chars[0], '\0'));
    (0..chars.len().saturating_sub(1))
        .map(move |i| (chars[i], chars[i + 1]))
        .chain(single)
        .collect::<Vec<_>>()
        .into_iter()
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

impl<'a> Matcher<'a> {
    /// Indexes every name of the snapshot.
    pub fn new(snap: &'a Snapshot) -> Matcher<'a> {
        let mut m = Matcher {
            snap,
            names: Vec::new(),
            by_key: HashMap::new(),
            by_core: HashMap::new(),
            by_pinyin: HashMap::new(),
            by_gram: HashMap::new(),
            filings_of_company: HashMap::new(),
            filings_of_item: HashMap::new(),
            item_names_of_company: HashMap::new(),
        };
        let company_ids: HashMap<&str, i64> = snap
            .companies
            .iter()
            .map(|c| (c.name.as_str(), c.id))
            .collect();
        let mut items_by_name: HashMap<&str, Vec<i64>> = HashMap::new();
        let mut seen_items = HashSet::new();
        for (i, f) in snap.filings.iter().enumerate() {
            m.filings_of_company
                .entry(f.company_id)
                .or_default()
                .push(i);
            m.filings_of_item
                .entry((f.company_id, f.item.clone()))
                .or_default()
                .push(i);
            if seen_items.insert((f.company_id, f.item.as_str())) {
                items_by_name.entry(&f.item).or_default().push(f.company_id);
                let target = Target::Item {
                    company_id: f.company_id,
                    item: f.item.clone(),
                };
                m.add(target.clone(), &f.item, Via::Listed);
                if f.item_listed != f.item {
                    m.add(target, &f.item_listed, Via::AsPrinted);
                }
            }
        }
        for c in &snap.companies {
            if !m.filings_of_company.contains_key(&c.id) {
                continue;
            }
            m.add(Target::Company(c.id), &c.name, Via::Listed);
            if let Some(legal) = &c.legal_name {
                m.add(
                    Target::Company(c.id),
                    legal,
                    Via::Alias(AliasKind::LegalName),
                );
            }
            if let Some(en) = &c.english_name {
                m.add(
                    Target::Company(c.id),
                    en,
                    Via::Alias(AliasKind::EnglishName),
                );
            }
        }
        for f in &snap.filings {
            let listed = f.company_listed.as_str();
            if !listed.is_empty() && company_ids.get(listed) != Some(&f.company_id) {
                m.add(Target::Company(f.company_id), listed, Via::AsPrinted);
            }
        }
        for a in &snap.aliases {
            match a.entity {
                AliasEntity::Company => {
                    if let Some(&id) = company_ids.get(a.name.as_str()) {
                        m.add(Target::Company(id), &a.alias, Via::Alias(a.kind));
                    }
                }
                AliasEntity::Item => {
                    for &company_id in items_by_name.get(a.name.as_str()).into_iter().flatten() {
                        let target = Target::Item {
                            company_id,
                            item: a.name.clone(),
                        };
                        m.add(target, &a.alias, Via::Alias(a.kind));
                    }
                }
            }
        }
        m
    }

    fn add(&mut self, target: Target, text: &str, via: Via) {
        let norm = normalize::normalize(text);
        if norm.key.is_empty() {
            return;
        }
        // One entry per (target, key): the first (listed) description wins.
        if self
            .by_key
            .get(&norm.key)
            .is_some_and(|ids| ids.iter().any(|&i| self.names[i].target == target))
        {
            return;
        }
        let idx = self.names.len();
        if let Target::Item { company_id, .. } = &target {
            self.item_names_of_company
                .entry(*company_id)
                .or_default()
                .push(idx);
        }
        let pinyin = normalize::has_cjk(&norm.core).then(|| normalize::pinyin(&norm.core));
        self.by_key.entry(norm.key.clone()).or_default().push(idx);
        self.by_core.entry(norm.core.clone()).or_default().push(idx);
        if let Some(p) = &pinyin {
            self.by_pinyin.entry(p.clone()).or_default().push(idx);
        }
        let mut gs: Vec<_> = grams(&norm.core).collect();
        gs.sort_unstable();
        gs.dedup();
        for g in gs {
            self.by_gram.entry(g).or_default().push(idx);
        }
        self.names.push(NameEntry {
            target,
            text: text.to_string(),
            via,
            norm,
            pinyin,
        });
    }

    fn company_of(&self, t: &Target) -> i64 {
        match t {
            Target::Company(id) => *id,
            Target::Item { company_id, .. } => *company_id,
        }
    }

    fn company_name(&self, id: i64) -> String {
        self.snap
            .company(id)
            .map_or_else(|| format!("#{id}"), |c| c.name.clone())
    }

    /// Scores one registry name against a normalised query.
    fn score(&self, q: &NameKey, q_pinyin: &str, e: &NameEntry) -> Option<(Rule, MatchKind, f64)> {
        let exactish = match e.via {
            Via::Listed | Via::AsPrinted => MatchKind::Exact,
            Via::Alias(_) => MatchKind::Alias,
        };
        if q.key == e.norm.key {
            return Some((Rule::Key, exactish, 1.0));
        }
        let regions_agree = match (&q.region, &e.norm.region) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if !regions_agree {
            return None;
        }
        if q.core == e.norm.core {
            return Some((Rule::Core, MatchKind::Fuzzy, SCORE_CORE));
        }
        let q_len = char_len(&q.core);
        if let Some(p) = &e.pinyin {
            if char_len(&e.norm.core) >= 2 && q_len >= 2 && !q_pinyin.is_empty() && q_pinyin == p {
                return Some((Rule::Pinyin, MatchKind::Fuzzy, SCORE_PINYIN));
            }
        }
        let e_len = char_len(&e.norm.core);
        // Containment only for company names: an item name inside a longer
        // query says little, a company name plus other words is a sibling.
        let is_company = matches!(e.target, Target::Company(_));
        if is_company && q_len >= 2 && e_len >= 2 && q_len > e_len && q.core.contains(&e.norm.core)
        {
            let share = e_len as f64 / q_len as f64;
            return Some((Rule::Contains, MatchKind::Related, share));
        }
        if q_len <= 2 || e_len <= 1 {
            return None;
        }
        let mut sim = strsim::normalized_levenshtein(&q.core, &e.norm.core);
        if let Some(p) = &e.pinyin {
            if !q_pinyin.is_empty() && char_len(p) >= 4 {
                sim = sim.max(strsim::normalized_levenshtein(q_pinyin, p) * 0.97);
            }
        }
        (sim >= WEAK).then_some((Rule::Similar, MatchKind::Fuzzy, sim))
    }

    /// Candidate names for a query: equal keys, cores or pinyin, and names
    /// sharing a character bigram.
    fn candidates(&self, q: &NameKey, q_pinyin: &str) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        out.extend(self.by_key.get(&q.key).into_iter().flatten());
        out.extend(self.by_core.get(&q.core).into_iter().flatten());
        if !q_pinyin.is_empty() {
            out.extend(self.by_pinyin.get(q_pinyin).into_iter().flatten());
        }
        for g in grams(&q.core) {
            out.extend(self.by_gram.get(&g).into_iter().flatten());
        }
        // Romanised queries: compare against pinyin keys by similarity too.
        if !normalize::has_cjk(&q.core) && q.core.len() >= 4 {
            out.extend(
                self.names
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.pinyin.is_some())
                    .map(|(i, _)| i),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The query's pinyin for comparison: the pinyin of a CJK core, or the
    /// core itself when it is romanised (plain ASCII letters).
    fn query_pinyin(q: &NameKey) -> String {
        if normalize::has_cjk(&q.core) {
            normalize::pinyin(&q.core)
        } else if q.core.chars().all(|c| c.is_ascii_lowercase()) {
            q.core.clone()
        } else {
            String::new()
        }
    }

    /// Answers one query.
    pub fn lookup(&self, query: &str, filter: RegimeFilter) -> Outcome {
        let q = normalize::normalize(query);
        let q_pinyin = Self::query_pinyin(&q);

        // Best (rule, kind, score, entry) per target.
        let mut best: HashMap<Target, (Rule, MatchKind, f64, usize)> = HashMap::new();
        let mut considered: Vec<Candidate> = Vec::new();
        let mut keep = |target: &Target, hit: (Rule, MatchKind, f64), entry: usize| {
            let slot = best
                .entry(target.clone())
                .or_insert((hit.0, hit.1, hit.2, entry));
            if (hit.2, std::cmp::Reverse(hit.1)) > (slot.2, std::cmp::Reverse(slot.1)) {
                *slot = (hit.0, hit.1, hit.2, entry);
            }
        };

        if !q.key.is_empty() {
            let candidates = self.candidates(&q, &q_pinyin);
            for &idx in &candidates {
                let e = &self.names[idx];
                let hit = self.score(&q, &q_pinyin, e);
                considered.push(self.candidate(e, hit));
                if let Some(hit) = hit {
                    keep(&e.target, hit, idx);
                }
            }
            // A company named together with one of its items.
            for (target, hit, idx) in self.pairs(&q, &candidates) {
                considered.push(self.candidate(&self.names[idx], Some(hit)));
                keep(&target, hit, idx);
            }
        }

        // Expand targets to filings; keep the best match per filing.
        let mut per_filing: BTreeMap<usize, FilingMatch> = BTreeMap::new();
        let mut elsewhere = 0usize;
        for (target, (rule, kind, score, idx)) in &best {
            let e = &self.names[*idx];
            let filings = match target {
                Target::Company(id) => self.filings_of_company.get(id),
                Target::Item { company_id, item } => {
                    self.filings_of_item.get(&(*company_id, item.clone()))
                }
            };
            for &fi in filings.into_iter().flatten() {
                if !filter.admits(self.snap.filings[fi].regime) {
                    elsewhere += 1;
                    continue;
                }
                let m = FilingMatch {
                    filing: fi,
                    kind: *kind,
                    score: *score,
                    rule: *rule,
                    matched_name: e.text.clone(),
                    matched_via: e.via.describe(),
                };
                match per_filing.get(&fi) {
                    Some(old)
                        if (old.score, std::cmp::Reverse(old.kind))
                            >= (m.score, std::cmp::Reverse(m.kind)) => {}
                    _ => {
                        per_filing.insert(fi, m);
                    }
                }
            }
        }
        let mut matches: Vec<FilingMatch> = per_filing.into_values().collect();
        // Once a strong match identifies the filer, weaker and related matches
        // are noise in the answer (they stay in the explanation).
        if matches
            .iter()
            .any(|m| m.kind != MatchKind::Related && m.score >= STRONG)
        {
            matches.retain(|m| m.kind != MatchKind::Related && m.score >= STRONG);
        }
        matches.sort_by(|a, b| {
            let strong = |m: &FilingMatch| m.kind != MatchKind::Related && m.score >= STRONG;
            strong(b)
                .cmp(&strong(a))
                .then(b.score.total_cmp(&a.score))
                .then(a.kind.cmp(&b.kind))
                .then(
                    self.snap.filings[a.filing]
                        .regime
                        .cmp(&self.snap.filings[b.filing].regime),
                )
                .then(a.filing.cmp(&b.filing))
        });

        let (verdict, reason) = self.verdict(&matches);
        let note = (matches.is_empty() && elsewhere > 0).then(|| {
            format!(
                "{elsewhere} filing(s) match under another regime; use --regime any to see them"
            )
        });
        considered.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
        considered.dedup_by(|a, b| a.name == b.name && a.company == b.company && a.item == b.item);
        Outcome {
            query: query.to_string(),
            verdict,
            matches,
            note,
            explain: Explain {
                pinyin: (!q_pinyin.is_empty()).then_some(q_pinyin),
                key: q.key,
                core: q.core,
                region: q.region,
                weak_tokens: q.weak,
                candidates: considered,
                thresholds: Thresholds {
                    strong: STRONG,
                    weak: WEAK,
                },
                reason,
            },
        }
    }

    fn candidate(&self, e: &NameEntry, hit: Option<(Rule, MatchKind, f64)>) -> Candidate {
        Candidate {
            name: e.text.clone(),
            via: e.via.describe(),
            company: self.company_name(self.company_of(&e.target)),
            item: match &e.target {
                Target::Item { item, .. } => Some(item.clone()),
                Target::Company(_) => None,
            },
            rule: hit.map(|h| h.0),
            kind: hit.map(|h| h.1),
            score: hit.map_or(0.0, |h| (h.2 * 1000.0).round() / 1000.0),
        }
    }

    /// Splits a query into a company name and the rest, and matches the rest
    /// against that company's items.
    fn pairs(
        &self,
        q: &NameKey,
        candidates: &[usize],
    ) -> Vec<(Target, (Rule, MatchKind, f64), usize)> {
        let mut out = Vec::new();
        for &ci in candidates {
            let e = &self.names[ci];
            let Target::Company(company_id) = e.target else {
                continue;
            };
            for part in [&e.norm.key, &e.norm.core] {
                if char_len(part) < 2 || part.len() >= q.key.len() {
                    continue;
                }
                let Some(pos) = q.key.find(part.as_str()) else {
                    continue;
                };
                let rest = format!("{}{}", &q.key[..pos], &q.key[pos + part.len()..]);
                let rq = normalize::normalize(&rest);
                if rq.key.is_empty() {
                    continue;
                }
                let rp = Self::query_pinyin(&rq);
                for &ii in self
                    .item_names_of_company
                    .get(&company_id)
                    .into_iter()
                    .flatten()
                {
                    let item = &self.names[ii];
                    let Some((_, kind, score)) = self.score(&rq, &rp, item) else {
                        continue;
                    };
                    if kind == MatchKind::Related || score < STRONG {
                        continue;
                    }
                    let company_kind = match e.via {
                        Via::Listed | Via::AsPrinted => MatchKind::Exact,
                        Via::Alias(_) => MatchKind::Alias,
                    };
                    let pair_kind = kind.max(company_kind);
                    let pair_score = score.min(if part == &e.norm.key { 1.0 } else { SCORE_CORE });
                    out.push((item.target.clone(), (Rule::Pair, pair_kind, pair_score), ii));
                }
                break;
            }
        }
        out
    }

    fn verdict(&self, matches: &[FilingMatch]) -> (Verdict, String) {
        let Some(top) = matches.first() else {
            return (Verdict::NotFound, "no registry name matched".to_string());
        };
        let strong = top.kind != MatchKind::Related && top.score >= STRONG;
        if !strong {
            let why = if top.kind == MatchKind::Related {
                format!(
                    "the query contains the filed name {:?} plus other words: a related entity, not the filer",
                    top.matched_name
                )
            } else {
                format!(
                    "best match {:.2} is below the strong threshold {STRONG:.2}",
                    top.score
                )
            };
            return (Verdict::Review, why);
        }
        let company = |m: &FilingMatch| self.snap.filings[m.filing].company_id;
        let rivals: HashSet<i64> = matches
            .iter()
            .filter(|m| m.kind != MatchKind::Related && (top.score - m.score).abs() < 1e-9)
            .map(company)
            .collect();
        if rivals.len() > 1 {
            let mut names: Vec<String> = rivals.iter().map(|&c| self.company_name(c)).collect();
            names.sort();
            return (
                Verdict::Review,
                format!("ambiguous: equally strong matches for {}", names.join(", ")),
            );
        }
        (
            Verdict::Filed,
            format!(
                "{} match ({}, rule {}) {:.2} ≥ {STRONG:.2}",
                top.kind.as_str(),
                top.matched_via,
                top.rule.as_str(),
                top.score
            ),
        )
    }
}
