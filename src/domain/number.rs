//! The one 16-digit population number behind the NIK and the KK number, which are built alike:
//!
//! `PPRRDD DDMMYY SSSS`: province · regency/city · district · a date `DDMMYY` · serial
//! 0001–9999.
//!
//! What differs is the [`Kind`]: which date it is (a birth date with 40 added to the day for
//! women in a NIK; the day the KK was issued), and what the day field carries besides the day
//! (the NIK's sex). The century of `YY` is not in the number: the year is the latest year ending
//! in `YY` such that the date is not after `today` (injected, so tests are exact).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::RangeInclusive;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use super::region::{Province, RegionCode, RegionError};

/// What makes a 16-digit number a NIK or a KK number.
pub trait Kind: 'static {
    /// The number's name in messages ("NIK", "KK number").
    const NAME: &'static str;
    /// The Rust type's name, which `Debug` prints before the masked digits ("Nik").
    const TYPE: &'static str;
    /// Which date the middle digits are ("birth", "issue").
    const DATE: &'static str;
    /// The day field's valid values, for the message ("01–31", "men 01–31, women 41–71").
    const DAY_RANGES: &'static str;
    /// What the day field carries besides the day.
    type Extra: Copy + fmt::Debug + PartialEq + Eq;
    /// The day and the extra from the day field, or `None` when the field is not valid.
    fn read_day(field: u8) -> Option<(u8, Self::Extra)>;
    /// The day field for `day` and `extra`.
    fn write_day(day: u8, extra: Self::Extra) -> u8;
}

/// The part of a number that an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The number as a whole (its length).
    Whole,
    /// Digits 1–2.
    Province,
    /// Digits 3–4.
    Regency,
    /// Digits 5–6.
    District,
    /// Digits 7–8 (the day, + 40 for women in a NIK).
    Day,
    /// Digits 9–10.
    Month,
    /// Digits 7–12 taken together (a day that does not exist in that month and year).
    Date,
    /// Digits 13–16.
    Serial,
}

impl Part {
    /// The 1-based digit positions of this part, e.g. 7..=8 for the day (for highlighting).
    pub fn positions(self) -> RangeInclusive<usize> {
        match self {
            Part::Whole => 1..=16,
            Part::Province => 1..=2,
            Part::Regency => 3..=4,
            Part::District => 5..=6,
            Part::Day => 7..=8,
            Part::Month => 9..=10,
            Part::Date => 7..=12,
            Part::Serial => 13..=16,
        }
    }

    /// The part a 1-based digit position belongs to (the year digits 11–12 give `Date`).
    pub fn at(position: usize) -> Part {
        match position {
            1..=2 => Part::Province,
            3..=4 => Part::Regency,
            5..=6 => Part::District,
            7..=8 => Part::Day,
            9..=10 => Part::Month,
            11..=12 => Part::Date,
            13..=16 => Part::Serial,
            _ => Part::Whole,
        }
    }

    /// English name of the part ("day", "month" and "date" of the number's date).
    pub fn label(self) -> &'static str {
        match self {
            Part::Whole => "number",
            Part::Province => "province",
            Part::Regency => "regency/city",
            Part::District => "district",
            Part::Day => "day",
            Part::Month => "month",
            Part::Date => "date",
            Part::Serial => "serial",
        }
    }
}

