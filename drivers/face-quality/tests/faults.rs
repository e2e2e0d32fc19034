//! Synthetic faces from the simulator (drivers/sim/src/face.rs), good and with known faults
//! made by compositing and transforming them here; each fault must be flagged by its own
//! check with its own advice, and a good face must pass. Plus one real photograph, so the
//! detector is shown to work on photos and not only on drawings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use image::{Rgb, RgbImage};
use ktpel_face_quality::{
    assess, assess_frame, crop_portrait, portrait_frame, Advice, Assessment, CheckId, CropError,
    Edge, FaceBox, PortraitSpec, Thresholds,
};
use ktpel_hal::Camera;
use ktpel_sim::face::{FaceModel, Placement};
use ktpel_sim::SimCamera;

const BACKDROP: Rgb<u8> = Rgb([204, 212, 222]);

/// A face rendered at (`cx`, `cy`) with half-height `scale`, all as fractions of the canvas
/// (`scale` of its height).
fn face_at(subject: u64, w: u32, h: u32, cx: f32, cy: f32, scale: f32) -> RgbImage {
    let rgb = FaceModel::generate(subject).render_rgb(
        w as usize,
        h as usize,
        Placement {
            cx: cx * w as f32,
            cy: cy * h as f32,
            scale: scale * h as f32,
        },
    );
    RgbImage::from_raw(w, h, rgb).unwrap()
}

/// Framed as the simulated camera frames it.
fn good(subject: u64, w: u32, h: u32) -> RgbImage {
    face_at(subject, w, h, 0.5, 0.47, 0.3)
}

fn failed(a: &Assessment) -> Vec<CheckId> {
    a.checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.id)
        .collect()
}

fn advice_of(a: &Assessment, id: CheckId) -> Option<Advice> {
    a.check(id).and_then(|c| c.advice)
}

fn map_pixels(img: &RgbImage, f: impl Fn(u32, u32, [u8; 3]) -> [u8; 3]) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        Rgb(f(x, y, img.get_pixel(x, y).0))
    })
}

fn scaled(v: u8, k: f32) -> u8 {
    (f32::from(v) * k).round().clamp(0.0, 255.0) as u8
}

/// Rotates about the centre, filling with the backdrop.
fn rotate(img: &RgbImage, deg: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = (c * dx + s * dy + cx).round();
        let sy = (-s * dx + c * dy + cy).round();
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            BACKDROP
        }
    })
}

const SUBJECTS: [u64; 6] = [1, 2, 3, 4, 6, 10];

#[test]
fn good_faces_pass_at_preview_and_still_sizes() {
    for subject in 0..12 {
        for (w, h) in [(640, 480), (320, 240), (1280, 960)] {
            let a = assess(&good(subject, w, h));
            assert!(a.ok, "subject {subject} {w}x{h}: {}", a.summary());
            assert!(a.score >= 60);
            assert_eq!(a.faces, 1);
            assert_eq!(a.advice(), None);
            let f = a.face.unwrap();
            let (cx, _) = f.centre();
            assert!(
                (cx / w as f32 - 0.5).abs() < 0.06,
                "subject {subject}: {f:?}"
            );
        }
    }
}

#[test]
fn frames_from_the_simulated_camera_pass() {
    let mut camera = SimCamera::new(11);
    let control = camera.control();
    for subject in SUBJECTS {
        control.set_subject(subject);
        for _ in 0..3 {
            let frame = camera.preview_frame().unwrap();
            let a = assess_frame(&frame, &Thresholds::default()).unwrap();
            assert!(a.ok, "subject {subject}: {}", a.summary());
        }
    }
}

#[test]
fn no_face_is_flagged() {
    let mut img = RgbImage::from_pixel(640, 480, BACKDROP);
    // Some structure that is not a face: a shelf and a dark doorway.
    for y in 300..320 {
        for x in 0..640 {
            img.put_pixel(x, y, Rgb([120, 90, 60]));
        }
    }
    for y in 100..480 {
        for x in 450..560 {
            img.put_pixel(x, y, Rgb([40, 40, 45]));
        }
    }
    let a = assess(&img);
    assert!(!a.ok);
    assert_eq!(a.faces, 0);
    assert_eq!(a.face, None);
    assert_eq!(failed(&a), vec![CheckId::FaceFound]);
    assert_eq!(a.advice(), Some(Advice::LookAtCamera));
    assert_eq!(a.score, 0);
}

