//! One applicant on the waiting list, or back with their paper: where their record stands,
//! what happens next in plain words (the centre's verdict code put in the operator's language),
//! and the paper that belongs to it — the proof of recording while no verdict is in, a notice
//! of its own for a duplicate, adjudicate or enroll-failure verdict, the out-of-blanks paper for
//! a print-ready record when no blank card is left. An applicant who has left can be taken off
//! the waiting list without any paper, with a reason.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};
use ktpel_hal::ReceiptDoc;
use uuid::Uuid;

use super::{Action, Ctx, Page};
use crate::booth::service::applicant::ApplicantRecord;
use crate::booth::service::papers::{LeftReason, Paper, PaperError};
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::{receipt_view, ComplaintAbout, Nav};
use crate::queue::{Handover, State as QState};
use crate::t;
use crate::widgets::theme::{self, Kind};

#[derive(Debug, Clone)]
pub enum Message {
    Print,
    Printed(Result<(), PaperError>),
    Issue,
    Complaint,
    /// Ask why the applicant left (to take them off the list).
    AskDismiss,
    Dismiss(LeftReason),
    Dismissed(Result<(), PaperError>),
    Back,
}

#[derive(Debug)]
pub enum Request {
    Print(Uuid, Paper),
    Dismiss(Uuid, LeftReason),
}

pub enum Phase {
    Viewing,
    Printing,
    Printed,
    Failed(PaperError),
    /// Asking why the applicant left.
    Dismissing,
    Dismissed,
}

pub struct State {
    record: ApplicantRecord,
    /// The paper due now and its document (previewed beside the status).
    paper: Option<(Paper, ReceiptDoc)>,
    /// Blank cards left: with none, a print-ready applicant gets the out-of-blanks paper.
    blanks: i64,
    phase: Phase,
}

impl State {
    pub fn new(record: ApplicantRecord, paper: Option<(Paper, ReceiptDoc)>, blanks: i64) -> Self {
        Self {
            record,
            paper,
            blanks,
            phase: Phase::Viewing,
        }
    }

