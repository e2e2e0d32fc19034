//! The card encoder with its virtual card: presence, APDU passing, extended length, tearing,
//! mute cards and the feeder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{CardEncoder, Device, ErrorKind};
use ktpel_sim::{CardFault, SimCardEncoder, VirtualCard};
use std::time::{Duration, Instant};

const T: Duration = Duration::from_millis(100);

fn create(fid: u16, size: u16) -> Vec<u8> {
    let [f1, f2] = fid.to_be_bytes();
    let [s1, s2] = size.to_be_bytes();
    vec![
        0x00, 0xE0, 0x00, 0x00, 0x0D, 0x62, 0x0B, 0x82, 0x01, 0x01, 0x83, 0x02, f1, f2, 0x80, 0x02,
        s1, s2,
    ]
}

fn update_ext(offset: u16, data: &[u8]) -> Vec<u8> {
    let [o1, o2] = offset.to_be_bytes();
    let [l1, l2] = (data.len() as u16).to_be_bytes();
    let mut apdu = vec![0x00, 0xD6, o1, o2, 0x00, l1, l2];
    apdu.extend_from_slice(data);
    apdu
}

fn update_short(offset: u16, data: &[u8]) -> Vec<u8> {
    let [o1, o2] = offset.to_be_bytes();
    let mut apdu = vec![0x00, 0xD6, o1, o2, data.len() as u8];
    apdu.extend_from_slice(data);
    apdu
}

const OK: [u8; 2] = [0x90, 0x00];

#[test]
fn no_card_is_not_present_after_the_timeout() {
    let mut enc = SimCardEncoder::new(1, true);
    let t = Instant::now();
    let e = enc.wait_card(Duration::from_millis(40)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotPresent);
    assert!(t.elapsed() >= Duration::from_millis(40));
    assert_eq!(
        enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap_err().kind,
        ErrorKind::NotPresent
    );
    // The self-test still passes as a reader check.
    let report = enc.self_test().unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    assert!(report.checks.iter().any(|c| c.detail.contains("no card")));
}

#[test]
fn a_card_inserted_while_waiting_is_found() {
    let mut enc = SimCardEncoder::new(1, true);
    let control = enc.control();
    let inserter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        control.insert_card(VirtualCard::new());
    });
    let info = enc.wait_card(Duration::from_secs(5)).unwrap();
    inserter.join().unwrap();
    assert!(info.extended_length);
    assert!(info.reader.starts_with("Sim PC/SC Reader"));
    assert_eq!(info.atr, VirtualCard::new().atr());
}

#[test]
fn encoding_through_the_reader_lands_on_the_card() {
    let mut enc = SimCardEncoder::new(1, true);
    let control = enc.control();
    control.insert_card(VirtualCard::new());
    enc.wait_card(T).unwrap();
    assert_eq!(enc.transmit(&create(0x0101, 3000)).unwrap(), OK);
    let data: Vec<u8> = (0..3000).map(|i| (i % 251) as u8).collect();
    assert_eq!(enc.transmit(&update_ext(0, &data)).unwrap(), OK);
    let r = enc
        .transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x0B, 0xB8])
        .unwrap();
    assert_eq!(&r[..3000], &data[..]);
    assert_eq!(&r[3000..], &OK);
    assert_eq!(
        control
            .with_card(|c| c.file(0x0101).map(<[u8]>::to_vec))
            .flatten()
            .unwrap(),
        data
    );
    let report = enc.self_test().unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    assert!(report
        .checks
        .iter()
        .any(|c| c.name == "select MF" && c.passed));
    enc.release().unwrap();
    assert!(
        control.has_card(),
        "without a feeder the card stays in the reader"
    );
}

#[test]
fn a_short_only_reader_refuses_extended_apdus() {
    let mut enc = SimCardEncoder::new(1, false);
    enc.control().insert_card(VirtualCard::new());
    let info = enc.wait_card(T).unwrap();
    assert!(!info.extended_length);
    assert_eq!(enc.transmit(&create(0x0101, 10)).unwrap(), OK);
    let e = enc.transmit(&update_ext(0, &[1, 2])).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Other);
    assert!(e.message.contains("short"), "{}", e.message);
    assert_eq!(enc.transmit(&update_short(0, &[1, 2])).unwrap(), OK);

    // An extended reader with a short-only card reports no extended support.
    let mut enc = SimCardEncoder::new(1, true);
    enc.control().insert_card(VirtualCard::new().short_only());
    assert!(!enc.wait_card(T).unwrap().extended_length);
}

