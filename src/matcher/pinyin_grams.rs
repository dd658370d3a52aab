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
/// times it holds the bigram, its length), each bigram's sorted by length
/// so that a query reads only the strings of comparable length; and each
/// string's name and length.
pub(crate) struct PinyinGrams {
    /// Start of each bigram's postings in `postings`, for the bigram
    /// `a * 128 + b` of ASCII bytes `a`, `b` (one more entry at the end).
    starts: Vec<u32>,
    postings: Vec<Posting>,
    /// For each pinyin string: the name it belongs to and its length in
    /// characters.
    strings: Vec<(u32, u32)>,
    /// The pinyin strings of each length.
    by_len: Vec<Vec<u32>>,
}

/// One string holding one bigram.
#[derive(Clone, Copy)]
struct Posting {
    string: u32,
    count: u16,
    /// The string's length in characters (saturated).
    len: u16,
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
        let mut per_gram: Vec<Vec<Posting>> = vec![Vec::new(); 128 * 128];
        for (id, p) in all {
            let sid = strings.len() as u32;
            let len = p.chars().count();
            strings.push((id, len as u32));
            for (g, count) in counted_grams(p) {
                per_gram[g].push(Posting {
                    string: sid,
                    count,
                    len: len.min(usize::from(u16::MAX)) as u16,
                });
            }
        }
        let mut starts = Vec::with_capacity(per_gram.len() + 1);
        let mut postings = Vec::with_capacity(per_gram.iter().map(Vec::len).sum());
        for mut list in per_gram {
            list.sort_by_key(|p| (p.len, p.string));
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
        // At least `max − 1 − 2d` bigrams in common, for strings of length
        // `n` (none: no distance is acceptable), worked out once per length.
        let needs: Vec<Option<usize>> = (0..self.by_len.len())
            .map(|n| max_distance(m, n).map(|d| (m.max(n) + 1).saturating_sub(2 + 2 * d)))
            .collect();
        let need = |n: usize| needs.get(n).copied().flatten();
        let mut out: Vec<u32> = SHARED.with(|shared| {
            let mut shared = shared.borrow_mut();
            if shared.len() < self.strings.len() {
                shared.resize(self.strings.len(), 0);
            }
            // Only strings of the lengths a distance is acceptable at (a
            // range, for the matcher's rule) are counted.
            let lo = needs
                .iter()
                .position(Option::is_some)
                .unwrap_or(needs.len());
            let hi = needs.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
            let mut touched: Vec<u32> = Vec::new();
            for (g, qn) in counted_grams(query) {
                let list = &self.postings[self.starts[g] as usize..self.starts[g + 1] as usize];
                let from = list.partition_point(|p| usize::from(p.len) < lo);
                let to = list.partition_point(|p| usize::from(p.len) < hi);
                for p in &list[from..to.max(from)] {
                    let slot = &mut shared[p.string as usize];
                    if *slot == 0 {
                        touched.push(p.string);
                    }
                    *slot = slot.saturating_add(qn.min(p.count));
                }
            }
            let kept = touched
                .iter()
                .filter_map(|&sid| {
                    let (name, n) = self.strings[sid as usize];
                    let need = need(n as usize)?;
                    (need > 0 && usize::from(shared[sid as usize]) >= need).then_some(name)
                })
                .collect();
            // The scratch counts go back to zero for the next query.
            for sid in touched {
                shared[sid as usize] = 0;
            }
            kept
        });
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

thread_local! {
    /// Bigram counts per pinyin string, zero between queries: one array per
    /// thread instead of one allocation per query.
    static SHARED: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
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
