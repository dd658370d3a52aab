//! Name normalisation: `normalize`, `fold` and `pinyin` never panic, and
//! `normalize` is idempotent on the key, as the module documentation claims:
//! `normalize(&normalize(x).key).key == normalize(x).key`.

#![no_main]

use filing_check::normalize;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let k = normalize::normalize(&s);
    let again = normalize::normalize(&k.key);
    assert_eq!(
        again.key, k.key,
        "normalize is not idempotent on the key of {s:?}"
    );
    let _ = normalize::fold(&s);
    let _ = normalize::pinyin(&s);
    let _ = normalize::has_cjk(&s);
});
