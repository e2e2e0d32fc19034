//! The field profile against the minutiae the centre extracts (ktpel-minutiae, the same
//! parameters as for the chip): on simulated fingers at least 95 % of the minutiae found on the
//! original are found again within 10 px and 15° after the JPEG 2000 round trip, and at most 5 %
//! new ones appear. Simulated prints are smoother than real ones (no pores, scars or sensor
//! noise), so these floors are a regression guard, not a claim about real fingers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ktpel_biometric_records::*;
use ktpel_hal::{FingerPosition, FingerRecord};
use ktpel_minutiae::{extract, Minutia};

const DIST_PX: f32 = 10.0;
const ANGLE_DEG: f32 = 15.0;

fn matches(a: &Minutia, b: &Minutia) -> bool {
    let (dx, dy) = (
        f32::from(a.x) - f32::from(b.x),
        f32::from(a.y) - f32::from(b.y),
    );
    let d = (a.angle_deg - b.angle_deg).rem_euclid(360.0);
    (dx * dx + dy * dy).sqrt() <= DIST_PX && d.min(360.0 - d) <= ANGLE_DEG
}

#[test]
fn field_profile_keeps_the_minutiae() {
    let (mut original, mut found, mut new) = (0usize, 0usize, 0usize);
    for subject in 0..4u64 {
        for position in FingerPosition::ALL {
            let f = finger(100 + subject, position);
            let FingerRecord::Captured(c) = &f else {
                unreachable!()
            };
            let FingerRecord::Captured(back) =
                read_finger(&finger_bir(&f, Profile::Field, T).unwrap()).unwrap()
            else {
                panic!("exception back")
            };
            let before = extract(&c.image, 500).unwrap().minutiae;
            let after = extract(&back.image, 500).unwrap().minutiae;
            original += before.len();
            found += before
                .iter()
                .filter(|m| after.iter().any(|n| matches(m, n)))
                .count();
            new += after
                .iter()
                .filter(|n| !before.iter().any(|m| matches(m, n)))
                .count();
        }
    }
    let share = found as f64 / original as f64;
    let new_share = new as f64 / original as f64;
    eprintln!(
        "field profile ({FIELD_FINGER_RATIO}:1): {original} minutiae, {:.1} % found again, {:.1} % new",
        share * 100.0,
        new_share * 100.0
    );
    assert!(
        share >= 0.95,
        "only {:.1} % of the minutiae survive",
        share * 100.0
    );
    assert!(new_share <= 0.05, "{:.1} % new minutiae", new_share * 100.0);
}
