//! NIK (Nomor Induk Kependudukan): the 16-digit population number (PP 37/2007).
//!
//! `PPRRDD DDMMYY SSSS`: province · regency/city · district where the NIK was first issued ·
//! birth date with 40 added to the day for women · serial 0001–9999.
//!
//! The century of `YY` is not in the number: the birth year is the latest year ending in `YY`
//! such that the birth date is not after `today` (which is injected, so tests are exact).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::RangeInclusive;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use super::region::{Province, RegionCode, RegionError};

/// Today's date in Asia/Jakarta (WIB, UTC+7; Indonesia has no daylight saving time).
///
/// Uses a fixed +07:00 offset, so it needs no time-zone database.
pub fn today_in_jakarta() -> Date {
    crate::clock::WIB.to_datetime(jiff::Timestamp::now()).date()
}

/// Sex as encoded in the NIK (women: day + 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    /// Laki-laki.
    #[serde(rename = "LAKI-LAKI")]
    Male,
    /// Perempuan.
    #[serde(rename = "PEREMPUAN")]
    Female,
}

impl Sex {
    /// The label printed on the KTP-el ("Jenis Kelamin").
    pub fn ktp_label(self) -> &'static str {
        match self {
            Sex::Male => "LAKI-LAKI",
            Sex::Female => "PEREMPUAN",
        }
    }

    /// What is added to the birth day in the NIK: 0 for men, 40 for women.
    pub fn day_offset(self) -> u8 {
        match self {
            Sex::Male => 0,
            Sex::Female => 40,
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ktp_label())
    }
}

/// The part of a NIK that an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NikPart {
    /// The number as a whole (its length).
    Whole,
    /// Digits 1–2.
    Province,
    /// Digits 3–4.
    Regency,
    /// Digits 5–6.
    District,
    /// Digits 7–8 (day, + 40 for women).
    BirthDay,
    /// Digits 9–10.
    BirthMonth,
    /// Digits 7–12 taken together (a day that does not exist in that month and year).
    BirthDate,
    /// Digits 13–16.
    Serial,
}

impl NikPart {
    /// The 1-based digit positions of this part, e.g. 7..=8 for the birth day (for highlighting).
    pub fn positions(self) -> RangeInclusive<usize> {
        match self {
            NikPart::Whole => 1..=16,
            NikPart::Province => 1..=2,
            NikPart::Regency => 3..=4,
            NikPart::District => 5..=6,
            NikPart::BirthDay => 7..=8,
            NikPart::BirthMonth => 9..=10,
            NikPart::BirthDate => 7..=12,
            NikPart::Serial => 13..=16,
        }
    }

    /// The part a 1-based digit position belongs to (the year digits 11–12 give `BirthDate`).
    pub fn at(position: usize) -> NikPart {
        match position {
            1..=2 => NikPart::Province,
            3..=4 => NikPart::Regency,
            5..=6 => NikPart::District,
            7..=8 => NikPart::BirthDay,
            9..=10 => NikPart::BirthMonth,
            11..=12 => NikPart::BirthDate,
            13..=16 => NikPart::Serial,
            _ => NikPart::Whole,
        }
    }

    /// English name of the part.
    pub fn label(self) -> &'static str {
        match self {
            NikPart::Whole => "number",
            NikPart::Province => "province",
            NikPart::Regency => "regency/city",
            NikPart::District => "district",
            NikPart::BirthDay => "birth day",
            NikPart::BirthMonth => "birth month",
            NikPart::BirthDate => "birth date",
            NikPart::Serial => "serial",
        }
    }
}

impl fmt::Display for NikPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a string is not a valid NIK. Each variant names the wrong part and its value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NikError {
    /// Not 16 characters.
    #[error("a NIK has 16 digits, this one has {len} characters")]
    Length { len: usize },
    /// A character that is not an ASCII digit; `position` is 1-based.
    #[error("character {position} of the NIK ({part}) is {found:?}, not a digit", part = NikPart::at(*.position))]
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
    /// Day field outside 01–31 (men) and 41–71 (women).
    #[error("birth day {day:02} is not a valid day (men 01–31, women 41–71)")]
    BirthDay { day: u8 },
    /// Month field outside 01–12.
    #[error("birth month {month:02} is not a month (01–12)")]
    BirthMonth { month: u8 },
    /// The birth date does not exist in the year the century rule gives.
    #[error("{}", no_such_date(*.day, *.month, *.year))]
    NoSuchDate { day: u8, month: u8, year: i16 },
    /// Serial 0000 (or above 9999 when building).
    #[error("serial {serial:04} is not valid (0001–9999)")]
    Serial { serial: u16 },
}

