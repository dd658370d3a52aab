//! The stored name index, as a registry file gives it: any bytes are refused
//! or read without a panic, and damage that gets past the checksum (the
//! input applied as edits to a real index, then resealed) never makes a
//! lookup panic or hang.

#![no_main]

use std::sync::OnceLock;

use filing_check::matcher::{reseal_index, Matcher, NameIndex};
use filing_check::model::RegimeFilter;
use filing_check::registry::{Location, Registry};
use libfuzzer_sys::fuzz_target;

/// The embedded registry's index, as bytes.
fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
        let registry = Registry::load(&Location::Embedded).expect("embedded registry");
        NameIndex::build(&registry.snapshot).as_bytes().to_vec()
    })
}

const QUERIES: &[&str] = &[
    "智谱AI",
    "zhipu",
    "百度 文心一言",
    "星火",
    "科大讯飞股份有限公司",
    "网信算备110108823483901230031号",
];

fuzz_target!(
    init: {
        base();
    },
    |data: &[u8]| {
        let Some((&mode, rest)) = data.split_first() else {
            return;
        };
        let bytes = if mode & 1 == 0 {
            // Raw bytes: refused, or read.
            rest.to_vec()
        } else {
            // Edits (4-byte offset, xor) to the real index, resealed.
            let mut bytes = base().to_vec();
            for edit in rest.chunks_exact(5) {
                let at = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize;
                let at = 20 + at % (bytes.len() - 20);
                bytes[at] ^= edit[4];
            }
            reseal_index(&mut bytes);
            bytes
        };
        if let Ok(index) = NameIndex::from_bytes(bytes) {
            let m = Matcher::from_index(index);
            for q in QUERIES {
                for f in m.lookup(q, RegimeFilter::Any).matches {
                    let _ = m.index().filing_by_id(f.filing);
                }
            }
        }
    }
);
