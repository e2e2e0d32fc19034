#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn sw_of(r: &[u8]) -> u16 {
    u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]])
}

fn data_of(r: &[u8]) -> &[u8] {
    &r[..r.len() - 2]
}

fn create_apdu(fid: u16, size: u16) -> Vec<u8> {
    let [f1, f2] = fid.to_be_bytes();
    let [s1, s2] = size.to_be_bytes();
    let fcp = [
        0x62, 0x0B, 0x82, 0x01, 0x01, 0x83, 0x02, f1, f2, 0x80, 0x02, s1, s2,
    ];
    let mut apdu = vec![0x00, 0xE0, 0x00, 0x00, fcp.len() as u8];
    apdu.extend_from_slice(&fcp);
    apdu
}

fn select(fid: u16) -> Vec<u8> {
    let [f1, f2] = fid.to_be_bytes();
    vec![0x00, 0xA4, 0x00, 0x0C, 0x02, f1, f2]
}

fn read_short(offset: u16, le: u8) -> Vec<u8> {
    let [o1, o2] = offset.to_be_bytes();
    vec![0x00, 0xB0, o1, o2, le]
}

fn read_ext(offset: u16, le: u16) -> Vec<u8> {
    let [o1, o2] = offset.to_be_bytes();
    let [l1, l2] = le.to_be_bytes();
    vec![0x00, 0xB0, o1, o2, 0x00, l1, l2]
}

fn update_short(offset: u16, data: &[u8]) -> Vec<u8> {
    let [o1, o2] = offset.to_be_bytes();
    let mut apdu = vec![0x00, 0xD6, o1, o2, data.len() as u8];
    apdu.extend_from_slice(data);
    apdu
}

fn update_ext(offset: u16, data: &[u8]) -> Vec<u8> {
    let [o1, o2] = offset.to_be_bytes();
    let [l1, l2] = (data.len() as u16).to_be_bytes();
    let mut apdu = vec![0x00, 0xD6, o1, o2, 0x00, l1, l2];
    apdu.extend_from_slice(data);
    apdu
}

/// A card with EF 0101 of `size` bytes, selected.
fn card_with_file(size: u16) -> VirtualCard {
    let mut card = VirtualCard::new();
    assert_eq!(
        sw_of(&card.process_apdu(&create_apdu(0x0101, size))),
        sw::OK
    );
    card
}

#[test]
fn atr_is_well_formed_and_tells_extended_support() {
    let atr = VirtualCard::new().atr();
    assert_eq!(atr[0], 0x3B);
    let k = usize::from(atr[1] & 0x0F);
    assert_eq!(atr.len(), 2 + 2 + k + 1, "TS T0 TD1 TD2 historical TCK");
    assert_eq!(atr[1..].iter().fold(0, |x, b| x ^ b), 0, "TCK");
    assert_eq!(atr[atr.len() - 2], 0x40);
    let short = VirtualCard::new().short_only().atr();
    assert_eq!(short[short.len() - 2], 0x00);
}

#[test]
fn create_select_update_read_short() {
    let mut card = card_with_file(300);
    assert_eq!(card.current_ef(), Some(0x0101));
    assert_eq!(card.file(0x0101).unwrap(), &[0u8; 300][..]);
    let data: Vec<u8> = (0..200).map(|i| i as u8).collect();
    assert_eq!(sw_of(&card.process_apdu(&update_short(0, &data))), sw::OK);
    assert_eq!(
        sw_of(&card.process_apdu(&update_short(200, &[7; 100]))),
        sw::OK
    );
    // Select the MF, the application (the EFs are in it) and the file again.
    assert_eq!(card.process_apdu(&select(MF)), vec![0x90, 0x00]);
    assert_eq!(card.current_ef(), None);
    assert_eq!(card.process_apdu(&select_lds1(0x0C)), vec![0x90, 0x00]);
    assert_eq!(card.process_apdu(&select(0x0101)), vec![0x90, 0x00]);
    let r = card.process_apdu(&read_short(0, 200));
    assert_eq!((data_of(&r), sw_of(&r)), (&data[..], sw::OK));
    // Le = 00 means 256.
    let r = card.process_apdu(&read_short(0, 0));
    assert_eq!((data_of(&r).len(), sw_of(&r)), (256, sw::OK));
    assert_eq!(&data_of(&r)[200..], &[7; 56][..]);
}

