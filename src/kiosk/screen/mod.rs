//! One module per screen. Each owns its state, its messages and its view. Its `update` does no
//! I/O: it answers with an [`Action`] — nothing, work for the booth service (a request the
//! screen's `perform` carries out through the [`Ctx`], whose answer comes back as one of its
//! messages), or where the kiosk goes next ([`super::Nav`]). So a screen can be driven and
//! checked in a unit test without a booth.

pub mod applicant;
pub mod complaint;
pub mod complaint_status;
pub mod dashboard;
pub mod documents;
pub mod home;
pub mod issue;
pub mod pickup;
pub mod record;
pub mod review;
pub mod supervisor;
pub mod supervisor_pin;
pub mod technician;
pub mod verify;

use iced::widget::{row, text};
use iced::{Element, Length, Task};
use std::sync::Arc;

use crate::booth::procedure::{Step, StepClock};
use crate::booth::service::{Service, Staff};
use crate::kiosk::i18n::{tr, Lang};
use crate::widgets::theme;
use crate::widgets::typing::Typed;

/// What a screen's work has to hand: the booth service and who is signed in.
#[derive(Clone)]
pub struct Ctx {
    pub service: Arc<Service>,
    pub who: Staff,
}

/// What a screen's update asks of the kiosk.
#[derive(Debug)]
pub enum Action<R> {
    None,
    /// Work for the booth service; its answer comes back to the screen as a message.
    Run(R),
    /// Leave the screen.
    Go(super::Nav),
}

impl<R> Action<R> {
    /// Whether the screen asked for this work.
    pub fn runs(&self) -> Option<&R> {
        match self {
            Action::Run(r) => Some(r),
            _ => None,
        }
    }
}

/// A kiosk screen.
pub trait Page {
    type Message: std::fmt::Debug + Clone + Send + 'static;
    type Request;
    /// Answers a message without doing any I/O.
    fn update(&mut self, message: Self::Message) -> Action<Self::Request>;
    /// Carries a request out through the booth service.
    fn perform(ctx: Ctx, request: Self::Request) -> Task<Self::Message>;
    /// The message a key typed on a physical keyboard (or a scanner) at `at` stands for: the
    /// same as the on-screen key or button it matches. Screens without typing ignore keys.
    fn typed(&self, _typed: Typed, _at: std::time::Instant) -> Option<Self::Message> {
        None
    }
}

/// A step's title with its clock against the SOP's standard time: one rule for every step —
/// red when over the standard, standing still once the step is done.
pub fn step_header<'a, M: 'a>(lang: Lang, step: Step, clock: StepClock) -> Element<'a, M> {
    row![
        text(tr(lang, step.key()))
            .size(theme::TITLE)
            .width(Length::Fill),
        text(clock.text())
            .size(theme::HEADING)
            .style(if clock.over() {
                iced::widget::text::danger
            } else {
                iced::widget::text::default
            }),
    ]
    .into()
}
