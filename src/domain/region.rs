//! Administrative regions of Indonesia as they appear in the first six digits of a NIK or a KK
//! number: province (2 digits) · regency or city (2 digits) · district (2 digits).
//!
//! The province table is complete (Kemendagri codes, including the four Papuan provinces created
//! in 2022). The regency table ([`REGENCIES`]) is a small **illustrative** sample used by the
//! synthetic population generator and to put names on codes in the CLI; it is not the Kemendagri
//! register and must never be used to reject a code.

use std::fmt;

use thiserror::Error;

/// One of Indonesia's provinces (provinsi).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Province {
    /// Kemendagri code, 11..=96.
    pub code: u8,
    /// Name as written in the reference list, e.g. "Jawa Barat".
    pub name: &'static str,
}

impl Province {
    /// The name in capitals as printed on the card header, e.g. "JAWA BARAT"
    /// (the card prints "PROVINSI " before it).
    pub fn card_name(&self) -> String {
        self.name.to_uppercase()
    }
}

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02} {}", self.code, self.name)
    }
}

/// Every province code in use (Kemendagri), in code order.
pub static PROVINCES: [Province; 38] = [
    Province {
        code: 11,
        name: "Aceh",
    },
    Province {
        code: 12,
        name: "Sumatera Utara",
    },
    Province {
        code: 13,
        name: "Sumatera Barat",
    },
    Province {
        code: 14,
        name: "Riau",
    },
    Province {
        code: 15,
        name: "Jambi",
    },
    Province {
        code: 16,
        name: "Sumatera Selatan",
    },
    Province {
        code: 17,
        name: "Bengkulu",
    },
    Province {
        code: 18,
        name: "Lampung",
    },
    Province {
        code: 19,
        name: "Kepulauan Bangka Belitung",
    },
    Province {
        code: 21,
        name: "Kepulauan Riau",
    },
    Province {
        code: 31,
        name: "DKI Jakarta",
    },
    Province {
        code: 32,
        name: "Jawa Barat",
    },
    Province {
        code: 33,
        name: "Jawa Tengah",
    },
    Province {
        code: 34,
        name: "DI Yogyakarta",
    },
    Province {
        code: 35,
        name: "Jawa Timur",
    },
    Province {
        code: 36,
        name: "Banten",
    },
    Province {
        code: 51,
        name: "Bali",
    },
    Province {
        code: 52,
        name: "Nusa Tenggara Barat",
    },
    Province {
        code: 53,
        name: "Nusa Tenggara Timur",
    },
    Province {
        code: 61,
        name: "Kalimantan Barat",
    },
    Province {
        code: 62,
        name: "Kalimantan Tengah",
    },
    Province {
        code: 63,
        name: "Kalimantan Selatan",
    },
    Province {
        code: 64,
        name: "Kalimantan Timur",
    },
    Province {
        code: 65,
        name: "Kalimantan Utara",
    },
    Province {
        code: 71,
        name: "Sulawesi Utara",
    },
    Province {
        code: 72,
        name: "Sulawesi Tengah",
    },
    Province {
        code: 73,
        name: "Sulawesi Selatan",
    },
    Province {
        code: 74,
        name: "Sulawesi Tenggara",
    },
    Province {
        code: 75,
        name: "Gorontalo",
    },
    Province {
        code: 76,
        name: "Sulawesi Barat",
    },
    Province {
        code: 81,
        name: "Maluku",
    },
    Province {
        code: 82,
        name: "Maluku Utara",
    },
    Province {
        code: 91,
        name: "Papua",
    },
    Province {
        code: 92,
        name: "Papua Barat",
    },
    Province {
        code: 93,
        name: "Papua Selatan",
    },
    Province {
        code: 94,
        name: "Papua Tengah",
    },
    Province {
        code: 95,
        name: "Papua Pegunungan",
    },
    Province {
        code: 96,
        name: "Papua Barat Daya",
    },
];

/// The province with this code, if there is one.
pub fn province(code: u8) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}

/// Whether a regency code is a kabupaten (01..=70) or a kota (71..=99).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegencyKind {
    /// Kabupaten (regency), codes 01..=70.
    Kabupaten,
    /// Kota (city), codes 71..=99.
    Kota,
}

impl RegencyKind {
    /// First regency code of a kota.
    pub const FIRST_KOTA: u8 = 71;

    /// The kind of a (non-zero) regency code.
    pub fn of(code: u8) -> RegencyKind {
        if code >= Self::FIRST_KOTA {
            RegencyKind::Kota
        } else {
            RegencyKind::Kabupaten
        }
    }

    /// "kabupaten" or "kota".
    pub fn label(self) -> &'static str {
        match self {
            RegencyKind::Kabupaten => "kabupaten",
            RegencyKind::Kota => "kota",
        }
    }
}

/// Why six characters are not a region code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegionError {
    /// Not six characters.
    #[error("a region code has 6 digits, this one has {len}")]
    Length { len: usize },
    /// A character that is not an ASCII digit (position is 1-based).
    #[error("character {position} of the region code is {found:?}, not a digit")]
    NonDigit { position: usize, found: char },
    /// Province code not in [`PROVINCES`].
    #[error("province code {code:02} is not an Indonesian province")]
    UnknownProvince { code: u8 },
    /// Regency code 00 (or above 99 through [`RegionCode::new`]).
    #[error("regency code {code:02} is not valid (kabupaten 01–70, kota 71–99)")]
    Regency { code: u8 },
    /// District code 00 (or above 99 through [`RegionCode::new`]).
    #[error("district code {code:02} is not valid (01–99)")]
    District { code: u8 },
}

