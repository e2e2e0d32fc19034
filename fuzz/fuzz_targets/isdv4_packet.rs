//! ISDv4 signature pad: pen and control packets from the serial line.
#![no_main]
use ktpel_signature_isdv4::PacketDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = PacketDecoder::new();
    let packets = decoder.push_all(data);
    let _ = (
        packets.len(),
        decoder.skipped(),
        decoder.resyncs(),
        decoder.pending(),
    );
});