#[test]
fn extended_update_and_read() {
    let mut card = card_with_file(4000);
    let data: Vec<u8> = (0..4000).map(|i| (i * 7) as u8).collect();
    assert_eq!(sw_of(&card.process_apdu(&update_ext(0, &data))), sw::OK);
    let r = card.process_apdu(&read_ext(0, 4000));
    assert_eq!((data_of(&r), sw_of(&r)), (&data[..], sw::OK));
    // Extended Le 0000 means 65536: the whole file, then end of file.
    let r = card.process_apdu(&read_ext(1000, 0));
    assert_eq!((data_of(&r), sw_of(&r)), (&data[1000..], sw::END_OF_FILE));
    // Case 4 extended (Lc and a 2-byte Le) is accepted for UPDATE too.
    let mut apdu = update_ext(10, &[1, 2, 3]);
    apdu.extend_from_slice(&[0x00, 0x00]);
    assert_eq!(sw_of(&card.process_apdu(&apdu)), sw::OK);
    assert_eq!(&card.file(0x0101).unwrap()[10..13], &[1, 2, 3]);
}

#[test]
fn read_past_the_end() {
    let mut card = card_with_file(10);
    card.process_apdu(&update_short(0, &[1; 10]));
    let r = card.process_apdu(&read_short(4, 20));
    assert_eq!((data_of(&r), sw_of(&r)), (&[1u8; 6][..], sw::END_OF_FILE));
    let r = card.process_apdu(&read_short(10, 1));
    assert_eq!((data_of(&r).len(), sw_of(&r)), (0, sw::END_OF_FILE));
    assert_eq!(card.process_apdu(&read_short(11, 1)), vec![0x6B, 0x00]);
    assert_eq!(card.process_apdu(&read_ext(11, 1)), vec![0x6B, 0x00]);
}

#[test]
fn writes_past_the_end_are_refused_not_truncated() {
    let mut card = card_with_file(10);
    assert_eq!(
        card.process_apdu(&update_short(8, &[9, 9, 9])),
        vec![0x67, 0x00]
    );
    assert_eq!(
        card.process_apdu(&update_ext(8, &[9, 9, 9])),
        vec![0x67, 0x00]
    );
    assert_eq!(
        card.file(0x0101).unwrap(),
        &[0u8; 10][..],
        "nothing written"
    );
    assert_eq!(card.process_apdu(&update_short(11, &[1])), vec![0x6B, 0x00]);
    assert_eq!(sw_of(&card.process_apdu(&update_short(9, &[5]))), sw::OK);
}

#[test]
fn select_with_fcp() {
    let mut card = card_with_file(0x0123);
    let r = card.process_apdu(&[0x00, 0xA4, 0x00, 0x00, 0x02, 0x01, 0x01, 0x00]);
    assert_eq!(sw_of(&r), sw::OK);
    assert_eq!(
        data_of(&r),
        &[
            0x62, 0x0E, 0x82, 0x01, 0x01, 0x83, 0x02, 0x01, 0x01, 0x80, 0x02, 0x01, 0x23, 0x8A,
            0x01, 0x03
        ]
    );
    // Without Le (case 3) the FCP is still returned.
    let r = card.process_apdu(&[0x00, 0xA4, 0x00, 0x00, 0x02, 0x01, 0x01]);
    assert_eq!(data_of(&r).len(), 16);
    // Le too short: 6C with the right length.
    let r = card.process_apdu(&[0x00, 0xA4, 0x00, 0x00, 0x02, 0x01, 0x01, 0x04]);
    assert_eq!(r, vec![0x6C, 0x10]);
    // The MF, by FID and with no data.
    let r = card.process_apdu(&[0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00]);
    assert_eq!(&data_of(&r)[..5], &[0x62, 0x07, 0x82, 0x01, 0x38]);
    assert_eq!(
        card.process_apdu(&[0x00, 0xA4, 0x00, 0x0C]),
        vec![0x90, 0x00]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xA4, 0x00, 0x0C, 0x00, 0x00, 0x02, 0x3F, 0x00]),
        vec![0x90, 0x00]
    );
}

#[test]
fn select_errors() {
    let mut card = card_with_file(5);
    assert_eq!(card.process_apdu(&select(0x0202)), vec![0x6A, 0x82]);
    assert_eq!(
        card.current_ef(),
        Some(0x0101),
        "a failed select keeps the current EF"
    );
    // By DF name: only the LDS1 application is known.
    assert_eq!(
        card.process_apdu(&[0x00, 0xA4, 0x04, 0x0C, 0x02, 0x01, 0x01]),
        vec![0x6A, 0x82]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xA4, 0x00, 0x01, 0x02, 0x01, 0x01]),
        vec![0x6A, 0x86]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xA4, 0x00, 0x0C, 0x03, 0x01, 0x01, 0x01]),
        vec![0x67, 0x00]
    );
}