/// Province · regency/city · district: the first six digits of a NIK or a KK number.
///
/// Always valid: the province is in [`PROVINCES`], the regency is 01..=99 and the district is
/// 01..=99. Whether the regency or district actually exists is not checked (the booth has no
/// complete register).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode {
    province: u8,
    regency: u8,
    district: u8,
}

impl RegionCode {
    /// A region code from its three parts.
    pub fn new(province: u8, regency: u8, district: u8) -> Result<RegionCode, RegionError> {
        if self::province(province).is_none() {
            return Err(RegionError::UnknownProvince { code: province });
        }
        if !(1..=99).contains(&regency) {
            return Err(RegionError::Regency { code: regency });
        }
        if !(1..=99).contains(&district) {
            return Err(RegionError::District { code: district });
        }
        Ok(RegionCode {
            province,
            regency,
            district,
        })
    }

    /// Parses exactly six ASCII digits, e.g. "327301".
    pub fn parse(s: &str) -> Result<RegionCode, RegionError> {
        let len = s.chars().count();
        if len != 6 {
            return Err(RegionError::Length { len });
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(RegionError::NonDigit {
                position: i + 1,
                found: c,
            });
        }
        Self::from_digits(s.as_bytes())
    }

    /// From six ASCII digits (already checked to be digits); fails only with
    /// `UnknownProvince`, `Regency` or `District`.
    pub(super) fn from_digits(d: &[u8]) -> Result<RegionCode, RegionError> {
        let two = |i: usize| (d[i] - b'0') * 10 + (d[i + 1] - b'0');
        Self::new(two(0), two(2), two(4))
    }

    /// Province code, e.g. 32.
    pub fn province_code(&self) -> u8 {
        self.province
    }

    /// Regency/city code within the province, e.g. 73.
    pub fn regency_code(&self) -> u8 {
        self.regency
    }

    /// District code within the regency, e.g. 1.
    pub fn district_code(&self) -> u8 {
        self.district
    }

    /// The four-digit regency code including the province, e.g. 3273.
    pub fn full_regency_code(&self) -> u16 {
        u16::from(self.province) * 100 + u16::from(self.regency)
    }

    /// The province.
    pub fn province(&self) -> &'static Province {
        // The constructor guarantees the code is in the table; fall back to the first entry
        // rather than panic should that ever be broken.
        self::province(self.province).unwrap_or(&PROVINCES[0])
    }

    /// Kabupaten or kota.
    pub fn regency_kind(&self) -> RegencyKind {
        RegencyKind::of(self.regency)
    }

    /// The regency in the illustrative table, if it is there.
    pub fn regency(&self) -> Option<&'static Regency> {
        regency(self.full_regency_code())
    }

    /// The district in the illustrative table, if it is there.
    pub fn district(&self) -> Option<&'static District> {
        self.regency()?
            .districts
            .iter()
            .find(|d| d.code == self.district)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}{:02}{:02}",
            self.province, self.regency, self.district
        )
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({self})")
    }
}

impl std::str::FromStr for RegionCode {
    type Err = RegionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

/// A regency (kabupaten) or city (kota) of the illustrative table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regency {
    /// Four-digit Kemendagri code, province included, e.g. 3273.
    pub code: u16,
    /// Name in capitals as printed on the card header, e.g. "KOTA BANDUNG".
    pub name: &'static str,
    /// A few of its districts.
    pub districts: &'static [District],
}

impl Regency {
    /// Province code (first two digits).
    pub fn province_code(&self) -> u8 {
        // code / 100 is at most 99 for codes below 10000
        u8::try_from(self.code / 100).unwrap_or(0)
    }

    /// Regency code within the province (last two digits).
    pub fn regency_code(&self) -> u8 {
        u8::try_from(self.code % 100).unwrap_or(0)
    }

    /// Kabupaten or kota.
    pub fn kind(&self) -> RegencyKind {
        RegencyKind::of(self.regency_code())
    }

    /// The place name without "KOTA " / "KABUPATEN ", as written for a place of birth,
    /// e.g. "BANDUNG".
    pub fn place_name(&self) -> &'static str {
        self.name
            .strip_prefix("KOTA ")
            .or_else(|| self.name.strip_prefix("KABUPATEN "))
            .unwrap_or(self.name)
    }

    /// The region code of one of its districts.
    pub fn region_code(&self, district: &District) -> Result<RegionCode, RegionError> {
        RegionCode::new(self.province_code(), self.regency_code(), district.code)
    }
}

/// A district (kecamatan) of the illustrative table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct District {
    /// Two-digit code within the regency (illustrative).
    pub code: u8,
    /// Name in capitals, e.g. "COBLONG".
    pub name: &'static str,
    /// A few of its kelurahan/desa, in capitals.
    pub villages: &'static [&'static str],
}

/// The regency with this four-digit code in the illustrative table.
pub fn regency(code: u16) -> Option<&'static Regency> {
    REGENCIES.iter().find(|r| r.code == code)
}

