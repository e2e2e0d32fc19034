//! The face fields on the chip, as ICAO Doc 9303 part 10 places them, so that a standard
//! reader parses every group:
//!
//! - **DG1** (0101): the TD1 machine readable zone (part 5) built from the holder: document
//!   code `ID`, issuing state `IDN`, the NIK as document number (16 digits: the overflow rule
//!   puts digits 10–16 and the number's check digit in the optional data), date of birth, sex,
//!   no expiry (`SEUMUR HIDUP`: the date and its check digit are filler), nationality `IDN` for
//!   a citizen (`WNI`) and `XXX` (unspecified) otherwise, the name transliterated.
//! - **DG11** (010B), additional personal details: full name `5F0E`, NIK `5F10`, full date of
//!   birth `5F2B`, place of birth `5F11`, address `5F42` as its parts separated by `<` (Alamat,
//!   `RT rrr/RW www`, Kel/Desa, Kecamatan, Kabupaten/Kota, Provinsi), profession `5F13`
//!   (Pekerjaan), and the fields ICAO has no element for in the personal summary `5F15`:
//!   `GOL. DARAH: …<AGAMA: …<STATUS PERKAWINAN: …<KEWARGANEGARAAN: …`.
//! - **DG12** (010C), additional document details: issuing authority `5F19`
//!   (`DINAS DUKCAPIL <Kabupaten/Kota>`) and endorsements `5F1B` (`BERLAKU HINGGA: …`).
//!
//! Decoding reads all three and requires the MRZ to be exactly the one the decoded fields give,
//! so DG1 and DG11 can never disagree. Text fields are at most [`MAX_TEXT_BYTES`] bytes of
//! UTF-8 without control characters; those that share a `<`-separated element may not contain
//! `<`.

use jiff::civil::Date;
use ktpel_icao_lds::lds::{self, Dg11, Dg12, LdsError};
use ktpel_icao_lds::mrz::{self, Td1};

use super::profile::{BuildError, ProfileError, DG1, DG11, DG12};
use crate::domain::nik::Sex;
use crate::domain::resident::{BloodType, MaritalStatus, Religion, Resident};

/// The longest text field the chip holds, in bytes of UTF-8.
pub const MAX_TEXT_BYTES: usize = 120;

/// The issuing state and the citizens' nationality (ICAO Doc 9303 part 3).
pub const ISSUING_STATE: &str = "IDN";
/// The nationality code of a holder who is not a citizen: unspecified.
pub const NATIONALITY_UNSPECIFIED: &str = "XXX";
/// The MRZ document code of the KTP-el (an identity card).
pub const DOCUMENT_CODE: &str = "ID";
const AUTHORITY_PREFIX: &str = "DINAS DUKCAPIL ";
const VALID_UNTIL_PREFIX: &str = "BERLAKU HINGGA: ";
const SUMMARY_LABELS: [&str; 4] = [
    "GOL. DARAH: ",
    "AGAMA: ",
    "STATUS PERKAWINAN: ",
    "KEWARGANEGARAAN: ",
];

/// The holder's data as DG1, DG11 and DG12 carry it.
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

/// The three files that carry the face fields.
#[derive(Clone, PartialEq, Eq)]
pub struct HolderFiles {
    pub dg1: Vec<u8>,
    pub dg11: Vec<u8>,
    pub dg12: Vec<u8>,
}

fn icao_date(d: Date) -> mrz::Date {
    mrz::Date {
        year: d.year() as u16,
        month: d.month() as u8,
        day: d.day() as u8,
    }
}

fn td1(h: &Holder) -> Td1 {
    Td1 {
        document_code: DOCUMENT_CODE.into(),
        issuing_state: ISSUING_STATE.into(),
        document_number: h.nik.clone(),
        birth: icao_date(h.birth_date),
        sex: match h.sex {
            Sex::Male => mrz::Sex::Male,
            Sex::Female => mrz::Sex::Female,
        },
        expiry: None,
        nationality: if h.nationality == "WNI" {
            ISSUING_STATE.into()
        } else {
            NATIONALITY_UNSPECIFIED.into()
        },
        optional2: String::new(),
        primary: h.name.clone(),
        secondary: String::new(),
    }
}

fn rt_rw(h: &Holder) -> String {
    format!("RT {}/RW {}", h.rt, h.rw)
}

fn summary(h: &Holder) -> String {
    let values = [
        h.blood_type.ktp_label(),
        h.religion.ktp_label(),
        h.marital_status.ktp_label(),
        h.nationality.as_str(),
    ];
    SUMMARY_LABELS
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l}{v}"))
        .collect::<Vec<_>>()
        .join("<")
}

fn dg11(h: &Holder) -> Dg11 {
    Dg11 {
        full_name: Some(h.name.clone()),
        personal_number: Some(h.nik.clone()),
        birth: Some(icao_date(h.birth_date)),
        place_of_birth: Some(h.birth_place.clone()),
        address: vec![
            h.address.clone(),
            rt_rw(h),
            h.kelurahan.clone(),
            h.kecamatan.clone(),
            h.kabupaten.clone(),
            h.provinsi.clone(),
        ],
        profession: Some(h.occupation.clone()),
        summary: Some(summary(h)),
    }
}

