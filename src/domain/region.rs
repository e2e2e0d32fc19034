//! Administrative regions of Indonesia as they appear in the first six digits of a NIK or a KK
//! number: province (2 digits) · regency or city (2 digits) · district (2 digits).
//!
//! The province table is complete (Kemendagri codes, including the four Papuan provinces created
//! in 2022). The regency table ([`REGENCIES`]) is a small **illustrative** sample used by the
//! synthetic population generator and to put names on codes in the CLI; it is not the Kemendagri
//! register and must never be used to reject a code.
//!
//! Both are data, not code: `assets/regions/provinces.tsv` and `assets/regions/districts.tsv`,
//! embedded in the binary and read once, the first time a region is asked for.

use std::fmt;
use std::sync::LazyLock;

use thiserror::Error;

const PROVINCES_TSV: &str = include_str!("../../assets/regions/provinces.tsv");
const DISTRICTS_TSV: &str = include_str!("../../assets/regions/districts.tsv");

/// The data lines of a TSV file (comments and blank lines skipped), with their line numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
}

/// A line of an embedded table that could not be read (a build defect the tests catch).
fn bad_line(file: &str, line: usize) {
    tracing::error!(
        file,
        line,
        "a line of the embedded region table cannot be read"
    );
}

fn read_provinces(text: &str) -> (Vec<Province>, usize) {
    let mut out = Vec::new();
    let mut bad = 0;
    for (n, cols) in data_lines(text) {
        match (
            cols.as_slice(),
            cols.first().and_then(|c| c.parse::<u8>().ok()),
        ) {
            ([_, name], Some(code)) if !name.is_empty() => out.push(Province {
                code,
                name: (*name).to_string(),
            }),
            _ => {
                bad_line("provinces.tsv", n);
                bad += 1;
            }
        }
    }
    (out, bad)
}

fn read_regencies(text: &str) -> (Vec<Regency>, usize) {
    let mut out: Vec<Regency> = Vec::new();
    let mut bad = 0;
    for (n, cols) in data_lines(text) {
        let parsed = match cols.as_slice() {
            [code, name, dcode, dname, villages] => {
                match (code.parse::<u16>(), dcode.parse::<u8>()) {
                    (Ok(code), Ok(dcode)) if !name.is_empty() && !dname.is_empty() => Some((
                        code,
                        *name,
                        District {
                            code: dcode,
                            name: (*dname).to_string(),
                            villages: villages
                                .split('|')
                                .filter(|v| !v.is_empty())
                                .map(str::to_string)
                                .collect(),
                        },
                    )),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some((code, name, district)) = parsed else {
            bad_line("districts.tsv", n);
            bad += 1;
            continue;
        };
        match out.iter_mut().find(|r| r.code == code) {
            Some(r) => r.districts.push(district),
            None => out.push(Regency {
                code,
                name: name.to_string(),
                districts: vec![district],
            }),
        }
    }
    (out, bad)
}

/// One of Indonesia's provinces (provinsi).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Province {
    /// Kemendagri code, 11..=96.
    pub code: u8,
    /// Name as written in the reference list, e.g. "Jawa Barat".
    pub name: String,
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
pub static PROVINCES: LazyLock<Vec<Province>> = LazyLock::new(|| read_provinces(PROVINCES_TSV).0);

/// The province with this code, if there is one.
pub fn province(code: u8) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}

/// What [`RegionCode::province`] answers should the table ever lack a code it accepted.
static FALLBACK_PROVINCE: LazyLock<Province> = LazyLock::new(|| Province {
    code: 0,
    name: String::new(),
});

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
        match self::province(self.province) {
            Some(p) => p,
            None => &FALLBACK_PROVINCE,
        }
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regency {
    /// Four-digit Kemendagri code, province included, e.g. 3273.
    pub code: u16,
    /// Name in capitals as printed on the card header, e.g. "KOTA BANDUNG".
    pub name: String,
    /// A few of its districts.
    pub districts: Vec<District>,
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
    pub fn place_name(&self) -> &str {
        self.name
            .strip_prefix("KOTA ")
            .or_else(|| self.name.strip_prefix("KABUPATEN "))
            .unwrap_or(&self.name)
    }

    /// The region code of one of its districts.
    pub fn region_code(&self, district: &District) -> Result<RegionCode, RegionError> {
        RegionCode::new(self.province_code(), self.regency_code(), district.code)
    }
}

/// A district (kecamatan) of the illustrative table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    /// Two-digit code within the regency (illustrative).
    pub code: u8,
    /// Name in capitals, e.g. "COBLONG".
    pub name: String,
    /// A few of its kelurahan/desa, in capitals.
    pub villages: Vec<String>,
}

/// The regency with this four-digit code in the illustrative table.
pub fn regency(code: u16) -> Option<&'static Regency> {
    REGENCIES.iter().find(|r| r.code == code)
}

/// An **illustrative** sample of regencies and cities with a few districts (kecamatan) and
/// villages (kelurahan/desa) each, for the synthetic population and for naming codes in the CLI
/// (`assets/regions/districts.tsv`).
///
/// The four-digit regency codes are the Kemendagri codes; the district and village names are
/// real places of the regency they are listed under as far as the authors know (not checked
/// against the register), and **the two-digit district codes are illustrative and may not
/// match Kemendagri's**. The table is far from complete: a code missing here is not an invalid
/// code.
pub static REGENCIES: LazyLock<Vec<Regency>> = LazyLock::new(|| read_regencies(DISTRICTS_TSV).0);

/// The regencies of the illustrative table in one province.
pub fn regencies_in(province_code: u8) -> impl Iterator<Item = &'static Regency> {
    REGENCIES
        .iter()
        .filter(move |r| r.province_code() == province_code)
}

/// How many lines of the embedded tables could not be read (none, the tests check).
pub fn unreadable_lines() -> usize {
    read_provinces(PROVINCES_TSV).1 + read_regencies(DISTRICTS_TSV).1
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_embedded_tables_read_without_a_bad_line() {
        assert_eq!(unreadable_lines(), 0);
        assert_eq!(REGENCIES.len(), 53);
        assert_eq!(
            REGENCIES.iter().map(|r| r.districts.len()).sum::<usize>(),
            141
        );
        let (_, bad) = read_regencies("3273\tKOTA BANDUNG\tx\tCOBLONG\tA|B\n1\t2\n");
        assert_eq!(bad, 2, "a bad line is counted, not taken");
    }

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
        for r in REGENCIES.iter() {
            assert!(codes.insert(r.code), "duplicate regency {}", r.code);
            assert!(province(r.province_code()).is_some(), "{}", r.code);
            assert!(r.regency_code() != 0, "{}", r.code);
            let is_kota = r.name.starts_with("KOTA ") || r.province_code() == 31;
            assert_eq!(r.kind() == RegencyKind::Kota, is_kota, "{}", r.name);
            assert!(!r.districts.is_empty(), "{}", r.name);
            let mut dcodes = HashSet::new();
            for d in &r.districts {
                assert!(dcodes.insert(d.code), "{} district {}", r.name, d.code);
                assert!(!d.villages.is_empty(), "{} {}", r.name, d.name);
                let rc = r.region_code(d).unwrap();
                assert_eq!(rc.regency().unwrap().code, r.code);
                assert_eq!(rc.district().unwrap().name, d.name);
                for v in &d.villages {
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
