//! HTTP for `registry update`: notice pages and attachment downloads.
//!
//! One agent, built once: connect and overall timeouts, HTTPS proxies from
//! the environment (`HTTPS_PROXY`, `ALL_PROXY`…), a User-Agent naming the
//! tool. A download sends the page as `Referer` (the CAC answers without
//! one with an error page), streams into a temporary file beside its
//! destination under a size limit, checks the length the server announced,
//! and records the SHA-256; a download that fails leaves nothing behind.
//! Errors are typed so the command can tell "no network" (one line, exit 2)
//! from a server's answer.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// How a fetch is made.
#[derive(Clone, Debug)]
pub struct Options {
    pub connect_timeout: Duration,
    /// For a whole request, body included.
    pub timeout: Duration,
    /// The largest attachment accepted, in bytes.
    pub max_bytes: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(120),
            max_bytes: 50 << 20,
        }
    }
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The host cannot be reached at all: no network (or none to it).
    #[error("no network: cannot reach {host} ({why})")]
    Offline { host: String, why: String },
    #[error("{url}: the server answered HTTP {code}")]
    Status { url: String, code: u16 },
    #[error("{url}: no answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("{url}: larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: the download was cut short ({got} of {expected} bytes)")]
    Truncated {
        url: String,
        got: u64,
        expected: u64,
    },
    #[error("{url}: {message}")]
    Other { url: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// A page fetched.
#[derive(Clone, Debug)]
pub struct Page {
    pub url: String,
    pub html: String,
}

/// An attachment downloaded.
#[derive(Clone, Debug)]
pub struct Downloaded {
    pub url: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
}

/// Fetches pages and attachments.
pub struct Client {
    agent: ureq::Agent,
    options: Options,
}

fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .and_then(|r| r.split(['/', '?', '#']).next())
        .unwrap_or(url)
        .to_string()
}

impl Client {
    pub fn new(options: Options) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(concat!(
                "filing-check/",
                env!("CARGO_PKG_VERSION"),
                " (+registry update)"
            ))
            .build();
        Client {
            agent: config.into(),
            options,
        }
    }

    fn error(&self, url: &str, e: ureq::Error) -> FetchError {
        match e {
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => FetchError::Offline {
                host: host_of(url),
                why: e.to_string(),
            },
            ureq::Error::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::NetworkUnreachable
                        | std::io::ErrorKind::HostUnreachable
                        | std::io::ErrorKind::AddrNotAvailable
                ) =>
            {
                FetchError::Offline {
                    host: host_of(url),
                    why: io.to_string(),
                }
            }
            ureq::Error::Timeout(_) => FetchError::Timeout {
                url: url.to_string(),
                secs: self.options.timeout.as_secs().max(1),
            },
            ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
                url: url.to_string(),
                limit: self.options.max_bytes,
            },
            other => FetchError::Other {
                url: url.to_string(),
                message: other.to_string(),
            },
        }
    }

    /// A notice page, decoded from its charset.
    pub fn page(&self, url: &str) -> Result<Page, FetchError> {
        let mut resp = self.agent.get(url).call().map_err(|e| self.error(url, e))?;
        let code = resp.status().as_u16();
        if code != 200 {
            return Err(FetchError::Status {
                url: url.to_string(),
                code,
            });
        }
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(self.options.max_bytes)
            .read_to_vec()
            .map_err(|e| self.error(url, e))?;
        Ok(Page {
            url: url.to_string(),
            html: super::links::decode_page(&bytes),
        })
    }

    /// Downloads `url` into `dir`, sending `referer`.
    pub fn download(&self, url: &str, referer: &str, dir: &Path) -> Result<Downloaded, FetchError> {
        let mut resp = self
            .agent
            .get(url)
            .header("Referer", referer)
            .call()
            .map_err(|e| self.error(url, e))?;
        let code = resp.status().as_u16();
        if code != 200 {
            return Err(FetchError::Status {
                url: url.to_string(),
                code,
            });
        }
        let expected = resp.body().content_length();
        if expected.is_some_and(|n| n > self.options.max_bytes) {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit: self.options.max_bytes,
            });
        }
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| FetchError::Io { path, source }
        };
        fs::create_dir_all(dir).map_err(io(dir))?;
        let name = format!(
            "attachment-{}.part",
            &hex(&Sha256::digest(url.as_bytes()))[..16]
        );
        let part = dir.join(name);
        let result = (|| {
            let mut file = fs::File::create(&part).map_err(io(&part))?;
            let mut reader = resp
                .body_mut()
                .with_config()
                .limit(self.options.max_bytes)
                .reader();
            let mut hasher = Sha256::new();
            let mut got = 0u64;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) => {
                        // A body cut off before its announced length.
                        if let Some(expected) = expected.filter(|&n| got < n) {
                            return Err(FetchError::Truncated {
                                url: url.to_string(),
                                got,
                                expected,
                            });
                        }
                        return Err(
                            match e
                                .into_inner()
                                .and_then(|i| i.downcast::<ureq::Error>().ok())
                            {
                                Some(u) => self.error(url, *u),
                                None => FetchError::Other {
                                    url: url.to_string(),
                                    message: "the download failed".into(),
                                },
                            },
                        );
                    }
                };
                got += n as u64;
                if got > self.options.max_bytes {
                    return Err(FetchError::TooLarge {
                        url: url.to_string(),
                        limit: self.options.max_bytes,
                    });
                }
                hasher.update(&buf[..n]);
                file.write_all(&buf[..n]).map_err(io(&part))?;
            }
            if let Some(expected) = expected.filter(|&n| n != got) {
                return Err(FetchError::Truncated {
                    url: url.to_string(),
                    got,
                    expected,
                });
            }
            file.sync_all().map_err(io(&part))?;
            Ok((got, hex(&hasher.finalize())))
        })();
        match result {
            Ok((bytes, sha256)) => {
                let path = dir.join(format!("attachment-{}", &sha256[..16]));
                fs::rename(&part, &path).map_err(io(&path))?;
                Ok(Downloaded {
                    url: url.to_string(),
                    path,
                    bytes,
                    sha256,
                })
            }
            Err(e) => {
                let _ = fs::remove_file(&part);
                Err(e)
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
