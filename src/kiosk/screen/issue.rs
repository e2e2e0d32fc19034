//! Issuing a print-ready card (SOP 6a print, 7 encode, 9 hand over): the card face the operator
//! checks before printing, the print, the chip written with a progress bar and proven by
//! reading it back, then the hand-over that closes the record. The screen opens at the first
//! unfinished step as the queue records it, so leaving and coming back (or a restart) never
//! prints a second card silently: another card needs a supervisor's PIN and a reason, and the
//! first counts as spoiled.

use iced::widget::{column, image, progress_bar, row, text, Space};
use iced::{Element, Length, Task};
use ktpel_card_pcsc::{CancelFlag, Phase as ChipPhase, Progress};
use ktpel_hal::EncodedImage;
use uuid::Uuid;

use super::verify::approval_message;
use super::{Action, Ctx, Page};
use crate::booth::issuance::IssueError;
use crate::booth::service::issue::{ChipEvent, Encoded, Printed};
use crate::booth::service::{Action as Permission, SignInError, Staff};
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::screen::supervisor_pin::SupervisorPin;
use crate::kiosk::Nav;
use crate::queue::{Approval, IssueProgress, PrintOutcome, ReprintReason, State as QState};
use crate::t;
use crate::widgets::icons::Icon;
use crate::widgets::keypad::{self, Key};
use crate::widgets::theme::{self, Kind};
use crate::widgets::typing::Typed;

#[derive(Debug, Clone)]
pub enum Message {
    Opened(Result<(IssueProgress, EncodedImage), IssueError>),
    Print,
    Printed(Result<Printed, IssueError>),
    /// Ask a supervisor for another card, for this reason.
    AskReprint(ReprintReason),
    Key(Key),
    Approve,
    Approved(Result<Staff, SignInError>),
    Encode,
    /// Write over a card that is already personalised (the operator chose to re-issue).
    Reissue,
    Chip(ChipEvent),
    Cancel,
    HandOver,
    HandedOver(Result<QState, IssueError>),
    Back,
}

#[derive(Debug)]
pub enum Request {
    Open(Uuid),
    Print(Uuid, Option<Approval>),
    Approve(String),
    Encode {
        id: Uuid,
        print_id: i64,
        reissue: bool,
        cancel: CancelFlag,
    },
    HandOver(Uuid),
}

#[derive(Debug, Clone)]
pub enum Step {
    /// Reading where issuance stands and drawing the card face.
    Opening,
    /// Where the queue says issuance stands.
    At(IssueProgress),
    Printing,
    Encoding(Option<Progress>),
    HandingOver,
    Done(QState),
}

/// A supervisor's PIN being typed for another card.
struct Asking {
    reason: ReprintReason,
    pin: SupervisorPin,
}

pub struct State {
    id: Uuid,
    name: String,
    front: Option<image::Handle>,
    step: Step,
    error: Option<IssueError>,
    asking: Option<Asking>,
    encoded: Option<Encoded>,
    /// Stops the chip encoding between commands (leaving the screen is not allowed meanwhile).
    cancel: Option<CancelFlag>,
}

