//! The receipt as the operator sees it before printing: the same lines the printer gets, on a
//! paper-white strip, with the QR code drawn from the same payload.

use iced::widget::{column, container, image, text};
use iced::{Alignment, Color, Element, Length};
use ktpel_hal::{Align, ReceiptDoc, ReceiptLine};

use super::theme;

/// The QR code of `payload` as an image handle for the screen.
pub fn qr_handle(payload: &str, scale: u32) -> Option<image::Handle> {
    qr_rgba(payload, scale).map(|(side, rgba)| image::Handle::from_rgba(side, side, rgba))
}

/// The QR code of `payload` as square RGBA pixels, `scale` pixels per module, with the quiet
/// zone of four modules the standard asks for.
pub fn qr_rgba(payload: &str, scale: u32) -> Option<(u32, Vec<u8>)> {
    let code = qrcode::QrCode::new(payload.as_bytes()).ok()?;
    let width = code.width() as u32;
    let quiet = 4;
    let side = (width + 2 * quiet) * scale;
    let colors = code.to_colors();
    let mut rgba = vec![255u8; (side * side * 4) as usize];
    for y in 0..width {
        for x in 0..width {
            if colors[(y * width + x) as usize] == qrcode::Color::Dark {
                for dy in 0..scale {
                    for dx in 0..scale {
                        let px = (x + quiet) * scale + dx;
                        let py = (y + quiet) * scale + dy;
                        let i = ((py * side + px) * 4) as usize;
                        rgba[i..i + 3].copy_from_slice(&[0, 0, 0]);
                    }
                }
            }
        }
    }
    Some((side, rgba))
}

pub fn view<'a, M: 'a>(doc: &ReceiptDoc) -> Element<'a, M> {
    let mut col = column![].spacing(4).width(Length::Fixed(420.0));
    for line in &doc.lines {
        match line {
            ReceiptLine::Text {
                text: t,
                align,
                bold,
                size,
            } => {
                let mut w = text(t.clone())
                    .size(if *size > 1 { theme::BODY } else { 15.0 })
                    .width(Length::Fill)
                    .color(Color::BLACK);
                if *bold {
                    w = w.font(iced::Font {
                        weight: iced::font::Weight::Bold,
                        ..super::FONT
                    });
                }
                w = match align {
                    Align::Left => w,
                    Align::Center => w.center(),
                    Align::Right => w.align_x(iced::alignment::Horizontal::Right),
                };
                col = col.push(w);
            }
            ReceiptLine::Qr { payload } => {
                if let Some(h) = qr_handle(payload, 4) {
                    col = col.push(
                        container(image(h).width(Length::Fixed(160.0)))
                            .width(Length::Fill)
                            .align_x(Alignment::Center),
                    );
                }
            }
            ReceiptLine::Image(_) | ReceiptLine::Feed(_) | ReceiptLine::Cut => {}
        }
    }
    container(col)
        .padding(16)
        .style(|_| container::Style {
            background: Some(Color::WHITE.into()),
            border: iced::Border {
                color: Color::from_rgb(0.6, 0.6, 0.6),
                width: 1.0,
                radius: 2.0.into(),
            },
            ..container::Style::default()
        })
        .into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_qr_drawn_on_screen_decodes_to_the_receipt_number() {
        // Decode what we drew with an independent decoder, as the pickup scanner would.
        let (side, rgba) = qr_rgba("2611250100015", 4).unwrap();
        let luma = |x: usize, y: usize| rgba[(y * side as usize + x) * 4];
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(side as usize, side as usize, luma);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, "2611250100015");
    }
}
