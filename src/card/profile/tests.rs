use super::*;
use crate::booth::devices::Devices;
use crate::booth::recording::{capture_enrollment, Exceptions};
use crate::domain::population;
use ktpel_hal::{FingerException, FingerPosition};
use proptest::prelude::*;
use std::sync::OnceLock;

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 25)
}

/// A full enrollment of generated resident `i`, captured from the simulated devices.
pub(crate) fn enrollment(i: usize) -> Enrollment {
    enrollment_with(i, &Exceptions::default())
}

fn enrollment_with(i: usize, exceptions: &Exceptions) -> Enrollment {
    let resident = population::generate(2026, i + 1, today()).pop().unwrap();
    let subject = i as u64 + 1;
    let mut devices = Devices::simulated(subject);
    devices.set_subject(subject);
    capture_enrollment(
        &mut devices,
        resident,
        exceptions,
        "3273-01",
        "operator-01",
        "2026-11-25T02:00:00Z".parse().unwrap(),
    )
    .unwrap()
}

fn signer() -> &'static DocumentSigner {
    static SIGNER: OnceLock<DocumentSigner> = OnceLock::new();
    SIGNER.get_or_init(|| DocumentSigner::from_bytes(&[42u8; 32]).unwrap())
}

fn sample() -> &'static (Enrollment, ChipProfile) {
    static SAMPLE: OnceLock<(Enrollment, ChipProfile)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let e = enrollment(0);
        let p = build(&e, signer()).unwrap();
        (e, p)
    })
}

#[test]
fn the_budget_is_the_virtual_cards() {
    assert_eq!(EEPROM_BYTES, ktpel_sim::card::DEFAULT_EEPROM_BYTES);
    assert_eq!(FILE_OVERHEAD_BYTES, ktpel_sim::card::FILE_OVERHEAD_BYTES);
}

#[test]
fn generated_applicants_fit_with_margin_and_verify() {
    let report = std::env::var_os("KTPEL_PROFILE_SIZES").is_some();
    for i in 0..12 {
        // Some applicants lack an index finger.
        let mut exceptions = Exceptions::default();
        let gap = match i {
            3 => Some((FingerPosition::RightIndex, FingerException::Missing)),
            7 => Some((FingerPosition::LeftIndex, FingerException::Bandaged)),
            _ => None,
        };
        if let Some((finger, why)) = gap {
            exceptions.fingers.insert(finger, why);
        }
        let e = enrollment_with(i, &exceptions);
        let p = build(&e, signer()).unwrap();
        let used = p.eeprom_bytes();
        assert!(
            used <= EEPROM_BYTES - RESERVE_BYTES,
            "applicant {i}: {used} bytes"
        );
        // The portrait gets a size and quality worth having.
        assert!(p.portrait.width >= 180, "applicant {i}: {:?}", p.portrait);
        assert!(
            p.portrait.quality >= images::PORTRAIT_MIN_QUALITY,
            "applicant {i}: {:?}",
            p.portrait
        );
        // And uses the room: less than a quality step's worth is left over.
        assert!(
            EEPROM_BYTES - RESERVE_BYTES - used < 400
                || p.portrait.quality == images::PORTRAIT_MAX_QUALITY,
            "applicant {i}: {used} bytes used, {:?}",
            p.portrait
        );
        let order: Vec<u16> = p.files.iter().map(|(f, _)| *f).collect();
        assert_eq!(order, [EF_COM, DG1, DG2, DG3, DG7, EF_SOD]);
        let v = verify(&p.files, &signer().public()).unwrap();
        assert_eq!(v.profile.holder, Holder::from_resident(&e.resident));
        assert_eq!(v.profile.com.groups, [1, 2, 3, 7]);
        let fingers = v.profile.fingers.as_ref().unwrap();
        assert_eq!(fingers.positions(), p.fingers);
        assert_eq!(
            fingers.views.len(),
            2,
            "applicant {i}: {:?}",
            fingers.positions()
        );
        match gap {
            None => {
                assert_eq!(fingers.positions(), dg3::INDEX_FINGERS);
                assert!(fingers.gaps.is_empty());
            }
            Some((finger, why)) => {
                assert_eq!(fingers.gaps, [(finger, dg3::FingerGap::Exception(why))]);
                assert!(!fingers.positions().contains(&finger));
            }
        }
        assert_eq!(
            (
                u32::from(v.profile.portrait.width),
                u32::from(v.profile.portrait.height)
            ),
            (p.portrait.width, p.portrait.height)
        );
        assert_eq!(v.profile.portrait.sex, Some(e.resident.sex));
        assert!(v.profile.signature.width <= images::SIGNATURE_MAX_WIDTH);
        if report && i == 0 {
            for (fid, b) in &p.files {
                std::fs::write(format!("/tmp/ktpel-chip-{fid:04X}.bin"), b).unwrap();
            }
        }
        if report && i < 2 {
            std::fs::write(
                format!("/tmp/ktpel-chip-portrait-{i}.jpg"),
                &v.profile.portrait.jpeg,
            )
            .unwrap();
            std::fs::write(
                format!("/tmp/ktpel-chip-signature-{i}.png"),
                &v.profile.signature.png,
            )
            .unwrap();
        }
        if report {
            let sizes: Vec<String> = p
                .files
                .iter()
                .map(|(fid, b)| format!("{fid:04X}={}", b.len()))
                .collect();
            eprintln!(
                "applicant {i}: {} | total with overhead {used} | portrait {}x{} q{} {} B | signature {}x{} | fingers {:?}",
                sizes.join(" "),
                p.portrait.width,
                p.portrait.height,
                p.portrait.quality,
                p.portrait.bytes,
                v.profile.signature.width,
                v.profile.signature.height,
                fingers.views.iter().map(|v| (v.position.as_str(), v.template.minutiae.len())).collect::<Vec<_>>(),
            );
        }
    }
}

