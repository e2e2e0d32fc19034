//! SOP steps 0–2: the officer receives the application and checks the file — the photocopy of
//! the Kartu Keluarga and the application form — before anything is recorded.

use iced::widget::{button, column, row, text};
use iced::{Element, Length, Task};
use std::time::Instant;

use super::{step_clock, Step};
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::theme::{self, Kind};

#[derive(Debug, Clone)]
pub enum Message {
    ToggleKk,
    ToggleApplication,
    Next,
    Cancel,
}

pub enum Event {
    Checked,
    Cancel,
}

pub struct State {
    kk_copy: bool,
    application: bool,
    pub started: Instant,
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    pub fn new() -> Self {
        Self {
            kk_copy: false,
            application: false,
            started: Instant::now(),
        }
    }

    pub fn complete(&self) -> bool {
        self.kk_copy && self.application
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::ToggleKk => self.kk_copy = !self.kk_copy,
            Message::ToggleApplication => self.application = !self.application,
            Message::Next if self.complete() => return (Task::none(), Some(Event::Checked)),
            Message::Next => {}
            Message::Cancel => return (Task::none(), Some(Event::Cancel)),
        }
        (Task::none(), None)
    }

    pub fn view(&self, lang: Lang, now: Instant) -> Element<'_, Message> {
        let (clock, _) = step_clock(Step::Documents, self.started, now);
        let item = |checked: bool, label: String, msg: Message| {
            let mark = if checked { "☑" } else { "☐" };
            button(text(format!("{mark}  {label}")).size(theme::HEADING))
                .width(Length::Fill)
                .height(Length::Fixed(theme::ACTION))
                .padding(theme::GAP)
                .style(if checked {
                    button::success
                } else {
                    button::secondary
                })
                .on_press(msg)
        };
        theme::page(
            column![
                row![
                    text(t!(lang, "step-documents"))
                        .size(theme::TITLE)
                        .width(Length::Fill),
                    text(clock).size(theme::HEADING),
                ],
                text(t!(lang, "documents-intro")).size(theme::BODY),
                item(self.kk_copy, t!(lang, "documents-kk"), Message::ToggleKk),
                item(
                    self.application,
                    t!(lang, "documents-application"),
                    Message::ToggleApplication
                ),
                row![
                    theme::action(
                        t!(lang, "next"),
                        Kind::Primary,
                        self.complete().then_some(Message::Next)
                    ),
                    theme::action(t!(lang, "cancel"), Kind::Secondary, Some(Message::Cancel)),
                ]
                .spacing(theme::GAP),
            ]
            .spacing(theme::GAP * 1.5),
        )
    }
}