impl NikError {
    /// The part of the NIK that is wrong.
    pub fn part(&self) -> NikPart {
        match self {
            NikError::Length { .. } => NikPart::Whole,
            NikError::NonDigit { position, .. } => NikPart::at(*position),
            NikError::UnknownProvince { .. } => NikPart::Province,
            NikError::Regency { .. } => NikPart::Regency,
            NikError::District { .. } => NikPart::District,
            NikError::BirthDay { .. } => NikPart::BirthDay,
            NikError::BirthMonth { .. } => NikPart::BirthMonth,
            NikError::NoSuchDate { .. } => NikPart::BirthDate,
            NikError::Serial { .. } => NikPart::Serial,
        }
    }
}

impl From<RegionError> for NikError {
    fn from(e: RegionError) -> Self {
        match e {
            RegionError::Length { len } => NikError::Length { len },
            RegionError::NonDigit { position, found } => NikError::NonDigit { position, found },
            RegionError::UnknownProvince { code } => NikError::UnknownProvince { code },
            RegionError::Regency { code } => NikError::Regency { code },
            RegionError::District { code } => NikError::District { code },
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// English month name of 1..=12 ("?" otherwise).
pub(super) fn month_name(month: u8) -> &'static str {
    usize::from(month)
        .checked_sub(1)
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("?")
}

/// "29 February 1901 does not exist (1901 is not a leap year)".
pub(super) fn no_such_date(day: u8, month: u8, year: i16) -> String {
    let name = month_name(month);
    let why = match Date::new(year, month as i8, 1) {
        Ok(first) if month == 2 && day == 29 && !first.in_leap_year() => {
            format!("{year} is not a leap year")
        }
        Ok(first) => format!("{name} {year} has {} days", first.days_in_month()),
        Err(_) => format!("year {year} is outside the supported range"),
    };
    format!("{day} {name} {year} does not exist ({why})")
}

/// Why a DDMMYY field did not give a date (the caller turns it into its own error type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateProblem {
    Month(u8),
    NoSuchDate { day: u8, month: u8, year: i16 },
}

/// The date with this day, month and two-digit year in the latest year ending in `yy` such
/// that the date is not after `today`. The day is the calendar day (already without the + 40).
pub(super) fn resolve_ddmmyy(day: u8, month: u8, yy: u8, today: Date) -> Result<Date, DateProblem> {
    if !(1..=12).contains(&month) {
        return Err(DateProblem::Month(month));
    }
    let this_year = today.year();
    let yy = i16::from(yy);
    let mut year = this_year - (this_year - yy).rem_euclid(100);
    let later_this_year = (month as i8, day as i8) > (today.month(), today.day());
    if year == this_year && later_this_year {
        year -= 100;
    }
    Date::new(year, month as i8, day as i8).map_err(|_| DateProblem::NoSuchDate {
        day,
        month,
        year,
    })
}

/// Checks that `s` is exactly 16 ASCII digits and returns them. The error's `Length` and
/// `NonDigit` (1-based position) are about the 16-character string, for the caller to convert.
pub(super) fn sixteen_digits(s: &str) -> Result<&[u8], RegionError> {
    let len = s.chars().count();
    if len != 16 {
        return Err(RegionError::Length { len });
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(RegionError::NonDigit {
            position: i + 1,
            found: c,
        });
    }
    Ok(s.as_bytes())
}

/// The number made of `n` ASCII digits starting at `at`.
pub(super) fn number(d: &[u8], at: usize, n: usize) -> u16 {
    d.iter()
        .skip(at)
        .take(n)
        .fold(0u16, |acc, b| acc * 10 + u16::from(b.wrapping_sub(b'0')))
}

/// A valid NIK.
///
/// Two `Nik`s are equal when their digits are equal. `Debug` prints only the masked form,
/// never the full number (it is personal data and must not reach logs).
#[derive(Clone)]
pub struct Nik {
    digits: String,
    region: RegionCode,
    birth_date: Date,
    sex: Sex,
    serial: u16,
}

impl Nik {
    /// Parses and validates every part of a NIK; `today` decides the century of the birth year.
    pub fn parse(s: &str, today: Date) -> Result<Nik, NikError> {
        let d = sixteen_digits(s)?;
        let region = RegionCode::from_digits(d)?;
        let day_field = number(d, 6, 2) as u8;
        let (sex, day) = match day_field {
            1..=31 => (Sex::Male, day_field),
            41..=71 => (Sex::Female, day_field - 40),
            _ => return Err(NikError::BirthDay { day: day_field }),
        };
        let month = number(d, 8, 2) as u8;
        let yy = number(d, 10, 2) as u8;
        let birth_date = resolve_ddmmyy(day, month, yy, today).map_err(|p| match p {
            DateProblem::Month(month) => NikError::BirthMonth { month },
            DateProblem::NoSuchDate { day, month, year } => {
                NikError::NoSuchDate { day, month, year }
            }
        })?;
        let serial = number(d, 12, 4);
        if serial == 0 {
            return Err(NikError::Serial { serial });
        }
        Ok(Nik {
            digits: s.to_owned(),
            region,
            birth_date,
            sex,
            serial,
        })
    }

