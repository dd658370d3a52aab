//! Edit similarity of one query string against many names.
//!
//! The matcher compares a query with every candidate name, thousands of them
//! on a large registry. This is Myers' bit-parallel edit distance (in
//! Hyyrö's formulation): the query's characters become bit masks once, and
//! each comparison is one pass over the name with a few word operations per
//! character. It gives exactly the Levenshtein distance over characters that
//! `strsim::levenshtein` gives (a property test checks), so scores do not
//! change; queries longer than 64 characters use strsim itself.

/// A query string prepared for comparisons.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    text: String,
    len: usize,
    ascii: [u64; 128],
    other: Vec<(char, u64)>,
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        let mut p = Pattern {
            text: text.to_string(),
            len: text.chars().count(),
            ascii: [0; 128],
            other: Vec::new(),
        };
        if p.len <= 64 {
            for (i, c) in text.chars().enumerate() {
                let bit = 1u64 << i;
                if c.is_ascii() {
                    p.ascii[c as usize] |= bit;
                } else if let Some(slot) = p.other.iter_mut().find(|(x, _)| *x == c) {
                    slot.1 |= bit;
                } else {
                    p.other.push((c, bit));
                }
            }
        }
        p
    }

    /// The length in characters.
    pub fn len(&self) -> usize {
        self.len
    }

    fn mask(&self, c: char) -> u64 {
        if c.is_ascii() {
            self.ascii[c as usize]
        } else {
            self.other
                .iter()
                .find(|(x, _)| *x == c)
                .map_or(0, |&(_, m)| m)
        }
    }

    /// The Levenshtein distance to `other`, in characters.
    pub fn distance(&self, other: &str) -> usize {
        if self.len > 64 {
            return strsim::levenshtein(&self.text, other);
        }
        if self.len == 0 {
            return other.chars().count();
        }
        let last = 1u64 << (self.len - 1);
        let mut pv = u64::MAX;
        let mut mv = 0u64;
        let mut score = self.len;
        for c in other.chars() {
            let eq = self.mask(c);
            let xv = eq | mv;
            let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
            let mut ph = mv | !(xh | pv);
            let mut mh = pv & xh;
            if ph & last != 0 {
                score += 1;
            } else if mh & last != 0 {
                score -= 1;
            }
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = mh | !(xv | ph);
            mv = ph & xv;
        }
        score
    }

    /// `strsim::normalized_levenshtein(self, other)`: 1 minus the distance
    /// over the longer length; 1 for two empty strings.
    pub fn similarity(&self, other: &str) -> f64 {
        let other_len = other.chars().count();
        if self.len == 0 && other_len == 0 {
            return 1.0;
        }
        1.0 - (self.distance(other) as f64) / (self.len.max(other_len) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_distances() {
        for (a, b, d) in [
            ("kitten", "sitting", 3),
            ("", "abc", 3),
            ("abc", "", 3),
            ("智谱华章", "智普华章", 1),
            ("星河0042", "星河0043", 1),
            ("xinghe0042", "xinghe1999", 4),
        ] {
            assert_eq!(Pattern::new(a).distance(b), d, "{a} / {b}");
        }
        let long = "长".repeat(70);
        assert_eq!(Pattern::new(&long).distance("长"), 69);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn equals_strsim(a in "[ab智谱x0-2]{0,70}", b in "[ab智谱y0-2]{0,70}") {
            let p = Pattern::new(&a);
            prop_assert_eq!(p.distance(&b), strsim::levenshtein(&a, &b));
            prop_assert_eq!(p.similarity(&b), strsim::normalized_levenshtein(&a, &b));
        }
    }
}
