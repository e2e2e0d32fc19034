//! ISO/IEC 7816-4 command APDUs for transparent files, and response parsing.
//!
//! Every builder picks the short encoding when the lengths fit it (Lc ≤ 255, Le ≤ 256) and the
//! extended one otherwise, so a reader that takes extended APDUs only sees them where they
//! save a round trip.

use std::fmt;

/// Status words this crate acts on.
pub mod sw {
    pub const OK: u16 = 0x9000;
    /// End of file reached before Le bytes were read (warning: data follows).
    pub const END_OF_FILE: u16 = 0x6282;
    pub const WRONG_LENGTH: u16 = 0x6700;
    pub const SECURITY_NOT_SATISFIED: u16 = 0x6982;
    pub const CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
    pub const FILE_NOT_FOUND: u16 = 0x6A82;
    pub const NOT_ENOUGH_MEMORY: u16 = 0x6A84;
    pub const WRONG_P1P2: u16 = 0x6A86;
    pub const FILE_EXISTS: u16 = 0x6A89;
    pub const WRONG_OFFSET: u16 = 0x6B00;
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;
    /// SW1 of "more response bytes available: GET RESPONSE with Le = SW2".
    pub const SW1_BYTES_AVAILABLE: u8 = 0x61;
    /// SW1 of "wrong Le: resend with Le = SW2".
    pub const SW1_WRONG_LE: u8 = 0x6C;

    /// What a status word means, for error messages.
    pub fn describe(sw: u16) -> &'static str {
        match sw {
            OK => "success",
            END_OF_FILE => "end of file reached",
            WRONG_LENGTH => "wrong length",
            SECURITY_NOT_SATISFIED => "security status not satisfied",
            CONDITIONS_NOT_SATISFIED => "conditions of use not satisfied",
            0x6986 => "command not allowed (no current EF)",
            0x6A80 => "incorrect data in the command",
            0x6A81 => "function not supported",
            FILE_NOT_FOUND => "file not found",
            NOT_ENOUGH_MEMORY => "not enough memory in the card",
            WRONG_P1P2 => "incorrect parameters P1-P2",
            FILE_EXISTS => "file already exists",
            WRONG_OFFSET => "offset outside the file",
            INS_NOT_SUPPORTED => "instruction not supported",
            CLA_NOT_SUPPORTED => "class not supported",
            0x6F00 => "no precise diagnosis",
            _ => "unexpected status",
        }
    }
}

/// The largest offset READ/UPDATE BINARY can address with P1 P2 (bit 8 of P1 means a short
/// EF identifier).
pub const MAX_OFFSET: usize = 0x7FFF;

/// Most data a short command APDU carries.
pub const SHORT_MAX_LC: usize = 255;
/// Most data a short response carries (Le = 00).
pub const SHORT_MAX_LE: usize = 256;
/// Most data an extended command APDU carries.
pub const EXTENDED_MAX_LC: usize = 65535;
/// Most data an extended response carries (Le = 0000).
pub const EXTENDED_MAX_LE: usize = 65536;

/// A command APDU's bytes, shown as its header and length only (data may be personal).
#[derive(Clone, PartialEq, Eq)]
pub struct Apdu(pub Vec<u8>);

impl Apdu {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The instruction byte.
    pub fn ins(&self) -> u8 {
        self.0.get(1).copied().unwrap_or(0)
    }
}

impl fmt::Debug for Apdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [cla, ins, p1, p2, ..] => write!(
                f,
                "Apdu({cla:02X} {ins:02X} {p1:02X} {p2:02X}, {} bytes)",
                self.0.len()
            ),
            _ => write!(f, "Apdu({} bytes)", self.0.len()),
        }
    }
}

