//! Round trips, the byte layout of each record against ISO/IEC 19794-4/-5/-6:2011 (MOSIP's
//! layout), and the parsers' refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ktpel_biometric_records::cbeff::*;
use ktpel_biometric_records::*;
use ktpel_hal::{
    Eye, FaceCapture, FingerException, FingerPosition, FingerRecord, ImageFormat, IrisException,
    IrisRecord,
};
use proptest::prelude::*;

fn bdb(bir: &Bir) -> &[u8] {
    bir.bdb.as_deref().unwrap()
}

#[test]
fn lossless_round_trip_gives_back_every_capture_exactly() {
    for position in FingerPosition::ALL {
        let f = finger(3, position);
        let bir = finger_bir(&f, Profile::Lossless, T).unwrap();
        assert_eq!(read_finger(&bir).unwrap(), f, "{position:?}");
    }
    for eye in Eye::BOTH {
        let i = iris(3, eye);
        let bir = iris_bir(&i, Profile::Lossless, T).unwrap();
        assert_eq!(read_iris(&bir).unwrap(), i);
    }
    // A JPEG from the camera travels as it came, byte for byte.
    let face_jpeg = face(3, ImageFormat::Jpeg);
    let bir = face_bir(&face_jpeg, Profile::Lossless, T).unwrap();
    assert_eq!(read_face(&bir).unwrap(), face_jpeg);
    // A PNG becomes lossless JPEG 2000: the same pixels come back.
    let face_png = face(3, ImageFormat::Png);
    let bir = face_bir(&face_png, Profile::Lossless, T).unwrap();
    let iso = FaceImageRecord::parse(bdb(&bir)).unwrap();
    assert_eq!(iso.data_type, FaceDataType::Jpeg2000Lossless);
    assert_eq!(iso.to_rgb().unwrap(), face_rgb(3).2);
    let back = read_face(&bir).unwrap();
    assert_eq!(
        (back.image.format, back.image.width, back.image.height),
        (ImageFormat::Jpeg, 480, 640)
    );
}

#[test]
fn field_round_trip_keeps_shape_quality_and_a_psnr_floor() {
    let f = finger(4, FingerPosition::LeftRing);
    let FingerRecord::Captured(orig) = &f else {
        unreachable!()
    };
    let FingerRecord::Captured(back) =
        read_finger(&finger_bir(&f, Profile::Field, T).unwrap()).unwrap()
    else {
        panic!("exception back")
    };
    assert_eq!(
        (back.position, back.resolution_ppi, back.quality),
        (orig.position, 500, orig.quality)
    );
    assert!(ktpel_jpeg2000::psnr(&orig.image.pixels, &back.image.pixels).unwrap() > 25.0);

    let i = iris(4, Eye::Right);
    let IrisRecord::Captured(orig) = &i else {
        unreachable!()
    };
    let IrisRecord::Captured(back) = read_iris(&iris_bir(&i, Profile::Field, T).unwrap()).unwrap()
    else {
        panic!("exception back")
    };
    assert!(ktpel_jpeg2000::psnr(&orig.image.pixels, &back.image.pixels).unwrap() > 35.0);

    let fc = face(4, ImageFormat::Jpeg);
    let bir = face_bir(&fc, Profile::Field, T).unwrap();
    let iso = FaceImageRecord::parse(bdb(&bir)).unwrap();
    assert_eq!(iso.data_type, FaceDataType::Jpeg2000Lossy);
    assert!(
        iso.image.len() < fc.image.bytes.len(),
        "field face is not smaller than the JPEG"
    );
    let p = ktpel_jpeg2000::psnr(&face_rgb(4).2, &iso.to_rgb().unwrap()).unwrap();
    assert!(p > 30.0, "face PSNR {p:.1}");
}