impl State {
    /// The issue screen of record `id`; the request reads where its issuance stands.
    pub fn open(id: Uuid, name: String) -> (Self, Request) {
        (
            Self {
                id,
                name,
                front: None,
                step: Step::Opening,
                error: None,
                asking: None,
                encoded: None,
                cancel: None,
            },
            Request::Open(id),
        )
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    fn busy(&self) -> bool {
        matches!(
            self.step,
            Step::Opening | Step::Printing | Step::Encoding(_) | Step::HandingOver
        ) || self.asking.as_ref().is_some_and(|a| a.pin.checking)
    }

    /// The card a reprint replaces is past this point: another card needs a supervisor.
    fn reprint_possible(&self) -> bool {
        matches!(
            self.step,
            Step::At(
                IssueProgress::NeedsReprint { .. }
                    | IssueProgress::Chip { .. }
                    | IssueProgress::HandOver { .. }
            )
        )
    }
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        let id = self.id;
        match message {
            Message::Opened(Ok((progress, png))) => {
                self.front = Some(image::Handle::from_bytes(png.bytes));
                self.step = Step::At(progress);
            }
            Message::Opened(Err(e)) => {
                tracing::error!(error = %e, "issue screen not opened");
                self.error = Some(e);
                self.step = Step::At(IssueProgress::Print);
            }
            Message::Print => {
                if !matches!(self.step, Step::At(IssueProgress::Print)) || self.busy() {
                    return Action::None;
                }
                self.step = Step::Printing;
                self.error = None;
                return Action::Run(Request::Print(id, None));
            }
            Message::Printed(r) => {
                return match r {
                    Ok(_) => {
                        self.step = Step::Opening;
                        Action::Run(Request::Open(id))
                    }
                    Err(e) => {
                        self.error = Some(e);
                        // Where things stand now (a failed print needs a supervisor to retry).
                        self.step = Step::Opening;
                        Action::Run(Request::Open(id))
                    }
                };
            }
            Message::AskReprint(reason) => {
                if self.reprint_possible() && !self.busy() {
                    self.asking = Some(Asking {
                        reason,
                        pin: SupervisorPin::default(),
                    });
                }
            }
            Message::Key(k) => {
                if let Some(a) = self.asking.as_mut() {
                    a.pin.key(k);
                }
            }
            Message::Approve => {
                if let Some(pin) = self.asking.as_mut().and_then(|a| a.pin.submit()) {
                    return Action::Run(Request::Approve(pin));
                }
            }
            Message::Approved(Ok(supervisor)) => {
                let Some(a) = self.asking.take() else {
                    return Action::None;
                };
                self.step = Step::Printing;
                self.error = None;
                return Action::Run(Request::Print(
                    id,
                    Some(Approval {
                        supervisor_id: supervisor.id,
                        reason: a.reason,
                    }),
                ));
            }
            Message::Approved(Err(e)) => {
                if let Some(a) = &mut self.asking {
                    a.pin.refuse(e);
                }
            }
            Message::Encode | Message::Reissue => {
                let Step::At(IssueProgress::Chip { print }) = &self.step else {
                    return Action::None;
                };
                if self.busy() {
                    return Action::None;
                }
                let print_id = print.id;
                let cancel = CancelFlag::new();
                self.cancel = Some(cancel.clone());
                self.error = None;
                self.step = Step::Encoding(None);
                return Action::Run(Request::Encode {
                    id,
                    print_id,
                    reissue: matches!(message, Message::Reissue),
                    cancel,
                });
            }
            Message::Chip(ChipEvent::Progress(p)) => {
                if let Step::Encoding(_) = self.step {
                    self.step = Step::Encoding(Some(p));
                }
            }
            Message::Chip(ChipEvent::Done(r)) => {
                self.cancel = None;
                match r {
                    Ok(encoded) => {
                        // The counts are for the technician's log, not the operator's screen.
                        tracing::info!(
                            bytes = encoded.bytes,
                            apdus = encoded.apdus,
                            "chip written and verified"
                        );
                        self.encoded = Some(encoded);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "chip encoding failed; the card stays printed");
                        self.error = Some(e);
                    }
                }
                self.step = Step::Opening;
                return Action::Run(Request::Open(id));
            }
            Message::Cancel => {
                if let Some(c) = &self.cancel {
                    c.cancel();
                }
                self.asking = None;
            }
            Message::HandOver => {
                if !matches!(self.step, Step::At(IssueProgress::HandOver { .. })) || self.busy() {
                    return Action::None;
                }
                self.step = Step::HandingOver;
                self.error = None;
                return Action::Run(Request::HandOver(id));
            }
            Message::HandedOver(Ok(state)) => self.step = Step::Done(state),
            Message::HandedOver(Err(e)) => {
                tracing::error!(error = %e, "hand-over not recorded");
                self.error = Some(e);
                self.step = Step::Opening;
                return Action::Run(Request::Open(id));
            }
            Message::Back => {
                if !self.busy() {
                    return Action::Go(Nav::Home);
                }
            }
        }
        Action::None
    }

    /// Keys type the supervisor's PIN while one is asked for; Enter approves.
    fn typed(&self, typed: Typed, _at: std::time::Instant) -> Option<Message> {
        self.asking.as_ref()?;
        match typed {
            Typed::Enter => Some(Message::Approve),
            t => t.keypad().map(Message::Key),
        }
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        let Ctx { service, who } = ctx;
        match request {
            Request::Open(id) => Task::perform(
                async move {
                    let progress = service.issue_progress(id).await?;
                    let face = service.card_face(id).await?;
                    Ok((progress, face))
                },
                Message::Opened,
            ),
            Request::Print(id, approval) => Task::perform(
                async move { service.print_card(&who, id, approval).await },
                Message::Printed,
            ),
            Request::Approve(pin) => Task::perform(
                async move { service.approve(pin, Permission::Issue).await },
                Message::Approved,
            ),
            Request::Encode {
                id,
                print_id,
                reissue,
                cancel,
            } => Task::run(
                service.encode_chip(&who, id, print_id, reissue, cancel),
                Message::Chip,
            ),
            Request::HandOver(id) => Task::perform(
                async move { service.hand_over(&who, id).await },
                Message::HandedOver,
            ),
        }
    }
}

