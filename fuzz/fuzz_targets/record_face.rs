//! ISO/IEC 19794 face image record (the packet's, in CBEFF): parsed, then its image decoded
//! (JPEG 2000 through OpenJPEG) and checked against the header.
#![no_main]
use ktpel_biometric_records::FaceImageRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = FaceImageRecord::parse(data) {
        let _ = r.to_rgb();
        let _ = r.encode();
    }
});
