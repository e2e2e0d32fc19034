//! Text to printer bytes. Indonesian text is Latin script; names may carry accents, so the
//! default is WPC1252 (`ESC t 16`), which holds all of Latin-1 and a few more signs.

/// The character tables this driver selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodePage {
    /// `ESC t 0`; only its ASCII half is used (anything else prints as `?`).
    Pc437,
    /// `ESC t 16`.
    #[default]
    Wpc1252,
}

/// Windows-1252's 0x80–0x9F.
const CP1252_HIGH: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

impl CodePage {
    /// The `n` of `ESC t n`.
    pub fn number(self) -> u8 {
        match self {
            CodePage::Pc437 => 0,
            CodePage::Wpc1252 => 16,
        }
    }

    /// The byte for `c`; `None` when the table has no such character.
    pub fn byte(self, c: char) -> Option<u8> {
        let code = u32::from(c);
        match (self, code) {
            (_, 0x20..=0x7E) => Some(code as u8),
            (CodePage::Wpc1252, 0xA0..=0xFF) => Some(code as u8),
            (CodePage::Wpc1252, _) => CP1252_HIGH.iter().find(|(ch, _)| *ch == c).map(|(_, b)| *b),
            (CodePage::Pc437, _) => None,
        }
    }

    /// `text` as printer bytes; characters the table lacks (and control characters) become `?`.
    pub fn encode(self, text: &str) -> Vec<u8> {
        text.chars().map(|c| self.byte(c).unwrap_or(b'?')).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_names_and_signs_fit_wpc1252() {
        assert_eq!(
            CodePage::Wpc1252.encode("Pé €"),
            vec![b'P', 0xE9, b' ', 0x80]
        );
        assert_eq!(CodePage::Pc437.encode("Pé"), vec![b'P', b'?']);
        assert_eq!(CodePage::Wpc1252.encode("a\tb"), vec![b'a', b'?', b'b']);
    }
}
