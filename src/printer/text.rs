//! Text as the reports show it to people: a value from the user's list cut
//! to a readable length wherever a person, a terminal or a CI log reads it
//! (a 50 MB cell must not be echoed whole to standard error or into a
//! GitHub annotation), and lists capped with a count of the rest.
//!
//! Reports meant to be read back (csv, json, xlsx) keep values whole; only
//! what is echoed is cut.

use std::borrow::Cow;

/// Characters of a value from the list echoed to a person.
pub const ECHO_MAX: usize = 200;

/// Characters of a reason, which quotes the row's values.
pub const REASON_MAX: usize = 500;

/// `s` cut to at most `max` characters, the last of them `…` when cut.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) => {
            let end = s
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(s.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &s[..end]))
        }
    }
}

/// A value from the list as echoed: at most [`ECHO_MAX`] characters.
pub fn echo(s: &str) -> Cow<'_, str> {
    clip(s, ECHO_MAX)
}

/// Whether [`echo`] cuts `s`.
pub fn is_clipped(s: &str) -> bool {
    s.chars().nth(ECHO_MAX).is_some()
}

/// A reason as echoed: at most [`REASON_MAX`] characters.
pub fn reason(s: &str) -> Cow<'_, str> {
    clip(s, REASON_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_cuts_long_text_on_a_character() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("智谱华章", 3), "智谱…");
        assert_eq!(clip("", 0), "");
        assert_eq!(clip("a", 0), "…");
        assert_eq!(echo(&"x".repeat(1000)).chars().count(), ECHO_MAX);
    }
}
