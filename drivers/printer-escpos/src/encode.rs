//! A receipt as ESC/POS bytes: `ESC @` init, `ESC t` code page, then per line its alignment
//! (`ESC a`), emphasis (`ESC E`) and size (`GS !`) before the text and `LF`; QR codes with the
//! native `GS ( k` functions (model 2, module size, error level M, store, print); images as
//! `GS v 0` rasters; feeds as `ESC d`; the cut as `GS V 66 0` (feed to the cutter, partial cut).

use crate::codepage::CodePage;
use crate::error::EscposError;
use ktpel_hal::{Align, GrayImage, ReceiptDoc, ReceiptLine};

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const LF: u8 = 0x0A;
/// The most a QR code (version 40, level M, byte mode) holds.
pub const QR_MAX_BYTES: usize = 2331;

/// What the encoder needs to know of the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    pub code_page: CodePage,
    /// QR module size in dots (1–16).
    pub qr_module_size: u8,
    /// Printable dots per line (576 on 80 mm paper, 384 on 58 mm).
    pub dots_per_line: u32,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        Self {
            code_page: CodePage::Wpc1252,
            qr_module_size: 6,
            dots_per_line: 576,
        }
    }
}

fn align_byte(a: Align) -> u8 {
    match a {
        Align::Left => 0,
        Align::Center => 1,
        Align::Right => 2,
    }
}

/// `GS ( k` with function `fn_` of symbol type 49 (QR).
fn qr_function(out: &mut Vec<u8>, fn_: u8, params: &[u8]) {
    let len = (params.len() + 2) as u16;
    out.extend_from_slice(&[GS, b'(', b'k']);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&[49, fn_]);
    out.extend_from_slice(params);
}

/// An image as a `GS v 0` raster: dark pixels (< 128) print, each row padded to whole bytes.
pub fn raster(out: &mut Vec<u8>, image: &GrayImage) {
    let (w, h) = (image.width as usize, image.height as usize);
    let row_bytes = w.div_ceil(8);
    out.extend_from_slice(&[GS, b'v', b'0', 0]);
    out.extend_from_slice(&(row_bytes as u16).to_le_bytes());
    out.extend_from_slice(&(h as u16).to_le_bytes());
    for y in 0..h {
        for bx in 0..row_bytes {
            let mut byte = 0u8;
            for bit in 0..8 {
                let x = bx * 8 + bit;
                if x < w && image.pixels.get(y * w + x).is_some_and(|p| *p < 128) {
                    byte |= 0x80 >> bit;
                }
            }
            out.push(byte);
        }
    }
}

/// The whole job for `doc`.
pub fn encode_receipt(doc: &ReceiptDoc, opts: &EncodeOptions) -> Result<Vec<u8>, EscposError> {
    let mut out = vec![ESC, b'@', ESC, b't', opts.code_page.number()];
    for line in &doc.lines {
        match line {
            ReceiptLine::Text {
                text,
                align,
                bold,
                size,
            } => {
                let s = size.clamp(&1, &8) - 1;
                for piece in text.split('\n') {
                    out.extend_from_slice(&[ESC, b'a', align_byte(*align)]);
                    out.extend_from_slice(&[ESC, b'E', u8::from(*bold)]);
                    out.extend_from_slice(&[GS, b'!', (s << 4) | s]);
                    out.extend(opts.code_page.encode(piece));
                    out.push(LF);
                }
            }
            ReceiptLine::Qr { payload } => {
                let data = payload.as_bytes();
                if data.is_empty() || data.len() > QR_MAX_BYTES {
                    return Err(EscposError::QrTooLong(data.len()));
                }
                out.extend_from_slice(&[ESC, b'a', 1]);
                qr_function(&mut out, 65, &[50, 0]);
                qr_function(&mut out, 67, &[opts.qr_module_size.clamp(1, 16)]);
                qr_function(&mut out, 69, &[49]);
                let mut store = vec![48];
                store.extend_from_slice(data);
                qr_function(&mut out, 80, &store);
                qr_function(&mut out, 81, &[48]);
            }
            ReceiptLine::Image(image) => {
                if image.width > opts.dots_per_line || image.height > 2303 || image.width == 0 {
                    return Err(EscposError::ImageSize {
                        width: image.width,
                        height: image.height,
                        max_width: opts.dots_per_line,
                    });
                }
                out.extend_from_slice(&[ESC, b'a', 1]);
                raster(&mut out, image);
            }
            ReceiptLine::Feed(n) => out.extend_from_slice(&[ESC, b'd', *n]),
            ReceiptLine::Cut => out.extend_from_slice(&[GS, b'V', 66, 0]),
        }
    }
    Ok(out)
}
