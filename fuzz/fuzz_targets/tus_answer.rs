//! tus: the upload server's answers (status and headers), read as the booth's tus client
//! reads them, and the header values it parses.
#![no_main]
use http::{HeaderMap, HeaderName, HeaderValue};
use ktpel_tus::client::answer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Two status bytes, then "name: value" lines.
    if data.len() < 2 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]) % 600;
    let text = String::from_utf8_lossy(&data[2..]);
    let mut h = HeaderMap::new();
    for line in text.lines() {
        if let Some((name, value)) = line.split_once(':') {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.trim().as_bytes()),
                HeaderValue::from_str(value.trim()),
            ) {
                h.append(n, v);
            }
        }
    }
    let _ = answer::capabilities(&h);
    let _ = answer::created(status, &h, "http://127.0.0.1:1/uploads/", 1 << 20);
    let _ = answer::progress(status, &h);
    let _ = answer::patched(status, &h, 4096, 4096);
    let _ = answer::refused(status, &data[2..]);
    for v in h.values() {
        if let Ok(v) = v.to_str() {
            let _ = ktpel_tus::proto::parse_checksum(v);
            let _ = ktpel_tus::proto::decode_metadata(v);
        }
    }
});