    /// Parses with today's date in Asia/Jakarta.
    pub fn parse_now(s: &str) -> Result<Nik, NikError> {
        Nik::parse(s, today_in_jakarta())
    }

    /// Builds the NIK of a person (for generators and tests). Fails when the serial is 0 or
    /// above 9999.
    ///
    /// The NIK keeps `birth_date` as given; parsing its digits gives the same date back when
    /// the date is less than 100 years before the `today` used to parse.
    pub fn build(
        region: RegionCode,
        birth_date: Date,
        sex: Sex,
        serial: u16,
    ) -> Result<Nik, NikError> {
        if !(1..=9999).contains(&serial) {
            return Err(NikError::Serial { serial });
        }
        let day = birth_date.day() as u8 + sex.day_offset();
        let digits = format!(
            "{region}{day:02}{:02}{:02}{serial:04}",
            birth_date.month(),
            birth_date.year().rem_euclid(100)
        );
        Ok(Nik {
            digits,
            region,
            birth_date,
            sex,
            serial,
        })
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// Province · regency · district of first issue.
    pub fn region(&self) -> RegionCode {
        self.region
    }

    /// The province of first issue.
    pub fn province(&self) -> &'static Province {
        self.region.province()
    }

    /// The birth date (century from the `today` given when parsing).
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// Sex (from the day field).
    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// Serial 1..=9999.
    pub fn serial(&self) -> u16 {
        self.serial
    }

    /// First six and last four digits, the rest `*`: "327301******0001".
    pub fn masked(&self) -> String {
        mask(&self.digits)
    }

    /// The decoded parts as label/value pairs, for the CLI.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let r = self.region;
        let province = r.province();
        let regency = match r.regency() {
            Some(reg) => format!("{:02} {}", r.regency_code(), reg.name),
            None => format!(
                "{:02} ({}; not in the booth's illustrative table)",
                r.regency_code(),
                r.regency_kind().label()
            ),
        };
        let district = match r.district() {
            Some(dist) => format!("{:02} {}", r.district_code(), dist.name),
            None => format!("{:02}", r.district_code()),
        };
        let day = self.birth_date.day();
        let sex = match self.sex {
            Sex::Male => format!("{} (day field {day:02})", self.sex.ktp_label()),
            Sex::Female => format!(
                "{} (day field {} = {day:02} + 40)",
                self.sex.ktp_label(),
                day + 40
            ),
        };
        vec![
            (
                "Province",
                format!("{:02} {}", province.code, province.name),
            ),
            ("Regency/city", regency),
            ("District", district),
            ("Birth date", card_date(self.birth_date)),
            ("Sex", sex),
            ("Serial", format!("{:04}", self.serial)),
        ]
    }
}

/// A date as printed on the card: "17-08-1990".
pub fn card_date(date: Date) -> String {
    format!("{:02}-{:02}-{:04}", date.day(), date.month(), date.year())
}

