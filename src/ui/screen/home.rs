//! Home: start a recording, the waiting list (applicants waiting for their verdict, with their
//! queue number and the time left in the SOP's hour), and the queue at a glance.

use iced::widget::{button, column, row, scrollable, text};
use iced::{Element, Length, Task};

use crate::clock::Clock;
use crate::queue::{Counts, Handover, State as QState, WaitingEntry};
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::screen::signin::Operator;
use crate::ui::theme::{self, Kind};

#[derive(Debug, Clone)]
pub enum Message {
    StartRecording,
    Pickup,
    Open(uuid::Uuid),
    SignOut,
    ToggleLang,
    Technician,
    Complaint,
    ComplaintStatus,
}

pub enum Event {
    StartRecording,
    Pickup,
    Open(uuid::Uuid),
    SignOut,
    ToggleLang,
    Technician,
    Complaint,
    ComplaintStatus,
}

/// A backlog being sent: how many of how many since it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drain {
    pub sent: u64,
    pub total: u64,
}

#[derive(Default)]
pub struct State;

impl State {
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::StartRecording => Event::StartRecording,
            Message::Pickup => Event::Pickup,
            Message::Open(id) => Event::Open(id),
            Message::SignOut => Event::SignOut,
            Message::ToggleLang => Event::ToggleLang,
            Message::Technician => Event::Technician,
            Message::Complaint => Event::Complaint,
            Message::ComplaintStatus => Event::ComplaintStatus,
        };
        (Task::none(), Some(event))
    }

    pub fn view<'a>(
        &'a self,
        lang: Lang,
        operator: &'a Operator,
        counts: Option<&'a Counts>,
        waiting: &'a [WaitingEntry],
        clock: &Clock,
        drain: Option<Drain>,
    ) -> Element<'a, Message> {
        let now = clock.now();
        let header = row![
            column![
                text(t!(lang, "app-title")).size(theme::TITLE),
                text(t!(lang, "home-operator", name = operator.name.clone())).size(theme::BODY),
            ]
            .width(Length::Fill),
            theme::action(
                t!(lang, "lang-switch"),
                Kind::Secondary,
                Some(Message::ToggleLang)
            )
            .width(Length::Fixed(200.0)),
            theme::action(
                t!(lang, "home-sign-out"),
                Kind::Secondary,
                Some(Message::SignOut)
            )
            .width(Length::Fixed(200.0)),
        ]
        .spacing(theme::GAP);
        let start = theme::action(
            t!(lang, "home-start"),
            Kind::Primary,
            Some(Message::StartRecording),
        )
        .width(Length::Fixed(420.0));
        let pickup = theme::action(
            t!(lang, "home-pickup"),
            Kind::Secondary,
            Some(Message::Pickup),
        )
        .width(Length::Fixed(420.0));
        let complaints = row![
            theme::action(
                t!(lang, "home-complaint"),
                Kind::Secondary,
                Some(Message::Complaint)
            )
            .width(Length::Fixed(202.0)),
            theme::action(
                t!(lang, "home-complaint-status"),
                Kind::Secondary,
                Some(Message::ComplaintStatus)
            )
            .width(Length::Fixed(202.0)),
        ]
        .spacing(theme::GAP);
        let technician = (operator.role == crate::config::Role::Technician).then(|| {
            theme::action(
                t!(lang, "home-technician"),
                Kind::Secondary,
                Some(Message::Technician),
            )
            .width(Length::Fixed(420.0))
        });
        let mut list = column![text(t!(lang, "home-waiting")).size(theme::HEADING)].spacing(8);
        if waiting.is_empty() {
            list = list.push(text(t!(lang, "home-waiting-empty")).size(theme::BODY));
        }
        for w in waiting {
            let left = w.deadline_at.duration_since(now);
            let status = match (w.state, w.handover) {
                (QState::PrintReady, _) => t!(lang, "waiting-print-ready"),
                (QState::Duplicate | QState::Adjudicate | QState::EnrollFailure, _) => {
                    t!(lang, "waiting-not-printable")
                }
                (_, Handover::ReceiptDue) => t!(lang, "waiting-receipt-due"),
                _ if left.is_positive() => t!(
                    lang,
                    "waiting-countdown",
                    minutes = left.as_secs() / 60,
                    seconds = format!("{:02}", left.as_secs() % 60)
                ),
                _ => t!(lang, "waiting-receipt-due"),
            };
            list = list.push(
                button(
                    row![
                        text(format!("{:03}", w.queue_no))
                            .size(theme::HEADING)
                            .width(Length::Fixed(90.0)),
                        text(w.name.clone()).size(theme::BODY).width(Length::Fill),
                        text(status).size(theme::BODY),
                    ]
                    .spacing(theme::GAP)
                    .align_y(iced::Alignment::Center),
                )
                .width(Length::Fill)
                .height(Length::Fixed(theme::ACTION))
                .padding(theme::GAP)
                .style(button::secondary)
                .on_press(Message::Open(w.packet_id)),
            );
        }
        let queue: Element<'a, Message> = match counts {
            Some(c) => queue_panel(lang, c, drain, now),
            None => text(t!(lang, "queue-loading")).size(theme::BODY).into(),
        };
        theme::page(
            column![
                header,
                row![
                    technician
                        .into_iter()
                        .fold(column![start, pickup, complaints], |c, t| c.push(t))
                        .push(queue)
                        .spacing(theme::GAP)
                        .width(Length::Fixed(440.0)),
                    scrollable(list).height(Length::Fill).width(Length::Fill),
                ]
                .spacing(theme::GAP * 2.0),
            ]
            .spacing(theme::GAP * 1.5),
        )
    }
}