    pub fn record(&self) -> &ApplicantRecord {
        &self.record
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    fn name(&self) -> String {
        self.record
            .summary
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    /// The paper printable now: the out-of-blanks paper only while no blank is left.
    fn printable(&self) -> Option<Paper> {
        match self.paper.as_ref().map(|(p, _)| *p)? {
            Paper::AwaitingBlanks if self.blanks > 0 => None,
            p => Some(p),
        }
    }
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        let id = self.record.row.packet_id;
        match message {
            Message::Print => {
                let Some(paper) = self.printable() else {
                    return Action::None;
                };
                if matches!(self.phase, Phase::Printing) {
                    return Action::None;
                }
                self.phase = Phase::Printing;
                Action::Run(Request::Print(id, paper))
            }
            Message::Printed(Ok(())) => {
                self.phase = Phase::Printed;
                if let Some(paper) = self.printable() {
                    self.record.row.handover = match paper {
                        Paper::Receipt => Handover::ReceiptPrinted,
                        Paper::Notice => Handover::NoticePrinted,
                        Paper::AwaitingBlanks => Handover::AwaitingBlanks,
                    };
                }
                Action::None
            }
            Message::Printed(Err(e)) => {
                tracing::warn!(needs_person = e.needs_person(), "paper not printed");
                self.phase = Phase::Failed(e);
                Action::None
            }
            Message::Issue if self.record.row.state == QState::PrintReady && self.blanks > 0 => {
                Action::Go(Nav::Issue(id, self.name()))
            }
            Message::Issue => Action::None,
            Message::Complaint => Action::Go(Nav::Complaint(Some(ComplaintAbout {
                name: self.name(),
                receipt_no: self.record.row.receipt_no.clone(),
            }))),
            Message::AskDismiss if self.record.row.handover.waiting() => {
                self.phase = Phase::Dismissing;
                Action::None
            }
            Message::AskDismiss => Action::None,
            Message::Dismiss(reason) => {
                if !matches!(self.phase, Phase::Dismissing) {
                    return Action::None;
                }
                Action::Run(Request::Dismiss(id, reason))
            }
            Message::Dismissed(Ok(())) => {
                self.phase = Phase::Dismissed;
                self.record.row.handover = Handover::Dismissed;
                Action::None
            }
            Message::Dismissed(Err(e)) => {
                self.phase = Phase::Failed(e);
                Action::None
            }
            Message::Back => Action::Go(Nav::Home),
        }
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        let Ctx { service, who } = ctx;
        match request {
            Request::Print(id, paper) => Task::perform(
                async move { service.print_paper(&who, id, paper).await },
                Message::Printed,
            ),
            Request::Dismiss(id, reason) => Task::perform(
                async move { service.dismiss(&who, id, reason).await },
                Message::Dismissed,
            ),
        }
    }
}

/// The operator's words for where a record stands and what the applicant does next.
pub fn status_words(lang: Lang, state: QState, code: Option<&str>) -> Vec<String> {
    let general = match state {
        QState::AwaitingReview => t!(lang, "status-awaiting-review"),
        QState::Rejected => t!(lang, "status-rejected"),
        QState::Recorded | QState::Sending => t!(lang, "status-unsent"),
        QState::Received => t!(lang, "status-received"),
        QState::PrintReady => t!(lang, "status-print-ready"),
        QState::Duplicate => t!(lang, "status-duplicate"),
        QState::Adjudicate => t!(lang, "status-adjudicate"),
        QState::EnrollFailure => t!(lang, "status-enroll-failure"),
        QState::Issued | QState::PickedUp => t!(lang, "status-handed-over"),
    };
    let mut out = vec![general];
    if let Some(c) = code {
        let key = format!("verdict-{}", c.replace(['.', '_'], "-"));
        let words = tr(lang, &key);
        // A code this booth does not know: the general words and the code as it came.
        out.push(if words.starts_with('⟦') {
            t!(lang, "verdict-unknown-code", code = c.to_string())
        } else {
            words
        });
    }
    out
}

impl State {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let row_ = &self.record.row;
        let mut info = column![
            text(format!("{:03} · {}", row_.queue_no, self.name())).size(theme::TITLE),
            text(t!(
                lang,
                "applicant-receipt-no",
                number = row_.receipt_no.clone()
            ))
            .size(theme::BODY),
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        let words = status_words(lang, row_.state, row_.verdict_code.as_deref());
        info = info.push(theme::panel(
            words.into_iter().fold(column![].spacing(6), |c, w| {
                c.push(text(w).size(theme::BODY))
            }),
        ));
        let handover_words = match row_.handover {
            Handover::ReceiptPrinted => Some(t!(lang, "applicant-receipt-printed")),
            Handover::NoticePrinted => Some(t!(lang, "applicant-notice-printed")),
            Handover::AwaitingBlanks => Some(t!(lang, "applicant-awaiting-blanks")),
            Handover::Dismissed => Some(t!(lang, "applicant-dismissed")),
            Handover::None | Handover::ReceiptDue => None,
        };
        if let Some(w) = handover_words {
            info = info.push(text(w).size(theme::BODY));
        }
        if row_.state == QState::PrintReady && self.blanks <= 0 {
            info = info.push(theme::alert(t!(lang, "applicant-no-blanks")));
        }
        match &self.phase {
            Phase::Printing => {
                info = info.push(text(t!(lang, "receipt-printing")).size(theme::BODY))
            }
            Phase::Printed => {
                let done = match self.paper.as_ref().map(|(p, _)| *p) {
                    Some(Paper::Receipt) => t!(lang, "receipt-printed"),
                    _ => t!(lang, "notice-printed"),
                };
                info = info.push(theme::panel(text(done).size(theme::BODY)))
            }
            Phase::Failed(f) if f.needs_person() => {
                info = info.push(theme::alert(t!(
                    lang,
                    "receipt-needs-person",
                    reason = f.to_string()
                )))
            }
            Phase::Failed(f) => {
                info = info.push(theme::alert(t!(
                    lang,
                    "receipt-failed",
                    reason = f.to_string()
                )))
            }
            Phase::Dismissed => {
                info = info.push(theme::panel(
                    text(t!(lang, "applicant-dismissed")).size(theme::BODY),
                ))
            }
            Phase::Dismissing => {
                let reasons =
                    LeftReason::ALL
                        .iter()
                        .fold(column![].spacing(theme::GAP / 2.0), |c, r| {
                            c.push(
                                theme::action(
                                    tr(lang, &format!("left-{}", r.as_str())),
                                    Kind::Danger,
                                    Some(Message::Dismiss(*r)),
                                )
                                .width(Length::Fill),
                            )
                        });
                info = info.push(text(t!(lang, "applicant-why-left")).size(theme::BODY));
                info = info.push(reasons);
            }
            Phase::Viewing => {}
        }
        if row_.state == QState::PrintReady && self.blanks > 0 {
            info = info.push(theme::action(
                t!(lang, "applicant-issue"),
                Kind::Success,
                Some(Message::Issue),
            ));
        }
        let busy = matches!(self.phase, Phase::Printing);
        let print = self.printable().map(|p| {
            let label = match (p, row_.handover) {
                (Paper::Receipt, Handover::ReceiptPrinted) => t!(lang, "receipt-reprint"),
                (Paper::Receipt, _) => t!(lang, "receipt-print"),
                (Paper::Notice, Handover::NoticePrinted) => t!(lang, "notice-reprint"),
                (Paper::Notice, _) => t!(lang, "notice-print"),
                (Paper::AwaitingBlanks, _) => t!(lang, "blanks-paper-print"),
            };
            theme::action(label, Kind::Primary, (!busy).then_some(Message::Print))
        });
        // Two to a row: each label has room for its words at the body size, in both languages.
        let mut first = row![].spacing(theme::GAP);
        if let Some(p) = print {
            first = first.push(p.width(Length::Fill));
        }
        if row_.handover.waiting() && !matches!(self.phase, Phase::Dismissing | Phase::Dismissed) {
            first = first.push(
                theme::action(
                    t!(lang, "applicant-left"),
                    Kind::Secondary,
                    Some(Message::AskDismiss),
                )
                .width(Length::Fill),
            );
        }
        let second = row![
            theme::action(
                t!(lang, "home-complaint"),
                Kind::Secondary,
                Some(Message::Complaint),
            )
            .width(Length::Fill),
            theme::back(t!(lang, "back"), Some(Message::Back)).width(Length::Fill),
        ]
        .spacing(theme::GAP);
        let actions = column![first, second].spacing(theme::GAP);
        info = info.push(actions);
        let preview: Element<'_, Message> = match (&self.paper, self.printable()) {
            (Some((_, doc)), Some(_)) => receipt_view::view(doc),
            _ => Space::new().into(),
        };
        theme::page(row![info, preview].spacing(theme::GAP * 2.0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::queue::{ApplicantSummary, QueueRow};

    fn record(state: QState, handover: Handover, code: Option<&str>) -> ApplicantRecord {
        let t: jiff::Timestamp = "2026-11-25T02:00:00Z".parse().unwrap();
        ApplicantRecord {
            row: QueueRow {
                packet_id: Uuid::now_v7(),
                queue_no: 7,
                receipt_no: "2611250100070".into(),
                state,
                handover,
                recorded_at: t,
                deadline_at: t,
                attempts: 0,
                next_attempt_at: t,
                last_error: None,
                verdict_code: code.map(Into::into),
                updated_at: t,
                holds_sealed_captures: false,
                holds_applicant: true,
                holds_personalization: false,
                sealed_size: Some(300_000),
                upload_offset: 0,
            },
            summary: Some(ApplicantSummary {
                name: "SITI RAHAYU".into(),
                nik: "3273014508900001".into(),
            }),
        }
    }

    fn doc() -> ReceiptDoc {
        ReceiptDoc { lines: vec![] }
    }

    #[test]
    fn a_duplicate_gets_its_notice_never_the_receipt_and_its_code_in_words() {
        let mut s = State::new(
            record(
                QState::Duplicate,
                Handover::None,
                Some("duplicate.nik_enrolled"),
            ),
            Some((Paper::Notice, doc())),
            10,
        );
        assert!(matches!(
            s.update(Message::Print).runs(),
            Some(Request::Print(_, Paper::Notice))
        ));
        s.update(Message::Printed(Ok(())));
        assert_eq!(s.record().row.handover, Handover::NoticePrinted);
        let id = status_words(Lang::Id, QState::Duplicate, Some("duplicate.nik_enrolled"));
        let en = status_words(Lang::En, QState::Duplicate, Some("duplicate.nik_enrolled"));
        assert_eq!(id.len(), 2);
        assert_ne!(id, en, "each language its own words");
        assert!(
            !id[1].contains("duplicate.nik_enrolled"),
            "a known code is put in words: {id:?}"
        );
        let unknown = status_words(Lang::Id, QState::Duplicate, Some("duplicate.new_rule"));
        assert!(unknown[1].contains("duplicate.new_rule"), "{unknown:?}");
    }

    #[test]
    fn a_print_ready_applicant_is_issued_while_blanks_last_and_gets_the_blanks_paper_after() {
        let mut s = State::new(
            record(QState::PrintReady, Handover::None, None),
            Some((Paper::AwaitingBlanks, doc())),
            3,
        );
        assert!(
            matches!(s.update(Message::Print), Action::None),
            "blanks left: no paper"
        );
        assert!(
            matches!(s.update(Message::Issue), Action::Go(Nav::Issue(_, n)) if n == "SITI RAHAYU")
        );
        let mut s = State::new(
            record(QState::PrintReady, Handover::None, None),
            Some((Paper::AwaitingBlanks, doc())),
            0,
        );
        assert!(
            matches!(s.update(Message::Issue), Action::None),
            "no blank: no card"
        );
        assert!(matches!(
            s.update(Message::Print).runs(),
            Some(Request::Print(_, Paper::AwaitingBlanks))
        ));
    }

    #[test]
    fn an_applicant_who_left_is_taken_off_the_list_with_a_reason() {
        let mut s = State::new(
            record(QState::Received, Handover::None, None),
            Some((Paper::Receipt, doc())),
            5,
        );
        assert!(
            matches!(
                s.update(Message::Dismiss(LeftReason::LeftOffice)),
                Action::None
            ),
            "asked first"
        );
        s.update(Message::AskDismiss);
        assert!(matches!(
            s.update(Message::Dismiss(LeftReason::LeftOffice)).runs(),
            Some(Request::Dismiss(_, LeftReason::LeftOffice))
        ));
        s.update(Message::Dismissed(Ok(())));
        assert_eq!(s.record().row.handover, Handover::Dismissed);
    }
}
