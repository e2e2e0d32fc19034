//! IPP: the card printer's answers (RFC 8010), read as the card-printer driver reads them
//! (`parse_answer`: the `ipp` crate's parser, with its panics on malformed answers caught).
#![no_main]
use ktpel_printer_ipp::parse_answer;
use ktpel_printer_ipp::status::{status_message, unsupported_names, JobStatus, PrinterStatus};
use libfuzzer_sys::fuzz_target;

/// libFuzzer's panic hook aborts on every panic, before `parse_answer` can catch one. Panics
/// inside the `ipp` crate's parser are the ones `parse_answer` turns into errors (and its test
/// covers); those unwind as they do in the booth, every other panic still aborts.
fn hook_for_the_ipp_parser() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_ipp = info
                .location()
                .is_some_and(|l| l.file().contains("/ipp-8."));
            if !in_ipp {
                fuzzer_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    hook_for_the_ipp_parser();
    let Ok(response) = parse_answer("ipp://printer", data) else {
        return;
    };
    let printer = PrinterStatus::from_response(&response);
    let _ = printer.not_ready(Some("card"));
    let _ = printer.format_for("application/pdf");
    let _ = printer.formats_text();
    let _ = printer.state_name();
    let _ = JobStatus::from_response(&response);
    let _ = status_message(&response);
    let _ = unsupported_names(&response);
});
