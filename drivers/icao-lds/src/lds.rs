//! The LDS1 files other than EF.SOD (ICAO Doc 9303 part 10): EF.COM, DG1 (the MRZ), DG2 (the
//! portrait in an ISO/IEC 19794-5 record), DG11 (additional personal details) and DG12
//! (additional document details). Each file is one BER-TLV object; each `decode` reads exactly
//! what the matching `encode` writes and refuses anything else.

use crate::mrz::{self, Date, MrzError};
use crate::tlv::{self, Reader, TlvError, TooLong};

pub const TAG_COM: u16 = 0x60;
pub const TAG_DG1: u16 = 0x61;
pub const TAG_DG2: u16 = 0x75;
pub const TAG_DG3: u16 = 0x63;
pub const TAG_DG7: u16 = 0x67;
pub const TAG_DG11: u16 = 0x6B;
pub const TAG_DG12: u16 = 0x6C;
pub const TAG_SOD: u16 = 0x77;

/// LDS version 1.7 and Unicode 4.0.0, the values part 10 gives for EF.COM.
pub const LDS_VERSION: &[u8; 4] = b"0107";
pub const UNICODE_VERSION: &[u8; 6] = b"040000";

/// Why a file is not what its encoder writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdsError {
    #[error(transparent)]
    Tlv(#[from] TlvError),
    #[error(transparent)]
    TooLong(#[from] TooLong),
    #[error(transparent)]
    Mrz(#[from] MrzError),
    #[error("{field}: {reason}")]
    Field {
        field: &'static str,
        reason: &'static str,
    },
}

fn field(field: &'static str, reason: &'static str) -> LdsError {
    LdsError::Field { field, reason }
}

/// EF.COM: LDS and Unicode versions, and the tags of the data groups present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Com {
    pub lds_version: [u8; 4],
    pub unicode_version: [u8; 6],
    /// One-byte template tags (`61` DG1, `75` DG2 …), as listed.
    pub tags: Vec<u8>,
}

impl Com {
    pub fn new(tags: Vec<u8>) -> Com {
        Com {
            lds_version: *LDS_VERSION,
            unicode_version: *UNICODE_VERSION,
            tags,
        }
    }

    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        let mut v = Vec::new();
        tlv::push(&mut v, 0x5F01, &self.lds_version)?;
        tlv::push(&mut v, 0x5F36, &self.unicode_version)?;
        tlv::push(&mut v, 0x5C, &self.tags)?;
        Ok(tlv::encode(TAG_COM, &v)?)
    }

    pub fn decode(file: &[u8]) -> Result<Com, LdsError> {
        let mut r = Reader::new(tlv::single(file, TAG_COM)?);
        let lds_version = r
            .take(0x5F01)?
            .try_into()
            .map_err(|_| field("LDS version", "not four characters"))?;
        let unicode_version = r
            .take(0x5F36)?
            .try_into()
            .map_err(|_| field("Unicode version", "not six characters"))?;
        let tags = r.take(0x5C)?.to_vec();
        r.finish()?;
        Ok(Com {
            lds_version,
            unicode_version,
            tags,
        })
    }
}

/// DG1: the MRZ, checked (every check digit) both ways.
pub fn encode_dg1(td1: &mrz::Td1) -> Result<Vec<u8>, LdsError> {
    let mrz = td1.encode()?;
    Ok(tlv::encode(TAG_DG1, &tlv::encode(0x5F1F, mrz.as_bytes())?)?)
}

/// The 90-character MRZ of a DG1 file, its check digits verified.
pub fn decode_dg1(file: &[u8]) -> Result<String, LdsError> {
    let mrz = tlv::single(tlv::single(file, TAG_DG1)?, 0x5F1F)?;
    let mrz = std::str::from_utf8(mrz).map_err(|_| MrzError::Shape)?;
    mrz::check(mrz)?;
    Ok(mrz.to_string())
}

/// How the portrait's image data are coded (ISO/IEC 19794-5:2005, 5.7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Jpeg2000,
}