/// First six and last four characters shown, the rest `*`.
/// The first six and last four digits shown, the birth date hidden ("327301******0001").
pub fn mask(digits: &str) -> String {
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| if (6..12).contains(&i) { '*' } else { c })
        .collect()
}

impl PartialEq for Nik {
    fn eq(&self, other: &Self) -> bool {
        self.digits == other.digits
    }
}

impl Eq for Nik {}

impl Hash for Nik {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
    }
}

impl PartialOrd for Nik {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Nik {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.digits.cmp(&other.digits)
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

impl Serialize for Nik {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.digits)
    }
}

impl<'de> Deserialize<'de> for Nik {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Nik::parse_now(&s).map_err(serde::de::Error::custom)
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

    fn ok(s: &str) -> Nik {
        Nik::parse(s, TODAY).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn valid_niks() {
        // (nik, region, birth date, sex, serial)
        let cases: &[(&str, &str, Date, Sex, u16)] = &[
            (
                "3273011708900001",
                "327301",
                date(1990, 8, 17),
                Sex::Male,
                1,
            ),
            (
                "3273015708900002",
                "327301",
                date(1990, 8, 17),
                Sex::Female,
                2,
            ),
            (
                "3171060101000123",
                "317106",
                date(2000, 1, 1),
                Sex::Male,
                123,
            ),
            (
                "3171064101000124",
                "317106",
                date(2000, 1, 1),
                Sex::Female,
                124,
            ),
            (
                "1171023112859999",
                "117102",
                date(1985, 12, 31),
                Sex::Male,
                9999,
            ),
            (
                "9671017112859999",
                "967101",
                date(1985, 12, 31),
                Sex::Female,
                9999,
            ),
            ("3578040102030001", "357804", date(2003, 2, 1), Sex::Male, 1),
            // 29 February in leap years
            (
                "3171062902000003",
                "317106",
                date(2000, 2, 29),
                Sex::Male,
                3,
            ),
            (
                "3171066902880004",
                "317106",
                date(1988, 2, 29),
                Sex::Female,
                4,
            ),
            (
                "5171016902240005",
                "517101",
                date(2024, 2, 29),
                Sex::Female,
                5,
            ),
            // century rule, today 2026-11-25
            (
                "3273012611260001",
                "327301",
                date(1926, 11, 26),
                Sex::Male,
                1,
            ),
            (
                "3273016511260001",
                "327301",
                date(2026, 11, 25),
                Sex::Female,
                1,
            ),
            (
                "3273012411260001",
                "327301",
                date(2026, 11, 24),
                Sex::Male,
                1,
            ),
            (
                "3273010112260001",
                "327301",
                date(1926, 12, 1),
                Sex::Male,
                1,
            ),
            ("3273010101300001", "327301", date(1930, 1, 1), Sex::Male, 1),
            (
                "3273014101000001",
                "327301",
                date(2000, 1, 1),
                Sex::Female,
                1,
            ),
            ("3273010101270001", "327301", date(1927, 1, 1), Sex::Male, 1),
            ("3273010101990001", "327301", date(1999, 1, 1), Sex::Male, 1),
        ];
        for (s, region, birth, sex, serial) in cases {
            let nik = ok(s);
            assert_eq!(nik.as_str(), *s);
            assert_eq!(nik.to_string(), *s);
            assert_eq!(nik.region().to_string(), *region, "{s}");
            assert_eq!(nik.birth_date(), *birth, "{s}");
            assert_eq!(nik.sex(), *sex, "{s}");
            assert_eq!(nik.serial(), *serial, "{s}");
            assert_eq!(nik.province().code, region[..2].parse::<u8>().unwrap());
        }
    }

    #[test]
    fn century_rule_with_other_todays() {
        let p = |s: &str, today: Date| Nik::parse(s, today).map(|n| n.birth_date());
        // Born today is fine; tomorrow's date belongs to the last century.
        assert_eq!(p("3273012511260001", TODAY), Ok(date(2026, 11, 25)));
        assert_eq!(p("3273012611260001", TODAY), Ok(date(1926, 11, 26)));
        assert_eq!(
            p("3273010101000001", date(1999, 12, 31)),
            Ok(date(1900, 1, 1))
        );
        assert_eq!(
            p("3273010101000001", date(2000, 1, 1)),
            Ok(date(2000, 1, 1))
        );
        assert_eq!(
            p("3273013112990001", date(2000, 1, 1)),
            Ok(date(1999, 12, 31))
        );
        // 29 February 1900 and 1901 do not exist; 2000 does.
        assert_eq!(
            p("3273012902000001", date(1950, 1, 1)),
            Err(NikError::NoSuchDate {
                day: 29,
                month: 2,
                year: 1900
            })
        );
        let e = Nik::parse("3273012902010001", date(1950, 1, 1)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "29 February 1901 does not exist (1901 is not a leap year)"
        );
        assert_eq!(
            p("3273012902000001", date(2026, 1, 1)),
            Ok(date(2000, 2, 29))
        );
        // 29 February when today is 28 February of a year ending in the same digits.
        assert_eq!(
            p("3273012902280001", date(2028, 2, 28)),
            Ok(date(1928, 2, 29))
        );
        assert_eq!(
            p("3273012902280001", date(2028, 2, 29)),
            Ok(date(2028, 2, 29))
        );
    }

    #[test]
    fn errors() {
        use NikError as E;
        let cases: &[(&str, NikError, NikPart)] = &[
            ("", E::Length { len: 0 }, NikPart::Whole),
            ("327301170890000", E::Length { len: 15 }, NikPart::Whole),
            ("32730117089000011", E::Length { len: 17 }, NikPart::Whole),
            ("3273011708900001 ", E::Length { len: 17 }, NikPart::Whole),
            (
                "x273011708900001",
                E::NonDigit {
                    position: 1,
                    found: 'x',
                },
                NikPart::Province,
            ),
            (
                "327301x708900001",
                E::NonDigit {
                    position: 7,
                    found: 'x',
                },
                NikPart::BirthDay,
            ),
            (
                "32730117089-0001",
                E::NonDigit {
                    position: 12,
                    found: '-',
                },
                NikPart::BirthDate,
            ),
            (
                "327301170890000é",
                E::NonDigit {
                    position: 16,
                    found: 'é',
                },
                NikPart::Serial,
            ),
            (
                "３273011708900001",
                E::NonDigit {
                    position: 1,
                    found: '３',
                },
                NikPart::Province,
            ),
            (
                "2073011708900001",
                E::UnknownProvince { code: 20 },
                NikPart::Province,
            ),
            (
                "3973011708900001",
                E::UnknownProvince { code: 39 },
                NikPart::Province,
            ),
            (
                "9973011708900001",
                E::UnknownProvince { code: 99 },
                NikPart::Province,
            ),
            (
                "0073011708900001",
                E::UnknownProvince { code: 0 },
                NikPart::Province,
            ),
            (
                "1073011708900001",
                E::UnknownProvince { code: 10 },
                NikPart::Province,
            ),
            ("3200011708900001", E::Regency { code: 0 }, NikPart::Regency),
            (
                "3273001708900001",
                E::District { code: 0 },
                NikPart::District,
            ),
            (
                "3273010008900001",
                E::BirthDay { day: 0 },
                NikPart::BirthDay,
            ),
            (
                "3273013208900001",
                E::BirthDay { day: 32 },
                NikPart::BirthDay,
            ),
            (
                "3273014008900001",
                E::BirthDay { day: 40 },
                NikPart::BirthDay,
            ),
            (
                "3273017208900001",
                E::BirthDay { day: 72 },
                NikPart::BirthDay,
            ),
            (
                "3273019908900001",
                E::BirthDay { day: 99 },
                NikPart::BirthDay,
            ),
            (
                "3273011700900001",
                E::BirthMonth { month: 0 },
                NikPart::BirthMonth,
            ),
            (
                "3273011713900001",
                E::BirthMonth { month: 13 },
                NikPart::BirthMonth,
            ),
            (
                "3273013104900001",
                E::NoSuchDate {
                    day: 31,
                    month: 4,
                    year: 1990,
                },
                NikPart::BirthDate,
            ),
            (
                "3273017104900001",
                E::NoSuchDate {
                    day: 31,
                    month: 4,
                    year: 1990,
                },
                NikPart::BirthDate,
            ),
            (
                "3171062902010005",
                E::NoSuchDate {
                    day: 29,
                    month: 2,
                    year: 2001,
                },
                NikPart::BirthDate,
            ),
            (
                "3171066902250005",
                E::NoSuchDate {
                    day: 29,
                    month: 2,
                    year: 2025,
                },
                NikPart::BirthDate,
            ),
            (
                "3171063002000005",
                E::NoSuchDate {
                    day: 30,
                    month: 2,
                    year: 2000,
                },
                NikPart::BirthDate,
            ),
            ("3273011708900000", E::Serial { serial: 0 }, NikPart::Serial),
        ];
        for (s, err, part) in cases {
            let got = Nik::parse(s, TODAY);
            assert_eq!(got.as_ref().err(), Some(err), "{s}");
            assert_eq!(err.part(), *part, "{s}");
        }
    }

    #[test]
    fn error_messages() {
        let msg = |s: &str| Nik::parse(s, TODAY).unwrap_err().to_string();
        assert_eq!(
            msg("2073011708900001"),
            "province code 20 is not an Indonesian province"
        );
        assert_eq!(
            msg("3273017208900001"),
            "birth day 72 is not a valid day (men 01–31, women 41–71)"
        );
        assert_eq!(
            msg("3273011713900001"),
            "birth month 13 is not a month (01–12)"
        );
        assert_eq!(
            msg("3273013104900001"),
            "31 April 1990 does not exist (April 1990 has 30 days)"
        );
        assert_eq!(
            msg("3273012902010001"),
            "29 February 2001 does not exist (2001 is not a leap year)"
        );
        assert_eq!(
            msg("3200011708900001"),
            "regency code 00 is not valid (kabupaten 01–70, kota 71–99)"
        );
        assert_eq!(
            msg("3273001708900001"),
            "district code 00 is not valid (01–99)"
        );
        assert_eq!(
            msg("3273011708900000"),
            "serial 0000 is not valid (0001–9999)"
        );
        assert_eq!(
            msg("327301x708900001"),
            "character 7 of the NIK (birth day) is 'x', not a digit"
        );
        assert_eq!(
            msg("32730117089"),
            "a NIK has 16 digits, this one has 11 characters"
        );
    }

    #[test]
    fn masked_debug_and_describe() {
        let nik = ok("3273015708900001");
        assert_eq!(nik.masked(), "327301******0001");
        assert_eq!(format!("{nik:?}"), "Nik(327301******0001)");
        assert!(!format!("{nik:?}").contains("570890"));
        let d = nik.describe();
        let labels: Vec<&str> = d.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            labels,
            [
                "Province",
                "Regency/city",
                "District",
                "Birth date",
                "Sex",
                "Serial"
            ]
        );
        assert_eq!(d[0].1, "32 Jawa Barat");
        assert_eq!(d[1].1, "73 KOTA BANDUNG");
        assert_eq!(d[2].1, "01 SUKAJADI");
        assert_eq!(d[3].1, "17-08-1990");
        assert_eq!(d[4].1, "PEREMPUAN (day field 57 = 17 + 40)");
        assert_eq!(d[5].1, "0001");
        let unknown = ok("3299991708900001").describe();
        assert_eq!(
            unknown[1].1,
            "99 (kota; not in the booth's illustrative table)"
        );
        assert_eq!(unknown[2].1, "99");
        assert_eq!(unknown[4].1, "LAKI-LAKI (day field 17)");
    }

