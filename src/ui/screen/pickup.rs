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
    /// Start or stop reading the receipt's QR code with the camera.
    ToggleScan,
    Camera(crate::ui::preview::Event),
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
    /// The camera is looking for the receipt's QR code.
    scanning: bool,
    preview: Option<Result<iced::widget::image::Handle, String>>,
}

impl State {
    pub fn is_scanning(&self) -> bool {
        self.scanning && !self.searching
    }

    pub fn number(&self) -> &str {
        &self.number
    }

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
            Message::ToggleScan => {
                self.scanning = !self.scanning;
                self.preview = None;
                (Task::none(), None)
            }
            Message::Camera(crate::ui::preview::Event::Frame(h)) => {
                self.preview = Some(Ok(h));
                (Task::none(), None)
            }
            Message::Camera(crate::ui::preview::Event::Face(_)) => (Task::none(), None),
            Message::Camera(crate::ui::preview::Event::Failed(e)) => {
                self.preview = Some(Err(e));
                (Task::none(), None)
            }
            Message::Camera(crate::ui::preview::Event::Scanned(text)) => {
                if !self.is_scanning() {
                    return (Task::none(), None);
                }
                let digits: String = text.trim().chars().collect();
                if digits.len() == RECEIPT_DIGITS && digits.chars().all(|c| c.is_ascii_digit()) {
                    self.number = digits;
                    self.scanning = false;
                    self.preview = None;
                    self.update(Message::Find, running)
                } else {
                    // Some other code: say so and keep looking.
                    self.problem = Some(Problem::Mistyped);
                    (Task::none(), None)
                }
            }
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
        let scan_label = if self.scanning {
            t!(lang, "pickup-scan-stop")
        } else {
            t!(lang, "pickup-scan")
        };
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
            theme::action(scan_label, Kind::Secondary, Some(Message::ToggleScan)),
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        let right: Element<'_, Message> = if self.scanning {
            let camera: Element<'_, Message> = match &self.preview {
                Some(Ok(h)) => iced::widget::image(h.clone())
                    .width(Length::Fixed(480.0))
                    .height(Length::Fixed(360.0))
                    .into(),
                Some(Err(e)) => theme::alert(t!(lang, "record-camera-failed", reason = e.clone())),
                None => text(t!(lang, "record-camera-starting"))
                    .size(theme::BODY)
                    .into(),
            };
            column![camera, text(t!(lang, "pickup-scan-hint")).size(theme::BODY)]
                .spacing(theme::GAP)
                .width(Length::Fixed(480.0))
                .into()
        } else {
            keypad::view(Message::Key)
        };
        theme::page(row![left, right].spacing(theme::GAP * 2.0))
    }
}
