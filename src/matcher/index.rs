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
//! The builder lays the index out as bytes (see [`super::codec`]): one
//! string arena; names, targets (a company, or one item of a company) and
//! filings as fixed-size records; lookup tables sorted by key. The matcher
//! reads those bytes in place — binary search in the tables, a record read
//! when it is needed — so reading an index back is a read and a checksum,
//! not a rebuild, and no name costs an allocation.

/// The version of the index builder's rules (which names a target gets and
/// how groups form). Part of the embedded index's digest: a binary whose
/// builder changed ignores a `name-index.bin` written by the old one. Bump it
/// with every change to [`Builder`]'s rules.
pub const BUILDER_VERSION: &str = "builder-6";

use std::collections::{HashMap, HashSet};

use crate::filing_no;
use crate::model::{AliasEntity, AliasKind, CompanyId, FilingId, Regime, Snapshot};
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
    /// The group the company belongs to, or an alias of the group: a
    /// query naming the group answers with its members' filings.
    Group,
    /// A filing number, looked up as such.
    Number,
    /// The trade name (字号) of the company's legal name
    /// (`normalize::legal_name`): 深度求索 of 北京深度求索人工智能基础技术研究有限公司.
    TradeName,
    /// An app, site or mini-program a deep-synthesis filing lists as using
    /// the algorithm (应用产品): 可灵AI of 快手可灵大模型生成合成算法.
    Product,
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

impl serde::Serialize for Via {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.describe())
    }
}

impl Via {
    pub fn describe(self) -> &'static str {
        match self {
            Via::Listed => "listed name",
            Via::AsPrinted => "name as printed",
            Via::Alias(k) => k.as_str(),
            Via::Group => "group",
            Via::Number => "filing number",
            Via::TradeName => "trade name",
            Via::Product => "product (应用产品)",
        }
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            Via::Listed => 0,
            Via::AsPrinted => 1,
            Via::Group => 2,
            Via::Number => 3,
            Via::TradeName => 4,
            Via::Product => 5,
            Via::Alias(k) => 16 + AliasKind::ALL.iter().position(|&a| a == k).unwrap_or(0) as u8,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Via> {
        match code {
            0 => Some(Via::Listed),
            1 => Some(Via::AsPrinted),
            2 => Some(Via::Group),
            3 => Some(Via::Number),
            4 => Some(Via::TradeName),
            5 => Some(Via::Product),
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
    pub company: CompanyId,
    /// The item (bytes of the arena), or [`Span::NONE`] for a company.
    pub item: Span,
    /// Its filings (a range of `filing_list`).
    pub filings: Span,
}

/// What the matcher needs to know of a filing: its id, its company, its
/// regime, and whether it still stands (is listed).
pub(crate) type FilingKeys = (FilingId, CompanyId, Regime, bool);

/// A sorted lookup table from strings to a range of a posting list.
pub(crate) type Table = Vec<(Span, Span)>;

/// The index as the builder lays it out, before it becomes bytes
/// ([`super::codec::encode`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tables {
    pub text: String,
    pub names: Vec<NameRec>,
    pub targets: Vec<TargetRec>,
    pub filings: Vec<FilingKeys>,
    /// Pinyin strings of the names.
    pub pinyins: Vec<Span>,
    /// Name ids, ranges of which the tables below point at.
    pub name_list: Vec<u32>,
    /// Filing positions, ranges of which targets and `by_number` point at.
    pub filing_list: Vec<u32>,
    pub by_key: Table,
    pub by_core: Table,
    pub by_pinyin: Table,
    /// Filing-number keys ([`filing_no::FilingNumber::key`]) to filings.
    pub by_number: Table,
    /// Character bigrams of the cores (a one-character core as `(c, 0)`),
    /// sorted.
    pub by_gram: Vec<((u32, u32), Span)>,
    /// The item names of each company, sorted by company.
    pub items_of_company: Vec<(CompanyId, Span)>,
    /// Company display names, sorted by id.
    pub companies: Vec<(CompanyId, Span)>,
    /// Regimes of which the registry holds filing numbers at all.
    pub numbered: Vec<Regime>,
    /// The group of each company that has one, sorted by company.
    pub groups: Vec<(CompanyId, Span)>,
}

/// Record sizes in bytes, as [`super::codec`] writes them.
pub(crate) mod size {
    pub const NAME: usize = 4 + 1 + 6 * 8;
    pub const TARGET: usize = 8 + 8 + 8;
    pub const FILING: usize = 8 + 8 + 1 + 1;
    pub const SPAN: usize = 8;
    pub const ID: usize = 4;
    pub const TABLE: usize = 16;
    pub const GRAM: usize = 16;
    pub const KEYED: usize = 16;
    pub const REGIME: usize = 1;
}

/// Where one array lies in the bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Section {
    pub offset: usize,
    pub count: usize,
}