fn dg12(h: &Holder) -> Dg12 {
    Dg12 {
        issuing_authority: Some(format!("{AUTHORITY_PREFIX}{}", h.kabupaten)),
        date_of_issue: None,
        endorsements: Some(format!("{VALID_UNTIL_PREFIX}{}", h.valid_until)),
    }
}

fn lds_build(field: &'static str) -> impl Fn(LdsError) -> BuildError {
    move |e| BuildError::Field {
        field,
        reason: e.to_string(),
    }
}

/// Encodes DG1, DG11 and DG12 for `h`.
pub fn encode(h: &Holder) -> Result<HolderFiles, BuildError> {
    let bad = |field: &'static str, reason: String| BuildError::Field { field, reason };
    if let Some(r) = digits_problem(&h.nik, 16) {
        return Err(bad("NIK", r));
    }
    for (field, v) in [("RT", &h.rt), ("RW", &h.rw)] {
        if let Some(r) = digits_problem(v, 3) {
            return Err(bad(field, r));
        }
    }
    let texts: [(&'static str, &str, bool); 10] = [
        ("name", &h.name, false),
        ("birth place", &h.birth_place, false),
        ("address", &h.address, true),
        ("kelurahan", &h.kelurahan, true),
        ("kecamatan", &h.kecamatan, true),
        ("kabupaten", &h.kabupaten, true),
        ("provinsi", &h.provinsi, true),
        ("occupation", &h.occupation, false),
        ("nationality", &h.nationality, true),
        ("valid until", &h.valid_until, false),
    ];
    for (field, v, separated) in texts {
        if let Some(r) = text_problem(v) {
            return Err(bad(field, r));
        }
        if separated && v.contains('<') {
            return Err(bad(field, "contains <, which separates ICAO fields".into()));
        }
    }
    Ok(HolderFiles {
        dg1: lds::encode_dg1(&td1(h)).map_err(lds_build("MRZ"))?,
        dg11: dg11(h).encode().map_err(lds_build("DG11"))?,
        dg12: dg12(h).encode().map_err(lds_build("DG12"))?,
    })
}

fn lds_read(fid: u16, field: &'static str) -> impl Fn(LdsError) -> ProfileError {
    move |e| ProfileError::BadField {
        fid,
        field,
        reason: e.to_string(),
    }
}

fn required<T>(fid: u16, field: &'static str, v: Option<T>) -> Result<T, ProfileError> {
    v.ok_or_else(|| ProfileError::BadField {
        fid,
        field,
        reason: "missing".into(),
    })
}

fn checked(fid: u16, field: &'static str, v: String) -> Result<String, ProfileError> {
    match text_problem(&v) {
        Some(reason) => Err(ProfileError::BadField { fid, field, reason }),
        None => Ok(v),
    }
}

/// Decodes the holder from DG1, DG11 and DG12, and checks that the MRZ is the one these
/// fields give.
pub fn decode(dg1: &[u8], dg11_file: &[u8], dg12_file: &[u8]) -> Result<Holder, ProfileError> {
    let mrz = lds::decode_dg1(dg1).map_err(lds_read(DG1, "MRZ"))?;
    let d11 = Dg11::decode(dg11_file).map_err(lds_read(DG11, "DG11"))?;
    let d12 = Dg12::decode(dg12_file).map_err(lds_read(DG12, "DG12"))?;
    let bad11 = |field: &'static str, reason: &str| ProfileError::BadField {
        fid: DG11,
        field,
        reason: reason.into(),
    };
    let nik = required(DG11, "NIK", d11.personal_number)?;
    if let Some(reason) = digits_problem(&nik, 16) {
        return Err(ProfileError::BadField {
            fid: DG11,
            field: "NIK",
            reason,
        });
    }
    let birth = required(DG11, "birth date", d11.birth)?;
    let birth_date = Date::new(birth.year as i16, birth.month as i8, birth.day as i8)
        .map_err(|_| bad11("birth date", "not a calendar date"))?;
    let sex = match mrz.as_bytes().get(37) {
        Some(b'M') => Sex::Male,
        Some(b'F') => Sex::Female,
        _ => {
            return Err(ProfileError::BadField {
                fid: DG1,
                field: "sex",
                reason: "neither M nor F".into(),
            })
        }
    };
    let [address, rt_rw, kelurahan, kecamatan, kabupaten, provinsi]: [String; 6] = d11
        .address
        .try_into()
        .map_err(|_| bad11("address", "not six parts"))?;
    let (rt, rw) = rt_rw
        .strip_prefix("RT ")
        .and_then(|r| r.split_once("/RW "))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .ok_or_else(|| bad11("RT/RW", "not RT rrr/RW www"))?;
    for (field, v) in [("RT", &rt), ("RW", &rw)] {
        if let Some(reason) = digits_problem(v, 3) {
            return Err(ProfileError::BadField {
                fid: DG11,
                field,
                reason,
            });
        }
    }
    let summary = required(DG11, "personal summary", d11.summary)?;
    let parts: Vec<&str> = summary.split('<').collect();
    let [blood, religion, marital, nationality]: [&str; 4] = parts
        .try_into()
        .map_err(|_| bad11("personal summary", "not four fields"))?;
    let value = |part: &str, label: &str, field: &'static str| {
        part.strip_prefix(label)
            .map(str::to_owned)
            .ok_or_else(|| bad11(field, "label missing"))
    };
    let blood = value(blood, SUMMARY_LABELS[0], "blood type")?;
    let blood_type = BloodType::ALL
        .into_iter()
        .find(|b| b.ktp_label() == blood)
        .ok_or_else(|| bad11("blood type", "not A, B, AB, O or -"))?;
    let religion = value(religion, SUMMARY_LABELS[1], "religion")?;
    let religion = Religion::ALL
        .into_iter()
        .find(|x| x.ktp_label() == religion)
        .ok_or_else(|| bad11("religion", "not a religion the card knows"))?;
    let marital = value(marital, SUMMARY_LABELS[2], "marital status")?;
    let marital_status = MaritalStatus::ALL
        .into_iter()
        .find(|x| x.ktp_label() == marital)
        .ok_or_else(|| bad11("marital status", "not a status the card knows"))?;
    let nationality = value(nationality, SUMMARY_LABELS[3], "nationality")?;
    let valid_until = required(DG12, "endorsements", d12.endorsements.clone())?
        .strip_prefix(VALID_UNTIL_PREFIX)
        .map(str::to_owned)
        .ok_or_else(|| ProfileError::BadField {
            fid: DG12,
            field: "valid until",
            reason: "not BERLAKU HINGGA: …".into(),
        })?;
    let holder = Holder {
        nik,
        name: checked(DG11, "name", required(DG11, "name", d11.full_name)?)?,
        birth_place: checked(
            DG11,
            "birth place",
            required(DG11, "birth place", d11.place_of_birth)?,
        )?,
        birth_date,
        sex,
        blood_type,
        address: checked(DG11, "address", address)?,
        rt,
        rw,
        kelurahan: checked(DG11, "kelurahan", kelurahan)?,
        kecamatan: checked(DG11, "kecamatan", kecamatan)?,
        kabupaten: checked(DG11, "kabupaten", kabupaten)?,
        provinsi: checked(DG11, "provinsi", provinsi)?,
        religion,
        marital_status,
        occupation: checked(
            DG11,
            "occupation",
            required(DG11, "occupation", d11.profession)?,
        )?,
        nationality: checked(DG11, "nationality", nationality)?,
        valid_until: checked(DG12, "valid until", valid_until)?,
    };
    // The MRZ and DG12 must be exactly what the personal details give.
    if td1(&holder).encode().ok().as_deref() != Some(mrz.as_str()) {
        return Err(ProfileError::BadField {
            fid: DG1,
            field: "MRZ",
            reason: "does not match the personal details in DG11".into(),
        });
    }
    if dg12(&holder) != d12 {
        return Err(ProfileError::BadField {
            fid: DG12,
            field: "DG12",
            reason: "does not match the personal details in DG11".into(),
        });
    }
    Ok(holder)
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
    fn round_trips_through_the_mrz_dg11_and_dg12() {
        let h = holder();
        let f = encode(&h).unwrap();
        // DG1: 61 5D 5F1F 5A, then "IDIDN" and the first nine NIK digits.
        assert_eq!(&f.dg1[..5], &[0x61, 0x5D, 0x5F, 0x1F, 0x5A]);
        assert_eq!(&f.dg1[5..10], b"IDIDN");
        assert_eq!(&f.dg1[10..19], &h.nik.as_bytes()[..9]);
        assert_eq!(f.dg11[0], 0x6B);
        assert_eq!(f.dg12[0], 0x6C);
        assert_eq!(decode(&f.dg1, &f.dg11, &f.dg12).unwrap(), h);
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
        let mut h = holder();
        h.kecamatan = "A<B".into();
        assert!(matches!(
            encode(&h),
            Err(BuildError::Field {
                field: "kecamatan",
                ..
            })
        ));
    }

    #[test]
    fn an_mrz_that_disagrees_with_dg11_is_refused() {
        let h = holder();
        let f = encode(&h).unwrap();
        let mut renamed = h.clone();
        renamed.name = format!("{} X", h.name);
        let r = encode(&renamed).unwrap();
        match decode(&r.dg1, &f.dg11, &f.dg12) {
            Err(ProfileError::BadField { field: "MRZ", .. }) => {}
            other => panic!("{other:?}"),
        }
        // A bad check digit in the MRZ.
        let mut dg1 = f.dg1.clone();
        dg1[5 + 31] = if dg1[5 + 31] == b'9' {
            b'0'
        } else {
            dg1[5 + 31] + 1
        };
        assert!(matches!(
            decode(&dg1, &f.dg11, &f.dg12),
            Err(ProfileError::BadField { fid: DG1, .. })
        ));
    }
}
