//! NIK (Nomor Induk Kependudukan): the 16-digit population number (PP 37/2007).
//!
//! `PPRRDD DDMMYY SSSS`: province · regency/city · district where the NIK was first issued ·
//! birth date with 40 added to the day for women · serial 0001–9999. The parsing, the century
//! rule and the errors are the ones every population number shares ([`super::number`]); what is
//! the NIK's own is the sex carried in the day field.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::number::{Kind, PopulationNumber};
use super::region::RegionCode;

pub use super::number::{mask, today_in_jakarta, NumberError as NikError, Part as NikPart};

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

/// The NIK's kind: the date is the birth date, the day field carries the sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NikKind {}

impl Kind for NikKind {
    const NAME: &'static str = "NIK";
    const TYPE: &'static str = "Nik";
    const DATE: &'static str = "birth";
    const DAY_RANGES: &'static str = "men 01–31, women 41–71";
    type Extra = Sex;

    fn read_day(field: u8) -> Option<(u8, Sex)> {
        match field {
            1..=31 => Some((field, Sex::Male)),
            41..=71 => Some((field - 40, Sex::Female)),
            _ => None,
        }
    }

    fn write_day(day: u8, sex: Sex) -> u8 {
        day + sex.day_offset()
    }
}

/// The sex a NIK's day field (digits 7–8) records, without checking the rest of the number;
/// `None` when there is no such field. For simulators keyed by the NIK as typed.
pub fn sex_in_digits(nik: &str) -> Option<Sex> {
    let field = nik.get(6..8)?;
    if !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (_, sex) = NikKind::read_day(field.parse().ok()?)?;
    Some(sex)
}

/// A valid NIK. Two are equal when their digits are equal; `Debug` prints only the masked
/// form, never the full number (it is personal data and must not reach logs).
pub type Nik = PopulationNumber<NikKind>;

impl PopulationNumber<NikKind> {
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
        Self::build_with(region, birth_date, sex, serial)
    }

    /// The birth date (century from the `today` given when parsing).
    pub fn birth_date(&self) -> Date {
        self.date()
    }

    /// Sex (from the day field).
    pub fn sex(&self) -> Sex {
        self.extra()
    }

    /// The decoded parts as label/value pairs, for the CLI.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let r = self.region();
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
        let day = self.birth_date().day();
        let sex = match self.sex() {
            Sex::Male => format!("{} (day field {day:02})", self.sex().ktp_label()),
            Sex::Female => format!(
                "{} (day field {} = {day:02} + 40)",
                self.sex().ktp_label(),
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
            ("Birth date", card_date(self.birth_date())),
            ("Sex", sex),
            ("Serial", format!("{:04}", self.serial())),
        ]
    }
}

/// A date as printed on the card: "17-08-1990".
pub fn card_date(date: Date) -> String {
    format!("{:02}-{:02}-{:04}", date.day(), date.month(), date.year())
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
    fn the_sex_in_the_digits_is_read_from_the_day_field_alone() {
        assert_eq!(sex_in_digits("3273012001900001"), Some(Sex::Male));
        assert_eq!(sex_in_digits("3273016001900001"), Some(Sex::Female));
        // Day 35 is neither; too short or not digits has no day field.
        assert_eq!(sex_in_digits("3273013501900001"), None);
        assert_eq!(sex_in_digits("327301"), None);
        assert_eq!(sex_in_digits("327301+4"), None);
        assert_eq!(sex_in_digits("327301é1"), None);
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
            (
                "",
                E::Length {
                    what: "NIK",
                    len: 0,
                },
                NikPart::Whole,
            ),
            (
                "327301170890000",
                E::Length {
                    what: "NIK",
                    len: 15,
                },
                NikPart::Whole,
            ),
            (
                "32730117089000011",
                E::Length {
                    what: "NIK",
                    len: 17,
                },
                NikPart::Whole,
            ),
            (
                "3273011708900001 ",
                E::Length {
                    what: "NIK",
                    len: 17,
                },
                NikPart::Whole,
            ),
            (
                "x273011708900001",
                E::NonDigit {
                    what: "NIK",
                    date: "birth",
                    position: 1,
                    found: 'x',
                },
                NikPart::Province,
            ),
            (
                "327301x708900001",
                E::NonDigit {
                    what: "NIK",
                    date: "birth",
                    position: 7,
                    found: 'x',
                },
                NikPart::Day,
            ),
            (
                "32730117089-0001",
                E::NonDigit {
                    what: "NIK",
                    date: "birth",
                    position: 12,
                    found: '-',
                },
                NikPart::Date,
            ),
            (
                "327301170890000é",
                E::NonDigit {
                    what: "NIK",
                    date: "birth",
                    position: 16,
                    found: 'é',
                },
                NikPart::Serial,
            ),
            (
                "３273011708900001",
                E::NonDigit {
                    what: "NIK",
                    date: "birth",
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
                E::Day {
                    date: "birth",
                    ranges: "men 01–31, women 41–71",
                    day: 0,
                },
                NikPart::Day,
            ),
            (
                "3273013208900001",
                E::Day {
                    date: "birth",
                    ranges: "men 01–31, women 41–71",
                    day: 32,
                },
                NikPart::Day,
            ),
            (
                "3273014008900001",
                E::Day {
                    date: "birth",
                    ranges: "men 01–31, women 41–71",
                    day: 40,
                },
                NikPart::Day,
            ),
            (
                "3273017208900001",
                E::Day {
                    date: "birth",
                    ranges: "men 01–31, women 41–71",
                    day: 72,
                },
                NikPart::Day,
            ),
            (
                "3273019908900001",
                E::Day {
                    date: "birth",
                    ranges: "men 01–31, women 41–71",
                    day: 99,
                },
                NikPart::Day,
            ),
            (
                "3273011700900001",
                E::Month {
                    date: "birth",
                    month: 0,
                },
                NikPart::Month,
            ),
            (
                "3273011713900001",
                E::Month {
                    date: "birth",
                    month: 13,
                },
                NikPart::Month,
            ),
            (
                "3273013104900001",
                E::NoSuchDate {
                    day: 31,
                    month: 4,
                    year: 1990,
                },
                NikPart::Date,
            ),
            (
                "3273017104900001",
                E::NoSuchDate {
                    day: 31,
                    month: 4,
                    year: 1990,
                },
                NikPart::Date,
            ),
            (
                "3171062902010005",
                E::NoSuchDate {
                    day: 29,
                    month: 2,
                    year: 2001,
                },
                NikPart::Date,
            ),
            (
                "3171066902250005",
                E::NoSuchDate {
                    day: 29,
                    month: 2,
                    year: 2025,
                },
                NikPart::Date,
            ),
            (
                "3171063002000005",
                E::NoSuchDate {
                    day: 30,
                    month: 2,
                    year: 2000,
                },
                NikPart::Date,
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