#[test]
fn ef_com_lists_the_groups_in_the_documented_bytes() {
    let (_, p) = sample();
    assert_eq!(
        p.file(EF_COM).unwrap(),
        [
            0x60, 0x0D, 0x5F, 0x01, 0x04, b'0', b'1', b'0', b'0', 0x5C, 0x04, 0x61, 0x75, 0x63,
            0x67
        ]
    );
}

fn replaced(
    files: &[(u16, Vec<u8>)],
    fid: u16,
    f: impl FnOnce(&mut Vec<u8>),
) -> Vec<(u16, Vec<u8>)> {
    let mut out = files.to_vec();
    if let Some((_, b)) = out.iter_mut().find(|(x, _)| *x == fid) {
        f(b);
    }
    out
}

#[test]
fn verification_names_what_is_wrong() {
    let (_, p) = sample();
    let key = signer().public();
    // A changed byte in the portrait: DG2 fails its hash.
    let files = replaced(&p.files, DG2, |b| {
        let n = b.len() - 10;
        b[n] ^= 0x55;
    });
    assert_eq!(
        verify(&files, &key),
        Err(VerifyError::HashMismatch { dg: 2 })
    );
    // DG1 swapped for another resident's, well formed but not what was signed.
    let other = build(&enrollment(1), signer()).unwrap();
    let files = replaced(&p.files, DG1, |b| *b = other.file(DG1).unwrap().to_vec());
    assert_eq!(
        verify(&files, &key),
        Err(VerifyError::HashMismatch { dg: 1 })
    );
    // A data group missing from the card.
    let files: Vec<_> = p.files.iter().filter(|(f, _)| *f != DG7).cloned().collect();
    assert_eq!(verify(&files, &key), Err(VerifyError::Missing { dg: 7 }));
    // A data group the security object does not list.
    let listed: Vec<(u8, &[u8])> = [(1, DG1), (2, DG2), (7, DG7)]
        .iter()
        .map(|&(n, fid)| (n, p.file(fid).unwrap()))
        .collect();
    let partial = security::sign(signer(), &listed).unwrap();
    let files = replaced(&p.files, EF_SOD, |b| *b = partial);
    assert_eq!(verify(&files, &key), Err(VerifyError::Unlisted { dg: 3 }));
    // Another signer, and a forged signature.
    let stranger = DocumentSigner::generate();
    assert_eq!(
        verify(&p.files, &stranger.public()),
        Err(VerifyError::UntrustedSigner)
    );
    let files = replaced(&p.files, EF_SOD, |b| {
        let n = b.len() - 1;
        b[n] ^= 1;
    });
    assert_eq!(verify(&files, &key), Err(VerifyError::BadSignature));
    // Re-signed by a stranger: refused even though it is self-consistent.
    let forged = build(&sample().0, &stranger).unwrap();
    assert_eq!(
        verify(&forged.files, &key),
        Err(VerifyError::UntrustedSigner)
    );
    // No EF.SOD at all.
    let files: Vec<_> = p
        .files
        .iter()
        .filter(|(f, _)| *f != EF_SOD)
        .cloned()
        .collect();
    assert_eq!(
        verify(&files, &key),
        Err(VerifyError::Profile(ProfileError::MissingFile(EF_SOD)))
    );
    // Unknown and duplicate files.
    let mut files = p.files.clone();
    files.push((0x0104, vec![0x76, 0x00]));
    assert_eq!(decode(&files), Err(ProfileError::UnknownFile(0x0104)));
    let mut files = p.files.clone();
    files.push((DG1, p.file(DG1).unwrap().to_vec()));
    assert_eq!(decode(&files), Err(ProfileError::DuplicateFile(DG1)));
}

#[test]
fn ef_com_must_agree_with_the_files() {
    let (_, p) = sample();
    let com = encode_com(&[DATA_GROUPS[0], DATA_GROUPS[1]]).unwrap();
    let files = replaced(&p.files, EF_COM, |b| *b = com);
    assert_eq!(
        decode(&files),
        Err(ProfileError::ComMismatch {
            listed: vec![1, 2],
            present: vec![1, 2, 3, 7]
        })
    );
}

#[test]
fn an_oversized_signature_or_bad_portrait_is_a_build_error() {
    let (e, _) = sample();
    let mut bad = e.clone();
    bad.face.image.bytes = b"definitely not a jpeg".to_vec();
    assert!(matches!(
        build(&bad, signer()),
        Err(BuildError::Image(ImageError::PortraitUnreadable(_)))
    ));
    let mut bad = e.clone();
    bad.signature.image.bytes.truncate(30);
    assert!(matches!(
        build(&bad, signer()),
        Err(BuildError::Image(ImageError::SignatureUnreadable(_)))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_in_any_file_never_panic(
        which in 0usize..6,
        bytes in proptest::collection::vec(any::<u8>(), 0..700),
    ) {
        let (_, p) = sample();
        let fid = p.files[which].0;
        let files = replaced(&p.files, fid, |b| *b = bytes.clone());
        prop_assert!(decode(&files).is_err());
        prop_assert!(verify(&files, &signer().public()).is_err());
    }

    #[test]
    fn damaged_files_never_panic_and_never_verify(
        which in 0usize..6,
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        cut in any::<bool>(),
    ) {
        let (_, p) = sample();
        let fid = p.files[which].0;
        let files = replaced(&p.files, fid, |b| {
            let i = at.index(b.len());
            if cut { b.truncate(i) } else { b[i] ^= flip }
        });
        let _ = decode(&files);
        prop_assert!(verify(&files, &signer().public()).is_err());
    }
}