#[test]
fn two_faces_are_flagged() {
    for (a_subject, b_subject) in [(1, 4), (2, 7), (3, 9)] {
        let left = face_at(a_subject, 640, 480, 0.27, 0.5, 0.2);
        let right = face_at(b_subject, 640, 480, 0.73, 0.5, 0.2);
        let img = RgbImage::from_fn(640, 480, |x, y| {
            if x < 320 {
                *left.get_pixel(x, y)
            } else {
                *right.get_pixel(x, y)
            }
        });
        let a = assess(&img);
        assert!(!a.ok);
        assert_eq!(a.faces, 2, "{}", a.summary());
        assert!(failed(&a).contains(&CheckId::OneFace));
        assert_eq!(a.advice(), Some(Advice::OnlyOnePerson));
    }
}

#[test]
fn an_off_centre_face_is_flagged_with_the_direction() {
    for subject in SUBJECTS {
        // Face at the left of the image: it must move towards the right.
        let a = assess(&face_at(subject, 640, 480, 0.3, 0.47, 0.25));
        assert!(!a.ok);
        assert!(failed(&a).contains(&CheckId::Centred), "{}", a.summary());
        assert_eq!(advice_of(&a, CheckId::Centred), Some(Advice::MoveRight));
        assert!(a.check(CheckId::Size).unwrap().passed);
        // And low in the image: it must move up.
        let a = assess(&face_at(subject, 640, 480, 0.5, 0.62, 0.25));
        assert_eq!(
            advice_of(&a, CheckId::Centred),
            Some(Advice::MoveUp),
            "{}",
            a.summary()
        );
    }
}

#[test]
fn a_small_face_is_flagged_come_closer() {
    for subject in SUBJECTS {
        let a = assess(&face_at(subject, 640, 480, 0.5, 0.47, 0.15));
        assert!(!a.ok);
        assert_eq!(a.faces, 1, "subject {subject}: {}", a.summary());
        assert!(failed(&a).contains(&CheckId::Size), "{}", a.summary());
        assert_eq!(advice_of(&a, CheckId::Size), Some(Advice::ComeCloser));
        assert!(a.check(CheckId::Size).unwrap().value < 0.28);
    }
}

#[test]
fn a_face_too_close_for_the_portrait_is_flagged_move_back() {
    for subject in SUBJECTS {
        let a = assess(&face_at(subject, 640, 480, 0.5, 0.5, 0.4));
        assert!(!a.ok);
        assert!(failed(&a).contains(&CheckId::Framing), "{}", a.summary());
        assert_eq!(advice_of(&a, CheckId::Framing), Some(Advice::MoveBack));
    }
}

#[test]
fn a_tilted_head_is_flagged() {
    for subject in SUBJECTS {
        // The detector finds frontal faces up to about 12–15° of roll, so this is the fault
        // the check exists for: a head visibly tilted but still found.
        for deg in [-12.0, 12.0] {
            let a = assess(&rotate(&good(subject, 640, 480), deg));
            assert!(a.face.is_some(), "subject {subject} {deg}°: no face");
            let roll = a.check(CheckId::EyesLevel).unwrap();
            assert!(!roll.passed, "subject {subject} {deg}°: {}", a.summary());
            assert_eq!(roll.advice, Some(Advice::HeadLevel));
        }
        // A small tilt is within the limit.
        let a = assess(&rotate(&good(subject, 640, 480), 3.0));
        assert!(
            a.check(CheckId::EyesLevel).unwrap().passed,
            "{}",
            a.summary()
        );
    }
}

