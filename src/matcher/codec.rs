//! The name index as bytes, as a registry file keeps it.
//!
//! A registry file stores the index its data give, so that a cold lookup
//! reads it instead of normalising every name again. The bytes carry a
//! format version, the normaliser's version (an index made by another
//! normaliser would find other names) and a checksum; reading checks those,
//! that every array lies inside the bytes, and that every reference inside
//! the index (a name's strings and target, a target's filings, a table's
//! postings, their order) points where it must ([`NameIndex::validate`]):
//! damage the checksum missed is refused, never read as other data. Records
//! are then read in place (and accessors still clamp, so that even bytes
//! changed after reading can never cause a panic).
//!
//! Layout: `FCNX`, format version, normaliser version (u32 each), checksum
//! (u64) of the rest, then each array of the index as a u32 count and
//! fixed-size little-endian records.

use std::borrow::Cow;

use super::index::{size, Layout, NameIndex, Section, Span, Tables};
use crate::model::Regime;
use crate::normalize;

const MAGIC: &[u8; 4] = b"FCNX";

/// The version of this layout.
pub const FORMAT_VERSION: u32 = 2;

/// Why stored index bytes cannot be used. Another format or normaliser
/// means: build the index from the data instead (and write it again on the
/// next write); the others mean the bytes are damaged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IndexError {
    #[error("not a name index")]
    NotAnIndex,
    #[error("index format {found}, this build reads {expected}")]
    Format { found: u32, expected: u32 },
    #[error("index made by normaliser version {found}, this build has {expected}")]
    Normaliser { found: u32, expected: u32 },
    #[error("index checksum does not match (damaged)")]
    Checksum,
    #[error("index is damaged ({0})")]
    Damaged(&'static str),
}

// The checksum and the digest of an index's inputs, shared with build.rs
// (which digests the embedded data once, at build time).
include!("checksum.rs");

struct Writer {
    out: Vec<u8>,
    layout: Layout,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn span(&mut self, s: Span) {
        self.u32(s.start);
        self.u32(s.len);
    }
    /// Starts an array of `count` records: its count, then where it begins.
    fn section(&mut self, count: usize) -> Section {
        self.u32(count as u32);
        Section {
            offset: self.out.len(),
            count,
        }
    }
}

fn regime_code(r: Regime) -> u8 {
    Regime::ALL.iter().position(|&x| x == r).unwrap_or(0) as u8
}

/// Size of the header: magic, format, normaliser version, checksum.
const HEADER: usize = 4 + 4 + 4 + 8;

/// Lays the builder's tables out as bytes: the index itself.
pub(super) fn encode(t: &Tables) -> NameIndex {
    let mut w = Writer {
        out: Vec::with_capacity(HEADER + t.text.len() * 2 + t.names.len() * 64),
        layout: Layout::default(),
    };
    w.out.extend_from_slice(MAGIC);
    w.u32(FORMAT_VERSION);
    w.u32(normalize::VERSION);
    w.out.extend_from_slice(&[0; 8]);
    w.layout.text = w.section(t.text.len());
    w.out.extend_from_slice(t.text.as_bytes());
    w.layout.names = w.section(t.names.len());
    for n in &t.names {
        w.u32(n.target);
        w.u8(n.via.code());
        for s in [n.text, n.key, n.core, n.full, n.region, n.pinyins] {
            w.span(s);
        }
    }
    w.layout.targets = w.section(t.targets.len());
    for r in &t.targets {
        w.i64(r.company.0);
        w.span(r.item);
        w.span(r.filings);
    }
    w.layout.filings = w.section(t.filings.len());
    for &(id, company, regime, listed) in &t.filings {
        w.i64(id.0);
        w.i64(company.0);
        w.u8(regime_code(regime));
        w.u8(u8::from(listed));
    }
    w.layout.pinyins = w.section(t.pinyins.len());
    for &s in &t.pinyins {
        w.span(s);
    }
    w.layout.name_list = w.section(t.name_list.len());
    for &v in &t.name_list {
        w.u32(v);
    }
    w.layout.filing_list = w.section(t.filing_list.len());
    for &v in &t.filing_list {
        w.u32(v);
    }
    for (table, which) in [
        (&t.by_key, 0),
        (&t.by_core, 1),
        (&t.by_pinyin, 2),
        (&t.by_number, 3),
    ] {
        let s = w.section(table.len());
        for &(k, l) in table {
            w.span(k);
            w.span(l);
        }
        match which {
            0 => w.layout.by_key = s,
            1 => w.layout.by_core = s,
            2 => w.layout.by_pinyin = s,
            _ => w.layout.by_number = s,
        }
    }
    w.layout.by_gram = w.section(t.by_gram.len());
    for &((a, b), l) in &t.by_gram {
        w.u32(a);
        w.u32(b);
        w.span(l);
    }
    w.layout.items_of_company = w.section(t.items_of_company.len());
    for &(id, s) in &t.items_of_company {
        w.i64(id.0);
        w.span(s);
    }
    w.layout.companies = w.section(t.companies.len());
    for &(id, s) in &t.companies {
        w.i64(id.0);
        w.span(s);
    }
    w.layout.numbered = w.section(t.numbered.len());
    for &r in &t.numbered {
        w.u8(regime_code(r));
    }
    w.layout.groups = w.section(t.groups.len());
    for &(id, s) in &t.groups {
        w.i64(id.0);
        w.span(s);
    }
    let sum = checksum(&w.out[HEADER..]);
    w.out[12..20].copy_from_slice(&sum.to_le_bytes());
    NameIndex::new(Cow::Owned(w.out), w.layout, Some(t.text.clone()))
}

