//! Where a packet is in its life, on two axes: the centre's side (`State`) and the applicant's
//! side (`Handover`: is a proof of recording due or printed).
//!
//! ```text
//! awaiting_review ─┬→ recorded   (the office reviews before sending: the supervisor approved)
//!                  └→ rejected   (the supervisor rejected it with a reason: payload purged)
//! recorded → sending → received → print_ready ─┬→ issued      (card handed over in the window)
//!                                 duplicate    └→ picked_up   (card collected with the receipt)
//!                                 adjudicate
//!                                 enroll_failure
//! handover: none → receipt_due (the verdict window closed without a verdict) → receipt_printed
//!           none | receipt_due | receipt_printed → notice_printed   (duplicate, adjudicate,
//!                                                                    enroll failure: its own paper)
//!           none | receipt_due → awaiting_blanks   (print ready, no blank cards: a paper saying
//!                                                   the card is printed when blanks arrive)
//!           none | receipt_due → dismissed          (the applicant left; a reason, no paper)
//! ```
//! The two axes are separate because a receipt is often printed while the packet is still
//! waiting to be sent: the centre's side goes on after the applicant has left.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Saved, waiting for the supervisor's review before it may be sent (`review_before_send`).
    AwaitingReview,
    Recorded,
    Sending,
    Received,
    PrintReady,
    Duplicate,
    Adjudicate,
    EnrollFailure,
    Issued,
    PickedUp,
    /// The supervisor rejected it at review: never sent, its sealed payload deleted.
    Rejected,
}

impl State {
    pub const ALL: [State; 11] = [
        State::AwaitingReview,
        State::Recorded,
        State::Sending,
        State::Received,
        State::PrintReady,
        State::Duplicate,
        State::Adjudicate,
        State::EnrollFailure,
        State::Issued,
        State::PickedUp,
        State::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::AwaitingReview => "awaiting_review",
            State::Recorded => "recorded",
            State::Sending => "sending",
            State::Received => "received",
            State::PrintReady => "print_ready",
            State::Duplicate => "duplicate",
            State::Adjudicate => "adjudicate",
            State::EnrollFailure => "enroll_failure",
            State::Issued => "issued",
            State::PickedUp => "picked_up",
            State::Rejected => "rejected",
        }
    }

    /// Whether the centre has judged the packet one that cannot be printed.
    pub fn not_printable(self) -> bool {
        matches!(
            self,
            State::Duplicate | State::Adjudicate | State::EnrollFailure
        )
    }

    /// Whether the centre has not judged the packet yet (nor the supervisor rejected it).
    pub fn unjudged(self) -> bool {
        matches!(
            self,
            State::AwaitingReview | State::Recorded | State::Sending | State::Received
        )
    }

    /// Whether the centre still has to be sent this packet (one awaiting review may not be
    /// sent yet: it is not counted).
    pub fn unsent(self) -> bool {
        matches!(self, State::Recorded | State::Sending)
    }

    /// Whether the legal moves include `self → to`.
    pub fn can_become(self, to: State) -> bool {
        use State::*;
        matches!(
            (self, to),
            (AwaitingReview, Recorded | Rejected)
                | (Recorded, Sending)
                | (Sending, Received)
                | (
                    Received,
                    PrintReady | Duplicate | Adjudicate | EnrollFailure
                )
                | (PrintReady, Issued | PickedUp)
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown state \"{s}\""))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handover {
    None,
    ReceiptDue,
    ReceiptPrinted,
    /// A non-printable verdict's own paper was printed (duplicate, adjudicate, enroll failure).
    NoticePrinted,
    /// Print ready with no blank cards: the applicant has a paper and waits for blanks.
    AwaitingBlanks,
    /// The applicant left before any paper; taken off the waiting list with a reason.
    Dismissed,
}

impl Handover {
    pub const ALL: [Handover; 6] = [
        Handover::None,
        Handover::ReceiptDue,
        Handover::ReceiptPrinted,
        Handover::NoticePrinted,
        Handover::AwaitingBlanks,
        Handover::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Handover::None => "none",
            Handover::ReceiptDue => "receipt_due",
            Handover::ReceiptPrinted => "receipt_printed",
            Handover::NoticePrinted => "notice_printed",
            Handover::AwaitingBlanks => "awaiting_blanks",
            Handover::Dismissed => "dismissed",
        }
    }

    /// Whether the applicant is still at the office, on the waiting list.
    pub fn waiting(self) -> bool {
        matches!(self, Handover::None | Handover::ReceiptDue)
    }
}

impl fmt::Display for Handover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Handover {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Handover::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| format!("unknown handover \"{s}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_only_the_documented_moves_are_legal() {
        for s in State::ALL {
            assert_eq!(s.as_str().parse::<State>(), Ok(s));
        }
        let legal: Vec<(State, State)> = State::ALL
            .into_iter()
            .flat_map(|a| State::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(legal.len(), 10);
        assert!(!State::AwaitingReview.can_become(State::Sending));
        assert!(!State::Rejected.can_become(State::Recorded));
        assert!(!State::Recorded.can_become(State::AwaitingReview));
        assert!(!State::Received.can_become(State::Issued));
        assert!(!State::Duplicate.can_become(State::Issued));
        assert!(!State::Issued.can_become(State::Recorded));
    }
}
