//! PC/SC: the card's answers (response APDUs), its ATR and the FCP templates of its files.
#![no_main]
use ktpel_card_pcsc::apdu::{fcp_file_size, Response};
use ktpel_card_pcsc::atr::Atr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(r) = Response::parse(data) {
        let _ = (r.sw1(), r.sw2(), r.is_ok());
        let _ = fcp_file_size(&r.data);
    }
    if let Ok(atr) = Atr::parse(data) {
        let _ = format!("{atr:?}");
    }
    let _ = fcp_file_size(data);
});