#[test]
fn finger_record_bytes_follow_19794_4_2011() {
    let bir = finger_bir(&finger(5, FingerPosition::LeftIndex), Profile::Field, T).unwrap();
    let b = bdb(&bir);
    // General header (16 bytes).
    assert_eq!(&b[0..4], b"FIR\0");
    assert_eq!(&b[4..8], b"020\0");
    assert_eq!(be32(b, 8) as usize, b.len());
    assert_eq!(be16(b, 12), 1, "one representation");
    assert_eq!(b[14], 0, "certification flag");
    assert_eq!(b[15], 1, "one finger position");
    // Representation header.
    assert_eq!(be32(b, 16) as usize, b.len() - 16, "representation length");
    assert_eq!(be16(b, 20), 2026);
    assert_eq!(
        &b[22..27],
        &[12, 5, 7, 0, 0],
        "month day hour minute second"
    );
    assert_eq!(be16(b, 27), 123, "milliseconds");
    assert_eq!(
        &b[29..34],
        &[0, 0, 0, 0, 0],
        "device technology, vendor, type"
    );
    assert_eq!(b[34], 1, "one quality block");
    assert_eq!(
        &b[35..40],
        &[71, 0, 0, 0, 0],
        "score, algorithm vendor, algorithm"
    );
    assert_eq!(b[40], 7, "finger position: left index");
    assert_eq!(b[41], 0, "representation number");
    assert_eq!(b[42], 1, "scale units: ppi");
    for at in [43, 45, 47, 49] {
        assert_eq!(be16(b, at), 500, "sampling rate at {at}");
    }
    assert_eq!(b[51], 8, "bit depth");
    assert_eq!(b[52], 4, "compression: JPEG 2000 lossy");
    assert_eq!(b[53], 0, "impression: live-scan plain");
    assert_eq!((be16(b, 54), be16(b, 56)), (256, 288));
    assert_eq!(be32(b, 58) as usize, b.len() - 62, "image data length");
    assert_eq!(
        &b[62..66],
        &[0xFF, 0x4F, 0xFF, 0x51],
        "a JPEG 2000 codestream"
    );

    let lossless =
        finger_bir(&finger(5, FingerPosition::RightThumb), Profile::Lossless, T).unwrap();
    assert_eq!(bdb(&lossless)[52], 5, "compression: JPEG 2000 lossless");
    assert_eq!(bdb(&lossless)[40], 1, "right thumb");
}

#[test]
fn iris_record_bytes_follow_19794_6_2011() {
    let bir = iris_bir(&iris(5, Eye::Left), Profile::Field, T).unwrap();
    let b = bdb(&bir);
    assert_eq!(&b[0..8], b"IIR\x00020\x00");
    assert_eq!(be32(b, 8) as usize, b.len());
    assert_eq!(be16(b, 12), 1);
    assert_eq!(b[14], 0);
    assert_eq!(b[15], 1, "one eye");
    assert_eq!(be32(b, 16) as usize, b.len() - 16);
    assert_eq!(be16(b, 20), 2026);
    assert_eq!(&b[34..40], &[1, 83, 0, 0, 0, 0], "quality block");
    assert_eq!(be16(b, 40), 1, "representation number");
    assert_eq!(b[42], 2, "eye label: left");
    assert_eq!(b[43], 2, "image type: VGA");
    assert_eq!(b[44], 0x0A, "image format: mono JPEG 2000");
    assert_eq!(
        b[45], 0b1000_0101,
        "orientation base/base, compression history lossy"
    );
    assert_eq!((be16(b, 46), be16(b, 48)), (640, 480));
    assert_eq!(b[50], 8, "bit depth");
    assert_eq!(be16(b, 51), 0, "range unassigned");
    assert_eq!(
        (be16(b, 53), be16(b, 55)),
        (0xFFFF, 0xFFFF),
        "roll angle and uncertainty undefined"
    );
    assert!(
        b[57..69].iter().all(|&x| x == 0),
        "iris centre and diameter undefined"
    );
    assert_eq!(be32(b, 69) as usize, b.len() - 73);
    assert_eq!(&b[73..77], &[0xFF, 0x4F, 0xFF, 0x51]);
}

