#![allow(clippy::unwrap_used)]

use super::*;
use crate::queue::tests::{print_ready, store_with_key};

fn approval() -> Approval {
    Approval {
        supervisor_id: "spv-01".into(),
        reason: ReprintReason::Misprint,
    }
}

fn at(s: u64) -> Timestamp {
    crate::queue::tests::t0() + std::time::Duration::from_secs(s)
}

#[test]
fn the_first_card_needs_no_approval_and_each_step_is_derived_from_the_facts() {
    let (mut s, _dir) = store_with_key();
    s.adjust_blanks(10, true, "tech-01", at(0)).unwrap();
    let id = print_ready(&mut s, at(1));
    assert_eq!(s.issue_progress(id).unwrap(), IssueProgress::Print);
    let p = s.begin_card_print(id, None, "op-01", at(2)).unwrap();
    // Sent but not answered (a crash here): the booth knows a card may be in the printer.
    assert!(matches!(
        s.issue_progress(id).unwrap(),
        IssueProgress::NeedsReprint { last } if last.outcome == PrintOutcome::Sending
    ));
    s.finish_card_print(p, Ok("0001"), at(3)).unwrap();
    assert!(
        matches!(s.issue_progress(id).unwrap(), IssueProgress::Chip { print } if print.id == p)
    );
    s.card_chip_verified(p, at(4)).unwrap();
    assert!(
        matches!(s.issue_progress(id).unwrap(), IssueProgress::HandOver { print } if print.id == p)
    );
    assert_eq!(
        s.blank_stock().unwrap(),
        BlankStock {
            on_hand: 9,
            used: 1,
            spoiled: 0
        }
    );
    s.mark_handed_over(id, at(5)).unwrap();
    assert_eq!(s.issue_progress(id).unwrap(), IssueProgress::Done);
    assert!(s.verify_audit().unwrap().ok());
}

#[test]
fn a_second_card_is_refused_without_a_supervisor_and_spoils_the_first_with_one() {
    let (mut s, _dir) = store_with_key();
    s.adjust_blanks(5, true, "tech-01", at(0)).unwrap();
    let id = print_ready(&mut s, at(1));
    let first = s.begin_card_print(id, None, "op-01", at(2)).unwrap();
    s.finish_card_print(first, Ok("0001"), at(3)).unwrap();
    // Leaving the screen and coming back: printing again is not silent.
    assert!(matches!(
        s.begin_card_print(id, None, "op-01", at(4)),
        Err(QueueError::ReprintNeedsApproval(_))
    ));
    let second = s
        .begin_card_print(id, Some(&approval()), "op-01", at(5))
        .unwrap();
    let prints = s.card_prints(id).unwrap();
    assert_eq!(prints.len(), 2);
    assert_eq!(prints[0].outcome, PrintOutcome::Spoiled);
    assert_eq!(prints[1].id, second);
    assert_eq!(prints[1].reprint_of, Some(first));
    assert_eq!(prints[1].reason.as_deref(), Some("misprint"));
    assert_eq!(prints[1].approved_by.as_deref(), Some("spv-01"));
    s.finish_card_print(second, Err("card jammed"), at(6))
        .unwrap();
    let stock = s.blank_stock().unwrap();
    assert_eq!((stock.on_hand, stock.used, stock.spoiled), (3, 0, 2));
    assert!(s.verify_audit().unwrap().ok());
}

#[test]
fn only_print_ready_records_take_a_card_and_a_finished_print_cannot_be_rewritten() {
    let (mut s, _dir) = store_with_key();
    let id = crate::queue::tests::recorded(&mut s, at(0));
    assert!(matches!(
        s.begin_card_print(id, None, "op-01", at(1)),
        Err(QueueError::NotPrintReady { .. })
    ));
    let id = print_ready(&mut s, at(2));
    let p = s.begin_card_print(id, None, "op-01", at(3)).unwrap();
    s.finish_card_print(p, Ok("7"), at(4)).unwrap();
    assert!(matches!(
        s.finish_card_print(p, Err("late"), at(5)),
        Err(QueueError::UnknownPrint(_))
    ));
    // The chip of a card that never printed cannot be verified.
    let q = s
        .begin_card_print(id, Some(&approval()), "op-01", at(6))
        .unwrap();
    assert!(matches!(
        s.card_chip_verified(q, at(7)),
        Err(QueueError::UnknownPrint(_))
    ));
}

#[test]
fn blanks_are_loaded_counted_and_a_nonsense_count_is_refused() {
    let (mut s, _dir) = store_with_key();
    assert_eq!(s.blank_stock().unwrap().on_hand, 0);
    assert_eq!(
        s.adjust_blanks(50, true, "tech-01", at(0)).unwrap().on_hand,
        50
    );
    assert_eq!(
        s.adjust_blanks(-2, false, "tech-01", at(1))
            .unwrap()
            .on_hand,
        48
    );
    assert!(s.adjust_blanks(-5, true, "tech-01", at(2)).is_err());
    assert!(s.adjust_blanks(0, false, "tech-01", at(3)).is_err());
    assert!(s.verify_audit().unwrap().ok());
}

#[test]
fn a_card_whose_chip_is_spent_is_counted_spoiled_and_needs_a_reprint() {
    let (mut s, _dir) = store_with_key();
    s.adjust_blanks(5, true, "tech-01", at(0)).unwrap();
    let id = print_ready(&mut s, at(1));
    let first = s.begin_card_print(id, None, "op-01", at(2)).unwrap();
    s.finish_card_print(first, Ok("0001"), at(3)).unwrap();
    // The chip turned out locked by an earlier issue: the card can never carry this record.
    s.card_chip_spent(first, "the chip is locked", at(4))
        .unwrap();
    let prints = s.card_prints(id).unwrap();
    assert_eq!(prints[0].outcome, PrintOutcome::Spoiled);
    assert!(matches!(
        s.issue_progress(id).unwrap(),
        IssueProgress::NeedsReprint { last } if last.id == first
    ));
    let stock = s.blank_stock().unwrap();
    assert_eq!((stock.on_hand, stock.used, stock.spoiled), (4, 0, 1));
    // Spent once is counted once: neither again, nor once more by the approved reprint.
    assert!(matches!(
        s.card_chip_spent(first, "again", at(5)),
        Err(QueueError::UnknownPrint(_))
    ));
    let second = s
        .begin_card_print(id, Some(&approval()), "op-01", at(6))
        .unwrap();
    s.finish_card_print(second, Ok("0002"), at(7)).unwrap();
    s.card_chip_verified(second, at(8)).unwrap();
    let stock = s.blank_stock().unwrap();
    assert_eq!((stock.on_hand, stock.used, stock.spoiled), (3, 1, 1));
    assert!(s.verify_audit().unwrap().ok());
}
