use super::*;
use crate::domain::population;
use ktpel_sim::signature::{
    signature_strokes, PAD_MAX_PRESSURE, PAD_MAX_X, PAD_MAX_Y, SIGNATURE_IMAGE_HEIGHT,
    SIGNATURE_IMAGE_WIDTH,
};

pub(crate) fn portrait_jpeg(subject: u64) -> Vec<u8> {
    let rgb = ktpel_sim::camera::portrait_rgb(subject);
    let img = RgbImage::from_raw(480, 640, rgb).unwrap();
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    out
}

pub(crate) fn signature_png(subject: u64) -> Vec<u8> {
    let strokes = signature_strokes(subject, 1, false);
    ktpel_hal::render_signature(
        &strokes,
        PAD_MAX_X,
        PAD_MAX_Y,
        PAD_MAX_PRESSURE,
        SIGNATURE_IMAGE_WIDTH,
        SIGNATURE_IMAGE_HEIGHT,
    )
    .unwrap()
    .bytes
}

fn today() -> Date {
    jiff::civil::date(2026, 11, 25)
}

fn data(i: usize) -> FaceData {
    let resident = population::generate(2026, i + 1, today()).pop().unwrap();
    FaceData {
        resident,
        portrait_jpeg: portrait_jpeg(i as u64 + 1),
        signature_png: signature_png(i as u64 + 1),
    }
}

fn issue() -> IssueInfo {
    IssueInfo {
        place: "KOTA BANDUNG".into(),
        date: today(),
    }
}

/// A resident made of the longest value of every field among many generated ones.
fn longest_resident() -> Resident {
    let all = population::generate(99, 3000, today());
    let longest = |f: &dyn Fn(&Resident) -> &str| -> String {
        all.iter()
            .map(f)
            .max_by_key(|s| s.chars().count())
            .unwrap_or_default()
            .to_owned()
    };
    let mut r = all[0].clone();
    r.name = longest(&|r| &r.name);
    r.birth_place = longest(&|r| &r.birth_place);
    r.address = longest(&|r| &r.address);
    r.kelurahan = longest(&|r| &r.kelurahan);
    r.kecamatan = longest(&|r| &r.kecamatan);
    r.kabupaten = longest(&|r| &r.kabupaten);
    r.provinsi = longest(&|r| &r.provinsi);
    r.occupation = longest(&|r| &r.occupation);
    r.religion = crate::domain::resident::Religion::Kepercayaan;
    r.marital_status = crate::domain::resident::MaritalStatus::BelumKawin;
    r
}

/// Fraction of pixels in the box that differ from the plain background by more than a little.
fn busy(img: &RgbImage, (x, y, w, h): (u32, u32, u32, u32), reference: &RgbImage) -> f32 {
    let mut n = 0;
    for yy in y..y + h {
        for xx in x..x + w {
            let a = img.get_pixel(xx, yy).0;
            let b = reference.get_pixel(xx, yy).0;
            let d: i32 = (0..3)
                .map(|i| (i32::from(a[i]) - i32::from(b[i])).abs())
                .sum();
            if d > 60 {
                n += 1;
            }
        }
    }
    n as f32 / (w * h) as f32
}

fn background_only() -> RgbImage {
    let mut pm = Pixmap::new(CARD_WIDTH, CARD_HEIGHT).unwrap();
    background(&mut pm);
    to_rgb(&pm)
}

#[test]
fn the_front_is_id1_at_300_dpi_with_photo_and_signature() {
    let img = render_front(&data(0), &issue()).unwrap();
    assert_eq!(img.dimensions(), (1011, 638));
    let bg = background_only();
    // The photo box holds the portrait, scaled and cropped, pixel for pixel.
    let (x, y, w, h) = PHOTO_BOX;
    let portrait = image::load_from_memory(&data(0).portrait_jpeg)
        .unwrap()
        .to_rgb8();
    let expected = cover(&portrait, w, h);
    let shown = image::imageops::crop_imm(&img, x, y, w, h).to_image();
    assert_eq!(shown, expected);
    let luma: Vec<f32> = shown
        .pixels()
        .map(|p| p.0.iter().map(|&c| f32::from(c)).sum::<f32>() / 3.0)
        .collect();
    let mean = luma.iter().sum::<f32>() / luma.len() as f32;
    let sd = (luma.iter().map(|l| (l - mean).powi(2)).sum::<f32>() / luma.len() as f32).sqrt();
    assert!(sd > 20.0, "the photo is nearly flat (sd {sd:.1})");
    let sig = busy(&img, SIGNATURE_BOX, &bg);
    assert!(sig > 0.01 && sig < 0.6, "signature box is {sig:.3} inked");
    // Text: the header and the field block are inked, the far left margin is not.
    assert!(busy(&img, (300, 25, 400, 70), &bg) > 0.05);
    assert!(busy(&img, (32, 175, 680, 440), &bg) > 0.04);
    assert!(busy(&img, (0, 200, 20, 400), &bg) < 0.001);
    let png = to_png(&img).unwrap();
    assert_eq!(
        (png.width, png.height, png.format),
        (1011, 638, ImageFormat::Png)
    );
    assert_eq!(
        image::load_from_memory(&png.bytes).unwrap().to_rgb8(),
        img,
        "the PNG is lossless"
    );
}

