//! The encoder and the personaliser under a real `pcscd` with vsmartcard's `vpcd` driver and
//! the booth's virtual card on the vpcd socket. The stack is started (or reused) by
//! `stack`; each test holds the vpcd reader it uses, so tests take turns per reader.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod stack;

use ktpel_card_pcsc::{
    card_state, read_files, write_files, CardState, ChipError, Limits, PcscConfig, PcscEncoder,
    Phase, WriteOptions, WriteReport, BEGIN_MARKER_FID, COMMIT_MARKER_FID,
};
use ktpel_hal::{CardEncoder, CardInfo, Device, ErrorKind};
use ktpel_sim::{CardFault, VirtualCard, VpcdCard, VpcdHandle};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

/// A profile-sized file set (DG1, DG2, DG3, DG7, EF.SOD, EF.COM: ~7.5 KB).
fn files(seed: u8) -> Vec<(u16, Vec<u8>)> {
    [
        (0x0101, 600),
        (0x0102, 4500),
        (0x0103, 900),
        (0x0107, 800),
        (0x011D, 700),
        (0x011E, 30),
    ]
    .into_iter()
    .map(|(fid, len)| {
        let data = (0..len)
            .map(|i| (i as u8).wrapping_mul(13) ^ (fid as u8) ^ seed)
            .collect();
        (fid, data)
    })
    .collect()
}

fn fids(files: &[(u16, Vec<u8>)]) -> Vec<u16> {
    files.iter().map(|(f, _)| *f).collect()
}

fn total(files: &[(u16, Vec<u8>)]) -> usize {
    files.iter().map(|(_, d)| d.len()).sum()
}

fn encoder(reader: &stack::Reader) -> PcscEncoder {
    PcscEncoder::new(PcscConfig {
        reader: Some(reader.name.clone()),
        ..PcscConfig::default()
    })
}

/// Puts `card` into the reader and connects to it.
fn insert(
    reader: &stack::Reader,
    enc: &mut PcscEncoder,
    card: VirtualCard,
) -> (VpcdHandle, CardInfo) {
    let handle = VpcdCard::connect(reader.addr, card).unwrap();
    let info = enc.wait_card(WAIT).unwrap();
    (handle, info)
}

fn write(
    enc: &mut PcscEncoder,
    info: &CardInfo,
    files: &[(u16, Vec<u8>)],
    options: &WriteOptions,
) -> Result<WriteReport, ChipError> {
    write_files(enc, info, files, options, &mut |_| {})
}

/// The card holds exactly `files` and both markers, and reads back through pcscd.
fn assert_personalised(
    enc: &mut PcscEncoder,
    info: &CardInfo,
    handle: &VpcdHandle,
    files: &[(u16, Vec<u8>)],
) {
    let card = handle.card().unwrap();
    let mut expected = fids(files);
    expected.extend([BEGIN_MARKER_FID, COMMIT_MARKER_FID]);
    expected.sort_unstable();
    assert_eq!(
        card.contents().keys().copied().collect::<Vec<_>>(),
        expected
    );
    for (fid, data) in files {
        assert_eq!(card.file(*fid), Some(data.as_slice()), "file {fid:04X}");
    }
    assert_eq!(read_files(enc, info, &fids(files)).unwrap(), files);
    assert_eq!(card_state(enc).unwrap(), CardState::Personalised);
}

/// Takes the card out and waits until pcscd has seen it go.
fn pull(reader: &stack::Reader, handle: &mut VpcdHandle) -> VirtualCard {
    let card = handle.remove().unwrap();
    stack::wait_card_state(&reader.name, false);
    card
}

#[test]
fn encode_then_read_back_with_extended_and_short_apdus() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    for (card, extended) in [
        (VirtualCard::new(), true),
        (VirtualCard::new().short_only(), false),
    ] {
        let (mut handle, info) = insert(&reader, &mut enc, card);
        assert_eq!(info.reader, reader.name);
        assert_eq!(info.extended_length, extended, "probe result");
        let atr = if extended {
            VirtualCard::new().atr()
        } else {
            VirtualCard::new().short_only().atr()
        };
        assert_eq!(info.atr, atr);
        let files = files(1);
        let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
        assert_eq!(report.previous, CardState::Blank);
        assert_eq!(report.bytes, total(&files));
        assert_eq!(report.apdus, report.min_apdus + 2, "{report:?}");
        assert_eq!(report.min_apdus, if extended { 28 } else { 82 });
        assert_eq!(report.limits == Limits::SHORT, !extended);
        assert_personalised(&mut enc, &info, &handle, &files);
        enc.release().unwrap();
        pull(&reader, &mut handle);
    }
}

