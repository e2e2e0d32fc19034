//! The front of the KTP-el, drawn at 300 dpi on an ISO/IEC 7810 ID-1 card (1011 × 638 px):
//! the province and regency header, the NIK, the labelled fields in card order, and on the right
//! the photo, the place and date of issue and the holder's signature.
//!
//! Text is drawn from the embedded DejaVu fonts. A value too wide for its column is set smaller,
//! then wrapped onto two lines; the rows close up when wrapped values need the room. Nothing is
//! ever cut: a value that cannot be set legibly is an error naming the field.

use image::imageops::FilterType;
use image::{GrayImage, RgbImage};
use jiff::civil::Date;
use ktpel_hal::{EncodedImage, ImageFormat};
use tiny_skia::{
    Color, GradientStop, LinearGradient, Paint, PathBuilder, Pixmap, PixmapPaint, Point, Rect,
    SpreadMode, Stroke, Transform,
};

use super::font::Font;
use crate::domain::nik::card_date;
use crate::domain::resident::Resident;

/// ISO/IEC 7810 ID-1 at 300 dpi.
pub const CARD_WIDTH: u32 = 1011;
pub const CARD_HEIGHT: u32 = 638;

/// The right-hand column: photo, place and date of issue, signature (x, width).
pub const RIGHT_COLUMN: (u32, u32) = (745, 250);
/// The photo's place on the card (x, y, width, height), 3:4, centred in the right column.
pub const PHOTO_BOX: (u32, u32, u32, u32) = (759, 118, 222, 296);
/// Where the signature is drawn (x, y, width, height).
pub const SIGNATURE_BOX: (u32, u32, u32, u32) = (745, 506, 250, 108);

const MARGIN_X: f32 = 32.0;
const LABEL_PX: f32 = 22.0;
const VALUE_PX: f32 = 22.0;
/// A value is set no smaller than this on one line before it is wrapped.
const MIN_SINGLE_PX: f32 = 17.5;
/// Nor smaller than this on two lines.
const MIN_WRAPPED_PX: f32 = 14.0;
const COLON_X: f32 = 262.0;
const VALUE_X: f32 = 278.0;
/// The value column ends here, clear of the right-hand column.
const VALUE_RIGHT: f32 = 725.0;
const FIRST_ROW_BASELINE: f32 = 200.0;
const LAST_BASELINE_LIMIT: f32 = 620.0;
const ROW_PITCH: f32 = 35.0;
const MIN_ROW_PITCH: f32 = 29.0;
/// Where "Gol. Darah" starts on the row of "Jenis kelamin".
const BLOOD_LABEL_X: f32 = 540.0;

/// Why the card face could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardFaceError {
    #[error("the print-ready bundle has no portrait")]
    PortraitMissing,
    #[error("the portrait cannot be decoded: {0}")]
    PortraitUnreadable(String),
    #[error("the print-ready bundle has no signature")]
    SignatureMissing,
    #[error("the signature cannot be decoded: {0}")]
    SignatureUnreadable(String),
    #[error("the {0} in the print-ready bundle is not valid base64")]
    Base64(&'static str),
    #[error("{field} is too long to print legibly on the card")]
    DoesNotFit { field: &'static str },
    #[error("the card font cannot be loaded: {0}")]
    Font(String),
    #[error("the card image cannot be encoded: {0}")]
    Encode(String),
}

/// What the front of a card shows about its holder.
#[derive(Clone)]
pub struct FaceData {
    pub resident: Resident,
    /// The print-quality portrait (JPEG).
    pub portrait_jpeg: Vec<u8>,
    /// The signature as captured (PNG, dark ink on white).
    pub signature_png: Vec<u8>,
}

impl std::fmt::Debug for FaceData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceData")
            .field("resident", &self.resident)
            .finish_non_exhaustive()
    }
}

/// Where and when the card is issued: the office's regency or city and the issue date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueInfo {
    /// E.g. "KOTA BANDUNG".
    pub place: String,
    pub date: Date,
}

/// Near-black with a touch of blue, the colour of the card's print.
const INK_RGB: (u8, u8, u8) = (0x12, 0x14, 0x1F);

fn ink() -> Color {
    rgb(INK_RGB.0, INK_RGB.1, INK_RGB.2)
}

fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color::from_rgba8(r, g, b, 255)
}

/// A value set for its column: one or two lines at one size.
struct Fitted {
    lines: Vec<String>,
    px: f32,
}

