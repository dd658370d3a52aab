//! The name index as bytes, as a registry file keeps it.
//!
//! A registry file stores the index its data give, so that a cold lookup
//! reads it (a copy and a check) instead of normalising every name again.
//! The bytes carry a format version, the normaliser's version (an index made
//! by another normaliser would find other names) and a checksum; reading
//! checks every offset, so damaged bytes are refused, never trusted.
//!
//! Layout: `FCNX`, format version, normaliser version (u32 each), checksum
//! (u64) of the rest, then each array of [`NameIndex`] as a u32 count and
//! fixed-size little-endian records.

use super::index::{FilingRec, NameIndex, NameRec, Span, TargetRec, Via};
use crate::model::Regime;
use crate::normalize;

const MAGIC: &[u8; 4] = b"FCNX";

/// The version of this layout.
pub const FORMAT_VERSION: u32 = 1;

/// Why stored index bytes cannot be used. Any of these means: build the
/// index from the data instead (and rewrite it on the next write).
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

/// A 64-bit checksum over 8-byte words: cheap (a fraction of a millisecond
/// for a large index) and enough to notice damage; not a defence against
/// anyone who means harm.
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 31)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn span(&mut self, s: Span) {
        self.u32(s.start);
        self.u32(s.len);
    }
    fn len(&mut self, n: usize) {
        self.u32(n as u32);
    }
}

fn regime_code(r: Regime) -> u8 {
    Regime::ALL.iter().position(|&x| x == r).unwrap_or(0) as u8
}