    #[test]
    fn serde_as_digit_string() {
        let nik = Nik::parse_now("3273015708900001").unwrap();
        let json = serde_json::to_string(&nik).unwrap();
        assert_eq!(json, "\"3273015708900001\"");
        let back: Nik = serde_json::from_str(&json).unwrap();
        assert_eq!(back, nik);
        assert_eq!(back.birth_date(), date(1990, 8, 17));
        let err = serde_json::from_str::<Nik>("\"2073015708900001\"").unwrap_err();
        assert!(err.to_string().contains("province code 20"), "{err}");
        assert!(serde_json::from_str::<Nik>("3273015708900001").is_err());
    }

    #[test]
    fn build_and_equality() {
        let region = RegionCode::parse("317106").unwrap();
        let nik = Nik::build(region, date(1975, 3, 9), Sex::Female, 42).unwrap();
        assert_eq!(nik.as_str(), "3171064903750042");
        assert_eq!(nik, ok("3171064903750042"));
        assert_eq!(
            Nik::build(region, date(1975, 3, 9), Sex::Male, 0),
            Err(NikError::Serial { serial: 0 })
        );
        assert_eq!(
            Nik::build(region, date(1975, 3, 9), Sex::Male, 10000),
            Err(NikError::Serial { serial: 10000 })
        );
        assert_eq!(
            NikError::Serial { serial: 10000 }.to_string(),
            "serial 10000 is not valid (0001–9999)"
        );
        let mut set = std::collections::HashSet::new();
        set.insert(nik.clone());
        assert!(set.contains(&ok("3171064903750042")));
    }