#[test]
fn a_torn_card_disconnects_until_a_card_is_inserted() {
    let mut enc = SimCardEncoder::new(1, true);
    let control = enc.control();
    control.insert_card(VirtualCard::new());
    enc.wait_card(T).unwrap();
    assert_eq!(enc.transmit(&create(0x0101, 1000)).unwrap(), OK);
    control
        .with_card(|c| c.script(vec![CardFault::TearAfter(700)]))
        .unwrap();
    assert_eq!(enc.transmit(&update_ext(0, &[0xAA; 500])).unwrap(), OK);
    let e = enc.transmit(&update_ext(500, &[0xBB; 500])).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected);
    assert_eq!(
        enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap_err().kind,
        ErrorKind::Disconnected
    );
    assert_eq!(
        enc.wait_card(Duration::from_millis(20)).unwrap_err().kind,
        ErrorKind::NotPresent
    );
    // Half of the torn write landed.
    let file = control
        .with_card(|c| c.file(0x0101).map(<[u8]>::to_vec))
        .flatten()
        .unwrap();
    assert_eq!(file.iter().filter(|&&b| b == 0xBB).count(), 200);
    // Taking the torn card out and putting it back in works, with what landed on it.
    let card = control.remove_card().unwrap();
    control.insert_card(card);
    enc.wait_card(T).unwrap();
    assert_eq!(
        enc.transmit(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x01, 0x01])
            .unwrap(),
        OK
    );
    // Bytes 0..700 landed: byte 699 is the torn write's last, byte 700 was never written.
    let r = enc.transmit(&[0x00, 0xB0, 0x02, 0xBB, 0x02]).unwrap();
    assert_eq!(r, vec![0xBB, 0x00, 0x90, 0x00]);
}

#[test]
fn mute_card_times_out_and_wrong_status_passes_through() {
    let mut enc = SimCardEncoder::new(1, true);
    let control = enc.control();
    let mut card = VirtualCard::new();
    card.script(vec![CardFault::Mute, CardFault::WrongStatus(0x6581)]);
    control.insert_card(card);
    enc.wait_card(T).unwrap();
    assert_eq!(
        enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap_err().kind,
        ErrorKind::Timeout
    );
    assert_eq!(
        enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap(),
        vec![0x65, 0x81]
    );
    assert_eq!(enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap(), OK);
}

#[test]
fn removing_or_replacing_the_card_breaks_the_connection() {
    let mut enc = SimCardEncoder::new(1, true);
    let control = enc.control();
    control.insert_card(VirtualCard::new());
    enc.wait_card(T).unwrap();
    control.remove_card().unwrap();
    assert_eq!(
        enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap_err().kind,
        ErrorKind::Disconnected
    );
    control.insert_card(VirtualCard::new());
    assert_eq!(
        enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap_err().kind,
        ErrorKind::NotPresent,
        "must reconnect"
    );
    enc.wait_card(T).unwrap();
    control.insert_card(VirtualCard::new());
    assert_eq!(
        enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap_err().kind,
        ErrorKind::Disconnected
    );
}

#[test]
fn the_feeder_gives_a_blank_card_per_job_and_keeps_the_ejected_ones() {
    let mut enc = SimCardEncoder::new(1, true);
    let control = enc.control();
    control.set_card_feeder(true);
    for job in 0u8..3 {
        enc.wait_card(T).unwrap();
        assert_eq!(
            enc.transmit(&create(0x0101, 4)).unwrap(),
            OK,
            "a blank card each time"
        );
        assert_eq!(enc.transmit(&update_short(0, &[job; 4])).unwrap(), OK);
        enc.release().unwrap();
        assert!(!control.has_card());
    }
    let ejected = control.ejected_cards();
    assert_eq!(ejected.len(), 3);
    for (job, card) in ejected.iter().enumerate() {
        assert_eq!(card.file(0x0101).unwrap(), &[job as u8; 4]);
    }
}