#[test]
fn face_record_bytes_follow_19794_5_2011() {
    let fc = face(5, ImageFormat::Jpeg);
    let bir = face_bir(&fc, Profile::Lossless, T).unwrap();
    let b = bdb(&bir);
    assert_eq!(&b[0..8], b"FAC\x00030\x00");
    assert_eq!(be32(b, 8) as usize, b.len());
    assert_eq!(be16(b, 12), 1);
    assert_eq!(b[14], 0);
    assert_eq!(be16(b, 15), 0, "temporal semantics");
    assert_eq!(be32(b, 17) as usize, b.len() - 17);
    assert_eq!(be16(b, 21), 2026);
    assert_eq!(&b[35..41], &[1, 88, 0, 0, 0, 0], "quality block");
    assert!(
        b[41..58].iter().all(|&x| x == 0),
        "facial information unspecified, no landmarks"
    );
    assert_eq!(b[58], 1, "full frontal");
    assert_eq!(b[59], 0, "image data type: JPEG");
    assert_eq!((be16(b, 60), be16(b, 62)), (480, 640));
    assert_eq!(
        &b[64..69],
        &[0, 0, 0, 0, 1],
        "sampling level, post-processing, cross reference, RGB"
    );
    assert_eq!(be32(b, 69) as usize, fc.image.bytes.len());
    assert_eq!(&b[73..], fc.image.bytes.as_slice());
    let field = face_bir(&fc, Profile::Field, T).unwrap();
    assert_eq!(bdb(&field)[59], 1, "image data type: JPEG 2000 lossy");
}

#[test]
fn bir_headers_name_format_type_and_subtype() {
    let bir = finger_bir(&finger(6, FingerPosition::RightMiddle), Profile::Field, T).unwrap();
    assert_eq!(bir.header.format_owner, 257);
    assert_eq!(bir.header.format_type, 7);
    assert_eq!(bir.header.biometric_type, 0x08);
    assert_eq!(bir.header.subtype, 0x01 | 0x10, "right middle");
    assert_eq!((bir.header.purpose, bir.header.processed_level), (3, 1));
    assert_eq!(bir.header.created_ms, T);
    let iris = iris_bir(&iris(6, Eye::Right), Profile::Field, T).unwrap();
    assert_eq!(
        (
            iris.header.biometric_type,
            iris.header.format_type,
            iris.header.subtype
        ),
        (0x10, 9, 0x01)
    );
    let face = face_bir(&face(6, ImageFormat::Jpeg), Profile::Field, T).unwrap();
    assert_eq!(
        (
            face.header.biometric_type,
            face.header.format_type,
            face.header.subtype
        ),
        (0x02, 8, 0)
    );
    for p in FingerPosition::ALL {
        assert_eq!(finger_from_subtype(finger_subtype(p)), Some(p));
    }
}

#[test]
fn exceptions_are_birs_without_bdb() {
    let f = FingerRecord::Exception {
        position: FingerPosition::LeftLittle,
        exception: FingerException::Bandaged,
    };
    let bir = finger_bir(&f, Profile::Field, T).unwrap();
    assert!(bir.bdb.is_none());
    assert_eq!(bir.header.exception, Some(BirException::Bandaged));
    assert_eq!(bir.header.quality, None);
    assert_eq!(read_finger(&bir).unwrap(), f);
    let i = IrisRecord::Exception {
        eye: Eye::Left,
        exception: IrisException::Missing,
    };
    let bir = iris_bir(&i, Profile::Lossless, T).unwrap();
    assert_eq!(read_iris(&bir).unwrap(), i);
}

