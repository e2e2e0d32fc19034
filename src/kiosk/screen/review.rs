//! The supervisor's review before sending (`[procedure] review_before_send`): the records
//! awaiting review as a list, one record opened with what the supervisor judges by — the SOP
//! step times against the standard, the exceptions, each capture's quality against its
//! threshold, the operator and any approval given at the booth; never a name, NIK or image —
//! and the decision: approve (the record goes to the transmitter) or reject with a reason
//! tapped from a few and an optional note (the record is deleted; the audit chain keeps who
//! and why).
//!
//! A supervisor signed in reaches it from the supervisor area and decides as themselves. Where
//! someone else is signed in (the operator's home shows the count waiting), the supervisor
//! walks over and types their PIN once; the screen decides as that supervisor until it is left.
//! Any other PIN is refused (a wrong one counts towards the sign-in lockout).

use iced::widget::{column, row, scrollable, text};
use iced::{Element, Length, Task};
use uuid::Uuid;

use super::supervisor_pin::SupervisorPin;
use super::{Action, Ctx, Page};
use crate::booth::service::review::{reason_text, RejectReason, NOTE_MAX};
use crate::booth::service::{Action as Permission, SignInError, Staff};
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::Nav;
use crate::papers::receipt::local_datetime;
use crate::queue::{CaptureFact, ReviewItem};
use crate::t;
use crate::widgets::drag_scroll::drag_scroll;
use crate::widgets::icons::Icon;
use crate::widgets::keyboard::{self, Input, Key};
use crate::widgets::keypad;
use crate::widgets::theme::{self, Kind};
use crate::widgets::typing::Typed;

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<Vec<ReviewItem>, String>),
    /// Open one record of the list.
    Open(Uuid),
    /// Back from a record to the list.
    List,
    Approve,
    /// Start rejecting the open record: choose a reason.
    Reject,
    Reason(RejectReason),
    Key(Key),
    ConfirmReject,
    CancelReject,
    /// The booth's answer to a decision: the record's queue number and whether it was approved.
    Decided(Result<(u32, bool), String>),
    /// A key of the supervisor's PIN pad (when someone else is signed in).
    PinKey(keypad::Key),
    SubmitPin,
    PinChecked(Result<Staff, SignInError>),
    Back,
}

/// Work for the booth, each done as the supervisor reviewing.
#[derive(Debug)]
pub enum Request {
    Load(Staff),
    Approve(Staff, Uuid, u32),
    Reject(Staff, Uuid, u32, RejectReason, String),
    /// Check that this PIN is a supervisor's.
    CheckPin(String),
}

/// A rejection being given: the reason tapped and the note typed.
#[derive(Debug, Clone)]
pub struct Rejecting {
    pub reason: Option<RejectReason>,
    pub note: Input,
}

impl Rejecting {
    /// Whether the rejection can be confirmed: a reason, and words for "other".
    pub fn ready(&self) -> bool {
        self.reason
            .is_some_and(|r| reason_text(r, self.note.value()).is_ok())
    }
}

/// The last decision, said on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Approved(u32),
    Rejected(u32),
}

#[derive(Default)]
pub struct State {
    /// The supervisor deciding: the one signed in, or the one whose PIN was typed here.
    reviewer: Option<Staff>,
    pin: SupervisorPin,
    /// Opened by a supervisor signed in (back to their area) or from someone else's home.
    from_area: bool,
    items: Option<Vec<ReviewItem>>,
    open: Option<Uuid>,
    rejecting: Option<Rejecting>,
    busy: bool,
    error: Option<String>,
    done: Option<Done>,
    zone: crate::clock::Zone,
}

impl State {
    /// The review for `who`: a supervisor starts at the list; anyone else, at the PIN pad.
    pub fn open(zone: crate::clock::Zone, who: &Staff) -> (Self, Option<Request>) {
        let supervisor = Permission::Review.allowed(who.role);
        let reviewer = supervisor.then(|| who.clone());
        let load = reviewer.clone().map(Request::Load);
        (
            Self {
                zone,
                reviewer,
                from_area: supervisor,
                ..Self::default()
            },
            load,
        )
    }

    /// The supervisor deciding, once known.
    pub fn reviewer(&self) -> Option<&Staff> {
        self.reviewer.as_ref()
    }

    /// The records awaiting review (None while loading).
    pub fn items(&self) -> Option<&[ReviewItem]> {
        self.items.as_deref()
    }

