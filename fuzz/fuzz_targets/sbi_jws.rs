//! SBI: the JWS compact values devices sign their data with (header, certificate chain,
//! payload, signature), verified as the booth verifies them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ktpel_sbi::jws::verify(text);
        let _ = ktpel_sbi::jws::unverified_payload(text);
    }
    let _ = ktpel_sbi::jws::DeviceCertificate::from_der(data);
});