/// The arrays of [`Tables`], in the order the bytes hold them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    pub text: Section,
    pub names: Section,
    pub targets: Section,
    pub filings: Section,
    pub pinyins: Section,
    pub name_list: Section,
    pub filing_list: Section,
    pub by_key: Section,
    pub by_core: Section,
    pub by_pinyin: Section,
    pub by_number: Section,
    pub by_gram: Section,
    pub items_of_company: Section,
    pub companies: Section,
    pub numbered: Section,
    pub groups: Section,
}

/// The index: its bytes, read in place.
///
/// Nothing is decoded up front: every accessor reads the record it needs.
/// An index read whole is checked reference by reference when it is read
/// ([`NameIndex::validate`]); one read for a single lookup is checked as it
/// is read: a reference that points outside its array (damage the checksum
/// missed) reads as empty and marks the index [`NameIndex::damaged`], which
/// the registry reports as damage before any answer is given.
#[derive(Debug)]
pub struct NameIndex {
    /// The index as written: owned when read from a file, borrowed from
    /// the binary for the compiled-in index (never copied).
    pub(crate) bytes: std::borrow::Cow<'static, [u8]>,
    pub(crate) layout: Layout,
    /// The string arena, checked as UTF-8 once (so that a name's text is a
    /// slice, never decoded again); `None` when the index is read for one
    /// lookup, and strings are checked as they are read.
    pub(crate) text: Option<String>,
    /// Set when a read met a reference that points outside its array.
    damaged: std::sync::atomic::AtomicBool,
}

impl Clone for NameIndex {
    fn clone(&self) -> Self {
        NameIndex {
            bytes: self.bytes.clone(),
            layout: self.layout,
            text: self.text.clone(),
            damaged: std::sync::atomic::AtomicBool::new(self.damaged()),
        }
    }
}

impl PartialEq for NameIndex {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

/// A name of the index, read when asked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameView<'a> {
    index: &'a NameIndex,
    rec: &'a [u8],
}

impl<'a> NameView<'a> {
    fn span(&self, field: usize) -> Span {
        span_at(self.rec, 5 + field * 8)
    }

    pub fn target(&self) -> u32 {
        u32_at(self.rec, 0)
    }

    pub fn via(&self) -> Via {
        match self.rec.get(4).and_then(|&c| Via::from_code(c)) {
            Some(via) => via,
            None => {
                self.index.flag();
                Via::Listed
            }
        }
    }

    /// The name as the registry has it.
    pub fn text(&self) -> &'a str {
        self.index.str(self.span(0))
    }

    pub fn key(&self) -> &'a str {
        self.index.str(self.span(1))
    }

    #[inline]
    pub fn key_bytes(&self) -> &'a [u8] {
        self.index.text_bytes(self.span(1))
    }

    /// What the name is compared on: the item core for item names, the
    /// core for company names.
    pub fn core(&self) -> &'a str {
        self.index.str(self.span(2))
    }

    pub fn full(&self) -> &'a str {
        self.index.str(self.span(3))
    }

    #[inline]
    pub fn region_bytes(&self) -> Option<&'a [u8]> {
        let s = self.span(4);
        (!s.is_none()).then(|| self.index.text_bytes(s))
    }

    pub fn pinyins(&self) -> impl Iterator<Item = &'a str> + 'a {
        let index = self.index;
        let section = index.layout.pinyins;
        (index.clamp(self.span(5), section.count))
            .map(move |i| index.str(index.span_at(section, i)))
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

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        w.copy_from_slice(s);
    }
    u32::from_le_bytes(w)
}

fn i64_at(b: &[u8], at: usize) -> i64 {
    let mut w = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        w.copy_from_slice(s);
    }
    i64::from_le_bytes(w)
}

fn span_at(b: &[u8], at: usize) -> Span {
    Span {
        start: u32_at(b, at),
        len: u32_at(b, at + 4),
    }
}