#[test]
fn a_tear_at_several_points_then_the_same_card_and_a_fresh_card_succeed() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    let files = files(2);
    for (tear_after, short) in [
        (0, false),
        (600, true),
        (3000, false),
        (total(&files) - 1, false),
    ] {
        let card = if short {
            VirtualCard::new().short_only()
        } else {
            VirtualCard::new()
        };
        let (mut handle, info) = insert(&reader, &mut enc, card);
        handle.with_card(|c| c.script(vec![CardFault::TearAfter(tear_after)]));
        let e = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap_err();
        assert!(
            matches!(
                e,
                ChipError::CardRemoved {
                    during: "writing",
                    ..
                }
            ),
            "tear after {tear_after}: {e}"
        );
        assert_eq!(e.kind(), ErrorKind::Disconnected);
        assert!(!handle.is_inserted());
        stack::wait_card_state(&reader.name, false);
        // The same, partly written card, put back: no re-issue needed.
        handle.reinsert().unwrap();
        let info = enc.wait_card(WAIT).unwrap();
        let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
        assert_eq!(
            report.previous,
            CardState::Partial,
            "tear after {tear_after}"
        );
        assert_personalised(&mut enc, &info, &handle, &files);
        pull(&reader, &mut handle);
        // A fresh card.
        let (mut handle, info) = insert(&reader, &mut enc, VirtualCard::new());
        let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
        assert_eq!(report.previous, CardState::Blank);
        assert_personalised(&mut enc, &info, &handle, &files);
        pull(&reader, &mut handle);
    }
}

#[test]
fn a_card_pulled_during_verification_is_not_issued_and_recovers() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    let files = files(3);
    let (mut handle, info) = insert(&reader, &mut enc, VirtualCard::new().short_only());
    let mut pulled = None;
    let e = write_files(
        &mut enc,
        &info,
        &files,
        &WriteOptions::default(),
        &mut |p| {
            if p.phase == Phase::Verifying && p.done > 1000 && pulled.is_none() {
                pulled = handle.remove();
            }
        },
    )
    .unwrap_err();
    assert!(e.is_card_removed(), "{e}");
    assert!(e.to_string().contains("not issued"), "{e}");
    stack::wait_card_state(&reader.name, false);
    let card = pulled.unwrap();
    assert!(card.file(COMMIT_MARKER_FID).is_none());
    handle.insert(card).unwrap();
    let info = enc.wait_card(WAIT).unwrap();
    let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
    assert_eq!(report.previous, CardState::Partial);
    assert_personalised(&mut enc, &info, &handle, &files);
}

#[test]
fn a_full_card_is_refused_with_6a84() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    let (_handle, info) = insert(&reader, &mut enc, VirtualCard::with_capacity(4096));
    let e = write(&mut enc, &info, &files(4), &WriteOptions::default()).unwrap_err();
    assert_eq!(
        e,
        ChipError::CardFull {
            fid: 0x0102,
            size: 4500
        }
    );
    assert_eq!(e.kind(), ErrorKind::NeedsAttention);
}

#[test]
fn cards_that_are_not_ours_are_refused_with_a_clear_error() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    // A card with its own file system: EF.COM already there, no marker of ours.
    let mut foreign = VirtualCard::new();
    for apdu in [
        ktpel_card_pcsc::apdu::create_file(0x011E, 3),
        ktpel_card_pcsc::apdu::update_binary(0, &[0x60, 0x01, 0x00]),
    ] {
        assert_eq!(foreign.process_apdu(apdu.as_bytes()), [0x90, 0x00]);
    }
    let before = foreign.contents().clone();
    let (mut handle, info) = insert(&reader, &mut enc, foreign);
    let e = write(&mut enc, &info, &files(5), &WriteOptions::default()).unwrap_err();
    assert_eq!(e, ChipError::ForeignCard { fid: 0x011E });
    assert!(e.to_string().contains("not a blank KTP-el card"), "{e}");
    assert_eq!(handle.card().unwrap().contents(), &before, "left as it was");
    pull(&reader, &mut handle);
    // A card without an ISO 7816-4 file system (answers 6D00 to CREATE FILE, after the
    // application was selected).
    let (_handle, info) = insert(&reader, &mut enc, VirtualCard::new());
    _handle.with_card(|c| c.script(vec![CardFault::Pass, CardFault::WrongStatus(0x6D00)]));
    let e = write(&mut enc, &info, &files(5), &WriteOptions::default()).unwrap_err();
    assert!(
        matches!(e, ChipError::Unsupported { sw: 0x6D00, .. }),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("not a card this booth can personalise"),
        "{e}"
    );
}

#[test]
fn a_personalised_card_is_locked_and_refused_even_for_a_reissue() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    let (handle, info) = insert(&reader, &mut enc, VirtualCard::new());
    write(&mut enc, &info, &files(6), &WriteOptions::default()).unwrap();
    let before = handle.card().unwrap();
    assert!(before.is_operational());
    for reissue in [false, true] {
        let options = WriteOptions {
            reissue,
            ..WriteOptions::default()
        };
        assert_eq!(
            write(&mut enc, &info, &files(7), &options).unwrap_err(),
            ChipError::CardLocked
        );
    }
    assert_eq!(handle.card().unwrap().contents(), before.contents());
    assert_eq!(card_state(&mut enc).unwrap(), CardState::Personalised);
}

