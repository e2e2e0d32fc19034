//! SOP step 4 and the save: record photo, ten fingers, both irises and signature from the
//! configured devices, show what was captured, and save — "recorded" is said only after the
//! sealed record is durable in the queue.
//!
//! This screen captures everything in one pass; the step-by-step capture screens with live
//! preview, per-finger exceptions and retakes replace its capture phase (see the kiosk issue).

use iced::widget::{column, row, text};
use iced::{Element, Length, Task};
use ktpel_hal::{DeviceError, FingerRecord, IrisRecord};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::{step_clock, Step};
use crate::booth::RecordError;
use crate::devices::Devices;
use crate::domain::resident::Resident;
use crate::enrollment::{Enrollment, StepTiming};
use crate::queue::Committed;
use crate::recording::{capture_enrollment, Exceptions};
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::theme::{self, Kind};
use crate::ui::Running;

#[derive(Debug, Clone)]
pub enum Message {
    Preview(crate::ui::preview::Event),
    Capture,
    Captured(Result<Box<Enrollment>, DeviceError>),
    Save,
    Saved(Result<Committed, RecordError>),
    Done,
    Cancel,
}

pub enum Event {
    Finished,
    Cancel,
}

pub enum Phase {
    Ready,
    Capturing,
    Captured(Box<Enrollment>),
    CaptureFailed(DeviceError),
    Saving(Box<Enrollment>),
    Saved(Committed),
    SaveFailed(Box<Enrollment>, RecordError),
}

pub struct State {
    resident: Box<Resident>,
    phase: Phase,
    operator_id: String,
    /// How long the earlier steps took, carried into the record.
    timings: Vec<StepTiming>,
    /// The newest preview frame, or why there is none.
    preview: Option<Result<iced::widget::image::Handle, String>>,
    pub started: Instant,
}

impl State {
    pub fn new(resident: Box<Resident>, operator_id: String, timings: Vec<StepTiming>) -> Self {
        Self {
            resident,
            phase: Phase::Ready,
            operator_id,
            timings,
            preview: None,
            started: Instant::now(),
        }
    }

    /// The camera preview is shown until the capture starts.
    pub fn wants_preview(&self) -> bool {
        matches!(self.phase, Phase::Ready | Phase::CaptureFailed(_))
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn update(
        &mut self,
        message: Message,
        running: &Arc<Running>,
        devices: &Arc<Mutex<Devices>>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Preview(crate::ui::preview::Event::Frame(h)) => {
                self.preview = Some(Ok(h));
                (Task::none(), None)
            }
            Message::Preview(crate::ui::preview::Event::Failed(e)) => {
                self.preview = Some(Err(e));
                (Task::none(), None)
            }
            Message::Capture => {
                if matches!(
                    self.phase,
                    Phase::Capturing | Phase::Saving(_) | Phase::Saved(_)
                ) {
                    return (Task::none(), None);
                }
                self.phase = Phase::Capturing;
                let devices = devices.clone();
                let resident = (*self.resident).clone();
                let booth_id = running.booth.config.booth.id.clone();
                let operator = self.operator_id.clone();
                let now = running.booth.clock.now();
                let work = async move {
                    tokio::task::spawn_blocking(move || {
                        let mut devices = devices
                            .lock()
                            .map_err(|_| DeviceError::other("the devices are unavailable"))?;
                        // Simulated devices show the same person for the same NIK.
                        devices.set_subject(subject_of(resident.nik.as_str()));
                        capture_enrollment(
                            &mut devices,
                            resident,
                            &Exceptions::default(),
                            &booth_id,
                            &operator,
                            now,
                        )
                        .map(Box::new)
                    })
                    .await
                    .map_err(|e| DeviceError::other(e.to_string()))?
                };
                (Task::perform(work, Message::Captured), None)
            }
            Message::Captured(Ok(mut e)) => {
                e.step_timings.splice(0..0, self.timings.iter().cloned());
                self.phase = Phase::Captured(e);
                (Task::none(), None)
            }
            Message::Captured(Err(e)) => {
                self.phase = Phase::CaptureFailed(e);
                (Task::none(), None)
            }
            Message::Save => {
                let e = match std::mem::replace(&mut self.phase, Phase::Ready) {
                    Phase::Captured(e) | Phase::SaveFailed(e, _) => e,
                    other => {
                        self.phase = other;
                        return (Task::none(), None);
                    }
                };
                // The capture stays in memory until the queue has it durably.
                self.phase = Phase::Saving(e.clone());
                let running = running.clone();
                let work = async move {
                    let waker = running.transmitter.waker();
                    running.booth.record(*e, Some(&waker)).await
                };
                (Task::perform(work, Message::Saved), None)
            }
            Message::Saved(Ok(c)) => {
                self.phase = Phase::Saved(c);
                (Task::none(), None)
            }
            Message::Saved(Err(err)) => {
                tracing::error!(error = %err, "saving the record failed");
                if let Phase::Saving(e) = std::mem::replace(&mut self.phase, Phase::Ready) {
                    // Nothing is lost: "save" can be pressed again.
                    self.phase = Phase::SaveFailed(e, err);
                }
                (Task::none(), None)
            }
            Message::Done => (Task::none(), Some(Event::Finished)),
            Message::Cancel => {
                if matches!(self.phase, Phase::Saving(_) | Phase::Capturing) {
                    return (Task::none(), None);
                }
                (Task::none(), Some(Event::Cancel))
            }
        }
    }

