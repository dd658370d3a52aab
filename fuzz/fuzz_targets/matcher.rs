//! The matcher over the embedded registry: `lookup_brief` (and, for short
//! queries, the full `lookup` with its explanation) never panics on any
//! string, for every regime filter.

#![no_main]

use std::sync::OnceLock;

use filing_check::matcher::Matcher;
use filing_check::model::{Regime, RegimeFilter};
use filing_check::registry::{Location, Registry};
use libfuzzer_sys::fuzz_target;

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let registry = Registry::load(&Location::Embedded).expect("embedded registry");
        let snapshot = Box::leak(Box::new(registry.snapshot));
        Matcher::new(snapshot)
    })
}

fuzz_target!(
    init: {
        matcher();
    },
    |data: &[u8]| {
        let Some((&mode, rest)) = data.split_first() else {
            return;
        };
        let query = String::from_utf8_lossy(rest);
        let filter = match mode % 3 {
            0 => RegimeFilter::Any,
            1 => RegimeFilter::Only(Regime::Genai),
            _ => RegimeFilter::Only(Regime::DeepSynthesis),
        };
        let m = matcher();
        let _ = m.lookup_brief(&query, filter);
        if mode & 0x80 != 0 {
            let _ = m.lookup(&query, filter);
        }
    }
);
