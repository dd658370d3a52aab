//! The audit policy file (`filing-check.toml`): `policy::parse` never
//! panics, its errors render, and a line it reports lies within the text.

#![no_main]

use filing_check::audit::policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match policy::parse(text, "fuzz.toml") {
        Ok(p) => {
            for e in &p.exceptions {
                let _ = e.describe();
                let _ = e.covers("智谱", "GLM");
            }
        }
        Err(e) => {
            let _ = e.to_string();
            if let Some(line) = e.line {
                let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
                assert!(
                    (1..=lines).contains(&line),
                    "error line {line} outside 1..={lines}"
                );
            }
        }
    }
});
