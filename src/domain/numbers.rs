//! The numbers the booth gives people — receipt numbers, complaint tickets — and what they are
//! built from: the office's day and a Luhn check digit, so a mistyped number is refused at the
//! keypad before anything is looked up.

use jiff::Timestamp;

/// The office's local date (WIB, UTC+7) as YYMMDD.
pub fn local_day(t: Timestamp) -> String {
    let dt = crate::clock::WIB.to_datetime(t);
    format!(
        "{:02}{:02}{:02}",
        dt.year().rem_euclid(100),
        dt.month(),
        dt.day()
    )
}

/// The Luhn check digit of `digits`, so a mistyped receipt number is caught at the keypad.
pub fn luhn_digit(digits: &str) -> char {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0'));
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// Whether `receipt_no` is 13 digits with a correct check digit.
pub fn receipt_no_is_well_formed(receipt_no: &str) -> bool {
    receipt_no.len() == 13
        && receipt_no.bytes().all(|b| b.is_ascii_digit())
        && luhn_digit(&receipt_no[..12]) == char::from(receipt_no.as_bytes()[12])
}
