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

mod codec;
pub(crate) mod index;
mod pinyin_grams;
mod reason;
mod similarity;

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Serialize;

use crate::filing_no::{self, FilingNumber};
use crate::model::{text_enum, CompanyId, FilingId, Regime, RegimeFilter, Snapshot};
use crate::normalize::{self, NameKey};

pub use codec::{digest as input_digest, reseal as reseal_index, IndexError};
use index::{grams, NameView};
pub use index::{NameIndex, Via};
use pinyin_grams::PinyinGrams;
pub use reason::Reason;
use similarity::Pattern;

/// A match at or above this score can make a `filed` verdict.
pub const STRONG: f64 = 0.90;
/// A match below this score is not reported at all.
pub const WEAK: f64 = 0.75;

/// Queries longer than this are answered `not-found` without matching.
pub const MAX_QUERY_CHARS: usize = 1000;

const SCORE_CORE: f64 = 0.95;
const SCORE_PINYIN: f64 = 0.92;
/// Legal forms a company converts between without changing identity.
const CONVERTIBLE_FORMS: &[&str] = &["有限公司", "有限责任公司", "股份有限公司"];

/// The trade name read out of the query equals a company's: strong, but a
/// name that also agrees with the query's other words ranks first.
const SCORE_QUERY_TRADE: f64 = 0.93;
/// Characters that sound like a listed name: below STRONG, a review.
const SCORE_HOMOPHONE: f64 = 0.85;
/// Pinyin similarity counts for this much of character similarity.
const PINYIN_FACTOR: f64 = 0.97;
/// Pinyin strings shorter than this are not compared by similarity.
const MIN_PINYIN_LEN: usize = 4;
/// Above this many names sharing a bigram with the query, only those that
/// can score are candidates ([`Matcher::can_score`]); below, all are (the
/// check would cost more than it saves).
const FILTER_ABOVE: usize = 1024;

text_enum! {
    /// How a query matched a filing.
    pub enum MatchKind ("match kind") {
        Exact = "exact",
        Alias = "alias",
        Fuzzy = "fuzzy",
        Related = "related",
    }
}

text_enum! {
    /// The rule that produced a match (see the module documentation).
    pub enum Rule ("rule") {
        Key = "key",
        Core = "core",
        Pinyin = "pinyin",
        Pair = "pair",
        Similar = "similar",
        Contains = "contains",
        /// The query is a filing number, found as such.
        Number = "number",
        /// The query is (or holds) the trade name of a legal name.
        Trade = "trade",
    }
}

text_enum! {
    /// The verdict for one query.
    pub enum Verdict ("verdict") {
        Filed = "filed",
        Review = "review",
        NotFound = "not-found",
    }
}

/// A normalised query with its pinyin forms.
struct Query {
    norm: NameKey,
    /// Pinyin of the core (CJK), or the core itself when romanised.
    pinyin_core: String,
    /// The same for the item core.
    pinyin_item: String,
    /// The query as typed, lower case: where its words begin and end.
    text: String,
    /// The trade name the query's key holds, when it holds more
    /// (`深度求索人工智能` → `深度求索`; see `normalize::legal_name`).
    trade: Option<String>,
    /// The query taken apart as a registered company name, when it is one.
    legal: Option<normalize::legal_name::CompanyName>,
    /// Whether the core is nothing but a generic word (北京科技 → 科技).
    generic: bool,
    /// The four strings above prepared for edit similarity, when needed
    /// (core, item core, pinyin core, pinyin item).
    patterns: [OnceCell<Pattern>; 4],
}

impl Query {
    fn new(text: &str) -> Query {
        let norm = normalize::normalize(text);
        let trade = normalize::legal_name::trade_name(&norm.key)
            .filter(|t| *t != norm.key && *t != norm.core);
        Query {
            pinyin_core: romanised_or_pinyin(&norm.core),
            pinyin_item: romanised_or_pinyin(&norm.item_core),
            text: text.to_lowercase(),
            trade,
            legal: normalize::legal_name::parse(text),
            generic: normalize::is_generic(&norm.core),
            norm,
            patterns: Default::default(),
        }
    }

    /// The distinct non-empty strings of the core and item core, whose
    /// bigrams find candidates.
    fn gram_strings(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in [&self.norm.core, &self.norm.item_core] {
            if !s.is_empty() && !out.contains(&s.as_str()) {
                out.push(s);
            }
        }
        out
    }

    /// The distinct non-empty pinyin strings of the query.
    fn pinyin_strings(&self) -> impl Iterator<Item = &String> {
        let item = (self.pinyin_item != self.pinyin_core).then_some(&self.pinyin_item);
        std::iter::once(&self.pinyin_core)
            .chain(item)
            .filter(|p| !p.is_empty())
    }

