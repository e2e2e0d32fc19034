//! ISO/IEC 7816-4 command APDU parsing (cases 1–4, short and extended length).

/// A parsed command APDU.
#[derive(Clone, PartialEq, Eq)]
pub struct Command<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    /// The command data (empty when there is no Lc).
    pub data: &'a [u8],
    /// The expected response length: `None` when absent; short `00` is 256 and extended
    /// `0000` is 65536.
    pub le: Option<usize>,
    /// Whether the APDU used extended length fields.
    pub extended: bool,
}

// The data may be personal: show its length only.
impl std::fmt::Debug for Command<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Command({:02X} {:02X} {:02X} {:02X}, {} data bytes, le {:?}{})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le,
            if self.extended { ", extended" } else { "" }
        )
    }
}

/// Parses a command APDU; `None` when its length fields do not add up.
pub fn parse(apdu: &[u8]) -> Option<Command<'_>> {
    let (header, body) = apdu.split_at_checked(4)?;
    let [cla, ins, p1, p2] = <[u8; 4]>::try_from(header).ok()?;
    let command = |data, le, extended| Command {
        cla,
        ins,
        p1,
        p2,
        data,
        le,
        extended,
    };
    let short_le = |b: u8| if b == 0 { 256 } else { usize::from(b) };
    let ext_len = |hi: u8, lo: u8| usize::from(hi) << 8 | usize::from(lo);
    let ext_le = |hi: u8, lo: u8| match ext_len(hi, lo) {
        0 => 65536,
        n => n,
    };
    match body {
        // Case 1.
        [] => Some(command(&[], None, false)),
        // Case 2 short.
        [le] => Some(command(&[], Some(short_le(*le)), false)),
        // Case 2 extended: 00 Le_hi Le_lo.
        [0, hi, lo] => Some(command(&[], Some(ext_le(*hi, *lo)), true)),
        // Cases 3 and 4 extended: 00 Lc_hi Lc_lo data [Le_hi Le_lo].
        [0, hi, lo, rest @ ..] if ext_len(*hi, *lo) > 0 && !rest.is_empty() => {
            let lc = ext_len(*hi, *lo);
            if rest.len() == lc {
                Some(command(rest, None, true))
            } else if rest.len() == lc + 2 {
                let (data, le) = rest.split_at(lc);
                Some(command(data, Some(ext_le(le[0], le[1])), true))
            } else {
                None
            }
        }
        // Cases 3 and 4 short: Lc data [Le].
        [lc, rest @ ..] if *lc != 0 => {
            let lc = usize::from(*lc);
            if rest.len() == lc {
                Some(command(rest, None, false))
            } else if rest.len() == lc + 1 {
                let (data, le) = rest.split_at(lc);
                Some(command(data, Some(short_le(le[0])), false))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether an APDU uses extended length fields (a reader limited to short APDUs refuses it).
pub fn is_extended(apdu: &[u8]) -> bool {
    apdu.len() >= 7 && apdu[4] == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn all_cases_parse() {
        let c = parse(&[0, 0xA4, 0, 0]).unwrap();
        assert_eq!((c.data, c.le, c.extended), (&[][..], None, false));
        assert_eq!(parse(&[0, 0xB0, 0, 0, 0]).unwrap().le, Some(256));
        assert_eq!(parse(&[0, 0xB0, 0, 0, 0x10]).unwrap().le, Some(16));
        let c = parse(&[0, 0xB0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!((c.le, c.extended), (Some(65536), true));
        assert_eq!(parse(&[0, 0xB0, 0, 0, 0, 1, 0]).unwrap().le, Some(256));
        let c = parse(&[0, 0xD6, 0, 0, 2, 9, 8]).unwrap();
        assert_eq!((c.data, c.le), (&[9, 8][..], None));
        let c = parse(&[0, 0xA4, 0, 0, 2, 9, 8, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[9, 8][..], Some(256)));
        let c = parse(&[0, 0xD6, 0, 0, 0, 0, 2, 9, 8]).unwrap();
        assert_eq!((c.data, c.le, c.extended), (&[9, 8][..], None, true));
        let c = parse(&[0, 0xD6, 0, 0, 0, 0, 2, 9, 8, 0, 0]).unwrap();
        assert_eq!((c.data, c.le, c.extended), (&[9, 8][..], Some(65536), true));
    }

    #[test]
    fn malformed_lengths_are_refused() {
        assert!(parse(&[0, 0xB0, 0]).is_none());
        assert!(parse(&[0, 0xB0, 0, 0, 0, 1]).is_none());
        assert!(parse(&[0, 0xD6, 0, 0, 3, 1, 2]).is_none());
        assert!(parse(&[0, 0xD6, 0, 0, 1, 1, 2, 3]).is_none());
        assert!(parse(&[0, 0xD6, 0, 0, 0, 0, 3, 1, 2]).is_none());
        assert!(parse(&[0, 0xD6, 0, 0, 0, 0, 0, 1, 2]).is_none());
    }

    #[test]
    fn extended_detection() {
        assert!(!is_extended(&[0, 0xB0, 0, 0, 0]));
        assert!(is_extended(&[0, 0xB0, 0, 0, 0, 1, 0]));
        assert!(!is_extended(&[0, 0xD6, 0, 0, 2, 1, 2]));
    }
}
