//! Writing the answer (resolve), the decision (Kepala Dinas) or the reason for escalating, on
//! the on-screen keyboard. An answer is required to close a complaint; the reason for
//! escalating is optional.

use iced::widget::{column, row, text};
use iced::{Element, Length, Task};
use uuid::Uuid;

use super::detail::action_label;
use super::i18n::{tr, Lang};
use crate::widgets::keyboard::{self, Input, Key};
use crate::widgets::theme::{self, Kind};
use crate::wire::complaint::{needs_answer, Action, TicketNo, MAX_ANSWER};

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Submit,
    Cancel,
}

pub enum Event {
    Submit(Option<String>),
    Cancel,
}

pub struct State {
    pub id: Uuid,
    pub ticket: TicketNo,
    pub action: Action,
    pub input: Input,
    pub busy: bool,
    pub error: Option<String>,
}

impl State {
    /// A keyboard's key: what the on-screen keyboard has. Enter does not send the answer (the
    /// answer is sent by its button, after reading it through).
    pub fn typed(&self, typed: crate::widgets::typing::Typed) -> Option<Message> {
        typed.keyboard().map(Message::Key)
    }
    pub fn new(id: Uuid, ticket: TicketNo, action: Action) -> Self {
        let mut input = Input::new(MAX_ANSWER);
        // Answers are letters to a citizen: sentence case, not the card's capitals.
        input.capitals = false;
        Self {
            id,
            ticket,
            action,
            input,
            busy: false,
            error: None,
        }
    }

    fn ready(&self) -> bool {
        !self.busy && (!needs_answer(self.action) || !self.input.value().is_empty())
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Key(k) => {
                if !self.busy {
                    self.input.apply(k);
                }
                (Task::none(), None)
            }
            Message::Submit if self.ready() => {
                self.busy = true;
                self.error = None;
                let text = Some(self.input.value().to_string()).filter(|t| !t.is_empty());
                (Task::none(), Some(Event::Submit(text)))
            }
            Message::Submit => (Task::none(), None),
            Message::Cancel => (Task::none(), Some(Event::Cancel)),
        }
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let prompt = match self.action {
            Action::Resolve => "compose-answer",
            Action::Decide => "compose-decision",
            _ => "compose-reason",
        };
        let typed = if self.input.text.is_empty() {
            tr(lang, "compose-empty")
        } else {
            format!("{}▏", self.input.text)
        };
        let mut page = column![
            row![
                text(self.ticket.display()).size(theme::HEADING),
                text(tr(lang, prompt)).size(theme::HEADING),
            ]
            .spacing(theme::GAP * 2.0),
            theme::panel(text(typed).size(theme::BODY).height(Length::Fixed(120.0))),
        ]
        .spacing(theme::GAP);
        if let Some(e) = &self.error {
            page = page.push(theme::alert(e.clone()));
        }
        let kind = if self.action == Action::Escalate {
            Kind::Danger
        } else {
            Kind::Success
        };
        theme::page(
            page.push(keyboard::view(&self.input, Message::Key)).push(
                row![
                    theme::action(tr(lang, "cancel"), Kind::Secondary, Some(Message::Cancel))
                        .width(Length::Fixed(240.0)),
                    theme::action(
                        action_label(lang, self.action),
                        kind,
                        self.ready().then_some(Message::Submit)
                    )
                    .width(Length::Fill),
                ]
                .spacing(theme::GAP),
            ),
        )
    }
}