impl NameIndex {
    /// An index over `bytes` laid out as `layout`, with the arena checked as
    /// text (`Some`) or to be checked as it is read.
    pub(crate) fn new(
        bytes: std::borrow::Cow<'static, [u8]>,
        layout: Layout,
        text: Option<String>,
    ) -> NameIndex {
        NameIndex {
            bytes,
            layout,
            text,
            damaged: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether a read met a reference outside its array: the index is
    /// damaged, and what was read from it cannot be trusted.
    pub fn damaged(&self) -> bool {
        self.damaged.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[cold]
    #[inline(never)]
    fn flag(&self) {
        self.damaged
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The indexes a span covers within an array of `count` records (a
    /// damaged span covers no more than the array, and is flagged).
    #[inline]
    fn clamp(&self, span: Span, count: usize) -> std::ops::Range<u32> {
        let end = span.start.saturating_add(span.len).min(count as u32);
        let range = span.start.min(end)..end;
        if range.len() != span.len as usize {
            self.flag();
        }
        range
    }

    /// Record `i` of a section (empty, and flagged, when out of range).
    #[inline]
    fn record(&self, s: Section, size: usize, i: usize) -> &[u8] {
        let at = if i < s.count {
            s.offset + i * size
        } else {
            usize::MAX
        };
        match self.bytes.get(at..at.saturating_add(size)) {
            Some(r) => r,
            None => {
                self.flag();
                &[]
            }
        }
    }

    fn span_at(&self, s: Section, i: u32) -> Span {
        span_at(self.record(s, size::SPAN, i as usize), 0)
    }

    fn ids(&self, s: Section, span: Span) -> impl Iterator<Item = u32> + '_ {
        self.clamp(span, s.count)
            .map(move |i| u32_at(self.record(s, size::ID, i as usize), 0))
    }

    /// The bytes of a span of the string arena (none, and flagged, when
    /// out of range).
    #[inline]
    fn text_bytes(&self, s: Span) -> &[u8] {
        if s.is_none() {
            return &[];
        }
        if self.text.is_some() {
            return self.str(s).as_bytes();
        }
        let r = s.range();
        let arena = self.layout.text;
        match self
            .bytes
            .get(arena.offset + r.start..arena.offset + r.end)
            .filter(|_| r.end <= arena.count)
        {
            Some(b) => b,
            None => {
                self.flag();
                &[]
            }
        }
    }

    /// The text of a span of the arena ("" for an absent string; "", and
    /// flagged, for a damaged one).
    #[inline]
    pub(crate) fn str(&self, s: Span) -> &str {
        if s.is_none() {
            return "";
        }
        let text = match &self.text {
            Some(text) => text.get(s.range()),
            None => std::str::from_utf8(self.text_bytes(s)).ok(),
        };
        text.unwrap_or_else(|| {
            self.flag();
            ""
        })
    }

    /// The number of names.
    pub fn len(&self) -> usize {
        self.layout.names.count
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn name(&self, id: u32) -> NameView<'_> {
        NameView {
            index: self,
            rec: self.record(self.layout.names, size::NAME, id as usize),
        }
    }

    #[inline]
    pub(crate) fn target(&self, id: u32) -> TargetRec {
        let r = self.record(self.layout.targets, size::TARGET, id as usize);
        if r.is_empty() {
            return TargetRec {
                company: CompanyId(0),
                item: Span::NONE,
                filings: Span::default(),
            };
        }
        TargetRec {
            company: CompanyId(i64_at(r, 0)),
            item: span_at(r, 8),
            filings: span_at(r, 16),
        }
    }

    /// Whether a target is an item (not a company).
    pub(crate) fn is_item(&self, id: u32) -> bool {
        !self.target(id).item.is_none()
    }

    /// The item a target stands for, if it is an item.
    pub(crate) fn target_item(&self, id: u32) -> Option<&str> {
        let t = self.target(id);
        (!t.item.is_none()).then(|| self.str(t.item))
    }

    pub(crate) fn target_filings(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        self.ids(self.layout.filing_list, self.target(id).filings)
    }

    /// The filing at position `pos` (of the snapshot the index was built
    /// from, which is in the order of the filings' ids).
    pub fn filing_at(&self, pos: usize) -> FilingKeys {
        let r = self.record(self.layout.filings, size::FILING, pos);
        (
            FilingId(i64_at(r, 0)),
            CompanyId(i64_at(r, 8)),
            r.get(16)
                .and_then(|&c| Regime::ALL.get(usize::from(c)))
                .copied()
                .unwrap_or_else(|| {
                    self.flag();
                    Regime::Genai
                }),
            r.get(17).is_some_and(|&b| b != 0),
        )
    }

    /// The number of filings, in the order of the snapshot it was built from.
    pub fn filing_count(&self) -> usize {
        self.layout.filings.count
    }

    /// The filing with id `id`: its company, regime and whether it stands.
    pub fn filing_by_id(&self, id: FilingId) -> Option<(CompanyId, Regime, bool)> {
        let (mut lo, mut hi) = (0usize, self.filing_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (at, company, regime, listed) = self.filing_at(mid);
            match at.cmp(&id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some((company, regime, listed)),
            }
        }
        None
    }

    /// Every company the index names, in the order of their ids.
    pub fn companies(&self) -> impl Iterator<Item = CompanyId> + '_ {
        (0..self.layout.companies.count).map(move |i| {
            CompanyId(i64_at(
                self.record(self.layout.companies, size::KEYED, i),
                0,
            ))
        })
    }

    /// Binary search of a section of 16-byte records whose first field is
    /// found by `key_of`, for `want`: the record's second span.
    fn search<K: Ord>(&self, s: Section, key_of: impl Fn(&[u8]) -> K, want: K) -> Option<Span> {
        let (mut lo, mut hi) = (0usize, s.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let r = self.record(s, size::TABLE, mid);
            match key_of(r).cmp(&want) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(span_at(r, 8)),
            }
        }
        None
    }

    fn lookup(&self, table: Section, key: &str) -> impl Iterator<Item = u32> + '_ {
        let hit = self.search(table, |r| self.text_bytes(span_at(r, 0)), key.as_bytes());
        self.ids(self.layout.name_list, hit.unwrap_or_default())
    }

    pub(crate) fn with_key(&self, key: &str) -> impl Iterator<Item = u32> + '_ {
        self.lookup(self.layout.by_key, key)
    }