/// Builds `CLA INS P1 P2 [Lc data] [Le]`, short when Lc ≤ 255 and Le ≤ 256, extended
/// otherwise. `le` of `None` means no response data expected.
///
/// # Panics
/// Never for data ≤ 65535 bytes and Le ≤ 65536; longer values are clamped by the callers in
/// this crate (they split their writes and reads).
fn build(ins: u8, p1: u8, p2: u8, data: &[u8], le: Option<usize>) -> Apdu {
    let extended = data.len() > SHORT_MAX_LC || le.is_some_and(|le| le > SHORT_MAX_LE);
    let mut apdu = Vec::with_capacity(4 + 3 + data.len() + 3);
    apdu.extend_from_slice(&[0x00, ins, p1, p2]);
    if extended {
        let lc = u16::try_from(data.len()).unwrap_or(u16::MAX);
        if !data.is_empty() {
            apdu.push(0x00);
            apdu.extend_from_slice(&lc.to_be_bytes());
            apdu.extend_from_slice(&data[..usize::from(lc)]);
        }
        if let Some(le) = le {
            // 65536 is encoded as 0000.
            let le = if le >= EXTENDED_MAX_LE { 0 } else { le as u16 };
            if data.is_empty() {
                apdu.push(0x00);
            }
            apdu.extend_from_slice(&le.to_be_bytes());
        }
    } else {
        if !data.is_empty() {
            apdu.push(data.len() as u8);
            apdu.extend_from_slice(data);
        }
        if let Some(le) = le {
            // 256 is encoded as 00.
            apdu.push(if le >= SHORT_MAX_LE { 0 } else { le as u8 });
        }
    }
    Apdu(apdu)
}

/// SELECT by file identifier from the MF, no answer data (`P2 = 0C`).
pub fn select(fid: u16) -> Apdu {
    build(0xA4, 0x00, 0x0C, &fid.to_be_bytes(), None)
}

/// SELECT by file identifier from the MF, answering the FCP template (`P2 = 04`, `Le = 00`).
pub fn select_fcp(fid: u16) -> Apdu {
    build(0xA4, 0x00, 0x04, &fid.to_be_bytes(), Some(SHORT_MAX_LE))
}

/// The FCP template of a transparent working EF: `62 L 82 01 01 83 02 FID 80 02 SIZE`.
pub fn fcp(fid: u16, size: u16) -> Vec<u8> {
    let [f1, f2] = fid.to_be_bytes();
    let [s1, s2] = size.to_be_bytes();
    vec![
        0x62, 0x0B, 0x82, 0x01, 0x01, 0x83, 0x02, f1, f2, 0x80, 0x02, s1, s2,
    ]
}

/// CREATE FILE (ISO/IEC 7816-9) of a transparent EF of `size` bytes under the current DF.
pub fn create_file(fid: u16, size: u16) -> Apdu {
    build(0xE0, 0x00, 0x00, &fcp(fid, size), None)
}

/// The ICAO Doc 9303 LDS1 application identifier.
pub const LDS1_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// Compact security attributes (ISO/IEC 7816-4 §7.4.3.4) of an issued data file: access mode
/// `47` (DELETE FILE, WRITE BINARY, UPDATE BINARY, READ BINARY), then one condition per mode:
/// never (`FF`), never, never, always (`00`). The card enforces them once the application is
/// operational.
pub const READ_ONLY_ATTRIBUTES: [u8; 5] = [0x47, 0xFF, 0xFF, 0xFF, 0x00];

/// The FCP of a transparent EF with compact security attributes (`8C`).
pub fn fcp_with_attributes(fid: u16, size: u16, attributes: &[u8]) -> Vec<u8> {
    let mut f = fcp(fid, size);
    f.push(0x8C);
    f.push(attributes.len() as u8);
    f.extend_from_slice(attributes);
    f[1] = (f.len() - 2) as u8;
    f
}

/// CREATE FILE of a transparent EF whose FCP carries [`READ_ONLY_ATTRIBUTES`].
pub fn create_read_only_file(fid: u16, size: u16) -> Apdu {
    build(
        0xE0,
        0x00,
        0x00,
        &fcp_with_attributes(fid, size, &READ_ONLY_ATTRIBUTES),
        None,
    )
}

/// SELECT the LDS1 application by its AID, no answer data.
pub fn select_lds1() -> Apdu {
    build(0xA4, 0x04, 0x0C, &LDS1_AID, None)
}

/// ACTIVATE FILE (ISO/IEC 7816-9) of the LDS1 application, by DF name: ends personalisation,
/// the application goes to life-cycle state *operational, activated*.
pub fn activate_lds1() -> Apdu {
    build(0x44, 0x04, 0x00, &LDS1_AID, None)
}

