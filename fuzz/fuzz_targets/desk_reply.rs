//! The complaint desk's replies, read as the booth's desk client reads them.
#![no_main]
use ktpel_booth::wire::complaint::{DeskInfo, StatusReply, SubmitReply};
use ktpel_booth::wire::http::{parse_reply, read_refusal};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_reply::<SubmitReply>(data);
    let _ = parse_reply::<StatusReply>(data);
    let _ = parse_reply::<DeskInfo>(data);
    let _ = read_refusal(http::StatusCode::UNPROCESSABLE_ENTITY, data);
});
