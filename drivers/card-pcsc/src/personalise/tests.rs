#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use ktpel_hal::{Device, DeviceResult, SelfTestReport};
use ktpel_sim::{CardFault, SimCardEncoder, SimControl, VirtualCard};

const DG1: u16 = 0x0101;
const DG2: u16 = 0x0102;
const DG3: u16 = 0x0103;
const DG7: u16 = 0x0107;
const SOD: u16 = 0x011D;
const COM: u16 = 0x011E;

/// A profile-sized set of files (~7.5 KB) with content that differs per file and per seed.
fn files(seed: u8) -> Vec<(u16, Vec<u8>)> {
    [
        (DG1, 600),
        (DG2, 4500),
        (DG3, 900),
        (DG7, 800),
        (SOD, 700),
        (COM, 30),
    ]
    .into_iter()
    .map(|(fid, len)| {
        let data = (0..len)
            .map(|i| (i as u8).wrapping_mul(31) ^ (fid as u8) ^ seed)
            .collect();
        (fid, data)
    })
    .collect()
}

fn total(files: &[(u16, Vec<u8>)]) -> usize {
    files.iter().map(|(_, d)| d.len()).sum()
}

/// A reader with `card` in it, connected.
fn reader_with(card: VirtualCard, extended_reader: bool) -> (SimCardEncoder, SimControl, CardInfo) {
    let mut enc = SimCardEncoder::new(7, extended_reader);
    let control = enc.control();
    control.insert_card(card);
    let info = enc.wait_card(Duration::from_millis(100)).unwrap();
    (enc, control, info)
}

fn write(
    enc: &mut SimCardEncoder,
    info: &CardInfo,
    files: &[(u16, Vec<u8>)],
    options: &WriteOptions,
) -> Result<WriteReport, ChipError> {
    write_files(enc, info, files, options, &mut |_| {})
}

/// The card holds exactly `files` plus both markers.
fn assert_personalised(control: &SimControl, files: &[(u16, Vec<u8>)]) {
    let card = control.with_card(|c| c.clone()).unwrap();
    for (fid, data) in files {
        assert_eq!(card.file(*fid), Some(data.as_slice()), "file {fid:04X}");
    }
    let mut expected: Vec<u16> = files.iter().map(|(f, _)| *f).collect();
    expected.extend([BEGIN_MARKER_FID, COMMIT_MARKER_FID]);
    expected.sort_unstable();
    let present: Vec<u16> = card.contents().keys().copied().collect();
    assert_eq!(present, expected, "no other file on the card");
}

#[test]
fn minimum_apdus_for_the_profile() {
    let sizes = files(0).iter().map(|(_, d)| d.len()).collect::<Vec<_>>();
    // UPDATE: 3+18+4+4+3+1 = 33, READ: 3+18+4+4+3+1 = 33, + 6 CREATE + 6 SELECT, + SELECT
    // application, ACTIVATE, SELECT and refused UPDATE.
    assert_eq!(min_apdus(sizes.iter().copied(), Limits::SHORT), 82);
    let ext = Limits {
        max_command_data: 65535,
        max_response_data: 65536,
    };
    assert_eq!(min_apdus(sizes.iter().copied(), ext), 28);
    assert_eq!(min_apdus([0usize], Limits::SHORT), 6);
}

#[test]
fn limits_follow_the_card_info_and_the_options() {
    let (_, _, info) = reader_with(VirtualCard::new(), true);
    let l = Limits::for_card(&info, &WriteOptions::default());
    assert_eq!((l.max_command_data, l.max_response_data), (65535, 65536));
    assert!(l.extended());
    let lowered = WriteOptions {
        max_command_data: Some(1000),
        max_response_data: Some(100),
        ..WriteOptions::default()
    };
    let l = Limits::for_card(&info, &lowered);
    assert_eq!((l.max_command_data, l.max_response_data), (1000, 100));
    let (_, _, info) = reader_with(VirtualCard::new(), false);
    assert!(!info.extended_length);
    assert_eq!(
        Limits::for_card(&info, &WriteOptions::default()),
        Limits::SHORT
    );
    // A reader that said nothing of its maximum gets the protocol's.
    let unknown = CardInfo {
        max_command_data: 0,
        max_response_data: 0,
        ..info
    };
    assert_eq!(
        Limits::for_card(&unknown, &WriteOptions::default()),
        Limits::SHORT
    );
}

