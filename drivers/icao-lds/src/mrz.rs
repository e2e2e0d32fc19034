//! The TD1 machine readable zone (ICAO Doc 9303 part 5): three lines of 30 characters, as DG1
//! carries it (part 10, tag 5F1F). e-KTP is an ID-1 card, so TD1 is its format.
//!
//! Line 1: document code (2), issuing state (3), document number (9), its check digit (1),
//! optional data (15). Line 2: date of birth YYMMDD (6) + check digit, sex (1), date of expiry
//! YYMMDD (6) + check digit, nationality (3), optional data (11), composite check digit (1).
//! Line 3: name, primary identifier `<<` secondary identifier, spaces as `<`.
//!
//! A document number longer than nine characters overflows (part 5, 4.2.4): its first nine
//! characters fill the number field, the check digit position holds `<`, and the rest of the
//! number, its check digit and a `<` begin the optional data of line 1.

/// Why the data cannot be written as a TD1 MRZ.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    #[error("{field} must be {what}")]
    Field {
        field: &'static str,
        what: &'static str,
    },
    #[error("an MRZ is 90 characters of A–Z, 0–9 and <, in three lines of 30")]
    Shape,
    #[error("the check digit of {0} is wrong")]
    CheckDigit(&'static str),
}

/// A calendar date as the MRZ and the data groups carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// `YYMMDD`.
    pub fn yymmdd(&self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }

    /// `YYYYMMDD`, as DG11 and DG12 carry full dates.
    pub fn yyyymmdd(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// Reads `YYYYMMDD`, refusing impossible months and days.
    pub fn parse_yyyymmdd(s: &[u8]) -> Option<Date> {
        if s.len() != 8 || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n =
            |r: std::ops::Range<usize>| s[r].iter().fold(0u16, |a, d| a * 10 + u16::from(d - b'0'));
        let d = Date {
            year: n(0..4),
            month: n(4..6) as u8,
            day: n(6..8) as u8,
        };
        d.is_valid().then_some(d)
    }

    pub fn is_valid(&self) -> bool {
        let leap = self.year.is_multiple_of(4)
            && (!self.year.is_multiple_of(100) || self.year.is_multiple_of(400));
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day)
    }
}

/// Sex as the MRZ writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
    Unspecified,
}

impl Sex {
    fn letter(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
            Sex::Unspecified => '<',
        }
    }
}

/// What a TD1 MRZ says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Td1 {
    /// Two characters: `I` and a second letter or `<` (part 5: not `V`).
    pub document_code: String,
    /// Three letters (part 3 codes): `IDN` for Indonesia.
    pub issuing_state: String,
    /// Letters and digits; more than nine overflow into the optional data.
    pub document_number: String,
    pub birth: Date,
    pub sex: Sex,
    /// `None`: the document does not expire (KTP-el "SEUMUR HIDUP"); the field and its check
    /// digit are then filler (`<`), as part 3 lets a state do for an unused date.
    pub expiry: Option<Date>,
    pub nationality: String,
    /// Optional data of line 2 (up to 11 characters), filler when empty.
    pub optional2: String,
    /// The holder's name: words of the primary identifier; there is no secondary identifier
    /// when `secondary` is empty (a single-name holder, common in Indonesia).
    pub primary: String,
    pub secondary: String,
}

