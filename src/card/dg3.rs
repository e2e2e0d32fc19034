//! DG3 (file 0103): the minutiae of two fingers, ISO/IEC 19794-2, and what happened to an index
//! finger that is not among them.
//!
//! ```text
//! 63 L                          DG3 template (ICAO's application tag 3)
//!    7F61 L                     biometric information group template
//!       02 01 n                 number of fingers: 0, 1 or 2
//!       7F60 L                  one per finger, ascending ISO finger code
//!          A1 L
//!             80 02 0101        ICAO header version 1.1
//!             81 01 08          biometric type: finger
//!             82 01 st          CBEFF subtype: the finger (09 right index, 0A left index ...)
//!             87 02 0101        format owner: ISO/IEC JTC 1/SC 37
//!             88 02 0002        format type: finger minutiae data (ISO/IEC 19794-2)
//!          5F2E L               an ISO/IEC 19794-2:2005 record with that finger's one view
//!    E1 06 80 01 pos 81 01 why  for each index finger not stored, ascending: its ISO code
//!                               (02 or 07) and why — 01 missing, 02 bandaged, 03 unusable
//!                               (all three as the operator recorded them), 04 captured but no
//!                               minutiae could be extracted
//! ```
//!
//! The fingers are the two index fingers; where one is absent the best other finger of the
//! same hand takes its place, and where a whole hand is absent the best remaining finger of the
//! other hand ([`ktpel_minutiae::choose_fingers`]).

use ktpel_hal::{FingerException, FingerPosition, FingerRecord};
use ktpel_minutiae::iso19794_2::{self, FingerView};
use ktpel_minutiae::Template;

use super::biometric::{decode_bigt, encode_bigt, encode_bit, FORMAT_FINGER_MINUTIAE, TYPE_FINGER};
use super::profile::{BuildError, ProfileError, DG3};
use super::reader::Reader;
use super::tlv;

pub const TAG_DG3: u32 = 0x63;
/// A finger exception (private class, constructed).
pub const TAG_EXCEPTION: u32 = 0xE1;
pub const TAG_EXCEPTION_FINGER: u32 = 0x80;
pub const TAG_EXCEPTION_REASON: u32 = 0x81;

/// The fingers the chip is meant to hold.
pub const INDEX_FINGERS: [FingerPosition; 2] =
    [FingerPosition::RightIndex, FingerPosition::LeftIndex];

/// Why an index finger is not on the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FingerGap {
    /// The operator recorded an exception.
    Exception(FingerException),
    /// Captured, but no minutiae could be extracted from the image.
    NoTemplate,
}

impl FingerGap {
    pub fn code(self) -> u8 {
        match self {
            FingerGap::Exception(FingerException::Missing) => 1,
            FingerGap::Exception(FingerException::Bandaged) => 2,
            FingerGap::Exception(FingerException::Unusable) => 3,
            FingerGap::NoTemplate => 4,
        }
    }

    pub fn from_code(code: u8) -> Option<FingerGap> {
        Some(match code {
            1 => FingerGap::Exception(FingerException::Missing),
            2 => FingerGap::Exception(FingerException::Bandaged),
            3 => FingerGap::Exception(FingerException::Unusable),
            4 => FingerGap::NoTemplate,
            _ => return None,
        })
    }
}

/// DG3 decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingers {
    /// The stored fingers, ascending ISO finger code.
    pub views: Vec<FingerView>,
    /// The index fingers not stored, and why.
    pub gaps: Vec<(FingerPosition, FingerGap)>,
}

impl Fingers {
    pub fn positions(&self) -> Vec<FingerPosition> {
        self.views.iter().map(|v| v.position).collect()
    }
}

/// The CBEFF finger subtype of `p`: bits 0–1 the hand (01 right, 10 left), bits 2–4 the finger
/// (1 thumb … 5 little).
pub fn cbeff_subtype(p: FingerPosition) -> u8 {
    let code = p.iso_code();
    let (hand, finger) = if code <= 5 { (1, code) } else { (2, code - 5) };
    hand | finger << 2
}

