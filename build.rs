//! Digests the registry data compiled into the binary, once, at build time:
//! a lookup compares it with the digest stored in `registry/name-index.bin`
//! instead of reading every byte of the data at each start (the test
//! `the_build_digest_is_the_digest_of_the_embedded_data` checks that both
//! ways of computing it agree).

use std::fs;

mod checksum {
    include!("src/matcher/checksum.rs");
}

/// The data files, in the order `registry::embedded::index_inputs_digest`
/// digests them.
const FILES: &[&str] = &[
    "registry/regimes.csv",
    "registry/lists.csv",
    "registry/companies.csv",
    "registry/corroborations.csv",
    "registry/sources.csv",
    "registry/lists/sources.csv",
    "registry/filings.csv",
    "registry/lists/genai.csv",
    "registry/lists/deep-synthesis.csv",
    "registry/aliases.csv",
    "registry/lists/aliases.csv",
    "registry/regions.csv",
];

const BUILDER: &str = "src/matcher/index.rs";

fn main() {
    let mut texts: Vec<String> = Vec::new();
    for f in FILES {
        println!("cargo:rerun-if-changed={f}");
        texts.push(fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}")));
    }
    println!("cargo:rerun-if-changed={BUILDER}");
    let builder = fs::read_to_string(BUILDER).expect("src/matcher/index.rs");
    let version = builder
        .split("pub const BUILDER_VERSION: &str = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("BUILDER_VERSION in src/matcher/index.rs")
        .to_string();
    texts.push(version);
    let parts: Vec<&str> = texts.iter().map(String::as_str).collect();
    println!(
        "cargo:rustc-env=FILING_CHECK_DATA_DIGEST={}",
        checksum::digest(&parts)
    );
}