#[test]
fn bir_list_round_trips_through_cbor_and_checks_headers() {
    let birs = vec![
        finger_bir(&finger(7, FingerPosition::RightIndex), Profile::Field, T).unwrap(),
        iris_bir(&iris(7, Eye::Right), Profile::Field, T).unwrap(),
        face_bir(&face(7, ImageFormat::Jpeg), Profile::Field, T).unwrap(),
    ];
    let bytes = encode_list(&birs).unwrap();
    assert_eq!(decode_list(&bytes).unwrap(), birs);

    let mut wrong = birs.clone();
    wrong[0].header.format_type = 9;
    assert_eq!(
        decode_list(&encode_list(&wrong).unwrap()),
        Err(RecordError::BirField {
            field: "format type",
            value: 9
        })
    );
    let mut both = birs.clone();
    both[1].header.exception = Some(BirException::Missing);
    assert_eq!(
        decode_list(&encode_list(&both).unwrap()),
        Err(RecordError::BdbAndException)
    );
    let mut owner = birs.clone();
    owner[2].header.format_owner = 1;
    assert!(matches!(
        decode_list(&encode_list(&owner).unwrap()),
        Err(RecordError::BirField {
            field: "format owner",
            ..
        })
    ));
    let mut subtype = birs;
    subtype[0].header.subtype = 0x03;
    assert!(matches!(
        read_finger(&subtype[0]),
        Err(RecordError::BirField {
            field: "subtype",
            ..
        })
    ));

    for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(decode_list(&bytes[..cut]), Err(RecordError::Cbor(_))),
            "cut {cut}"
        );
    }
    // A byte string that claims 4 GB in a few bytes of input is refused without allocating it.
    let mut claim = vec![0xA2, 0x67];
    claim.extend_from_slice(b"version");
    claim.push(0x01);
    claim.push(0x64);
    claim.extend_from_slice(b"birs");
    claim.extend_from_slice(&[0x81, 0x5B, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert!(decode_list(&claim).is_err());
    // An array that claims 2^32 BIRs.
    let mut many = claim[..claim.len() - 10].to_vec();
    many.extend_from_slice(&[0x9A, 0xFF, 0xFF, 0xFF, 0xFF]);
    assert!(decode_list(&many).is_err());
}

#[test]
fn the_bir_must_agree_with_its_record() {
    let mut bir = finger_bir(&finger(8, FingerPosition::RightIndex), Profile::Field, T).unwrap();
    bir.header.subtype = finger_subtype(FingerPosition::RightRing);
    assert!(matches!(
        read_finger(&bir),
        Err(RecordError::BirMismatch { .. })
    ));
    let mut bir = finger_bir(&finger(8, FingerPosition::RightIndex), Profile::Field, T).unwrap();
    bir.header.quality = Some(12);
    assert!(matches!(
        read_finger(&bir),
        Err(RecordError::BirMismatch { .. })
    ));
    let bir = iris_bir(&iris(8, Eye::Right), Profile::Field, T).unwrap();
    assert!(matches!(
        read_finger(&bir),
        Err(RecordError::WrongModality { .. })
    ));
}

fn records() -> Vec<(RecordKind, Vec<u8>)> {
    vec![
        (
            RecordKind::Finger,
            finger_bir(&finger(9, FingerPosition::LeftThumb), Profile::Field, T)
                .unwrap()
                .bdb
                .unwrap(),
        ),
        (
            RecordKind::Iris,
            iris_bir(&iris(9, Eye::Right), Profile::Field, T)
                .unwrap()
                .bdb
                .unwrap(),
        ),
        (
            RecordKind::Face,
            face_bir(&face(9, ImageFormat::Jpeg), Profile::Field, T)
                .unwrap()
                .bdb
                .unwrap(),
        ),
    ]
}

fn parse(kind: RecordKind, b: &[u8]) -> Result<(), RecordError> {
    match kind {
        RecordKind::Finger => FingerImageRecord::parse(b).map(drop),
        RecordKind::Iris => IrisImageRecord::parse(b).map(drop),
        RecordKind::Face => FaceImageRecord::parse(b).map(drop),
    }
}

#[test]
fn every_truncation_and_any_extra_byte_is_refused() {
    for (kind, b) in records() {
        assert!(parse(kind, &b).is_ok());
        for cut in 0..b.len() {
            let err = parse(kind, &b[..cut]).unwrap_err();
            assert!(
                matches!(
                    err,
                    RecordError::Truncated { .. } | RecordError::RecordLength { .. }
                ),
                "{kind:?} cut at {cut}: {err}"
            );
        }
        let mut longer = b.clone();
        longer.push(0);
        assert!(matches!(
            parse(kind, &longer),
            Err(RecordError::RecordLength { .. })
        ));
        // The lengths agree with each other once the record length is patched: the
        // representation's own length must still match.
        let n = (longer.len() as u32).to_be_bytes();
        longer[8..12].copy_from_slice(&n);
        assert!(
            matches!(
                parse(kind, &longer),
                Err(RecordError::RepresentationLength { .. })
            ),
            "{kind:?}"
        );
    }
}

#[test]
fn header_fields_are_checked() {
    let recs = records();
    let finger = &recs[0].1;
    let iris = &recs[1].1;
    let face = &recs[2].1;
    let with = |b: &Vec<u8>, at: usize, v: u8| {
        let mut c = b.clone();
        c[at] = v;
        c
    };
    use RecordError::*;
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 0, b'X')),
        Err(FormatIdentifier { .. })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 5, b'1')),
        Err(Version { .. })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 13, 2)),
        Err(Field {
            field: "number of representations",
            ..
        })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 14, 1)),
        Err(Field {
            field: "certification flag",
            ..
        })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 22, 13)),
        Err(Field {
            field: "capture month",
            ..
        })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 35, 101)),
        Err(Field {
            field: "quality score",
            ..
        })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 40, 11)),
        Err(Field {
            field: "finger position",
            ..
        })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 42, 3)),
        Err(Field {
            field: "scale units",
            ..
        })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 51, 16)),
        Err(Field {
            field: "bit depth",
            ..
        })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 52, 7)),
        Err(Field {
            field: "compression algorithm",
            ..
        })
    ));
    assert!(matches!(
        FingerImageRecord::parse(&with(finger, 61, 0)),
        Err(ImageDataLength { .. })
    ));
    // A WSQ finger parses but is not decoded here.
    let wsq = FingerImageRecord::parse(&with(finger, 52, 2)).unwrap();
    assert!(matches!(wsq.to_gray(), Err(UnsupportedImage { .. })));
    // Header says another size than the codestream holds.
    let wrong_size = FingerImageRecord::parse(&with(finger, 55, 1)).unwrap();
    assert!(matches!(
        wrong_size.to_gray(),
        Err(Image { .. } | ImageMismatch { .. })
    ));

    assert!(matches!(
        IrisImageRecord::parse(&with(iris, 42, 3)),
        Err(Field {
            field: "eye label",
            ..
        })
    ));
    assert!(matches!(
        IrisImageRecord::parse(&with(iris, 43, 5)),
        Err(Field {
            field: "image type",
            ..
        })
    ));
    assert!(matches!(
        IrisImageRecord::parse(&with(iris, 44, 0x0B)),
        Err(Field {
            field: "image format",
            ..
        })
    ));
    assert!(matches!(
        IrisImageRecord::parse(&with(iris, 45, 0xFF)),
        Err(Field {
            field: "image properties",
            ..
        })
    ));
    assert!(matches!(
        IrisImageRecord::parse(&with(iris, 15, 2)),
        Err(Field {
            field: "number of eyes represented",
            ..
        })
    ));

    assert!(matches!(
        FaceImageRecord::parse(&with(face, 16, 1)),
        Err(Field {
            field: "temporal semantics",
            ..
        })
    ));
    assert!(matches!(
        FaceImageRecord::parse(&with(face, 43, 7)),
        Err(Field {
            field: "gender",
            ..
        })
    ));
    assert!(matches!(
        FaceImageRecord::parse(&with(face, 59, 9)),
        Err(Field {
            field: "image data type",
            ..
        })
    ));
    assert!(matches!(
        FaceImageRecord::parse(&with(face, 41, 0xFF)),
        Err(Field {
            field: "number of landmark points",
            ..
        })
    ));
    // One landmark point claimed but none present: the lengths no longer add up.
    assert!(FaceImageRecord::parse(&with(face, 42, 1)).is_err());
}

