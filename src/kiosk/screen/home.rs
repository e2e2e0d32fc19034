//! Home: what the person signed in may do — an operator starts a recording, serves pickups and
//! complaints and sees the waiting list (applicants waiting for their verdict, with their queue
//! number and the time left in the SOP's hour) and the print-when-blanks-arrive list; a
//! technician opens the technician area; a supervisor opens theirs — the queue at a glance, and
//! the blank-card stock with a warning at the office's low mark.

use iced::widget::{button, column, row, scrollable, text};
use iced::{Element, Length, Task};

use super::{Action, Ctx, Page};
use crate::booth::service::applicant::Overview;
use crate::booth::service::{Action as Permission, Staff};
use crate::clock::Clock;
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::Nav;
use crate::queue::{Counts, Handover, State as QState, WaitingEntry};
use crate::t;
use crate::widgets::drag_scroll::drag_scroll;
use crate::widgets::icons::Icon;
use crate::widgets::theme::{self, Kind};
use crate::widgets::typing::{Scan, Typed};

#[derive(Debug, Clone)]
pub enum Message {
    StartRecording,
    Pickup,
    Open(uuid::Uuid),
    SignOut,
    ToggleLang,
    Technician,
    Supervisor,
    /// The records awaiting the supervisor's review (the supervisor's PIN opens them).
    Review,
    Complaint,
    ComplaintStatus,
    /// A key typed on a keyboard, and when: a scanner typing a receipt's code opens its pickup.
    Typed(Typed, std::time::Instant),
}

/// A backlog being sent: how many of how many since it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drain {
    pub sent: u64,
    pub total: u64,
}

/// Home belongs to whoever is signed in.
pub struct State {
    role: crate::config::Role,
    scan: Scan,
}

impl State {
    pub fn new(who: &Staff) -> Self {
        Self {
            role: who.role,
            scan: Scan::default(),
        }
    }
}

impl Page for State {
    type Message = Message;
    type Request = std::convert::Infallible;

    fn update(&mut self, message: Message) -> Action<Self::Request> {
        let may = |a: Permission| a.allowed(self.role);
        Action::Go(match message {
            Message::Typed(typed, at) => match self.scan.key(typed, at) {
                Some(code) if may(Permission::Issue) => Nav::PickupCode(code),
                _ => return Action::None,
            },
            Message::StartRecording if may(Permission::Record) => Nav::StartApplicant,
            Message::Pickup if may(Permission::Issue) => Nav::Pickup,
            Message::Open(id) if may(Permission::Papers) => Nav::Open(id),
            Message::Technician if may(Permission::Devices) => Nav::Technician,
            Message::Supervisor if may(Permission::Approve) => Nav::Supervisor,
            Message::Review if may(Permission::Record) || may(Permission::Review) => Nav::Review,
            Message::Complaint if may(Permission::Complaints) => Nav::Complaint(None),
            Message::ComplaintStatus if may(Permission::Complaints) => Nav::ComplaintStatus,
            Message::SignOut => Nav::SignOut,
            Message::ToggleLang => Nav::ToggleLang,
            _ => return Action::None,
        })
    }

    fn perform(_: Ctx, request: Self::Request) -> Task<Message> {
        match request {}
    }

    fn typed(&self, typed: Typed, at: std::time::Instant) -> Option<Message> {
        Some(Message::Typed(typed, at))
    }
}

