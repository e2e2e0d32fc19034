//! A receipt as ESC/POS bytes: `ESC @` init, `ESC t` code page, then per line its alignment
//! (`ESC a`), emphasis (`ESC E`) and size (`GS !`) before the text and `LF`; QR codes with the
//! native `GS ( k` functions (model 2, module size, error level M, store, print); images as
//! `GS v 0` rasters; feeds as `ESC d`; the cut as `GS V 66 0` (feed to the cutter, partial cut).
//!
//! Text is laid out before it is sent: a printer breaks a line that does not fit wherever the
//! paper ends, mid-word. [`layout`] wraps each line at word boundaries to the columns the
//! paper and font give (`ESC M`: font A 12 dots wide, font B 9; 48/64 columns on 80 mm paper,
//! 32/42 on 58 mm), divided by the character width multiplier of `GS !`; only a word longer
//! than a whole line is broken.

use crate::codepage::CodePage;
use crate::error::EscposError;
use ktpel_hal::{Align, GrayImage, ReceiptDoc, ReceiptLine};

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const LF: u8 = 0x0A;
/// The most a QR code (version 40, level M, byte mode) holds.
pub const QR_MAX_BYTES: usize = 2331;

/// The printer's character fonts (`ESC M n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Font {
    /// 12 × 24 dots (the printers' default).
    #[default]
    A,
    /// 9 × 17 dots.
    B,
}

impl Font {
    /// The width of one character cell in dots.
    pub fn dots(self) -> u32 {
        match self {
            Font::A => 12,
            Font::B => 9,
        }
    }

    fn number(self) -> u8 {
        match self {
            Font::A => 0,
            Font::B => 1,
        }
    }
}

/// The printable width of the two common roll sizes: 72 mm of 80 mm paper and 48 mm of 58 mm
/// paper, at 203 dpi (8 dots per mm).
pub fn dots_for_paper_mm(paper_mm: u32) -> u32 {
    if paper_mm <= 58 {
        384
    } else {
        576
    }
}

/// What the encoder needs to know of the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    pub code_page: CodePage,
    /// QR module size in dots (1–16).
    pub qr_module_size: u8,
    /// Printable dots per line (576 on 80 mm paper, 384 on 58 mm).
    pub dots_per_line: u32,
    /// The font text is printed in.
    pub font: Font,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        Self {
            code_page: CodePage::Wpc1252,
            qr_module_size: 6,
            dots_per_line: 576,
            font: Font::A,
        }
    }
}

impl EncodeOptions {
    /// Options for a roll `paper_mm` wide (58 or 80) printing in `font`.
    pub fn for_paper(paper_mm: u32, font: Font) -> Self {
        Self {
            dots_per_line: dots_for_paper_mm(paper_mm),
            font,
            ..Self::default()
        }
    }

    /// How many characters of `size` (the `GS !` multiplier, 1–8) fit on one line.
    pub fn columns(&self, size: u8) -> usize {
        let per_line = self.dots_per_line / self.font.dots().max(1);
        (per_line / u32::from(size.clamp(1, 8))).max(1) as usize
    }
}

/// `text` as lines of at most `columns` characters, broken at spaces. A line that fits is kept
/// as it is; in a wrapped one the words are joined by single spaces. Only a word longer than
/// a whole line is cut, into pieces of `columns`.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    if text.chars().count() <= columns {
        return vec![text.to_string()];
    }
    let mut out = Vec::new();
    let mut line = String::new();
    let mut len = 0usize;
    for word in text.split_whitespace() {
        let chars: Vec<char> = word.chars().collect();
        if len > 0 && len + 1 + chars.len() <= columns {
            line.push(' ');
            line.push_str(word);
            len += 1 + chars.len();
            continue;
        }
        if len > 0 {
            out.push(std::mem::take(&mut line));
        }
        let mut rest = &chars[..];
        while rest.len() > columns {
            out.push(rest[..columns].iter().collect());
            rest = &rest[columns..];
        }
        line = rest.iter().collect();
        len = rest.len();
    }
    if len > 0 || out.is_empty() {
        out.push(line);
    }
    out
}

