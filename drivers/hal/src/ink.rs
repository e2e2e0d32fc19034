//! The one renderer of pen strokes, shared by every signature pad driver and the simulator, so
//! that a signature looks the same whichever pad took it: dark ink on white, line thickness
//! following the pen pressure.

use crate::{DeviceError, DeviceResult, EncodedImage, ImageFormat, Stroke};
use image::{ExtendedColorType, ImageEncoder};

/// Renders pen strokes as a PNG: dark ink on white, the pad's area fitted into `width` ×
/// `height` (aspect kept, centred), line thickness following the pen pressure.
pub fn render_signature(
    strokes: &[Stroke],
    max_x: u32,
    max_y: u32,
    max_pressure: u16,
    width: u32,
    height: u32,
) -> DeviceResult<EncodedImage> {
    if max_x == 0 || max_y == 0 || width == 0 || height == 0 {
        return Err(DeviceError::bad_data(format!(
            "cannot render a signature from a {max_x}x{max_y} pad into {width}x{height}"
        )));
    }
    let (w, h) = (width as usize, height as usize);
    let scale = (width as f32 / max_x as f32).min(height as f32 / max_y as f32);
    let (ox, oy) = (
        0.5 * (width as f32 - scale * max_x as f32),
        0.5 * (height as f32 - scale * max_y as f32),
    );
    let max_p = f32::from(max_pressure.max(1));
    // Thickness: a hairline at the lightest touch, about 1.5 % of the height at full pressure.
    let max_radius = (height as f32 * 0.012).max(1.2);
    let mut ink = vec![0f32; w * h];
    for stroke in strokes {
        let pts: Vec<(f32, f32, f32)> = stroke
            .points
            .iter()
            .map(|p| {
                let pr = (f32::from(p.pressure) / max_p).clamp(0.0, 1.0);
                (
                    ox + scale * p.x as f32,
                    oy + scale * p.y as f32,
                    0.45 + max_radius * pr.sqrt(),
                )
            })
            .collect();
        match pts.as_slice() {
            [] => {}
            [only] => draw_segment(&mut ink, w, h, *only, *only),
            _ => {
                for pair in pts.windows(2) {
                    draw_segment(&mut ink, w, h, pair[0], pair[1]);
                }
            }
        }
    }
    let pixels: Vec<u8> = ink
        .iter()
        .map(|&a| (255.0 - a.clamp(0.0, 1.0) * (255.0 - 24.0)).round() as u8)
        .collect();
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(&pixels, width, height, ExtendedColorType::L8)
        .map_err(|e| {
            DeviceError::other(format!("the signature's PNG could not be encoded: {e}"))
        })?;
    Ok(EncodedImage {
        format: ImageFormat::Png,
        width,
        height,
        bytes,
    })
}

/// Paints a round-capped segment between two (x, y, radius) points into the ink coverage.
fn draw_segment(ink: &mut [f32], w: usize, h: usize, a: (f32, f32, f32), b: (f32, f32, f32)) {
    let r = a.2.max(b.2);
    let x0 = (a.0.min(b.0) - r - 1.0).floor().max(0.0) as usize;
    let x1 = ((a.0.max(b.0) + r + 1.0).ceil().max(0.0) as usize).min(w.saturating_sub(1));
    let y0 = (a.1.min(b.1) - r - 1.0).floor().max(0.0) as usize;
    let y1 = ((a.1.max(b.1) + r + 1.0).ceil().max(0.0) as usize).min(h.saturating_sub(1));
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let t = if len2 > 0.0 {
                (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
            let radius = a.2 + (b.2 - a.2) * t;
            let d = (px - cx).hypot(py - cy);
            let cover = (radius + 0.5 - d).clamp(0.0, 1.0);
            let cell = &mut ink[y * w + x];
            *cell = cell.max(cover);
        }
    }
}