#[test]
fn a_mute_card_times_out_and_the_next_attempt_succeeds() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    let files = files(8);
    let (handle, info) = insert(&reader, &mut enc, VirtualCard::new());
    let mut script = vec![CardFault::Pass; 3];
    script.push(CardFault::Mute);
    handle.with_card(|c| c.script(script));
    let e = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.to_string().contains("did not answer"), "{e}");
    let info = enc.wait_card(WAIT).unwrap();
    let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
    assert_eq!(report.previous, CardState::Partial);
    assert_personalised(&mut enc, &info, &handle, &files);
}

#[test]
fn both_vpcd_readers_encode_at_the_same_time() {
    if !stack::available() {
        return;
    }
    let readers = [stack::reader(0), stack::reader(1)];
    let reports: Vec<_> = std::thread::scope(|s| {
        let jobs: Vec<_> = readers
            .iter()
            .enumerate()
            .map(|(i, reader)| {
                s.spawn(move || {
                    let mut enc = encoder(reader);
                    let (handle, info) = insert(reader, &mut enc, VirtualCard::new());
                    assert_eq!(info.reader, reader.name);
                    let files = files(10 + i as u8);
                    let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
                    assert_personalised(&mut enc, &info, &handle, &files);
                    report
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    assert!(reports.iter().all(|r| r.previous == CardState::Blank));
}

#[test]
fn waiting_for_a_card_times_out_sees_an_insertion_and_can_be_cancelled() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    let e = enc.wait_card(Duration::from_millis(200)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotPresent);
    assert!(e.message.contains("no card"), "{e}");
    // Cancelled from another thread long before its time-out.
    let cancel = enc.cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        cancel.cancel();
    });
    let t = Instant::now();
    let e = enc.wait_card(Duration::from_secs(60)).unwrap_err();
    canceller.join().unwrap();
    assert!(e.message.contains("cancelled"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(30));
    // A card put in while waiting is found.
    let addr = reader.addr;
    let inserter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        VpcdCard::connect(addr, VirtualCard::new()).unwrap()
    });
    let info = enc.wait_card(WAIT).unwrap();
    let _handle = inserter.join().unwrap();
    assert_eq!(info.atr, VirtualCard::new().atr());
    assert!(info.extended_length);
}

#[test]
fn self_test_says_pcscd_answers_and_shows_the_readers_and_the_card() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    let report = enc.self_test().unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    let detail = |r: &ktpel_hal::SelfTestReport, name: &str| {
        r.checks
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .detail
            .clone()
    };
    assert!(detail(&report, "readers").contains("Virtual PCD 00 01"));
    assert!(detail(&report, "card").contains("no card"));
    let handle = VpcdCard::connect(reader.addr, VirtualCard::new()).unwrap();
    stack::wait_card_state(&reader.name, true);
    let report = enc.self_test().unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    let card = detail(&report, "card");
    assert!(card.contains("ATR 3B 85 80 01 80 73 10 01 40"), "{card}");
    assert!(card.contains("extended length"), "{card}");
    drop(handle);
    assert_eq!(enc.info().driver, "pcsc");
}

#[test]
fn an_unknown_reader_is_not_present_and_lists_the_readers() {
    if !stack::available() {
        return;
    }
    let mut enc = PcscEncoder::new(PcscConfig {
        reader: Some("No Such Reader 00 00".into()),
        ..PcscConfig::default()
    });
    let e = enc.wait_card(Duration::from_millis(100)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotPresent);
    assert!(e.message.contains("Virtual PCD 00 00"), "{e}");
    let report = enc.self_test().unwrap();
    assert!(!report.passed());
    assert_eq!(
        report
            .checks
            .iter()
            .find(|c| c.name == "reader")
            .unwrap()
            .kind,
        Some(ErrorKind::NotPresent)
    );
}

#[test]
fn a_card_removed_between_commands_is_disconnected_until_one_is_back() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(0);
    let mut enc = encoder(&reader);
    let (mut handle, _) = insert(&reader, &mut enc, VirtualCard::new());
    let select_mf = [0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00];
    assert_eq!(enc.transmit(&select_mf).unwrap(), [0x90, 0x00]);
    pull(&reader, &mut handle);
    let e = enc.transmit(&select_mf).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected, "{e}");
    let e = enc.transmit(&select_mf).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotPresent, "{e}");
    handle.insert(VirtualCard::new()).unwrap();
    enc.wait_card(WAIT).unwrap();
    assert_eq!(enc.transmit(&select_mf).unwrap(), [0x90, 0x00]);
    enc.release().unwrap();
    // Released: nothing to talk to until the next wait_card.
    assert_eq!(
        enc.transmit(&select_mf).unwrap_err().kind,
        ErrorKind::NotPresent
    );
}