#[test]
fn extended_write_is_the_minimum_plus_two_markers_and_the_lock_check_and_reads_back() {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    let files = files(1);
    let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
    assert_eq!(report.previous, CardState::Blank);
    assert_eq!(report.bytes, total(&files));
    assert_eq!(report.min_apdus, 28);
    // The two markers.
    assert_eq!(report.apdus, report.min_apdus + 2);
    assert_eq!((report.write_apdus, report.verify_apdus), (12, 12));
    assert_eq!(report.lock_apdus, 3);
    assert!(report.overhead_percent() < 10.0, "{report:?}");
    assert_personalised(&control, &files);
    assert_eq!(card_state(&mut enc).unwrap(), CardState::Personalised);
    let fids: Vec<u16> = files.iter().map(|(f, _)| *f).collect();
    assert_eq!(read_files(&mut enc, &info, &fids).unwrap(), files);
}

#[test]
fn short_only_cards_and_readers_get_short_apdus() {
    for (card, extended_reader) in [
        (VirtualCard::new().short_only(), true),
        (VirtualCard::new(), false),
    ] {
        let (mut enc, control, info) = reader_with(card, extended_reader);
        let files = files(2);
        // The sim refuses extended APDUs on either side: success means none was sent.
        let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
        assert_eq!(report.limits, Limits::SHORT);
        assert_eq!(report.min_apdus, 82);
        assert_eq!(report.apdus, 84);
        assert_personalised(&control, &files);
        let fids: Vec<u16> = files.iter().map(|(f, _)| *f).collect();
        assert_eq!(read_files(&mut enc, &info, &fids).unwrap(), files);
    }
}

#[test]
fn progress_goes_through_the_phases_up_to_the_total() {
    let (mut enc, _control, info) = reader_with(VirtualCard::new().short_only(), true);
    let files = files(3);
    let mut seen = Vec::new();
    write_files(
        &mut enc,
        &info,
        &files,
        &WriteOptions::default(),
        &mut |p| seen.push(p),
    )
    .unwrap();
    let total = total(&files);
    assert_eq!(seen.first().unwrap().phase, Phase::Preparing);
    assert_eq!(
        *seen.last().unwrap(),
        Progress {
            phase: Phase::Done,
            done: total,
            total,
            fid: None
        }
    );
    let writing: Vec<_> = seen.iter().filter(|p| p.phase == Phase::Writing).collect();
    let verifying: Vec<_> = seen
        .iter()
        .filter(|p| p.phase == Phase::Verifying)
        .collect();
    assert_eq!(
        (writing.len(), verifying.len()),
        (33, 33),
        "one report per data APDU"
    );
    assert_eq!(writing.last().unwrap().done, total);
    assert_eq!(verifying.last().unwrap().done, total);
    let fractions: Vec<f32> = seen.iter().map(Progress::fraction).collect();
    assert!(
        fractions.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back"
    );
    assert_eq!(fractions.last(), Some(&1.0));
}