/// The portrait of DG2: one image in an ISO/IEC 19794-5:2005 facial record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Face {
    /// 19794-5 gender: 0 unspecified, 1 male, 2 female.
    pub gender: u8,
    pub image_type: ImageType,
    pub width: u16,
    pub height: u16,
    pub image: Vec<u8>,
}

/// 19794-5 record header (14) + facial information (20) + image information (12).
const FACE_HEADER: usize = 46;

impl Face {
    /// The ISO/IEC 19794-5:2005 record: one basic face image, no feature points, every
    /// descriptive field unspecified but gender.
    pub fn record(&self) -> Result<Vec<u8>, LdsError> {
        let total = u32::try_from(FACE_HEADER + self.image.len())
            .map_err(|_| field("DG2", "image too large"))?;
        let mut r = Vec::with_capacity(total as usize);
        r.extend_from_slice(b"FAC\x00010\x00");
        r.extend_from_slice(&total.to_be_bytes());
        r.extend_from_slice(&1u16.to_be_bytes());
        r.extend_from_slice(&(total - 14).to_be_bytes());
        r.extend_from_slice(&0u16.to_be_bytes()); // feature points
        r.extend_from_slice(&[self.gender, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        r.push(0); // face image type: basic
        r.push(match self.image_type {
            ImageType::Jpeg => 0,
            ImageType::Jpeg2000 => 1,
        });
        r.extend_from_slice(&self.width.to_be_bytes());
        r.extend_from_slice(&self.height.to_be_bytes());
        r.push(1); // 24-bit RGB
        r.push(2); // digital still camera
        r.extend_from_slice(&[0, 0, 0, 0]); // device type, quality
        r.extend_from_slice(&self.image);
        Ok(r)
    }

    fn from_record(rec: &[u8]) -> Result<Face, LdsError> {
        let bad = |reason| field("DG2 facial record", reason);
        if rec.len() < FACE_HEADER || &rec[0..8] != b"FAC\x00010\x00" {
            return Err(bad("not an ISO/IEC 19794-5:2005 record"));
        }
        let be32 = |at: usize| u32::from_be_bytes([rec[at], rec[at + 1], rec[at + 2], rec[at + 3]]);
        let be16 = |at: usize| u16::from_be_bytes([rec[at], rec[at + 1]]);
        if be32(8) as usize != rec.len() || be32(14) as usize != rec.len() - 14 {
            return Err(bad("the lengths do not match the record"));
        }
        if be16(12) != 1 || be16(18) != 0 {
            return Err(bad("not one image without feature points"));
        }
        let image_type = match rec[35] {
            0 => ImageType::Jpeg,
            1 => ImageType::Jpeg2000,
            _ => return Err(bad("image data type is neither JPEG nor JPEG 2000")),
        };
        let image = rec[FACE_HEADER..].to_vec();
        let magic_ok = match image_type {
            ImageType::Jpeg => image.starts_with(&[0xFF, 0xD8]),
            ImageType::Jpeg2000 => {
                image.starts_with(&[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20])
                    || image.starts_with(&[0xFF, 0x4F, 0xFF, 0x51])
            }
        };
        if !magic_ok {
            return Err(bad("the image data do not start as their type says"));
        }
        Ok(Face {
            gender: rec[20],
            image_type,
            width: be16(36),
            height: be16(38),
            image,
        })
    }

    /// DG2: the biometric information group template with one biometric information template
    /// (part 10, 4.7.2), the header naming ISO/IEC JTC 1/SC 37's face format.
    pub fn encode_dg2(&self) -> Result<Vec<u8>, LdsError> {
        let mut header = Vec::new();
        tlv::push(&mut header, 0x80, &[0x01, 0x01])?; // ICAO header version 1.1
        tlv::push(&mut header, 0x81, &[0x02])?; // biometric type: facial features
        tlv::push(&mut header, 0x87, &[0x01, 0x01])?; // format owner: JTC 1/SC 37
        tlv::push(&mut header, 0x88, &[0x00, 0x08])?; // format type: 19794-5
        let mut bit = Vec::new();
        tlv::push(&mut bit, 0xA1, &header)?;
        tlv::push(&mut bit, 0x5F2E, &self.record()?)?;
        let mut group = Vec::new();
        tlv::push(&mut group, 0x02, &[1])?;
        tlv::push(&mut group, 0x7F60, &bit)?;
        Ok(tlv::encode(TAG_DG2, &tlv::encode(0x7F61, &group)?)?)
    }

    pub fn decode_dg2(file: &[u8]) -> Result<Face, LdsError> {
        let group = tlv::single(tlv::single(file, TAG_DG2)?, 0x7F61)?;
        let mut g = Reader::new(group);
        if g.take(0x02)? != [1] {
            return Err(field(
                "DG2",
                "not exactly one biometric information template",
            ));
        }
        let mut bit = Reader::new(g.take(0x7F60)?);
        g.finish()?;
        let mut h = Reader::new(bit.take(0xA1)?);
        if h.take(0x80)? != [1, 1]
            || h.take(0x81)? != [2]
            || h.take(0x87)? != [1, 1]
            || h.take(0x88)? != [0, 8]
        {
            return Err(field("DG2 biometric header", "not ICAO 1.1, face, 19794-5"));
        }
        h.finish()?;
        let face = Face::from_record(bit.take(0x5F2E)?)?;
        bit.finish()?;
        Ok(face)
    }
}

/// Checks free text for a DG11/DG12 field: UTF-8, 1–255 bytes, no control characters; when
/// `separator` is set, `<` is refused too, as it separates the parts of that field.
fn text(name: &'static str, s: &str, separator: bool) -> Result<(), LdsError> {
    if s.is_empty()
        || s.len() > 255
        || s.chars().any(char::is_control)
        || (separator && s.contains('<'))
    {
        return Err(field(
            name,
            "must be 1–255 bytes of text without control characters or <",
        ));
    }
    Ok(())
}

fn read_text(name: &'static str, v: &[u8], separator: bool) -> Result<String, LdsError> {
    let s = std::str::from_utf8(v).map_err(|_| field(name, "not UTF-8"))?;
    text(name, s, separator)?;
    Ok(s.to_string())
}

/// DG11, additional personal details (part 10, 4.7.11). Only the elements the KTP-el face
/// needs; each is optional and written when present, in the order of the tag list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dg11 {
    /// 5F0E full name, in national characters.
    pub full_name: Option<String>,
    /// 5F10 personal number (the NIK).
    pub personal_number: Option<String>,
    /// 5F2B full date of birth, `YYYYMMDD`.
    pub birth: Option<Date>,
    /// 5F11 place of birth.
    pub place_of_birth: Option<String>,
    /// 5F42 permanent address: its parts, written separated by `<` as part 10 says.
    pub address: Vec<String>,
    /// 5F13 profession.
    pub profession: Option<String>,
    /// 5F15 personal summary: free text.
    pub summary: Option<String>,
}

impl Dg11 {
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        let mut tags = Vec::new();
        let mut body = Vec::new();
        let mut put = |tag: u16, v: &[u8]| -> Result<(), TooLong> {
            tags.extend_from_slice(&tag.to_be_bytes());
            tlv::push(&mut body, tag, v)
        };
        if let Some(s) = &self.full_name {
            text("full name", s, false)?;
            put(0x5F0E, s.as_bytes())?;
        }
        if let Some(s) = &self.personal_number {
            text("personal number", s, false)?;
            put(0x5F10, s.as_bytes())?;
        }
        if let Some(d) = &self.birth {
            if !d.is_valid() {
                return Err(field("date of birth", "not a calendar date"));
            }
            put(0x5F2B, d.yyyymmdd().as_bytes())?;
        }
        if let Some(s) = &self.place_of_birth {
            text("place of birth", s, false)?;
            put(0x5F11, s.as_bytes())?;
        }
        if !self.address.is_empty() {
            for part in &self.address {
                text("address", part, true)?;
            }
            put(0x5F42, self.address.join("<").as_bytes())?;
        }
        if let Some(s) = &self.profession {
            text("profession", s, false)?;
            put(0x5F13, s.as_bytes())?;
        }
        if let Some(s) = &self.summary {
            text("personal summary", s, false)?;
            put(0x5F15, s.as_bytes())?;
        }
        let mut v = tlv::encode(0x5C, &tags)?;
        v.extend_from_slice(&body);
        Ok(tlv::encode(TAG_DG11, &v)?)
    }

