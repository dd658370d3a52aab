//! `filing-check registry update`: look at the regulator's notice pages,
//! download the attachments the registry has not imported, and import
//! them, saying what changed. Without network it says so in one line and
//! changes nothing (exit 2).

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use filing_check::registry::{Location, Registry};
use filing_check::update::fetch::{Client, FetchError, Options};
use filing_check::update::{self, manifest};

use super::super::{Ctx, Exit, UsageError};
use super::import;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Look at this notice page instead of the pages of the manifest
    /// (repeatable).
    #[arg(long = "from", value_name = "URL")]
    from: Vec<String>,

    /// A manifest of notice pages instead of the one compiled in
    /// (registry/update-sources.toml).
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,

    /// Say which attachments are new; download and import nothing.
    #[arg(long)]
    dry_run: bool,

    /// The largest attachment accepted, in MB.
    #[arg(long, value_name = "MB", default_value_t = 50)]
    max_size: u64,

    /// Seconds a request may take, body included.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    timeout: u64,
}

pub fn run(args: Args, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<Exit> {
    // Validate everything before touching the network or the registry.
    let pages = if !args.from.is_empty() {
        for u in &args.from {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(UsageError(format!("--from {u:?} is not an http(s) address")).into());
            }
        }
        args.from.iter().map(|u| manifest::from_url(u)).collect()
    } else if let Some(path) = &args.manifest {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("{}: cannot read: {e}", path.display())))?;
        manifest::parse(&path.display().to_string(), &text).map_err(UsageError)?
    } else {
        manifest::parse("registry/update-sources.toml", manifest::EMBEDDED).map_err(UsageError)?
    };
    let target = super::writable_target(ctx, None)?;
    // What the registry already holds: its sources' addresses and digests.
    let held = Registry::load(&if target.exists() {
        Location::File(target.clone())
    } else {
        Location::Embedded
    })?;
    let known_urls: HashSet<String> = held
        .snapshot
        .sources
        .iter()
        .filter_map(|s| s.url.clone())
        .collect();
    let mut known_digests: HashSet<String> = held
        .snapshot
        .sources
        .iter()
        .filter_map(|s| s.sha256.clone())
        .collect();
    drop(held);

    let client = Client::new(Options {
        connect_timeout: Duration::from_secs(args.timeout.clamp(1, 15)),
        timeout: Duration::from_secs(args.timeout.max(1)),
        max_bytes: args.max_size.saturating_mul(1 << 20),
    });
    let mut failures = 0usize;
    let mut imported = 0usize;
    let mut listed = 0usize;
    let dir = std::env::temp_dir().join(format!("filing-check-update-{}", std::process::id()));
    for page in &pages {
        let fetched = match client.page(&page.url) {
            Ok(p) => p,
            Err(FetchError::Offline { host, why }) => return offline(&dir, &host, &why, "nothing"),
            Err(e) => {
                writeln!(out, "{}: not read: {e}", page.url)?;
                failures += 1;
                continue;
            }
        };
        let links = update::links::attachments(&fetched.html, &page.url);
        listed += links.len();
        let new = update::new_attachments(&links, &known_urls);
        writeln!(
            out,
            "{}: {} attachment(s), {} not imported yet",
            page.url,
            links.len(),
            new.len()
        )?;
        for link in new {
            if args.dry_run {
                writeln!(out, "  would fetch {} — {}", link.title, link.url)?;
                continue;
            }
            let got = match client.download(&link.url, &page.url, &dir) {
                Ok(d) => d,
                Err(FetchError::Offline { host, why }) => {
                    return offline(&dir, &host, &why, "nothing more")
                }
                Err(e) => {
                    writeln!(out, "  {}: not downloaded: {e}", link.title)?;
                    failures += 1;
                    continue;
                }
            };
            // A download link that answers with a web page (an error page
            // served as 200: a refused Referer, an expired link) is no list.
            if is_web_page(&got.path) {
                let _ = std::fs::remove_file(&got.path);
                writeln!(
                    out,
                    "  {}: the server answered with a web page, not a list (an expired link, or a download refused); not imported",
                    link.title
                )?;
                failures += 1;
                continue;
            }
            if !known_digests.insert(got.sha256.clone()) {
                writeln!(
                    out,
                    "  {}: the same file as one imported before (sha256 {}…); skipped",
                    link.title,
                    &got.sha256[..12]
                )?;
                continue;
            }
            writeln!(
                out,
                "  {}: downloaded {} bytes (sha256 {}…)",
                link.title,
                got.bytes,
                &got.sha256[..12]
            )?;
            let title = Some(link.title.clone()).filter(|t| !t.trim().is_empty());
            let import_args =
                import::Args::for_attachment(got.path.clone(), link.url.clone(), title);
            let mut buf = Vec::new();
            match import::run(import_args, ctx, &mut buf) {
                Ok(_) => {
                    imported += 1;
                    for line in String::from_utf8_lossy(&buf).lines() {
                        writeln!(out, "    {line}")?;
                    }
                }
                Err(e) => {
                    failures += 1;
                    writeln!(out, "  {}: not imported: {e:#}", link.title)?;
                }
            }
            let _ = std::fs::remove_file(&got.path);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    writeln!(
        out,
        "checked {} page(s), {listed} attachment(s): {imported} imported{}.",
        pages.len(),
        if failures > 0 {
            format!(", {failures} failed (see above; nothing of those changed)")
        } else {
            String::new()
        }
    )?;
    Ok(if failures > 0 { Exit::Usage } else { Exit::Ok })
}

/// No network: one line, the downloads so far removed, exit 2.
fn offline(dir: &std::path::Path, host: &str, why: &str, what: &str) -> anyhow::Result<Exit> {
    let _ = std::fs::remove_dir_all(dir);
    writeln!(
        std::io::stderr(),
        "filing-check: no network: cannot reach {host} ({why}); {what} changed"
    )?;
    Ok(Exit::Usage)
}

/// Whether a downloaded file is an HTML page.
fn is_web_page(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..n]).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("<!doctype html") || text.starts_with("<html")
}