/// Writes the checksum of index bytes after they were edited: for fuzzing
/// and tests, which damage the body on purpose and want the damage to reach
/// the reader rather than stop at the checksum.
#[doc(hidden)]
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() >= HEADER {
        let sum = checksum(&bytes[HEADER..]);
        bytes[12..HEADER].copy_from_slice(&sum.to_le_bytes());
    }
}

impl NameIndex {
    /// Indexes every name of the snapshot (see [`super::index::tables`]).
    pub fn build(snap: &crate::model::Snapshot) -> NameIndex {
        encode(&super::index::tables(snap))
    }

    /// The index as bytes, for a registry file.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes bytes written by [`NameIndex::as_bytes`], checking the
    /// versions, the checksum and that every array lies inside the bytes.
    /// Records are read in place when used (see [`NameIndex`]).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<NameIndex, IndexError> {
        let index = NameIndex::from_bytes_unchecked(bytes)?;
        // (The checksum is checked; the references inside, here.)
        index.validate().map_err(IndexError::Damaged)?;
        Ok(index)
    }

    /// [`NameIndex::from_bytes`] for one lookup: the versions, the checksum
    /// and the arrays are checked, and each reference as it is read (see
    /// [`NameIndex::damaged`]), instead of all of them up front.
    pub fn from_bytes_lazy(bytes: Vec<u8>) -> Result<NameIndex, IndexError> {
        let layout = NameIndex::layout_of(&bytes, true)?;
        Ok(NameIndex::new(Cow::Owned(bytes), layout, None))
    }

    /// [`NameIndex::from_bytes`] without checking the references inside:
    /// for the index compiled into this very binary (whose digest says it is
    /// the index of the compiled-in data, and a test that it reads back).
    pub(crate) fn from_bytes_unchecked(bytes: Vec<u8>) -> Result<NameIndex, IndexError> {
        let layout = NameIndex::layout_of(&bytes, true)?;
        let arena = &bytes[layout.text.offset..layout.text.offset + layout.text.count];
        let text = String::from_utf8(arena.to_vec())
            .map_err(|_| IndexError::Damaged("the string arena is not UTF-8"))?;
        Ok(NameIndex::new(Cow::Owned(bytes), layout, Some(text)))
    }

    /// The index compiled into this binary, read in place: no copy and no
    /// checksum (the binary is what it is; a test checks the index reads
    /// back whole). `whole`: decode the string arena once, for commands
    /// that match many names; else strings are decoded as read.
    pub(crate) fn from_static(bytes: &'static [u8], whole: bool) -> Result<NameIndex, IndexError> {
        let layout = NameIndex::layout_of(bytes, false)?;
        let text = if whole {
            let arena = &bytes[layout.text.offset..layout.text.offset + layout.text.count];
            Some(
                std::str::from_utf8(arena)
                    .map_err(|_| IndexError::Damaged("the string arena is not UTF-8"))?
                    .to_string(),
            )
        } else {
            None
        };
        Ok(NameIndex::new(Cow::Borrowed(bytes), layout, text))
    }

    /// Checks the versions, the checksum (when asked) and that every array
    /// lies inside the bytes; returns where they lie.
    fn layout_of(bytes: &[u8], checksummed: bool) -> Result<Layout, IndexError> {
        let word = |at: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(bytes.get(at..at + 4)?);
            Some(u32::from_le_bytes(w))
        };
        if bytes.get(..4) != Some(MAGIC.as_slice()) || bytes.len() < HEADER {
            return Err(IndexError::NotAnIndex);
        }
        let format = word(4).unwrap_or(0);
        if format != FORMAT_VERSION {
            return Err(IndexError::Format {
                found: format,
                expected: FORMAT_VERSION,
            });
        }
        let norm = word(8).unwrap_or(0);
        if norm != normalize::VERSION {
            return Err(IndexError::Normaliser {
                found: norm,
                expected: normalize::VERSION,
            });
        }
        let mut sum = [0u8; 8];
        sum.copy_from_slice(&bytes[12..HEADER]);
        if checksummed && checksum(&bytes[HEADER..]) != u64::from_le_bytes(sum) {
            return Err(IndexError::Checksum);
        }
        let mut at = HEADER;
        let mut next = |size: usize| -> Result<Section, IndexError> {
            let count = word(at).ok_or(IndexError::Damaged("truncated"))? as usize;
            let offset = at + 4;
            at = count
                .checked_mul(size)
                .and_then(|n| n.checked_add(offset))
                .filter(|&end| end <= bytes.len())
                .ok_or(IndexError::Damaged("truncated"))?;
            Ok(Section { offset, count })
        };
        let layout = Layout {
            text: next(1)?,
            names: next(size::NAME)?,
            targets: next(size::TARGET)?,
            filings: next(size::FILING)?,
            pinyins: next(size::SPAN)?,
            name_list: next(size::ID)?,
            filing_list: next(size::ID)?,
            by_key: next(size::TABLE)?,
            by_core: next(size::TABLE)?,
            by_pinyin: next(size::TABLE)?,
            by_number: next(size::TABLE)?,
            by_gram: next(size::GRAM)?,
            items_of_company: next(size::KEYED)?,
            companies: next(size::KEYED)?,
            numbered: next(size::REGIME)?,
            groups: next(size::KEYED)?,
        };
        if at != bytes.len() {
            return Err(IndexError::Damaged("trailing bytes"));
        }
        Ok(layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::embedded;

    fn index() -> NameIndex {
        NameIndex::build(&embedded::data().unwrap().to_snapshot())
    }

    #[test]
    fn an_index_reads_back_as_written() {
        let ix = index();
        assert!(ix.len() > 100);
        assert_eq!(NameIndex::from_bytes(ix.as_bytes().to_vec()).unwrap(), ix);
    }

    #[test]
    fn damaged_bytes_are_refused_never_trusted() {
        let bytes = index().as_bytes().to_vec();
        assert_eq!(
            NameIndex::from_bytes(b"nope".to_vec()),
            Err(IndexError::NotAnIndex)
        );
        assert_eq!(
            NameIndex::from_bytes(bytes[..bytes.len() - 3].to_vec()),
            Err(IndexError::Checksum)
        );
        // A flipped byte is noticed: every header byte (by its own check)
        // and 300 bytes spread over the body (by the checksum, which any
        // single changed byte changes).
        let stride = bytes.len() / 300 + 1;
        for i in (0..HEADER).chain((HEADER..bytes.len()).step_by(stride)) {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(NameIndex::from_bytes(b).is_err(), "byte {i}");
        }
        let mut other = bytes.clone();
        other[8..12].copy_from_slice(&(normalize::VERSION + 1).to_le_bytes());
        assert!(matches!(
            NameIndex::from_bytes(other),
            Err(IndexError::Normaliser { .. })
        ));
    }

    #[test]
    fn arrays_must_lie_inside_the_bytes_even_when_the_checksum_agrees() {
        let mut bytes = index().as_bytes().to_vec();
        bytes.pop();
        reseal(&mut bytes);
        assert_eq!(
            NameIndex::from_bytes(bytes),
            Err(IndexError::Damaged("truncated"))
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(150))]
        /// Damage anywhere in the body that the checksum does not catch
        /// (resealed on purpose) never makes the matcher panic or hang.
        #[test]
        fn damage_past_the_checksum_never_panics(
            edits in proptest::collection::vec((0usize..usize::MAX, 1u8..=255), 1..8),
        ) {
            let mut bytes = index().as_bytes().to_vec();
            for (at, x) in edits {
                let at = HEADER + at % (bytes.len() - HEADER);
                bytes[at] ^= x;
            }
            reseal(&mut bytes);
            if let Ok(ix) = NameIndex::from_bytes(bytes) {
                let m = crate::matcher::Matcher::from_index(ix);
                for q in ["智谱AI", "zhipu", "百度 文心一言", "星火", "网信算备110108823483901230031号"] {
                    let o = m.lookup(q, crate::model::RegimeFilter::Any);
                    for f in &o.matches {
                        let _ = m.index().filing_by_id(f.filing);
                    }
                }
            }
        }
    }

    #[test]
    fn offsets_outside_their_arrays_read_as_empty_never_panic() {
        let mut ix = index();
        // Point the first name's strings and target far outside the bytes.
        let at = ix.layout.names.offset;
        for b in &mut ix.bytes.to_mut()[at..at + size::NAME] {
            *b = 0xEE;
        }
        let n = ix.name(0);
        assert_eq!((n.text(), n.key(), n.core()), ("", "", ""));
        assert!(n.pinyins().take(10).all(|p| p.is_empty()));
        assert!(ix.target_filings(n.target()).next().is_none());
        assert_eq!(ix.name(u32::MAX).text(), "");
        assert_eq!(ix.filing_at(usize::MAX).0, crate::model::FilingId(0));
    }
}
