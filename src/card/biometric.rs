//! The biometric data groups' wrappers: ICAO 9303-10 biometric information templates for the
//! face (DG2), and the displayed-signature template (DG7).
//!
//! ```text
//! 75 L                         DG2
//!    7F61 L                    biometric information group template
//!       02 01 01               number of instances: 1
//!       7F60 L                 biometric information template
//!          A1 L                biometric header template
//!             80 02 0101       ICAO header version 1.1
//!             81 01 02         biometric type: facial features
//!             87 02 0101       format owner: ISO/IEC JTC 1/SC 37
//!             88 02 0008       format type: face image data (ISO/IEC 19794-5)
//!          5F2E L              biometric data block: an ISO/IEC 19794-5:2005 record
//!
//! 67 L                         DG7
//!    02 01 01                  number of images: 1
//!    5F43 L                    the displayed signature (here a 1-bit PNG)
//! ```
//!
//! The ISO/IEC 19794-5 record is the 2005 layout with one image and no feature points: a 14-byte
//! record header ("FAC\0", "010\0", record length, image count), a 20-byte facial information
//! block (block length, 0 feature points, gender, eye/hair colour, property mask, expression,
//! pose and its uncertainty — all "unspecified" but gender), a 12-byte image information block
//! (type basic, data type JPEG, width, height, colour space RGB, source digital still camera,
//! device 0, quality unspecified), then the JPEG.

use super::images::{jpeg_size, png_size};
use super::profile::{BuildError, ProfileError, DG2, DG7};
use super::reader::Reader;
use super::tlv;
use crate::domain::nik::Sex;

pub const TAG_DG2: u32 = 0x75;
pub const TAG_DG7: u32 = 0x67;
pub const TAG_BIGT: u32 = 0x7F61;
pub const TAG_BIT: u32 = 0x7F60;
pub const TAG_BHT: u32 = 0xA1;
pub const TAG_BDB: u32 = 0x5F2E;
pub const TAG_COUNT: u32 = 0x02;
pub const TAG_SIGNATURE_IMAGE: u32 = 0x5F43;
pub const TAG_HEADER_VERSION: u32 = 0x80;
pub const TAG_BIOMETRIC_TYPE: u32 = 0x81;
pub const TAG_BIOMETRIC_SUBTYPE: u32 = 0x82;
pub const TAG_FORMAT_OWNER: u32 = 0x87;
pub const TAG_FORMAT_TYPE: u32 = 0x88;

pub const HEADER_VERSION: [u8; 2] = [0x01, 0x01];
/// CBEFF biometric type of the face.
pub const TYPE_FACE: u8 = 0x02;
/// CBEFF biometric type of the fingers.
pub const TYPE_FINGER: u8 = 0x08;
/// CBEFF format owner ISO/IEC JTC 1/SC 37.
pub const FORMAT_OWNER_SC37: [u8; 2] = [0x01, 0x01];
/// SC 37 format type of ISO/IEC 19794-5 face image data.
pub const FORMAT_FACE_IMAGE: [u8; 2] = [0x00, 0x08];
/// SC 37 format type of ISO/IEC 19794-2 finger minutiae data.
pub const FORMAT_FINGER_MINUTIAE: [u8; 2] = [0x00, 0x02];

const FAC_HEADER_LEN: usize = 14;
const FACIAL_INFO_LEN: usize = 20;
const IMAGE_INFO_LEN: usize = 12;
/// Format identifier "FAC\0" and version "010\0" of an ISO/IEC 19794-5:2005 record.
pub const FACE_RECORD_MAGIC: [u8; 8] = *b"FAC\x00010\x00";
/// Bytes of the ISO/IEC 19794-5 record before the JPEG.
pub const FACE_RECORD_OVERHEAD: usize = FAC_HEADER_LEN + FACIAL_INFO_LEN + IMAGE_INFO_LEN;