impl NameIndex {
    /// The index as bytes, for a registry file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(
            self.text.len() * 2 + self.names.len() * 64,
        ));
        w.len(self.text.len());
        w.0.extend_from_slice(self.text.as_bytes());
        w.len(self.names.len());
        for n in &self.names {
            w.u32(n.target);
            w.u8(n.via.code());
            for s in [n.text, n.key, n.core, n.full, n.region, n.pinyins] {
                w.span(s);
            }
        }
        w.len(self.targets.len());
        for t in &self.targets {
            w.i64(t.company);
            w.span(t.item);
            w.span(t.filings);
        }
        w.len(self.filings.len());
        for f in &self.filings {
            w.i64(f.id);
            w.i64(f.company);
            w.u8(regime_code(f.regime));
            w.u8(u8::from(f.listed));
        }
        w.len(self.pinyins.len());
        for &s in &self.pinyins {
            w.span(s);
        }
        for list in [&self.name_list, &self.filing_list] {
            w.len(list.len());
            for &v in list {
                w.u32(v);
            }
        }
        for table in [
            &self.by_key,
            &self.by_core,
            &self.by_pinyin,
            &self.by_number,
        ] {
            w.len(table.len());
            for &(s, l) in table {
                w.span(s);
                w.span(l);
            }
        }
        w.len(self.by_gram.len());
        for &((a, b), l) in &self.by_gram {
            w.u32(a);
            w.u32(b);
            w.span(l);
        }
        for table in [&self.items_of_company, &self.companies] {
            w.len(table.len());
            for &(id, s) in table {
                w.i64(id);
                w.span(s);
            }
        }
        w.len(self.numbered.len());
        for &r in &self.numbered {
            w.u8(regime_code(r));
        }
        let body = w.0;
        let mut out = Vec::with_capacity(body.len() + 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&normalize::VERSION.to_le_bytes());
        out.extend_from_slice(&checksum(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Reads an index written by [`NameIndex::to_bytes`], checking versions,
    /// checksum and every offset.
    pub fn from_bytes(bytes: &[u8]) -> Result<NameIndex, IndexError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(4).ok() != Some(MAGIC.as_slice()) {
            return Err(IndexError::NotAnIndex);
        }
        let format = r.u32()?;
        if format != FORMAT_VERSION {
            return Err(IndexError::Format {
                found: format,
                expected: FORMAT_VERSION,
            });
        }
        let norm = r.u32()?;
        if norm != normalize::VERSION {
            return Err(IndexError::Normaliser {
                found: norm,
                expected: normalize::VERSION,
            });
        }
        let sum = r.u64()?;
        if checksum(&bytes[r.pos..]) != sum {
            return Err(IndexError::Checksum);
        }
        let mut ix = NameIndex::default();
        let text_len = r.count(1)?;
        ix.text = String::from_utf8(r.take(text_len)?.to_vec())
            .map_err(|_| IndexError::Damaged("text is not UTF-8"))?;
        ix.names = r.array(53, |r| {
            let target = r.u32()?;
            let via = Via::from_code(r.u8()?).ok_or(IndexError::Damaged("unknown name kind"))?;
            Ok(NameRec {
                target,
                via,
                text: r.span()?,
                key: r.span()?,
                core: r.span()?,
                full: r.span()?,
                region: r.span()?,
                pinyins: r.span()?,
            })
        })?;
        ix.targets = r.array(24, |r| {
            Ok(TargetRec {
                company: r.i64()?,
                item: r.span()?,
                filings: r.span()?,
            })
        })?;
        ix.filings = r.array(18, |r| {
            Ok(FilingRec {
                id: r.i64()?,
                company: r.i64()?,
                regime: *Regime::ALL
                    .get(usize::from(r.u8()?))
                    .ok_or(IndexError::Damaged("unknown regime"))?,
                listed: r.u8()? != 0,
            })
        })?;
        ix.pinyins = r.array(8, Reader::span)?;
        ix.name_list = r.array(4, Reader::u32)?;
        ix.filing_list = r.array(4, Reader::u32)?;
        ix.by_key = r.array(16, Reader::span_pair)?;
        ix.by_core = r.array(16, Reader::span_pair)?;
        ix.by_pinyin = r.array(16, Reader::span_pair)?;
        ix.by_number = r.array(16, Reader::span_pair)?;
        ix.by_gram = r.array(16, |r| Ok(((r.u32()?, r.u32()?), r.span()?)))?;
        ix.items_of_company = r.array(16, |r| Ok((r.i64()?, r.span()?)))?;
        ix.companies = r.array(16, |r| Ok((r.i64()?, r.span()?)))?;
        ix.numbered = r.array(1, |r| {
            Regime::ALL
                .get(usize::from(r.u8()?))
                .copied()
                .ok_or(IndexError::Damaged("unknown regime"))
        })?;
        if r.pos != bytes.len() {
            return Err(IndexError::Damaged("trailing bytes"));
        }
        ix.check()?;
        Ok(ix)
    }

    /// Every offset points inside its array, at a character boundary.
    fn check(&self) -> Result<(), IndexError> {
        let text_ok = |s: Span, optional: bool| {
            (optional && s.is_none())
                || (self.text.get(s.range()).is_some()
                    && (s.start as usize).checked_add(s.len as usize).is_some())
        };
        let within = |s: Span, len: usize| s.range().end <= len;
        let bad = IndexError::Damaged;
        for n in &self.names {
            if n.target as usize >= self.targets.len()
                || ![n.text, n.key, n.core, n.full]
                    .iter()
                    .all(|&s| text_ok(s, false))
                || !text_ok(n.region, true)
                || !within(n.pinyins, self.pinyins.len())
            {
                return Err(bad("name record"));
            }
        }
        for t in &self.targets {
            if !text_ok(t.item, true) || !within(t.filings, self.filing_list.len()) {
                return Err(bad("target record"));
            }
        }
        if !self.pinyins.iter().all(|&s| text_ok(s, false)) {
            return Err(bad("pinyin"));
        }
        if self
            .name_list
            .iter()
            .any(|&i| i as usize >= self.names.len())
            || self
                .filing_list
                .iter()
                .any(|&i| i as usize >= self.filings.len())
        {
            return Err(bad("posting list"));
        }
        for table in [&self.by_key, &self.by_core, &self.by_pinyin] {
            if !table
                .iter()
                .all(|&(s, l)| text_ok(s, false) && within(l, self.name_list.len()))
            {
                return Err(bad("lookup table"));
            }
        }
        if !self
            .by_number
            .iter()
            .all(|&(s, l)| text_ok(s, false) && within(l, self.filing_list.len()))
            || !self
                .by_gram
                .iter()
                .all(|&(_, l)| within(l, self.name_list.len()))
            || !self
                .items_of_company
                .iter()
                .all(|&(_, l)| within(l, self.name_list.len()))
            || !self.companies.iter().all(|&(_, s)| text_ok(s, false))
        {
            return Err(bad("lookup table"));
        }
        Ok(())
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(IndexError::Damaged("truncated"))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, IndexError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, IndexError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> Result<u64, IndexError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }
    fn i64(&mut self) -> Result<i64, IndexError> {
        Ok(self.u64()? as i64)
    }
    fn span(&mut self) -> Result<Span, IndexError> {
        Ok(Span {
            start: self.u32()?,
            len: self.u32()?,
        })
    }
    fn span_pair(&mut self) -> Result<(Span, Span), IndexError> {
        Ok((self.span()?, self.span()?))
    }
    /// A count of records of `size` bytes that the remaining bytes can hold.
    fn count(&mut self, size: usize) -> Result<usize, IndexError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(size) > self.bytes.len() - self.pos {
            return Err(IndexError::Damaged("truncated"));
        }
        Ok(n)
    }
    fn array<T>(
        &mut self,
        size: usize,
        mut read: impl FnMut(&mut Self) -> Result<T, IndexError>,
    ) -> Result<Vec<T>, IndexError> {
        let n = self.count(size)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(read(self)?);
        }
        Ok(out)
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
        assert_eq!(NameIndex::from_bytes(&ix.to_bytes()).unwrap(), ix);
    }

    #[test]
    fn damaged_bytes_are_refused_never_trusted() {
        let bytes = index().to_bytes();
        assert_eq!(NameIndex::from_bytes(b"nope"), Err(IndexError::NotAnIndex));
        assert_eq!(
            NameIndex::from_bytes(&bytes[..bytes.len() - 3]),
            Err(IndexError::Checksum)
        );
        // Every single flipped byte is noticed (header fields by their own
        // check, the rest by the checksum).
        for i in (0..bytes.len()).step_by(97) {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(NameIndex::from_bytes(&b).is_err(), "byte {i}");
        }
        let mut other = bytes.clone();
        other[8..12].copy_from_slice(&(normalize::VERSION + 1).to_le_bytes());
        assert!(matches!(
            NameIndex::from_bytes(&other),
            Err(IndexError::Normaliser { .. })
        ));
    }

    #[test]
    fn offsets_are_checked_even_when_the_checksum_agrees() {
        let mut ix = index();
        ix.names[0].key = Span {
            start: ix.text.len() as u32,
            len: 5,
        };
        let mut bytes = ix.to_bytes();
        assert_eq!(
            NameIndex::from_bytes(&bytes),
            Err(IndexError::Damaged("name record"))
        );
        // Truncated arrays: the count promises more than there is.
        let body_start = 20;
        let sum = checksum(&bytes[body_start..bytes.len() - 1]);
        bytes.pop();
        bytes[12..20].copy_from_slice(&sum.to_le_bytes());
        assert!(matches!(
            NameIndex::from_bytes(&bytes),
            Err(IndexError::Damaged(_))
        ));
    }
}
