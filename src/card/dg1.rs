//! DG1 (file 0101): the holder's data printed on the face of the KTP-el, in card order.
//!
//! ```text
//! 61 L                 DG1 template (ICAO's application tag 1)
//!    5F10 NIK          16 ASCII digits            (ICAO DG11 "personal number")
//!    5F0E Nama         UTF-8                      (ICAO DG11 "full name")
//!    5F11 Tempat lahir UTF-8                      (ICAO DG11 "place of birth")
//!    5F2B Tgl lahir    8 ASCII digits YYYYMMDD    (ICAO DG11 "date of birth")
//!    5F35 Jenis kelamin 'M' or 'F'                (ISO/IEC 7816-6 "sex", ICAO letters)
//!    80 Gol. darah     "A" "B" "AB" "O" or "-"
//!    81 Alamat         UTF-8 (street)
//!    82 RT             3 ASCII digits
//!    83 RW             3 ASCII digits
//!    84 Kel/Desa       UTF-8
//!    85 Kecamatan      UTF-8
//!    86 Kabupaten/Kota UTF-8, as on the card header
//!    87 Provinsi       UTF-8, without "PROVINSI"
//!    88 Agama          UTF-8, the card label (e.g. "ISLAM")
//!    89 Status perkawinan UTF-8, the card label (e.g. "BELUM KAWIN")
//!    5F13 Pekerjaan    UTF-8                      (ICAO DG11 "profession")
//!    8A Kewarganegaraan UTF-8 ("WNI")
//!    8B Berlaku hingga UTF-8 ("SEUMUR HIDUP")
//! ```
//!
//! Every object is present exactly once and in this order; text is at most
//! [`MAX_TEXT_BYTES`] bytes of UTF-8 without control characters.

use jiff::civil::Date;

use super::profile::{BuildError, ProfileError, DG1};
use super::reader::Reader;
use super::tlv;
use crate::domain::nik::Sex;
use crate::domain::resident::{BloodType, MaritalStatus, Religion, Resident};

pub const TAG_DG1: u32 = 0x61;
pub const TAG_NIK: u32 = 0x5F10;
pub const TAG_NAME: u32 = 0x5F0E;
pub const TAG_BIRTH_PLACE: u32 = 0x5F11;
pub const TAG_BIRTH_DATE: u32 = 0x5F2B;
pub const TAG_SEX: u32 = 0x5F35;
pub const TAG_BLOOD_TYPE: u32 = 0x80;
pub const TAG_ADDRESS: u32 = 0x81;
pub const TAG_RT: u32 = 0x82;
pub const TAG_RW: u32 = 0x83;
pub const TAG_KELURAHAN: u32 = 0x84;
pub const TAG_KECAMATAN: u32 = 0x85;
pub const TAG_KABUPATEN: u32 = 0x86;
pub const TAG_PROVINSI: u32 = 0x87;
pub const TAG_RELIGION: u32 = 0x88;
pub const TAG_MARITAL_STATUS: u32 = 0x89;
pub const TAG_OCCUPATION: u32 = 0x5F13;
pub const TAG_NATIONALITY: u32 = 0x8A;
pub const TAG_VALID_UNTIL: u32 = 0x8B;

/// The longest text field DG1 holds, in bytes of UTF-8.
pub const MAX_TEXT_BYTES: usize = 120;

/// The holder's data as DG1 carries it.
///
/// `Debug` shows nothing personal.
#[derive(Clone, PartialEq, Eq)]
pub struct Holder {
    /// NIK, 16 digits (kept as text: the century of its birth year is in `birth_date`).
    pub nik: String,
    pub name: String,
    pub birth_place: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub blood_type: BloodType,
    pub address: String,
    pub rt: String,
    pub rw: String,
    pub kelurahan: String,
    pub kecamatan: String,
    pub kabupaten: String,
    pub provinsi: String,
    pub religion: Religion,
    pub marital_status: MaritalStatus,
    pub occupation: String,
    pub nationality: String,
    pub valid_until: String,
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Holder(..)")
    }
}