const fn d(code: u8, name: &'static str, villages: &'static [&'static str]) -> District {
    District {
        code,
        name,
        villages,
    }
}

/// An **illustrative** sample of regencies and cities with a few districts (kecamatan) and
/// villages (kelurahan/desa) each, for the synthetic population and for naming codes in the CLI.
///
/// The four-digit regency codes are the Kemendagri codes; the district and village names are
/// real places of the regency they are listed under as far as the authors know (not checked
/// against the register), and **the two-digit district codes are illustrative and may not
/// match Kemendagri's**. The table is far from complete: a code missing here is not an invalid
/// code.
pub static REGENCIES: &[Regency] = &[
    // 11 Aceh
    Regency {
        code: 1171,
        name: "KOTA BANDA ACEH",
        districts: &[
            d(
                1,
                "MEURAXA",
                &["ULEE LHEUE", "PUNGE JURONG", "LAMPASEH KOTA"],
            ),
            d(2, "BAITURRAHMAN", &["PEUNITI", "NEUSU JAYA", "SETUI"]),
            d(3, "KUTA ALAM", &["BANDAR BARU", "LAMPRIET", "PEUNAYONG"]),
            d(
                4,
                "SYIAH KUALA",
                &["KOPELMA DARUSSALAM", "LAMGUGOB", "REIN"],
            ),
        ],
    },
    Regency {
        code: 1108,
        name: "KABUPATEN ACEH BESAR",
        districts: &[
            d(1, "INGIN JAYA", &["LAMBARO", "LAMREUNG", "PEUKAN BILUY"]),
            d(2, "DARUL IMARAH", &["LAMPEUNEURUT", "GAROT", "DEUNONG"]),
        ],
    },
    // 12 Sumatera Utara
    Regency {
        code: 1271,
        name: "KOTA MEDAN",
        districts: &[
            d(
                1,
                "MEDAN BARU",
                &["BABURA", "DARAT", "PETISAH HULU", "TITI RANTAI"],
            ),
            d(
                2,
                "MEDAN PETISAH",
                &["SEI SIKAMBING D", "PETISAH TENGAH", "SEKIP"],
            ),
            d(
                3,
                "MEDAN KOTA",
                &["PUSAT PASAR", "KOTA MATSUM I", "TELADAN BARAT"],
            ),
        ],
    },
    Regency {
        code: 1212,
        name: "KABUPATEN DELI SERDANG",
        districts: &[
            d(1, "LUBUK PAKAM", &["LUBUK PAKAM I-II", "PAGAR MERBAU III"]),
            d(
                2,
                "PERCUT SEI TUAN",
                &["BANDAR KHALIPAH", "SAMPALI", "TEMBUNG"],
            ),
        ],
    },
    // 13 Sumatera Barat
    Regency {
        code: 1371,
        name: "KOTA PADANG",
        districts: &[
            d(1, "PADANG BARAT", &["OLO", "PURUS", "BELAKANG TANGSI"]),
            d(
                2,
                "PADANG UTARA",
                &["AIR TAWAR BARAT", "ULAK KARANG SELATAN", "GUNUNG PANGILUN"],
            ),
            d(
                3,
                "KOTO TANGAH",
                &[
                    "LUBUK BUAYA",
                    "DADOK TUNGGUL HITAM",
                    "BATANG KABUNG GANTING",
                ],
            ),
        ],
    },
    Regency {
        code: 1375,
        name: "KOTA BUKITTINGGI",
        districts: &[
            d(
                1,
                "GUGUK PANJANG",
                &["BENTENG PASAR ATAS", "AUR TAJUNGKANG TENGAH SAWAH"],
            ),
            d(
                2,
                "MANDIANGIN KOTO SELAYAN",
                &["CAMPAGO IPUH", "PULAI ANAK AIR"],
            ),
        ],
    },
    // 14 Riau
    Regency {
        code: 1471,
        name: "KOTA PEKANBARU",
        districts: &[
            d(
                1,
                "SUKAJADI",
                &["KAMPUNG MELAYU", "JADIREJO", "KAMPUNG TENGAH"],
            ),
            d(
                2,
                "PEKANBARU KOTA",
                &["SIMPANG EMPAT", "SUMAHILANG", "KOTA TINGGI"],
            ),
            d(
                3,
                "TAMPAN",
                &["SIMPANG BARU", "TUAH KARYA", "SIDOMULYO BARAT"],
            ),
        ],
    },
    // 15 Jambi
    Regency {
        code: 1571,
        name: "KOTA JAMBI",
        districts: &[
            d(
                1,
                "TELANAIPURA",
                &["TELANAIPURA", "SUNGAI PUTRI", "SOLOK SIPIN"],
            ),
            d(
                2,
                "JAMBI SELATAN",
                &["THEHOK", "PAKUAN BARU", "TAMBAK SARI"],
            ),
            d(3, "PASAR JAMBI", &["BERINGIN", "ORANG KAYO HITAM", "PASAR"]),
        ],
    },
    // 16 Sumatera Selatan
    Regency {
        code: 1671,
        name: "KOTA PALEMBANG",
        districts: &[
            d(
                1,
                "ILIR BARAT I",
                &["BUKIT LAMA", "LOROK PAKJO", "DEMANG LEBAR DAUN"],
            ),
            d(
                2,
                "ILIR TIMUR I",
                &["SUNGAI PANGERAN", "KEPANDEAN BARU", "20 ILIR D-I"],
            ),
            d(3, "SEBERANG ULU I", &["7 ULU", "1 ULU", "TUAN KENTANG"]),
        ],
    },
    // 17 Bengkulu
    Regency {
        code: 1771,
        name: "KOTA BENGKULU",
        districts: &[
            d(
                1,
                "GADING CEMPAKA",
                &["PADANG HARAPAN", "JALAN GEDANG", "LINGKAR BARAT"],
            ),
            d(
                2,
                "RATU AGUNG",
                &["KEBUN TEBENG", "SAWAH LEBAR", "NUSA INDAH"],
            ),
        ],
    },
    // 18 Lampung
    Regency {
        code: 1871,
        name: "KOTA BANDAR LAMPUNG",
        districts: &[
            d(
                1,
                "TANJUNG KARANG PUSAT",
                &["PALAPA", "DURIAN PAYUNG", "KALIAWI"],
            ),
            d(
                2,
                "TELUK BETUNG SELATAN",
                &["GEDONG PAKUON", "PESAWAHAN", "TALANG"],
            ),
            d(3, "KEDATON", &["KEDATON", "SIDODADI", "SURABAYA"]),
        ],
    },
    // 19 Kepulauan Bangka Belitung
    Regency {
        code: 1971,
        name: "KOTA PANGKALPINANG",
        districts: &[
            d(
                1,
                "TAMAN SARI",
                &["BATIN TIKAL", "RAWA BANGUN", "OPAS INDAH"],
            ),
            d(2, "BUKIT INTAN", &["BACANG", "AIR ITAM", "SEMABUK"]),
            d(
                3,
                "GERUNGGANG",
                &["KACANG PEDANG", "BUKIT SARI", "TUATUNU INDAH"],
            ),
        ],
    },
    // 21 Kepulauan Riau
    Regency {
        code: 2171,
        name: "KOTA BATAM",
        districts: &[
            d(1, "BATAM KOTA", &["BELIAN", "TELUK TERING", "BALOI PERMAI"]),
            d(
                2,
                "LUBUK BAJA",
                &["LUBUK BAJA KOTA", "TANJUNG UMA", "BATU SELICIN"],
            ),
            d(
                3,
                "SEKUPANG",
                &["TIBAN INDAH", "TANJUNG RIAU", "PATAM LESTARI"],
            ),
        ],
    },
    // 31 DKI Jakarta
    Regency {
        code: 3171,
        name: "JAKARTA SELATAN",
        districts: &[
            d(
                6,
                "KEBAYORAN BARU",
                &["SENAYAN", "GUNUNG", "KRAMAT PELA", "SELONG", "MELAWAI"],
            ),
            d(
                9,
                "TEBET",
                &["TEBET BARAT", "TEBET TIMUR", "MENTENG DALAM", "MANGGARAI"],
            ),
            d(
                10,
                "SETIABUDI",
                &[
                    "KARET KUNINGAN",
                    "KUNINGAN TIMUR",
                    "SETIABUDI",
                    "MENTENG ATAS",
                ],
            ),
        ],
    },
    Regency {
        code: 3172,
        name: "JAKARTA TIMUR",
        districts: &[
            d(
                6,
                "JATINEGARA",
                &[
                    "BALI MESTER",
                    "KAMPUNG MELAYU",
                    "BIDARA CINA",
                    "CIPINANG CEMPEDAK",
                ],
            ),
            d(
                7,
                "DUREN SAWIT",
                &["KLENDER", "PONDOK BAMBU", "DUREN SAWIT"],
            ),
            d(
                10,
                "MATRAMAN",
                &["PAL MERIAM", "KEBON MANGGIS", "UTAN KAYU UTARA"],
            ),
        ],
    },
    Regency {
        code: 3173,
        name: "JAKARTA PUSAT",
        districts: &[
            d(
                1,
                "TANAH ABANG",
                &[
                    "BENDUNGAN HILIR",
                    "KARET TENGSIN",
                    "KEBON MELATI",
                    "PETAMBURAN",
                ],
            ),
            d(
                2,
                "MENTENG",
                &[
                    "MENTENG",
                    "GONDANGDIA",
                    "CIKINI",
                    "KEBON SIRIH",
                    "PEGANGSAAN",
                ],
            ),
            d(
                8,
                "GAMBIR",
                &["GAMBIR", "CIDENG", "PETOJO UTARA", "KEBON KELAPA"],
            ),
        ],
    },
    Regency {
        code: 3174,
        name: "JAKARTA BARAT",
        districts: &[
            d(
                2,
                "KEBON JERUK",
                &["KEBON JERUK", "SUKABUMI UTARA", "KELAPA DUA"],
            ),
            d(3, "PALMERAH", &["PALMERAH", "SLIPI", "KEMANGGISAN"]),
            d(
                4,
                "GROGOL PETAMBURAN",
                &["GROGOL", "TOMANG", "JELAMBAR", "TANJUNG DUREN UTARA"],
            ),
        ],
    },
    Regency {
        code: 3175,
        name: "JAKARTA UTARA",
        districts: &[
            d(1, "PENJARINGAN", &["PENJARINGAN", "PLUIT", "KAPUK MUARA"]),
            d(
                2,
                "TANJUNG PRIOK",
                &["SUNTER AGUNG", "KEBON BAWANG", "TANJUNG PRIOK"],
            ),
            d(
                6,
                "KELAPA GADING",
                &[
                    "KELAPA GADING BARAT",
                    "KELAPA GADING TIMUR",
                    "PEGANGSAAN DUA",
                ],
            ),
        ],
    },
    // 32 Jawa Barat
    Regency {
        code: 3273,
        name: "KOTA BANDUNG",
        districts: &[
            d(
                1,
                "SUKAJADI",
                &["PASTEUR", "CIPEDES", "SUKABUNGAH", "SUKAGALIH", "SUKAWARNA"],
            ),
            d(
                2,
                "COBLONG",
                &[
                    "DAGO",
                    "LEBAK SILIWANGI",
                    "SEKELOA",
                    "SADANG SERANG",
                    "CIPAGANTI",
                ],
            ),
            d(3, "BANDUNG WETAN", &["CITARUM", "CIHAPIT", "TAMANSARI"]),
            d(
                4,
                "SUMUR BANDUNG",
                &["BRAGA", "MERDEKA", "BABAKAN CIAMIS", "KEBON PISANG"],
            ),
            d(
                5,
                "LENGKONG",
                &[
                    "BURANGRANG",
                    "CIKAWAO",
                    "LINGKAR SELATAN",
                    "MALABAR",
                    "TURANGGA",
                ],
            ),
        ],
    },
    Regency {
        code: 3204,
        name: "KABUPATEN BANDUNG",
        districts: &[
            d(
                1,
                "BALEENDAH",
                &["BALEENDAH", "ANDIR", "MANGGAHANG", "JELEKONG"],
            ),
            d(2, "SOREANG", &["SOREANG", "PAMEKARAN", "SADU"]),
            d(3, "DAYEUHKOLOT", &["CITEUREUP", "PASAWAHAN", "DAYEUHKOLOT"]),
        ],
    },
    Regency {
        code: 3271,
        name: "KOTA BOGOR",
        districts: &[
            d(
                1,
                "BOGOR TENGAH",
                &["PALEDANG", "PABATON", "SEMPUR", "BABAKAN"],
            ),
            d(
                2,
                "BOGOR BARAT",
                &["MENTENG", "CILENDEK BARAT", "CURUG MEKAR"],
            ),
        ],
    },
    Regency {
        code: 3275,
        name: "KOTA BEKASI",
        districts: &[
            d(1, "BEKASI BARAT", &["KRANJI", "BINTARA", "KOTA BARU"]),
            d(
                2,
                "BEKASI TIMUR",
                &["DUREN JAYA", "MARGAHAYU", "BEKASI JAYA"],
            ),
        ],
    },
    Regency {
        code: 3276,
        name: "KOTA DEPOK",
        districts: &[
            d(1, "BEJI", &["BEJI", "KUKUSAN", "PONDOK CINA"]),
            d(
                2,
                "PANCORAN MAS",
                &["DEPOK", "PANCORAN MAS", "RANGKAPAN JAYA"],
            ),
        ],
    },
    // 33 Jawa Tengah
    Regency {
        code: 3374,
        name: "KOTA SEMARANG",
        districts: &[
            d(1, "SEMARANG TENGAH", &["SEKAYU", "PEKUNDEN", "KEMBANGSARI"]),
            d(
                2,
                "CANDISARI",
                &["JATINGALEH", "KARANGANYAR GUNUNG", "CANDI"],
            ),
            d(
                3,
                "BANYUMANIK",
                &["BANYUMANIK", "SRONDOL WETAN", "PEDALANGAN"],
            ),
        ],
    },
    Regency {
        code: 3372,
        name: "KOTA SURAKARTA",
        districts: &[
            d(1, "LAWEYAN", &["LAWEYAN", "SONDAKAN", "PURWOSARI"]),
            d(2, "BANJARSARI", &["MANAHAN", "KESTALAN", "PUNGGAWAN"]),
            d(
                3,
                "JEBRES",
                &["JEBRES", "PURWODININGRATAN", "KEPATIHAN KULON"],
            ),
        ],
    },
    Regency {
        code: 3302,
        name: "KABUPATEN BANYUMAS",
        districts: &[
            d(1, "PURWOKERTO UTARA", &["GRENDENG", "BOBOSAN", "SUMAMPIR"]),
            d(
                2,
                "SOKARAJA",
                &["SOKARAJA KULON", "SOKARAJA TENGAH", "KARANGRAU"],
            ),
        ],
    },
    // 34 DI Yogyakarta
    Regency {
        code: 3471,
        name: "KOTA YOGYAKARTA",
        districts: &[
            d(
                1,
                "GONDOKUSUMAN",
                &["BACIRO", "DEMANGAN", "KLITREN", "TERBAN", "KOTABARU"],
            ),
            d(2, "JETIS", &["BUMIJO", "COKRODININGRATAN", "GOWONGAN"]),
            d(3, "KRATON", &["KADIPATEN", "PANEMBAHAN", "PATEHAN"]),
            d(
                4,
                "MERGANGSAN",
                &["BRONTOKUSUMAN", "KEPARAKAN", "WIROGUNAN"],
            ),
        ],
    },
    Regency {
        code: 3404,
        name: "KABUPATEN SLEMAN",
        districts: &[
            d(1, "DEPOK", &["CATURTUNGGAL", "CONDONGCATUR", "MAGUWOHARJO"]),
            d(2, "MLATI", &["SINDUADI", "SENDANGADI", "TLOGOADI"]),
        ],
    },
    // 35 Jawa Timur
    Regency {
        code: 3578,
        name: "KOTA SURABAYA",
        districts: &[
            d(
                1,
                "GENTENG",
                &[
                    "GENTENG",
                    "EMBONG KALIASIN",
                    "KETABANG",
                    "KAPASARI",
                    "PENELEH",
                ],
            ),
            d(
                2,
                "TEGALSARI",
                &["TEGALSARI", "DR. SOETOMO", "KEDUNGDORO", "WONOREJO"],
            ),
            d(3, "GUBENG", &["AIRLANGGA", "GUBENG", "MOJO", "BARATAJAYA"]),
            d(
                4,
                "WONOKROMO",
                &["DARMO", "JAGIR", "NGAGEL REJO", "SAWUNGGALING"],
            ),
        ],
    },
    Regency {
        code: 3573,
        name: "KOTA MALANG",
        districts: &[
            d(1, "KLOJEN", &["KAUMAN", "ORO-ORO DOWO", "KLOJEN", "SAMAAN"]),
            d(
                2,
                "LOWOKWARU",
                &["DINOYO", "KETAWANGGEDE", "LOWOKWARU", "TLOGOMAS"],
            ),
        ],
    },
    Regency {
        code: 3515,
        name: "KABUPATEN SIDOARJO",
        districts: &[
            d(1, "SIDOARJO", &["LEMAHPUTRO", "MAGERSARI", "SEKARDANGAN"]),
            d(2, "WARU", &["WARU", "KUREKSARI", "WADUNGASRI"]),
        ],
    },
    // 36 Banten
    Regency {
        code: 3671,
        name: "KOTA TANGERANG",
        districts: &[
            d(1, "TANGERANG", &["SUKAASIH", "BABAKAN", "SUKARASA"]),
            d(2, "CIPONDOH", &["CIPONDOH", "PORIS PLAWAD", "KENANGA"]),
        ],
    },
    Regency {
        code: 3674,
        name: "KOTA TANGERANG SELATAN",
        districts: &[
            d(
                1,
                "SERPONG",
                &["CILENGGANG", "LENGKONG GUDANG", "RAWA MEKAR JAYA"],
            ),
            d(2, "CIPUTAT", &["CIPUTAT", "CIPAYUNG", "SERUA"]),
            d(
                3,
                "PONDOK AREN",
                &["PONDOK AREN", "JURANG MANGU BARAT", "PONDOK KACANG TIMUR"],
            ),
        ],
    },
    // 51 Bali
    Regency {
        code: 5171,
        name: "KOTA DENPASAR",
        districts: &[
            d(
                1,
                "DENPASAR SELATAN",
                &["SANUR", "SESETAN", "PANJER", "RENON"],
            ),
            d(2, "DENPASAR TIMUR", &["DANGIN PURI", "SUMERTA", "KESIMAN"]),
            d(
                3,
                "DENPASAR BARAT",
                &["DAUH PURI", "PADANGSAMBIAN", "PEMECUTAN"],
            ),
            d(
                4,
                "DENPASAR UTARA",
                &["PEGUYANGAN", "UBUNG", "DANGIN PURI KAJA"],
            ),
        ],
    },
    Regency {
        code: 5103,
        name: "KABUPATEN BADUNG",
        districts: &[
            d(1, "KUTA", &["KUTA", "LEGIAN", "SEMINYAK", "TUBAN"]),
            d(2, "KUTA UTARA", &["KEROBOKAN", "CANGGU", "DALUNG"]),
            d(3, "MENGWI", &["MENGWI", "KAPAL", "ABIANBASE"]),
        ],
    },
    Regency {
        code: 5104,
        name: "KABUPATEN GIANYAR",
        districts: &[d(1, "UBUD", &["UBUD", "PELIATAN", "MAS", "PETULU"])],
    },
    // 52 Nusa Tenggara Barat
    Regency {
        code: 5271,
        name: "KOTA MATARAM",
        districts: &[
            d(
                1,
                "AMPENAN",
                &["AMPENAN SELATAN", "AMPENAN TENGAH", "KEBUN SARI"],
            ),
            d(
                2,
                "CAKRANEGARA",
                &["CAKRANEGARA BARAT", "CAKRANEGARA TIMUR", "SAYANG-SAYANG"],
            ),
            d(3, "MATARAM", &["PAGESANGAN", "PAGUTAN", "PUNIA"]),
        ],
    },
    // 53 Nusa Tenggara Timur
    Regency {
        code: 5371,
        name: "KOTA KUPANG",
        districts: &[
            d(1, "KELAPA LIMA", &["KELAPA LIMA", "OESAPA", "LASIANA"]),
            d(2, "OEBOBO", &["OEBOBO", "FATULULI", "OETETE"]),
            d(3, "KOTA RAJA", &["NAIKOTEN I", "BAKUNASE", "AIR NONA"]),
        ],
    },
    // 61 Kalimantan Barat
    Regency {
        code: 6171,
        name: "KOTA PONTIANAK",
        districts: &[
            d(
                1,
                "PONTIANAK KOTA",
                &["DARAT SEKIP", "TENGAH", "MARIANA", "SUNGAI BANGKONG"],
            ),
            d(
                2,
                "PONTIANAK SELATAN",
                &["BENUA MELAYU DARAT", "AKCAYA", "PARIT TOKAYA"],
            ),
            d(
                3,
                "PONTIANAK BARAT",
                &["SUNGAI BELIUNG", "PAL LIMA", "SUNGAI JAWI DALAM"],
            ),
        ],
    },
    // 62 Kalimantan Tengah
    Regency {
        code: 6271,
        name: "KOTA PALANGKA RAYA",
        districts: &[
            d(1, "PAHANDUT", &["PAHANDUT", "LANGKAI", "PANARUNG"]),
            d(2, "JEKAN RAYA", &["MENTENG", "PALANGKA", "BUKIT TUNGGAL"]),
        ],
    },
    // 63 Kalimantan Selatan
    Regency {
        code: 6371,
        name: "KOTA BANJARMASIN",
        districts: &[
            d(
                1,
                "BANJARMASIN TENGAH",
                &["TELUK DALAM", "KERTAK BARU ILIR", "ANTASAN BESAR"],
            ),
            d(
                2,
                "BANJARMASIN UTARA",
                &["SUNGAI MIAI", "ANTASAN KECIL TIMUR", "SUNGAI JINGAH"],
            ),
            d(
                3,
                "BANJARMASIN SELATAN",
                &["KELAYAN BARAT", "PEKAPURAN LAUT", "TANJUNG PAGAR"],
            ),
        ],
    },
    // 64 Kalimantan Timur
    Regency {
        code: 6471,
        name: "KOTA BALIKPAPAN",
        districts: &[
            d(
                1,
                "BALIKPAPAN KOTA",
                &["KLANDASAN ILIR", "KLANDASAN ULU", "PRAPATAN"],
            ),
            d(
                2,
                "BALIKPAPAN SELATAN",
                &["SEPINGGAN", "GUNUNG BAHAGIA", "SEPINGGAN RAYA"],
            ),
        ],
    },
    Regency {
        code: 6472,
        name: "KOTA SAMARINDA",
        districts: &[
            d(1, "SAMARINDA ULU", &["AIR HITAM", "DADI MULYA", "SIDODADI"]),
            d(2, "SAMARINDA ILIR", &["PELITA", "SUNGAI DAMA", "SIDOMULYO"]),
        ],
    },
    // 65 Kalimantan Utara
    Regency {
        code: 6571,
        name: "KOTA TARAKAN",
        districts: &[
            d(
                1,
                "TARAKAN BARAT",
                &["KARANG ANYAR", "KARANG BALIK", "KARANG REJO"],
            ),
            d(2, "TARAKAN TENGAH", &["SELUMIT", "PAMUSIAN", "SEBENGKOK"]),
        ],
    },
    // 71 Sulawesi Utara
    Regency {
        code: 7171,
        name: "KOTA MANADO",
        districts: &[
            d(
                1,
                "WENANG",
                &["WENANG UTARA", "WENANG SELATAN", "PINAESAAN"],
            ),
            d(2, "SARIO", &["SARIO", "TITIWUNGEN UTARA", "RANOTANA"]),
            d(3, "MALALAYANG", &["MALALAYANG SATU", "BAHU", "KLEAK"]),
        ],
    },
    // 72 Sulawesi Tengah
    Regency {
        code: 7271,
        name: "KOTA PALU",
        districts: &[
            d(1, "PALU BARAT", &["UJUNA", "BARU", "SIRANINDI"]),
            d(
                2,
                "PALU TIMUR",
                &["BESUSU BARAT", "LOLU UTARA", "BESUSU TENGAH"],
            ),
        ],
    },
    // 73 Sulawesi Selatan
    Regency {
        code: 7371,
        name: "KOTA MAKASSAR",
        districts: &[
            d(
                1,
                "UJUNG PANDANG",
                &["BARU", "BULOGADING", "LAE-LAE", "LOSARI"],
            ),
            d(2, "PANAKKUKANG", &["PANDANG", "KARAMPUANG", "MASALE"]),
            d(
                3,
                "TAMALATE",
                &["MANGASA", "PARANG TAMBUNG", "TANJUNG MERDEKA"],
            ),
            d(
                4,
                "RAPPOCINI",
                &["BANTA-BANTAENG", "GUNUNG SARI", "BUAKANA"],
            ),
        ],
    },
    Regency {
        code: 7306,
        name: "KABUPATEN GOWA",
        districts: &[d(
            1,
            "SOMBA OPU",
            &["SUNGGUMINASA", "TOMPOBALANG", "BATANGKALUKU"],
        )],
    },
    // 74 Sulawesi Tenggara
    Regency {
        code: 7471,
        name: "KOTA KENDARI",
        districts: &[
            d(
                1,
                "KENDARI BARAT",
                &["BENU-BENUA", "SODOHOA", "DAPU-DAPURA"],
            ),
            d(2, "MANDONGA", &["MANDONGA", "KORUMBA", "WAWOMBALATA"]),
        ],
    },
    // 75 Gorontalo
    Regency {
        code: 7571,
        name: "KOTA GORONTALO",
        districts: &[
            d(1, "KOTA SELATAN", &["BIAWAO", "LIMBA U SATU", "BIAWU"]),
            d(2, "KOTA TENGAH", &["WUMIALO", "DULALOWO", "LIATO"]),
        ],
    },
    // 81 Maluku
    Regency {
        code: 8171,
        name: "KOTA AMBON",
        districts: &[
            d(1, "NUSANIWE", &["BENTENG", "KUDAMATI", "NUSANIWE"]),
            d(2, "SIRIMAU", &["BATU MERAH", "HONIPOPU", "URITETU"]),
        ],
    },
    // 82 Maluku Utara
    Regency {
        code: 8271,
        name: "KOTA TERNATE",
        districts: &[
            d(
                1,
                "TERNATE SELATAN",
                &["KALUMPANG", "BASTIONG KARANCE", "MANGGA DUA"],
            ),
            d(
                2,
                "TERNATE TENGAH",
                &["GAMALAMA", "MAKASSAR TIMUR", "KAMPUNG PISANG"],
            ),
        ],
    },
    // 91 Papua
    Regency {
        code: 9171,
        name: "KOTA JAYAPURA",
        districts: &[
            d(
                1,
                "JAYAPURA UTARA",
                &["GURABESI", "BHAYANGKARA", "TANJUNG RIA"],
            ),
            d(2, "JAYAPURA SELATAN", &["ARDIPURA", "HAMADI", "ENTROP"]),
            d(3, "ABEPURA", &["KOTA BARU", "WAHNO", "AWIYO"]),
        ],
    },
];

/// The regencies of the illustrative table in one province.
pub fn regencies_in(province_code: u8) -> impl Iterator<Item = &'static Regency> {
    REGENCIES
        .iter()
        .filter(move |r| r.province_code() == province_code)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn province_table_is_complete_and_ordered() {
        let codes: Vec<u8> = PROVINCES.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            vec![
                11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62,
                63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96
            ]
        );
        assert_eq!(province(32).unwrap().name, "Jawa Barat");
        assert_eq!(province(96).unwrap().name, "Papua Barat Daya");
        assert!(province(20).is_none());
        assert_eq!(province(34).unwrap().card_name(), "DI YOGYAKARTA");
    }

    #[test]
    fn parse_region_codes() {
        let r = RegionCode::parse("327301").unwrap();
        assert_eq!(r.province_code(), 32);
        assert_eq!(r.regency_code(), 73);
        assert_eq!(r.district_code(), 1);
        assert_eq!(r.full_regency_code(), 3273);
        assert_eq!(r.regency_kind(), RegencyKind::Kota);
        assert_eq!(r.regency().unwrap().name, "KOTA BANDUNG");
        assert_eq!(r.district().unwrap().name, "SUKAJADI");
        assert_eq!(r.to_string(), "327301");
        assert_eq!(format!("{r:?}"), "RegionCode(327301)");
        let k = RegionCode::parse("320401").unwrap();
        assert_eq!(k.regency_kind(), RegencyKind::Kabupaten);
        let unknown = RegionCode::parse("329999").unwrap();
        assert!(unknown.regency().is_none());
        assert!(unknown.district().is_none());
    }

    #[test]
    fn region_errors() {
        let cases: &[(&str, RegionError)] = &[
            ("32730", RegionError::Length { len: 5 }),
            ("3273011", RegionError::Length { len: 7 }),
            (
                "32x301",
                RegionError::NonDigit {
                    position: 3,
                    found: 'x',
                },
            ),
            ("207301", RegionError::UnknownProvince { code: 20 }),
            ("397301", RegionError::UnknownProvince { code: 39 }),
            ("997301", RegionError::UnknownProvince { code: 99 }),
            ("000101", RegionError::UnknownProvince { code: 0 }),
            ("320001", RegionError::Regency { code: 0 }),
            ("327300", RegionError::District { code: 0 }),
        ];
        for (s, e) in cases {
            assert_eq!(RegionCode::parse(s).as_ref(), Err(e), "{s}");
        }
        assert_eq!(
            RegionCode::new(32, 100, 1),
            Err(RegionError::Regency { code: 100 })
        );
        assert_eq!(
            RegionCode::new(32, 1, 100),
            Err(RegionError::District { code: 100 })
        );
        assert_eq!(
            RegionError::UnknownProvince { code: 20 }.to_string(),
            "province code 20 is not an Indonesian province"
        );
    }

    #[test]
    fn regency_table_is_consistent() {
        let mut codes = HashSet::new();
        let mut provinces = HashSet::new();
        for r in REGENCIES {
            assert!(codes.insert(r.code), "duplicate regency {}", r.code);
            assert!(province(r.province_code()).is_some(), "{}", r.code);
            assert!(r.regency_code() != 0, "{}", r.code);
            let is_kota = r.name.starts_with("KOTA ") || r.province_code() == 31;
            assert_eq!(r.kind() == RegencyKind::Kota, is_kota, "{}", r.name);
            assert!(!r.districts.is_empty(), "{}", r.name);
            let mut dcodes = HashSet::new();
            for d in r.districts {
                assert!(dcodes.insert(d.code), "{} district {}", r.name, d.code);
                assert!(!d.villages.is_empty(), "{} {}", r.name, d.name);
                let rc = r.region_code(d).unwrap();
                assert_eq!(rc.regency().unwrap().code, r.code);
                assert_eq!(rc.district().unwrap().name, d.name);
                for v in d.villages {
                    assert_eq!(v.to_uppercase(), *v);
                }
            }
            assert_eq!(r.name.to_uppercase(), r.name);
            provinces.insert(r.province_code());
        }
        assert!(provinces.len() >= 20, "{} provinces", provinces.len());
        for code in [
            3171, 3172, 3173, 3174, 3175, 3273, 3578, 3471, 5171, 1271, 7371, 1171, 9171,
        ] {
            assert!(regency(code).is_some(), "{code}");
        }
        assert_eq!(regency(3273).unwrap().place_name(), "BANDUNG");
        assert_eq!(regency(3204).unwrap().place_name(), "BANDUNG");
        assert_eq!(regencies_in(31).count(), 5);
    }
}
