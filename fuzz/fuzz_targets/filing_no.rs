//! The filing-number parser: `parse` never panics, `looks_like_number`
//! neither, and a parsed number's canonical spelling parses back to the
//! same number (same `key()`, same regime).

#![no_main]

use filing_check::filing_no;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = filing_no::looks_like_number(&s);
    match filing_no::parse(&s) {
        Ok(n) => {
            let canonical = n.canonical();
            let back = filing_no::parse(&canonical).unwrap_or_else(|e| {
                panic!("{s:?} parsed, but its canonical form {canonical:?} does not: {e}")
            });
            assert_eq!(back.key(), n.key(), "{s:?} -> {canonical:?}");
            assert_eq!(back.regime(), n.regime(), "{s:?} -> {canonical:?}");
            assert!(
                filing_no::looks_like_number(&canonical),
                "canonical {canonical:?} does not look like a number"
            );
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