    pub(crate) fn with_core(&self, core: &str) -> impl Iterator<Item = u32> + '_ {
        self.lookup(self.layout.by_core, core)
    }

    pub(crate) fn with_pinyin(&self, pinyin: &str) -> impl Iterator<Item = u32> + '_ {
        self.lookup(self.layout.by_pinyin, pinyin)
    }

    pub(crate) fn with_gram(&self, g: (char, char)) -> impl Iterator<Item = u32> + '_ {
        let hit = self.search(
            self.layout.by_gram,
            |r| (u32_at(r, 0), u32_at(r, 4)),
            gram_key(g),
        );
        self.ids(self.layout.name_list, hit.unwrap_or_default())
    }

    pub(crate) fn items_of_company(&self, company: CompanyId) -> impl Iterator<Item = u32> + '_ {
        let hit = self.search(self.layout.items_of_company, |r| i64_at(r, 0), company.0);
        self.ids(self.layout.name_list, hit.unwrap_or_default())
    }

    /// Filing positions with this number key.
    pub(crate) fn with_number(&self, key: &str) -> impl Iterator<Item = u32> + '_ {
        let hit = self.search(
            self.layout.by_number,
            |r| self.text_bytes(span_at(r, 0)),
            key.as_bytes(),
        );
        self.ids(self.layout.filing_list, hit.unwrap_or_default())
    }

    /// The listed filing whose number is nearest to `key` (a
    /// [`filing_no::FilingNumber::key`]): of the same length, one or two
    /// characters off — a typo, not another filing. The first at the least
    /// distance.
    pub(crate) fn nearest_number(&self, key: &str) -> Option<u32> {
        let want = key.as_bytes();
        let mut best: Option<(usize, Span)> = None;
        for i in 0..self.layout.by_number.count {
            let r = self.record(self.layout.by_number, size::TABLE, i);
            let k = self.text_bytes(span_at(r, 0));
            if k.len() != want.len() {
                continue;
            }
            let off = k.iter().zip(want).filter(|(a, b)| a != b).count();
            if (1..=2).contains(&off) && best.is_none_or(|(d, _)| off < d) {
                best = Some((off, span_at(r, 8)));
            }
        }
        best.and_then(|(_, list)| self.ids(self.layout.filing_list, list).next())
    }

    pub(crate) fn company_name(&self, id: CompanyId) -> Option<&str> {
        let name = self
            .search(self.layout.companies, |r| i64_at(r, 0), id.0)
            .map(|s| self.str(s));
        if name.is_none() {
            self.flag();
        }
        name
    }

    /// The group a company belongs to, when the registry names one.
    pub(crate) fn group_of(&self, id: CompanyId) -> Option<&str> {
        self.search(self.layout.groups, |r| i64_at(r, 0), id.0)
            .map(|s| self.str(s))
    }

    pub(crate) fn holds_numbers(&self, regime: Regime) -> bool {
        (0..self.layout.numbered.count).any(|i| {
            self.record(self.layout.numbered, size::REGIME, i)
                .first()
                .and_then(|&c| Regime::ALL.get(usize::from(c)))
                == Some(&regime)
        })
    }

    /// Where each array lies in the bytes: `(name, offset, records, record
    /// size)`. For tests and fuzzing that damage one array on purpose.
    #[doc(hidden)]
    pub fn sections(&self) -> Vec<(&'static str, usize, usize, usize)> {
        let l = &self.layout;
        vec![
            ("text", l.text.offset, l.text.count, 1),
            ("names", l.names.offset, l.names.count, size::NAME),
            ("targets", l.targets.offset, l.targets.count, size::TARGET),
            ("filings", l.filings.offset, l.filings.count, size::FILING),
            ("pinyins", l.pinyins.offset, l.pinyins.count, size::SPAN),
            ("name_list", l.name_list.offset, l.name_list.count, size::ID),
            (
                "filing_list",
                l.filing_list.offset,
                l.filing_list.count,
                size::ID,
            ),
            ("by_key", l.by_key.offset, l.by_key.count, size::TABLE),
            ("by_core", l.by_core.offset, l.by_core.count, size::TABLE),
            (
                "by_pinyin",
                l.by_pinyin.offset,
                l.by_pinyin.count,
                size::TABLE,
            ),
            (
                "by_number",
                l.by_number.offset,
                l.by_number.count,
                size::TABLE,
            ),
            ("by_gram", l.by_gram.offset, l.by_gram.count, size::GRAM),
            (
                "items_of_company",
                l.items_of_company.offset,
                l.items_of_company.count,
                size::KEYED,
            ),
            (
                "companies",
                l.companies.offset,
                l.companies.count,
                size::KEYED,
            ),
            (
                "numbered",
                l.numbered.offset,
                l.numbered.count,
                size::REGIME,
            ),
            ("groups", l.groups.offset, l.groups.count, size::KEYED),
        ]
    }

    /// Checks every reference inside the index: strings lie in the arena
    /// on character boundaries, names point at targets, targets and tables
    /// at postings that exist, postings at names and filings that exist,
    /// tables are sorted (binary search relies on it), filings are in the
    /// order of their ids and name only companies the index lists. What
    /// passes is the index a build wrote, or damage that reads as one.
    pub(crate) fn validate(&self) -> Result<(), &'static str> {
        let l = &self.layout;
        let Some(arena) = self.text.as_deref() else {
            return Err("the string arena was not read as text");
        };
        let text_ok = |s: Span| arena.get(s.range()).is_some();
        let within =
            |s: Span, count: usize| (s.start as usize).saturating_add(s.len as usize) <= count;
        // Fixed-size fields of a record (the records are exact chunks).
        let u32_of =
            |r: &[u8], at: usize| u32::from_le_bytes([r[at], r[at + 1], r[at + 2], r[at + 3]]);
        let i64_of = |r: &[u8], at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&r[at..at + 8]);
            i64::from_le_bytes(w)
        };
        let span_of = |r: &[u8], at: usize| Span {
            start: u32_of(r, at),
            len: u32_of(r, at + 4),
        };
        let records = |s: Section, size: usize| {
            self.bytes[s.offset..s.offset + s.count * size].chunks_exact(size)
        };
        for r in records(l.names, size::NAME) {
            if u32_of(r, 0) as usize >= l.targets.count {
                return Err("a name points at no target");
            }
            if Via::from_code(r[4]).is_none() {
                return Err("a name has an unknown kind");
            }
            for field in 0..5 {
                let s = span_of(r, 5 + field * 8);
                if !(text_ok(s) || (field == 4 && s.is_none())) {
                    return Err("a name's string lies outside the arena");
                }
            }
            if !within(span_of(r, 5 + 5 * 8), l.pinyins.count) {
                return Err("a name's pinyin lies outside its array");
            }
        }
        if !records(l.pinyins, size::SPAN).all(|r| text_ok(span_of(r, 0))) {
            return Err("a pinyin lies outside the arena");
        }
        let mut companies: Vec<i64> = Vec::with_capacity(l.companies.count);
        for r in records(l.companies, size::KEYED) {
            if !text_ok(span_of(r, 8)) {
                return Err("a company name lies outside the arena");
            }
            companies.push(i64_of(r, 0));
        }
        if companies.windows(2).any(|w| w[0] >= w[1]) {
            return Err("companies are out of order");
        }
        // Company ids are dense in practice: a bitmap answers in one step
        // (a binary search when they are not).
        let dense = companies
            .last()
            .filter(|&&max| max >= 0 && (max as usize) < 8 * companies.len() + 64)
            .map(|&max| {
                let mut set = vec![false; max as usize + 1];
                for &c in &companies {
                    set[c as usize] = true;
                }
                set
            });
        let known = |c: i64| match &dense {
            Some(set) => usize::try_from(c).is_ok_and(|c| set.get(c).copied().unwrap_or(false)),
            None => companies.binary_search(&c).is_ok(),
        };
        for r in records(l.targets, size::TARGET) {
            if !known(i64_of(r, 0)) {
                return Err("a target names a company the index does not list");
            }
            let item = span_of(r, 8);
            if !(item.is_none() || text_ok(item)) || !within(span_of(r, 16), l.filing_list.count) {
                return Err("a target points outside its arrays");
            }
        }
        let mut last = i64::MIN;
        for r in records(l.filings, size::FILING) {
            let id = i64_of(r, 0);
            if id <= last {
                return Err("filings are out of order");
            }
            last = id;
            if !known(i64_of(r, 8)) {
                return Err("a filing names a company the index does not list");
            }
            if usize::from(r[16]) >= Regime::ALL.len() || r[17] > 1 {
                return Err("a filing has an unknown regime or status");
            }
        }
        for (list, count) in [
            (l.name_list, l.names.count),
            (l.filing_list, l.filings.count),
        ] {
            if records(list, size::ID).any(|r| u32_of(r, 0) as usize >= count) {
                return Err("a posting points at nothing");
            }
        }
        for (table, postings) in [
            (l.by_key, l.name_list),
            (l.by_core, l.name_list),
            (l.by_pinyin, l.name_list),
            (l.by_number, l.filing_list),
        ] {
            let mut prev: Option<&str> = None;
            for r in records(table, size::TABLE) {
                let key = arena.get(span_of(r, 0).range());
                let (Some(key), true) = (key, within(span_of(r, 8), postings.count)) else {
                    return Err("a table points outside its arrays");
                };
                if prev.is_some_and(|p| p >= key) {
                    return Err("a table is out of order");
                }
                prev = Some(key);
            }
        }
        let mut prev = None;
        for r in records(l.by_gram, size::GRAM) {
            let gram = (u32_of(r, 0), u32_of(r, 4));
            if prev.is_some_and(|p| p >= gram) || !within(span_of(r, 8), l.name_list.count) {
                return Err("the bigram table is damaged");
            }
            prev = Some(gram);
        }
        let mut prev = None;
        for r in records(l.items_of_company, size::KEYED) {
            let company = i64_of(r, 0);
            if prev.is_some_and(|p| p >= company) || !within(span_of(r, 8), l.name_list.count) {
                return Err("the items of companies are damaged");
            }
            prev = Some(company);
        }
        if records(l.numbered, size::REGIME).any(|r| usize::from(r[0]) >= Regime::ALL.len()) {
            return Err("an unknown regime");
        }
        let mut prev = None;
        for r in records(l.groups, size::KEYED) {
            let company = i64_of(r, 0);
            if prev.is_some_and(|p| p >= company) || !known(company) || !text_ok(span_of(r, 8)) {
                return Err("the groups of companies are damaged");
            }
            prev = Some(company);
        }
        Ok(())
    }
}