    pub fn view(&self, lang: Lang, now: Instant) -> Element<'_, Message> {
        let (clock, _) = step_clock(Step::Record, self.started, now);
        let header = row![
            text(t!(lang, "step-record"))
                .size(theme::TITLE)
                .width(Length::Fill),
            text(clock).size(theme::HEADING),
        ];
        let who = text(format!(
            "{} · {}",
            self.resident.name,
            self.resident.nik.masked()
        ))
        .size(theme::BODY);
        let body: Element<'_, Message> = match &self.phase {
            // The preview runs in both phases (see `wants_preview`), so both show it.
            Phase::Ready | Phase::CaptureFailed(_) => {
                let (note, label): (Element<'_, Message>, _) = match &self.phase {
                    Phase::CaptureFailed(e) => (
                        theme::alert(t!(lang, "record-failed", reason = e.to_string())),
                        t!(lang, "record-retake"),
                    ),
                    _ => (
                        text(t!(lang, "record-intro")).size(theme::BODY).into(),
                        t!(lang, "record-capture"),
                    ),
                };
                column![
                    self.preview_view(lang),
                    note,
                    row![
                        theme::action(label, Kind::Primary, Some(Message::Capture)),
                        theme::action(t!(lang, "cancel"), Kind::Secondary, Some(Message::Cancel)),
                    ]
                    .spacing(theme::GAP),
                ]
                .spacing(theme::GAP)
                .into()
            }
            Phase::Capturing => text(t!(lang, "record-capturing"))
                .size(theme::HEADING)
                .into(),
            Phase::Captured(e) | Phase::SaveFailed(e, _) => column![
                review(lang, e),
                match &self.phase {
                    Phase::SaveFailed(_, err) => {
                        theme::alert(t!(lang, "record-save-failed", reason = err.to_string()))
                    }
                    _ => iced::widget::Space::new().into(),
                },
                row![
                    theme::action(t!(lang, "record-save"), Kind::Success, Some(Message::Save)),
                    theme::action(
                        t!(lang, "record-retake"),
                        Kind::Secondary,
                        Some(Message::Capture)
                    ),
                    theme::action(t!(lang, "cancel"), Kind::Danger, Some(Message::Cancel)),
                ]
                .spacing(theme::GAP),
            ]
            .spacing(theme::GAP)
            .into(),
            Phase::Saving(_) => text(t!(lang, "record-saving")).size(theme::HEADING).into(),
            Phase::Saved(c) => column![
                theme::panel(
                    column![
                        text(t!(lang, "record-saved")).size(theme::TITLE),
                        text(t!(lang, "record-queue-no", number = c.queue_no)).size(theme::HEADING),
                        text(t!(lang, "record-receipt-no", number = c.receipt_no.clone()))
                            .size(theme::BODY),
                        text(t!(lang, "record-waiting")).size(theme::BODY),
                    ]
                    .spacing(theme::GAP)
                ),
                theme::action(t!(lang, "record-done"), Kind::Primary, Some(Message::Done)),
            ]
            .spacing(theme::GAP)
            .into(),
        };
        theme::page(column![header, who, body].spacing(theme::GAP * 1.5))
    }
}

impl State {
    fn preview_view(&self, lang: Lang) -> Element<'_, Message> {
        match &self.preview {
            Some(Ok(h)) => iced::widget::image(h.clone())
                .width(Length::Fixed(400.0))
                .height(Length::Fixed(300.0))
                .into(),
            Some(Err(e)) => theme::alert(t!(lang, "record-camera-failed", reason = e.clone())),
            None => text(t!(lang, "record-camera-starting"))
                .size(theme::BODY)
                .into(),
        }
    }
}

fn review<'a>(lang: Lang, e: &Enrollment) -> Element<'a, Message> {
    let fingers: Vec<String> = e
        .fingers
        .iter()
        .map(|f| match f {
            FingerRecord::Captured(c) => format!("{}", c.quality.0),
            FingerRecord::Exception { .. } => "—".into(),
        })
        .collect();
    let irises: Vec<String> = e
        .irises
        .iter()
        .map(|i| match i {
            IrisRecord::Captured(c) => format!("{}", c.quality.0),
            IrisRecord::Exception { .. } => "—".into(),
        })
        .collect();
    theme::panel(
        column![
            text(t!(lang, "review-face", quality = e.face.quality.0)).size(theme::BODY),
            text(t!(lang, "review-fingers", qualities = fingers.join(" · "))).size(theme::BODY),
            text(t!(lang, "review-irises", qualities = irises.join(" · "))).size(theme::BODY),
            text(t!(
                lang,
                "review-signature",
                strokes = e.signature.strokes.len()
            ))
            .size(theme::BODY),
        ]
        .spacing(theme::GAP / 2.0),
    )
}

/// A stable simulated-person number for a NIK.
fn subject_of(nik: &str) -> u64 {
    nik.bytes().fold(1469598103934665603u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1099511628211)
    })
}