#[test]
fn a_tear_anywhere_leaves_a_partial_card_that_the_next_write_completes() {
    let files = files(4);
    let total = total(&files);
    // In the first byte, at a short-APDU boundary, mid-file, the big file, the last byte.
    for tear_after in [0, 255, 600, 3000, total - 1] {
        for extended in [false, true] {
            let card = if extended {
                VirtualCard::new()
            } else {
                VirtualCard::new().short_only()
            };
            let (mut enc, control, info) = reader_with(card, true);
            control.with_card(|c| c.script(vec![CardFault::TearAfter(tear_after)]));
            let e = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap_err();
            assert!(e.is_card_removed(), "tear after {tear_after}: {e}");
            assert_eq!(e.kind(), ErrorKind::Disconnected);
            assert!(e.to_string().contains("not issued"), "{e}");
            // The same card, put back: partial, overwritten without re-issue.
            let torn = control.remove_card().unwrap();
            assert!(torn.is_torn());
            control.insert_card(torn);
            let info = enc.wait_card(Duration::from_millis(100)).unwrap();
            assert_eq!(card_state(&mut enc).unwrap(), CardState::Partial);
            let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
            assert_eq!(
                report.previous,
                CardState::Partial,
                "tear after {tear_after}"
            );
            assert_personalised(&control, &files);
            // A fresh card works too.
            control.insert_card(VirtualCard::new());
            let info = enc.wait_card(Duration::from_millis(100)).unwrap();
            let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
            assert_eq!(report.previous, CardState::Blank);
            assert_personalised(&control, &files);
        }
    }
}

#[test]
fn a_card_pulled_during_verification_is_not_issued_and_recovers() {
    let (mut enc, control, info) = reader_with(VirtualCard::new().short_only(), true);
    let files = files(5);
    let pull = control.clone();
    let mut pulled = None;
    let e = write_files(
        &mut enc,
        &info,
        &files,
        &WriteOptions::default(),
        &mut |p| {
            if p.phase == Phase::Verifying && pulled.is_none() {
                pulled = pull.remove_card();
            }
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            ChipError::CardRemoved {
                during: "verifying",
                ..
            }
        ),
        "{e}"
    );
    let card = pulled.unwrap();
    assert!(
        card.file(COMMIT_MARKER_FID).is_none(),
        "not marked personalised"
    );
    control.insert_card(card);
    let info = enc.wait_card(Duration::from_millis(100)).unwrap();
    let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
    assert_eq!(report.previous, CardState::Partial);
    assert_personalised(&control, &files);
}

#[test]
fn a_partial_card_of_another_applicant_keeps_none_of_their_files() {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    let first = files(6);
    // Torn in the last file: DG3 and the others of the first applicant are on the card.
    control.with_card(|c| c.script(vec![CardFault::TearAfter(total(&first) - 5)]));
    write(&mut enc, &info, &first, &WriteOptions::default()).unwrap_err();
    let card = control.remove_card().unwrap();
    assert!(card.file(DG3).is_some());
    control.insert_card(card);
    let info = enc.wait_card(Duration::from_millis(100)).unwrap();
    // The next applicant has no DG3 (no fingers) and a different DG1.
    let second: Vec<_> = files(7).into_iter().filter(|(f, _)| *f != DG3).collect();
    let options = WriteOptions {
        clear_fids: vec![DG1, DG2, DG3, 0x0104, DG7, SOD, COM],
        ..WriteOptions::default()
    };
    write(&mut enc, &info, &second, &options).unwrap();
    assert_personalised(&control, &second);
}

/// The card holds the same files, attributes and life cycle as `before` (what is current may
/// differ: selecting is not changing).
fn assert_unchanged(control: &SimControl, before: &VirtualCard) {
    let now = control.with_card(|c| c.clone()).unwrap();
    assert_eq!(now.contents(), before.contents(), "nothing changed");
    assert_eq!(now.life_cycle(), before.life_cycle());
    for fid in before.contents().keys() {
        assert_eq!(now.attributes(*fid), before.attributes(*fid));
    }
}

