//! KK (Kartu Keluarga, family card) number: 16 digits.
//!
//! `PPRRDD DDMMYY SSSS`: province · regency/city · district (same rules as the NIK) · the date
//! the KK was issued (a real calendar date, no + 40; century as for the NIK, so never in the
//! future) · serial 0001–9999.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::RangeInclusive;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use super::nik::{mask, no_such_date, number, resolve_ddmmyy, sixteen_digits, DateProblem};
use super::region::{RegionCode, RegionError};

/// The part of a KK number that an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KkPart {
    /// The number as a whole (its length).
    Whole,
    /// Digits 1–2.
    Province,
    /// Digits 3–4.
    Regency,
    /// Digits 5–6.
    District,
    /// Digits 7–8.
    IssueDay,
    /// Digits 9–10.
    IssueMonth,
    /// Digits 7–12 taken together.
    IssueDate,
    /// Digits 13–16.
    Serial,
}

impl KkPart {
    /// The 1-based digit positions of this part.
    pub fn positions(self) -> RangeInclusive<usize> {
        match self {
            KkPart::Whole => 1..=16,
            KkPart::Province => 1..=2,
            KkPart::Regency => 3..=4,
            KkPart::District => 5..=6,
            KkPart::IssueDay => 7..=8,
            KkPart::IssueMonth => 9..=10,
            KkPart::IssueDate => 7..=12,
            KkPart::Serial => 13..=16,
        }
    }

    /// The part a 1-based digit position belongs to.
    pub fn at(position: usize) -> KkPart {
        match position {
            1..=2 => KkPart::Province,
            3..=4 => KkPart::Regency,
            5..=6 => KkPart::District,
            7..=8 => KkPart::IssueDay,
            9..=10 => KkPart::IssueMonth,
            11..=12 => KkPart::IssueDate,
            13..=16 => KkPart::Serial,
            _ => KkPart::Whole,
        }
    }

    /// English name of the part.
    pub fn label(self) -> &'static str {
        match self {
            KkPart::Whole => "number",
            KkPart::Province => "province",
            KkPart::Regency => "regency/city",
            KkPart::District => "district",
            KkPart::IssueDay => "issue day",
            KkPart::IssueMonth => "issue month",
            KkPart::IssueDate => "issue date",
            KkPart::Serial => "serial",
        }
    }
}

impl fmt::Display for KkPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a string is not a valid KK number. Each variant names the wrong part and its value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KkError {
    /// Not 16 characters.
    #[error("a KK number has 16 digits, this one has {len} characters")]
    Length { len: usize },
    /// A character that is not an ASCII digit; `position` is 1-based.
    #[error("character {position} of the KK number ({part}) is {found:?}, not a digit", part = KkPart::at(*.position))]
    NonDigit { position: usize, found: char },
    /// Province code not in the Kemendagri list.
    #[error("province code {code:02} is not an Indonesian province")]
    UnknownProvince { code: u8 },
    /// Regency code 00.
    #[error("regency code {code:02} is not valid (kabupaten 01–70, kota 71–99)")]
    Regency { code: u8 },
    /// District code 00.
    #[error("district code {code:02} is not valid (01–99)")]
    District { code: u8 },
    /// Day field outside 01–31.
    #[error("issue day {day:02} is not a valid day (01–31)")]
    IssueDay { day: u8 },
    /// Month field outside 01–12.
    #[error("issue month {month:02} is not a month (01–12)")]
    IssueMonth { month: u8 },
    /// The issue date does not exist in the year the century rule gives.
    #[error("{}", no_such_date(*.day, *.month, *.year))]
    NoSuchDate { day: u8, month: u8, year: i16 },
    /// Serial 0000 (or above 9999 when building).
    #[error("serial {serial:04} is not valid (0001–9999)")]
    Serial { serial: u16 },
}

impl KkError {
    /// The part of the KK number that is wrong.
    pub fn part(&self) -> KkPart {
        match self {
            KkError::Length { .. } => KkPart::Whole,
            KkError::NonDigit { position, .. } => KkPart::at(*position),
            KkError::UnknownProvince { .. } => KkPart::Province,
            KkError::Regency { .. } => KkPart::Regency,
            KkError::District { .. } => KkPart::District,
            KkError::IssueDay { .. } => KkPart::IssueDay,
            KkError::IssueMonth { .. } => KkPart::IssueMonth,
            KkError::NoSuchDate { .. } => KkPart::IssueDate,
            KkError::Serial { .. } => KkPart::Serial,
        }
    }
}