impl Part {
    /// The label with the number's date named ("birth day", "issue month"); other parts as
    /// [`Part::label`].
    pub fn label_for(self, date: &str) -> String {
        match self {
            Part::Day | Part::Month | Part::Date if !date.is_empty() => {
                format!("{date} {}", self.label())
            }
            _ => self.label().to_owned(),
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a string is not a valid number. Each variant names the wrong part and its value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumberError {
    /// Not 16 characters.
    #[error("a {what} has 16 digits, this one has {len} characters")]
    Length { what: &'static str, len: usize },
    /// A character that is not an ASCII digit; `position` is 1-based.
    #[error("character {position} of the {what} ({}) is {found:?}, not a digit", Part::at(*.position).label_for(date))]
    NonDigit {
        what: &'static str,
        date: &'static str,
        position: usize,
        found: char,
    },
    /// Province code not in the Kemendagri list.
    #[error("province code {code:02} is not an Indonesian province")]
    UnknownProvince { code: u8 },
    /// Regency code 00.
    #[error("regency code {code:02} is not valid (kabupaten 01–70, kota 71–99)")]
    Regency { code: u8 },
    /// District code 00.
    #[error("district code {code:02} is not valid (01–99)")]
    District { code: u8 },
    /// Day field out of range.
    #[error("{date} day {day:02} is not a valid day ({ranges})")]
    Day {
        date: &'static str,
        ranges: &'static str,
        day: u8,
    },
    /// Month field outside 01–12.
    #[error("{date} month {month:02} is not a month (01–12)")]
    Month { date: &'static str, month: u8 },
    /// The date does not exist in the year the century rule gives.
    #[error("{}", no_such_date(*.day, *.month, *.year))]
    NoSuchDate { day: u8, month: u8, year: i16 },
    /// Serial 0000 (or above 9999 when building).
    #[error("serial {serial:04} is not valid (0001–9999)")]
    Serial { serial: u16 },
}

impl NumberError {
    /// The part of the number that is wrong.
    pub fn part(&self) -> Part {
        match self {
            NumberError::Length { .. } => Part::Whole,
            NumberError::NonDigit { position, .. } => Part::at(*position),
            NumberError::UnknownProvince { .. } => Part::Province,
            NumberError::Regency { .. } => Part::Regency,
            NumberError::District { .. } => Part::District,
            NumberError::Day { .. } => Part::Day,
            NumberError::Month { .. } => Part::Month,
            NumberError::NoSuchDate { .. } => Part::Date,
            NumberError::Serial { .. } => Part::Serial,
        }
    }

    fn from_region(what: &'static str, e: RegionError) -> Self {
        match e {
            RegionError::Length { len } => NumberError::Length { what, len },
            RegionError::NonDigit { position, found } => NumberError::NonDigit {
                what,
                date: "",
                position,
                found,
            },
            RegionError::UnknownProvince { code } => NumberError::UnknownProvince { code },
            RegionError::Regency { code } => NumberError::Regency { code },
            RegionError::District { code } => NumberError::District { code },
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
fn no_such_date(day: u8, month: u8, year: i16) -> String {
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

/// The date with this day, month and two-digit year in the latest year ending in `yy` such
/// that the date is not after `today`. The day is the calendar day (already without the + 40).
fn resolve_ddmmyy(
    date: &'static str,
    day: u8,
    month: u8,
    yy: u8,
    today: Date,
) -> Result<Date, NumberError> {
    if !(1..=12).contains(&month) {
        return Err(NumberError::Month { date, month });
    }
    let this_year = today.year();
    let yy = i16::from(yy);
    let mut year = this_year - (this_year - yy).rem_euclid(100);
    let later_this_year = (month as i8, day as i8) > (today.month(), today.day());
    if year == this_year && later_this_year {
        year -= 100;
    }
    Date::new(year, month as i8, day as i8).map_err(|_| NumberError::NoSuchDate {
        day,
        month,
        year,
    })
}

/// The number made of `n` ASCII digits starting at `at`.
fn number(d: &[u8], at: usize, n: usize) -> u16 {
    d.iter()
        .skip(at)
        .take(n)
        .fold(0u16, |acc, b| acc * 10 + u16::from(b.wrapping_sub(b'0')))
}

/// Today's date in Asia/Jakarta (WIB, UTC+7; Indonesia has no daylight saving time).
///
/// Uses a fixed +07:00 offset, so it needs no time-zone database.
pub fn today_in_jakarta() -> Date {
    crate::clock::WIB.to_datetime(jiff::Timestamp::now()).date()
}

/// First six and last four characters shown, the rest `*` ("327301******0001").
pub fn mask(digits: &str) -> String {
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| if (6..12).contains(&i) { '*' } else { c })
        .collect()
}

/// A valid population number of kind `K`.
///
/// Two are equal when their digits are equal. `Debug` prints only the masked form, never the
/// full number (it is personal data and must not reach logs).
pub struct PopulationNumber<K: Kind> {
    digits: String,
    region: RegionCode,
    date: Date,
    extra: K::Extra,
    serial: u16,
    kind: PhantomData<fn() -> K>,
}

impl<K: Kind> Clone for PopulationNumber<K> {
    fn clone(&self) -> Self {
        Self {
            digits: self.digits.clone(),
            region: self.region,
            date: self.date,
            extra: self.extra,
            serial: self.serial,
            kind: PhantomData,
        }
    }
}

impl<K: Kind> PopulationNumber<K> {
    /// Parses and validates every part; `today` decides the century of the date's year.
    pub fn parse(s: &str, today: Date) -> Result<Self, NumberError> {
        let len = s.chars().count();
        if len != 16 {
            return Err(NumberError::Length { what: K::NAME, len });
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(NumberError::NonDigit {
                what: K::NAME,
                date: K::DATE,
                position: i + 1,
                found: c,
            });
        }
        let d = s.as_bytes();
        let region =
            RegionCode::from_digits(d).map_err(|e| NumberError::from_region(K::NAME, e))?;
        let field = number(d, 6, 2) as u8;
        let (day, extra) = K::read_day(field).ok_or(NumberError::Day {
            date: K::DATE,
            ranges: K::DAY_RANGES,
            day: field,
        })?;
        let month = number(d, 8, 2) as u8;
        let yy = number(d, 10, 2) as u8;
        let date = resolve_ddmmyy(K::DATE, day, month, yy, today)?;
        let serial = number(d, 12, 4);
        if serial == 0 {
            return Err(NumberError::Serial { serial });
        }
        Ok(Self {
            digits: s.to_owned(),
            region,
            date,
            extra,
            serial,
            kind: PhantomData,
        })
    }

    /// Parses with today's date in Asia/Jakarta.
    pub fn parse_now(s: &str) -> Result<Self, NumberError> {
        Self::parse(s, today_in_jakarta())
    }

    /// Builds a number (for generators and tests); fails when the serial is 0 or above 9999.
    ///
    /// The number keeps `date` as given; parsing its digits gives the same date back when the
    /// date is less than 100 years before the `today` used to parse.
    pub fn build_with(
        region: RegionCode,
        date: Date,
        extra: K::Extra,
        serial: u16,
    ) -> Result<Self, NumberError> {
        if !(1..=9999).contains(&serial) {
            return Err(NumberError::Serial { serial });
        }
        let day = K::write_day(date.day() as u8, extra);
        let digits = format!(
            "{region}{day:02}{:02}{:02}{serial:04}",
            date.month(),
            date.year().rem_euclid(100)
        );
        Ok(Self {
            digits,
            region,
            date,
            extra,
            serial,
            kind: PhantomData,
        })
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// Province · regency · district.
    pub fn region(&self) -> RegionCode {
        self.region
    }

    /// The province.
    pub fn province(&self) -> &'static Province {
        self.region.province()
    }

    /// The date of the middle digits (century from the `today` given when parsing).
    pub fn date(&self) -> Date {
        self.date
    }

    /// What the day field carried besides the day.
    pub fn extra(&self) -> K::Extra {
        self.extra
    }

    /// Serial 1..=9999.
    pub fn serial(&self) -> u16 {
        self.serial
    }

    /// First six and last four digits, the rest `*`: "327301******0001".
    pub fn masked(&self) -> String {
        mask(&self.digits)
    }
}

impl<K: Kind> PartialEq for PopulationNumber<K> {
    fn eq(&self, other: &Self) -> bool {
        self.digits == other.digits
    }
}

impl<K: Kind> Eq for PopulationNumber<K> {}

impl<K: Kind> Hash for PopulationNumber<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
    }
}

impl<K: Kind> PartialOrd for PopulationNumber<K> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Kind> Ord for PopulationNumber<K> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.digits.cmp(&other.digits)
    }
}

impl<K: Kind> fmt::Display for PopulationNumber<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

impl<K: Kind> fmt::Debug for PopulationNumber<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", K::TYPE, self.masked())
    }
}

impl<K: Kind> Serialize for PopulationNumber<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.digits)
    }
}

impl<'de, K: Kind> Deserialize<'de> for PopulationNumber<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse_now(&s).map_err(serde::de::Error::custom)
    }
}
