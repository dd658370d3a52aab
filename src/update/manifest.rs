//! The notice pages `registry update` looks at: `registry/update-sources.toml`,
//! compiled into the binary so that it works from any directory; `--from
//! URL` replaces it with one page. Pure.

use serde::Deserialize;

use crate::model::Regime;

/// The manifest shipped with the registry.
pub const EMBEDDED: &str = include_str!("../../registry/update-sources.toml");

/// A notice page that publishes official lists.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub url: String,
    /// The regime of its lists, when known (a page given with `--from`
    /// may be either: the import tells by the headers).
    #[serde(default)]
    pub regime: Option<Regime>,
    /// What it publishes, for messages.
    #[serde(default)]
    pub publishes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    page: Vec<Page>,
}

/// Parses a manifest; `name` names it in messages.
pub fn parse(name: &str, text: &str) -> Result<Vec<Page>, String> {
    let m: Manifest = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        match line {
            Some(l) => format!("{name}:{l}: {}", e.message()),
            None => format!("{name}: {}", e.message()),
        }
    })?;
    for p in &m.page {
        if !(p.url.starts_with("http://") || p.url.starts_with("https://")) {
            return Err(format!("{name}: {:?} is not an http(s) address", p.url));
        }
    }
    Ok(m.page)
}

/// The one page `--from URL` names.
pub fn from_url(url: &str) -> Page {
    Page {
        url: url.to_string(),
        regime: None,
        publishes: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_manifest_parses() {
        let pages = parse("registry/update-sources.toml", EMBEDDED).unwrap();
        assert!(pages.iter().any(|p| p.regime == Some(Regime::Genai)
            && p.url == "https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm"));
        assert!(pages
            .iter()
            .any(|p| p.regime == Some(Regime::DeepSynthesis)));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = parse(
            "m.toml",
            "[[page]]\nurl = \"https://x\"\nregime = \"nope\"\n",
        )
        .unwrap_err();
        assert!(err.starts_with("m.toml:3:"), "{err}");
        let err = parse("m.toml", "[[page]]\nurl = \"ftp://x\"\n").unwrap_err();
        assert!(err.contains("not an http(s) address"), "{err}");
    }
}