impl From<RegionError> for KkError {
    fn from(e: RegionError) -> Self {
        match e {
            RegionError::Length { len } => KkError::Length { len },
            RegionError::NonDigit { position, found } => KkError::NonDigit { position, found },
            RegionError::UnknownProvince { code } => KkError::UnknownProvince { code },
            RegionError::Regency { code } => KkError::Regency { code },
            RegionError::District { code } => KkError::District { code },
        }
    }
}

/// A valid KK number. Equal when the digits are equal; `Debug` prints only the masked form.
#[derive(Clone)]
pub struct KkNumber {
    digits: String,
    region: RegionCode,
    issue_date: Date,
    serial: u16,
}

impl KkNumber {
    /// Parses and validates every part; `today` decides the century of the issue year.
    pub fn parse(s: &str, today: Date) -> Result<KkNumber, KkError> {
        let d = sixteen_digits(s)?;
        let region = RegionCode::from_digits(d)?;
        let day = number(d, 6, 2) as u8;
        if !(1..=31).contains(&day) {
            return Err(KkError::IssueDay { day });
        }
        let month = number(d, 8, 2) as u8;
        let yy = number(d, 10, 2) as u8;
        let issue_date = resolve_ddmmyy(day, month, yy, today).map_err(|p| match p {
            DateProblem::Month(month) => KkError::IssueMonth { month },
            DateProblem::NoSuchDate { day, month, year } => {
                KkError::NoSuchDate { day, month, year }
            }
        })?;
        let serial = number(d, 12, 4);
        if serial == 0 {
            return Err(KkError::Serial { serial });
        }
        Ok(KkNumber {
            digits: s.to_owned(),
            region,
            issue_date,
            serial,
        })
    }

    /// Parses with today's date in Asia/Jakarta.
    pub fn parse_now(s: &str) -> Result<KkNumber, KkError> {
        KkNumber::parse(s, super::nik::today_in_jakarta())
    }

    /// Builds a KK number (for generators and tests); fails when the serial is 0 or above 9999.
    pub fn build(region: RegionCode, issue_date: Date, serial: u16) -> Result<KkNumber, KkError> {
        if !(1..=9999).contains(&serial) {
            return Err(KkError::Serial { serial });
        }
        let digits = format!(
            "{region}{:02}{:02}{:02}{serial:04}",
            issue_date.day(),
            issue_date.month(),
            issue_date.year().rem_euclid(100)
        );
        Ok(KkNumber {
            digits,
            region,
            issue_date,
            serial,
        })
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// Province · regency · district of the family's registration.
    pub fn region(&self) -> RegionCode {
        self.region
    }

    /// The date the KK was issued.
    pub fn issue_date(&self) -> Date {
        self.issue_date
    }

    /// Serial 1..=9999.
    pub fn serial(&self) -> u16 {
        self.serial
    }

    /// First six and last four digits, the rest `*`.
    pub fn masked(&self) -> String {
        mask(&self.digits)
    }
}

impl PartialEq for KkNumber {
    fn eq(&self, other: &Self) -> bool {
        self.digits == other.digits
    }
}

impl Eq for KkNumber {}

impl Hash for KkNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
    }
}

impl fmt::Display for KkNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

impl fmt::Debug for KkNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KkNumber({})", self.masked())
    }
}

impl Serialize for KkNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.digits)
    }
}