#[test]
fn missing_or_corrupt_images_are_named() {
    let mut d = data(1);
    d.portrait_jpeg.clear();
    assert_eq!(
        render_front(&d, &issue()),
        Err(CardFaceError::PortraitMissing)
    );
    let mut d = data(1);
    d.portrait_jpeg.truncate(200);
    assert!(matches!(
        render_front(&d, &issue()),
        Err(CardFaceError::PortraitUnreadable(_))
    ));
    let mut d = data(1);
    d.portrait_jpeg = b"\x89PNG not a jpeg".to_vec();
    assert!(matches!(
        render_front(&d, &issue()),
        Err(CardFaceError::PortraitUnreadable(_))
    ));
    let mut d = data(1);
    d.signature_png = vec![1, 2, 3];
    assert!(matches!(
        render_front(&d, &issue()),
        Err(CardFaceError::SignatureUnreadable(_))
    ));
    let mut d = data(1);
    d.signature_png.clear();
    assert_eq!(
        render_front(&d, &issue()),
        Err(CardFaceError::SignatureMissing)
    );
}

#[test]
fn the_longest_generated_values_fit_without_leaving_their_column() {
    let mut d = data(2);
    d.resident = longest_resident();
    let img = render_front(
        &d,
        &IssueInfo {
            place: d.resident.kabupaten.clone(),
            date: today(),
        },
    )
    .unwrap();
    let bg = background_only();
    // Nothing of the field block spills into the gap before the photo column.
    let gap = (
        VALUE_RIGHT as u32 + 2,
        160,
        RIGHT_COLUMN.0 - VALUE_RIGHT as u32 - 4,
        460,
    );
    if std::env::var_os("KTPEL_CARD_PNG").is_some() {
        std::fs::write("/tmp/ktpel-card-longest.png", to_png(&img).unwrap().bytes).unwrap();
    }
    assert!(
        busy(&img, gap, &bg) < 0.002,
        "text crosses into the photo column"
    );
}

#[test]
fn a_long_place_of_issue_wraps_under_the_photo() {
    let img = render_front(
        &data(5),
        &IssueInfo {
            place: "KABUPATEN KEPULAUAN SIAU TAGULANDANG BIARO".into(),
            date: today(),
        },
    )
    .unwrap();
    let bg = background_only();
    let (col_x, col_w) = RIGHT_COLUMN;
    let below_photo = PHOTO_BOX.1 + PHOTO_BOX.3 + 6;
    // Two lines of place and the date, all inside the column, above the signature.
    let inked = busy(
        &img,
        (col_x, below_photo, col_w, SIGNATURE_BOX.1 - below_photo),
        &bg,
    );
    assert!(inked > 0.03, "{inked}");
    assert!(
        busy(
            &img,
            (
                VALUE_RIGHT as u32 + 2,
                below_photo,
                col_x - VALUE_RIGHT as u32 - 4,
                80
            ),
            &bg
        ) < 0.002
    );
}

#[test]
fn values_shrink_then_wrap_then_refuse() {
    let font = Font::bold().unwrap();
    let short = fit(&font, "BUDI", 400.0, VALUE_PX).unwrap();
    assert_eq!((short.lines.len(), short.px), (1, VALUE_PX));
    let long = "JL. RAYA PANGERAN DIPONEGORO GANG MAWAR MERAH NO. 117";
    let set = fit(&font, long, 420.0, VALUE_PX).unwrap();
    assert_eq!(set.lines.len(), 2, "{:?}", set.lines);
    assert!(set.lines.iter().all(|l| font.width(l, set.px) <= 420.0));
    assert_eq!(set.lines.join(" "), long);
    assert!(fit(&font, &"W".repeat(120), 420.0, VALUE_PX).is_none());
    let mut d = data(3);
    d.resident.name = "WWWWWWWWWW ".repeat(12);
    assert_eq!(
        render_front(&d, &issue()),
        Err(CardFaceError::DoesNotFit { field: "name" })
    );
}
