//! SBI: the ISO/IEC 19794 records devices put in bioValue, read and their images decoded as
//! the SBI driver does.
#![no_main]
use ktpel_sbi::iso::{FaceImageRecord, FingerImageRecord, IrisImageRecord};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = FingerImageRecord::decode(data) {
        let _ = r.to_gray();
    }
    if let Ok(r) = IrisImageRecord::decode(data) {
        let _ = r.to_gray();
    }
    if let Ok(r) = FaceImageRecord::decode(data) {
        let _ = r.check_image();
        let _ = r.jpeg2000_as_png();
    }
});