/// The queue at a glance: counts per state, the oldest unsent record, the last transmission
/// error, and a progress bar while a backlog drains.
fn queue_panel<'a>(
    lang: Lang,
    c: &'a Counts,
    drain: Option<Drain>,
    now: jiff::Timestamp,
) -> Element<'a, Message> {
    let states = [
        (QState::Recorded, "state-recorded"),
        (QState::Sending, "state-sending"),
        (QState::Received, "state-received"),
        (QState::PrintReady, "state-print_ready"),
        (QState::Duplicate, "state-duplicate"),
        (QState::Adjudicate, "state-adjudicate"),
        (QState::EnrollFailure, "state-enroll_failure"),
    ];
    let per_state: Vec<String> = states
        .iter()
        .filter(|(s, _)| c.get(*s) > 0)
        .map(|(s, key)| format!("{} {}", crate::ui::i18n::tr(lang, key), c.get(*s)))
        .collect();
    let mut panel = column![
        text(t!(lang, "queue-title")).size(theme::HEADING),
        text(t!(lang, "queue-unsent", count = c.unsent())).size(theme::BODY),
        text(t!(lang, "queue-receipts", count = c.receipts_due)).size(theme::BODY),
    ]
    .spacing(6);
    if !per_state.is_empty() {
        panel = panel.push(text(per_state.join(" · ")).size(theme::SMALL));
    }
    if let Some(oldest) = c.oldest_unsent {
        let minutes = now.duration_since(oldest).as_secs().max(0) / 60;
        panel = panel.push(text(t!(lang, "queue-oldest", minutes = minutes)).size(theme::SMALL));
    }
    if let Some(d) = drain {
        panel = panel.push(
            column![
                text(t!(lang, "queue-draining", sent = d.sent, total = d.total)).size(theme::SMALL),
                iced::widget::progress_bar(0.0..=d.total.max(1) as f32, d.sent as f32).girth(14),
            ]
            .spacing(4),
        );
    }
    panel = panel.push(
        text(match &c.last_error {
            Some(e) => t!(lang, "queue-last-error", error = e.clone()),
            None => t!(lang, "queue-no-error"),
        })
        .size(theme::SMALL),
    );
    theme::panel(panel)
}