#[test]
fn one_side_dark_is_flagged_uneven_light() {
    for subject in SUBJECTS {
        // A lamp on the right only: the left half of the picture at 55 % brightness, with a
        // soft transition over the nose.
        let img = map_pixels(&good(subject, 640, 480), |x, _, p| {
            let t = ((x as f32 - 290.0) / 60.0).clamp(0.0, 1.0);
            let k = 0.55 + 0.45 * t;
            p.map(|v| scaled(v, k))
        });
        let a = assess(&img);
        assert!(!a.ok);
        let balance = a
            .check(CheckId::LightBalance)
            .unwrap_or_else(|| panic!("subject {subject}: no face found"));
        assert!(!balance.passed, "subject {subject}: {}", a.summary());
        assert_eq!(balance.advice, Some(Advice::EvenLight));
    }
}

#[test]
fn over_and_under_exposure_are_flagged() {
    for subject in SUBJECTS {
        // Enough light to push the average skin tone to white (dark skin needs more of it to
        // be overexposed, as in life).
        let skin = FaceModel::generate(subject).skin;
        let k = 255.0 / (0.299 * skin[0] + 0.587 * skin[1] + 0.114 * skin[2]);
        let bright = map_pixels(&good(subject, 640, 480), |_, _, p| p.map(|v| scaled(v, k)));
        let a = assess(&bright);
        assert!(!a.ok, "subject {subject} bright: {}", a.summary());
        let over: Vec<_> = [CheckId::Exposure, CheckId::Highlights]
            .into_iter()
            .filter(|id| a.check(*id).is_some_and(|c| !c.passed))
            .collect();
        assert!(
            !over.is_empty(),
            "subject {subject} bright: {}",
            a.summary()
        );
        for id in over {
            assert_eq!(advice_of(&a, id), Some(Advice::LessLight));
        }

        let dark = map_pixels(&good(subject, 640, 480), |_, _, p| {
            p.map(|v| scaled(v, 0.3))
        });
        let a = assess(&dark);
        assert!(a.face.is_some(), "subject {subject} dark: no face");
        let exposure = a.check(CheckId::Exposure).unwrap();
        assert!(!exposure.passed, "subject {subject} dark: {}", a.summary());
        assert_eq!(exposure.advice, Some(Advice::MoreLight));
    }
}

#[test]
fn dark_skin_in_good_light_is_not_called_underexposed() {
    // The darkest skin tones the simulator draws are among subjects 0..40.
    let mut darkest = (0, f32::MAX);
    for subject in 0..40 {
        let skin = FaceModel::generate(subject).skin;
        let l = 0.299 * skin[0] + 0.587 * skin[1] + 0.114 * skin[2];
        if l < darkest.1 {
            darkest = (subject, l);
        }
    }
    let a = assess(&good(darkest.0, 640, 480));
    assert!(
        a.ok,
        "subject {} (skin luma {:.0}): {}",
        darkest.0,
        darkest.1,
        a.summary()
    );
}

#[test]
fn a_blurred_face_is_flagged_hold_still() {
    for subject in SUBJECTS {
        let a = assess(&image::imageops::blur(&good(subject, 640, 480), 5.0));
        assert!(a.face.is_some(), "subject {subject}: no face");
        assert_eq!(
            failed(&a),
            vec![CheckId::Sharpness],
            "subject {subject}: {}",
            a.summary()
        );
        assert_eq!(a.advice(), Some(Advice::HoldStill));
    }
}

#[test]
fn a_real_photograph_has_one_level_face() {
    // NASA portrait of astronaut Eileen Collins (public domain), as shipped with scikit-image.
    let img = image::load_from_memory(include_bytes!("data/astronaut.jpg"))
        .unwrap()
        .to_rgb8();
    let a = assess(&img);
    assert_eq!(a.faces, 1, "{}", a.summary());
    let f = a.face.unwrap();
    // The face is at about (115, 80) in this 240 × 240 crop.
    let (cx, cy) = f.centre();
    assert!(
        (cx - 115.0).abs() < 15.0 && (cy - 80.0).abs() < 15.0,
        "{f:?}"
    );
    assert!(
        a.check(CheckId::EyesLevel).unwrap().passed,
        "{}",
        a.summary()
    );
    assert!(a.check(CheckId::Exposure).unwrap().passed);
    // Her face box is about 72 pixels tall.
    assert!((55..=90).contains(&f.height), "{f:?}");
}