#[test]
fn create_errors_and_budget() {
    let mut card = VirtualCard::new();
    assert_eq!(sw_of(&card.process_apdu(&create_apdu(0x0101, 100))), sw::OK);
    assert_eq!(
        card.process_apdu(&create_apdu(0x0101, 10)),
        vec![0x6A, 0x89]
    );
    assert_eq!(card.process_apdu(&create_apdu(MF, 10)), vec![0x6A, 0x89]);
    assert_eq!(card.used_bytes(), 100 + FILE_OVERHEAD_BYTES);
    // Exactly filling the 8 KB works; one byte more does not.
    let rest = (DEFAULT_EEPROM_BYTES - card.used_bytes() - FILE_OVERHEAD_BYTES) as u16;
    assert_eq!(
        card.process_apdu(&create_apdu(0x0102, rest + 1)),
        vec![0x6A, 0x84]
    );
    assert_eq!(
        sw_of(&card.process_apdu(&create_apdu(0x0102, rest))),
        sw::OK
    );
    assert_eq!(card.free_bytes(), 0);
    assert_eq!(card.process_apdu(&create_apdu(0x0103, 0)), vec![0x6A, 0x84]);
    // Malformed FCPs.
    let mut bad = create_apdu(0x0104, 1);
    bad[5] = 0x63; // not an FCP template
    assert_eq!(card.process_apdu(&bad), vec![0x6A, 0x80]);
    let mut bad = create_apdu(0x0104, 1);
    bad[9] = 0x38; // a DF descriptor
    assert_eq!(card.process_apdu(&bad), vec![0x6A, 0x80]);
    let no_size = [
        0x00, 0xE0, 0x00, 0x00, 0x06, 0x62, 0x04, 0x83, 0x02, 0x01, 0x05,
    ];
    assert_eq!(card.process_apdu(&no_size), vec![0x6A, 0x80]);
    let truncated = [0x00, 0xE0, 0x00, 0x00, 0x04, 0x62, 0x09, 0x83, 0x02];
    assert_eq!(card.process_apdu(&truncated), vec![0x6A, 0x80]);
    // A length in a longer form than needed (81 0B for 0B): the chip profile's codec refuses
    // it, and so does the card, which reads FCPs with the same codec.
    let fcp = [
        0x62, 0x81, 0x0B, 0x82, 0x01, 0x01, 0x83, 0x02, 0x01, 0x06, 0x80, 0x02, 0x00, 0x01,
    ];
    let mut long_form = vec![0x00, 0xE0, 0x00, 0x00, fcp.len() as u8];
    long_form.extend_from_slice(&fcp);
    assert_eq!(card.process_apdu(&long_form), vec![0x6A, 0x80]);
    assert_eq!(
        card.process_apdu(&[0x00, 0xE0, 0x00, 0x00]),
        vec![0x67, 0x00]
    );
    let mut p1 = create_apdu(0x0104, 1);
    p1[2] = 1;
    assert_eq!(card.process_apdu(&p1), vec![0x6A, 0x86]);
}

#[test]
fn create_accepts_one_byte_size_and_extended_lc() {
    let mut card = VirtualCard::new();
    let fcp = [0x62, 0x07, 0x83, 0x02, 0x0A, 0x0B, 0x80, 0x01, 0x20];
    let mut apdu = vec![0x00, 0xE0, 0x00, 0x00, 0x00, 0x00, fcp.len() as u8];
    apdu.extend_from_slice(&fcp);
    assert_eq!(card.process_apdu(&apdu), vec![0x90, 0x00]);
    assert_eq!(card.file(0x0A0B).map(<[u8]>::len), Some(0x20));
}