/// Sets `text` within `max_w` pixels: at `px`, else smaller down to [`MIN_SINGLE_PX`], else on
/// two lines down to [`MIN_WRAPPED_PX`].
fn fit(font: &Font, text: &str, max_w: f32, px: f32) -> Option<Fitted> {
    let mut size = px;
    while size >= MIN_SINGLE_PX {
        if font.width(text, size) <= max_w {
            return Some(Fitted {
                lines: vec![text.to_owned()],
                px: size,
            });
        }
        size -= 0.5;
    }
    let mut size = MIN_SINGLE_PX.min(px);
    while size >= MIN_WRAPPED_PX {
        if let Some(lines) = wrap(font, text, max_w, size) {
            return Some(Fitted { lines, px: size });
        }
        size -= 0.5;
    }
    None
}

/// `text` broken at spaces into at most two lines no wider than `max_w`.
fn wrap(font: &Font, text: &str, max_w: f32, px: f32) -> Option<Vec<String>> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    // The first line takes as many words as fit; the rest must fit on the second.
    for split in (1..words.len()).rev() {
        let first = words[..split].join(" ");
        if font.width(&first, px) <= max_w {
            let second = words[split..].join(" ");
            return (font.width(&second, px) <= max_w).then(|| vec![first, second]);
        }
    }
    None
}

/// One labelled row of the field block.
struct Row {
    label: &'static str,
    indent: bool,
    value: Fitted,
    /// "Gol. Darah" and its value on the same row.
    blood: Option<String>,
}

impl Row {
    fn extra_lines(&self) -> usize {
        self.value.lines.len().saturating_sub(1)
    }
}

struct Fonts {
    regular: Font,
    bold: Font,
}

/// Draws the front of the card.
pub fn render_front(p: &FaceData, issue: &IssueInfo) -> Result<RgbImage, CardFaceError> {
    let _span = tracing::info_span!("card.face.render").entered();
    if p.portrait_jpeg.is_empty() {
        return Err(CardFaceError::PortraitMissing);
    }
    if p.signature_png.is_empty() {
        return Err(CardFaceError::SignatureMissing);
    }
    let portrait = image::load_from_memory_with_format(&p.portrait_jpeg, image::ImageFormat::Jpeg)
        .map_err(|e| CardFaceError::PortraitUnreadable(e.to_string()))?
        .to_rgb8();
    let signature = image::load_from_memory_with_format(&p.signature_png, image::ImageFormat::Png)
        .map_err(|e| CardFaceError::SignatureUnreadable(e.to_string()))?
        .to_luma8();
    let fonts = Fonts {
        regular: Font::regular().map_err(CardFaceError::Font)?,
        bold: Font::bold().map_err(CardFaceError::Font)?,
    };
    let mut pm = Pixmap::new(CARD_WIDTH, CARD_HEIGHT)
        .ok_or_else(|| CardFaceError::Encode("cannot allocate the card canvas".into()))?;
    background(&mut pm);
    header(&mut pm, &fonts, &p.resident)?;
    fields(&mut pm, &fonts, &p.resident)?;
    photo(&mut pm, &portrait)?;
    issue_block(&mut pm, &fonts, issue)?;
    signature_block(&mut pm, &signature)?;
    Ok(to_rgb(&pm))
}

/// The card as a PNG, ready for the card printer.
pub fn to_png(img: &RgbImage) -> Result<EncodedImage, CardFaceError> {
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .map_err(|e| CardFaceError::Encode(e.to_string()))?;
    Ok(EncodedImage {
        format: ImageFormat::Png,
        width: img.width(),
        height: img.height(),
        bytes,
    })
}

fn to_rgb(pm: &Pixmap) -> RgbImage {
    // The background is opaque everywhere, so premultiplied colour is plain colour.
    let mut out = RgbImage::new(pm.width(), pm.height());
    for (px, c) in out.pixels_mut().zip(pm.pixels()) {
        *px = image::Rgb([c.red(), c.green(), c.blue()]);
    }
    out
}

