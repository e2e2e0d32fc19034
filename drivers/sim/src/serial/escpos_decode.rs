//! The printer's reading of an ESC/POS byte stream: commands are parsed as they arrive (a
//! command cut between two reads waits for its rest) and turned back into receipt lines.
//!
//! Understood: `ESC @` init, `ESC t n` code page (0 = PC437, read as ASCII; 16 = WPC1252),
//! `ESC a n` align, `ESC E n` bold, `ESC !` print mode, `GS ! n` size, `ESC d n` feed,
//! `LF` end of line, `GS ( k` QR code (model, module size, error level, store, print),
//! `GS v 0` raster image, `GS V` cut, `DLE EOT n` real-time status. Other `ESC`/`GS` commands
//! of two bytes plus one parameter are skipped and counted.

use ktpel_hal::{Align, GrayImage, ReceiptLine};

/// The largest raster image accepted (bytes of image data), as a real printer's buffer.
const MAX_RASTER_BYTES: usize = 1 << 20;

/// One receipt as the printer understood it: from an `ESC @` (or the previous cut) to a cut.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecodedReceipt {
    pub lines: Vec<ReceiptLine>,
    /// The code page selected last (`ESC t`).
    pub code_page: u8,
    /// QR settings seen (model, module size, error correction level byte), one per QR code.
    pub qr_settings: Vec<(u8, u8, u8)>,
    /// Commands the printer skipped without understanding them.
    pub unknown_commands: usize,
    /// The character font selected last (`ESC M`): 0 font A (12 dots wide), 1 font B (9).
    pub font: u8,
}

impl DecodedReceipt {
    /// The text as it comes out on a roll `paper_mm` wide (80: 576 dots, 58: 384 dots): a line
    /// longer than the paper holds goes on at the start of the next printed line, wherever it
    /// was cut (as a printer does, mid-word). Characters per line: the dots over the font's
    /// cell width (12 for font A, 9 for font B), over the line's width multiplier.
    pub fn paper_lines(&self, paper_mm: u32) -> Vec<String> {
        let dots = if paper_mm <= 58 { 384 } else { 576 };
        let cell = if self.font & 1 == 1 { 9 } else { 12 };
        let mut out = Vec::new();
        for line in &self.lines {
            if let ReceiptLine::Text { text, size, .. } = line {
                let columns = (dots / cell / usize::from((*size).clamp(1, 8))).max(1);
                let chars: Vec<char> = text.chars().collect();
                if chars.is_empty() {
                    out.push(String::new());
                }
                for piece in chars.chunks(columns) {
                    out.push(piece.iter().collect());
                }
            }
        }
        out
    }

    /// The receipt as a document (for `receipt_text` and comparisons).
    pub fn to_doc(&self) -> ktpel_hal::ReceiptDoc {
        ktpel_hal::ReceiptDoc {
            lines: self.lines.clone(),
        }
    }
}

/// What the decoder saw that matters to the printer around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscposEvent {
    /// `DLE EOT n`: the host asks for real-time status `n`.
    StatusRequest(u8),
    /// One line printed.
    Line(ReceiptLine),
    /// A receipt was cut off (or a new one began after content without a cut).
    ReceiptDone(DecodedReceipt),
}

/// The decoder's state: the current print attributes and what is waiting to be printed.
#[derive(Debug, Clone)]
pub struct EscposDecoder {
    buf: Vec<u8>,
    align: Align,
    bold: bool,
    size: u8,
    code_page: u8,
    font: u8,
    text: Vec<u8>,
    qr_model: u8,
    qr_size: u8,
    qr_level: u8,
    qr_data: Vec<u8>,
    receipt: DecodedReceipt,
}

impl Default for EscposDecoder {
    fn default() -> Self {
        Self::new()
    }
}

/// What parsing the head of the buffer gave.
enum Step {
    /// The command is not complete yet.
    Need,
    /// `n` bytes were used.
    Used(usize),
}