    #[test]
    fn today_in_jakarta_is_close_to_utc_today() {
        let utc = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let wib = today_in_jakarta();
        let diff = wib.since(utc).unwrap().get_days();
        assert!((0..=1).contains(&diff), "{diff}");
    }

    fn any_today() -> impl Strategy<Value = Date> {
        (1950i16..=2200, 1i8..=12, 1i8..=31)
            .prop_map(|(y, m, d)| Date::new(y, m, d.min(date(y, m, 1).days_in_month())).unwrap())
    }

    fn any_region() -> impl Strategy<Value = RegionCode> {
        (0..PROVINCES.len(), 1u8..=99, 1u8..=99)
            .prop_map(|(p, r, d)| RegionCode::new(PROVINCES[p].code, r, d).unwrap())
    }

    fn any_sex() -> impl Strategy<Value = Sex> {
        prop_oneof![Just(Sex::Male), Just(Sex::Female)]
    }

    proptest! {
        #[test]
        fn built_niks_parse_back(
            region in any_region(),
            today in any_today(),
            days_before in 0i32..36_500,
            sex in any_sex(),
            serial in 1u16..=9999,
        ) {
            // 36_499 days is less than 100 years, so the century rule recovers the year.
            let birth = today.checked_sub(days_before.days()).unwrap();
            let nik = Nik::build(region, birth, sex, serial).unwrap();
            let parsed = Nik::parse(nik.as_str(), today).unwrap();
            prop_assert_eq!(parsed.region(), region);
            prop_assert_eq!(parsed.birth_date(), birth);
            prop_assert_eq!(parsed.sex(), sex);
            prop_assert_eq!(parsed.serial(), serial);
            prop_assert_eq!(parsed.as_str(), nik.as_str());
            prop_assert_eq!(&parsed, &nik);
            prop_assert_eq!(parsed.masked().len(), 16);
        }

        #[test]
        fn any_string_never_panics(s in any::<String>(), today in any_today()) {
            let _ = Nik::parse(&s, today).map_err(|e| (e.to_string(), e.part()));
        }

        #[test]
        fn any_digits_never_panic(s in "[0-9]{16}", today in any_today()) {
            match Nik::parse(&s, today) {
                Ok(nik) => {
                    prop_assert_eq!(nik.as_str(), s.as_str());
                    prop_assert!(nik.birth_date() <= today);
                    let rebuilt = Nik::build(nik.region(), nik.birth_date(), nik.sex(), nik.serial()).unwrap();
                    prop_assert_eq!(rebuilt.as_str(), s.as_str());
                }
                Err(e) => {
                    let _ = e.to_string();
                }
            }
        }

        #[test]
        fn unknown_province_is_reported(
            region in any_region(),
            days_before in 0i32..36_500,
            sex in any_sex(),
            serial in 1u16..=9999,
            bad in 0u8..=99,
        ) {
            prop_assume!(PROVINCES.iter().all(|p| p.code != bad));
            let birth = TODAY.checked_sub(days_before.days()).unwrap();
            let nik = Nik::build(region, birth, sex, serial).unwrap();
            let changed = format!("{bad:02}{}", &nik.as_str()[2..]);
            let err = Nik::parse(&changed, TODAY).unwrap_err();
            prop_assert_eq!(&err, &NikError::UnknownProvince { code: bad });
            prop_assert_eq!(err.part(), NikPart::Province);
        }
    }
}