/// The portrait as DG2 carries it.
#[derive(Clone, PartialEq, Eq)]
pub struct Portrait {
    pub jpeg: Vec<u8>,
    pub width: u16,
    pub height: u16,
    /// The gender field of the face record (`None`: unspecified).
    pub sex: Option<Sex>,
}

impl std::fmt::Debug for Portrait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Portrait({}×{}, {} bytes)",
            self.width,
            self.height,
            self.jpeg.len()
        )
    }
}

/// The displayed signature as DG7 carries it.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureImage {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for SignatureImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SignatureImage({}×{}, {} bytes)",
            self.width,
            self.height,
            self.png.len()
        )
    }
}

/// One biometric information template: the header's (type, subtype) and the data block.
pub(crate) struct Bit<'a> {
    pub subtype: Option<u8>,
    pub block: &'a [u8],
}

/// Encodes a biometric information template (7F60) of CBEFF `kind`, `subtype` and SC 37
/// `format`, around `block`.
pub(crate) fn encode_bit(
    kind: u8,
    subtype: Option<u8>,
    format: [u8; 2],
    block: &[u8],
) -> Result<Vec<u8>, BuildError> {
    let mut header = Vec::with_capacity(20);
    tlv::push(&mut header, TAG_HEADER_VERSION, &HEADER_VERSION)?;
    tlv::push(&mut header, TAG_BIOMETRIC_TYPE, &[kind])?;
    if let Some(s) = subtype {
        tlv::push(&mut header, TAG_BIOMETRIC_SUBTYPE, &[s])?;
    }
    tlv::push(&mut header, TAG_FORMAT_OWNER, &FORMAT_OWNER_SC37)?;
    tlv::push(&mut header, TAG_FORMAT_TYPE, &format)?;
    let mut bit = Vec::with_capacity(block.len() + 32);
    tlv::push(&mut bit, TAG_BHT, &header)?;
    tlv::push(&mut bit, TAG_BDB, block)?;
    Ok(tlv::encode(TAG_BIT, &bit)?)
}

/// Encodes a biometric information group template (7F61) holding `bits`.
pub(crate) fn encode_bigt(bits: &[Vec<u8>]) -> Result<Vec<u8>, BuildError> {
    let count = u8::try_from(bits.len()).map_err(|_| BuildError::Field {
        field: "biometric instances",
        reason: "more than 255".into(),
    })?;
    let mut group = Vec::new();
    tlv::push(&mut group, TAG_COUNT, &[count])?;
    for b in bits {
        group.extend_from_slice(b);
    }
    Ok(tlv::encode(TAG_BIGT, &group)?)
}

/// Decodes the biometric information group template `bigt` (taken from `parent`): checks every
/// header against CBEFF `kind` and SC 37 `format` and answers the templates.
pub(crate) fn decode_bigt<'a>(
    parent: &Reader<'a>,
    bigt: tlv::Tlv<'a>,
    fid: u16,
    kind: u8,
    format: [u8; 2],
) -> Result<Vec<Bit<'a>>, ProfileError> {
    let mut group = parent.nested(bigt)?;
    let count = group.take(TAG_COUNT)?;
    let [count] = count.value else {
        return Err(ProfileError::BadField {
            fid,
            field: "number of instances",
            reason: format!("{} bytes where one is expected", count.value.len()),
        });
    };
    let mut bits = Vec::with_capacity(usize::from(*count));
    for _ in 0..*count {
        let bit = group.take(TAG_BIT)?;
        let mut inner = group.nested(bit)?;
        let header = inner.take(TAG_BHT)?;
        let block = inner.take(TAG_BDB)?;
        inner.finish()?;
        let mut h = inner.nested(header)?;
        let bad =
            |field: &'static str, reason: String| ProfileError::BadField { fid, field, reason };
        if h.take(TAG_HEADER_VERSION)?.value != HEADER_VERSION {
            return Err(bad("header version", "not 1.1".into()));
        }
        if h.take(TAG_BIOMETRIC_TYPE)?.value != [kind] {
            return Err(bad("biometric type", format!("not {kind:02X}")));
        }
        let subtype = match h.take_if(TAG_BIOMETRIC_SUBTYPE) {
            None => None,
            Some(t) => match t.value {
                [s] => Some(*s),
                _ => return Err(bad("biometric subtype", "not one byte".into())),
            },
        };
        if h.take(TAG_FORMAT_OWNER)?.value != FORMAT_OWNER_SC37 {
            return Err(bad("format owner", "not ISO/IEC JTC 1/SC 37".into()));
        }
        if h.take(TAG_FORMAT_TYPE)?.value != format {
            return Err(bad(
                "format type",
                format!("not {:02X}{:02X}", format[0], format[1]),
            ));
        }
        h.finish()?;
        bits.push(Bit {
            subtype,
            block: block.value,
        });
    }
    group.finish()?;
    Ok(bits)
}