/// Light blue with a fine guilloche, as on the KTP-el.
fn background(pm: &mut Pixmap) {
    let (w, h) = (CARD_WIDTH as f32, CARD_HEIGHT as f32);
    let mut paint = Paint::default();
    if let Some(shader) = LinearGradient::new(
        Point::from_xy(0.0, 0.0),
        Point::from_xy(w, h),
        vec![
            GradientStop::new(0.0, rgb(0xE4, 0xF0, 0xFA)),
            GradientStop::new(0.55, rgb(0xC9, 0xE0, 0xF3)),
            GradientStop::new(1.0, rgb(0xB4, 0xD3, 0xEE)),
        ],
        SpreadMode::Pad,
        Transform::identity(),
    ) {
        paint.shader = shader;
    } else {
        paint.set_color(rgb(0xCF, 0xE3, 0xF4));
    }
    if let Some(r) = Rect::from_xywh(0.0, 0.0, w, h) {
        pm.fill_rect(r, &paint, Transform::identity(), None);
    }
    // Guilloche: two families of interfering sine waves.
    let mut line = Paint::default();
    line.set_color(Color::from_rgba8(0x5C, 0x8F, 0xC6, 46));
    line.anti_alias = true;
    let stroke = Stroke {
        width: 1.1,
        ..Stroke::default()
    };
    for k in 0..26 {
        let y0 = 10.0 + k as f32 * 25.0;
        for (amp, wave, phase) in [(9.0, 120.0, 0.0), (7.0, 83.0, 1.7)] {
            let mut pb = PathBuilder::new();
            let mut x = 0.0;
            pb.move_to(0.0, y0 + amp * (phase + k as f32 * 0.4f32).sin());
            while x < w {
                x += 4.0;
                let y =
                    y0 + amp * (x / wave * std::f32::consts::TAU + phase + k as f32 * 0.4).sin();
                pb.line_to(x, y);
            }
            if let Some(path) = pb.finish() {
                pm.stroke_path(&path, &line, &stroke, Transform::identity(), None);
            }
        }
    }
}

/// Draws `text` centred on `cx`, shrunk to at most `max_w`.
fn centred(
    pm: &mut Pixmap,
    font: &Font,
    text: &str,
    (cx, baseline): (f32, f32),
    px: f32,
    max_w: f32,
    field: &'static str,
) -> Result<(), CardFaceError> {
    let mut size = px;
    while font.width(text, size) > max_w {
        size -= 0.5;
        if size < MIN_SINGLE_PX {
            return Err(CardFaceError::DoesNotFit { field });
        }
    }
    let w = font.width(text, size);
    font.draw(pm, text, cx - w / 2.0, baseline, size, ink());
    Ok(())
}

fn header(pm: &mut Pixmap, f: &Fonts, r: &Resident) -> Result<(), CardFaceError> {
    let cx = CARD_WIDTH as f32 / 2.0;
    let max_w = CARD_WIDTH as f32 - 2.0 * MARGIN_X;
    let provinsi = format!("PROVINSI {}", r.provinsi);
    centred(pm, &f.bold, &provinsi, (cx, 50.0), 32.0, max_w, "provinsi")?;
    centred(
        pm,
        &f.bold,
        &r.kabupaten,
        (cx, 88.0),
        32.0,
        max_w,
        "kabupaten",
    )?;
    // NIK, large.
    let label_px = 34.0;
    let nik_px = 40.0;
    f.bold.draw(pm, "NIK", MARGIN_X, 148.0, label_px, ink());
    f.bold.draw(pm, ":", COLON_X - 4.0, 148.0, label_px, ink());
    let nik = r.nik.as_str();
    let max_w = VALUE_RIGHT - VALUE_X + 10.0;
    let mut size = nik_px;
    while f.bold.width(nik, size) > max_w {
        size -= 0.5;
    }
    f.bold.draw(pm, nik, VALUE_X, 148.0, size, ink());
    Ok(())
}

