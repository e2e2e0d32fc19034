//! SBI device services: every JSON answer the booth reads (discovery, device info, capture,
//! errors), and the strings inside them it parses.
#![no_main]
use ktpel_sbi::wire::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<Vec<DiscoveredDevice>>(data);
    let _ = serde_json::from_slice::<Vec<InfoEntry>>(data);
    let _ = serde_json::from_slice::<DeviceInfoPayload>(data);
    let _ = serde_json::from_slice::<CaptureResponse>(data);
    let _ = serde_json::from_slice::<BiometricData>(data);
    let _ = serde_json::from_slice::<DigitalId>(data);
    let _ = serde_json::from_slice::<ErrorOnly>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = DiscoverType::parse(text);
        let _ = BioType::parse(text);
        let _ = BioSubType::parse(text);
        let _ = DeviceStatus::parse(text).refusal();
        let _ = parse_score(text);
        let _ = ktpel_sbi::SbiCode::parse(text);
        let _ = ktpel_sbi::chain::parse_hex(text);
        let _ = ktpel_sbi::b64::std_or_url_decode(text);
    }
});
