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

/// The columns `s` takes on a terminal or in a spreadsheet: two for a
/// CJK, Hangul or full-width character (and most emoji), one for others.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// `line` cut into lines at most `width` columns wide, each after the first
/// indented by `indent` spaces: at the last space that fits, else between
/// two characters (a CJK name has no spaces).
pub fn wrap(line: &str, width: usize, indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = line.trim_end().to_string();
    let mut first = true;
    loop {
        let prefix = if first { 0 } else { indent };
        let room = width.saturating_sub(prefix).max(8);
        if display_width(&rest) <= room {
            lines.push(format!("{}{rest}", " ".repeat(prefix)));
            return lines;
        }
        let (mut cut, mut used, mut space) = (0, 0, None);
        for (i, c) in rest.char_indices() {
            let w = display_width(c.encode_utf8(&mut [0; 4]));
            if used + w > room {
                break;
            }
            used += w;
            cut = i + c.len_utf8();
            if c == ' ' && i > 0 {
                space = Some(i);
            }
        }
        let at = space.filter(|&i| i * 2 > cut).unwrap_or(cut);
        lines.push(format!("{}{}", " ".repeat(prefix), rest[..at].trim_end()));
        rest = rest[at..].trim_start().to_string();
        first = false;
        if rest.is_empty() {
            return lines;
        }
    }
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

    #[test]
    fn wrap_keeps_each_line_within_the_width() {
        let line =
            "      source: cac-genai-2024-04, as of 2024-04 (序号 2; row 2 of the transcription)";
        let lines = wrap(line, 60, 8);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| display_width(l) <= 60), "{lines:?}");
        assert_eq!(
            lines.join(" ").split_whitespace().collect::<Vec<_>>(),
            line.split_whitespace().collect::<Vec<_>>()
        );
        let cjk = "  1. 北京智谱华章科技有限公司 · 智谱清言（ChatGLM） (model)";
        assert!(wrap(cjk, 40, 5).iter().all(|l| display_width(l) <= 40));
        assert_eq!(wrap("short", 60, 4), ["short"]);
    }

    #[test]
    fn cjk_and_full_width_characters_take_two_columns() {
        assert_eq!(display_width("GLM"), 3);
        assert_eq!(display_width("智谱AI"), 6);
        assert_eq!(display_width("ＭｉｎｉＭａｘ"), 14);
        assert_eq!(display_width("北京智谱华章科技有限公司"), 24);
    }
}
