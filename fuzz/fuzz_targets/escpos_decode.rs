//! ESC/POS: a receipt printer's byte stream decoded into a document (the simulated printer's
//! decoder, which reads what any ESC/POS program sends), and the status bytes a printer
//! answers.
#![no_main]
use ktpel_printer_escpos::RawStatus;
use ktpel_sim::serial::EscposDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let mut decoder = EscposDecoder::new();
    let _ = decoder.push(&data[..cut]);
    let _ = decoder.push(&data[cut..]);
    let _ = decoder.finish();
    if let [printer, offline_cause, paper, ..] = *data {
        let raw = RawStatus {
            printer,
            offline_cause,
            paper,
        };
        let _ = (raw.status(), raw.what_to_do(), raw.describe());
    }
});
