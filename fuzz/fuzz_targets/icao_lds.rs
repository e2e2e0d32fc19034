//! ICAO 9303 LDS1 files (EF.COM, DG1, DG2, DG11, DG12, EF.SOD) and X.509 certificates, as
//! the chip's reader decodes them.
#![no_main]
use ktpel_icao_lds::lds::{Com, Dg11, Dg12, Face};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Com::decode(data);
    let _ = ktpel_icao_lds::lds::decode_dg1(data);
    let _ = Face::decode_dg2(data);
    let _ = Dg11::decode(data);
    let _ = Dg12::decode(data);
    let _ = ktpel_icao_lds::sod::parse(data);
    let _ = ktpel_icao_lds::pki::read_certificate(data);
});