    pub fn decode(file: &[u8]) -> Result<Dg11, LdsError> {
        let mut r = Reader::new(tlv::single(file, TAG_DG11)?);
        let list = r.take(0x5C)?;
        let mut d = Dg11::default();
        let mut listed = list.chunks(2);
        for tag in [0x5F0E, 0x5F10, 0x5F2B, 0x5F11, 0x5F42, 0x5F13, 0x5F15] {
            let Some(v) = r.take_if(tag)? else { continue };
            if listed.next() != Some(&tag.to_be_bytes()[..]) {
                return Err(field("DG11 tag list", "does not name the elements present"));
            }
            match tag {
                0x5F0E => d.full_name = Some(read_text("full name", v, false)?),
                0x5F10 => d.personal_number = Some(read_text("personal number", v, false)?),
                0x5F2B => {
                    d.birth = Some(
                        Date::parse_yyyymmdd(v).ok_or(field("date of birth", "not YYYYMMDD"))?,
                    )
                }
                0x5F11 => d.place_of_birth = Some(read_text("place of birth", v, false)?),
                0x5F42 => {
                    let s = std::str::from_utf8(v).map_err(|_| field("address", "not UTF-8"))?;
                    d.address = s
                        .split('<')
                        .map(|p| read_text("address", p.as_bytes(), true))
                        .collect::<Result<_, _>>()?;
                }
                0x5F13 => d.profession = Some(read_text("profession", v, false)?),
                _ => d.summary = Some(read_text("personal summary", v, false)?),
            }
        }
        if listed.next().is_some() {
            return Err(field(
                "DG11 tag list",
                "names elements that are not present",
            ));
        }
        r.finish()?;
        Ok(d)
    }
}

