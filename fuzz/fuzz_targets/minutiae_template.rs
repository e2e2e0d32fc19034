//! ISO/IEC 19794-2 minutiae templates (the chip's DG3 as the centre builds it).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(views) = ktpel_minutiae::iso19794_2::decode(data) {
        let _ = ktpel_minutiae::iso19794_2::encode(&views, 255);
    }
});