    /// The record opened, when one is.
    pub fn opened(&self) -> Option<&ReviewItem> {
        let id = self.open?;
        self.items.as_ref()?.iter().find(|i| i.packet_id == id)
    }

    pub fn rejecting(&self) -> Option<&Rejecting> {
        self.rejecting.as_ref()
    }

    pub fn done(&self) -> Option<&Done> {
        self.done.as_ref()
    }
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        match message {
            Message::Loaded(Ok(items)) => {
                self.items = Some(items);
                self.error = None;
            }
            Message::Loaded(Err(e)) => self.error = Some(e),
            Message::Open(id) if !self.busy => {
                self.open = Some(id);
                self.rejecting = None;
                self.error = None;
                self.done = None;
            }
            Message::List if !self.busy => {
                self.open = None;
                self.rejecting = None;
            }
            Message::Approve if !self.busy && self.rejecting.is_none() => {
                if let (Some(item), Some(who)) = (self.opened(), &self.reviewer) {
                    let request = Request::Approve(who.clone(), item.packet_id, item.queue_no);
                    self.busy = true;
                    return Action::Run(request);
                }
            }
            Message::Reject if !self.busy && self.opened().is_some() => {
                self.rejecting = Some(Rejecting {
                    reason: None,
                    note: Input::new(NOTE_MAX),
                });
            }
            Message::Reason(r) => {
                if let Some(rej) = &mut self.rejecting {
                    rej.reason = Some(r);
                }
            }
            Message::Key(k) => {
                if let Some(rej) = &mut self.rejecting {
                    rej.note.apply(k);
                }
            }
            Message::CancelReject if !self.busy => self.rejecting = None,
            Message::ConfirmReject if !self.busy => {
                let ready = self.rejecting.as_ref().is_some_and(Rejecting::ready);
                if let (true, Some(item), Some(rej), Some(who)) =
                    (ready, self.opened(), &self.rejecting, &self.reviewer)
                {
                    if let Some(reason) = rej.reason {
                        let request = Request::Reject(
                            who.clone(),
                            item.packet_id,
                            item.queue_no,
                            reason,
                            rej.note.value().to_string(),
                        );
                        self.busy = true;
                        return Action::Run(request);
                    }
                }
            }
            Message::Decided(Ok((no, approved))) => {
                self.busy = false;
                self.open = None;
                self.rejecting = None;
                self.error = None;
                self.done = Some(if approved {
                    Done::Approved(no)
                } else {
                    Done::Rejected(no)
                });
                if let Some(who) = &self.reviewer {
                    return Action::Run(Request::Load(who.clone()));
                }
            }
            Message::Decided(Err(e)) => {
                self.busy = false;
                self.error = Some(e);
            }
            Message::PinKey(k) if self.reviewer.is_none() => self.pin.key(k),
            Message::SubmitPin if self.reviewer.is_none() => {
                if let Some(pin) = self.pin.submit() {
                    return Action::Run(Request::CheckPin(pin));
                }
            }
            Message::PinChecked(Ok(who)) => {
                self.pin = SupervisorPin::default();
                self.reviewer = Some(who.clone());
                return Action::Run(Request::Load(who));
            }
            Message::PinChecked(Err(e)) => self.pin.refuse(e),
            Message::Back if !self.busy => {
                return Action::Go(if self.from_area {
                    Nav::Supervisor
                } else {
                    Nav::Home
                })
            }
            Message::Open(_)
            | Message::List
            | Message::Approve
            | Message::Reject
            | Message::CancelReject
            | Message::ConfirmReject
            | Message::PinKey(_)
            | Message::SubmitPin
            | Message::Back => {}
        }
        Action::None
    }

    fn typed(&self, typed: Typed, _at: std::time::Instant) -> Option<Message> {
        if self.reviewer.is_some() {
            return None;
        }
        match typed {
            Typed::Enter => Some(Message::SubmitPin),
            t => t.keypad().map(Message::PinKey),
        }
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        match request {
            Request::CheckPin(pin) => Task::perform(
                async move { ctx.service.approve(pin, Permission::Review).await },
                Message::PinChecked,
            ),
            Request::Load(who) => Task::perform(
                async move {
                    ctx.service
                        .awaiting_review(&who)
                        .await
                        .map_err(|e| e.to_string())
                },
                Message::Loaded,
            ),
            Request::Approve(who, id, no) => Task::perform(
                async move {
                    ctx.service
                        .approve_record(&who, id)
                        .await
                        .map(|()| (no, true))
                        .map_err(|e| e.to_string())
                },
                Message::Decided,
            ),
            Request::Reject(who, id, no, reason, note) => Task::perform(
                async move {
                    ctx.service
                        .reject_record(&who, id, reason, &note)
                        .await
                        .map(|()| (no, false))
                        .map_err(|e| e.to_string())
                },
                Message::Decided,
            ),
        }
    }
}