impl EscposDecoder {
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            align: Align::Left,
            bold: false,
            size: 1,
            code_page: 0,
            font: 0,
            text: Vec::new(),
            qr_model: 50,
            qr_size: 3,
            qr_level: 48,
            qr_data: Vec::new(),
            receipt: DecodedReceipt::default(),
        }
    }

    /// Feeds bytes as they arrive; answers what they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<EscposEvent> {
        self.buf.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut at = 0;
        while at < self.buf.len() {
            match self.step(at, &mut events) {
                Step::Need => break,
                Step::Used(n) => at += n.max(1),
            }
        }
        self.buf.drain(..at.min(self.buf.len()));
        events
    }

    /// Ends the stream: text without a line feed is printed, and a receipt with content is
    /// handed over even without a cut.
    pub fn finish(&mut self) -> Vec<EscposEvent> {
        let mut events = Vec::new();
        self.buf.clear();
        self.flush_text(&mut events);
        self.end_receipt(&mut events);
        events
    }

    fn reset_attributes(&mut self) {
        self.align = Align::Left;
        self.bold = false;
        self.size = 1;
        self.code_page = 0;
        self.font = 0;
        self.qr_model = 50;
        self.qr_size = 3;
        self.qr_level = 48;
        self.qr_data.clear();
    }

    fn emit(&mut self, line: ReceiptLine, events: &mut Vec<EscposEvent>) {
        self.receipt.lines.push(line.clone());
        events.push(EscposEvent::Line(line));
    }

    fn flush_text(&mut self, events: &mut Vec<EscposEvent>) {
        if self.text.is_empty() {
            return;
        }
        self.end_line(events);
    }

    fn end_line(&mut self, events: &mut Vec<EscposEvent>) {
        let text = decode_text(&self.text, self.code_page);
        self.text.clear();
        let line = ReceiptLine::Text {
            text,
            align: self.align,
            bold: self.bold,
            size: self.size,
        };
        self.emit(line, events);
    }

    fn end_receipt(&mut self, events: &mut Vec<EscposEvent>) {
        if self.receipt.lines.is_empty() {
            self.receipt.unknown_commands = 0;
            self.receipt.qr_settings.clear();
            return;
        }
        self.receipt.code_page = self.code_page;
        self.receipt.font = self.font;
        let done = std::mem::take(&mut self.receipt);
        events.push(EscposEvent::ReceiptDone(done));
    }

    /// Parses one command or text byte at `at`.
    fn step(&mut self, at: usize, events: &mut Vec<EscposEvent>) -> Step {
        let b = &self.buf[at..];
        let arg = |i: usize| b.get(i).copied();
        match b[0] {
            0x0A => {
                self.end_line(events);
                Step::Used(1)
            }
            0x10 => match (arg(1), arg(2)) {
                (None, _) | (Some(0x04), None) => Step::Need,
                (Some(0x04), Some(n)) => {
                    events.push(EscposEvent::StatusRequest(n));
                    Step::Used(3)
                }
                (Some(_), _) => {
                    self.receipt.unknown_commands += 1;
                    Step::Used(2)
                }
            },
            0x1B => self.esc(at, events),
            0x1D => self.gs(at, events),
            c if c < 0x20 => Step::Used(1),
            c => {
                self.text.push(c);
                Step::Used(1)
            }
        }
    }

    fn esc(&mut self, at: usize, events: &mut Vec<EscposEvent>) -> Step {
        let b = &self.buf[at..];
        let Some(&cmd) = b.get(1) else {
            return Step::Need;
        };
        // Commands without a parameter.
        match cmd {
            b'@' => {
                self.flush_text(events);
                self.end_receipt(events);
                self.reset_attributes();
                return Step::Used(2);
            }
            b'2' => return Step::Used(2),
            _ => {}
        }
        if cmd == b'p' {
            return if b.len() < 5 {
                Step::Need
            } else {
                Step::Used(5)
            };
        }
        let Some(&n) = b.get(2) else {
            return Step::Need;
        };
        match cmd {
            b'a' => {
                self.align = match n {
                    1 | b'1' => Align::Center,
                    2 | b'2' => Align::Right,
                    _ => Align::Left,
                };
            }
            b'E' => self.bold = n & 1 == 1,
            b't' => self.code_page = n,
            b'M' => self.font = n & 1,
            b'!' => {
                self.bold = n & 0x08 != 0;
                self.size = if n & 0x30 != 0 { 2 } else { 1 };
            }
            b'd' => {
                self.flush_text(events);
                self.emit(ReceiptLine::Feed(n), events);
            }
            b'-' | b'3' | b'G' | b'R' | b'V' | b'{' | b'J' => {}
            _ => self.receipt.unknown_commands += 1,
        }
        Step::Used(3)
    }

    fn gs(&mut self, at: usize, events: &mut Vec<EscposEvent>) -> Step {
        let b = &self.buf[at..];
        let Some(&cmd) = b.get(1) else {
            return Step::Need;
        };
        match cmd {
            b'V' => {
                let Some(&m) = b.get(2) else {
                    return Step::Need;
                };
                let used = if matches!(m, 65 | 66 | 97 | 98 | 103 | 104) {
                    if b.len() < 4 {
                        return Step::Need;
                    }
                    4
                } else {
                    3
                };
                self.flush_text(events);
                self.emit(ReceiptLine::Cut, events);
                self.end_receipt(events);
                Step::Used(used)
            }
            b'v' => {
                if b.len() < 8 {
                    return Step::Need;
                }
                let x = usize::from(u16::from_le_bytes([b[4], b[5]]));
                let y = usize::from(u16::from_le_bytes([b[6], b[7]]));
                if b[2] != b'0' || x * y > MAX_RASTER_BYTES {
                    self.receipt.unknown_commands += 1;
                    return Step::Used(8);
                }
                if b.len() < 8 + x * y {
                    return Step::Need;
                }
                let data = &b[8..8 + x * y];
                let width = x * 8;
                let mut pixels = vec![255u8; width * y];
                for (i, byte) in data.iter().enumerate() {
                    for bit in 0..8 {
                        if byte & (0x80 >> bit) != 0 {
                            pixels[(i / x) * width + (i % x) * 8 + bit] = 0;
                        }
                    }
                }
                let image = GrayImage {
                    width: width as u32,
                    height: y as u32,
                    pixels,
                };
                self.flush_text(events);
                self.emit(ReceiptLine::Image(image), events);
                Step::Used(8 + x * y)
            }
            b'(' => {
                if b.len() < 5 {
                    return Step::Need;
                }
                let len = usize::from(u16::from_le_bytes([b[3], b[4]]));
                if b.len() < 5 + len {
                    return Step::Need;
                }
                if b[2] == b'k' {
                    let body = b[5..5 + len].to_vec();
                    self.qr(&body, events);
                } else {
                    self.receipt.unknown_commands += 1;
                }
                Step::Used(5 + len)
            }
            _ => {
                let Some(&n) = b.get(2) else {
                    return Step::Need;
                };
                match cmd {
                    b'!' => {
                        let w = (n >> 4) & 7;
                        let h = n & 7;
                        self.size = w.max(h) + 1;
                    }
                    b'B' | b'h' | b'w' | b'H' | b'f' => {}
                    _ => self.receipt.unknown_commands += 1,
                }
                Step::Used(3)
            }
        }
    }

    /// `GS ( k` for a QR code: `cn = 49`, then the function.
    fn qr(&mut self, body: &[u8], events: &mut Vec<EscposEvent>) {
        let (Some(&cn), Some(&func)) = (body.first(), body.get(1)) else {
            self.receipt.unknown_commands += 1;
            return;
        };
        if cn != 49 {
            self.receipt.unknown_commands += 1;
            return;
        }
        let params = &body[2..];
        match (func, params) {
            (65, [n1, ..]) => self.qr_model = *n1,
            (67, [n, ..]) => self.qr_size = *n,
            (69, [n, ..]) => self.qr_level = *n,
            (80, [48, data @ ..]) => self.qr_data = data.to_vec(),
            (81, _) => {
                let payload = String::from_utf8_lossy(&self.qr_data).into_owned();
                self.receipt
                    .qr_settings
                    .push((self.qr_model, self.qr_size, self.qr_level));
                self.flush_text(events);
                self.emit(ReceiptLine::Qr { payload }, events);
            }
            (82, _) => {}
            _ => self.receipt.unknown_commands += 1,
        }
    }
}

