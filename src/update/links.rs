//! The attachment links of a notice page. The CAC's pages link their
//! attachments as `downloadfile.jsp?filepath=…&fText=<title>` or, on older
//! and provincial pages, straight to a .pdf/.docx/.xlsx file. Pure: HTML
//! text and the page's address in, absolute links with their titles out.

use std::sync::OnceLock;

use regex::Regex;

/// An attachment link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Absolute address.
    pub url: String,
    /// The attachment's title: `fText`, else the link's text.
    pub title: String,
}

/// The page's HTML as text: UTF-8, or the charset its `<meta>` declares
/// (GBK/GB2312 on older pages).
pub fn decode_page(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let charset = head.find("charset=").map(|i| &head[i + 8..]).map(|s| {
        s.trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect::<String>()
    });
    let encoding = charset
        .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode(bytes).0.into_owned()
}

fn anchor_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?is)<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>"#,
        )
        .expect("static regex")
    })
}

fn tag_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?s)<[^>]*>").expect("static regex"))
}

const EXTENSIONS: &[&str] = &[
    ".pdf", ".docx", ".doc", ".xlsx", ".xls", ".csv", ".wps", ".et",
];

/// Whether an address is an attachment: the CAC's download script, or a
/// document file.
fn is_attachment(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let path = lower.split(['?', '#']).next().unwrap_or_default();
    lower.contains("downloadfile.jsp") || EXTENSIONS.iter().any(|e| path.ends_with(e))
}

fn comment_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?s)<!--.*?-->").expect("static regex"))
}

/// The attachment links of `html`, absolute against `page`, each once.
/// Links inside HTML comments (an attachment taken down) are not links.
pub fn attachments(html: &str, page: &str) -> Vec<Link> {
    let html = comment_re().replace_all(html, "");
    let mut out: Vec<Link> = Vec::new();
    for c in anchor_re().captures_iter(&html) {
        let raw = c
            .get(1)
            .or_else(|| c.get(2))
            .or_else(|| c.get(3))
            .map_or("", |m| m.as_str());
        let href = unescape(raw.trim());
        // (An unclosed quote leaves the quote at the start of the address:
        // no address.)
        if href.is_empty() || href.starts_with(['#', '"', '\'']) || href.starts_with("javascript:")
        {
            continue;
        }
        if !is_attachment(&href) {
            continue;
        }
        let url = absolute(page, &href);
        let text = unescape(
            tag_re()
                .replace_all(c.get(4).map_or("", |m| m.as_str()), "")
                .trim(),
        );
        let title = query_param(&url, "fText")
            .map(|t| percent_decode(&t))
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(text);
        if !out.iter().any(|l| comparable(&l.url) == comparable(&url)) {
            out.push(Link { url, title });
        }
    }
    out
}

/// An address resolved against the page's.
pub fn absolute(page: &str, href: &str) -> String {
    if href.starts_with("http://") || href.starts_with("https://") {
        return href.to_string();
    }
    let scheme_end = page.find("://").map_or(0, |i| i + 3);
    let scheme = &page[..scheme_end.saturating_sub(3)];
    if let Some(rest) = href.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let host_end = page[scheme_end..]
        .find('/')
        .map_or(page.len(), |i| scheme_end + i);
    let origin = &page[..host_end];
    if href.starts_with('/') {
        return format!("{origin}{href}");
    }
    // Relative to the page's directory, with `./` and `../` resolved.
    let path = page[host_end..].split(['?', '#']).next().unwrap_or("/");
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            "." => {}
            ".." => {
                if parts.len() > 1 {
                    parts.pop();
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if joined.starts_with('/') {
        format!("{origin}{joined}")
    } else {
        format!("{origin}/{joined}")
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// Decodes `%XX` escapes (UTF-8) and `+`.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An address as compared: decoded, without a fragment.
pub fn comparable(url: &str) -> String {
    percent_decode(url.split('#').next().unwrap_or(url)).replace("&amp;", "&")
}

/// HTML entities in attribute values and text.
fn unescape(s: &str) -> String {
    let mut out = s
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ");
    // Numeric references (&#20013;).
    while let Some(start) = out.find("&#") {
        let Some(len) = out[start..].find(';') else {
            break;
        };
        let body = &out[start + 2..start + len];
        let code = match body.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => body.parse().ok(),
        };
        match code.and_then(char::from_u32) {
            Some(c) => out.replace_range(start..=start + len, &c.to_string()),
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm";

    #[test]
    fn cac_download_links_with_their_titles() {
        let html = r#"<p>附件：<A HREF="/cms/pub/interact/downloadfile.jsp?filepath=NUtq/x=&amp;fText=%E7%94%9F%E6%88%90%E5%BC%8F%EF%BC%882026%E5%B9%B48%E6%9C%88%EF%BC%89">生成式（2026年8月）</A></p>
            <a href='//www.cac.gov.cn/files/list.PDF'>清单 &#20013;</a>
            <a href=../../files/batch.docx>第十八批</a>
            <a href="https://www.cac.gov.cn/news.htm">新闻</a>
            <a href="/cms/pub/interact/downloadfile.jsp?filepath=NUtq/x=&fText=%E7%94%9F%E6%88%90%E5%BC%8F%EF%BC%882026%E5%B9%B48%E6%9C%88%EF%BC%89">again</a>"#;
        let links = attachments(html, PAGE);
        assert_eq!(links.len(), 3, "{links:#?}");
        assert_eq!(
            links[0].url,
            "https://www.cac.gov.cn/cms/pub/interact/downloadfile.jsp?filepath=NUtq/x=&fText=%E7%94%9F%E6%88%90%E5%BC%8F%EF%BC%882026%E5%B9%B48%E6%9C%88%EF%BC%89"
        );
        assert_eq!(links[0].title, "生成式（2026年8月）");
        assert_eq!(links[1].url, "https://www.cac.gov.cn/files/list.PDF");
        assert_eq!(links[1].title, "清单 中");
        assert_eq!(links[2].url, "https://www.cac.gov.cn/files/batch.docx");
    }

    #[test]
    fn commented_out_links_and_unclosed_quotes_are_no_attachments() {
        let html = r#"<!-- <a href="/old.pdf">taken down</a> -->
            <a href="/broken.pdf>unclosed quote</a>
            <a href='/after.pdf'>after</a>"#;
        let links = attachments(html, PAGE);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["https://www.cac.gov.cn/after.pdf"], "{links:#?}");
    }

    #[test]
    fn gbk_pages_are_decoded() {
        let (bytes, _, _) = encoding_rs::GBK.encode(
            "<html><head><meta charset=\"gb2312\"></head><a href=\"a.pdf\">清单</a></html>",
        );
        let html = decode_page(&bytes);
        let links = attachments(&html, "http://example.test/dir/page.htm");
        assert_eq!(links[0].title, "清单");
        assert_eq!(links[0].url, "http://example.test/dir/a.pdf");
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("%E7%94%9F"), "生");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("a+b"), "a b");
    }
}
