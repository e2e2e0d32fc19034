//! The packet's CBEFF BIR list (CBOR), each BIR read back as the booth and the centre do.
#![no_main]
use ktpel_biometric_records::{decode_list, read_face, read_finger, read_iris, Modality};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(birs) = decode_list(data) else {
        return;
    };
    let _ = ktpel_biometric_records::cbeff::check_list(&birs);
    for bir in &birs {
        match bir.check() {
            Ok(Modality::Finger) => drop(read_finger(bir)),
            Ok(Modality::Iris) => drop(read_iris(bir)),
            Ok(Modality::Face) => drop(read_face(bir)),
            Err(_) => {}
        }
    }
});