/// The assertion of [`assert_personalised`] plus the lock: the application is operational and
/// every file carries the read-only attributes.
fn assert_locked(control: &SimControl, files: &[(u16, Vec<u8>)]) {
    assert_personalised(control, files);
    let card = control.with_card(|c| c.clone()).unwrap();
    assert!(card.is_operational());
    for fid in card.contents().keys() {
        assert_eq!(
            card.attributes(*fid),
            Some(&apdu::READ_ONLY_ATTRIBUTES[..]),
            "{fid:04X}"
        );
    }
}

#[test]
fn a_written_card_is_locked_and_refuses_every_change() {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    write(&mut enc, &info, &files(8), &WriteOptions::default()).unwrap();
    assert_locked(&control, &files(8));
    let before = control.with_card(|c| c.clone()).unwrap();
    for t in [
        apdu::update_binary(0, &[0x5A]),
        apdu::create_file(0x0105, 4),
        apdu::delete_file(DG1),
        apdu::activate_lds1(),
    ] {
        enc.transmit(apdu::select(DG1).as_bytes()).unwrap();
        assert_eq!(enc.transmit(t.as_bytes()).unwrap(), [0x69, 0x82]);
    }
    assert_eq!(
        control.with_card(|c| c.clone()).unwrap().contents(),
        before.contents()
    );
}

#[test]
fn a_locked_card_is_spent_even_for_a_reissue() {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    write(&mut enc, &info, &files(8), &WriteOptions::default()).unwrap();
    let before = control.with_card(|c| c.clone()).unwrap();
    for reissue in [false, true] {
        let options = WriteOptions {
            reissue,
            ..WriteOptions::default()
        };
        let e = write(&mut enc, &info, &files(9), &options).unwrap_err();
        assert_eq!(e, ChipError::CardLocked);
        assert_eq!(e.kind(), ErrorKind::NeedsAttention);
        assert!(e.to_string().contains("spent"), "{e}");
    }
    assert_unchanged(&control, &before);
}

/// A card personalised and verified, then pulled just before the lock (ACTIVATE): both
/// markers on it, still writable.
fn torn_before_the_lock(files: &[(u16, Vec<u8>)]) -> (SimCardEncoder, SimControl, CardInfo) {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    let apdus = write(&mut enc, &info, files, &WriteOptions::default())
        .unwrap()
        .apdus;
    let mut card = VirtualCard::new();
    let mut script = vec![CardFault::Pass; apdus - 3];
    script.push(CardFault::Pull);
    card.script(script);
    control.insert_card(card);
    let info = enc.wait_card(Duration::from_millis(100)).unwrap();
    let e = write(&mut enc, &info, files, &WriteOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            ChipError::CardRemoved {
                during: "closing personalisation",
                ..
            }
        ),
        "{e}"
    );
    let card = control.remove_card().unwrap();
    assert!(card.file(COMMIT_MARKER_FID).is_some() && !card.is_operational());
    control.insert_card(card);
    let info = enc.wait_card(Duration::from_millis(100)).unwrap();
    (enc, control, info)
}

#[test]
fn a_card_torn_before_the_lock_is_refused_untouched_unless_reissued() {
    let (mut enc, control, info) = torn_before_the_lock(&files(8));
    let before = control.with_card(|c| c.clone()).unwrap();
    let e = write(&mut enc, &info, &files(9), &WriteOptions::default()).unwrap_err();
    assert_eq!(e, ChipError::AlreadyPersonalised);
    assert_eq!(e.kind(), ErrorKind::NeedsAttention);
    assert_unchanged(&control, &before);
    let options = WriteOptions {
        reissue: true,
        ..WriteOptions::default()
    };
    let report = write(&mut enc, &info, &files(9), &options).unwrap();
    assert_eq!(report.previous, CardState::Personalised);
    assert_locked(&control, &files(9));
}