/// The check digit of part 3, 4.9: weights 7, 3, 1; `<` counts 0, `A`–`Z` 10–35.
pub fn check_digit(field: &str) -> char {
    let sum: u32 = field
        .bytes()
        .zip([7u32, 3, 1].into_iter().cycle())
        .map(|(c, w)| {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'A'..=b'Z' => u32::from(c - b'A') + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

/// Transliterates free text for the MRZ name field (part 3, 6): upper-case A–Z kept, spaces,
/// hyphens and other separators become `<`, apostrophes and full stops are dropped, Latin
/// letters with diacritics lose them.
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_uppercase) {
        let c = match c {
            'À'..='Å' => 'A',
            'Ç' => 'C',
            'È'..='Ë' => 'E',
            'Ì'..='Ï' => 'I',
            'Ñ' => 'N',
            'Ò'..='Ö' | 'Ø' => 'O',
            'Ù'..='Ü' => 'U',
            'Ý' => 'Y',
            c => c,
        };
        match c {
            'A'..='Z' => out.push(c),
            '\'' | '.' | ',' => {}
            _ => {
                if !out.ends_with('<') && !out.is_empty() {
                    out.push('<');
                }
            }
        }
    }
    while out.ends_with('<') {
        out.pop();
    }
    out
}

fn fixed(field: &'static str, s: &str, len: usize, what: &'static str) -> Result<String, MrzError> {
    if s.len() > len
        || !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<')
    {
        return Err(MrzError::Field { field, what });
    }
    Ok(format!("{s:<<len$}"))
}

impl Td1 {
    /// The three lines, 90 characters without separators.
    pub fn encode(&self) -> Result<String, MrzError> {
        let code = self.document_code.as_bytes();
        if code.len() != 2
            || code[0] != b'I'
            || !(code[1].is_ascii_uppercase() || code[1] == b'<')
            || code[1] == b'V'
        {
            return Err(MrzError::Field {
                field: "document code",
                what: "I followed by a letter other than V, or <",
            });
        }
        let three_letters = |field, s: &str| {
            if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'<') {
                Ok(s.to_string())
            } else {
                Err(MrzError::Field {
                    field,
                    what: "three letters",
                })
            }
        };
        let state = three_letters("issuing state", &self.issuing_state)?;
        let nationality = three_letters("nationality", &self.nationality)?;
        let number = &self.document_number;
        if number.is_empty()
            || number.len() > 22
            || !number
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(MrzError::Field {
                field: "document number",
                what: "1 to 22 letters and digits",
            });
        }
        let (number_field, number_check, optional1) = if number.len() <= 9 {
            (
                format!("{number:<<9}"),
                check_digit(&format!("{number:<<9}")),
                String::new(),
            )
        } else {
            let rest = &number[9..];
            (
                number[..9].to_string(),
                '<',
                format!("{rest}{}<", check_digit(number)),
            )
        };
        let optional1 = fixed(
            "line 1 optional data",
            &optional1,
            15,
            "up to 15 characters",
        )?;
        let line1 = format!(
            "{}{state}{number_field}{number_check}{optional1}",
            self.document_code
        );

        if !self.birth.is_valid() || self.expiry.is_some_and(|e| !e.is_valid()) {
            return Err(MrzError::Field {
                field: "date",
                what: "a real calendar date",
            });
        }
        let birth = self.birth.yymmdd();
        let birth_check = check_digit(&birth);
        let (expiry, expiry_check) = match self.expiry {
            Some(e) => {
                let s = e.yymmdd();
                let c = check_digit(&s);
                (s, c)
            }
            None => ("<<<<<<".to_string(), '<'),
        };
        let optional2 = fixed(
            "line 2 optional data",
            &self.optional2,
            11,
            "up to 11 characters",
        )?;
        let composite_input = format!(
            "{}{birth}{birth_check}{expiry}{expiry_check}{optional2}",
            &line1[5..30]
        );
        let line2 = format!(
            "{birth}{birth_check}{}{expiry}{expiry_check}{nationality}{optional2}{}",
            self.sex.letter(),
            check_digit(&composite_input)
        );

        let primary = transliterate(&self.primary);
        let secondary = transliterate(&self.secondary);
        if primary.is_empty() {
            return Err(MrzError::Field {
                field: "name",
                what: "at least one Latin letter",
            });
        }
        let mut name = primary;
        if !secondary.is_empty() {
            name.push_str("<<");
            name.push_str(&secondary);
        }
        // Truncation (part 3, 4.6): the name is cut at 30 characters.
        name.truncate(30);
        let line3 = format!("{name:<<30}");
        Ok(format!("{line1}{line2}{line3}"))
    }
}

