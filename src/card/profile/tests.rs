use super::*;
use crate::booth::devices::Devices;
use crate::booth::recording::{capture_enrollment, Exceptions};
use crate::domain::population;
use ktpel_hal::{FingerException, FingerPosition};
use proptest::prelude::*;
use std::sync::OnceLock;
use std::time::Duration;

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

const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// The test CSCA and its document signer.
fn pki() -> &'static (KeyAndCertificate, KeyAndCertificate) {
    static PKI: OnceLock<(KeyAndCertificate, KeyAndCertificate)> = OnceLock::new();
    PKI.get_or_init(|| {
        let start = SystemTime::now() - YEAR;
        let csca = KeyAndCertificate::new_csca("CN=CSCA test,C=ID", start, 15 * YEAR).unwrap();
        let ds = csca
            .issue_document_signer("CN=DS test,C=ID", &["ID"], start, 10 * YEAR)
            .unwrap();
        (csca, ds)
    })
}

fn signer() -> &'static KeyAndCertificate {
    &pki().1
}

fn csca() -> &'static Certificate {
    &pki().0.certificate
}

fn now() -> SystemTime {
    SystemTime::now()
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
        let used = p.eeprom_bytes() + MARKER_BYTES;
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
        assert_eq!(order, [EF_COM, DG1, DG2, DG3, DG7, DG11, DG12, EF_SOD]);
        let v = verify(&p.files, csca(), now()).unwrap();
        assert_eq!(v.profile.holder, Holder::from_resident(&e.resident));
        assert_eq!(v.profile.com.groups, [1, 2, 3, 7, 11, 12]);
        assert_eq!(v.chain.groups, [1, 2, 3, 7, 11, 12]);
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
            0x60, 0x18, 0x5F, 0x01, 0x04, b'0', b'1', b'0', b'7', 0x5F, 0x36, 0x06, b'0', b'4',
            b'0', b'0', b'0', b'0', 0x5C, 0x06, 0x61, 0x75, 0x63, 0x67, 0x6B, 0x6C
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

fn pa(e: PaError) -> Result<Verified, VerifyError> {
    Err(VerifyError::PassiveAuthentication(e))
}

#[test]
fn verification_names_what_is_wrong() {
    let (_, p) = sample();
    // A changed byte in the portrait: DG2 fails its hash.
    let files = replaced(&p.files, DG2, |b| {
        let n = b.len() - 10;
        b[n] ^= 0x55;
    });
    assert_eq!(
        verify(&files, csca(), now()),
        pa(PaError::HashMismatch { dg: 2 })
    );
    // DG11 swapped for another resident's, well formed but not what was signed.
    let other = build(&enrollment(1), signer()).unwrap();
    let files = replaced(&p.files, DG11, |b| *b = other.file(DG11).unwrap().to_vec());
    assert_eq!(
        verify(&files, csca(), now()),
        pa(PaError::HashMismatch { dg: 11 })
    );
    // A data group missing from the card.
    let files: Vec<_> = p.files.iter().filter(|(f, _)| *f != DG7).cloned().collect();
    assert_eq!(
        verify(&files, csca(), now()),
        pa(PaError::Missing { dg: 7 })
    );
    // A data group the security object does not list.
    let listed: Vec<(u8, &[u8])> = [(1, DG1), (2, DG2), (7, DG7), (11, DG11), (12, DG12)]
        .iter()
        .map(|&(n, fid)| (n, p.file(fid).unwrap()))
        .collect();
    let partial = sod::sign(signer(), &listed).unwrap();
    let files = replaced(&p.files, EF_SOD, |b| *b = partial);
    assert_eq!(
        verify(&files, csca(), now()),
        pa(PaError::Unlisted { dg: 3 })
    );
    // A forged signature (its last byte is the signature's).
    let files = replaced(&p.files, EF_SOD, |b| {
        let n = b.len() - 1;
        b[n] ^= 1;
    });
    assert_eq!(verify(&files, csca(), now()), pa(PaError::BadSignature));
    // Re-signed by a document signer of another CSCA: refused though self-consistent.
    let start = SystemTime::now() - YEAR;
    let stranger = KeyAndCertificate::new_csca("CN=Other CSCA,C=UT", start, 15 * YEAR)
        .unwrap()
        .issue_document_signer("CN=Other DS,C=UT", &["ID"], start, YEAR * 2)
        .unwrap();
    let forged = build(&sample().0, &stranger).unwrap();
    assert!(matches!(
        verify(&forged.files, csca(), now()),
        Err(VerifyError::PassiveAuthentication(
            PaError::OtherCsca { .. }
        ))
    ));
    // Verified later than the document signer's validity: expired.
    assert!(matches!(
        verify(&p.files, csca(), now() + 12 * YEAR),
        Err(VerifyError::PassiveAuthentication(
            PaError::SignerExpired { .. }
        ))
    ));
    // No EF.SOD at all.
    let files: Vec<_> = p
        .files
        .iter()
        .filter(|(f, _)| *f != EF_SOD)
        .cloned()
        .collect();
    assert_eq!(
        verify(&files, csca(), now()),
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

/// The resident of the simulated population (the default config's seed and size) whose face
/// fields take the most room still gets a complete profile within the EEPROM, with a portrait
/// at the floor's size and quality or better.
#[test]
fn the_worst_case_resident_of_the_population_fits() {
    let population = crate::centre_sim::population_of(2026, 600);
    let (i, worst) = population
        .iter()
        .enumerate()
        .max_by_key(|(_, r)| {
            let f = dg1::encode(&Holder::from_resident(r)).unwrap();
            f.dg1.len() + f.dg11.len() + f.dg12.len()
        })
        .unwrap();
    let mut devices = Devices::simulated(i as u64 + 1);
    devices.set_subject(i as u64 + 1);
    let e = capture_enrollment(
        &mut devices,
        worst.clone(),
        &Exceptions::default(),
        "3273-01",
        "operator-01",
        "2026-11-25T02:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let p = build(&e, signer()).unwrap();
    let used = p.eeprom_bytes() + MARKER_BYTES;
    assert!(used <= EEPROM_BYTES - RESERVE_BYTES, "{used}");
    assert!(p.portrait.width >= 180, "{:?}", p.portrait);
    assert!(
        p.portrait.quality >= images::PORTRAIT_MIN_QUALITY,
        "{:?}",
        p.portrait
    );
    verify(&p.files, csca(), now()).unwrap();
    if std::env::var_os("KTPEL_PROFILE_SIZES").is_some() {
        let sizes: Vec<String> = p
            .files
            .iter()
            .map(|(fid, b)| format!("{fid:04X}={}", b.len()))
            .collect();
        eprintln!(
            "worst case (resident {i}): {} | EEPROM with markers {used} | portrait {}x{} q{} {} B",
            sizes.join(" "),
            p.portrait.width,
            p.portrait.height,
            p.portrait.quality,
            p.portrait.bytes
        );
    }
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
            present: vec![1, 2, 3, 7, 11, 12]
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
        which in 0usize..8,
        bytes in proptest::collection::vec(any::<u8>(), 0..700),
    ) {
        let (_, p) = sample();
        let fid = p.files[which].0;
        let files = replaced(&p.files, fid, |b| *b = bytes.clone());
        prop_assert!(decode(&files).is_err());
        prop_assert!(verify(&files, csca(), now()).is_err());
    }

    #[test]
    fn damaged_files_never_panic_and_never_verify(
        which in 0usize..8,
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
        prop_assert!(verify(&files, csca(), now()).is_err());
    }
}

/// Every byte of EF.SOD matters, the unsigned ones too: SignedData's version, its list of
/// digest algorithms and the SignerInfo's version are outside the signature, and a reader that
/// does not check them accepts an altered SOD (the random test above found the first).
#[test]
fn a_flipped_bit_anywhere_in_the_sod_fails_verification() {
    let (_, p) = sample();
    let (fid, sod) = &p.files[7];
    assert_eq!(*fid, 0x011D, "EF.SOD");
    let passing: Vec<usize> = (0..sod.len())
        .filter(|&i| {
            let files = replaced(&p.files, *fid, |b| b[i] ^= 1);
            verify(&files, csca(), now()).is_ok()
        })
        .collect();
    assert!(
        passing.is_empty(),
        "altered at {passing:?} and still verified"
    );
}
