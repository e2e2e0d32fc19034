//! The applicant comes back with the proof of recording: the receipt number on the keypad
//! (checked digit by digit with its check digit before the queue is asked), then their record.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};
use std::sync::Arc;

use crate::queue::{receipt_no_is_well_formed, ApplicantSummary, QueueRow};
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::keypad::{self, Key};
use crate::ui::screen::applicant::Record;
use crate::ui::theme::{self, Kind};
use crate::ui::Running;

pub const RECEIPT_DIGITS: usize = 13;

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Find,
    Found(Result<Option<Record>, String>),
    Cancel,
}

pub enum Event {
    Found(Box<QueueRow>, Option<ApplicantSummary>),
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Mistyped,
    NotHere,
    Queue(String),
}

#[derive(Default)]
pub struct State {
    number: String,
    searching: bool,
    problem: Option<Problem>,
}

impl State {
    pub fn problem(&self) -> Option<&Problem> {
        self.problem.as_ref()
    }

    pub fn update(
        &mut self,
        message: Message,
        running: &Arc<Running>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Key(k) => {
                keypad::apply(&mut self.number, k, RECEIPT_DIGITS);
                self.problem = None;
                (Task::none(), None)
            }
            Message::Find => {
                if !receipt_no_is_well_formed(&self.number) {
                    self.problem = Some(Problem::Mistyped);
                    return (Task::none(), None);
                }
                self.searching = true;
                let number = self.number.clone();
                let running = running.clone();
                let find = async move {
                    running
                        .booth
                        .queue
                        .call(move |s| {
                            let Some(row) = s.find_by_receipt(&number)? else {
                                return Ok(None);
                            };
                            let summary = s.applicant(row.packet_id)?;
                            Ok(Some((Box::new(row), summary)))
                        })
                        .await
                        .map_err(|e| e.to_string())
                };
                (Task::perform(find, Message::Found), None)
            }
            Message::Found(Ok(Some((row, summary)))) => {
                self.searching = false;
                (Task::none(), Some(Event::Found(row, summary)))
            }
            Message::Found(Ok(None)) => {
                self.searching = false;
                self.problem = Some(Problem::NotHere);
                (Task::none(), None)
            }
            Message::Found(Err(e)) => {
                self.searching = false;
                self.problem = Some(Problem::Queue(e));
                (Task::none(), None)
            }
            Message::Cancel => (Task::none(), Some(Event::Cancel)),
        }
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let shown = if self.number.is_empty() {
            t!(lang, "pickup-enter")
        } else {
            keypad::grouped(&self.number)
        };
        let problem: Element<'_, Message> = match &self.problem {
            Some(Problem::Mistyped) => theme::alert(t!(lang, "pickup-mistyped")),
            Some(Problem::NotHere) => theme::alert(t!(lang, "pickup-not-here")),
            Some(Problem::Queue(e)) => theme::alert(e.clone()),
            None => Space::new().into(),
        };
        let find =
            (self.number.len() == RECEIPT_DIGITS && !self.searching).then_some(Message::Find);
        let left = column![
            text(t!(lang, "pickup-title")).size(theme::TITLE),
            text(t!(lang, "pickup-label")).size(theme::BODY),
            text(shown).size(theme::TITLE),
            problem,
            row![
                theme::action(t!(lang, "pickup-find"), Kind::Primary, find),
                theme::action(t!(lang, "cancel"), Kind::Secondary, Some(Message::Cancel)),
            ]
            .spacing(theme::GAP),
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        theme::page(row![left, keypad::view(Message::Key)].spacing(theme::GAP * 2.0))
    }
}
