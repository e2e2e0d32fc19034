//! ZFM fingerprint module: the frames the scanner sends on its serial line, fed in pieces as
//! the line delivers them, and the system parameters read from one.
#![no_main]
use ktpel_fingerprint_zfm::{FrameDecoder, SysParams};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte says where the line cut the stream.
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut).min(rest.len());
    let mut decoder = FrameDecoder::new();
    for piece in [&rest[..cut], &rest[cut..]] {
        decoder.push(piece);
        while let Some(frame) = decoder.next_frame() {
            if let Ok(frame) = frame {
                let _ = SysParams::parse(&frame.payload);
                let _ = frame.encode();
            }
        }
    }
    let _ = decoder.skipped();
    let _ = SysParams::parse(rest);
});
