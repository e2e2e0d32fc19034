//! A record whose header claims 65535 × 65535 pixels is refused before its image is decoded,
//! so before anything is allocated for its pixels.
//!
//! The JPEG 2000 codestream inside claims 65535 × 65535 too, so a reader that trusted the
//! header would hand OpenJPEG an image of 4 GB of samples per component (13 GB as RGB). The
//! proof that nothing of that is allocated is the process's peak resident size (`VmHWM`,
//! which counts OpenJPEG's C allocations as well as Rust's): it must not grow by more than
//! a few megabytes over the read. This file holds one test so that nothing else runs in the
//! process while it measures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ktpel_biometric_records::*;
use ktpel_hal::{Eye, FingerPosition, ImageFormat};

/// Peak resident set size of this process, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kb * 1024
}

/// `j2k` with its SIZ marker saying `side × side`, one tile of the same size.
fn claim_side(j2k: &[u8], side: u32) -> Vec<u8> {
    assert_eq!(&j2k[..4], &[0xFF, 0x4F, 0xFF, 0x51], "a bare codestream");
    let mut out = j2k.to_vec();
    // SOC, SIZ marker, Lsiz, Rsiz, then Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz (4 bytes each).
    for at in [8, 12, 24, 28] {
        out[at..at + 4].copy_from_slice(&side.to_be_bytes());
    }
    out
}

fn bdb(bir: &Bir) -> &[u8] {
    bir.bdb.as_deref().unwrap()
}

#[test]
fn records_claiming_65535_by_65535_are_refused_before_any_pixel_is_allocated() {
    const SIDE: u16 = 65535;
    // Real records from the simulators' captures, then made to claim the huge size.
    let mut face = face_bir(&face(3, ImageFormat::Png), Profile::Lossless, T).unwrap();
    let mut iso = FaceImageRecord::parse(bdb(&face)).unwrap();
    assert!(matches!(
        iso.data_type,
        FaceDataType::Jpeg2000Lossless | FaceDataType::Jpeg2000Lossy
    ));
    iso.width = SIDE;
    iso.height = SIDE;
    iso.image = claim_side(&iso.image, SIDE.into());
    let huge_face = iso.encode().unwrap();
    face.bdb = Some(huge_face.clone());

    let finger_bir =
        finger_bir(&finger(3, FingerPosition::RightIndex), Profile::Lossless, T).unwrap();
    let mut f = FingerImageRecord::parse(bdb(&finger_bir)).unwrap();
    f.width = SIDE;
    f.height = SIDE;
    f.image = claim_side(&f.image, SIDE.into());
    let huge_finger = f.encode().unwrap();

    let iris_bir = iris_bir(&iris(3, Eye::Left), Profile::Lossless, T).unwrap();
    let mut i = IrisImageRecord::parse(bdb(&iris_bir)).unwrap();
    i.width = SIDE;
    i.height = SIDE;
    i.image = claim_side(&i.image, SIDE.into());
    let huge_iris = i.encode().unwrap();

    let before = peak_rss();

    // The whole read of the face BIR, as the booth reads one back.
    let e = read_face(&face).unwrap_err();
    assert_eq!(
        e,
        RecordError::ImageTooLarge {
            record: RecordKind::Face,
            width: 65535,
            height: 65535,
            max_side: 8192,
            max_pixels: 16 * 1024 * 1024,
        }
    );
    assert_eq!(e.kind(), ktpel_hal::ErrorKind::BadData);
    let text = e.to_string();
    assert!(
        text.contains("65535×65535") && text.contains("8192"),
        "{text}"
    );

    // The parsers refuse the header itself…
    assert!(matches!(
        FaceImageRecord::parse(&huge_face),
        Err(RecordError::ImageTooLarge { .. })
    ));
    assert_eq!(
        FingerImageRecord::parse(&huge_finger).unwrap_err(),
        RecordError::ImageTooLarge {
            record: RecordKind::Finger,
            width: 65535,
            height: 65535,
            max_side: FINGER_BOUNDS.max_side.into(),
            max_pixels: FINGER_BOUNDS.max_pixels.into(),
        }
    );
    assert_eq!(
        IrisImageRecord::parse(&huge_iris).unwrap_err(),
        RecordError::ImageTooLarge {
            record: RecordKind::Iris,
            width: 65535,
            height: 65535,
            max_side: IRIS_BOUNDS.max_side.into(),
            max_pixels: IRIS_BOUNDS.max_pixels.into(),
        }
    );
    // …and a record built in memory with such a size is not decoded either.
    assert!(matches!(
        iso.to_rgb(),
        Err(RecordError::ImageTooLarge { .. })
    ));
    assert!(matches!(
        f.to_gray(),
        Err(RecordError::ImageTooLarge { .. })
    ));
    assert!(matches!(
        i.to_gray(),
        Err(RecordError::ImageTooLarge { .. })
    ));

    let grown = peak_rss().saturating_sub(before);
    eprintln!("peak RSS grew by {} KiB over the reads", grown / 1024);
    assert!(
        grown < 16 * 1024 * 1024,
        "peak RSS grew by {grown} bytes: pixels were allocated"
    );
}
