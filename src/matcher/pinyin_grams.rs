//! Which names' pinyin can be close to a romanised query, without comparing
//! the query with all of them.
//!
//! A romanised query (`zhipu`, `Anthropic`) is compared by edit similarity
//! with the pinyin of every name that has one — some 30,000 strings on the
//! registry of late 2026, 13 ms a lookup. Most of them cannot reach the
//! similarity that counts, and a bigram count says which: two strings within
//! edit distance `d` share at least `max(|x|, |y|) − 1 − 2d` bigrams
//! (counted with multiplicity; each edit destroys at most two of them). So
//! the strings that share too few of the query's bigrams are left out, and
//! only they: the filter loses no name the full comparison would keep (a
//! property test compares it with that comparison).
//!
//! The postings are built on first use, from the index's pinyin strings, and
//! kept for the matcher's life (a server or an audit asks many queries; a
//! one-off lookup of a Chinese name never builds them).

use super::index::NameIndex;

/// Pinyin bigrams over ASCII bytes: postings of (pinyin string, how many
/// times it holds the bigram), and each string's name and length.
pub(crate) struct PinyinGrams {
    /// Start of each bigram's postings in `postings`, for the bigram
    /// `a * 128 + b` of ASCII bytes `a`, `b` (one more entry at the end).
    starts: Vec<u32>,
    postings: Vec<(u32, u16)>,
    /// For each pinyin string: the name it belongs to and its length in
    /// characters.
    strings: Vec<(u32, u32)>,
    /// The pinyin strings of each length.
    by_len: Vec<Vec<u32>>,
}

fn gram(a: u8, b: u8) -> usize {
    usize::from(a) * 128 + usize::from(b)
}

/// The ASCII bigrams of a string, counted (windows with a non-ASCII
/// character are no query's bigram, and are skipped).
fn counted_grams(s: &str) -> Vec<(usize, u16)> {
    let mut gs: Vec<usize> = s
        .as_bytes()
        .windows(2)
        .filter(|w| w[0].is_ascii() && w[1].is_ascii())
        .map(|w| gram(w[0], w[1]))
        .collect();
    gs.sort_unstable();
    let mut out: Vec<(usize, u16)> = Vec::with_capacity(gs.len());
    for g in gs {
        match out.last_mut() {
            Some((last, n)) if *last == g => *n = n.saturating_add(1),
            _ => out.push((g, 1)),
        }
    }
    out
}

impl PinyinGrams {
    /// The postings of every name's pinyin strings.
    pub fn build(index: &NameIndex) -> PinyinGrams {
        PinyinGrams::from_strings(
            (0..index.len() as u32).flat_map(|id| index.name(id).pinyins().map(move |p| (id, p))),
        )
    }

    /// The postings of some strings, each with the name it belongs to.
    fn from_strings<'a>(all: impl Iterator<Item = (u32, &'a str)>) -> PinyinGrams {
        let mut strings: Vec<(u32, u32)> = Vec::new();
        let mut per_gram: Vec<Vec<(u32, u16)>> = vec![Vec::new(); 128 * 128];
        for (id, p) in all {
            let sid = strings.len() as u32;
            strings.push((id, p.chars().count() as u32));
            for (g, n) in counted_grams(p) {
                per_gram[g].push((sid, n));
            }
        }
        let mut starts = Vec::with_capacity(per_gram.len() + 1);
        let mut postings = Vec::with_capacity(per_gram.iter().map(Vec::len).sum());
        for list in per_gram {
            starts.push(postings.len() as u32);
            postings.extend(list);
        }
        starts.push(postings.len() as u32);
        let mut by_len: Vec<Vec<u32>> = Vec::new();
        for (sid, &(_, n)) in strings.iter().enumerate() {
            let n = n as usize;
            if by_len.len() <= n {
                by_len.resize(n + 1, Vec::new());
            }
            by_len[n].push(sid as u32);
        }
        PinyinGrams {
            starts,
            postings,
            strings,
            by_len,
        }
    }

    /// The names with a pinyin string `p` that could satisfy
    /// `ok(|query|, |p|, d)` for its edit distance `d` to `query`, where
    /// `max_distance(|query|, |p|)` is the largest distance `ok` accepts
    /// (or `None` when no distance is acceptable at those lengths). Sorted,
    /// without repeats.
    pub fn candidates(
        &self,
        query: &str,
        max_distance: impl Fn(usize, usize) -> Option<usize>,
    ) -> Vec<u32> {
        let m = query.chars().count();
        let mut shared: Vec<u16> = vec![0; self.strings.len()];
        let mut touched: Vec<u32> = Vec::new();
        for (g, qn) in counted_grams(query) {
            let (a, b) = (self.starts[g] as usize, self.starts[g + 1] as usize);
            for &(sid, pn) in &self.postings[a..b] {
                let slot = &mut shared[sid as usize];
                if *slot == 0 {
                    touched.push(sid);
                }
                *slot = slot.saturating_add(qn.min(pn));
            }
        }
        // At least `max − 1 − 2d` bigrams in common, for strings of length
        // `n` (none: no distance is acceptable).
        let need = |n: usize| max_distance(m, n).map(|d| (m.max(n) + 1).saturating_sub(2 + 2 * d));
        let mut out: Vec<u32> = touched
            .into_iter()
            .filter_map(|sid| {
                let (name, n) = self.strings[sid as usize];
                let need = need(n as usize)?;
                (need > 0 && usize::from(shared[sid as usize]) >= need).then_some(name)
            })
            .collect();
        // Where the bound is no bound (short strings, or a distance as large
        // as the string), a string sharing no bigram may be close enough:
        // every string of that length is a candidate.
        for (n, sids) in self.by_len.iter().enumerate() {
            if need(n) == Some(0) {
                out.extend(sids.iter().map(|&sid| self.strings[sid as usize].0));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// Every string within the accepted distance is a candidate, for
        /// tight and loose limits alike (a limit that leaves no bigram
        /// bound included).
        #[test]
        fn loses_no_close_string(
            names in proptest::collection::vec("[abn\u{667a}g]{0,12}", 1..40),
            query in "[abng]{0,12}",
            ratio in 0.0f64..0.6,
            min_len in 0usize..5,
        ) {
            let grams = PinyinGrams::from_strings(
                names.iter().enumerate().map(|(i, s)| (i as u32, s.as_str())),
            );
            let max_distance = |m: usize, n: usize| {
                (n >= min_len).then(|| (ratio * m.max(n) as f64) as usize)
            };
            let got = grams.candidates(&query, max_distance);
            let m = query.chars().count();
            for (i, name) in names.iter().enumerate() {
                let n = name.chars().count();
                if let Some(d) = max_distance(m, n) {
                    if strsim::levenshtein(&query, name) <= d {
                        prop_assert!(
                            got.contains(&(i as u32)),
                            "{name:?} is within {d} of {query:?} but no candidate"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_string_sharing_too_few_bigrams_is_left_out() {
        let grams = PinyinGrams::from_strings(
            [(0, "zhipuhuazhang"), (1, "anthropic"), (2, "anthropik")].into_iter(),
        );
        // One edit away: in; nothing alike: out.
        let got = grams.candidates("anthropic", |m, n| Some(m.max(n) / 5));
        assert_eq!(got, vec![1, 2]);
    }
}