fn fields(pm: &mut Pixmap, f: &Fonts, r: &Resident) -> Result<(), CardFaceError> {
    let full_w = VALUE_RIGHT - VALUE_X;
    let sex_w = BLOOD_LABEL_X - 14.0 - VALUE_X;
    let rt_rw = r.rt_rw();
    let birth = r.birth_place_and_date();
    let plain: [(&'static str, &'static str, bool, &str, f32); 11] = [
        ("Nama", "name", false, &r.name, full_w),
        ("Tempat/Tgl Lahir", "birth place", false, &birth, full_w),
        ("Alamat", "address", false, &r.address, full_w),
        ("RT/RW", "RT/RW", true, &rt_rw, full_w),
        ("Kel/Desa", "kelurahan", true, &r.kelurahan, full_w),
        ("Kecamatan", "kecamatan", true, &r.kecamatan, full_w),
        ("Agama", "religion", false, r.religion.ktp_label(), full_w),
        (
            "Status Perkawinan",
            "marital status",
            false,
            r.marital_status.ktp_label(),
            full_w,
        ),
        ("Pekerjaan", "occupation", false, &r.occupation, full_w),
        (
            "Kewarganegaraan",
            "nationality",
            false,
            &r.nationality,
            full_w,
        ),
        (
            "Berlaku Hingga",
            "valid until",
            false,
            &r.valid_until,
            full_w,
        ),
    ];
    let mut rows = Vec::with_capacity(12);
    for (i, (label, field, indent, value, w)) in plain.into_iter().enumerate() {
        if i == 2 {
            let sex = fit(&f.bold, r.sex.ktp_label(), sex_w, VALUE_PX)
                .ok_or(CardFaceError::DoesNotFit { field: "sex" })?;
            rows.push(Row {
                label: "Jenis kelamin",
                indent: false,
                value: sex,
                blood: Some(r.blood_type.ktp_label().to_owned()),
            });
        }
        let value = fit(&f.bold, value, w, VALUE_PX).ok_or(CardFaceError::DoesNotFit { field })?;
        rows.push(Row {
            label,
            indent,
            value,
            blood: None,
        });
    }
    // Rows and wrapped lines share the height left; rows close up if they must.
    let extra: usize = rows.iter().map(Row::extra_lines).sum();
    let line_gap = |px: f32| px * 1.12;
    let units = (rows.len() - 1) as f32;
    let wrapped_height: f32 = rows
        .iter()
        .filter(|r| r.extra_lines() > 0)
        .map(|r| line_gap(r.value.px) * r.extra_lines() as f32)
        .sum();
    let room = LAST_BASELINE_LIMIT - FIRST_ROW_BASELINE - wrapped_height;
    let pitch = (room / units).min(ROW_PITCH);
    if pitch < MIN_ROW_PITCH {
        return Err(CardFaceError::DoesNotFit {
            field: if extra > 0 {
                "wrapped fields"
            } else {
                "fields"
            },
        });
    }
    let mut y = FIRST_ROW_BASELINE;
    for row in &rows {
        let label_x = if row.indent {
            MARGIN_X + 22.0
        } else {
            MARGIN_X
        };
        f.regular.draw(pm, row.label, label_x, y, LABEL_PX, ink());
        f.regular.draw(pm, ":", COLON_X, y, LABEL_PX, ink());
        for (i, line) in row.value.lines.iter().enumerate() {
            let ly = y + i as f32 * line_gap(row.value.px);
            f.bold.draw(pm, line, VALUE_X, ly, row.value.px, ink());
        }
        if let Some(blood) = &row.blood {
            f.regular
                .draw(pm, "Gol. Darah", BLOOD_LABEL_X, y, LABEL_PX, ink());
            let colon_x = BLOOD_LABEL_X + f.regular.width("Gol. Darah ", LABEL_PX);
            f.regular.draw(pm, ":", colon_x, y, LABEL_PX, ink());
            f.bold.draw(pm, blood, colon_x + 14.0, y, VALUE_PX, ink());
        }
        y += pitch + row.extra_lines() as f32 * line_gap(row.value.px);
    }
    Ok(())
}

/// `img` scaled to cover `w` × `h` and cropped to it (centred, biased to keep the head).
fn cover(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (iw, ih) = img.dimensions();
    let scale = (w as f32 / iw as f32).max(h as f32 / ih as f32);
    let sw = ((iw as f32 * scale).ceil() as u32).max(w);
    let sh = ((ih as f32 * scale).ceil() as u32).max(h);
    let scaled = image::imageops::resize(img, sw, sh, FilterType::CatmullRom);
    let x = (sw - w) / 2;
    let y = (sh - h) / 3;
    image::imageops::crop_imm(&scaled, x, y, w, h).to_image()
}

