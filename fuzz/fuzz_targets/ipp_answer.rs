//! IPP: the card printer's answers (RFC 8010), read as the card-printer driver reads them
//! (`parse_answer`: the `ipp` crate's parser, with its panics on malformed answers caught).
#![no_main]
use ktpel_printer_ipp::parse_answer;
use ktpel_printer_ipp::status::{status_message, unsupported_names, JobStatus, PrinterStatus};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
