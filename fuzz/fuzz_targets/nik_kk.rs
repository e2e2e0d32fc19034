//! NIK and KK numbers as typed or read from SIAK, checked against a fixed "today".
#![no_main]
use ktpel_booth::domain::{KkNumber, Nik};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = jiff::civil::date(2026, 12, 5);
    if let Ok(nik) = Nik::parse(text, today) {
        let _ = (nik.birth_date(), nik.sex(), nik.describe(), nik.masked());
    }
    if let Ok(kk) = KkNumber::parse(text, today) {
        let _ = (kk.issue_date(), kk.masked());
    }
    let _ = ktpel_booth::domain::number::mask(text);
});