/// Checks a 90-character TD1 MRZ: its alphabet, and every check digit (document number with
/// overflow, birth, expiry, composite).
pub fn check(mrz: &str) -> Result<(), MrzError> {
    let b = mrz.as_bytes();
    if b.len() != 90
        || !b
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'<')
    {
        return Err(MrzError::Shape);
    }
    let line1 = &mrz[0..30];
    let line2 = &mrz[30..60];
    if &line1[14..15] == "<" {
        // Overflow: the number continues in the optional data up to its check digit.
        let opt = &line1[15..30];
        let end = opt
            .find('<')
            .ok_or(MrzError::CheckDigit("document number"))?;
        if end < 2 {
            return Err(MrzError::CheckDigit("document number"));
        }
        let number = format!("{}{}", &line1[5..14], &opt[..end - 1]);
        if check_digit(&number) != char::from(opt.as_bytes()[end - 1]) {
            return Err(MrzError::CheckDigit("document number"));
        }
    } else if check_digit(&line1[5..14]) != char::from(b[14]) {
        return Err(MrzError::CheckDigit("document number"));
    }
    if check_digit(&line2[0..6]) != char::from(line2.as_bytes()[6]) {
        return Err(MrzError::CheckDigit("date of birth"));
    }
    let expiry_ok = if &line2[8..15] == "<<<<<<<" {
        true
    } else {
        check_digit(&line2[8..14]) == char::from(line2.as_bytes()[14])
    };
    if !expiry_ok {
        return Err(MrzError::CheckDigit("date of expiry"));
    }
    let composite = format!(
        "{}{}{}{}",
        &line1[5..30],
        &line2[0..7],
        &line2[8..15],
        &line2[18..29]
    );
    if check_digit(&composite) != char::from(line2.as_bytes()[29]) {
        return Err(MrzError::CheckDigit("composite"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Doc 9303 part 5, appendix A: the published TD1 specimen (Anna Maria Eriksson, Utopia).
    const SPECIMEN: [&str; 3] = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ];

    #[test]
    fn the_published_td1_specimen_is_reproduced_digit_for_digit() {
        let td1 = Td1 {
            document_code: "I<".into(),
            issuing_state: "UTO".into(),
            document_number: "D23145890".into(),
            birth: Date {
                year: 1974,
                month: 8,
                day: 12,
            },
            sex: Sex::Female,
            expiry: Some(Date {
                year: 2012,
                month: 4,
                day: 15,
            }),
            nationality: "UTO".into(),
            optional2: String::new(),
            primary: "Eriksson".into(),
            secondary: "Anna Maria".into(),
        };
        assert_eq!(td1.encode().unwrap(), SPECIMEN.concat());
        assert_eq!(check(&SPECIMEN.concat()), Ok(()));
    }

    #[test]
    fn check_digits_follow_part_3() {
        // Part 3, 4.9.2 worked example: 520727 → 3.
        assert_eq!(check_digit("520727"), '3');
        assert_eq!(check_digit("D23145890"), '7');
        assert_eq!(check_digit("<<<<<<"), '0');
    }

    #[test]
    fn a_sixteen_digit_nik_overflows_into_the_optional_data_and_checks() {
        let td1 = Td1 {
            document_code: "ID".into(),
            issuing_state: "IDN".into(),
            document_number: "3275021506470020".into(),
            birth: Date {
                year: 1947,
                month: 6,
                day: 15,
            },
            sex: Sex::Male,
            expiry: None,
            nationality: "IDN".into(),
            optional2: String::new(),
            primary: "Hadi Setiawan".into(),
            secondary: String::new(),
        };
        let mrz = td1.encode().unwrap();
        assert_eq!(
            &mrz[0..30],
            format!(
                "IDIDN327502150<6470020{}<<<<<<<",
                check_digit("3275021506470020")
            )
        );
        assert_eq!(&mrz[60..90], "HADI<SETIAWAN<<<<<<<<<<<<<<<<<");
        assert_eq!(check(&mrz), Ok(()));
        // One changed digit anywhere the composite covers is caught.
        let mut bad = mrz.clone().into_bytes();
        bad[33] = if bad[33] == b'9' { b'0' } else { bad[33] + 1 };
        assert!(check(std::str::from_utf8(&bad).unwrap()).is_err());
    }

    #[test]
    fn names_are_transliterated_and_truncated() {
        assert_eq!(
            transliterate("Siti Nur'aini  Al-Hasan"),
            "SITI<NURAINI<AL<HASAN"
        );
        assert_eq!(transliterate("José"), "JOSE");
        let long = Td1 {
            document_code: "ID".into(),
            issuing_state: "IDN".into(),
            document_number: "1".into(),
            birth: Date {
                year: 2000,
                month: 2,
                day: 29,
            },
            sex: Sex::Unspecified,
            expiry: None,
            nationality: "IDN".into(),
            optional2: String::new(),
            primary: "Raden Mas Panji Wiryo Atmodjo Kusumo".into(),
            secondary: String::new(),
        };
        assert_eq!(
            &long.encode().unwrap()[60..90],
            "RADEN<MAS<PANJI<WIRYO<ATMODJO<"
        );
        assert!(Td1 {
            birth: Date {
                year: 2001,
                month: 2,
                day: 29
            },
            ..long
        }
        .encode()
        .is_err());
    }
}