fn gender_code(sex: Option<Sex>) -> u8 {
    match sex {
        None => 0x00,
        Some(Sex::Male) => 0x01,
        Some(Sex::Female) => 0x02,
    }
}

/// The ISO/IEC 19794-5 record around `jpeg` (`width` × `height`).
pub fn face_record(jpeg: &[u8], width: u16, height: u16, sex: Option<Sex>) -> Vec<u8> {
    let total = (FACE_RECORD_OVERHEAD + jpeg.len()) as u32;
    let block = (FACIAL_INFO_LEN + IMAGE_INFO_LEN + jpeg.len()) as u32;
    let mut r = Vec::with_capacity(total as usize);
    r.extend_from_slice(&FACE_RECORD_MAGIC);
    r.extend_from_slice(&total.to_be_bytes());
    r.extend_from_slice(&1u16.to_be_bytes()); // one facial image
    r.extend_from_slice(&block.to_be_bytes());
    r.extend_from_slice(&0u16.to_be_bytes()); // no feature points
    r.push(gender_code(sex));
    r.push(0); // eye colour unspecified
    r.push(0); // hair colour unspecified
    r.extend_from_slice(&[0, 0, 0]); // property mask: none specified
    r.extend_from_slice(&[0, 0]); // expression unspecified
    r.extend_from_slice(&[0, 0, 0]); // pose angles unspecified
    r.extend_from_slice(&[0, 0, 0]); // pose angle uncertainty
    r.push(0); // face image type: basic
    r.push(0); // image data type: JPEG
    r.extend_from_slice(&width.to_be_bytes());
    r.extend_from_slice(&height.to_be_bytes());
    r.push(1); // colour space: 24-bit RGB
    r.push(2); // source: digital still camera
    r.extend_from_slice(&[0, 0]); // device type unspecified
    r.extend_from_slice(&[0, 0]); // quality unspecified
    r.extend_from_slice(jpeg);
    r
}

/// Encodes DG2 around the portrait `jpeg` (`width` × `height`).
pub fn encode_dg2(
    jpeg: &[u8],
    width: u16,
    height: u16,
    sex: Option<Sex>,
) -> Result<Vec<u8>, BuildError> {
    let record = face_record(jpeg, width, height, sex);
    let bit = encode_bit(TYPE_FACE, None, FORMAT_FACE_IMAGE, &record)?;
    let bigt = encode_bigt(&[bit])?;
    Ok(tlv::encode(TAG_DG2, &bigt)?)
}

