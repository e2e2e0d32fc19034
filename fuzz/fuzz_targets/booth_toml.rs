//! booth.toml, as the booth reads it at start.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ktpel_booth::config::Config::parse(text, std::path::Path::new("booth.toml"));
    }
});