#[test]
fn an_image_too_large_for_a_record_is_refused_before_encoding() {
    let f = FingerRecord::Captured(ktpel_hal::FingerCapture {
        position: FingerPosition::RightThumb,
        image: ktpel_hal::GrayImage::new(70_000, 1, vec![0; 70_000]).unwrap(),
        resolution_ppi: 500,
        quality: ktpel_hal::Quality(50),
    });
    assert_eq!(
        finger_bir(&f, Profile::Field, T),
        Err(RecordError::ImageSize {
            width: 70_000,
            height: 1
        })
    );
    let mut bad_face: FaceCapture = face(1, ImageFormat::Jpeg);
    bad_face.image.bytes.truncate(100);
    assert!(matches!(
        face_bir(&bad_face, Profile::Field, T),
        Err(RecordError::Image { .. })
    ));
    let mut lying_face: FaceCapture = face(1, ImageFormat::Jpeg);
    lying_face.image.width = 400;
    assert!(matches!(
        face_bir(&lying_face, Profile::Lossless, T),
        Err(RecordError::ImageMismatch { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn parsers_never_panic_on_mutated_records(which in 0usize..3, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        thread_local!(static RECS: Vec<(RecordKind, Vec<u8>)> = records());
        RECS.with(|recs| {
            let (kind, b) = &recs[which];
            let mut m = b.clone();
            for (at, v) in &flips {
                // Mostly the headers, sometimes the image.
                let at = if at % 4 == 0 { at % m.len() } else { at % 80 };
                m[at] = *v;
            }
            let _ = parse(*kind, &m);
            if let Ok(r) = FingerImageRecord::parse(&m) { let _ = r.to_gray(); }
            if let Ok(r) = IrisImageRecord::parse(&m) { let _ = r.to_gray(); }
            if let Ok(r) = FaceImageRecord::parse(&m) { let _ = r.to_rgb(); }
        });
    }

    #[test]
    fn parsers_never_panic_on_random_bytes(prefix in 0usize..3, tail in proptest::collection::vec(any::<u8>(), 0..200)) {
        let magic: &[u8] = [&b"FIR\x00020\x00"[..], b"IIR\x00020\x00", b"FAC\x00030\x00"][prefix];
        let mut b = magic.to_vec();
        b.extend_from_slice(&tail);
        let _ = FingerImageRecord::parse(&b);
        let _ = IrisImageRecord::parse(&b);
        let _ = FaceImageRecord::parse(&b);
        let _ = decode_list(&tail);
    }
}

#[test]
fn capture_time_round_trips_and_impossible_dates_are_refused() {
    let t = CaptureTime::from_unix_ms(T).unwrap();
    assert_eq!((t.year, t.month, t.day, t.millisecond), (2026, 12, 5, 123));
    assert_eq!(t.to_unix_ms(), Some(T));
    assert_eq!(
        CaptureTime {
            month: 2,
            day: 30,
            ..t
        }
        .to_unix_ms(),
        None
    );
    let mut b = finger_bir(&finger(12, FingerPosition::RightRing), Profile::Field, T)
        .unwrap()
        .bdb
        .unwrap();
    b[22] = 2;
    b[23] = 30;
    assert!(matches!(
        FingerImageRecord::parse(&b),
        Err(RecordError::Field {
            field: "capture day",
            ..
        })
    ));
}