#[test]
fn delete_by_fid_and_current() {
    let mut card = card_with_file(50);
    assert_eq!(sw_of(&card.process_apdu(&create_apdu(0x0102, 50))), sw::OK);
    let used = card.used_bytes();
    assert_eq!(
        card.process_apdu(&[0x00, 0xE4, 0x00, 0x00, 0x02, 0x01, 0x01]),
        vec![0x90, 0x00]
    );
    assert!(card.file(0x0101).is_none());
    assert_eq!(card.used_bytes(), used - 50 - FILE_OVERHEAD_BYTES);
    assert_eq!(
        card.current_ef(),
        Some(0x0102),
        "deleting another EF keeps the current one"
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xE4, 0x00, 0x00]),
        vec![0x90, 0x00]
    );
    assert!(card.contents().is_empty());
    assert_eq!(card.current_ef(), None);
    assert_eq!(
        card.process_apdu(&[0x00, 0xE4, 0x00, 0x00]),
        vec![0x69, 0x86]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xE4, 0x00, 0x00, 0x02, 0x01, 0x01]),
        vec![0x6A, 0x82]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xE4, 0x00, 0x00, 0x02, 0x3F, 0x00]),
        vec![0x69, 0x85]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xE4, 0x00, 0x00, 0x01, 0x01]),
        vec![0x67, 0x00]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xE4, 0x01, 0x00, 0x02, 0x01, 0x01]),
        vec![0x6A, 0x86]
    );
}

#[test]
fn no_current_ef() {
    let mut card = VirtualCard::new();
    assert_eq!(card.process_apdu(&read_short(0, 1)), vec![0x69, 0x86]);
    assert_eq!(card.process_apdu(&update_short(0, &[1])), vec![0x69, 0x86]);
    assert_eq!(card.process_apdu(&read_ext(0, 1)), vec![0x69, 0x86]);
}

#[test]
fn malformed_and_unknown_commands() {
    let mut card = card_with_file(10);
    assert_eq!(card.process_apdu(&[0x00, 0xB0]), vec![0x67, 0x00]);
    assert_eq!(
        card.process_apdu(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x01]),
        vec![0x67, 0x00]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xD6, 0x00, 0x00, 0x03, 0x01]),
        vec![0x67, 0x00]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xB0, 0x00, 0x00]),
        vec![0x67, 0x00],
        "READ without Le"
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xD6, 0x00, 0x00]),
        vec![0x67, 0x00],
        "UPDATE without data"
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xB0, 0x00, 0x00, 0x01, 0x01, 0x01]),
        vec![0x67, 0x00],
        "READ with data"
    );
    assert_eq!(
        card.process_apdu(&[0x80, 0xB0, 0x00, 0x00, 0x01]),
        vec![0x6E, 0x00]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xCA, 0x00, 0x00, 0x01]),
        vec![0x6D, 0x00]
    );
    assert_eq!(
        card.process_apdu(&[0x00, 0xB0, 0x81, 0x00, 0x01]),
        vec![0x6A, 0x86],
        "no SFI"
    );
}

#[test]
fn short_only_card_refuses_extended_apdus() {
    let mut card = VirtualCard::new().short_only();
    assert!(!card.supports_extended_length());
    assert_eq!(sw_of(&card.process_apdu(&create_apdu(0x0101, 10))), sw::OK);
    assert_eq!(card.process_apdu(&read_ext(0, 4)), vec![0x67, 0x00]);
    assert_eq!(card.process_apdu(&update_ext(0, &[1])), vec![0x67, 0x00]);
    assert_eq!(sw_of(&card.process_apdu(&read_short(0, 4))), sw::OK);
}

#[test]
fn tear_writes_only_the_budget_then_the_card_is_gone() {
    let mut card = card_with_file(100);
    card.script(vec![CardFault::TearAfter(30)]);
    assert_eq!(
        card.exchange(&update_short(0, &[1; 20])),
        CardReply::Response(vec![0x90, 0x00])
    );
    assert_eq!(card.exchange(&update_short(20, &[2; 20])), CardReply::Torn);
    assert!(card.is_torn());
    let file = card.file(0x0101).unwrap();
    assert_eq!(&file[..20], &[1; 20]);
    assert_eq!(
        &file[20..30],
        &[2; 10],
        "the first 10 bytes of the torn write landed"
    );
    assert_eq!(&file[30..40], &[0; 10]);
    assert_eq!(card.exchange(&select(MF)), CardReply::Torn);
    assert!(card.process_apdu(&select(MF)).is_empty());
    // Reinsertion powers it up again with the data that landed.
    card.power_up();
    assert_eq!(card.process_apdu(&select(0x0101)), vec![0x90, 0x00]);
    let r = card.process_apdu(&read_short(20, 10));
    assert_eq!(data_of(&r), &[2; 10]);
}