/// DELETE FILE by file identifier.
pub fn delete_file(fid: u16) -> Apdu {
    build(0xE4, 0x00, 0x00, &fid.to_be_bytes(), None)
}

/// UPDATE BINARY of the current EF at `offset` (≤ [`MAX_OFFSET`]).
pub fn update_binary(offset: u16, data: &[u8]) -> Apdu {
    let [p1, p2] = (offset & 0x7FFF).to_be_bytes();
    build(0xD6, p1, p2, data, None)
}

/// READ BINARY of `le` bytes (1..=65536) of the current EF at `offset` (≤ [`MAX_OFFSET`]).
pub fn read_binary(offset: u16, le: usize) -> Apdu {
    let [p1, p2] = (offset & 0x7FFF).to_be_bytes();
    build(0xB0, p1, p2, &[], Some(le.max(1)))
}

/// GET RESPONSE for `le` bytes (after SW1 = 61).
pub fn get_response(le: u8) -> Apdu {
    let le = if le == 0 {
        SHORT_MAX_LE
    } else {
        usize::from(le)
    };
    build(0xC0, 0x00, 0x00, &[], Some(le))
}

/// The same case-2 short APDU with another Le (after SW1 = 6C); `None` when `apdu` is not a
/// short case-2 APDU.
pub fn with_le(apdu: &Apdu, le: u8) -> Option<Apdu> {
    match apdu.as_bytes() {
        [cla, ins, p1, p2, _] => Some(Apdu(vec![*cla, *ins, *p1, *p2, le])),
        _ => None,
    }
}

/// A response APDU: data and the status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: u16,
}

impl Response {
    /// Splits a raw response; `None` when it is shorter than the status word.
    pub fn parse(raw: &[u8]) -> Option<Response> {
        let (data, sw) = raw.split_at_checked(raw.len().checked_sub(2)?)?;
        Some(Response {
            data: data.to_vec(),
            sw: u16::from_be_bytes([sw[0], sw[1]]),
        })
    }

    pub fn sw1(&self) -> u8 {
        (self.sw >> 8) as u8
    }

    pub fn sw2(&self) -> u8 {
        self.sw as u8
    }

    pub fn is_ok(&self) -> bool {
        self.sw == sw::OK
    }
}

// The data may be personal: its length only.
impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response({} bytes, SW {:04X})", self.data.len(), self.sw)
    }
}

/// The size of a transparent EF from its FCP template (`62 … 80 size` or `81 size`), if the
/// template gives one.
pub fn fcp_file_size(fcp: &[u8]) -> Option<usize> {
    let (tag, mut body, _) = next_tlv(fcp)?;
    if tag != 0x62 {
        return None;
    }
    while !body.is_empty() {
        let (tag, value, rest) = next_tlv(body)?;
        if matches!(tag, 0x80 | 0x81) && !value.is_empty() && value.len() <= 4 {
            return Some(value.iter().fold(0usize, |n, b| n << 8 | usize::from(*b)));
        }
        body = rest;
    }
    None
}

