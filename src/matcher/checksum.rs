// (Included by `codec.rs` and by `build.rs`: plain functions, no imports.)

/// A 64-bit checksum over 8-byte words in four independent lanes: cheap (a
/// fraction of a millisecond for a large index) and enough to notice damage;
/// not a defence against anyone who means harm.
pub fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, w: u64| (h ^ w).wrapping_mul(K).rotate_left(29);
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let mut lanes = [bytes.len() as u64, 1, 2, 3];
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = mix(*lane, word(&b[i * 8..i * 8 + 8]));
        }
    }
    let mut h = lanes.iter().fold(0, |h, &l| mix(h, l));
    for &b in blocks.remainder() {
        h = mix(h, u64::from(b));
    }
    h ^ (h >> 31)
}

/// A digest of several texts (the inputs an index was built from), with the
/// same cheap checksum.
pub fn digest(parts: &[&str]) -> u64 {
    let mut all = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for p in parts {
        all.extend_from_slice(p.as_bytes());
        all.push(0);
    }
    checksum(&all)
}
