//! The applicant comes back with the proof of recording: the receipt number on the keypad
//! (checked digit by digit with its check digit before the queue is asked), then their record.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};

use super::{Action, Ctx, Page};
use crate::booth::service::applicant::ApplicantRecord;
use crate::domain::numbers::receipt_no_is_well_formed;
use crate::kiosk::i18n::Lang;
use crate::kiosk::Nav;
use crate::queue::QueueError;
use crate::t;
use crate::widgets::keypad::{self, Key};
use crate::widgets::theme::{self, Kind};
use crate::widgets::typing::Typed;

pub const RECEIPT_DIGITS: usize = 13;

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Find,
    Found(Result<Option<Box<ApplicantRecord>>, QueueError>),
    Cancel,
    /// Start or stop reading the receipt's QR code with the camera.
    ToggleScan,
    Camera(crate::kiosk::preview::Event),
    /// A receipt code read elsewhere (a keyboard-wedge scanner on the home screen): look it up.
    Code(String),
}

/// Look the receipt number up in the queue.
#[derive(Debug)]
pub struct Find(pub String);

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
    preview: Option<Result<iced::widget::image::Handle, ktpel_hal::DeviceError>>,
}

impl Page for State {
    type Message = Message;
    type Request = Find;

    fn update(&mut self, message: Message) -> Action<Find> {
        match message {
            Message::Key(k) => {
                keypad::apply(&mut self.number, k, RECEIPT_DIGITS);
                self.problem = None;
                Action::None
            }
            Message::Find => {
                if !receipt_no_is_well_formed(&self.number) {
                    self.problem = Some(Problem::Mistyped);
                    return Action::None;
                }
                if self.searching {
                    return Action::None;
                }
                self.searching = true;
                Action::Run(Find(self.number.clone()))
            }
            Message::Found(Ok(Some(record))) => {
                self.searching = false;
                Action::Go(Nav::Show(record))
            }
            Message::Found(Ok(None)) => {
                self.searching = false;
                self.problem = Some(Problem::NotHere);
                Action::None
            }
            Message::Found(Err(e)) => {
                self.searching = false;
                self.problem = Some(Problem::Queue(e.to_string()));
                Action::None
            }
            Message::Cancel => Action::Go(Nav::Home),
            Message::ToggleScan => {
                self.scanning = !self.scanning;
                self.preview = None;
                Action::None
            }
            Message::Camera(crate::kiosk::preview::Event::Frame(h)) => {
                self.preview = Some(Ok(h));
                Action::None
            }
            Message::Camera(crate::kiosk::preview::Event::Face(_)) => Action::None,
            Message::Camera(crate::kiosk::preview::Event::Failed(e)) => {
                self.preview = Some(Err(e));
                Action::None
            }
            Message::Camera(crate::kiosk::preview::Event::Scanned(text)) => {
                if !self.is_scanning() {
                    return Action::None;
                }
                let digits = text.trim();
                if digits.len() == RECEIPT_DIGITS && digits.chars().all(|c| c.is_ascii_digit()) {
                    self.scanning = false;
                    self.preview = None;
                    self.update(Message::Code(digits.to_owned()))
                } else {
                    // Some other code: say so and keep looking.
                    self.problem = Some(Problem::Mistyped);
                    Action::None
                }
            }
            Message::Code(code) => {
                // What fits the keypad, so the operator sees what was read.
                self.number = code
                    .chars()
                    .filter(char::is_ascii_digit)
                    .take(RECEIPT_DIGITS)
                    .collect();
                self.problem = None;
                self.update(Message::Find)
            }
        }
    }

    fn typed(&self, typed: Typed, _at: std::time::Instant) -> Option<Message> {
        match typed {
            Typed::Enter => Some(Message::Find),
            t => t.keypad().map(Message::Key),
        }
    }

    fn perform(ctx: Ctx, Find(number): Find) -> Task<Message> {
        Task::perform(
            async move {
                ctx.service
                    .find_receipt(&number)
                    .await
                    .map(|r| r.map(Box::new))
            },
            Message::Found,
        )
    }
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

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let shown = if self.number.is_empty() {
            t!(lang, "pickup-enter")
        } else {
            keypad::framed(&self.number, RECEIPT_DIGITS)
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
                Some(Err(e)) => crate::kiosk::device_error(lang, e),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_number_is_refused_before_the_queue_is_asked_and_a_scan_finds_at_once() {
        let mut s = State::default();
        for d in "2611250100016".chars() {
            s.update(Message::Key(Key::Digit(d as u8 - b'0')));
        }
        assert!(matches!(s.update(Message::Find), Action::None));
        assert_eq!(s.problem(), Some(&Problem::Mistyped));
        s.update(Message::ToggleScan);
        assert!(s.is_scanning());
        let asked = s.update(Message::Camera(crate::kiosk::preview::Event::Scanned(
            "2611250100015".into(),
        )));
        assert!(matches!(asked.runs(), Some(Find(n)) if n == "2611250100015"));
        assert!(!s.is_scanning());
        s.update(Message::Found(Ok(None)));
        assert_eq!(s.problem(), Some(&Problem::NotHere));
    }
}