/// `doc` as the printer will print it: every text line (and every piece of a text with line
/// breaks) wrapped to the paper's columns at its size.
pub fn layout(doc: &ReceiptDoc, opts: &EncodeOptions) -> ReceiptDoc {
    let mut lines = Vec::with_capacity(doc.lines.len());
    for line in &doc.lines {
        match line {
            ReceiptLine::Text {
                text,
                align,
                bold,
                size,
            } => {
                let size = *size.clamp(&1, &8);
                for piece in text.split('\n') {
                    for wrapped in wrap(piece, opts.columns(size)) {
                        lines.push(ReceiptLine::Text {
                            text: wrapped,
                            align: *align,
                            bold: *bold,
                            size,
                        });
                    }
                }
            }
            other => lines.push(other.clone()),
        }
    }
    ReceiptDoc { lines }
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
    let mut out = vec![
        ESC,
        b'@',
        ESC,
        b't',
        opts.code_page.number(),
        ESC,
        b'M',
        opts.font.number(),
    ];
    for line in &layout(doc, opts).lines {
        match line {
            ReceiptLine::Text {
                text,
                align,
                bold,
                size,
            } => {
                let s = size.clamp(&1, &8) - 1;
                out.extend_from_slice(&[ESC, b'a', align_byte(*align)]);
                out.extend_from_slice(&[ESC, b'E', u8::from(*bold)]);
                out.extend_from_slice(&[GS, b'!', (s << 4) | s]);
                out.extend(opts.code_page.encode(text));
                out.push(LF);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_office_name_wraps_between_words_on_both_papers() {
        let office = "Dinas Kependudukan dan Pencatatan Sipil Kota Bandung";
        let a80 = EncodeOptions::for_paper(80, Font::A);
        assert_eq!(a80.columns(1), 48);
        assert_eq!(EncodeOptions::for_paper(80, Font::B).columns(1), 64);
        assert_eq!(EncodeOptions::for_paper(58, Font::A).columns(1), 32);
        assert_eq!(EncodeOptions::for_paper(58, Font::B).columns(1), 42);
        assert_eq!(a80.columns(2), 24);
        assert_eq!(
            wrap(office, a80.columns(1)),
            vec!["Dinas Kependudukan dan Pencatatan Sipil Kota", "Bandung"]
        );
        assert_eq!(
            wrap(office, 32),
            vec!["Dinas Kependudukan dan", "Pencatatan Sipil Kota Bandung"]
        );
        // A line that fits keeps its spacing; only a word longer than a line is cut.
        assert_eq!(wrap("NIK  : 3273", 32), vec!["NIK  : 3273"]);
        assert_eq!(wrap("ab 0123456789", 4), vec!["ab", "0123", "4567", "89"]);
        assert_eq!(wrap("", 4), vec![""]);
    }

    proptest! {
        #[test]
        fn wrapped_lines_fit_and_keep_every_word(
            words in proptest::collection::vec("[a-zA-Z0-9é]{1,12}", 0..20),
            columns in 1usize..50,
        ) {
            let text = words.join(" ");
            let lines = wrap(&text, columns);
            for l in &lines {
                prop_assert!(l.chars().count() <= columns, "{l:?} over {columns}");
            }
            // No character lost or added, spaces aside.
            let squeeze = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
            prop_assert_eq!(squeeze(&lines.concat()), squeeze(&text));
            // A word that fits a line is never cut.
            for w in words.iter().filter(|w| w.chars().count() <= columns) {
                prop_assert!(
                    lines.iter().any(|l| l.split(' ').any(|p| p == w)),
                    "{w:?} was cut: {lines:?}"
                );
            }
        }
    }
}