impl State {
    pub fn view<'a>(
        &'a self,
        lang: Lang,
        who: &'a Staff,
        overview: Option<&'a Overview>,
        low_blanks: u32,
        clock: &Clock,
        drain: Option<Drain>,
    ) -> Element<'a, Message> {
        let now = clock.now();
        let counts = overview.map(|o| &o.counts);
        let waiting: &[WaitingEntry] = overview.map(|o| o.waiting.as_slice()).unwrap_or(&[]);

        let header = row![
            column![
                text(t!(lang, "app-title")).size(theme::TITLE),
                text(t!(lang, "home-operator", name = who.name.clone())).size(theme::BODY),
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
        let role = who.role;
        let wide = |icon: Icon, label: String, kind: Kind, m: Message| {
            theme::action_icon(icon, label, kind, Some(m)).width(Length::Fixed(420.0))
        };
        let mut actions = column![].spacing(theme::GAP);
        if Permission::Record.allowed(role) {
            actions = actions
                .push(wide(
                    Icon::Record,
                    t!(lang, "home-start"),
                    Kind::Primary,
                    Message::StartRecording,
                ))
                .push(wide(
                    Icon::Card,
                    t!(lang, "home-pickup"),
                    Kind::Secondary,
                    Message::Pickup,
                ))
                .push(
                    row![
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
                    .spacing(theme::GAP),
                );
        }
        if Permission::Devices.allowed(role) {
            actions = actions.push(wide(
                Icon::Tools,
                t!(lang, "home-technician"),
                Kind::Primary,
                Message::Technician,
            ));
        }
        if Permission::Approve.allowed(role) {
            actions = actions.push(wide(
                Icon::Check,
                t!(lang, "home-supervisor"),
                Kind::Primary,
                Message::Supervisor,
            ));
        }
        // Records wait for the supervisor's review: the count, and the way to it for whoever is
        // signed in (the supervisor types their PIN there).
        let under_review = counts.map_or(0, |c| c.get(QState::AwaitingReview));
        if under_review > 0 && Permission::Record.allowed(role) {
            actions = actions.push(wide(
                Icon::Check,
                t!(lang, "home-review", count = under_review),
                Kind::Secondary,
                Message::Review,
            ));
        }
        if !Permission::Record.allowed(role) {
            // Say plainly what is not this role's, rather than leave the operator's work missing.
            actions = actions
                .push(text(tr(lang, &format!("home-role-{}", role.as_str()))).size(theme::SMALL));
        }
        if let Some(o) = overview {
            actions = actions.push(blanks_line(lang, o, low_blanks));
        }
        let queue: Element<'a, Message> = match counts {
            Some(c) => queue_panel(lang, c, drain, now),
            None => text(t!(lang, "queue-loading")).size(theme::BODY).into(),
        };
        let mut list = column![].spacing(8);
        if Permission::Papers.allowed(role) {
            list = list.push(text(t!(lang, "home-waiting")).size(theme::HEADING));
            if waiting.is_empty() {
                list = list.push(text(t!(lang, "home-waiting-empty")).size(theme::BODY));
            }
            for w in waiting {
                list = list.push(entry(w, waiting_status(lang, w, now)));
            }
            let blanks: &[WaitingEntry] = overview
                .map(|o| o.awaiting_blanks.as_slice())
                .unwrap_or(&[]);
            if !blanks.is_empty() {
                list = list.push(text(t!(lang, "home-awaiting-blanks")).size(theme::HEADING));
                for w in blanks {
                    list = list.push(entry(w, t!(lang, "waiting-blanks")));
                }
            }
        }
        theme::page(
            column![
                header,
                // The transmission queue sits under the waiting list: the actions' column keeps
                // room for the blank-stock alert at the 800 px height.
                row![
                    actions.width(Length::Fixed(440.0)),
                    column![
                        drag_scroll(scrollable(list).height(Length::Fill).width(Length::Fill)),
                        queue,
                    ]
                    .spacing(theme::GAP),
                ]
                .spacing(theme::GAP * 2.0),
            ]
            .spacing(theme::GAP * 1.5),
        )
    }
}

/// How a waiting applicant's line reads: the countdown, or what is due.
fn waiting_status(lang: Lang, w: &WaitingEntry, now: jiff::Timestamp) -> String {
    let left = w.deadline_at.duration_since(now);
    match (w.state, w.handover) {
        // The verdict window has not started: it starts at the supervisor's approval.
        (QState::AwaitingReview, _) => t!(lang, "waiting-review"),
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
    }
}

