//! ISO/IEC 19794 finger image record (the packet's, in CBEFF): parsed, then its image decoded
//! (JPEG 2000 through OpenJPEG) and checked against the header.
#![no_main]
use ktpel_biometric_records::FingerImageRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = FingerImageRecord::parse(data) {
        let _ = r.to_gray();
        let _ = r.encode();
    }
});