impl Holder {
    /// The face fields of `r`.
    pub fn from_resident(r: &Resident) -> Holder {
        Holder {
            nik: r.nik.as_str().to_owned(),
            name: r.name.clone(),
            birth_place: r.birth_place.clone(),
            birth_date: r.birth_date,
            sex: r.sex,
            blood_type: r.blood_type,
            address: r.address.clone(),
            rt: r.rt.clone(),
            rw: r.rw.clone(),
            kelurahan: r.kelurahan.clone(),
            kecamatan: r.kecamatan.clone(),
            kabupaten: r.kabupaten.clone(),
            provinsi: r.provinsi.clone(),
            religion: r.religion,
            marital_status: r.marital_status,
            occupation: r.occupation.clone(),
            nationality: r.nationality.clone(),
            valid_until: r.valid_until.clone(),
        }
    }

    fn texts(&self) -> [(u32, &'static str, &str); 12] {
        [
            (TAG_NAME, "name", &self.name),
            (TAG_BIRTH_PLACE, "birth place", &self.birth_place),
            (TAG_ADDRESS, "address", &self.address),
            (TAG_KELURAHAN, "kelurahan", &self.kelurahan),
            (TAG_KECAMATAN, "kecamatan", &self.kecamatan),
            (TAG_KABUPATEN, "kabupaten", &self.kabupaten),
            (TAG_PROVINSI, "provinsi", &self.provinsi),
            (TAG_OCCUPATION, "occupation", &self.occupation),
            (TAG_NATIONALITY, "nationality", &self.nationality),
            (TAG_VALID_UNTIL, "valid until", &self.valid_until),
            (TAG_RELIGION, "religion", self.religion.ktp_label()),
            (
                TAG_MARITAL_STATUS,
                "marital status",
                self.marital_status.ktp_label(),
            ),
        ]
    }
}

fn sex_code(sex: Sex) -> u8 {
    match sex {
        Sex::Male => b'M',
        Sex::Female => b'F',
    }
}

fn date_digits(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn text_problem(s: &str) -> Option<String> {
    if s.len() > MAX_TEXT_BYTES {
        Some(format!("{} bytes, over {MAX_TEXT_BYTES}", s.len()))
    } else if s.is_empty() {
        Some("empty".into())
    } else if s.chars().any(char::is_control) {
        Some("contains a control character".into())
    } else {
        None
    }
}

fn digits_problem(s: &str, n: usize) -> Option<String> {
    if s.len() == n && s.bytes().all(|b| b.is_ascii_digit()) {
        None
    } else {
        Some(format!("not {n} digits"))
    }
}

/// Encodes DG1 for `h`.
pub fn encode(h: &Holder) -> Result<Vec<u8>, BuildError> {
    let bad = |field: &'static str, reason: String| BuildError::Field { field, reason };
    if let Some(r) = digits_problem(&h.nik, 16) {
        return Err(bad("NIK", r));
    }
    for (field, v) in [("RT", &h.rt), ("RW", &h.rw)] {
        if let Some(r) = digits_problem(v, 3) {
            return Err(bad(field, r));
        }
    }
    for (_, field, v) in h.texts() {
        if let Some(r) = text_problem(v) {
            return Err(bad(field, r));
        }
    }
    let birth_date = date_digits(h.birth_date);
    let fields: [(u32, &[u8]); 18] = [
        (TAG_NIK, h.nik.as_bytes()),
        (TAG_NAME, h.name.as_bytes()),
        (TAG_BIRTH_PLACE, h.birth_place.as_bytes()),
        (TAG_BIRTH_DATE, birth_date.as_bytes()),
        (TAG_SEX, &[sex_code(h.sex)]),
        (TAG_BLOOD_TYPE, h.blood_type.ktp_label().as_bytes()),
        (TAG_ADDRESS, h.address.as_bytes()),
        (TAG_RT, h.rt.as_bytes()),
        (TAG_RW, h.rw.as_bytes()),
        (TAG_KELURAHAN, h.kelurahan.as_bytes()),
        (TAG_KECAMATAN, h.kecamatan.as_bytes()),
        (TAG_KABUPATEN, h.kabupaten.as_bytes()),
        (TAG_PROVINSI, h.provinsi.as_bytes()),
        (TAG_RELIGION, h.religion.ktp_label().as_bytes()),
        (TAG_MARITAL_STATUS, h.marital_status.ktp_label().as_bytes()),
        (TAG_OCCUPATION, h.occupation.as_bytes()),
        (TAG_NATIONALITY, h.nationality.as_bytes()),
        (TAG_VALID_UNTIL, h.valid_until.as_bytes()),
    ];
    let mut body = Vec::new();
    for (tag, value) in fields {
        tlv::push(&mut body, tag, value)?;
    }
    Ok(tlv::encode(TAG_DG1, &body)?)
}

/// Decodes DG1.
pub fn decode(bytes: &[u8]) -> Result<Holder, ProfileError> {
    let mut file = Reader::new(DG1, bytes, 0)?;
    let outer = file.take(TAG_DG1)?;
    file.finish()?;
    let mut r = file.nested(outer)?;
    let bad = |field: &'static str, reason: String| ProfileError::BadField {
        fid: DG1,
        field,
        reason,
    };
    let mut text = |tag: u32, field: &'static str| -> Result<String, ProfileError> {
        let t = r.take(tag)?;
        let s = std::str::from_utf8(t.value).map_err(|_| bad(field, "not UTF-8".into()))?;
        if let Some(reason) = text_problem(s) {
            return Err(bad(field, reason));
        }
        Ok(s.to_owned())
    };
    let nik = text(TAG_NIK, "NIK")?;
    if let Some(reason) = digits_problem(&nik, 16) {
        return Err(bad("NIK", reason));
    }
    let name = text(TAG_NAME, "name")?;
    let birth_place = text(TAG_BIRTH_PLACE, "birth place")?;
    let birth_date = text(TAG_BIRTH_DATE, "birth date")?;
    let birth_date = parse_date(&birth_date)
        .ok_or_else(|| bad("birth date", "not a calendar date as YYYYMMDD".into()))?;
    let sex = match text(TAG_SEX, "sex")?.as_str() {
        "M" => Sex::Male,
        "F" => Sex::Female,
        _ => return Err(bad("sex", "neither M nor F".into())),
    };
    let blood = text(TAG_BLOOD_TYPE, "blood type")?;
    let blood_type = BloodType::ALL
        .into_iter()
        .find(|b| b.ktp_label() == blood)
        .ok_or_else(|| bad("blood type", "not A, B, AB, O or -".into()))?;
    let address = text(TAG_ADDRESS, "address")?;
    let rt = text(TAG_RT, "RT")?;
    let rw = text(TAG_RW, "RW")?;
    for (field, v) in [("RT", &rt), ("RW", &rw)] {
        if let Some(reason) = digits_problem(v, 3) {
            return Err(bad(field, reason));
        }
    }
    let kelurahan = text(TAG_KELURAHAN, "kelurahan")?;
    let kecamatan = text(TAG_KECAMATAN, "kecamatan")?;
    let kabupaten = text(TAG_KABUPATEN, "kabupaten")?;
    let provinsi = text(TAG_PROVINSI, "provinsi")?;
    let religion = text(TAG_RELIGION, "religion")?;
    let religion = Religion::ALL
        .into_iter()
        .find(|x| x.ktp_label() == religion)
        .ok_or_else(|| bad("religion", "not a religion the card knows".into()))?;
    let marital = text(TAG_MARITAL_STATUS, "marital status")?;
    let marital_status = MaritalStatus::ALL
        .into_iter()
        .find(|x| x.ktp_label() == marital)
        .ok_or_else(|| bad("marital status", "not a status the card knows".into()))?;
    let occupation = text(TAG_OCCUPATION, "occupation")?;
    let nationality = text(TAG_NATIONALITY, "nationality")?;
    let valid_until = text(TAG_VALID_UNTIL, "valid until")?;
    r.finish()?;
    Ok(Holder {
        nik,
        name,
        birth_place,
        birth_date,
        sex,
        blood_type,
        address,
        rt,
        rw,
        kelurahan,
        kecamatan,
        kabupaten,
        provinsi,
        religion,
        marital_status,
        occupation,
        nationality,
        valid_until,
    })
}

fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i16 = s.get(0..4)?.parse().ok()?;
    let month: i8 = s.get(4..6)?.parse().ok()?;
    let day: i8 = s.get(6..8)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn holder() -> Holder {
        let r = crate::domain::population::generate(7, 1, jiff::civil::date(2026, 1, 1))
            .pop()
            .unwrap();
        Holder::from_resident(&r)
    }

    #[test]
    fn round_trips_and_starts_as_documented() {
        let h = holder();
        let bytes = encode(&h).unwrap();
        assert_eq!(bytes[0], 0x61);
        let body_at = if bytes[1] == 0x81 { 3 } else { 4 };
        // The NIK comes first: 5F10 10 <16 digits>.
        assert_eq!(&bytes[body_at..body_at + 3], &[0x5F, 0x10, 0x10]);
        assert_eq!(&bytes[body_at + 3..body_at + 19], h.nik.as_bytes());
        assert_eq!(decode(&bytes).unwrap(), h);
    }

    #[test]
    fn bad_values_are_named() {
        let mut h = holder();
        h.rt = "12".into();
        assert!(matches!(
            encode(&h),
            Err(BuildError::Field { field: "RT", .. })
        ));
        let mut h = holder();
        h.name = "A".repeat(MAX_TEXT_BYTES + 1);
        assert!(matches!(
            encode(&h),
            Err(BuildError::Field { field: "name", .. })
        ));

        // Sex 'X' on the wire.
        let h = holder();
        let mut bytes = encode(&h).unwrap();
        let at = bytes
            .windows(3)
            .position(|w| w == [0x5F, 0x35, 0x01])
            .unwrap();
        bytes[at + 3] = b'X';
        match decode(&bytes) {
            Err(ProfileError::BadField { field, .. }) => assert_eq!(field, "sex"),
            other => panic!("{other:?}"),
        }
        // A birth date that is no date.
        let mut bytes = encode(&h).unwrap();
        let at = bytes
            .windows(3)
            .position(|w| w == [0x5F, 0x2B, 0x08])
            .unwrap();
        bytes[at + 7..at + 11].copy_from_slice(b"1399");
        match decode(&bytes) {
            Err(ProfileError::BadField { field, .. }) => assert_eq!(field, "birth date"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fields_out_of_order_are_refused_at_their_offset() {
        let h = holder();
        let bytes = encode(&h).unwrap();
        // Swap NIK and name by rebuilding the body.
        let mut body = Vec::new();
        tlv::push(&mut body, TAG_NAME, h.name.as_bytes()).unwrap();
        tlv::push(&mut body, TAG_NIK, h.nik.as_bytes()).unwrap();
        let swapped = tlv::encode(TAG_DG1, &body).unwrap();
        match decode(&swapped) {
            Err(ProfileError::UnexpectedTag {
                expected,
                found,
                at,
                ..
            }) => {
                assert_eq!((expected, found), (TAG_NIK, TAG_NAME));
                assert_eq!(at, 2);
            }
            other => panic!("{other:?}"),
        }
        // A truncated file.
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1]),
            Err(ProfileError::Tlv { .. })
        ));
    }
}
