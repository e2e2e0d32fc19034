//! The centre's and SIAK's replies, read as the booth's centre client reads them.
#![no_main]
use ktpel_booth::domain::resident::Resident;
use ktpel_booth::wire::centre::{IngestReply, RecordHistory, VerdictReply};
use ktpel_booth::wire::http::{parse_reply, read_refusal};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_reply::<Resident>(data);
    let _ = parse_reply::<IngestReply>(data);
    let _ = parse_reply::<RecordHistory>(data);
    if let Ok(reply) = parse_reply::<VerdictReply>(data) {
        for v in reply.verdicts {
            if let Some(p) = v.personalization {
                let _ = p.face_data();
            }
        }
    }
    let _ = read_refusal(http::StatusCode::BAD_REQUEST, data);
});