fn photo(pm: &mut Pixmap, portrait: &RgbImage) -> Result<(), CardFaceError> {
    let (x, y, w, h) = PHOTO_BOX;
    if portrait.width() < 16 || portrait.height() < 16 {
        return Err(CardFaceError::PortraitUnreadable(format!(
            "{}×{} is too small for a photo",
            portrait.width(),
            portrait.height()
        )));
    }
    let fitted = cover(portrait, w, h);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for p in fitted.pixels() {
        rgba.extend_from_slice(&[p.0[0], p.0[1], p.0[2], 255]);
    }
    let size = tiny_skia::IntSize::from_wh(w, h)
        .ok_or_else(|| CardFaceError::Encode("empty photo box".into()))?;
    let src =
        Pixmap::from_vec(rgba, size).ok_or_else(|| CardFaceError::Encode("photo buffer".into()))?;
    pm.draw_pixmap(
        x as i32,
        y as i32,
        src.as_ref(),
        &PixmapPaint::default(),
        Transform::identity(),
        None,
    );
    // A thin frame.
    if let Some(r) = Rect::from_xywh(
        x as f32 - 1.0,
        y as f32 - 1.0,
        w as f32 + 2.0,
        h as f32 + 2.0,
    ) {
        let mut paint = Paint::default();
        paint.set_color(rgb(0x45, 0x5A, 0x78));
        paint.anti_alias = true;
        let path = PathBuilder::from_rect(r);
        pm.stroke_path(
            &path,
            &paint,
            &Stroke {
                width: 1.5,
                ..Stroke::default()
            },
            Transform::identity(),
            None,
        );
    }
    Ok(())
}

fn issue_block(pm: &mut Pixmap, f: &Fonts, issue: &IssueInfo) -> Result<(), CardFaceError> {
    let (col_x, col_w) = RIGHT_COLUMN;
    let cx = col_x as f32 + col_w as f32 / 2.0;
    let max_w = col_w as f32 - 4.0;
    let place = fit(&f.bold, &issue.place, max_w, 20.0).ok_or(CardFaceError::DoesNotFit {
        field: "place of issue",
    })?;
    let mut baseline = (PHOTO_BOX.1 + PHOTO_BOX.3) as f32 + 32.0;
    for line in &place.lines {
        let w = f.bold.width(line, place.px);
        f.bold
            .draw(pm, line, cx - w / 2.0, baseline, place.px, ink());
        baseline += place.px * 1.15;
    }
    let date = card_date(issue.date);
    centred(
        pm,
        &f.bold,
        &date,
        (cx, baseline + 5.0),
        20.0,
        max_w,
        "date of issue",
    )?;
    Ok(())
}

/// The ink of `sig` (dark on light) drawn into the signature box, scaled to fit.
fn signature_block(pm: &mut Pixmap, sig: &GrayImage) -> Result<(), CardFaceError> {
    let (bx, by, bw, bh) = SIGNATURE_BOX;
    let ink_level = 200u8;
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    for (x, y, p) in sig.enumerate_pixels() {
        if p.0[0] < ink_level {
            bbox = Some(match bbox {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    let Some((x0, y0, x1, y1)) = bbox else {
        return Err(CardFaceError::SignatureUnreadable(
            "the signature has no ink".into(),
        ));
    };
    let ink = image::imageops::crop_imm(sig, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image();
    let scale = (bw as f32 / ink.width() as f32)
        .min(bh as f32 / ink.height() as f32)
        .min(1.5);
    let sw = ((ink.width() as f32 * scale).round() as u32).clamp(1, bw);
    let sh = ((ink.height() as f32 * scale).round() as u32).clamp(1, bh);
    let scaled = image::imageops::resize(&ink, sw, sh, FilterType::CatmullRom);
    let ox = bx + (bw - sw) / 2;
    let oy = by + (bh - sh) / 2;
    // Ink colour, premultiplied by coverage (darkness of the source pixel).
    let (ir, ig, ib) = (0x16u32, 0x1Au32, 0x3Au32);
    let mut rgba = Vec::with_capacity((sw * sh * 4) as usize);
    for p in scaled.pixels() {
        let a = 255u32.saturating_sub(u32::from(p.0[0]));
        // Strengthen mid-grey edges a little so thin strokes print solid.
        let a = (a * 3 / 2).min(255);
        rgba.extend_from_slice(&[
            (ir * a / 255) as u8,
            (ig * a / 255) as u8,
            (ib * a / 255) as u8,
            a as u8,
        ]);
    }
    let size = tiny_skia::IntSize::from_wh(sw, sh)
        .ok_or_else(|| CardFaceError::Encode("empty signature".into()))?;
    let src = Pixmap::from_vec(rgba, size)
        .ok_or_else(|| CardFaceError::Encode("signature buffer".into()))?;
    pm.draw_pixmap(
        ox as i32,
        oy as i32,
        src.as_ref(),
        &PixmapPaint::default(),
        Transform::identity(),
        None,
    );
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