#[test]
fn tear_on_an_exact_budget_and_at_zero() {
    let mut card = card_with_file(10);
    card.script(vec![CardFault::TearAfter(4)]);
    assert_eq!(card.exchange(&update_short(0, &[3; 4])), CardReply::Torn);
    assert_eq!(&card.file(0x0101).unwrap()[..5], &[3, 3, 3, 3, 0]);
    let mut card = card_with_file(10);
    card.script(vec![CardFault::TearAfter(0)]);
    assert_eq!(card.exchange(&update_short(0, &[3; 4])), CardReply::Torn);
    assert_eq!(card.file(0x0101).unwrap(), &[0; 10]);
}

#[test]
fn mute_and_wrong_status_hit_one_command_each() {
    let mut card = card_with_file(10);
    card.script(vec![CardFault::Mute, CardFault::WrongStatus(0x6F00)]);
    assert_eq!(card.exchange(&update_short(0, &[1])), CardReply::Mute);
    assert_eq!(
        card.exchange(&update_short(0, &[2])),
        CardReply::Response(vec![0x6F, 0x00])
    );
    assert_eq!(
        card.file(0x0101).unwrap()[0],
        0,
        "neither command was executed"
    );
    assert_eq!(
        card.exchange(&update_short(0, &[3])),
        CardReply::Response(vec![0x90, 0x00])
    );
    assert_eq!(card.file(0x0101).unwrap()[0], 3);
}

#[test]
fn debug_output_shows_no_content() {
    let mut card = card_with_file(4);
    card.process_apdu(&update_short(0, b"NIK1"));
    let shown = format!("{card:?}");
    assert!(shown.contains("0101:4"), "{shown}");
    assert!(
        !shown.contains("NIK1") && !shown.contains("78, 73"),
        "{shown}"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any byte string gets an answer ending in a status word, and never a panic.
        #[test]
        fn any_apdu_gets_a_status_word(apdu in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut card = card_with_file(64);
            let r = card.process_apdu(&apdu);
            prop_assert!(r.len() >= 2);
        }

        /// What is written in any chunking reads back the same, short or extended.
        #[test]
        fn chunked_writes_read_back(data in proptest::collection::vec(any::<u8>(), 1..1500), chunk in 1usize..600, ext in any::<bool>()) {
            let mut card = card_with_file(data.len() as u16);
            let chunk = if ext { chunk } else { chunk.min(255) };
            for (i, part) in data.chunks(chunk).enumerate() {
                let off = (i * chunk) as u16;
                let apdu = if ext { update_ext(off, part) } else { update_short(off, part) };
                prop_assert_eq!(sw_of(&card.process_apdu(&apdu)), sw::OK);
            }
            prop_assert_eq!(card.file(0x0101).unwrap(), &data[..]);
        }
    }
}

#[test]
fn pass_lets_a_fault_strike_a_later_command() {
    let mut card = card_with_file(10);
    card.script(vec![CardFault::Pass, CardFault::Pass, CardFault::Mute]);
    for i in 1..=2 {
        assert_eq!(
            card.exchange(&update_short(0, &[i])),
            CardReply::Response(vec![0x90, 0x00])
        );
    }
    assert_eq!(card.exchange(&update_short(0, &[9])), CardReply::Mute);
    assert_eq!(card.file(0x0101).unwrap()[0], 2);
}

fn select_lds1(p2: u8) -> Vec<u8> {
    let mut apdu = vec![0x00, 0xA4, 0x04, p2, 0x07];
    apdu.extend_from_slice(&LDS1_AID);
    apdu
}

fn activate_lds1() -> Vec<u8> {
    let mut apdu = vec![0x00, 0x44, 0x04, 0x00, 0x07];
    apdu.extend_from_slice(&LDS1_AID);
    apdu
}

/// CREATE FILE with compact security attributes: READ always, UPDATE/WRITE/DELETE never.
fn create_locked_apdu(fid: u16, size: u16) -> Vec<u8> {
    let [f1, f2] = fid.to_be_bytes();
    let [s1, s2] = size.to_be_bytes();
    let fcp = [
        0x62, 0x12, 0x82, 0x01, 0x01, 0x83, 0x02, f1, f2, 0x80, 0x02, s1, s2, 0x8C, 0x05, 0x47,
        0xFF, 0xFF, 0xFF, 0x00,
    ];
    let mut apdu = vec![0x00, 0xE0, 0x00, 0x00, fcp.len() as u8];
    apdu.extend_from_slice(&fcp);
    apdu
}