/// The head as drawn by the simulator: chin at the bottom of the face ellipse, crown at the
/// top of the hair or hijab (face half-heights above the centre, by style).
fn true_head(subject: u64, cy: f32, scale: f32) -> (f32, f32) {
    let m = FaceModel::generate(subject);
    let top = match m.style {
        ktpel_sim::face::HairStyle::Short => 0.16 + 1.0 + 0.05 * m.hair_volume,
        ktpel_sim::face::HairStyle::Long => 0.12 + 1.12,
        ktpel_sim::face::HairStyle::Hijab => 0.05 + 1.25,
    };
    (cy - top * scale, cy + scale)
}

#[test]
fn the_still_crops_to_an_icao_style_portrait() {
    let spec = PortraitSpec::default();
    for subject in 0..12 {
        let (w, h) = (1280u32, 960u32);
        let (cy, scale) = (0.47 * h as f32, 0.3 * h as f32);
        let img = good(subject, w, h);
        let a = assess(&img);
        let face = a.face.unwrap();
        let frame = portrait_frame(&img, &face, &spec).unwrap();
        // The aspect of the output (35:45 for 413 × 531).
        let aspect = frame.width as f32 / frame.height as f32;
        assert!((aspect - 413.0 / 531.0).abs() < 0.01, "{frame:?}");
        // Head centred left to right.
        let mid = frame.x as f32 + frame.width as f32 / 2.0;
        assert!(
            (mid - w as f32 / 2.0).abs() < 0.05 * frame.width as f32,
            "{frame:?}"
        );
        // The true chin-to-crown is 70–80 % of the portrait height (ICAO), give or take the
        // estimate's error.
        let (crown, chin) = true_head(subject, cy, scale);
        let fraction = (chin - crown) / frame.height as f32;
        assert!(
            (0.66..=0.84).contains(&fraction),
            "subject {subject}: head {fraction:.2} of {frame:?}"
        );
        // The crown is inside the portrait, below its top edge; the chin too.
        assert!(crown > frame.y as f32 && chin < (frame.y + frame.height) as f32);

        let portrait = crop_portrait(&img, &face, &spec).unwrap();
        assert_eq!(portrait.dimensions(), (413, 531));
        // The crop is itself a good portrait.
        let again = assess(&portrait);
        assert_eq!(again.faces, 1, "subject {subject}: {}", again.summary());
        let (cx, _) = again.face.unwrap().centre();
        assert!((cx - 206.5).abs() < 25.0);
    }
}

#[test]
fn crops_that_cannot_be_made_say_why() {
    let spec = PortraitSpec::default();
    let img = good(1, 1280, 960);
    let face = assess(&img).face.unwrap();
    // A small still cannot give 531 sharp rows.
    let small = good(1, 320, 240);
    let small_face = assess(&small).face.unwrap();
    assert!(matches!(
        crop_portrait(&small, &small_face, &spec),
        Err(CropError::TooSmall { .. })
    ));
    // Far to the side.
    let side = face_at(1, 1280, 960, 0.12, 0.47, 0.3);
    let side_face = assess(&side).face.unwrap();
    assert_eq!(
        crop_portrait(&side, &side_face, &spec),
        Err(CropError::OffCentre { edge: Edge::Left })
    );
    // Too close.
    let close = face_at(1, 1280, 960, 0.5, 0.5, 0.45);
    let close_face = assess(&close).face.unwrap();
    assert!(matches!(
        crop_portrait(&close, &close_face, &spec),
        Err(CropError::TooClose { .. })
    ));
    // A box outside the image.
    let outside = FaceBox {
        x: 1200,
        y: 100,
        width: 200,
        height: 200,
        confidence: 5.0,
    };
    assert!(matches!(
        crop_portrait(&img, &outside, &spec),
        Err(CropError::FaceOutside { .. })
    ));
    assert!(crop_portrait(&img, &face, &spec).is_ok());
}