    /// The prepared form of the core (`which` 0), item core (1) or their
    /// pinyin (2, 3).
    fn pattern(&self, which: usize) -> &Pattern {
        self.patterns[which].get_or_init(|| {
            Pattern::new(match which {
                0 => &self.norm.core,
                1 => &self.norm.item_core,
                2 => &self.pinyin_core,
                _ => &self.pinyin_item,
            })
        })
    }

    /// Whether a Latin-script name is one of the query's words, or stands
    /// next to non-Latin text: `Ant` in `Ant Financial` or `ant集团`, but
    /// not in `Anthropic`. Names in other scripts always stand alone.
    fn has_word(&self, name: &str) -> bool {
        if !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return true;
        }
        let words: Vec<&str> = self
            .text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        // A name may span words the normaliser joined: `ant group`.
        (0..words.len()).any(|start| {
            let mut joined = String::new();
            words[start..].iter().any(|w| {
                joined.push_str(w);
                joined == name
            })
        })
    }
}

/// The pinyin of a CJK string; the string itself when it is plain ASCII
/// letters (a romanised query); empty otherwise.
fn romanised_or_pinyin(s: &str) -> String {
    if normalize::has_cjk(s) {
        normalize::pinyin(s)
    } else if !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase()) {
        s.to_string()
    } else {
        String::new()
    }
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
    /// The filing (see [`Snapshot::filing`]).
    #[serde(skip)]
    pub filing: FilingId,
    /// Its company, and its regime, as the index has them.
    #[serde(skip)]
    pub company: CompanyId,
    #[serde(skip)]
    pub regime: Regime,
    pub kind: MatchKind,
    pub score: f64,
    pub rule: Rule,
    /// The registry name that matched, and what it is.
    pub matched_name: String,
    pub matched_via: Via,
}

/// The path to a verdict, for `--explain`.
#[derive(Clone, Debug, Serialize)]
pub struct Explain {
    pub key: String,
    pub core: String,
    pub item_core: String,
    pub region: Option<String>,
    pub weak_tokens: Vec<&'static str>,
    pub pinyin: Option<String>,
    pub candidates: Vec<Candidate>,
    pub thresholds: Thresholds,
    pub reason: Reason,
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
    /// For a number no filing has: the listed filing whose number is one or
    /// two characters off (a "did you mean"; never a match).
    pub nearest: Option<FilingId>,
    pub explain: Explain,
}

/// What a listed company name links to (see [`Matcher::company_named`]).
#[derive(Clone, Debug, PartialEq)]
pub enum CompanyLink {
    /// One company, by a strong match.
    Certain(CompanyId),
    /// Several strong candidates, or only weak ones: a person must decide.
    /// Best first, with their scores.
    Uncertain(Vec<(String, f64)>),
    /// No company's name is near it.
    None,
}

/// The matcher over a name index.
pub struct Matcher {
    index: NameIndex,
    /// Built on the first romanised query.
    pinyin_grams: OnceLock<PinyinGrams>,
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

impl Matcher {
    /// Indexes every name of the snapshot (see [`NameIndex::build`]).
    pub fn new(snap: &Snapshot) -> Matcher {
        Matcher::from_index(NameIndex::build(snap))
    }

    /// A matcher over an index built before (read from a registry file, or
    /// compiled in).
    pub fn from_index(index: NameIndex) -> Matcher {
        Matcher {
            index,
            pinyin_grams: OnceLock::new(),
        }
    }

    pub fn index(&self) -> &NameIndex {
        &self.index
    }

    /// Whether two companies are one entity under two names: members of a
    /// group labelled with one of their own names (a rename, a change of
    /// legal form, a name the lists write two ways), not a parent and its
    /// subsidiary.
    fn one_entity(&self, a: CompanyId, b: CompanyId) -> bool {
        if a == b {
            return true;
        }
        match (self.index.group_of(a), self.index.group_of(b)) {
            (Some(ga), Some(gb)) if ga == gb => [a, b]
                .iter()
                .any(|&c| self.index.company_name(c) == Some(ga)),
            _ => false,
        }
    }

    fn company_name(&self, id: CompanyId) -> String {
        self.index
            .company_name(id)
            .map_or_else(|| format!("#{id}"), str::to_string)
    }

    /// Scores one registry name against a normalised query. A group's name
    /// counts only when it matches strongly (or is contained in the query:
    /// then related, as any contained name).
    fn score(&self, q: &Query, e: &NameView<'_>) -> Option<(Rule, MatchKind, f64)> {
        let hit = self.score_name(q, e)?;
        if hit.1 != MatchKind::Related && !self.same_entity(q, e) {
            // A legal entity's own name (with its legal form, 集团 or 公司)
            // that only equals a brand, a product or another company's name
            // once its form is set aside: a parent or a look-alike, never
            // the filer (京东集团股份有限公司, 字节跳动有限公司).
            return Some((Rule::Contains, MatchKind::Related, hit.2.min(0.5)));
        }
        match e.via() {
            Via::Group if hit.2 < STRONG && hit.1 != MatchKind::Related => None,
            _ => Some(hit),
        }
    }