/// The fingers for the chip from an enrollment's finger records.
pub fn choose(records: &[FingerRecord]) -> Fingers {
    let _span = tracing::info_span!("card.dg3.choose").entered();
    let extract = |p: FingerPosition| -> Option<Template> {
        records.iter().find_map(|r| match r {
            FingerRecord::Captured(c) if c.position == p => {
                match ktpel_minutiae::extract(&c.image, c.resolution_ppi) {
                    Ok(t) if !t.minutiae.is_empty() => Some(t),
                    Ok(_) => None,
                    Err(e) => {
                        tracing::info!(finger = p.as_str(), error = %e, "no template");
                        None
                    }
                }
            }
            _ => None,
        })
    };
    let mut candidates: Vec<(FingerPosition, Template)> = INDEX_FINGERS
        .iter()
        .filter_map(|&p| extract(p).map(|t| (p, t)))
        .collect();
    if candidates.len() < INDEX_FINGERS.len() {
        // An index finger is out: every other finger competes for its place.
        for p in FingerPosition::ALL {
            if !INDEX_FINGERS.contains(&p) {
                if let Some(t) = extract(p) {
                    candidates.push((p, t));
                }
            }
        }
    }
    let mut views = ktpel_minutiae::choose_fingers(&candidates);
    views.sort_by_key(|v| v.position.iso_code());
    let gaps = INDEX_FINGERS
        .iter()
        .filter(|p| !views.iter().any(|v| v.position == **p))
        .map(|&p| {
            let gap = records
                .iter()
                .find_map(|r| match r {
                    FingerRecord::Exception {
                        position,
                        exception,
                    } if *position == p => Some(FingerGap::Exception(*exception)),
                    _ => None,
                })
                .unwrap_or(FingerGap::NoTemplate);
            (p, gap)
        })
        .collect();
    Fingers { views, gaps }
}

/// Encodes DG3.
pub fn encode(f: &Fingers) -> Result<Vec<u8>, BuildError> {
    let mut bits = Vec::with_capacity(f.views.len());
    for view in &f.views {
        let record = iso19794_2::encode(
            std::slice::from_ref(view),
            iso19794_2::CHIP_MAX_MINUTIAE_PER_VIEW,
        )
        .map_err(|e| BuildError::Field {
            field: "finger minutiae",
            reason: e.to_string(),
        })?;
        bits.push(encode_bit(
            TYPE_FINGER,
            Some(cbeff_subtype(view.position)),
            FORMAT_FINGER_MINUTIAE,
            &record,
        )?);
    }
    let mut body = encode_bigt(&bits)?;
    for (p, gap) in &f.gaps {
        let mut e = Vec::with_capacity(6);
        tlv::push(&mut e, TAG_EXCEPTION_FINGER, &[p.iso_code()])?;
        tlv::push(&mut e, TAG_EXCEPTION_REASON, &[gap.code()])?;
        tlv::push(&mut body, TAG_EXCEPTION, &e)?;
    }
    Ok(tlv::encode(TAG_DG3, &body)?)
}

