//! A resident's data as printed on the face of the KTP-el.
//!
//! Every field is personal data: [`Resident`]'s `Debug` shows only the masked NIK and the
//! province/regency, never the name, the full NIK, the birth date or the address.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::kk::KkNumber;
use super::nik::{card_date, Nik, Sex};

/// Golongan darah. `Unknown` is printed as "-" (the holder did not know it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BloodType {
    #[serde(rename = "A")]
    A,
    #[serde(rename = "B")]
    B,
    #[serde(rename = "AB")]
    AB,
    #[serde(rename = "O")]
    O,
    #[serde(rename = "-")]
    Unknown,
}

impl BloodType {
    /// All values, in the order of the form.
    pub const ALL: [BloodType; 5] = [
        BloodType::A,
        BloodType::B,
        BloodType::AB,
        BloodType::O,
        BloodType::Unknown,
    ];

    /// As printed on the card.
    pub fn ktp_label(self) -> &'static str {
        match self {
            BloodType::A => "A",
            BloodType::B => "B",
            BloodType::AB => "AB",
            BloodType::O => "O",
            BloodType::Unknown => "-",
        }
    }
}

impl fmt::Display for BloodType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ktp_label())
    }
}

/// Agama, as printed on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Religion {
    #[serde(rename = "ISLAM")]
    Islam,
    #[serde(rename = "KRISTEN")]
    Kristen,
    #[serde(rename = "KATOLIK")]
    Katolik,
    #[serde(rename = "HINDU")]
    Hindu,
    #[serde(rename = "BUDDHA")]
    Buddha,
    #[serde(rename = "KONGHUCU")]
    Konghucu,
    /// Since the Constitutional Court ruling of 2017.
    #[serde(rename = "KEPERCAYAAN TERHADAP TUHAN YME")]
    Kepercayaan,
}

impl Religion {
    /// All values, in the order of the form.
    pub const ALL: [Religion; 7] = [
        Religion::Islam,
        Religion::Kristen,
        Religion::Katolik,
        Religion::Hindu,
        Religion::Buddha,
        Religion::Konghucu,
        Religion::Kepercayaan,
    ];

    /// As printed on the card.
    pub fn ktp_label(self) -> &'static str {
        match self {
            Religion::Islam => "ISLAM",
            Religion::Kristen => "KRISTEN",
            Religion::Katolik => "KATOLIK",
            Religion::Hindu => "HINDU",
            Religion::Buddha => "BUDDHA",
            Religion::Konghucu => "KONGHUCU",
            Religion::Kepercayaan => "KEPERCAYAAN TERHADAP TUHAN YME",
        }
    }
}

impl fmt::Display for Religion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ktp_label())
    }
}

/// Status perkawinan, as printed on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MaritalStatus {
    #[serde(rename = "BELUM KAWIN")]
    BelumKawin,
    #[serde(rename = "KAWIN")]
    Kawin,
    #[serde(rename = "CERAI HIDUP")]
    CeraiHidup,
    #[serde(rename = "CERAI MATI")]
    CeraiMati,
}

impl MaritalStatus {
    /// All values, in the order of the form.
    pub const ALL: [MaritalStatus; 4] = [
        MaritalStatus::BelumKawin,
        MaritalStatus::Kawin,
        MaritalStatus::CeraiHidup,
        MaritalStatus::CeraiMati,
    ];

    /// As printed on the card.
    pub fn ktp_label(self) -> &'static str {
        match self {
            MaritalStatus::BelumKawin => "BELUM KAWIN",
            MaritalStatus::Kawin => "KAWIN",
            MaritalStatus::CeraiHidup => "CERAI HIDUP",
            MaritalStatus::CeraiMati => "CERAI MATI",
        }
    }
}

impl fmt::Display for MaritalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ktp_label())
    }
}

/// Kewarganegaraan of a citizen.
pub const NATIONALITY_WNI: &str = "WNI";
/// Berlaku hingga of a citizen's KTP-el.
pub const VALID_FOR_LIFE: &str = "SEUMUR HIDUP";

/// The data on the face of a resident's KTP-el, in card order, upper-case as printed.
///
/// `Debug` does not print personal data (see the module documentation).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resident {
    /// NIK.
    pub nik: Nik,
    /// Number of the family card (Kartu Keluarga) the resident is on.
    pub kk: KkNumber,
    /// Nama.
    pub name: String,
    /// Tempat lahir, e.g. "BANDUNG".
    pub birth_place: String,
    /// Tanggal lahir (serialized as "YYYY-MM-DD").
    #[serde(with = "iso_date")]
    pub birth_date: Date,
    /// Jenis kelamin.
    pub sex: Sex,
    /// Gol. darah.
    pub blood_type: BloodType,
    /// Alamat (street), e.g. "JL. MERDEKA NO. 12".
    pub address: String,
    /// RT, three digits, e.g. "003".
    pub rt: String,
    /// RW, three digits, e.g. "007".
    pub rw: String,
    /// Kel/Desa.
    pub kelurahan: String,
    /// Kecamatan.
    pub kecamatan: String,
    /// Kabupaten/kota as on the card header, e.g. "KOTA BANDUNG".
    pub kabupaten: String,
    /// Provinsi as on the card header (without "PROVINSI"), e.g. "JAWA BARAT".
    pub provinsi: String,
    /// Agama.
    pub religion: Religion,
    /// Status perkawinan.
    pub marital_status: MaritalStatus,
    /// Pekerjaan, e.g. "KARYAWAN SWASTA".
    pub occupation: String,
    /// Kewarganegaraan: "WNI".
    pub nationality: String,
    /// Berlaku hingga: "SEUMUR HIDUP".
    pub valid_until: String,
}