#[test]
fn a_card_that_does_not_lock_is_not_issued() {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    let apdus = {
        let (mut e2, _c2, i2) = reader_with(VirtualCard::new(), true);
        write(&mut e2, &i2, &files(3), &WriteOptions::default())
            .unwrap()
            .apdus
    };
    // The card answers 9000 to the final UPDATE BINARY, as a card that ignores its access
    // conditions would.
    let mut script = vec![CardFault::Pass; apdus - 1];
    script.push(CardFault::WrongStatus(0x9000));
    control.with_card(|c| c.script(script));
    let e = write(&mut enc, &info, &files(3), &WriteOptions::default()).unwrap_err();
    assert_eq!(e, ChipError::NotLocked { sw: 0x9000 });
}

#[test]
fn a_reissue_torn_half_way_is_a_partial_card() {
    let (mut enc, control, info) = torn_before_the_lock(&files(10));
    control.with_card(|c| c.script(vec![CardFault::TearAfter(100)]));
    let options = WriteOptions {
        reissue: true,
        ..WriteOptions::default()
    };
    assert!(write(&mut enc, &info, &files(11), &options)
        .unwrap_err()
        .is_card_removed());
    let card = control.remove_card().unwrap();
    control.insert_card(card);
    let info = enc.wait_card(Duration::from_millis(100)).unwrap();
    // No re-issue needed any more: the old personalisation is already half gone.
    let report = write(&mut enc, &info, &files(11), &WriteOptions::default()).unwrap();
    assert_eq!(report.previous, CardState::Partial);
    assert_locked(&control, &files(11));
}

#[test]
fn a_full_card_says_so_and_a_bigger_card_takes_the_files() {
    let (mut enc, control, info) = reader_with(VirtualCard::with_capacity(4096), true);
    let files = files(12);
    let e = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        e,
        ChipError::CardFull {
            fid: DG2,
            size: 4500
        }
    );
    assert!(e.to_string().contains("6A84"), "{e}");
    control.insert_card(VirtualCard::new());
    let info = enc.wait_card(Duration::from_millis(100)).unwrap();
    write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
    assert_personalised(&control, &files);
}

#[test]
fn a_foreign_card_is_refused_and_left_as_it_was() {
    let mut foreign = VirtualCard::new();
    for apdu in [
        apdu::create_file(COM, 4),
        apdu::update_binary(0, &[1, 2, 3, 4]),
    ] {
        assert_eq!(foreign.process_apdu(apdu.as_bytes()), [0x90, 0x00]);
    }
    let before = foreign.contents().clone();
    let (mut enc, control, info) = reader_with(foreign, true);
    let e = write(&mut enc, &info, &files(13), &WriteOptions::default()).unwrap_err();
    assert_eq!(e, ChipError::ForeignCard { fid: COM });
    assert_eq!(control.with_card(|c| c.contents().clone()).unwrap(), before);
    // Re-issue does not make it ours either.
    let options = WriteOptions {
        reissue: true,
        ..WriteOptions::default()
    };
    assert_eq!(
        write(&mut enc, &info, &files(13), &options).unwrap_err(),
        ChipError::ForeignCard { fid: COM }
    );
}

#[test]
fn a_card_without_a_file_system_is_unsupported() {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    control.with_card(|c| c.script(vec![CardFault::Pass, CardFault::WrongStatus(0x6D00)]));
    let e = write(&mut enc, &info, &files(14), &WriteOptions::default()).unwrap_err();
    assert_eq!(
        e,
        ChipError::Unsupported {
            step: "create the personalisation marker",
            sw: 0x6D00
        }
    );
    assert!(e.to_string().contains("instruction not supported"), "{e}");
    assert!(control.with_card(|c| c.contents().is_empty()).unwrap());
}

#[test]
fn a_wrong_status_word_mid_write_names_the_file_and_the_next_write_succeeds() {
    let (mut enc, control, info) = reader_with(VirtualCard::new().short_only(), true);
    let files = files(15);
    // SELECT application, marker, CREATE DG1, 3 UPDATE DG1, CREATE DG2, then the first
    // UPDATE of DG2 fails.
    let mut script = vec![CardFault::Pass; 7];
    script.push(CardFault::WrongStatus(0x6581));
    control.with_card(|c| c.script(script));
    let e = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        e,
        ChipError::Status {
            step: "writing",
            fid: DG2,
            sw: 0x6581
        }
    );
    let report = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
    assert_eq!(report.previous, CardState::Partial);
    assert_personalised(&control, &files);
}