fn outcome_words(lang: Lang, o: PrintOutcome) -> String {
    tr(lang, &format!("print-outcome-{}", o.as_str()))
}

impl State {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let header = row![
            text(t!(lang, "issue-title"))
                .size(theme::TITLE)
                .width(Length::Fill),
            text(self.name.clone()).size(theme::HEADING),
        ];
        let card: Element<'_, Message> = match &self.front {
            Some(h) => image(h.clone())
                .width(Length::Fixed(640.0))
                .height(Length::Fixed(404.0))
                .into(),
            None => text(t!(lang, "issue-preparing")).size(theme::BODY).into(),
        };
        let mut side = column![].spacing(theme::GAP);
        match &self.step {
            Step::Opening => side = side.push(theme::note(t!(lang, "issue-preparing"))),
            Step::At(IssueProgress::Print) => {
                side = side.push(theme::note(t!(lang, "issue-check-face")));
                side = side.push(theme::action_icon(
                    Icon::Print,
                    t!(lang, "issue-print"),
                    Kind::Primary,
                    self.front.is_some().then_some(Message::Print),
                ));
            }
            Step::At(IssueProgress::NeedsReprint { last }) => {
                side = side.push(theme::alert(t!(
                    lang,
                    "issue-card-went-through",
                    card = last.attempt,
                    outcome = outcome_words(lang, last.outcome)
                )));
            }
            Step::At(IssueProgress::Chip { .. }) => {
                side = side.push(theme::note(t!(lang, "issue-printed")));
                side = side.push(theme::action_icon(
                    Icon::Card,
                    t!(lang, "issue-encode"),
                    Kind::Primary,
                    Some(Message::Encode),
                ));
                if self.error.as_ref().is_some_and(IssueError::needs_reissue) {
                    side = side.push(text(t!(lang, "issue-reissue-why")).size(theme::SMALL));
                    side = side.push(theme::action(
                        t!(lang, "issue-reissue"),
                        Kind::Danger,
                        Some(Message::Reissue),
                    ));
                }
            }
            Step::Printing => side = side.push(theme::note(t!(lang, "issue-printing"))),
            Step::Encoding(p) => {
                let (label, fraction) = match p {
                    Some(p) => (
                        match p.phase {
                            ChipPhase::Preparing => t!(lang, "issue-chip-preparing"),
                            ChipPhase::Writing => t!(lang, "issue-chip-writing"),
                            ChipPhase::Verifying => t!(lang, "issue-chip-verifying"),
                            ChipPhase::Done => t!(lang, "issue-chip-done"),
                        },
                        p.fraction(),
                    ),
                    None => (t!(lang, "issue-chip-waiting"), 0.0),
                };
                side = side.push(text(label).size(theme::HEADING));
                side = side.push(progress_bar(0.0..=1.0, fraction).girth(24));
                side = side.push(theme::action(
                    t!(lang, "cancel"),
                    Kind::Secondary,
                    Some(Message::Cancel),
                ));
            }
            Step::At(IssueProgress::HandOver { .. }) => {
                if self.encoded.is_some() {
                    side = side.push(theme::note(t!(lang, "issue-encoded")));
                } else {
                    side = side.push(theme::note(t!(lang, "issue-chip-verified")));
                }
                side = side.push(theme::action_icon(
                    Icon::HandOver,
                    t!(lang, "issue-hand-over"),
                    Kind::Success,
                    Some(Message::HandOver),
                ));
            }
            Step::HandingOver => side = side.push(theme::note(t!(lang, "issue-handing-over"))),
            Step::Done(_) | Step::At(IssueProgress::Done) => {
                side = side.push(text(t!(lang, "issue-done")).size(theme::TITLE))
            }
        }
        if let Some(e) = &self.error {
            side = side.push(match e.device_error() {
                Some(d) if !e.needs_reissue() => crate::kiosk::device_error(lang, &d),
                _ => theme::alert(t!(lang, "issue-failed", reason = e.to_string())),
            });
        }
        if let Some(a) = &self.asking {
            side = side.push(self.asking_view(lang, a));
        } else if self.reprint_possible() && !self.busy() {
            side = side.push(text(t!(lang, "issue-reprint-needs-supervisor")).size(theme::SMALL));
            // Two reasons to a row: each label has its button's width for its words.
            for pair in ReprintReason::ALL.chunks(2) {
                side = side.push(pair.iter().fold(
                    row![].spacing(theme::GAP / 2.0),
                    |r, reason| {
                        r.push(
                            theme::action(
                                tr(lang, &format!("reprint-{}", reason.as_str())),
                                Kind::Danger,
                                Some(Message::AskReprint(*reason)),
                            )
                            .width(Length::Fill),
                        )
                    },
                ));
            }
        }
        let back = theme::back(t!(lang, "back"), (!self.busy()).then_some(Message::Back))
            .width(Length::Fixed(240.0));
        theme::page(
            column![
                header,
                row![card, side.width(Length::Fill)].spacing(theme::GAP * 1.5),
                Space::new().height(Length::Fill),
                back,
            ]
            .spacing(theme::GAP),
        )
    }

    fn asking_view<'a>(&'a self, lang: Lang, a: &'a Asking) -> Element<'a, Message> {
        let mut col = column![
            text(t!(
                lang,
                "issue-supervisor-pin",
                reason = tr(lang, &format!("reprint-{}", a.reason.as_str()))
            ))
            .size(theme::BODY),
            text(a.pin.dots()).size(theme::HEADING),
        ]
        .spacing(theme::GAP / 2.0);
        if let Some(e) = &a.pin.refused {
            col = col.push(theme::alert(approval_message(lang, e)));
        }
        col.push(
            row![
                keypad::view(Message::Key),
                column![
                    theme::action(
                        t!(lang, "verify-approve"),
                        Kind::Danger,
                        a.pin.ready().then_some(Message::Approve),
                    ),
                    theme::action(t!(lang, "cancel"), Kind::Secondary, Some(Message::Cancel)),
                ]
                .spacing(theme::GAP),
            ]
            .spacing(theme::GAP),
        )
        .into()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::config::Role;
    use crate::queue::CardPrint;
    use ktpel_hal::ImageFormat;

    fn png() -> EncodedImage {
        EncodedImage {
            format: ImageFormat::Png,
            width: 1,
            height: 1,
            bytes: vec![0x89, b'P', b'N', b'G'],
        }
    }

    fn card(outcome: PrintOutcome) -> CardPrint {
        CardPrint {
            id: 7,
            attempt: 1,
            started_at: "2026-11-25T02:00:00Z".parse().unwrap(),
            finished_at: None,
            outcome,
            printer_job: None,
            error: None,
            chip_at: None,
            reprint_of: None,
            reason: None,
            approved_by: None,
        }
    }

    #[test]
    fn coming_back_after_printing_resumes_at_the_chip_not_at_a_second_print() {
        let (mut s, first) = State::open(Uuid::now_v7(), "SITI".into());
        assert!(matches!(first, Request::Open(_)));
        s.update(Message::Opened(Ok((
            IssueProgress::Chip {
                print: card(PrintOutcome::Printed),
            },
            png(),
        ))));
        assert!(
            matches!(s.update(Message::Print), Action::None),
            "no second print"
        );
        match s.update(Message::Encode) {
            Action::Run(Request::Encode {
                print_id: 7,
                reissue: false,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(s.update(Message::Back), Action::None),
            "not while encoding"
        );
    }

    #[test]
    fn a_card_that_went_through_needs_a_supervisor_and_a_reason_before_another_is_printed() {
        let (mut s, _) = State::open(Uuid::now_v7(), "SITI".into());
        s.update(Message::Opened(Ok((
            IssueProgress::NeedsReprint {
                last: card(PrintOutcome::Failed),
            },
            png(),
        ))));
        assert!(matches!(s.update(Message::Print), Action::None));
        s.update(Message::AskReprint(ReprintReason::Jam));
        for d in [9, 7, 5, 3, 1, 0] {
            s.update(Message::Key(Key::Digit(d)));
        }
        assert!(
            matches!(s.update(Message::Approve).runs(), Some(Request::Approve(p)) if p == "975310")
        );
        let spv = Staff {
            id: "spv-01".into(),
            name: "Supervisor".into(),
            role: Role::Supervisor,
        };
        match s.update(Message::Approved(Ok(spv))) {
            Action::Run(Request::Print(_, Some(a))) => {
                assert_eq!(
                    (a.supervisor_id.as_str(), a.reason),
                    ("spv-01", ReprintReason::Jam)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_card_is_handed_over_only_once_its_chip_is_verified() {
        let (mut s, _) = State::open(Uuid::now_v7(), "SITI".into());
        s.update(Message::Opened(Ok((IssueProgress::Print, png()))));
        assert!(matches!(s.update(Message::HandOver), Action::None));
        s.update(Message::Opened(Ok((
            IssueProgress::HandOver {
                print: card(PrintOutcome::Printed),
            },
            png(),
        ))));
        assert!(matches!(
            s.update(Message::HandOver).runs(),
            Some(Request::HandOver(_))
        ));
        s.update(Message::HandedOver(Ok(QState::Issued)));
        assert!(matches!(s.step(), Step::Done(QState::Issued)));
        assert!(matches!(s.update(Message::Back), Action::Go(Nav::Home)));
    }
}