impl Resident {
    /// "Tempat/Tgl Lahir" as printed: "BANDUNG, 17-08-1990".
    pub fn birth_place_and_date(&self) -> String {
        format!("{}, {}", self.birth_place, card_date(self.birth_date))
    }

    /// "RT/RW" as printed: "003/007".
    pub fn rt_rw(&self) -> String {
        format!("{}/{}", self.rt, self.rw)
    }

    /// Age in whole years on `today` (negative if born after it).
    pub fn age_on(&self, today: Date) -> i16 {
        let b = self.birth_date;
        let mut age = today.year() - b.year();
        if (today.month(), today.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        age
    }

    /// Fields that contradict each other: birth date or sex different from the NIK's, a
    /// province name that is not the NIK's province. Returns the names of the inconsistent
    /// fields (no personal data), empty when consistent.
    pub fn inconsistencies(&self) -> Vec<&'static str> {
        let mut bad = Vec::new();
        if self.nik.birth_date() != self.birth_date {
            bad.push("birth_date");
        }
        if self.nik.sex() != self.sex {
            bad.push("sex");
        }
        if self.nik.province().card_name() != self.provinsi {
            bad.push("provinsi");
        }
        if let Some(regency) = self.nik.region().regency() {
            if regency.name != self.kabupaten {
                bad.push("kabupaten");
            }
        }
        if let Some(district) = self.nik.region().district() {
            if district.name != self.kecamatan {
                bad.push("kecamatan");
            }
        }
        bad
    }
}

impl fmt::Debug for Resident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resident")
            .field("nik", &self.nik)
            .field("provinsi", &self.provinsi)
            .field("kabupaten", &self.kabupaten)
            .finish_non_exhaustive()
    }
}

/// A civil date as "YYYY-MM-DD" without needing jiff's `serde` feature.
mod iso_date {
    use jiff::civil::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(date)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse::<Date>().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn sample() -> Resident {
        Resident {
            nik: Nik::parse_now("3273015708900001").unwrap(),
            kk: KkNumber::parse_now("3273011708150001").unwrap(),
            name: "SITI NURHALIZA".into(),
            birth_place: "BANDUNG".into(),
            birth_date: date(1990, 8, 17),
            sex: Sex::Female,
            blood_type: BloodType::O,
            address: "JL. MERDEKA NO. 12".into(),
            rt: "003".into(),
            rw: "007".into(),
            kelurahan: "PASTEUR".into(),
            kecamatan: "SUKAJADI".into(),
            kabupaten: "KOTA BANDUNG".into(),
            provinsi: "JAWA BARAT".into(),
            religion: Religion::Islam,
            marital_status: MaritalStatus::Kawin,
            occupation: "KARYAWAN SWASTA".into(),
            nationality: NATIONALITY_WNI.into(),
            valid_until: VALID_FOR_LIFE.into(),
        }
    }

    #[test]
    fn debug_hides_personal_data() {
        let r = sample();
        let dbg = format!("{r:?}");
        assert_eq!(
            dbg,
            "Resident { nik: Nik(327301******0001), provinsi: \"JAWA BARAT\", kabupaten: \"KOTA BANDUNG\", .. }"
        );
        for secret in ["3273015708900001", "SITI", "MERDEKA", "1990", "PASTEUR"] {
            assert!(!dbg.contains(secret), "{secret}");
        }
        assert!(!format!("{r:#?}").contains("NURHALIZA"));
    }

    #[test]
    fn json_round_trip_uses_card_labels() {
        let r = sample();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["nik"], "3273015708900001");
        assert_eq!(json["kk"], "3273011708150001");
        assert_eq!(json["birth_date"], "1990-08-17");
        assert_eq!(json["sex"], "PEREMPUAN");
        assert_eq!(json["blood_type"], "O");
        assert_eq!(json["religion"], "ISLAM");
        assert_eq!(json["marital_status"], "KAWIN");
        let back: Resident = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
        let unknown_blood = serde_json::to_string(&BloodType::Unknown).unwrap();
        assert_eq!(unknown_blood, "\"-\"");
        let k: Religion = serde_json::from_str("\"KEPERCAYAAN TERHADAP TUHAN YME\"").unwrap();
        assert_eq!(k, Religion::Kepercayaan);
        let c: MaritalStatus = serde_json::from_str("\"CERAI MATI\"").unwrap();
        assert_eq!(c.ktp_label(), "CERAI MATI");
        // order of fields follows the card
        let text = serde_json::to_string(&r).unwrap();
        let pos = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert!(pos("nik") < pos("name") && pos("name") < pos("address"));
        assert!(pos("address") < pos("religion") && pos("religion") < pos("valid_until"));
    }

    #[test]
    fn card_helpers_and_consistency() {
        let mut r = sample();
        assert_eq!(r.birth_place_and_date(), "BANDUNG, 17-08-1990");
        assert_eq!(r.rt_rw(), "003/007");
        assert_eq!(r.age_on(date(2026, 8, 16)), 35);
        assert_eq!(r.age_on(date(2026, 8, 17)), 36);
        assert!(r.inconsistencies().is_empty(), "{:?}", r.inconsistencies());
        r.sex = Sex::Male;
        r.provinsi = "BANTEN".into();
        r.kecamatan = "COBLONG".into();
        assert_eq!(r.inconsistencies(), ["sex", "provinsi", "kecamatan"]);
    }
}