#[test]
fn a_mute_card_times_out_and_the_next_write_succeeds() {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    let files = files(16);
    let mut script = vec![CardFault::Pass; 4];
    script.push(CardFault::Mute);
    control.with_card(|c| c.script(script));
    let e = write(&mut enc, &info, &files, &WriteOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(matches!(e, ChipError::Device(_)));
    write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
    assert_personalised(&control, &files);
}

#[test]
fn cancelling_stops_before_the_next_apdu_and_leaves_a_partial_card() {
    let (mut enc, control, info) = reader_with(VirtualCard::new().short_only(), true);
    let files = files(17);
    let cancel = CancelFlag::new();
    let options = WriteOptions {
        cancel: Some(cancel.clone()),
        ..WriteOptions::default()
    };
    let mut writes = 0;
    let e = write_files(&mut enc, &info, &files, &options, &mut |p| {
        if p.phase == Phase::Writing {
            writes += 1;
            if writes == 5 {
                cancel.cancel();
            }
        }
    })
    .unwrap_err();
    assert_eq!(e, ChipError::Cancelled);
    assert_eq!(card_state(&mut enc).unwrap(), CardState::Partial);
    cancel.reset();
    write(&mut enc, &info, &files, &options).unwrap();
    assert_personalised(&control, &files);
}

#[test]
fn bad_file_sets_are_refused_before_any_apdu() {
    let (mut enc, control, info) = reader_with(VirtualCard::new(), true);
    for bad in [
        vec![(DG1, vec![1]), (DG1, vec![2])],
        vec![(0x3F00, vec![1])],
        vec![(BEGIN_MARKER_FID, vec![1])],
        vec![(DG2, vec![0; MAX_FILE_SIZE + 1])],
    ] {
        let e = write(&mut enc, &info, &bad, &WriteOptions::default()).unwrap_err();
        assert!(matches!(e, ChipError::InvalidFiles(_)), "{e}");
    }
    assert!(control.with_card(|c| c.contents().is_empty()).unwrap());
}

#[test]
fn reading_a_missing_file_or_a_blank_card() {
    let (mut enc, _control, info) = reader_with(VirtualCard::new(), true);
    assert_eq!(card_state(&mut enc).unwrap(), CardState::Blank);
    assert_eq!(
        read_files(&mut enc, &info, &[DG1]).unwrap_err(),
        ChipError::FileNotFound { fid: DG1 }
    );
    let files = files(18);
    write(&mut enc, &info, &files, &WriteOptions::default()).unwrap();
    assert_eq!(
        read_files(&mut enc, &info, &[DG1, 0x0104]).unwrap_err(),
        ChipError::FileNotFound { fid: 0x0104 }
    );
    assert_eq!(read_files(&mut enc, &info, &[]).unwrap(), vec![]);
}

/// A T=0-style card in front of a [`VirtualCard`]: answers no FCP (6A86 to SELECT P2=04),
/// makes the reader fetch data with GET RESPONSE (61xx) and corrects a wrong Le (6Cxx) on
/// READ BINARY past the end, the way many real cards do.
struct T0Card {
    card: VirtualCard,
    pending: Vec<u8>,
    sent: Vec<Vec<u8>>,
}

impl Device for T0Card {
    fn info(&self) -> ktpel_hal::DeviceInfo {
        unreachable!("not used by the personaliser")
    }
    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        unreachable!("not used by the personaliser")
    }
}