/// One applicant's line, opening their record.
fn entry<'a>(w: &'a WaitingEntry, status: String) -> Element<'a, Message> {
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
    .on_press(Message::Open(w.packet_id))
    .into()
}

/// The blank-card stock, in the danger colour at or below the office's low mark.
fn blanks_line<'a>(lang: Lang, o: &Overview, low: u32) -> Element<'a, Message> {
    let n = o.blanks.on_hand;
    if n <= 0 {
        theme::alert(t!(lang, "home-blanks-out"))
    } else if n <= i64::from(low) {
        theme::alert(t!(lang, "home-blanks-low", count = n))
    } else {
        text(t!(lang, "home-blanks", count = n))
            .size(theme::BODY)
            .into()
    }
}

/// The link's measured rate and how long the unsent bytes take at it (once measured).
fn link_line(lang: Lang, c: &Counts) -> Option<String> {
    if c.backlog_bytes == 0 && c.link_rate_bps.is_none() {
        return None;
    }
    let kb = c.backlog_bytes.div_ceil(1000);
    Some(match (c.link_rate_bps, c.backlog_eta()) {
        (Some(bps), Some(eta)) => t!(
            lang,
            "queue-link-rate",
            kbps = bps / 1000,
            kb = kb,
            minutes = eta.as_secs().div_ceil(60)
        ),
        _ => t!(lang, "queue-link-unmeasured", kb = kb),
    })
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
        (QState::AwaitingReview, "state-awaiting_review"),
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
        .map(|(s, key)| format!("{} {}", crate::kiosk::i18n::tr(lang, key), c.get(*s)))
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
    if let Some(line) = link_line(lang, c) {
        panel = panel.push(text(line).size(theme::SMALL));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Role;

    fn staff(role: Role) -> Staff {
        Staff {
            id: "x".into(),
            name: "X".into(),
            role,
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn the_queue_panel_tells_the_link_rate_and_the_backlogs_time() {
        let mut c = Counts::default();
        assert_eq!(link_line(Lang::En, &c), None);
        c.backlog_bytes = 1_440_000;
        let line = link_line(Lang::En, &c).unwrap();
        assert!(
            line.contains("not measured") && line.contains("1440"),
            "{line}"
        );
        // 1.44 MB at 384 kbit/s: 30 s, shown as a minute.
        c.link_rate_bps = Some(384_000);
        let line = link_line(Lang::En, &c).unwrap();
        assert!(
            line.contains("384") && line.contains("1440") && line.contains('1'),
            "{line}"
        );
        c.backlog_bytes = 14_400_000;
        let line = link_line(Lang::Id, &c).unwrap();
        assert!(line.contains("384") && line.contains("5 menit"), "{line}");
    }

    #[test]
    fn each_role_reaches_only_its_own_screens() {
        let mut tech = State::new(&staff(Role::Technician));
        assert!(matches!(tech.update(Message::StartRecording), Action::None));
        assert!(matches!(tech.update(Message::Pickup), Action::None));
        assert!(matches!(
            tech.update(Message::Technician),
            Action::Go(Nav::Technician)
        ));
        let mut op = State::new(&staff(Role::Operator));
        assert!(matches!(
            op.update(Message::StartRecording),
            Action::Go(Nav::StartApplicant)
        ));
        assert!(matches!(op.update(Message::Technician), Action::None));
        assert!(matches!(op.update(Message::Supervisor), Action::None));
        let mut spv = State::new(&staff(Role::Supervisor));
        assert!(matches!(
            spv.update(Message::Supervisor),
            Action::Go(Nav::Supervisor)
        ));
        assert!(matches!(spv.update(Message::StartRecording), Action::None));
        assert!(matches!(
            spv.update(Message::SignOut),
            Action::Go(Nav::SignOut)
        ));
    }
}
