//! Round trips through OpenJPEG, bounds, and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{Eye, FingerPosition};
use ktpel_jpeg2000::{
    decode, decode_with_limits, encode, psnr, Colour, Container, Error, Image, Limits, Profile,
};
use proptest::prelude::*;

fn finger() -> Image {
    let g = ktpel_sim::finger::render_finger(7, FingerPosition::RightIndex);
    Image::grey(g.width, g.height, g.pixels)
}

fn iris() -> Image {
    let g = ktpel_sim::iris::render_iris(7, Eye::Left);
    Image::grey(g.width, g.height, g.pixels)
}

fn gradient_rgb(w: u32, h: u32) -> Image {
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            px.extend_from_slice(&[
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                ((x + y) % 256) as u8,
            ]);
        }
    }
    Image::rgb(w, h, px)
}

#[test]
fn lossless_round_trip_is_exact_for_grey_and_rgb_in_both_containers() {
    for image in [finger(), iris(), gradient_rgb(97, 61)] {
        for container in [Container::J2k, Container::Jp2] {
            let bytes = encode(&image, Profile::Lossless, container).unwrap();
            assert_eq!(Container::sniff(&bytes), Some(container));
            let back = decode(&bytes).unwrap();
            assert_eq!(back, image, "{image:?} via {container:?}");
            if image.colour == Colour::Grey {
                assert!(
                    bytes.len() < image.pixels.len(),
                    "lossless did not compress"
                );
            }
        }
    }
}

#[test]
fn field_profile_meets_its_ratio_and_a_psnr_floor() {
    for (image, floor) in [(finger(), 28.0), (iris(), 34.0)] {
        let bytes = encode(&image, Profile::Field { ratio: 15.0 }, Container::J2k).unwrap();
        let ratio = image.pixels.len() as f64 / bytes.len() as f64;
        assert!(ratio > 12.0, "ratio {ratio:.1}");
        let back = decode(&bytes).unwrap();
        assert_eq!(
            (back.width, back.height, back.colour),
            (image.width, image.height, Colour::Grey)
        );
        let p = psnr(&image.pixels, &back.pixels).unwrap();
        assert!(p > floor, "PSNR {p:.1} dB below {floor} for {image:?}");
    }
    let rgb = gradient_rgb(128, 96);
    let back =
        decode(&encode(&rgb, Profile::Field { ratio: 10.0 }, Container::Jp2).unwrap()).unwrap();
    assert!(psnr(&rgb.pixels, &back.pixels).unwrap() > 30.0);
}

#[test]
fn tiny_images_encode() {
    for (w, h) in [(1, 1), (1, 7), (3, 2), (17, 5)] {
        let img = Image::grey(w, h, (0..w * h).map(|i| (i * 37) as u8).collect());
        let back = decode(&encode(&img, Profile::Lossless, Container::J2k).unwrap()).unwrap();
        assert_eq!(back, img);
    }
}

#[test]
fn encode_refuses_bad_images() {
    let bad = Image::grey(10, 10, vec![0; 99]);
    assert!(matches!(
        encode(&bad, Profile::Lossless, Container::J2k),
        Err(Error::SampleCount { .. })
    ));
    let empty = Image::grey(0, 10, vec![]);
    assert!(matches!(
        encode(&empty, Profile::Lossless, Container::J2k),
        Err(Error::Dimensions { .. })
    ));
    let huge = Image::grey(100_000, 1, vec![]);
    assert!(matches!(
        encode(&huge, Profile::Lossless, Container::J2k),
        Err(Error::Dimensions { .. })
    ));
    let ok = Image::grey(4, 4, vec![0; 16]);
    for ratio in [0.5, f32::NAN, 1000.0] {
        assert!(matches!(
            encode(&ok, Profile::Field { ratio }, Container::J2k),
            Err(Error::Ratio(_))
        ));
    }
}

#[test]
fn decode_refuses_dimensions_beyond_the_limits_before_decoding() {
    let bytes = encode(&iris(), Profile::Lossless, Container::J2k).unwrap();
    let small = Limits {
        max_side: 320,
        max_pixels: 1 << 30,
    };
    assert!(matches!(
        decode_with_limits(&bytes, small),
        Err(Error::Dimensions {
            width: 640,
            height: 480,
            ..
        })
    ));
    let few = Limits {
        max_side: 8192,
        max_pixels: 1000,
    };
    assert!(matches!(
        decode_with_limits(&bytes, few),
        Err(Error::TooManyPixels { .. })
    ));
}

#[test]
fn a_header_claiming_a_huge_image_is_refused() {
    // SIZ (A.5.1): Lsiz, Rsiz, Xsiz, Ysiz at byte 8 and 12 of the codestream.
    let mut bytes = encode(
        &Image::grey(8, 8, vec![9; 64]),
        Profile::Lossless,
        Container::J2k,
    )
    .unwrap();
    bytes[8..12].copy_from_slice(&60_000u32.to_be_bytes());
    bytes[12..16].copy_from_slice(&60_000u32.to_be_bytes());
    // One tile as large as the image (XTsiz, YTsiz), so OpenJPEG's own tile count check passes
    // and ours is the one that refuses.
    bytes[24..28].copy_from_slice(&60_000u32.to_be_bytes());
    bytes[28..32].copy_from_slice(&60_000u32.to_be_bytes());
    let got = decode(&bytes);
    assert!(
        matches!(
            got,
            Err(Error::Dimensions {
                width: 60_000,
                height: 60_000,
                ..
            })
        ),
        "{got:?}"
    );
}

#[test]
fn garbage_and_truncation_are_errors() {
    assert_eq!(decode(b""), Err(Error::NotJpeg2000));
    assert_eq!(decode(b"not an image at all"), Err(Error::NotJpeg2000));
    let bytes = encode(&finger(), Profile::Field { ratio: 15.0 }, Container::J2k).unwrap();
    for cut in [4, 20, 60, 200] {
        assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let jp2 = encode(&finger(), Profile::Lossless, Container::Jp2).unwrap();
    assert!(decode(&jp2[..40]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn decode_never_panics_on_corrupted_codestreams(
        flips in proptest::collection::vec((0usize..2000, any::<u8>()), 1..8),
        cut in 0usize..4000,
    ) {
        let image = Image::grey(40, 30, (0..1200u32).map(|i| (i % 251) as u8).collect());
        let mut bytes = encode(&image, Profile::Field { ratio: 4.0 }, Container::J2k).unwrap();
        for (at, v) in flips {
            if let Some(b) = bytes.get_mut(at) { *b = v; }
        }
        bytes.truncate(cut.max(4));
        let _ = decode(&bytes);
    }

    #[test]
    fn decode_never_panics_on_random_bytes_after_a_signature(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = vec![0xFF, 0x4F, 0xFF, 0x51];
        bytes.extend_from_slice(&tail);
        let _ = decode(&bytes);
    }
}