#[test]
fn the_lds1_application_is_selected_by_its_aid_and_holds_the_efs() {
    let mut card = card_with_file(4);
    let r = card.process_apdu(&select_lds1(0x00));
    assert_eq!(sw_of(&r), sw::OK);
    assert_eq!(
        &data_of(&r)[5..14],
        &[0x84, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01]
    );
    assert_eq!(&data_of(&r)[14..], &[0x8A, 0x01, LCS_INITIALISATION]);
    // From the MF the application's EFs are not visible; its AID brings them back.
    assert_eq!(sw_of(&card.process_apdu(&select(MF))), sw::OK);
    assert_eq!(card.process_apdu(&select(0x0101)), vec![0x6A, 0x82]);
    assert_eq!(card.process_apdu(&create_apdu(0x0102, 1)), vec![0x69, 0x85]);
    assert_eq!(card.process_apdu(&select_lds1(0x0C)), vec![0x90, 0x00]);
    assert_eq!(card.process_apdu(&select(0x0101)), vec![0x90, 0x00]);
    let mut other = select_lds1(0x0C);
    other[11] = 0x02;
    assert_eq!(card.process_apdu(&other), vec![0x6A, 0x82]);
}

#[test]
fn once_activated_nothing_can_be_written_created_or_deleted() {
    let mut card = VirtualCard::new();
    assert_eq!(
        card.process_apdu(&create_locked_apdu(0x0101, 3)),
        vec![0x90, 0x00]
    );
    assert_eq!(
        card.attributes(0x0101),
        Some(&[0x47, 0xFF, 0xFF, 0xFF, 0x00][..])
    );
    // Before activation the attributes are not enforced: personalisation writes.
    assert_eq!(
        card.process_apdu(&update_short(0, b"abc")),
        vec![0x90, 0x00]
    );
    assert_eq!(card.process_apdu(&create_apdu(0x0102, 2)), vec![0x90, 0x00]);
    assert_eq!(card.process_apdu(&activate_lds1()), vec![0x90, 0x00]);
    assert!(card.is_operational());

    assert_eq!(card.process_apdu(&select(0x0101)), vec![0x90, 0x00]);
    assert_eq!(card.process_apdu(&update_short(0, b"x")), vec![0x69, 0x82]);
    assert_eq!(
        card.process_apdu(&read_short(0, 3)),
        b"abc\x90\x00".to_vec()
    );
    // An EF created without attributes is "never" for everything once operational.
    assert_eq!(card.process_apdu(&select(0x0102)), vec![0x90, 0x00]);
    assert_eq!(card.process_apdu(&read_short(0, 2)), vec![0x69, 0x82]);
    assert_eq!(card.process_apdu(&update_short(0, b"y")), vec![0x69, 0x82]);
    assert_eq!(card.process_apdu(&create_apdu(0x0103, 1)), vec![0x69, 0x82]);
    assert_eq!(
        card.process_apdu(&[0x00, 0xE4, 0x00, 0x00, 0x02, 0x01, 0x01]),
        vec![0x69, 0x82]
    );
    assert_eq!(card.process_apdu(&activate_lds1()), vec![0x69, 0x82]);
    // The FCP reports the life cycle; power cycles do not undo it.
    card.power_up();
    let r = card.process_apdu(&[0x00, 0xA4, 0x00, 0x00, 0x02, 0x01, 0x01, 0x00]);
    assert_eq!(
        &data_of(&r)[13..16],
        &[0x8A, 0x01, LCS_OPERATIONAL_ACTIVATED]
    );
    assert_eq!(
        &data_of(&r)[16..],
        &[0x8C, 0x05, 0x47, 0xFF, 0xFF, 0xFF, 0x00]
    );
    assert_eq!(card.process_apdu(&update_short(0, b"x")), vec![0x69, 0x82]);
    assert_eq!(card.file(0x0101), Some(&b"abc"[..]));
}

#[test]
fn malformed_security_attributes_are_refused() {
    let mut card = VirtualCard::new();
    let mut apdu = create_locked_apdu(0x0101, 3);
    // AM 47 announces four SC bytes; give three.
    apdu[5 + 1] = 0x11;
    apdu[5 + 14] = 0x04;
    apdu.pop();
    apdu[4] = (apdu.len() - 5) as u8;
    assert_eq!(card.process_apdu(&apdu), vec![0x6A, 0x80]);
}

#[test]
fn a_pull_takes_the_card_before_the_command() {
    let mut card = card_with_file(2);
    card.script(vec![CardFault::Pull]);
    assert_eq!(card.exchange(&update_short(0, b"ab")), CardReply::Torn);
    assert!(card.is_torn());
    card.power_up();
    assert_eq!(card.file(0x0101), Some(&[0, 0][..]));
}
