//! SOP steps 0–2: the officer receives the application and checks the file — the photocopy of
//! the Kartu Keluarga and the application form — before anything is recorded.

use iced::widget::{button, column, row, text};
use iced::{Element, Length, Task};

use super::{step_header, Action, Ctx, Page};
use crate::booth::procedure::{Step, StepClock};
use crate::kiosk::i18n::Lang;
use crate::kiosk::Nav;
use crate::t;
use crate::widgets::theme::{self, Kind};

#[derive(Debug, Clone)]
pub enum Message {
    ToggleKk,
    ToggleApplication,
    Next,
    Cancel,
}

#[derive(Default)]
pub struct State {
    kk_copy: bool,
    application: bool,
}

impl Page for State {
    type Message = Message;
    type Request = std::convert::Infallible;

    fn update(&mut self, message: Message) -> Action<Self::Request> {
        match message {
            Message::ToggleKk => self.kk_copy = !self.kk_copy,
            Message::ToggleApplication => self.application = !self.application,
            Message::Next if self.complete() => return Action::Go(Nav::StepDone(None)),
            Message::Next => {}
            Message::Cancel => return Action::Go(Nav::Home),
        }
        Action::None
    }

    fn perform(_: Ctx, request: Self::Request) -> Task<Message> {
        match request {}
    }
}

impl State {
    pub fn complete(&self) -> bool {
        self.kk_copy && self.application
    }

    pub fn view(&self, lang: Lang, clock: StepClock) -> Element<'_, Message> {
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
                step_header(lang, Step::Documents, clock),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_papers_must_be_checked_before_the_step_is_done() {
        let mut s = State::default();
        assert!(matches!(s.update(Message::Next), Action::None));
        s.update(Message::ToggleKk);
        assert!(matches!(s.update(Message::Next), Action::None));
        s.update(Message::ToggleApplication);
        assert!(matches!(
            s.update(Message::Next),
            Action::Go(Nav::StepDone(None))
        ));
        assert!(matches!(s.update(Message::Cancel), Action::Go(Nav::Home)));
    }
}
