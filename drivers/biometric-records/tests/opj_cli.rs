//! An independent reader: the JPEG 2000 codestreams inside the records are decoded with
//! OpenJPEG's own command-line tool, `opj_decompress` (Debian's `libopenjp2-tools`, installed
//! by `.ci/deps test`). Under CI a missing tool is a failure; elsewhere the test says it is
//! skipping and passes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ktpel_biometric_records::*;
use ktpel_hal::{Eye, FingerPosition, FingerRecord, ImageFormat, IrisRecord};
use std::path::Path;
use std::process::Command;

fn tool_present() -> bool {
    let found = Command::new("opj_decompress").arg("-h").output().is_ok();
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "opj_decompress is missing under CI: `.ci/deps test` installs libopenjp2-tools"
        );
        eprintln!("skipping: opj_decompress not installed (apt-get install libopenjp2-tools)");
    }
    found
}

/// Runs opj_decompress on `codestream` and reads the PGM/PPM it writes: (width, height,
/// channels, samples).
fn opj_decode(dir: &Path, name: &str, codestream: &[u8], channels: usize) -> (u32, u32, Vec<u8>) {
    let input = dir.join(format!("{name}.j2k"));
    let output = dir.join(format!(
        "{name}.{}",
        if channels == 1 { "pgm" } else { "ppm" }
    ));
    std::fs::write(&input, codestream).unwrap();
    let out = Command::new("opj_decompress")
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "opj_decompress failed on {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pnm = std::fs::read(&output).unwrap();
    parse_pnm(&pnm, channels)
}

/// A binary PGM (P5) or PPM (P6) with maxval 255.
fn parse_pnm(b: &[u8], channels: usize) -> (u32, u32, Vec<u8>) {
    let magic = if channels == 1 { b"P5" } else { b"P6" };
    assert_eq!(&b[..2], magic);
    let mut fields = Vec::new();
    let mut at = 2;
    while fields.len() < 3 {
        while b[at].is_ascii_whitespace() {
            at += 1;
        }
        if b[at] == b'#' {
            while b[at] != b'\n' {
                at += 1;
            }
            continue;
        }
        let start = at;
        while b[at].is_ascii_digit() {
            at += 1;
        }
        fields.push(
            std::str::from_utf8(&b[start..at])
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    assert_eq!(fields[2], 255);
    at += 1; // the single whitespace after maxval
    let (w, h) = (fields[0], fields[1]);
    let data = b[at..].to_vec();
    assert_eq!(data.len(), (w * h) as usize * channels);
    (w, h, data)
}

fn close(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= 1)
}

#[test]
fn opj_decompress_reads_every_codestream_of_a_full_capture() {
    if !tool_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for profile in [Profile::Lossless, Profile::Field] {
        for position in FingerPosition::ALL {
            let f = finger(11, position);
            let FingerRecord::Captured(c) = &f else {
                unreachable!()
            };
            let bir = finger_bir(&f, profile, T).unwrap();
            let iso = FingerImageRecord::parse(bir.bdb.as_deref().unwrap()).unwrap();
            let (w, h, px) = opj_decode(
                dir.path(),
                &format!("{profile:?}-{position:?}"),
                &iso.image,
                1,
            );
            assert_eq!((w, h), (u32::from(iso.width), u32::from(iso.height)));
            let ours = iso.to_gray().unwrap();
            match profile {
                Profile::Lossless => assert_eq!(px, c.image.pixels, "{position:?}"),
                Profile::Field => {
                    assert!(close(&px, &ours.pixels), "{position:?}: readers disagree")
                }
            }
        }
        for eye in Eye::BOTH {
            let i = iris(11, eye);
            let IrisRecord::Captured(c) = &i else {
                unreachable!()
            };
            let bir = iris_bir(&i, profile, T).unwrap();
            let iso = IrisImageRecord::parse(bir.bdb.as_deref().unwrap()).unwrap();
            let (w, h, px) = opj_decode(dir.path(), &format!("{profile:?}-{eye:?}"), &iso.image, 1);
            assert_eq!((w, h), (640, 480));
            match profile {
                Profile::Lossless => assert_eq!(px, c.image.pixels),
                Profile::Field => assert!(close(&px, &iso.to_gray().unwrap().pixels)),
            }
        }
    }
    // The face is JPEG 2000 in the field profile (the lossless profile keeps the camera's JPEG),
    // and lossless JPEG 2000 when the camera gave PNG.
    for (profile, format) in [
        (Profile::Field, ImageFormat::Jpeg),
        (Profile::Lossless, ImageFormat::Png),
    ] {
        let bir = face_bir(&face(11, format), profile, T).unwrap();
        let iso = FaceImageRecord::parse(bir.bdb.as_deref().unwrap()).unwrap();
        let (w, h, px) = opj_decode(dir.path(), &format!("face-{profile:?}"), &iso.image, 3);
        assert_eq!((w, h), (480, 640));
        match profile {
            Profile::Lossless => assert_eq!(px, face_rgb(11).2),
            Profile::Field => assert!(close(&px, &iso.to_rgb().unwrap())),
        }
    }
}