    /// Whether a query that names a legal entity (its form written out) can
    /// be the entity named by `e`: the same full name, or the same region,
    /// trade name and industry in a form the company may have converted to
    /// (有限公司 ↔ 股份有限公司), the region left out or the same.
    fn same_entity(&self, q: &Query, e: &NameView<'_>) -> bool {
        // 阿里健康科技（中国） is not 阿里健康科技（杭州）.
        if let (Some(a), Some(b)) = (q.norm.region.as_deref(), e.region_bytes()) {
            if a.as_bytes() != b {
                return false;
            }
        }
        if q.norm.full == q.norm.key || q.norm.full == e.full() {
            return true;
        }
        let Some(ql) = &q.legal else {
            // A name cut short after 集团 or 公司 (云从科技集团): the start of
            // the entity's registered name.
            return normalize::legal_name::parse(e.text()).is_some()
                && e.full().starts_with(q.norm.full.as_str());
        };
        let Some(el) = normalize::legal_name::parse(e.text()) else {
            return false;
        };
        ql.trade == el.trade
            && ql.industry == el.industry
            && (ql.form == el.form
                || CONVERTIBLE_FORMS.contains(&ql.form) && CONVERTIBLE_FORMS.contains(&el.form))
            && (ql.region.is_none() || el.region.is_none() || ql.region == el.region)
    }

    fn score_name(&self, q: &Query, e: &NameView<'_>) -> Option<(Rule, MatchKind, f64)> {
        let exactish = match e.via() {
            Via::Listed | Via::AsPrinted | Via::Number => MatchKind::Exact,
            Via::Alias(_) | Via::Group | Via::Product => MatchKind::Alias,
            Via::TradeName => MatchKind::Fuzzy,
        };
        let trade = e.via() == Via::TradeName;
        // (Strings are compared as bytes where that is enough: a large
        // registry gives thousands of candidates.)
        if q.norm.key.as_bytes() == e.key_bytes() {
            // A trade name is read out of a legal name, not listed: strong,
            // but not exact.
            if trade {
                return Some((Rule::Trade, MatchKind::Fuzzy, SCORE_CORE));
            }
            return Some((Rule::Key, exactish, 1.0));
        }
        if trade && q.norm.core == e.core() {
            return Some((Rule::Trade, MatchKind::Fuzzy, SCORE_CORE));
        }
        // The query's own trade name (腾讯 of 腾讯计算机系统) is this one: a
        // name that agrees with the query's industry words too ranks first.
        if trade && q.trade.as_deref() == Some(e.key()) {
            return Some((Rule::Trade, MatchKind::Fuzzy, SCORE_QUERY_TRADE));
        }
        // A query that is only a generic word (北京科技 → 科技) names
        // nothing: it matches a name that is exactly it, never by sound.
        if q.generic {
            return None;
        }
        let regions_agree = match (q.norm.region.as_deref(), e.region_bytes()) {
            (Some(a), Some(b)) => a.as_bytes() == b,
            _ => true,
        };
        if !regions_agree {
            return None;
        }
        // Items are compared on the item core: only model words set aside.
        let is_company = !self.index.is_item(e.target());
        let (qc, qp, which) = if is_company {
            (&q.norm.core, &q.pinyin_core, 0)
        } else {
            (&q.norm.item_core, &q.pinyin_item, 1)
        };
        let core = e.core();
        if *qc == core {
            return Some((Rule::Core, MatchKind::Fuzzy, SCORE_CORE));
        }
        let q_len = char_len(qc);
        let e_len = char_len(core);
        if e_len >= 2 && q_len >= 2 && !qp.is_empty() && e.pinyins().any(|p| p == qp) {
            // Written in pinyin (`zhipu`), the name is the same name; written
            // in other characters that sound alike (盘古 for 磐钴, 迅飞 for
            // 讯飞), it is another trade name until a person checks.
            let score = if normalize::has_cjk(qc) {
                SCORE_HOMOPHONE
            } else if e.via() == Via::TradeName {
                // (A listed or alias name of the same sound ranks first.)
                SCORE_PINYIN - 0.01
            } else {
                SCORE_PINYIN
            };
            return Some((Rule::Pinyin, MatchKind::Fuzzy, score));
        }
        // Containment only for company names: an item name inside a longer
        // query says little, a company name plus other words is a sibling.
        if is_company
            && q_len >= 2
            && e_len >= 2
            && q_len > e_len
            && qc.contains(core)
            && q.has_word(core)
        {
            let share = e_len as f64 / q_len as f64;
            return Some((Rule::Contains, MatchKind::Related, share));
        }
        if q_len <= 2 || e_len <= 1 {
            return None;
        }
        // Two strings whose lengths differ by more than a quarter cannot be
        // WEAK-similar (the edit distance is at least the difference), so
        // they are not compared: that keeps a 10 MB cell from costing a
        // full edit distance against every name.
        let comparable = |a: usize, b: usize| a.min(b) as f64 >= WEAK * a.max(b) as f64;
        let mut sim = 0.0f64;
        if comparable(q_len, e_len) {
            sim = q.pattern(which).similarity(core);
        }
        if !qp.is_empty() {
            let qp = q.pattern(which + 2);
            for p in e.pinyins() {
                let p_len = char_len(p);
                if p_len >= MIN_PINYIN_LEN && comparable(qp.len(), p_len) {
                    sim = sim.max(qp.similarity(p) * PINYIN_FACTOR);
                }
            }
        }
        (sim >= WEAK).then_some((Rule::Similar, MatchKind::Fuzzy, sim))
    }

