//! Which two fingers go on the chip.

use crate::iso19794_2::FingerView;
use crate::Template;
use ktpel_hal::FingerPosition;
use std::cmp::Ordering;

/// Picks the finger views for the chip from the templates the booth extracted (fingers with an
/// exception — missing, bandaged, unusable — are simply absent from `candidates`).
///
/// The rule, one slot per hand:
/// 1. a template without minutiae is of no use and is ignored; when a finger appears more than
///    once its best template counts;
/// 2. the right slot takes the right index finger, the left slot the left index finger;
/// 3. a slot whose index finger is absent takes the best other finger of the same hand;
/// 4. a slot still empty (the whole hand is absent) takes the best finger of the other hand
///    not already chosen.
///
/// "Best" is the higher [`Template::quality`], then more minutiae, then the lower ISO finger
/// code (thumb before little finger). The result holds at most two views in ISO finger-code
/// order (right hand first), and is empty only when no candidate has minutiae.
pub fn choose_fingers(candidates: &[(FingerPosition, Template)]) -> Vec<FingerView> {
    // The best template per finger.
    let mut best: Vec<(FingerPosition, &Template)> = Vec::new();
    for (pos, t) in candidates {
        if t.minutiae.is_empty() {
            continue;
        }
        match best.iter_mut().find(|(p, _)| p == pos) {
            Some(slot) => {
                if better(*pos, t, slot.0, slot.1) == Ordering::Greater {
                    slot.1 = t;
                }
            }
            None => best.push((*pos, t)),
        }
    }
    let right = |p: FingerPosition| p.iso_code() <= 5;
    let mut chosen: Vec<(FingerPosition, &Template)> = Vec::new();
    let pick = |want: &dyn Fn(FingerPosition) -> bool, chosen: &mut Vec<_>| {
        let found = best
            .iter()
            .filter(|(p, _)| want(*p) && !chosen.iter().any(|(c, _)| c == p))
            .max_by(|a, b| better(a.0, a.1, b.0, b.1))
            .copied();
        if let Some(f) = found {
            chosen.push(f);
            true
        } else {
            false
        }
    };
    // Right slot, then left slot; a slot empty after its own hand is filled at the end.
    let right_done =
        pick(&|p| p == FingerPosition::RightIndex, &mut chosen) || pick(&|p| right(p), &mut chosen);
    let left_done =
        pick(&|p| p == FingerPosition::LeftIndex, &mut chosen) || pick(&|p| !right(p), &mut chosen);
    if !right_done {
        pick(&|_| true, &mut chosen);
    }
    if !left_done {
        pick(&|_| true, &mut chosen);
    }
    chosen.sort_by_key(|(p, _)| p.iso_code());
    chosen
        .into_iter()
        .map(|(position, t)| FingerView {
            position,
            template: t.clone(),
        })
        .collect()
}

/// Orders two candidates: `Greater` when `a` is the better one.
fn better(pa: FingerPosition, a: &Template, pb: FingerPosition, b: &Template) -> Ordering {
    a.quality
        .cmp(&b.quality)
        .then(a.minutiae.len().cmp(&b.minutiae.len()))
        .then(pb.iso_code().cmp(&pa.iso_code()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Minutia, MinutiaKind};
    use FingerPosition::*;

    fn t(quality: u8, n: usize) -> Template {
        Template {
            width: 256,
            height: 288,
            ppi: 500,
            quality,
            minutiae: vec![
                Minutia {
                    x: 1,
                    y: 1,
                    angle_deg: 0.0,
                    kind: MinutiaKind::Ending,
                    quality: 50,
                };
                n
            ],
        }
    }

    fn positions(v: &[FingerView]) -> Vec<FingerPosition> {
        v.iter().map(|f| f.position).collect()
    }

    fn all_ten() -> Vec<(FingerPosition, Template)> {
        FingerPosition::ALL
            .iter()
            .enumerate()
            .map(|(i, &p)| (p, t(40 + i as u8 * 5, 20)))
            .collect()
    }

    #[test]
    fn both_index_fingers_when_present_whatever_the_others_score() {
        assert_eq!(
            positions(&choose_fingers(&all_ten())),
            vec![RightIndex, LeftIndex]
        );
    }

    #[test]
    fn a_missing_index_is_replaced_by_the_best_finger_of_the_same_hand() {
        let c: Vec<_> = all_ten()
            .into_iter()
            .filter(|(p, _)| *p != RightIndex)
            .collect();
        // Right hand qualities rise from thumb (40) to little (60): the little finger wins.
        assert_eq!(positions(&choose_fingers(&c)), vec![RightLittle, LeftIndex]);
    }

    #[test]
    fn a_missing_hand_is_replaced_from_the_other_hand() {
        let c: Vec<_> = all_ten()
            .into_iter()
            .filter(|(p, _)| p.iso_code() > 5)
            .collect();
        // The left index takes its own slot; the best other left finger (little, 85) the right one.
        assert_eq!(positions(&choose_fingers(&c)), vec![LeftIndex, LeftLittle]);
    }

    #[test]
    fn ties_go_to_more_minutiae_then_the_lower_finger_code() {
        let c = vec![
            (RightMiddle, t(70, 20)),
            (RightRing, t(70, 25)),
            (RightThumb, t(70, 25)),
            (LeftIndex, t(10, 5)),
        ];
        assert_eq!(positions(&choose_fingers(&c)), vec![RightThumb, LeftIndex]);
    }

    #[test]
    fn templates_without_minutiae_do_not_count() {
        let c = vec![(RightIndex, t(90, 0)), (RightMiddle, t(50, 12))];
        assert_eq!(positions(&choose_fingers(&c)), vec![RightMiddle]);
        assert!(choose_fingers(&[(LeftIndex, t(90, 0))]).is_empty());
        assert!(choose_fingers(&[]).is_empty());
    }

    #[test]
    fn a_repeated_finger_uses_its_best_template() {
        let c = vec![(LeftIndex, t(30, 10)), (LeftIndex, t(80, 10))];
        let v = choose_fingers(&c);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].template.quality, 80);
    }
}
