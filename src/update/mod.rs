//! Keeping up with the regulator: which official attachments on its notice
//! pages the registry has not imported yet, and fetching them.
//!
//! - [`manifest`]: the notice pages to look at (`registry/update-sources.toml`,
//!   compiled in; `--from URL` names one page instead).
//! - [`links`]: the attachment links of a page's HTML. Pure.
//! - [`fetch`]: HTTP: pages and downloads with a `Referer` (the CAC's
//!   download links answer with the file only when one is sent), timeouts,
//!   proxies from the environment, a size limit and a digest.
//!
//! [`new_attachments`] is the plan: the links not yet imported, by URL.
//! After a download, a file whose digest the registry already has is
//! skipped too (the same file at a new address).

pub mod fetch;
pub mod links;
pub mod manifest;

use std::collections::HashSet;

pub use links::Link;

/// The attachments of `links` that the registry has not imported: not by
/// their address (compared decoded, so `%E7…` and `生…` are one).
pub fn new_attachments(links: &[Link], known_urls: &HashSet<String>) -> Vec<Link> {
    let known: HashSet<String> = known_urls.iter().map(|u| links::comparable(u)).collect();
    let mut seen = HashSet::new();
    links
        .iter()
        .filter(|l| {
            let key = links::comparable(&l.url);
            !known.contains(&key) && seen.insert(key)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str) -> Link {
        Link {
            url: url.into(),
            title: String::new(),
        }
    }

    #[test]
    fn known_attachments_are_not_fetched_again() {
        let known: HashSet<String> = [
            "https://www.cac.gov.cn/cms/pub/interact/downloadfile.jsp?filepath=A&fText=%E7%94%9F"
                .into(),
        ]
        .into();
        let links = [
            link("https://www.cac.gov.cn/cms/pub/interact/downloadfile.jsp?filepath=A&fText=生"),
            link("https://www.cac.gov.cn/cms/pub/interact/downloadfile.jsp?filepath=B&fText=x"),
            link("https://www.cac.gov.cn/cms/pub/interact/downloadfile.jsp?filepath=B&fText=x"),
        ];
        let new = new_attachments(&links, &known);
        assert_eq!(new.len(), 1);
        assert!(new[0].url.contains("filepath=B"));
    }
}