/// DG12, additional document details (part 10, 4.7.12).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dg12 {
    /// 5F19 issuing authority.
    pub issuing_authority: Option<String>,
    /// 5F26 date of issue, `YYYYMMDD`.
    pub date_of_issue: Option<Date>,
    /// 5F1B endorsements and observations.
    pub endorsements: Option<String>,
}

impl Dg12 {
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        let mut tags = Vec::new();
        let mut body = Vec::new();
        if let Some(s) = &self.issuing_authority {
            text("issuing authority", s, false)?;
            tags.extend_from_slice(&[0x5F, 0x19]);
            tlv::push(&mut body, 0x5F19, s.as_bytes())?;
        }
        if let Some(d) = &self.date_of_issue {
            if !d.is_valid() {
                return Err(field("date of issue", "not a calendar date"));
            }
            tags.extend_from_slice(&[0x5F, 0x26]);
            tlv::push(&mut body, 0x5F26, d.yyyymmdd().as_bytes())?;
        }
        if let Some(s) = &self.endorsements {
            text("endorsements", s, false)?;
            tags.extend_from_slice(&[0x5F, 0x1B]);
            tlv::push(&mut body, 0x5F1B, s.as_bytes())?;
        }
        let mut v = tlv::encode(0x5C, &tags)?;
        v.extend_from_slice(&body);
        Ok(tlv::encode(TAG_DG12, &v)?)
    }

    pub fn decode(file: &[u8]) -> Result<Dg12, LdsError> {
        let mut r = Reader::new(tlv::single(file, TAG_DG12)?);
        let list = r.take(0x5C)?;
        let mut d = Dg12::default();
        let mut listed = list.chunks(2);
        for tag in [0x5F19u16, 0x5F26, 0x5F1B] {
            let Some(v) = r.take_if(tag)? else { continue };
            if listed.next() != Some(&tag.to_be_bytes()[..]) {
                return Err(field("DG12 tag list", "does not name the elements present"));
            }
            match tag {
                0x5F19 => d.issuing_authority = Some(read_text("issuing authority", v, false)?),
                0x5F26 => {
                    d.date_of_issue = Some(
                        Date::parse_yyyymmdd(v).ok_or(field("date of issue", "not YYYYMMDD"))?,
                    )
                }
                _ => d.endorsements = Some(read_text("endorsements", v, false)?),
            }
        }
        if listed.next().is_some() {
            return Err(field(
                "DG12 tag list",
                "names elements that are not present",
            ));
        }
        r.finish()?;
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::mrz::{Sex, Td1};

    #[test]
    fn ef_com_carries_lds_0107_and_unicode_040000() {
        let com = Com::new(vec![0x61, 0x75, 0x6B, 0x6C]);
        let bytes = com.encode().unwrap();
        assert_eq!(
            bytes,
            [
                0x60, 0x16, 0x5F, 0x01, 0x04, b'0', b'1', b'0', b'7', 0x5F, 0x36, 0x06, b'0', b'4',
                b'0', b'0', b'0', b'0', 0x5C, 0x04, 0x61, 0x75, 0x6B, 0x6C
            ]
        );
        assert_eq!(Com::decode(&bytes).unwrap(), com);
    }

    #[test]
    fn dg1_wraps_the_mrz_and_refuses_a_bad_check_digit() {
        let td1 = Td1 {
            document_code: "ID".into(),
            issuing_state: "IDN".into(),
            document_number: "3275021506470020".into(),
            birth: Date {
                year: 1947,
                month: 6,
                day: 15,
            },
            sex: Sex::Male,
            expiry: None,
            nationality: "IDN".into(),
            optional2: String::new(),
            primary: "HADI SETIAWAN".into(),
            secondary: String::new(),
        };
        let dg1 = encode_dg1(&td1).unwrap();
        assert_eq!(&dg1[..5], &[0x61, 0x5D, 0x5F, 0x1F, 0x5A]);
        assert_eq!(decode_dg1(&dg1).unwrap(), td1.encode().unwrap());
        let mut bad = dg1.clone();
        bad[5 + 31] ^= 0x01; // a birth-date digit
        assert!(matches!(decode_dg1(&bad), Err(LdsError::Mrz(_))));
    }

    #[test]
    fn dg2_dg11_dg12_round_trip() {
        let face = Face {
            gender: 2,
            image_type: ImageType::Jpeg2000,
            width: 180,
            height: 240,
            image: [&[0xFF, 0x4F, 0xFF, 0x51][..], &[7; 100]].concat(),
        };
        let dg2 = face.encode_dg2().unwrap();
        assert_eq!(Face::decode_dg2(&dg2).unwrap(), face);

        let dg11 = Dg11 {
            full_name: Some("HADI SETIAWAN".into()),
            personal_number: Some("3275021506470020".into()),
            birth: Some(Date {
                year: 1947,
                month: 6,
                day: 15,
            }),
            place_of_birth: Some("BEKASI".into()),
            address: vec!["JL. MERDEKA 1".into(), "RT 007 / RW 007".into()],
            profession: Some("PETANI".into()),
            summary: Some("AGAMA: ISLAM".into()),
        };
        assert_eq!(Dg11::decode(&dg11.encode().unwrap()).unwrap(), dg11);
        let bad = Dg11 {
            address: vec!["A<B".into()],
            ..Dg11::default()
        };
        assert!(bad.encode().is_err());

        let dg12 = Dg12 {
            issuing_authority: Some("KOTA BEKASI".into()),
            date_of_issue: Some(Date {
                year: 2026,
                month: 12,
                day: 5,
            }),
            endorsements: Some("BERLAKU HINGGA: SEUMUR HIDUP".into()),
        };
        assert_eq!(Dg12::decode(&dg12.encode().unwrap()).unwrap(), dg12);
    }
}