/// The tables of every name of the snapshot: listed company and item names,
/// the forms the extraction printed, legal and English names, groups and
/// aliases. Filing positions are the snapshot's. ([`NameIndex::build`] lays
/// them out as bytes.)
pub(super) fn tables(snap: &Snapshot) -> Tables {
    Builder::default().build(snap)
}

/// Collects names and postings, then lays them out sorted.
#[derive(Default)]
struct Builder {
    index: Tables,
    interned: HashMap<String, Span>,
    /// Names normalised so far: item names come back as listed names, as
    /// family keys and as aliases' targets.
    normalised: HashMap<String, normalize::NameKey>,
    company_targets: HashMap<CompanyId, u32>,
    item_targets: HashMap<(CompanyId, String), u32>,
    target_filings: Vec<Vec<u32>>,
    /// (target, key) pairs already indexed: the first description wins.
    seen: HashSet<(u32, String)>,
    by_key: HashMap<Span, Vec<u32>>,
    by_core: HashMap<Span, Vec<u32>>,
    by_pinyin: HashMap<Span, Vec<u32>>,
    by_gram: HashMap<(u32, u32), Vec<u32>>,
    items_of_company: HashMap<CompanyId, Vec<u32>>,
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

    fn normalize(&mut self, name: &str) -> normalize::NameKey {
        if let Some(k) = self.normalised.get(name) {
            return k.clone();
        }
        let k = normalize::normalize(name);
        self.normalised.insert(name.to_string(), k.clone());
        k
    }

