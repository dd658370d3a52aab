//! Test harness: runs the real `filing-check` binary in a temporary
//! directory, with a clean environment, and returns what it printed.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Parses standard output as JSON, failing the test with the output
    /// shown if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts that standard output contains every needle.
    #[track_caller]
    pub fn expect_stdout_contains(&self, needles: &[&str]) -> &Self {
        for needle in needles {
            assert!(
                self.stdout.contains(needle),
                "stdout lacks {needle:?}:\n{}",
                self.stdout
            );
        }
        self
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code {} (expected {code})\n--- stdout:\n{}\n--- stderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// A temporary working directory for one test.
pub struct Dir {
    tmp: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Runs `filing-check ARGS…` in this directory.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_filing-check"));
        cmd.args(args)
            .current_dir(self.tmp.path())
            .env_remove("FILING_CHECK_REGISTRY")
            // The user registry lives under the test's own data directory,
            // never the developer's.
            .env("XDG_DATA_HOME", self.tmp.path().join("xdg-data"))
            .env("HOME", self.tmp.path().join("home"))
            .env("NO_COLOR", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run filing-check");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// Runs the binary in a fresh temporary directory.
pub fn run(args: &[&str]) -> Run {
    Dir::new().run(args)
}

/// The distinct values of `field` over a JSON result's `matches`.
pub fn match_field(result: &serde_json::Value, field: &str) -> std::collections::BTreeSet<String> {
    result["matches"]
        .as_array()
        .expect("matches is an array")
        .iter()
        .map(|m| m[field].as_str().expect("a string field").to_string())
        .collect()
}

/// A registry file without the national lists' rows: the seed registry's
/// data and the official lists' definitions (registry/lists.csv), made
/// with `registry init --data`, so that attachments add to it.
pub fn registry_without_the_lists(dir: &Dir, name: &str) -> PathBuf {
    let data = dir.join(&format!("{name}-data"));
    std::fs::create_dir_all(&data).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for f in std::fs::read_dir(root.join("tests/fixtures/seed-registry")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), data.join(f.file_name())).unwrap();
    }
    std::fs::copy(root.join("registry/lists.csv"), data.join("lists.csv")).unwrap();
    let reg = dir.join(&format!("{name}.db"));
    dir.run(&[
        "registry",
        "init",
        "--data",
        data.to_str().unwrap(),
        reg.to_str().unwrap(),
    ])
    .expect_code(0);
    reg
}

/// `filing-check serve` on an ephemeral loopback port, on the embedded
/// registry unless `extra` names one: the child and the URL it printed
/// (without a trailing `/`).
pub fn start_server(extra: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_filing-check"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("FILING_CHECK_REGISTRY")
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("filing-check-serve-test-none"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    // The URL is on the line that says it serves (a line about
    // administration may come first; nothing more comes until it stops).
    let mut out = std::io::BufReader::new(child.stdout.as_mut().unwrap());
    let mut seen = String::new();
    let url = loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("the server printed no URL: {seen:?}");
        }
        if let Some(w) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break w.trim_end_matches('/').to_string();
        }
        seen.push_str(&line);
    };
    (child, url)
}
