//! BER-TLV as the card's files hold it, nested values parsed down to the leaves.
#![no_main]
use libfuzzer_sys::fuzz_target;

fn walk(bytes: &[u8], depth: usize) {
    if depth > 8 {
        return;
    }
    if let Ok(all) = ktpel_ber_tlv::parse_all(bytes) {
        for t in all {
            walk(t.value, depth + 1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    walk(data, 0);
    let _ = ktpel_ber_tlv::parse_at(data, 0);
});