impl<'de> Deserialize<'de> for KkNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        KkNumber::parse_now(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::region::PROVINCES;
    use super::*;
    use jiff::civil::date;
    use jiff::ToSpan;
    use proptest::prelude::*;

    const TODAY: Date = date(2026, 11, 25);

    #[test]
    fn valid_kk_numbers() {
        let cases: &[(&str, &str, Date, u16)] = &[
            ("3273011708150001", "327301", date(2015, 8, 17), 1),
            ("3171060101000123", "317106", date(2000, 1, 1), 123),
            ("5171023112999999", "517102", date(1999, 12, 31), 9999),
            ("3171062902240003", "317106", date(2024, 2, 29), 3),
            ("3171062902000003", "317106", date(2000, 2, 29), 3),
            // century rule: today itself is fine, tomorrow is last century
            ("3273012511260001", "327301", date(2026, 11, 25), 1),
            ("3273012611260001", "327301", date(1926, 11, 26), 1),
            ("3273010101300001", "327301", date(1930, 1, 1), 1),
        ];
        for (s, region, issued, serial) in cases {
            let kk = KkNumber::parse(s, TODAY).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(kk.as_str(), *s);
            assert_eq!(kk.region().to_string(), *region);
            assert_eq!(kk.issue_date(), *issued, "{s}");
            assert_eq!(kk.serial(), *serial);
            assert!(kk.issue_date() <= TODAY);
        }
    }

    #[test]
    fn errors() {
        use KkError as E;
        let cases: &[(&str, KkError, KkPart)] = &[
            ("327301170815001", E::Length { len: 15 }, KkPart::Whole),
            ("32730117081500011", E::Length { len: 17 }, KkPart::Whole),
            (
                "32730117a8150001",
                E::NonDigit {
                    position: 9,
                    found: 'a',
                },
                KkPart::IssueMonth,
            ),
            (
                "2073011708150001",
                E::UnknownProvince { code: 20 },
                KkPart::Province,
            ),
            (
                "3973011708150001",
                E::UnknownProvince { code: 39 },
                KkPart::Province,
            ),
            (
                "9973011708150001",
                E::UnknownProvince { code: 99 },
                KkPart::Province,
            ),
            ("3200011708150001", E::Regency { code: 0 }, KkPart::Regency),
            (
                "3273001708150001",
                E::District { code: 0 },
                KkPart::District,
            ),
            ("3273010008150001", E::IssueDay { day: 0 }, KkPart::IssueDay),
            (
                "3273013208150001",
                E::IssueDay { day: 32 },
                KkPart::IssueDay,
            ),
            // no + 40 on a KK
            (
                "3273015708150001",
                E::IssueDay { day: 57 },
                KkPart::IssueDay,
            ),
            (
                "3273011700150001",
                E::IssueMonth { month: 0 },
                KkPart::IssueMonth,
            ),
            (
                "3273011713150001",
                E::IssueMonth { month: 13 },
                KkPart::IssueMonth,
            ),
            (
                "3273012902150001",
                E::NoSuchDate {
                    day: 29,
                    month: 2,
                    year: 2015,
                },
                KkPart::IssueDate,
            ),
            (
                "3273013106150001",
                E::NoSuchDate {
                    day: 31,
                    month: 6,
                    year: 2015,
                },
                KkPart::IssueDate,
            ),
            ("3273011708150000", E::Serial { serial: 0 }, KkPart::Serial),
        ];
        for (s, err, part) in cases {
            assert_eq!(KkNumber::parse(s, TODAY).as_ref().err(), Some(err), "{s}");
            assert_eq!(err.part(), *part, "{s}");
        }
        assert_eq!(
            KkNumber::parse("3273015708150001", TODAY)
                .unwrap_err()
                .to_string(),
            "issue day 57 is not a valid day (01–31)"
        );
        assert_eq!(
            KkNumber::parse("3273012902150001", TODAY)
                .unwrap_err()
                .to_string(),
            "29 February 2015 does not exist (2015 is not a leap year)"
        );
    }

    #[test]
    fn masked_debug_serde_and_build() {
        let kk = KkNumber::parse("3273011708150001", TODAY).unwrap();
        assert_eq!(kk.masked(), "327301******0001");
        assert_eq!(format!("{kk:?}"), "KkNumber(327301******0001)");
        let json = serde_json::to_string(&kk).unwrap();
        assert_eq!(json, "\"3273011708150001\"");
        let back: KkNumber = serde_json::from_str(&json).unwrap();
        assert_eq!(back, kk);
        assert!(serde_json::from_str::<KkNumber>("\"3273011708150000\"").is_err());
        let built = KkNumber::build(kk.region(), date(2015, 8, 17), 1).unwrap();
        assert_eq!(built, kk);
        assert_eq!(
            KkNumber::build(kk.region(), date(2015, 8, 17), 0),
            Err(KkError::Serial { serial: 0 })
        );
    }

    proptest! {
        #[test]
        fn built_kk_numbers_parse_back(
            p in 0..PROVINCES.len(),
            r in 1u8..=99,
            d in 1u8..=99,
            days_before in 0i32..36_500,
            serial in 1u16..=9999,
        ) {
            let region = RegionCode::new(PROVINCES[p].code, r, d).unwrap();
            let issued = TODAY.checked_sub(days_before.days()).unwrap();
            let kk = KkNumber::build(region, issued, serial).unwrap();
            let parsed = KkNumber::parse(kk.as_str(), TODAY).unwrap();
            prop_assert_eq!(parsed.region(), region);
            prop_assert_eq!(parsed.issue_date(), issued);
            prop_assert_eq!(parsed.serial(), serial);
        }

        #[test]
        fn any_string_never_panics(s in any::<String>()) {
            let _ = KkNumber::parse(&s, TODAY).map_err(|e| (e.to_string(), e.part()));
        }

        #[test]
        fn any_digits_never_panic(s in "[0-9]{16}") {
            if let Ok(kk) = KkNumber::parse(&s, TODAY) {
                prop_assert!(kk.issue_date() <= TODAY);
            }
        }
    }
}
