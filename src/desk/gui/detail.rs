//! One complaint: what the citizen said, where it stands, its history (who did what when), and
//! the actions the signed-in role has on it in this stage — exactly those the procedure
//! ([`next_stage`]) allows, nothing else.

use iced::widget::{column, row, scrollable, text};
use iced::{Element, Length, Task};
use jiff::Timestamp;

use super::i18n::{self, arg, tr, tr_with, Lang};
use super::{time_left, wib, Staff};
use crate::desk::config::DeskConfig;
use crate::desk::store::{Entry, HistoryEvent};
use crate::widgets::theme::{self, Kind};
use crate::wire::complaint::{next_stage, Action, Actor, Assignee, Link};

#[derive(Debug, Clone)]
pub enum Message {
    Back,
    /// Forward, done at once.
    Act(Action),
    /// Resolve, escalate or decide: first the text.
    Compose(Action),
}

pub enum Event {
    Back,
    Act(Action),
    Compose(Action),
}

pub struct State {
    pub entry: Entry,
    pub history: Vec<HistoryEvent>,
    pub busy: bool,
    pub error: Option<String>,
}

/// The actions `staff` may take on `entry` now, in the order they are shown.
pub fn available(staff: &Staff, entry: &Entry) -> Vec<Action> {
    let mut candidates: Vec<Action> = Assignee::ALL.into_iter().map(Action::Forward).collect();
    candidates.extend([Action::Resolve, Action::Escalate, Action::Decide]);
    candidates
        .into_iter()
        .filter(|a| next_stage(Actor::Staff(staff.role), *a, entry.stage).is_ok())
        .collect()
}

/// The button label of an action.
pub fn action_label(lang: Lang, a: Action) -> String {
    match a {
        Action::Forward(to) => tr_with(
            lang,
            "action-forward",
            &[arg("unit", i18n::role(lang, to.role()))],
        ),
        Action::Resolve => tr(lang, "action-resolve"),
        Action::Escalate => tr(lang, "action-escalate"),
        Action::Decide => tr(lang, "action-decide"),
    }
}

impl State {
    pub fn new(entry: Entry, history: Vec<HistoryEvent>) -> Self {
        Self {
            entry,
            history,
            busy: false,
            error: None,
        }
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Back => (Task::none(), Some(Event::Back)),
            Message::Act(a) if !self.busy => {
                self.busy = true;
                self.error = None;
                (Task::none(), Some(Event::Act(a)))
            }
            Message::Compose(a) if !self.busy => (Task::none(), Some(Event::Compose(a))),
            Message::Act(_) | Message::Compose(_) => (Task::none(), None),
        }
    }

    pub fn view<'a>(
        &'a self,
        lang: Lang,
        staff: &'a Staff,
        config: &'a DeskConfig,
        now: Timestamp,
    ) -> Element<'a, Message> {
        let e = &self.entry;
        let c = &e.complaint;
        let line = |label: &str, value: String| -> Element<'a, Message> {
            row![
                text(tr(lang, label))
                    .size(theme::SMALL)
                    .width(Length::Fixed(220.0)),
                text(value).size(theme::BODY).width(Length::Fill),
            ]
            .spacing(theme::GAP)
            .into()
        };
        let mut facts = column![
            line("field-stage", i18n::stage(lang, e.stage)),
            line(
                "field-received",
                format!(
                    "{} · {}",
                    wib(c.received_at),
                    i18n::channel(lang, c.channel)
                )
            ),
            line("field-category", i18n::category(lang, c.category).into()),
            line("field-complainant", c.complainant.clone()),
            line("field-contact", c.contact.clone()),
        ]
        .spacing(6);
        if let Some(link) = &c.link {
            facts = facts.push(line(
                "field-link",
                match link {
                    Link::Receipt(r) => r.clone(),
                    Link::Packet(p) => p.to_string(),
                },
            ));
        }
        if !e.stage.is_closed() {
            facts = facts.push(line(
                "field-deadline",
                format!(
                    "{} · {}",
                    wib(e.deadline_at),
                    time_left(lang, e.deadline_at, now)
                ),
            ));
        }
        facts = facts.push(line("field-description", c.description.clone()));
        if let Some(note) = &e.escalation_note {
            facts = facts.push(line("field-escalation-note", note.clone()));
        }
        if let Some(answer) = &e.answer {
            facts = facts.push(line("field-answer", answer.clone()));
        }
        let mut history = column![text(tr(lang, "history-title")).size(theme::HEADING)].spacing(4);
        for h in &self.history {
            let who = if h.actor == "system" {
                tr(lang, "history-system")
            } else if let Some(booth) = h.actor.strip_prefix("booth:") {
                tr_with(lang, "history-booth", &[arg("booth", booth)])
            } else {
                let name = config
                    .staff_member(&h.actor)
                    .map_or_else(|| h.actor.clone(), |s| s.name.clone());
                match crate::wire::complaint::Role::parse(&h.role) {
                    Some(r) => format!("{name} ({})", i18n::role(lang, r)),
                    None => name,
                }
            };
            history = history.push(
                text(format!(
                    "{} — {} — {}",
                    wib(h.at),
                    i18n::action(lang, &h.action),
                    who
                ))
                .size(theme::SMALL),
            );
        }
        let mut actions =
            row![
                theme::action(tr(lang, "back"), Kind::Secondary, Some(Message::Back))
                    .width(Length::Fixed(180.0))
            ]
            .spacing(theme::GAP);
        let busy = self.busy;
        for a in available(staff, e) {
            let (kind, message) = match a {
                Action::Forward(_) => (Kind::Primary, Message::Act(a)),
                Action::Resolve | Action::Decide => (Kind::Success, Message::Compose(a)),
                Action::Escalate => (Kind::Danger, Message::Compose(a)),
            };
            actions = actions.push(
                theme::action(action_label(lang, a), kind, (!busy).then_some(message))
                    .width(Length::Fill),
            );
        }
        let mut page = column![
            text(c.ticket_no.display()).size(theme::TITLE),
            scrollable(column![theme::panel(facts), history].spacing(theme::GAP))
                .height(Length::Fill),
        ]
        .spacing(theme::GAP);
        if let Some(err) = &self.error {
            page = page.push(theme::alert(err.clone()));
        }
        theme::page(page.push(actions))
    }
}