impl CardEncoder for T0Card {
    fn wait_card(&mut self, _: Duration) -> DeviceResult<CardInfo> {
        unreachable!("not used by the personaliser")
    }
    fn release(&mut self) -> DeviceResult<()> {
        Ok(())
    }
    fn transmit(&mut self, apdu: &[u8]) -> DeviceResult<Vec<u8>> {
        self.sent.push(apdu.to_vec());
        match apdu {
            [0x00, 0xA4, _, 0x04, ..] => return Ok(vec![0x6A, 0x86]),
            [0x00, 0xC0, 0x00, 0x00, le] => {
                let n = usize::from(*le).min(self.pending.len());
                let mut r: Vec<u8> = self.pending.drain(..n).collect();
                if self.pending.is_empty() {
                    r.extend_from_slice(&[0x90, 0x00]);
                } else {
                    r.extend_from_slice(&[0x61, self.pending.len().min(16) as u8]);
                }
                return Ok(r);
            }
            _ => {}
        }
        let r = self.card.process_apdu(apdu);
        let (data, sw) = r.split_at(r.len() - 2);
        match (apdu, sw) {
            // Past the end: tell the exact length first.
            ([0x00, 0xB0, _, _, _], [0x62, 0x82]) if !data.is_empty() => {
                Ok(vec![0x6C, data.len() as u8])
            }
            ([0x00, 0xB0, 0x00, 0x00, ..], [0x90, 0x00]) if data.len() > 16 => {
                // Hand the data out through GET RESPONSE.
                self.pending = data.to_vec();
                Ok(vec![0x61, 0x10])
            }
            _ => Ok(r),
        }
    }
}

#[test]
fn reading_without_fcp_follows_get_response_and_le_corrections() {
    let mut card = VirtualCard::new();
    for apdu in [
        apdu::create_file(DG1, 300),
        apdu::update_binary(0, &[0x5A; 255]),
        apdu::update_binary(255, &[0xA5; 45]),
    ] {
        assert_eq!(card.process_apdu(apdu.as_bytes()), [0x90, 0x00]);
    }
    let mut t0 = T0Card {
        card,
        pending: Vec::new(),
        sent: Vec::new(),
    };
    let info = CardInfo {
        atr: vec![],
        reader: "T=0".into(),
        extended_length: false,
        max_command_data: 255,
        max_response_data: 256,
    };
    let got = read_files(&mut t0, &info, &[DG1]).unwrap();
    let mut expected = vec![0x5A; 255];
    expected.extend([0xA5; 45]);
    assert_eq!(got, vec![(DG1, expected)]);
    let ins: Vec<u8> = t0.sent.iter().map(|a| a[1]).collect();
    // SELECT application, SELECT (FCP refused), SELECT, READ 256 → 61 10, GET RESPONSE ×16,
    // READ 256 at 256 → 6C 2C, READ 44 → 9000 with fewer bytes than first asked: the end.
    assert_eq!(ins[..4], [0xA4, 0xA4, 0xA4, 0xB0]);
    assert_eq!(ins.iter().filter(|&&i| i == 0xC0).count(), 16);
    assert_eq!(t0.sent.last().unwrap(), &vec![0x00, 0xB0, 0x01, 0x00, 0x2C]);
}

#[test]
fn a_file_whose_fcp_claims_4_gb_is_refused_before_it_is_read() {
    // 62 06 80 04 FF FF FF FF: a transparent EF of 4294967295 bytes.
    let fcp = [0x62, 0x06, 0x80, 0x04, 0xFF, 0xFF, 0xFF, 0xFF];
    let e = claimed_size(DG1, &fcp).unwrap_err();
    assert_eq!(e.kind(), ktpel_hal::ErrorKind::BadData);
    let text = e.to_string();
    assert!(
        text.contains("4294967295") && text.contains(&MAX_FILE_SIZE.to_string()),
        "{text}"
    );
    assert_eq!(
        claimed_size(DG1, &apdu::fcp(DG1, 1200)).unwrap(),
        Some(1200)
    );
}