/// One BER-TLV with a one-byte tag (lengths in their shortest form).
fn next_tlv(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    // The booth's one strict codec: a non-minimal length is refused here as everywhere.
    let (t, end) = ktpel_ber_tlv::parse_at(data, 0).ok()?;
    let tag = u8::try_from(t.tag).ok()?;
    Some((tag, t.value, data.get(end..)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn select_and_create_are_short() {
        assert_eq!(select(0x0101).0, [0x00, 0xA4, 0x00, 0x0C, 0x02, 0x01, 0x01]);
        assert_eq!(
            select_fcp(0x011E).0,
            [0x00, 0xA4, 0x00, 0x04, 0x02, 0x01, 0x1E, 0x00]
        );
        assert_eq!(
            create_file(0x0102, 4500).0,
            [
                0x00, 0xE0, 0x00, 0x00, 0x0D, 0x62, 0x0B, 0x82, 0x01, 0x01, 0x83, 0x02, 0x01, 0x02,
                0x80, 0x02, 0x11, 0x94
            ]
        );
        assert_eq!(
            delete_file(0x011D).0,
            [0x00, 0xE4, 0x00, 0x00, 0x02, 0x01, 0x1D]
        );
    }

    #[test]
    fn update_binary_is_short_up_to_255_bytes_then_extended() {
        let a = update_binary(0x0102, &[7; 255]);
        assert_eq!(&a.0[..5], [0x00, 0xD6, 0x01, 0x02, 0xFF]);
        assert_eq!(a.0.len(), 5 + 255);
        let a = update_binary(0, &[7; 256]);
        assert_eq!(&a.0[..7], [0x00, 0xD6, 0x00, 0x00, 0x00, 0x01, 0x00]);
        assert_eq!(a.0.len(), 7 + 256);
        let a = update_binary(0x7FFF, &[1; 4500]);
        assert_eq!(&a.0[..7], [0x00, 0xD6, 0x7F, 0xFF, 0x00, 0x11, 0x94]);
        assert_eq!(a.0.len(), 7 + 4500);
    }

    #[test]
    fn read_binary_le_encodings() {
        assert_eq!(read_binary(0, 16).0, [0x00, 0xB0, 0x00, 0x00, 0x10]);
        assert_eq!(read_binary(0x0100, 256).0, [0x00, 0xB0, 0x01, 0x00, 0x00]);
        assert_eq!(
            read_binary(0, 257).0,
            [0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x01]
        );
        assert_eq!(
            read_binary(0, 65536).0,
            [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]
        );
    }

    #[test]
    fn get_response_and_le_correction() {
        assert_eq!(get_response(0x10).0, [0x00, 0xC0, 0x00, 0x00, 0x10]);
        assert_eq!(get_response(0).0, [0x00, 0xC0, 0x00, 0x00, 0x00]);
        let a = read_binary(0, 256);
        assert_eq!(with_le(&a, 0x0D).unwrap().0, [0x00, 0xB0, 0x00, 0x00, 0x0D]);
        assert!(with_le(&update_binary(0, &[1]), 1).is_none());
    }

    #[test]
    fn built_apdus_parse_back_in_the_virtual_card() {
        for (apdu, lc, le, ext) in [
            (update_binary(3, &[9; 300]), 300, None, true),
            (update_binary(3, &[9; 30]), 30, None, false),
            (read_binary(3, 4000), 0, Some(4000), true),
            (read_binary(3, 200), 0, Some(200), false),
            (create_file(0x0101, 600), 13, None, false),
        ] {
            let c = ktpel_sim::card::parse(apdu.as_bytes()).unwrap();
            assert_eq!((c.data.len(), c.le, c.extended), (lc, le, ext), "{apdu:?}");
        }
    }

    #[test]
    fn responses_split_data_and_status() {
        let r = Response::parse(&[1, 2, 0x62, 0x82]).unwrap();
        assert_eq!((r.data.as_slice(), r.sw), (&[1u8, 2][..], 0x6282));
        assert_eq!((r.sw1(), r.sw2()), (0x62, 0x82));
        assert!(Response::parse(&[0x90]).is_none());
        assert!(Response::parse(&[]).is_none());
        assert!(Response::parse(&[0x90, 0x00]).unwrap().is_ok());
        // Debug shows no data.
        assert_eq!(format!("{r:?}"), "Response(2 bytes, SW 6282)");
        assert_eq!(
            format!("{:?}", update_binary(0, &[0x41; 3])),
            "Apdu(00 D6 00 00, 8 bytes)"
        );
    }

    #[test]
    fn file_size_from_fcp() {
        assert_eq!(fcp_file_size(&fcp(0x0101, 4500)), Some(4500));
        assert_eq!(
            fcp_file_size(&[0x62, 0x04, 0x81, 0x02, 0x01, 0x00]),
            Some(256)
        );
        assert_eq!(fcp_file_size(&[0x62, 0x03, 0x82, 0x01, 0x38]), None);
        assert_eq!(fcp_file_size(&[0x6F, 0x04, 0x80, 0x02, 0x01, 0x00]), None);
        assert_eq!(fcp_file_size(&[0x62, 0x09, 0x80]), None);
    }
}