/// Bytes DG2 takes around a `jpeg_len`-byte JPEG.
pub fn dg2_len(jpeg_len: usize) -> usize {
    let record = FACE_RECORD_OVERHEAD + jpeg_len;
    let header = 4 + 3 + 4 + 4; // 80, 81, 87, 88
    let bit = tlv::encoded_len(TAG_BHT, header) + tlv::encoded_len(TAG_BDB, record);
    let bigt = 3 + tlv::encoded_len(TAG_BIT, bit);
    tlv::encoded_len(TAG_DG2, tlv::encoded_len(TAG_BIGT, bigt))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

/// Decodes DG2.
pub fn decode_dg2(bytes: &[u8]) -> Result<Portrait, ProfileError> {
    let mut file = Reader::new(DG2, bytes, 0)?;
    let outer = file.take(TAG_DG2)?;
    file.finish()?;
    let mut dg = file.nested(outer)?;
    let bigt = dg.take(TAG_BIGT)?;
    dg.finish()?;
    let bits = decode_bigt(&dg, bigt, DG2, TYPE_FACE, FORMAT_FACE_IMAGE)?;
    let [bit] = bits.as_slice() else {
        return Err(ProfileError::BadField {
            fid: DG2,
            field: "number of instances",
            reason: format!("{} portraits where the profile has one", bits.len()),
        });
    };
    decode_face_record(bit.block)
}

fn decode_face_record(r: &[u8]) -> Result<Portrait, ProfileError> {
    let bad = |field: &'static str, reason: String| ProfileError::BadField {
        fid: DG2,
        field,
        reason,
    };
    if r.len() < FACE_RECORD_OVERHEAD {
        return Err(bad(
            "face record",
            format!("{} bytes, shorter than its headers", r.len()),
        ));
    }
    if r[0..8] != FACE_RECORD_MAGIC {
        return Err(bad(
            "face record",
            "not an ISO/IEC 19794-5:2005 record".into(),
        ));
    }
    let total = be32(r, 8).unwrap_or(0) as usize;
    if total != r.len() {
        return Err(bad(
            "record length",
            format!("says {total}, holds {}", r.len()),
        ));
    }
    if be16(r, 12) != Some(1) {
        return Err(bad("number of facial images", "not 1".into()));
    }
    let block = be32(r, 14).unwrap_or(0) as usize;
    if block != r.len() - FAC_HEADER_LEN {
        return Err(bad("facial record data length", format!("says {block}")));
    }
    if be16(r, 18) != Some(0) {
        return Err(bad("feature points", "this profile stores none".into()));
    }
    let sex = match r[20] {
        0x00 | 0xFF => None,
        0x01 => Some(Sex::Male),
        0x02 => Some(Sex::Female),
        other => return Err(bad("gender", format!("code {other:02X}"))),
    };
    let info = FAC_HEADER_LEN + FACIAL_INFO_LEN;
    if r[info + 1] != 0 {
        return Err(bad("image data type", "not JPEG".into()));
    }
    let width = be16(r, info + 2).unwrap_or(0);
    let height = be16(r, info + 4).unwrap_or(0);
    let jpeg = &r[FACE_RECORD_OVERHEAD..];
    match jpeg_size(jpeg) {
        None => Err(bad("portrait", "not a readable JPEG".into())),
        Some((w, h)) if (w, h) != (u32::from(width), u32::from(height)) => Err(bad(
            "portrait",
            format!("the JPEG is {w}×{h}, the header says {width}×{height}"),
        )),
        Some(_) => Ok(Portrait {
            jpeg: jpeg.to_vec(),
            width,
            height,
            sex,
        }),
    }
}

/// Encodes DG7 around the signature `png`.
pub fn encode_dg7(png: &[u8]) -> Result<Vec<u8>, BuildError> {
    let mut body = Vec::with_capacity(png.len() + 8);
    tlv::push(&mut body, TAG_COUNT, &[1])?;
    tlv::push(&mut body, TAG_SIGNATURE_IMAGE, png)?;
    Ok(tlv::encode(TAG_DG7, &body)?)
}