    /// The largest edit distance at which a query pinyin of `m` characters
    /// is [`WEAK`]-similar to a name's pinyin of `n` characters, by the
    /// rule of [`Self::score_name`] (the same float expression); `None`
    /// when the lengths are never compared.
    fn pinyin_max_distance(m: usize, n: usize) -> Option<usize> {
        let l = m.max(n);
        if n < MIN_PINYIN_LEN || (m.min(n) as f64) < WEAK * l as f64 {
            return None;
        }
        (0..=l)
            .take_while(|&d| (1.0 - d as f64 / l as f64) * PINYIN_FACTOR >= WEAK)
            .last()
    }

    /// Candidate names for a query: equal keys, cores or pinyin, and names
    /// sharing a character bigram.
    fn candidates(&self, q: &Query) -> Vec<u32> {
        let n = &q.norm;
        let ix = &self.index;
        let mut out: Vec<u32> = Vec::new();
        out.extend(ix.with_key(&n.key));
        if let Some(trade) = &q.trade {
            out.extend(ix.with_key(trade));
        }
        for core in [&n.core, &n.item_core] {
            out.extend(ix.with_core(core));
        }
        for p in [&q.pinyin_core, &q.pinyin_item] {
            if !p.is_empty() {
                out.extend(ix.with_pinyin(p));
            }
        }
        // Names sharing a bigram with the core or the item core, once per
        // bigram of the query they hold (so a name's count of entries is
        // its weighted count of shared bigrams).
        let strings = q.gram_strings();
        let shared: Vec<Vec<u32>> = strings
            .iter()
            .map(|s| grams(s).into_iter().flat_map(|g| ix.with_gram(g)).collect())
            .collect();
        // Romanised queries: compare against pinyin keys by similarity too
        // (the names whose pinyin shares enough bigrams with the query's).
        let romanised = !normalize::has_cjk(&n.core) && n.core.len() >= 4;
        if romanised {
            for p in q.pinyin_strings() {
                out.extend(self.pinyin_grams().candidates(p, Self::pinyin_max_distance));
            }
        }
        if romanised && shared.iter().map(Vec::len).sum::<usize>() > FILTER_ABOVE {
            out.extend(self.can_score(q, &shared));
        } else {
            out.extend(shared.into_iter().flatten());
        }
        if out.len() > 4 * 1024 {
            // Many candidates (a gram most names share): a bitmap sorts and
            // deduplicates them in one pass.
            let mut seen = vec![false; ix.len()];
            for &i in &out {
                if let Some(s) = seen.get_mut(i as usize) {
                    *s = true;
                }
            }
            out.clear();
            out.extend((0..ix.len() as u32).filter(|&i| seen[i as usize]));
        } else {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    fn pinyin_grams(&self) -> &PinyinGrams {
        self.pinyin_grams
            .get_or_init(|| PinyinGrams::build(&self.index))
    }

    /// Of the names sharing bigrams with a romanised query (`shared`, one
    /// list per string of [`Query::gram_strings`]), those that
    /// [`Self::score_name`] could score at all, by the rules it has for a
    /// name that is not equal to the query in any form (those, and the
    /// names close in pinyin, are candidates anyway):
    /// - edit similarity of the cores: needs `max − 1 − 2d` shared bigrams;
    /// - the company's core inside the query's, or its name inside the
    ///   query's full name (a company named with one of its items).
    ///
    /// So `Kuaishou Technology`, which shares a common bigram (`ch`, `no`)
    /// with thousands of names, scores a few of them, and the answer is the
    /// same. (A Chinese query's neighbours in pinyin are found only among
    /// these names, so for it they all stay candidates.)
    fn can_score(&self, q: &Query, shared: &[Vec<u32>]) -> Vec<u32> {
        let ix = &self.index;
        let n = &q.norm;
        // Weighted counts per name and query string.
        let mut counts: HashMap<u32, [u32; 2]> = HashMap::with_capacity(4096);
        for (which, hits) in shared.iter().enumerate() {
            for &id in hits {
                counts.entry(id).or_default()[which] += 1;
            }
        }
        let strings = q.gram_strings();
        let comparable = |a: usize, b: usize| a.min(b) as f64 >= WEAK * a.max(b) as f64;
        // (In any order: the candidates are sorted afterwards.)
        let mut out = Vec::new();
        for (&id, w) in &counts {
            let e = ix.name(id);
            let is_company = !ix.is_item(e.target());
            let qc = if is_company { &n.core } else { &n.item_core };
            let core = e.core();
            let (q_len, e_len) = (char_len(qc), char_len(core));
            let by_similarity = q_len > 2
                && e_len > 1
                && comparable(q_len, e_len)
                && strings
                    .iter()
                    .position(|s| s == qc)
                    .is_some_and(|i| w[i] as usize >= Self::core_bigrams_needed(q_len, e_len));
            let inside = is_company
                && (e_len >= 2 && n.core.contains(core)
                    || [e.full(), e.key(), core].into_iter().any(|part| {
                        char_len(part) >= 2 && part.len() < n.full.len() && n.full.contains(part)
                    }));
            if by_similarity || inside {
                out.push(id);
            }
        }
        out
    }

    /// The fewest bigrams (counted with multiplicity) a name's core of
    /// `e_len` characters shares with a query core of `q_len` when they are
    /// [`WEAK`]-similar, by the rule of [`Self::score_name`] (the same
    /// float expression); 0 when that says nothing.
    fn core_bigrams_needed(q_len: usize, e_len: usize) -> usize {
        let l = q_len.max(e_len);
        let d = (0..=l)
            .take_while(|&d| 1.0 - d as f64 / l as f64 >= WEAK)
            .last()
            .unwrap_or(0);
        (l + 1).saturating_sub(2 + 2 * d)
    }

    /// Answers one query, with the explanation (every candidate considered).
    pub fn lookup(&self, query: &str, filter: RegimeFilter) -> Outcome {
        self.lookup_with(query, filter, true)
    }

    /// Answers one query without listing the candidates in the explanation:
    /// the same verdict and matches, for batch use where nobody reads them.
    pub fn lookup_brief(&self, query: &str, filter: RegimeFilter) -> Outcome {
        self.lookup_with(query, filter, false)
    }

    /// The company a listed company name names, as an import links a list's
    /// 备案单位 to the registry's companies: only company names count (its
    /// listed, legal, English, former names, brands — not a group, not an
    /// item), with the same rules and thresholds as a lookup.
    pub fn company_named(&self, name: &str) -> CompanyLink {
        let q = Query::new(name);
        if q.norm.key.is_empty() {
            return CompanyLink::None;
        }
        let mut best: BTreeMap<CompanyId, f64> = BTreeMap::new();
        // Companies whose name equals this one only once its legal form is
        // set aside (上海稀宇科技有限公司 and the brand 稀宇科技): maybe the
        // same, maybe a parent or a look-alike; never linked without a check.
        let mut doubtful = false;
        for idx in self.candidates(&q) {
            let e = self.index.name(idx);
            if self.index.is_item(e.target()) {
                continue;
            }
            let Some((_, kind, mut score)) = self.score_name(&q, &e) else {
                continue;
            };
            if kind == MatchKind::Related {
                continue;
            }
            // A company's own name or brand that is this legal name with its
            // form (有限公司…) set aside names the company; a group's name,
            // a product, or a name with 集团 set aside may be a parent.
            let own_name = matches!(
                e.via(),
                Via::Listed | Via::AsPrinted | Via::Alias(_) | Via::TradeName
            ) && q
                .legal
                .as_ref()
                .is_some_and(|l| CONVERTIBLE_FORMS.contains(&l.form));
            if !own_name && !self.same_entity(&q, &e) {
                doubtful |= score >= STRONG;
                score = score.min(STRONG - 0.01);
            }
            let company = self.index.target(e.target()).company;
            let slot = best.entry(company).or_insert(0.0);
            *slot = slot.max(score);
        }
        let strong: Vec<CompanyId> = best
            .iter()
            .filter(|(_, &s)| s >= STRONG)
            .map(|(&c, _)| c)
            .collect();
        match strong[..] {
            [one] => CompanyLink::Certain(one),
            [] if best.is_empty() || !doubtful && best.values().all(|&s| s < WEAK) => {
                CompanyLink::None
            }
            _ => {
                let mut all: Vec<(CompanyId, f64)> = best.into_iter().collect();
                all.sort_by(|a, b| b.1.total_cmp(&a.1));
                CompanyLink::Uncertain(
                    all.into_iter()
                        .map(|(c, score)| (self.company_name(c), score))
                        .collect(),
                )
            }
        }
    }

    /// The filings with this number, and their companies.
    pub fn filings_with_number(&self, n: &FilingNumber) -> Vec<(FilingId, CompanyId)> {
        self.index
            .with_number(&n.key())
            .map(|i| {
                let (id, company, _, _) = self.index.filing_at(i as usize);
                (id, company)
            })
            .collect()
    }

    /// A match of the filing at index position `pos`.
    fn filing_match(
        &self,
        pos: usize,
        kind: MatchKind,
        score: f64,
        rule: Rule,
        matched_name: String,
        matched_via: Via,
    ) -> FilingMatch {
        let (filing, company, regime, _) = self.index.filing_at(pos);
        FilingMatch {
            filing,
            company,
            regime,
            kind,
            score,
            rule,
            matched_name,
            matched_via,
        }
    }

    /// Whether the registry holds filing numbers of `regime` at all (if not,
    /// an unknown number proves nothing).
    pub fn holds_numbers(&self, regime: Regime) -> bool {
        self.index.holds_numbers(regime)
    }

    /// An outcome with no match, to be filled in.
    fn no_match(query: &str) -> Outcome {
        Outcome {
            query: query.to_string(),
            verdict: Verdict::NotFound,
            matches: Vec::new(),
            note: None,
            nearest: None,
            explain: Explain {
                key: query.trim().to_string(),
                core: String::new(),
                item_core: String::new(),
                region: None,
                weak_tokens: Vec::new(),
                pinyin: None,
                candidates: Vec::new(),
                thresholds: Thresholds {
                    strong: STRONG,
                    weak: WEAK,
                },
                reason: Reason::Pending,
            },
        }
    }

    /// A query that is a filing number: the filings with that number.
    fn lookup_number(&self, query: &str, filter: RegimeFilter) -> Outcome {
        let mut outcome = Self::no_match(query);
        let n = match filing_no::parse(query) {
            Ok(n) => n,
            Err(e) => {
                outcome.explain.reason = Reason::MalformedNumber {
                    error: e.to_string(),
                };
                outcome.note = Some(outcome.explain.reason.to_string());
                return outcome;
            }
        };
        outcome.explain.key = n.canonical();
        let regime = n.regime();
        outcome.matches = self
            .index
            .with_number(&n.key())
            .map(|i| i as usize)
            .filter(|&i| filter.admits(self.index.filing_at(i).2))
            .map(|i| {
                self.filing_match(
                    i,
                    MatchKind::Exact,
                    1.0,
                    Rule::Number,
                    n.canonical(),
                    Via::Number,
                )
            })
            .collect();
        if outcome.matches.is_empty() {
            outcome.nearest = self
                .index
                .nearest_number(&n.key())
                .map(|pos| self.index.filing_at(pos as usize).0);
            outcome.explain.reason = if self.holds_numbers(regime) {
                Reason::UnknownNumber {
                    regime,
                    number: n.canonical(),
                }
            } else {
                Reason::NumbersNotHeld { regime }
            };
            outcome.note = Some(outcome.explain.reason.to_string());
        } else if self.none_listed(&outcome.matches) {
            outcome.verdict = Verdict::Review;
            outcome.explain.reason = Reason::Withdrawn;
            outcome.note = Some(outcome.explain.reason.to_string());
        } else {
            outcome.verdict = Verdict::Filed;
            outcome.explain.reason = Reason::Number {
                number: n.canonical(),
            };
        }
        outcome
    }

    fn lookup_with(&self, query: &str, filter: RegimeFilter, explain: bool) -> Outcome {
        let outcome = self.lookup_once(query, filter, explain);
        if outcome.verdict == Verdict::Filed || query.chars().nth(MAX_QUERY_CHARS).is_some() {
            return outcome;
        }
        // 第4范式 is 第四范式, 三六零 is 360: the other way of writing the
        // numbers, when it finds a filer and the query as typed did not.
        if let Some(variant) = normalize::numeral_variant(query) {
            let mut other = self.lookup_once(&variant, filter, explain);
            if other.verdict == Verdict::Filed {
                other.query = query.to_string();
                other.note = Some(format!(
                    "read as {variant:?} (numerals written the other way)"
                ));
                return other;
            }
        }
        outcome
    }

    fn lookup_once(&self, query: &str, filter: RegimeFilter, explain: bool) -> Outcome {
        if query.chars().nth(MAX_QUERY_CHARS).is_some() {
            // No name is this long; matching it would only cost time.
            let mut o = Self::no_match(query);
            o.explain.key = String::new();
            o.explain.reason = Reason::TooLong {
                limit: MAX_QUERY_CHARS,
            };
            o.note = Some(o.explain.reason.to_string());
            return o;
        }
        if filing_no::looks_like_number(query) {
            return self.lookup_number(query, filter);
        }
        let q = Query::new(query);

        // Best (rule, kind, score, entry) per target (ordered, so that ties
        // resolve the same way every time).
        let mut best: BTreeMap<u32, (Rule, MatchKind, f64, u32)> = BTreeMap::new();
        let mut considered: Vec<Candidate> = Vec::new();
        // Targets a name of which is the query's full legal name, legal form
        // and all (百度集团股份有限公司 is that company, not the group 百度
        // its key equals).
        let has_form = q.norm.full != q.norm.key;
        let mut precise: HashSet<u32> = HashSet::new();
        let mut keep = |target: u32, hit: (Rule, MatchKind, f64), entry: u32| {
            let slot = best.entry(target).or_insert((hit.0, hit.1, hit.2, entry));
            if (hit.2, std::cmp::Reverse(hit.1)) > (slot.2, std::cmp::Reverse(slot.1)) {
                *slot = (hit.0, hit.1, hit.2, entry);
            }
        };

        if !q.norm.key.is_empty() {
            let candidates = self.candidates(&q);
            for &idx in &candidates {
                let e = self.index.name(idx);
                let hit = self.score(&q, &e);
                if explain {
                    considered.push(self.candidate(&e, hit));
                }
                if let Some(hit) = hit {
                    let same_region = q
                        .norm
                        .region
                        .as_deref()
                        .is_some_and(|r| e.region_bytes() == Some(r.as_bytes()));
                    if hit.2 >= 1.0 && (has_form && e.full() == q.norm.full || same_region) {
                        precise.insert(e.target());
                    }
                    keep(e.target(), hit, idx);
                }
            }
            // A company named together with one of its items.
            for (target, hit, idx) in self.pairs(&q, &candidates) {
                if explain {
                    considered.push(self.candidate(&self.index.name(idx), Some(hit)));
                }
                keep(target, hit, idx);
            }
        }

        if !precise.is_empty() {
            best.retain(|target, _| precise.contains(target));
        }

        // A name that is the company's own (listed, printed, alias, group)
        // settles against 应用产品 cells of other companies: an app that runs
        // inside a platform (快手（小程序）) names the platform, not its filer.
        let named: HashSet<CompanyId> = best
            .iter()
            .filter(|(_, h)| {
                h.2 >= 1.0
                    && h.1 != MatchKind::Related
                    && self.index.name(h.3).via() != Via::Product
            })
            .map(|(&t, _)| self.index.target(t).company)
            .collect();
        if !named.is_empty() {
            best.retain(|&target, h| {
                self.index.name(h.3).via() != Via::Product
                    || named.contains(&self.index.target(target).company)
            });
        }

        // An exact name (score 1) settles the question: merely close matches
        // go, except the same model of the same company filed under another
        // regime (a listed item with the same item core: 云雀大模型 and
        // 云雀大模型算法).
        let exact_companies: HashSet<CompanyId> = best
            .iter()
            .filter(|(_, h)| h.2 >= 1.0 && h.1 != MatchKind::Related)
            .map(|(&t, _)| self.index.target(t).company)
            .collect();
        if !exact_companies.is_empty() {
            best.retain(|&target, h| {
                let company = self.index.target(target).company;
                let same_model = h.0 == Rule::Core
                    && self.index.name(h.3).via() == Via::Listed
                    && self.index.is_item(target)
                    && exact_companies.contains(&company);
                // The same entity under its other name (百川智能科技有限公司,
                // formerly 北京百川智能科技有限公司): its filings too.
                let same_entity = !self.index.is_item(target)
                    && h.2 >= STRONG
                    && exact_companies.iter().any(|&c| self.one_entity(c, company));
                h.1 != MatchKind::Related && (h.2 >= 1.0 || same_model || same_entity)
            });
        }

        // Expand targets to filings; keep the best match per filing.
        let mut per_filing: BTreeMap<usize, FilingMatch> = BTreeMap::new();
        let mut elsewhere = 0usize;
        for (&target, &(rule, kind, score, idx)) in &best {
            let e = self.index.name(idx);
            let company = (!self.index.is_item(target)).then(|| self.index.target(target).company);
            for fi in self.index.target_filings(target) {
                let fi = fi as usize;
                let (_, filer, regime, _) = self.index.filing_at(fi);
                if !filter.admits(regime) {
                    elsewhere += 1;
                    continue;
                }
                // A company without a filing of its own points at its
                // group's: theirs, not its own.
                let kind = if company.is_some_and(|c| c != filer) {
                    MatchKind::Related
                } else {
                    kind
                };
                let m = self.filing_match(fi, kind, score, rule, e.text().to_string(), e.via());
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
                .then(a.regime.cmp(&b.regime))
                .then(a.filing.cmp(&b.filing))
        });

        let (verdict, reason) = self.verdict(&matches);
        let note = if reason == Reason::Withdrawn {
            Some(reason.to_string())
        } else {
            (matches.is_empty() && elsewhere > 0).then(|| {
                format!(
                    "{elsewhere} filing(s) match under another regime; use --regime any to see them"
                )
            })
        };
        considered.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
        considered.dedup_by(|a, b| a.name == b.name && a.company == b.company && a.item == b.item);
        Outcome {
            query: query.to_string(),
            verdict,
            matches,
            note,
            nearest: None,
            explain: Explain {
                pinyin: (!q.pinyin_core.is_empty()).then_some(q.pinyin_core),
                key: q.norm.key,
                core: q.norm.core,
                item_core: q.norm.item_core,
                region: q.norm.region,
                weak_tokens: q.norm.weak,
                candidates: considered,
                thresholds: Thresholds {
                    strong: STRONG,
                    weak: WEAK,
                },
                reason,
            },
        }
    }

    fn candidate(&self, e: &NameView<'_>, hit: Option<(Rule, MatchKind, f64)>) -> Candidate {
        Candidate {
            name: e.text().to_string(),
            via: e.via().describe(),
            company: self.company_name(self.index.target(e.target()).company),
            item: self.index.target_item(e.target()).map(str::to_string),
            rule: hit.map(|h| h.0),
            kind: hit.map(|h| h.1),
            score: hit.map_or(0.0, |h| (h.2 * 1000.0).round() / 1000.0),
        }
    }

    /// Splits a query into a company name and the rest, and matches the rest
    /// against that company's items.
    fn pairs(&self, q: &Query, candidates: &[u32]) -> Vec<(u32, (Rule, MatchKind, f64), u32)> {
        let mut out = Vec::new();
        let full = &q.norm.full;
        for &ci in candidates {
            let e = self.index.name(ci);
            if self.index.is_item(e.target()) {
                continue;
            }
            let company_id = self.index.target(e.target()).company;
            let company_kind = match e.via() {
                Via::Listed | Via::AsPrinted => MatchKind::Exact,
                Via::Alias(_) | Via::Group => MatchKind::Alias,
                Via::TradeName => MatchKind::Fuzzy,
                Via::Number | Via::Product => continue,
            };
            // Longest form first: 蚂蚁集团 before 蚂蚁.
            for (part, part_score) in [(e.full(), 1.0), (e.key(), 1.0), (e.core(), SCORE_CORE)] {
                if char_len(part) < 2 || part.len() >= full.len() {
                    continue;
                }
                let Some(pos) = full.find(part) else {
                    continue;
                };
                let rest = Query::new(&format!("{}{}", &full[..pos], &full[pos + part.len()..]));
                if rest.norm.key.is_empty() {
                    continue;
                }
                for ii in self.index.items_of_company(company_id) {
                    let item = self.index.name(ii);
                    let Some((_, kind, score)) = self.score(&rest, &item) else {
                        continue;
                    };
                    if kind == MatchKind::Related || score < STRONG {
                        continue;
                    }
                    out.push((
                        item.target(),
                        (Rule::Pair, kind.max(company_kind), score.min(part_score)),
                        ii,
                    ));
                }
                break;
            }
        }
        out
    }

    /// Whether every strong match is a filing a newer complete list no
    /// longer holds.
    fn none_listed(&self, matches: &[FilingMatch]) -> bool {
        let mut strong = matches
            .iter()
            .filter(|m| m.kind != MatchKind::Related && m.score >= STRONG)
            .peekable();
        strong.peek().is_some()
            && strong.all(|m| self.index.filing_by_id(m.filing).is_some_and(|f| !f.2))
    }

    fn verdict(&self, matches: &[FilingMatch]) -> (Verdict, Reason) {
        let Some(top) = matches.first() else {
            return (Verdict::NotFound, Reason::NoMatch);
        };
        let strong = top.kind != MatchKind::Related && top.score >= STRONG;
        if !strong {
            let name = top.matched_name.clone();
            let why = if top.kind == MatchKind::Related && top.rule != Rule::Contains {
                Reason::NoOwnFiling { name }
            } else if top.kind == MatchKind::Related {
                Reason::Related { name }
            } else {
                Reason::Weak { score: top.score }
            };
            return (Verdict::Review, why);
        }
        let company = |m: &FilingMatch| m.company;
        let rivals: HashSet<CompanyId> = matches
            .iter()
            .filter(|m| m.kind != MatchKind::Related && (top.score - m.score).abs() < 1e-9)
            .map(company)
            .collect();
        if rivals.len() > 1 {
            let mut companies: Vec<String> = rivals.iter().map(|&c| self.company_name(c)).collect();
            companies.sort();
            // Companies of one group are not rivals: the query names the
            // group (小米) or a name its members share, and the group filed.
            let groups: HashSet<Option<&str>> =
                rivals.iter().map(|&c| self.index.group_of(c)).collect();
            let one_group = match groups.into_iter().collect::<Vec<_>>()[..] {
                [Some(g)] => Some(g.to_string()),
                _ => None,
            };
            let Some(group) = one_group else {
                return (Verdict::Review, Reason::Ambiguous { companies });
            };
            if self.none_listed(matches) {
                return (Verdict::Review, Reason::Withdrawn);
            }
            return (Verdict::Filed, Reason::Group { group, companies });
        }
        if self.none_listed(matches) {
            return (Verdict::Review, Reason::Withdrawn);
        }
        (
            Verdict::Filed,
            Reason::Filed {
                kind: top.kind,
                via: top.matched_via.describe(),
                rule: top.rule,
                score: top.score,
            },
        )
    }
}
