//! The chip profile as `card read` reads it: the profile's files (EF.COM, the data groups,
//! EF.SOD) decoded and checked against each other.
#![no_main]
use ktpel_booth::booth::issuance::PROFILE_FIDS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The files one after another, each behind a 2-byte length, in the profile's order.
    let mut files = Vec::new();
    let mut rest = data;
    for fid in PROFILE_FIDS {
        if rest.len() < 2 {
            break;
        }
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        files.push((fid, rest[2..2 + len].to_vec()));
        rest = &rest[2 + len..];
    }
    let _ = ktpel_booth::card::decode(&files);
});
