//! SBI preview: the multipart M-JPEG stream a device sends, in pieces.
#![no_main]
use ktpel_sbi::mjpeg::{boundary_of, PartReader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First line: the Content-Type header; then the body, cut where the second byte says.
    let Some(nl) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let (header, body) = (&data[..nl], &data[nl + 1..]);
    let boundary = boundary_of(&String::from_utf8_lossy(header)).unwrap_or_else(|| "frame".into());
    let cut = body.first().map_or(0, |&b| usize::from(b)).min(body.len());
    let mut reader = PartReader::new(&boundary);
    for piece in [&body[..cut], &body[cut..]] {
        reader.push(piece);
        for _ in 0..64 {
            match reader.next_part() {
                Ok(Some(_part)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
});