/// Decodes DG3.
pub fn decode(bytes: &[u8]) -> Result<Fingers, ProfileError> {
    let bad = |field: &'static str, reason: String| ProfileError::BadField {
        fid: DG3,
        field,
        reason,
    };
    let mut file = Reader::new(DG3, bytes, 0)?;
    let outer = file.take(TAG_DG3)?;
    file.finish()?;
    let mut dg = file.nested(outer)?;
    let bigt = dg.take(super::biometric::TAG_BIGT)?;
    let bits = decode_bigt(&dg, bigt, DG3, TYPE_FINGER, FORMAT_FINGER_MINUTIAE)?;
    if bits.len() > 2 {
        return Err(bad(
            "number of instances",
            format!("{} fingers, the profile holds two", bits.len()),
        ));
    }
    let mut views: Vec<FingerView> = Vec::with_capacity(bits.len());
    for bit in bits {
        let mut record =
            iso19794_2::decode(bit.block).map_err(|e| bad("finger minutiae", e.to_string()))?;
        let view = match (record.pop(), record.is_empty()) {
            (Some(v), true) => v,
            _ => {
                return Err(bad(
                    "finger minutiae",
                    "a record must hold exactly one view".into(),
                ))
            }
        };
        if bit.subtype != Some(cbeff_subtype(view.position)) {
            return Err(bad(
                "biometric subtype",
                "does not name the finger of its record".into(),
            ));
        }
        if views
            .last()
            .is_some_and(|prev| prev.position.iso_code() >= view.position.iso_code())
        {
            return Err(bad("fingers", "out of order or repeated".into()));
        }
        views.push(view);
    }
    let mut gaps: Vec<(FingerPosition, FingerGap)> = Vec::new();
    while dg.peek_tag().is_some() {
        let e = dg.take(TAG_EXCEPTION)?;
        let mut inner = dg.nested(e)?;
        let p = inner.take(TAG_EXCEPTION_FINGER)?;
        let why = inner.take(TAG_EXCEPTION_REASON)?;
        inner.finish()?;
        let p = match p.value {
            [c] => FingerPosition::from_iso_code(*c)
                .filter(|p| INDEX_FINGERS.contains(p))
                .ok_or_else(|| {
                    bad(
                        "finger exception",
                        format!("finger code {c} is not an index finger"),
                    )
                })?,
            _ => return Err(bad("finger exception", "finger code not one byte".into())),
        };
        let gap = match why.value {
            [c] => FingerGap::from_code(*c)
                .ok_or_else(|| bad("finger exception", format!("reason {c} is not defined")))?,
            _ => return Err(bad("finger exception", "reason not one byte".into())),
        };
        if gaps
            .last()
            .is_some_and(|(prev, _)| prev.iso_code() >= p.iso_code())
            || views.iter().any(|v| v.position == p)
        {
            return Err(bad(
                "finger exception",
                "repeated, out of order or for a stored finger".into(),
            ));
        }
        gaps.push((p, gap));
    }
    Ok(Fingers { views, gaps })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use ktpel_hal::{FingerCapture, Quality};

    fn capture(subject: u64, p: FingerPosition) -> FingerRecord {
        FingerRecord::Captured(FingerCapture {
            position: p,
            image: ktpel_sim::finger::render_finger(subject, p),
            resolution_ppi: 500,
            quality: Quality(80),
        })
    }

    #[test]
    fn subtypes_follow_cbeff() {
        assert_eq!(cbeff_subtype(FingerPosition::RightIndex), 0x09);
        assert_eq!(cbeff_subtype(FingerPosition::LeftIndex), 0x0A);
        assert_eq!(cbeff_subtype(FingerPosition::RightThumb), 0x05);
        assert_eq!(cbeff_subtype(FingerPosition::LeftLittle), 0x16);
    }

    #[test]
    fn both_index_fingers_round_trip() {
        let records: Vec<FingerRecord> =
            FingerPosition::ALL.iter().map(|&p| capture(5, p)).collect();
        let f = choose(&records);
        assert_eq!(f.positions(), INDEX_FINGERS);
        assert!(f.gaps.is_empty());
        let bytes = encode(&f).unwrap();
        assert_eq!(&bytes[..1], &[0x63]);
        let back = decode(&bytes).unwrap();
        assert_eq!(back.positions(), INDEX_FINGERS);
        for (a, b) in back.views.iter().zip(&f.views) {
            assert!(a.template.minutiae.len() <= iso19794_2::CHIP_MAX_MINUTIAE_PER_VIEW);
            assert!(!a.template.minutiae.is_empty());
            assert_eq!(
                (a.template.width, a.template.height),
                (b.template.width, b.template.height)
            );
        }
    }

    #[test]
    fn a_missing_index_finger_is_recorded_and_replaced_from_its_hand() {
        let records: Vec<FingerRecord> = FingerPosition::ALL
            .iter()
            .map(|&p| {
                if p == FingerPosition::LeftIndex {
                    FingerRecord::Exception {
                        position: p,
                        exception: FingerException::Missing,
                    }
                } else {
                    capture(6, p)
                }
            })
            .collect();
        let f = choose(&records);
        assert_eq!(f.views.len(), 2);
        assert_eq!(f.views[0].position, FingerPosition::RightIndex);
        assert!(f.views[1].position.iso_code() > 5, "{:?}", f.positions());
        assert_eq!(
            f.gaps,
            [(
                FingerPosition::LeftIndex,
                FingerGap::Exception(FingerException::Missing)
            )]
        );
        let bytes = encode(&f).unwrap();
        // E1 06 80 01 07 81 01 01 at the end.
        assert_eq!(
            &bytes[bytes.len() - 8..],
            &[0xE1, 0x06, 0x80, 0x01, 0x07, 0x81, 0x01, 0x01]
        );
        let back = decode(&bytes).unwrap();
        assert_eq!(back.gaps, f.gaps);
        assert_eq!(back.positions(), f.positions());
    }

    #[test]
    fn no_fingers_at_all_still_says_why() {
        let records: Vec<FingerRecord> = FingerPosition::ALL
            .iter()
            .map(|&p| FingerRecord::Exception {
                position: p,
                exception: FingerException::Bandaged,
            })
            .collect();
        let f = choose(&records);
        assert!(f.views.is_empty());
        let bytes = encode(&f).unwrap();
        let back = decode(&bytes).unwrap();
        assert_eq!(back.gaps.len(), 2);
        assert!(back.views.is_empty());
        // A gap for a finger that is stored is refused.
        let mut body = encode_bigt(&[]).unwrap();
        tlv::push(
            &mut body,
            TAG_EXCEPTION,
            &[0x80, 0x01, 0x05, 0x81, 0x01, 0x01],
        )
        .unwrap();
        let bad = tlv::encode(TAG_DG3, &body).unwrap();
        assert!(matches!(
            decode(&bad),
            Err(ProfileError::BadField {
                field: "finger exception",
                ..
            })
        ));
    }
}