/// Windows-1252's 0x80–0x9F (0 where the code page has no character).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// Text bytes in code page `page` (16 = WPC1252; anything else is read as ASCII, other bytes
/// as `?`).
fn decode_text(bytes: &[u8], page: u8) -> String {
    bytes
        .iter()
        .map(|&b| match (page, b) {
            (_, 0..=0x7F) => char::from(b),
            (16, 0x80..=0x9F) => char::from_u32(u32::from(CP1252_HIGH[usize::from(b - 0x80)]))
                .filter(|c| *c != '\0')
                .unwrap_or('?'),
            (16, _) => char::from(b),
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn receipts(events: &[EscposEvent]) -> Vec<DecodedReceipt> {
        events
            .iter()
            .filter_map(|e| match e {
                EscposEvent::ReceiptDone(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn decodes_text_qr_image_feed_and_cut() {
        let mut bytes = vec![0x1B, b'@', 0x1B, b't', 16, 0x1B, b'a', 1, 0x1B, b'E', 1];
        bytes.extend([0x1D, b'!', 0x11]);
        bytes.extend(b"BUKTI PEREKAMAN\n");
        bytes.extend([0x1B, b'a', 0, 0x1B, b'E', 0, 0x1D, b'!', 0]);
        bytes.extend([b'J', b'o', b's', 0xE9, b' ', 0x80, b'\n']);
        bytes.extend([0x1D, b'(', b'k', 4, 0, 49, 65, 50, 0]);
        bytes.extend([0x1D, b'(', b'k', 3, 0, 49, 67, 6]);
        bytes.extend([0x1D, b'(', b'k', 3, 0, 49, 69, 49]);
        bytes.extend([0x1D, b'(', b'k', 6, 0, 49, 80, 48, b'a', b'b', b'c']);
        bytes.extend([0x1D, b'(', b'k', 3, 0, 49, 81, 48]);
        bytes.extend([0x1D, b'v', b'0', 0, 1, 0, 2, 0, 0x80, 0x01]);
        bytes.extend([0x1B, b'd', 3, 0x1D, b'V', 66, 0]);
        // Byte by byte: a command cut anywhere waits for its rest.
        let mut d = EscposDecoder::new();
        let events: Vec<EscposEvent> = bytes.iter().flat_map(|b| d.push(&[*b])).collect();
        let r = receipts(&events);
        assert_eq!(r.len(), 1);
        let r = &r[0];
        assert_eq!(r.code_page, 16);
        assert_eq!(r.qr_settings, vec![(50, 6, 49)]);
        assert_eq!(
            r.lines[0],
            ReceiptLine::Text {
                text: "BUKTI PEREKAMAN".into(),
                align: Align::Center,
                bold: true,
                size: 2
            }
        );
        assert!(matches!(&r.lines[1], ReceiptLine::Text { text, .. } if text == "José €"));
        assert_eq!(
            r.lines[2],
            ReceiptLine::Qr {
                payload: "abc".into()
            }
        );
        let ReceiptLine::Image(img) = &r.lines[3] else {
            panic!("no image")
        };
        assert_eq!((img.width, img.height), (8, 2));
        assert_eq!(img.pixels[0], 0);
        assert_eq!(img.pixels[1], 255);
        assert_eq!(img.pixels[15], 0);
        assert_eq!(r.lines[4], ReceiptLine::Feed(3));
        assert_eq!(r.lines[5], ReceiptLine::Cut);
    }

    #[test]
    fn status_requests_are_reported() {
        let mut d = EscposDecoder::new();
        assert_eq!(
            d.push(&[0x10, 0x04, 1, 0x10]),
            vec![EscposEvent::StatusRequest(1)]
        );
        assert_eq!(d.push(&[0x04, 4]), vec![EscposEvent::StatusRequest(4)]);
    }

    proptest! {
        #[test]
        fn never_panics_and_chunking_does_not_matter(
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
            cut in 0usize..400,
        ) {
            let mut whole = EscposDecoder::new();
            let mut a = whole.push(&bytes);
            a.extend(whole.finish());
            let cut = cut.min(bytes.len());
            let mut split = EscposDecoder::new();
            let mut b = split.push(&bytes[..cut]);
            b.extend(split.push(&bytes[cut..]));
            b.extend(split.finish());
            prop_assert_eq!(a, b);
        }
    }
}
