//! KK (Kartu Keluarga, family card) number: 16 digits.
//!
//! `PPRRDD DDMMYY SSSS`: province · regency/city · district (same rules as the NIK) · the date
//! the KK was issued (a real calendar date, no + 40; century as for the NIK, so never in the
//! future) · serial 0001–9999. Parsing and errors are shared with the NIK ([`super::number`]).

use jiff::civil::Date;

use super::number::{Kind, PopulationNumber};
use super::region::RegionCode;

pub use super::number::{NumberError as KkError, Part as KkPart};

/// The KK number's kind: the date is the issue date, the day field is the plain day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KkKind {}

impl Kind for KkKind {
    const NAME: &'static str = "KK number";
    const TYPE: &'static str = "KkNumber";
    const DATE: &'static str = "issue";
    const DAY_RANGES: &'static str = "01–31";
    type Extra = ();

    fn read_day(field: u8) -> Option<(u8, ())> {
        (1..=31).contains(&field).then_some((field, ()))
    }

    fn write_day(day: u8, _: ()) -> u8 {
        day
    }
}

/// A valid KK number. Equal when the digits are equal; `Debug` prints only the masked form.
pub type KkNumber = PopulationNumber<KkKind>;

impl PopulationNumber<KkKind> {
    /// Builds a KK number (for generators and tests); fails when the serial is 0 or above 9999.
    pub fn build(region: RegionCode, issue_date: Date, serial: u16) -> Result<KkNumber, KkError> {
        Self::build_with(region, issue_date, (), serial)
    }

    /// The date the KK was issued.
    pub fn issue_date(&self) -> Date {
        self.date()
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
            (
                "327301170815001",
                E::Length {
                    what: "KK number",
                    len: 15,
                },
                KkPart::Whole,
            ),
            (
                "32730117081500011",
                E::Length {
                    what: "KK number",
                    len: 17,
                },
                KkPart::Whole,
            ),
            (
                "32730117a8150001",
                E::NonDigit {
                    what: "KK number",
                    date: "issue",
                    position: 9,
                    found: 'a',
                },
                KkPart::Month,
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
            (
                "3273010008150001",
                E::Day {
                    date: "issue",
                    ranges: "01–31",
                    day: 0,
                },
                KkPart::Day,
            ),
            (
                "3273013208150001",
                E::Day {
                    date: "issue",
                    ranges: "01–31",
                    day: 32,
                },
                KkPart::Day,
            ),
            // no + 40 on a KK
            (
                "3273015708150001",
                E::Day {
                    date: "issue",
                    ranges: "01–31",
                    day: 57,
                },
                KkPart::Day,
            ),
            (
                "3273011700150001",
                E::Month {
                    date: "issue",
                    month: 0,
                },
                KkPart::Month,
            ),
            (
                "3273011713150001",
                E::Month {
                    date: "issue",
                    month: 13,
                },
                KkPart::Month,
            ),
            (
                "3273012902150001",
                E::NoSuchDate {
                    day: 29,
                    month: 2,
                    year: 2015,
                },
                KkPart::Date,
            ),
            (
                "3273013106150001",
                E::NoSuchDate {
                    day: 31,
                    month: 6,
                    year: 2015,
                },
                KkPart::Date,
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