    fn company_target(&mut self, company: CompanyId) -> u32 {
        if let Some(&t) = self.company_targets.get(&company) {
            return t;
        }
        let t = self.new_target(company, Span::NONE);
        self.company_targets.insert(company, t);
        t
    }

    fn item_target(&mut self, company: CompanyId, item: &str) -> u32 {
        if let Some(&t) = self.item_targets.get(&(company, item.to_string())) {
            return t;
        }
        let span = self.intern(item);
        let t = self.new_target(company, span);
        self.item_targets.insert((company, item.to_string()), t);
        t
    }

    fn new_target(&mut self, company: CompanyId, item: Span) -> u32 {
        self.index.targets.push(TargetRec {
            company,
            item,
            filings: Span::default(),
        });
        self.target_filings.push(Vec::new());
        (self.index.targets.len() - 1) as u32
    }

    fn add(&mut self, target: u32, text: &str, via: Via) {
        let norm = self.normalize(text);
        // One name per target and full form: `iFLYTEK` and `iFLYTEK Co.,
        // Ltd.` share a key, but only the second is a legal entity's name.
        if norm.key.is_empty() || !self.seen.insert((target, norm.full.clone())) {
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

    /// Normalises every name of a large snapshot on all cores first (the
    /// costly part of building; a small one is not worth the threads).
    fn prepare(&mut self, snap: &Snapshot) {
        use rayon::prelude::*;
        const PARALLEL_FROM: usize = 2_000;
        if snap.filings.len() < PARALLEL_FROM {
            return;
        }
        let mut names: Vec<&str> = Vec::new();
        for f in &snap.filings {
            names.extend([f.item.as_str(), &f.fields.item, &f.fields.company]);
        }
        for c in &snap.companies {
            names.push(&c.name);
            names.extend(
                [&c.legal_name, &c.english_name, &c.group_name]
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            );
        }
        for a in &snap.aliases {
            names.extend([a.name.as_str(), &a.alias]);
        }
        names.sort_unstable();
        names.dedup();
        self.normalised = names
            .par_iter()
            .map(|&n| (n.to_string(), normalize::normalize(n)))
            .collect();
    }

    fn build(mut self, snap: &Snapshot) -> Tables {
        /// Legal forms a company converts between without changing identity.
        const CONVERTIBLE_FORMS: &[&str] = &["有限公司", "有限责任公司", "股份有限公司"];
        self.prepare(snap);
        let company_ids: HashMap<&str, CompanyId> = snap
            .companies
            .iter()
            .map(|c| (c.name.as_str(), c.id))
            .collect();
        // One entity under two names: a company whose former name (a list's
        // 备注, a rename) is the name another list still gives it. Both
        // names answer as one group, labelled with the current name, unless
        // the current company belongs to a group of its own.
        let mut renamed: HashMap<CompanyId, &str> = HashMap::new();
        for a in snap
            .aliases
            .iter()
            .filter(|a| a.entity == AliasEntity::Company && a.kind == AliasKind::FormerName)
        {
            let (Some(&current), Some(&former)) = (
                company_ids.get(a.name.as_str()),
                company_ids.get(a.alias.as_str()),
            ) else {
                continue;
            };
            let label = snap
                .company(current)
                .and_then(|c| c.group_name.as_deref())
                .unwrap_or(a.name.as_str());
            renamed.insert(current, label);
            renamed.insert(former, label);
        }
        // A company that converted its legal form (有限公司 → 股份有限公司)
        // keeps region, trade name and industry; the registration rules let
        // no two companies' names differ in the form alone. Lists published
        // before and after the conversion name it both ways.
        let mut by_stem: HashMap<(Option<String>, String, String), Vec<&str>> = HashMap::new();
        for c in &snap.companies {
            if let Some(n) = normalize::legal_name::parse(&c.name) {
                if CONVERTIBLE_FORMS.contains(&n.form) {
                    by_stem
                        .entry((n.region, n.trade, n.industry))
                        .or_default()
                        .push(c.name.as_str());
                }
            }
        }
        for names in by_stem.values().filter(|n| n.len() > 1) {
            let label = names
                .iter()
                .find(|n| n.ends_with("股份有限公司"))
                .unwrap_or(&names[0]);
            for name in names {
                if let Some(&id) = company_ids.get(name) {
                    let label = snap
                        .company(id)
                        .and_then(|c| c.group_name.as_deref())
                        .unwrap_or(label);
                    renamed.entry(id).or_insert(label);
                }
            }
        }
        let group_of = |id: CompanyId| {
            renamed
                .get(&id)
                .copied()
                .or_else(|| snap.company(id).and_then(|c| c.group_name.as_deref()))
        };
        let mut by_number: HashMap<String, Vec<u32>> = HashMap::new();
        let mut with_filings: HashSet<CompanyId> = HashSet::new();
        let mut items_by_name: HashMap<&str, Vec<CompanyId>> = HashMap::new();
        let mut family: HashMap<(CompanyId, String), Vec<&str>> = HashMap::new();
        // The filings of each group's members.
        let mut group_filings: HashMap<&str, Vec<u32>> = HashMap::new();
        for (pos, f) in snap.filings.iter().enumerate() {
            let pos = pos as u32;
            self.index
                .filings
                .push((f.id, f.company_id, f.regime, f.status.stands()));
            if let Some(n) = f.filing_no().and_then(|n| filing_no::parse(n).ok()) {
                by_number.entry(n.key()).or_default().push(pos);
                if !self.index.numbered.contains(&f.regime) {
                    self.index.numbered.push(f.regime);
                }
            }
            with_filings.insert(f.company_id);
            if let Some(g) = group_of(f.company_id) {
                group_filings.entry(g).or_default().push(pos);
            }
            let new_item = !self
                .item_targets
                .contains_key(&(f.company_id, f.item.clone()));
            let item = self.item_target(f.company_id, &f.item);
            self.target_filings[item as usize].push(pos);
            if new_item {
                items_by_name.entry(&f.item).or_default().push(f.company_id);
                family
                    .entry((f.company_id, self.normalize(&f.item).item_core))
                    .or_default()
                    .push(&f.item);
                // (An item a list gives as 未公开 has no name to find it by.)
                if !normalize::is_placeholder(&f.item) {
                    self.add(item, &f.item, Via::Listed);
                }
                if f.fields.item != f.item && !normalize::is_placeholder(&f.fields.item) {
                    self.add(item, &f.fields.item, Via::AsPrinted);
                }
            }
            for product in normalize::product_names(f.fields.product.as_deref().unwrap_or("")) {
                self.add(item, product, Via::Product);
            }
        }
        // Each group's names: its label and its aliases.
        let mut group_names: HashMap<&str, Vec<&str>> = HashMap::new();
        for g in snap.companies.iter().filter_map(|c| group_of(c.id)) {
            group_names.entry(g).or_insert_with(|| vec![g]);
        }
        for a in snap
            .aliases
            .iter()
            .filter(|a| a.entity == AliasEntity::Group)
        {
            if let Some(names) = group_names.get_mut(a.name.as_str()) {
                names.push(&a.alias);
            }
        }
        let mut trade_names: Vec<(u32, &str)> = Vec::new();
        // Companies: those with filings, and those of a group with filings
        // (a parent or sibling without a filing of its own: a query naming
        // it is answered with the group's filings, as related).
        for c in &snap.companies {
            let own = with_filings.contains(&c.id);
            let group = group_of(c.id);
            if !own && !group.is_some_and(|g| group_filings.contains_key(g)) {
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
            if let Some(g) = group {
                let span = self.intern(g);
                self.index.groups.push((c.id, span));
                if own {
                    for name in group_names.get(g).into_iter().flatten() {
                        self.add(t, name, Via::Group);
                    }
                }
            }
            for name in std::iter::once(&c.name).chain(&c.legal_name) {
                trade_names.push((t, name.as_str()));
            }
        }
        // A company cell as printed that names a group (the seed's 抖音 for
        // two of ByteDance's filers) is the group's name, indexed above.
        let is_group_name = |n: &str| group_names.values().flatten().any(|&g| g == n);
        for f in &snap.filings {
            let listed = f.fields.company.as_str();
            if !listed.is_empty()
                && company_ids.get(listed) != Some(&f.company_id)
                && !is_group_name(listed)
            {
                let t = self.company_target(f.company_id);
                self.add(t, listed, Via::AsPrinted);
                trade_names.push((t, listed));
            }
        }
        for a in &snap.aliases {
            match a.entity {
                AliasEntity::Company => {
                    let Some(&t) = company_ids
                        .get(a.name.as_str())
                        .and_then(|id| self.company_targets.get(id))
                    else {
                        continue;
                    };
                    self.add(t, &a.alias, Via::Alias(a.kind));
                    if matches!(a.kind, AliasKind::LegalName | AliasKind::FormerName) {
                        trade_names.push((t, a.alias.as_str()));
                    }
                }
                AliasEntity::Item => {
                    // An alias names the model, whichever regime its filing
                    // is under: it applies to every item of the company with
                    // the same item core (云雀大模型 and 云雀大模型算法).
                    let core = self.normalize(&a.name).item_core;
                    for &company in items_by_name.get(a.name.as_str()).into_iter().flatten() {
                        let items = family.get(&(company, core.clone())).cloned();
                        for item in items.into_iter().flatten() {
                            let t = self.item_target(company, item);
                            self.add(t, &a.alias, Via::Alias(a.kind));
                        }
                    }
                }
                // (Indexed on each member, above.)
                AliasEntity::Group => {}
            }
        }
        // Trade names last: a name that is also an alias or a printed name
        // of the same company keeps that stronger reading.
        for (t, name) in trade_names {
            self.add_trade_name(t, name);
        }
        // Company filings: every filing of the company, in snapshot order;
        // for a company without filings, its group's.
        let mut of_company: HashMap<CompanyId, Vec<u32>> = HashMap::new();
        for (pos, f) in snap.filings.iter().enumerate() {
            of_company.entry(f.company_id).or_default().push(pos as u32);
        }
        for (&company, &t) in &self.company_targets {
            self.target_filings[t as usize] = match of_company.get(&company) {
                Some(own) => own.clone(),
                None => group_of(company)
                    .and_then(|g| group_filings.get(g))
                    .cloned()
                    .unwrap_or_default(),
            };
        }
        for c in &snap.companies {
            let span = self.intern(&c.name);
            self.index.companies.push((c.id, span));
        }
        self.finish(by_number)
    }

    /// The trade name of a company name with a legal form, as a name of
    /// the company (see [`Via::TradeName`]).
    fn add_trade_name(&mut self, target: u32, name: &str) {
        if let Some(parsed) = normalize::legal_name::parse(name) {
            self.add(target, &parsed.trade, Via::TradeName);
        }
    }

    fn finish(mut self, by_number: HashMap<String, Vec<u32>>) -> Tables {
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
        index.groups.sort_by_key(|&(id, _)| id);
        index.groups.dedup_by_key(|&mut (id, _)| id);
        index
    }

    /// Interns a string after the builder handed its arena to the index.
    fn intern_into(&mut self, index: &mut Tables, s: &str) -> Span {
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
