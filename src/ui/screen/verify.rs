//! SOP step 3: the NIK on the keypad, checked here part by part, then looked up in SIAK; the
//! resident's data shown for the operator to confirm with the applicant.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};
use std::sync::Arc;
use std::time::Instant;

use super::{step_clock, Step};
use crate::booth::LookupError;
use crate::centre::client::CentreError;
use crate::domain::nik::NikError;
use crate::domain::resident::Resident;
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::keypad::{self, Key};
use crate::ui::theme::{self, Kind};
use crate::ui::Running;

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Check,
    Looked(Result<Box<Resident>, LookupError>),
    Confirm,
    Cancel,
}

pub enum Event {
    Confirmed(Box<Resident>),
    Cancel,
}

pub enum Lookup {
    Idle,
    Checking,
    Found(Box<Resident>),
    Failed(LookupError),
}

pub struct State {
    nik: String,
    lookup: Lookup,
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
            nik: String::new(),
            lookup: Lookup::Idle,
            started: Instant::now(),
        }
    }

    pub fn lookup(&self) -> &Lookup {
        &self.lookup
    }

    pub fn update(
        &mut self,
        message: Message,
        running: &Arc<Running>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Key(k) => {
                if !matches!(self.lookup, Lookup::Checking) {
                    keypad::apply(&mut self.nik, k, 16);
                    self.lookup = Lookup::Idle;
                }
                (Task::none(), None)
            }
            Message::Check => {
                if matches!(self.lookup, Lookup::Checking) {
                    return (Task::none(), None);
                }
                self.lookup = Lookup::Checking;
                let nik = self.nik.clone();
                let running = running.clone();
                let ask = async move { running.booth.lookup(&nik).await.map(Box::new) };
                (Task::perform(ask, Message::Looked), None)
            }
            Message::Looked(Ok(r)) => {
                self.lookup = Lookup::Found(r);
                (Task::none(), None)
            }
            Message::Looked(Err(e)) => {
                self.lookup = Lookup::Failed(e);
                (Task::none(), None)
            }
            Message::Confirm => match std::mem::replace(&mut self.lookup, Lookup::Idle) {
                Lookup::Found(r) => (Task::none(), Some(Event::Confirmed(r))),
                other => {
                    self.lookup = other;
                    (Task::none(), None)
                }
            },
            Message::Cancel => (Task::none(), Some(Event::Cancel)),
        }
    }

    pub fn view(&self, lang: Lang, now: Instant) -> Element<'_, Message> {
        let (clock, over) = step_clock(Step::Verify, self.started, now);
        let header = row![
            text(t!(lang, "step-verify"))
                .size(theme::TITLE)
                .width(Length::Fill),
            text(clock).size(theme::HEADING).style(if over {
                iced::widget::text::danger
            } else {
                iced::widget::text::default
            }),
        ];
        let shown = if self.nik.is_empty() {
            t!(lang, "verify-enter-nik")
        } else {
            keypad::grouped(&self.nik)
        };
        let result: Element<'_, Message> = match &self.lookup {
            Lookup::Idle => Space::new().into(),
            Lookup::Checking => text(t!(lang, "verify-checking")).size(theme::BODY).into(),
            Lookup::Failed(e) => theme::alert(lookup_message(lang, e)),
            Lookup::Found(r) => resident_panel(lang, r),
        };
        let actions = match &self.lookup {
            Lookup::Found(_) => row![
                theme::action(
                    t!(lang, "verify-confirm"),
                    Kind::Success,
                    Some(Message::Confirm)
                ),
                theme::action(
                    t!(lang, "verify-retype"),
                    Kind::Secondary,
                    Some(Message::Key(Key::Clear))
                ),
            ],
            _ => row![
                theme::action(
                    t!(lang, "verify-check"),
                    Kind::Primary,
                    (self.nik.len() == 16 && !matches!(self.lookup, Lookup::Checking))
                        .then_some(Message::Check),
                ),
                theme::action(t!(lang, "cancel"), Kind::Secondary, Some(Message::Cancel)),
            ],
        }
        .spacing(theme::GAP);
        let left = column![
            header,
            text(t!(lang, "verify-nik-label")).size(theme::BODY),
            text(shown).size(theme::TITLE),
            result,
            actions,
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        theme::page(row![left, keypad::view(Message::Key)].spacing(theme::GAP * 2.0))
    }
}

fn resident_panel<'a>(lang: Lang, r: &Resident) -> Element<'a, Message> {
    let line = |label: String, value: String| {
        row![
            text(label).size(theme::SMALL).width(Length::Fixed(230.0)),
            text(value).size(theme::SMALL),
        ]
    };
    theme::panel(
        column![
            line("NIK".into(), r.nik.as_str().to_string()),
            line(t!(lang, "field-name"), r.name.clone()),
            line(t!(lang, "field-birth"), r.birth_place_and_date()),
            line(t!(lang, "field-sex"), r.sex.ktp_label().to_string()),
            line(
                t!(lang, "field-address"),
                format!("{} RT/RW {}", r.address, r.rt_rw())
            ),
            line(t!(lang, "field-village"), r.kelurahan.clone()),
            line(t!(lang, "field-district"), r.kecamatan.clone()),
            line(
                t!(lang, "field-regency"),
                format!("{}, {}", r.kabupaten, r.provinsi)
            ),
        ]
        .spacing(4),
    )
}

/// The operator's words for why a NIK could not be verified.
pub fn lookup_message(lang: Lang, e: &LookupError) -> String {
    match e {
        LookupError::InvalidNik(n) => nik_message(lang, n),
        LookupError::Centre(CentreError::NotFound) => t!(lang, "verify-not-found"),
        LookupError::Centre(other) => t!(lang, "verify-unreachable", reason = other.to_string()),
    }
}

pub fn nik_message(lang: Lang, e: &NikError) -> String {
    match *e {
        NikError::Length { len } => t!(lang, "nik-err-length", len = len),
        NikError::NonDigit { position, .. } => t!(lang, "nik-err-digit", position = position),
        NikError::UnknownProvince { code } => {
            t!(lang, "nik-err-province", code = format!("{code:02}"))
        }
        NikError::Regency { code } => t!(lang, "nik-err-regency", code = format!("{code:02}")),
        NikError::District { code } => t!(lang, "nik-err-district", code = format!("{code:02}")),
        NikError::BirthDay { day } => t!(lang, "nik-err-day", day = format!("{day:02}")),
        NikError::BirthMonth { month } => t!(lang, "nik-err-month", month = format!("{month:02}")),
        NikError::NoSuchDate { day, month, year } => t!(
            lang,
            "nik-err-date",
            date = format!("{day:02}-{month:02}-{year}")
        ),
        NikError::Serial { .. } => t!(lang, "nik-err-serial"),
    }
}