/// Decodes DG7.
pub fn decode_dg7(bytes: &[u8]) -> Result<SignatureImage, ProfileError> {
    let mut file = Reader::new(DG7, bytes, 0)?;
    let outer = file.take(TAG_DG7)?;
    file.finish()?;
    let mut dg = file.nested(outer)?;
    let count = dg.take(TAG_COUNT)?;
    if count.value != [1] {
        return Err(ProfileError::BadField {
            fid: DG7,
            field: "number of images",
            reason: "not 1".into(),
        });
    }
    let image = dg.take(TAG_SIGNATURE_IMAGE)?;
    dg.finish()?;
    let (width, height) = png_size(image.value).ok_or(ProfileError::BadField {
        fid: DG7,
        field: "signature",
        reason: "not a readable PNG".into(),
    })?;
    Ok(SignatureImage {
        png: image.value.to_vec(),
        width,
        height,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::card::images::encode_jpeg;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 3) as u8, (y * 2) as u8, 90]));
        encode_jpeg(&img, 60).unwrap()
    }

    #[test]
    fn dg2_round_trips_with_the_documented_header() {
        let j = jpeg(180, 240);
        let bytes = encode_dg2(&j, 180, 240, Some(Sex::Female)).unwrap();
        assert_eq!(bytes.len(), dg2_len(j.len()));
        // 75 82 .. 7F61 82 .. 02 01 01 7F60 82 .. A1 0F 80 02 01 01 81 01 02 87 02 01 01 88 02 00 08
        let header = [
            0xA1, 0x0F, 0x80, 0x02, 0x01, 0x01, 0x81, 0x01, 0x02, 0x87, 0x02, 0x01, 0x01, 0x88,
            0x02, 0x00, 0x08,
        ];
        assert!(bytes.windows(header.len()).any(|w| w == header));
        let at = bytes
            .windows(8)
            .position(|w| w == FACE_RECORD_MAGIC)
            .unwrap();
        assert_eq!(&bytes[at - 5..at - 2], &[0x5F, 0x2E, 0x82]);
        let p = decode_dg2(&bytes).unwrap();
        assert_eq!((p.width, p.height, p.sex), (180, 240, Some(Sex::Female)));
        assert_eq!(p.jpeg, j);
    }

    #[test]
    fn dg2_header_lies_are_caught() {
        let j = jpeg(180, 240);
        let bytes = encode_dg2(&j, 150, 240, None).unwrap();
        match decode_dg2(&bytes) {
            Err(ProfileError::BadField { field, reason, .. }) => {
                assert_eq!(field, "portrait");
                assert!(reason.contains("180×240"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let mut bytes = encode_dg2(&j, 180, 240, None).unwrap();
        let at = bytes
            .windows(8)
            .position(|w| w == FACE_RECORD_MAGIC)
            .unwrap();
        bytes[at + 11] ^= 1; // record length
        assert!(matches!(
            decode_dg2(&bytes),
            Err(ProfileError::BadField {
                field: "record length",
                ..
            })
        ));
        let mut bytes = encode_dg2(&j, 180, 240, None).unwrap();
        let at = bytes
            .windows(3)
            .position(|w| w == [0x81, 0x01, 0x02])
            .unwrap();
        bytes[at + 2] = TYPE_FINGER;
        assert!(matches!(
            decode_dg2(&bytes),
            Err(ProfileError::BadField {
                field: "biometric type",
                ..
            })
        ));
    }

    #[test]
    fn dg7_round_trips_and_wants_a_png() {
        let img = image::GrayImage::from_fn(40, 12, |x, _| {
            image::Luma([if x % 3 == 0 { 0 } else { 255 }])
        });
        let png = crate::card::images::encode_png_1bit(&img).unwrap();
        let bytes = encode_dg7(&png).unwrap();
        assert_eq!(&bytes[2..5], &[0x02, 0x01, 0x01]);
        let s = decode_dg7(&bytes).unwrap();
        assert_eq!((s.width, s.height, s.png), (40, 12, png));
        let junk = encode_dg7(b"GIF89a").unwrap();
        assert!(matches!(
            decode_dg7(&junk),
            Err(ProfileError::BadField {
                field: "signature",
                ..
            })
        ));
    }
}