/// A capture's slot name ("Telunjuk kanan") from its code.
fn slot_name(lang: Lang, code: &str) -> String {
    match code {
        "right_iris" => tr(lang, "slot-iris-right"),
        "left_iris" => tr(lang, "slot-iris-left"),
        c => tr(lang, &format!("slot-{c}")),
    }
}

/// An exception's words ("Diperban"), for a finger or an eye.
fn exception_name(lang: Lang, c: &CaptureFact) -> String {
    let kind = if c.slot.ends_with("_iris") {
        "iris"
    } else {
        "finger"
    };
    tr(
        lang,
        &format!("{kind}-{}", c.exception.as_deref().unwrap_or("unusable")),
    )
}

/// "2 pengecualian · 1 di bawah ambang" for a list line (empty when neither).
fn flags(lang: Lang, item: &ReviewItem) -> String {
    let mut out = Vec::new();
    let x = item.exceptions().count();
    if x > 0 {
        out.push(t!(lang, "spv-review-exceptions-count", count = x));
    }
    let low = item.below_threshold().count();
    if low > 0 {
        out.push(t!(lang, "spv-review-low-count", count = low));
    }
    if out.is_empty() {
        out.push(t!(lang, "spv-review-clean"));
    }
    out.join(" · ")
}

impl State {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let body = match (self.opened(), &self.reviewer) {
            (_, None) => self.pin_view(lang),
            (Some(item), Some(_)) => self.record_view(lang, item),
            (None, Some(_)) => self.list_view(lang),
        };
        let back = match self.opened() {
            Some(_) => theme::back(
                t!(lang, "spv-review-to-list"),
                (!self.busy).then_some(Message::List),
            ),
            None => theme::back(t!(lang, "back"), (!self.busy).then_some(Message::Back)),
        };
        theme::page(
            column![
                row![
                    text(t!(lang, "spv-review-title"))
                        .size(theme::TITLE)
                        .width(Length::Fill),
                    back.width(Length::Fixed(280.0)),
                ]
                .spacing(theme::GAP),
                body,
            ]
            .spacing(theme::GAP),
        )
    }

    /// The supervisor's PIN, typed where someone else is signed in.
    fn pin_view(&self, lang: Lang) -> Element<'_, Message> {
        let refusal: Option<Element<'_, Message>> = self
            .pin
            .refused
            .as_ref()
            .map(|e| theme::alert(crate::kiosk::screen::verify::approval_message(lang, e)));
        let left = column![
            text(t!(lang, "spv-review-pin")).size(theme::HEADING),
            text(self.pin.dots()).size(theme::TITLE),
            theme::alert_slot(refusal),
            theme::action_icon(
                Icon::Check,
                t!(lang, "spv-review-pin-open"),
                Kind::Primary,
                self.pin.ready().then_some(Message::SubmitPin),
            )
            .width(Length::Fixed(420.0)),
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        row![left, keypad::view(Message::PinKey)]
            .spacing(theme::GAP)
            .into()
    }

    fn list_view(&self, lang: Lang) -> Element<'_, Message> {
        let mut list = column![].spacing(8);
        let intro = match &self.items {
            None => t!(lang, "queue-loading"),
            Some(items) if items.is_empty() => t!(lang, "spv-review-none"),
            Some(items) => t!(lang, "spv-review-intro", count = items.len()),
        };
        let status = match (&self.error, &self.done) {
            (Some(e), _) => Some(theme::alert(e.clone())),
            (None, Some(Done::Approved(no))) => Some(theme::panel(
                text(t!(lang, "spv-review-approved", no = format!("{no:03}"))).size(theme::BODY),
            )),
            (None, Some(Done::Rejected(no))) => Some(theme::panel(
                text(t!(lang, "spv-review-rejected", no = format!("{no:03}"))).size(theme::BODY),
            )),
            (None, None) => None,
        };
        for item in self.items.iter().flatten() {
            let line = t!(
                lang,
                "spv-review-line",
                no = format!("{:03}", item.queue_no),
                at = local_datetime(item.recorded_at, self.zone),
                operator = item.operator_id.clone(),
                flags = flags(lang, item)
            );
            list = list.push(
                theme::action(line, Kind::Secondary, Some(Message::Open(item.packet_id)))
                    .width(Length::Fill),
            );
        }
        // The last decision's word (or an error) above the list, only when there is one: the
        // list is new after a decision, so nothing moves under a finger.
        let mut page = column![text(intro).size(theme::BODY)].spacing(theme::GAP);
        if let Some(s) = status {
            page = page.push(s);
        }
        page.push(drag_scroll(scrollable(list).height(Length::Fill)))
            .into()
    }

    fn record_view<'a>(&'a self, lang: Lang, item: &'a ReviewItem) -> Element<'a, Message> {
        let heading = t!(
            lang,
            "spv-review-record",
            no = format!("{:03}", item.queue_no),
            at = local_datetime(item.recorded_at, self.zone),
            operator = item.operator_id.clone()
        );
        // The steps' times against the SOP's standard; red when over.
        let mut steps = column![text(t!(lang, "spv-review-steps")).size(theme::HEADING)].spacing(4);
        if item.steps.is_empty() {
            steps = steps.push(text(t!(lang, "spv-review-no-steps")).size(theme::SMALL));
        }
        for s in &item.steps {
            let line = t!(
                lang,
                "spv-review-step",
                step = tr(lang, &s.step),
                seconds = s.seconds,
                standard = s.standard
            );
            let over = s.standard > 0 && s.seconds > s.standard;
            steps = steps.push(text(line).size(theme::BODY).style(if over {
                iced::widget::text::danger
            } else {
                iced::widget::text::default
            }));
        }
        // What needs the supervisor's eye first: exceptions and captures below threshold.
        let mut concerns =
            column![text(t!(lang, "spv-review-concerns")).size(theme::HEADING)].spacing(4);
        let mut any = false;
        for c in &item.captures {
            let line = if c.exception.is_some() {
                Some(format!(
                    "{}: {}",
                    slot_name(lang, &c.slot),
                    exception_name(lang, c)
                ))
            } else if c.below_threshold() {
                Some(format!(
                    "{}: {}",
                    slot_name(lang, &c.slot),
                    t!(
                        lang,
                        "approval-low-quality",
                        quality = c.quality.unwrap_or(0),
                        min = c.min.unwrap_or(0)
                    )
                ))
            } else {
                None
            };
            if let Some(l) = line {
                any = true;
                concerns =
                    concerns.push(text(l).size(theme::BODY).style(iced::widget::text::danger));
            }
        }
        if !any {
            concerns = concerns.push(text(t!(lang, "spv-review-no-concerns")).size(theme::BODY));
        }
        for a in &item.approvals {
            concerns = concerns.push(
                text(t!(
                    lang,
                    "spv-review-approved-at-booth",
                    what = tr(lang, &format!("spv-review-what-{}", a.what)),
                    supervisor = a.supervisor_id.clone()
                ))
                .size(theme::SMALL),
            );
        }
        // Every capture's quality against its threshold, two columns.
        let mut qualities =
            column![text(t!(lang, "spv-review-qualities")).size(theme::HEADING)].spacing(4);
        let captured: Vec<&CaptureFact> = item
            .captures
            .iter()
            .filter(|c| c.quality.is_some())
            .collect();
        for pair in captured.chunks(2) {
            let mut r = row![].spacing(theme::GAP);
            for c in pair {
                r = r.push(
                    text(format!(
                        "{}: {} / {}",
                        slot_name(lang, &c.slot),
                        c.quality.unwrap_or(0),
                        c.min.unwrap_or(0)
                    ))
                    .size(theme::SMALL)
                    .width(Length::Fill)
                    .style(if c.below_threshold() {
                        iced::widget::text::danger
                    } else {
                        iced::widget::text::default
                    }),
                );
            }
            qualities = qualities.push(r);
        }
        let facts = row![
            column![theme::panel(steps), theme::panel(concerns)]
                .spacing(theme::GAP)
                .width(Length::FillPortion(1)),
            column![theme::panel(qualities)].width(Length::FillPortion(1)),
        ]
        .spacing(theme::GAP);
        let error: Option<Element<'_, Message>> = self.error.clone().map(theme::alert);
        let decision: Element<'_, Message> = match &self.rejecting {
            None => row![
                theme::action(
                    t!(lang, "spv-review-approve"),
                    Kind::Success,
                    (!self.busy).then_some(Message::Approve)
                ),
                theme::action(
                    t!(lang, "spv-review-reject"),
                    Kind::Danger,
                    (!self.busy).then_some(Message::Reject)
                ),
            ]
            .spacing(theme::GAP)
            .into(),
            Some(rej) => self.reject_view(lang, item, rej),
        };
        // Rejecting, the keyboard needs the room: the reasons' heading names the record.
        let mut page = column![].spacing(theme::GAP);
        if self.rejecting.is_none() {
            page = page
                .push(text(heading).size(theme::BODY))
                .push(drag_scroll(scrollable(facts).height(Length::Fill)))
                .push(theme::alert_slot(error));
        } else if let Some(e) = error {
            page = page.push(e);
        }
        page.push(decision).into()
    }

    fn reject_view<'a>(
        &'a self,
        lang: Lang,
        item: &ReviewItem,
        rej: &'a Rejecting,
    ) -> Element<'a, Message> {
        let mut reasons = row![].spacing(8);
        for r in RejectReason::ALL {
            reasons = reasons.push(theme::choice(
                tr(lang, &format!("spv-review-reason-{}", r.as_str())),
                rej.reason == Some(r),
                (!self.busy).then_some(Message::Reason(r)),
            ));
        }
        let note = if rej.note.value().is_empty() {
            t!(lang, "spv-review-note-empty")
        } else {
            rej.note.text.clone()
        };
        // The decision right under the reasons, the keyboard for the optional note below: the
        // buttons stay where the finger is, whatever is typed.
        column![
            text(t!(
                lang,
                "spv-review-reject-why",
                no = format!("{:03}", item.queue_no)
            ))
            .size(theme::HEADING),
            reasons,
            row![
                theme::action(
                    t!(lang, "spv-review-reject-confirm"),
                    Kind::Danger,
                    (rej.ready() && !self.busy).then_some(Message::ConfirmReject)
                ),
                theme::action(
                    t!(lang, "cancel"),
                    Kind::Secondary,
                    (!self.busy).then_some(Message::CancelReject)
                ),
            ]
            .spacing(theme::GAP),
            text(t!(lang, "spv-review-note", note = note)).size(theme::BODY),
            keyboard::view(&rej.note, Message::Key),
        ]
        .spacing(theme::GAP)
        .into()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::queue::StepFact;

    fn item(no: u32) -> ReviewItem {
        ReviewItem {
            packet_id: Uuid::now_v7(),
            queue_no: no,
            recorded_at: jiff::Timestamp::UNIX_EPOCH,
            operator_id: "op-01".into(),
            steps: vec![StepFact {
                step: "step-record".into(),
                seconds: 200,
                standard: 180,
            }],
            captures: vec![CaptureFact {
                slot: "left_little".into(),
                quality: None,
                min: None,
                exception: Some("bandaged".into()),
            }],
            approvals: Vec::new(),
        }
    }

    fn staff(id: &str, role: crate::config::Role) -> Staff {
        Staff {
            id: id.into(),
            name: id.into(),
            role,
        }
    }

    fn supervisor() -> Staff {
        staff("spv-01", crate::config::Role::Supervisor)
    }

    #[test]
    fn a_rejection_needs_a_reason_and_words_for_other_then_reloads_the_list() {
        let (mut s, load) = State::open(crate::clock::Zone::Wib, &supervisor());
        assert!(matches!(load, Some(Request::Load(w)) if w.id == "spv-01"));
        let a = item(3);
        let id = a.packet_id;
        s.update(Message::Loaded(Ok(vec![a])));
        s.update(Message::Open(id));
        assert_eq!(s.opened().map(|i| i.queue_no), Some(3));
        s.update(Message::Reject);
        // No reason yet: nothing happens.
        assert!(matches!(s.update(Message::ConfirmReject), Action::None));
        s.update(Message::Reason(RejectReason::Other));
        assert!(matches!(s.update(Message::ConfirmReject), Action::None));
        for c in "kabur".chars() {
            s.update(Message::Key(Key::Char(c)));
        }
        let Action::Run(Request::Reject(who, rid, 3, RejectReason::Other, note)) =
            s.update(Message::ConfirmReject)
        else {
            panic!("the rejection is sent");
        };
        assert_eq!(
            (who.id.as_str(), rid, note.as_str()),
            ("spv-01", id, "KABUR")
        );
        // While the booth answers, a second tap does nothing.
        assert!(matches!(s.update(Message::ConfirmReject), Action::None));
        assert!(matches!(
            s.update(Message::Decided(Ok((3, false)))),
            Action::Run(Request::Load(_))
        ));
        assert_eq!(s.done(), Some(&Done::Rejected(3)));
        assert!(s.opened().is_none());
    }

    #[test]
    fn an_approval_is_sent_once_and_a_refusal_is_shown_on_the_record() {
        let (mut s, _) = State::open(crate::clock::Zone::Wib, &supervisor());
        let a = item(7);
        let id = a.packet_id;
        s.update(Message::Loaded(Ok(vec![a])));
        // Nothing open: approve does nothing.
        assert!(matches!(s.update(Message::Approve), Action::None));
        s.update(Message::Open(id));
        assert!(matches!(
            s.update(Message::Approve),
            Action::Run(Request::Approve(_, _, 7))
        ));
        assert!(matches!(s.update(Message::Approve), Action::None));
        s.update(Message::Decided(Err("refused".into())));
        assert_eq!(s.opened().map(|i| i.queue_no), Some(7));
        assert_eq!(s.error.as_deref(), Some("refused"));
        assert!(matches!(
            s.update(Message::Back),
            Action::Go(Nav::Supervisor)
        ));
    }

    #[test]
    fn someone_else_signed_in_needs_a_supervisor_s_pin_first_and_goes_back_home() {
        let op = staff("op-01", crate::config::Role::Operator);
        let (mut s, load) = State::open(crate::clock::Zone::Wib, &op);
        assert!(load.is_none(), "nothing is read before the PIN");
        assert!(s.reviewer().is_none());
        for d in [2, 4, 6, 8, 1, 0] {
            s.update(Message::PinKey(keypad::Key::Digit(d)));
        }
        let Action::Run(Request::CheckPin(pin)) = s.update(Message::SubmitPin) else {
            panic!("the PIN is checked");
        };
        assert_eq!(pin, "246810");
        // The operator's own PIN is not a supervisor's: nothing opens.
        s.update(Message::PinChecked(Err(SignInError::NotSupervisor)));
        assert!(s.reviewer().is_none());
        assert!(matches!(s.pin.refused, Some(SignInError::NotSupervisor)));
        assert!(matches!(s.update(Message::Approve), Action::None));
        for d in [9, 7, 5, 3, 1, 0] {
            s.update(Message::PinKey(keypad::Key::Digit(d)));
        }
        assert!(matches!(
            s.update(Message::SubmitPin),
            Action::Run(Request::CheckPin(_))
        ));
        assert!(matches!(
            s.update(Message::PinChecked(Ok(supervisor()))),
            Action::Run(Request::Load(w)) if w.id == "spv-01"
        ));
        assert_eq!(s.reviewer().map(|w| w.id.as_str()), Some("spv-01"));
        assert!(matches!(s.update(Message::Back), Action::Go(Nav::Home)));
    }

    #[test]
    fn every_reason_and_word_of_the_screen_is_in_both_languages() {
        let mut keys: Vec<String> = RejectReason::ALL
            .iter()
            .map(|r| format!("spv-review-reason-{}", r.as_str()))
            .collect();
        keys.extend(
            [
                "spv-review-title",
                "spv-review-none",
                "spv-review-steps",
                "spv-review-concerns",
                "spv-review-no-concerns",
                "spv-review-qualities",
                "spv-review-approve",
                "spv-review-reject",
                "spv-review-reject-why",
                "spv-review-reject-confirm",
                "spv-review-note-empty",
                "spv-review-to-list",
                "spv-review-what-exceptions",
                "spv-review-what-rerecord",
                "spv-review-clean",
                "spv-review-no-steps",
                "spv-review",
                "spv-review-pin",
                "spv-review-pin-open",
                "home-review",
            ]
            .map(String::from),
        );
        for lang in [Lang::Id, Lang::En] {
            for k in &keys {
                assert!(!tr(lang, k).starts_with('⟦'), "{k} in {lang:?}");
            }
        }
    }
}
