//! Issuing a print-ready card (SOP 6a print, 7 encode, 9 hand over): the card face the operator
//! checks before printing, the print, the chip written with a progress bar and proven by
//! reading it back, then the hand-over that closes the record. Any failure leaves the record
//! print-ready, so the step can be repeated with the same or a fresh card.

use iced::widget::{column, image, progress_bar, row, text, Space};
use iced::{Element, Length, Task};
use ktpel_card_pcsc::{CancelFlag, Phase as ChipPhase, Progress};
use ktpel_hal::EncodedImage;
use std::sync::Arc;

use crate::card::face::IssueInfo;
use crate::centre::api::Personalization;
use crate::issuance::{self, IssueError};
use crate::queue::{QueueRow, State as QState};
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::theme::{self, Kind};
use crate::ui::Running;

#[derive(Debug, Clone)]
pub enum Message {
    Rendered(Result<EncodedImage, String>),
    Print,
    Printed(Result<String, IssueError>),
    Encode,
    /// Write over a card that is already personalised (the operator chose to re-issue).
    Reissue,
    Progress(Progress),
    Encoded(Result<EncodedSummary, IssueError>),
    Cancel,
    HandOver,
    HandedOver(Result<QState, String>),
    Back,
}

/// What the encoding did, for the operator and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedSummary {
    pub apdus: usize,
    pub min_apdus: usize,
    pub bytes: usize,
    pub reader: String,
}

pub enum Event {
    Back,
}

#[derive(Debug, Clone)]
pub enum Step {
    /// Drawing the card face.
    Preparing,
    Preview,
    Printing,
    /// Printed: the chip is next.
    Printed,
    Encoding(Option<Progress>),
    Encoded(EncodedSummary),
    HandingOver(EncodedSummary),
    Done(QState),
}

pub struct State {
    row: QueueRow,
    name: String,
    bundle: Arc<Personalization>,
    front: Option<(EncodedImage, image::Handle)>,
    step: Step,
    error: Option<IssueError>,
    face_error: Option<String>,
    handover_error: Option<String>,
    cancel: Option<CancelFlag>,
}

impl State {
    /// Opens the issue screen and starts drawing the card face.
    pub fn open(
        row: QueueRow,
        name: String,
        bundle: Personalization,
        running: &Arc<Running>,
    ) -> (Self, Task<Message>) {
        let bundle = Arc::new(bundle);
        let cfg = &running.booth.config;
        let issue = IssueInfo {
            place: cfg
                .booth
                .region
                .regency()
                .map(|r| r.name.to_string())
                .unwrap_or_else(|| cfg.booth.office.to_uppercase()),
            date: crate::centre::wib_date(running.booth.clock.now()),
        };
        let b = bundle.clone();
        let render = async move {
            tokio::task::spawn_blocking(move || issuance::card_face(&b, &issue))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())
        };
        (
            Self {
                row,
                name,
                bundle,
                front: None,
                step: Step::Preparing,
                error: None,
                face_error: None,
                handover_error: None,
                cancel: None,
            },
            Task::perform(render, Message::Rendered),
        )
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    fn busy(&self) -> bool {
        matches!(
            self.step,
            Step::Preparing | Step::Printing | Step::Encoding(_) | Step::HandingOver(_)
        )
    }

    pub fn update(
        &mut self,
        message: Message,
        running: &Arc<Running>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Rendered(Ok(png)) => {
                let handle = image::Handle::from_bytes(png.bytes.clone());
                self.front = Some((png, handle));
                self.step = Step::Preview;
            }
            Message::Rendered(Err(e)) => {
                tracing::error!(error = %e, "card face not drawn");
                self.face_error = Some(e);
                self.step = Step::Preview;
            }
            Message::Print => {
                let Some((png, _)) = self.front.clone() else {
                    return (Task::none(), None);
                };
                if self.busy() {
                    return (Task::none(), None);
                }
                self.step = Step::Printing;
                self.error = None;
                let devices = running.devices.clone();
                let work = async move {
                    tokio::task::spawn_blocking(move || {
                        let mut d = devices.lock().map_err(|_| {
                            IssueError::Device(ktpel_hal::DeviceError::other(
                                "the devices are unavailable",
                            ))
                        })?;
                        issuance::print_card(&mut d, &png)
                    })
                    .await
                    .map_err(|e| IssueError::Device(ktpel_hal::DeviceError::other(e.to_string())))?
                };
                return (Task::perform(work, Message::Printed), None);
            }
            Message::Printed(Ok(job)) => {
                tracing::info!(job = %job, "card printed");
                self.step = Step::Printed;
            }
            Message::Printed(Err(e)) => {
                self.step = Step::Preview;
                self.error = Some(e);
            }
            Message::Encode | Message::Reissue => {
                if self.busy() || !matches!(self.step, Step::Printed) {
                    return (Task::none(), None);
                }
                let reissue = matches!(message, Message::Reissue);
                self.error = None;
                self.step = Step::Encoding(None);
                let cancel = CancelFlag::new();
                self.cancel = Some(cancel.clone());
                return (self.encode(running, reissue, cancel), None);
            }
            Message::Progress(p) => {
                if let Step::Encoding(_) = self.step {
                    self.step = Step::Encoding(Some(p));
                }
            }
            Message::Encoded(Ok(summary)) => {
                self.cancel = None;
                self.step = Step::Encoded(summary);
            }
            Message::Encoded(Err(e)) => {
                tracing::warn!(error = %e, "chip encoding failed; the record stays print-ready");
                self.cancel = None;
                self.step = Step::Printed;
                self.error = Some(e);
            }
            Message::Cancel => {
                if let Some(c) = &self.cancel {
                    c.cancel();
                }
            }
            Message::HandOver => {
                let Step::Encoded(summary) = &self.step else {
                    return (Task::none(), None);
                };
                self.step = Step::HandingOver(summary.clone());
                self.handover_error = None;
                let running = running.clone();
                let id = self.row.packet_id;
                let work = async move {
                    let now = running.booth.clock.now();
                    running
                        .booth
                        .queue
                        .mark_handed_over(id, now)
                        .await
                        .map_err(|e| e.to_string())
                };
                return (Task::perform(work, Message::HandedOver), None);
            }
            Message::HandedOver(Ok(state)) => self.step = Step::Done(state),
            Message::HandedOver(Err(e)) => {
                tracing::error!(error = %e, "hand-over not recorded");
                if let Step::HandingOver(summary) = &self.step {
                    // The card is good; recording the hand-over can be tried again.
                    self.step = Step::Encoded(summary.clone());
                }
                self.handover_error = Some(e);
            }
            Message::Back => {
                if self.busy() {
                    return (Task::none(), None);
                }
                return (Task::none(), Some(Event::Back));
            }
        }
        (Task::none(), None)
    }

    /// Runs the encoder on a worker thread, streaming its progress into the screen.
    fn encode(&self, running: &Arc<Running>, reissue: bool, cancel: CancelFlag) -> Task<Message> {
        let devices = running.devices.clone();
        let bundle = self.bundle.clone();
        let signer = running.booth.trusted_signer().to_vec();
        let stream = iced::stream::channel(16, async move |mut out| {
            use iced::futures::SinkExt;
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Message>();
            let worker = tokio::task::spawn_blocking(move || {
                let progress_tx = tx.clone();
                let mut progress = |p: Progress| {
                    let _ = progress_tx.send(Message::Progress(p));
                };
                let result = match devices.lock() {
                    Ok(mut d) => issuance::encode_chip(
                        &mut d,
                        &bundle,
                        &signer,
                        reissue,
                        Some(cancel),
                        &mut progress,
                    ),
                    Err(_) => Err(IssueError::Device(ktpel_hal::DeviceError::other(
                        "the devices are unavailable",
                    ))),
                };
                let _ = tx.send(Message::Encoded(result.map(|e| EncodedSummary {
                    apdus: e.report.apdus,
                    min_apdus: e.report.min_apdus,
                    bytes: e.report.bytes,
                    reader: e.reader,
                })));
            });
            while let Some(m) = rx.recv().await {
                if out.send(m).await.is_err() {
                    break;
                }
            }
            let _ = worker.await;
        });
        Task::run(stream, |m| m)
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let header = row![
            text(t!(lang, "issue-title"))
                .size(theme::TITLE)
                .width(Length::Fill),
            text(format!("{:03} · {}", self.row.queue_no, self.name)).size(theme::HEADING),
        ];
        let card: Element<'_, Message> = match (&self.front, &self.face_error) {
            (Some((_, h)), _) => image(h.clone())
                .width(Length::Fixed(640.0))
                .height(Length::Fixed(404.0))
                .into(),
            (None, Some(e)) => theme::alert(t!(lang, "issue-face-failed", reason = e.clone())),
            (None, None) => text(t!(lang, "issue-preparing")).size(theme::BODY).into(),
        };
        let mut side = column![].spacing(theme::GAP);
        let idle = !self.busy();
        match &self.step {
            Step::Preparing => {}
            Step::Preview => {
                side = side.push(text(t!(lang, "issue-check-face")).size(theme::BODY));
                side = side.push(theme::action(
                    t!(lang, "issue-print"),
                    Kind::Primary,
                    self.front.is_some().then_some(Message::Print),
                ));
            }
            Step::Printing => {
                side = side.push(text(t!(lang, "issue-printing")).size(theme::HEADING))
            }
            Step::Printed => {
                side = side.push(text(t!(lang, "issue-printed")).size(theme::BODY));
                side = side.push(theme::action(
                    t!(lang, "issue-encode"),
                    Kind::Primary,
                    Some(Message::Encode),
                ));
                if self.error.as_ref().is_some_and(IssueError::needs_reissue) {
                    side = side.push(text(t!(lang, "issue-reissue-why")).size(theme::SMALL));
                    side = side.push(theme::action(
                        t!(lang, "issue-reissue"),
                        Kind::Danger,
                        Some(Message::Reissue),
                    ));
                }
            }
            Step::Encoding(p) => {
                let (label, fraction) = match p {
                    Some(p) => (
                        match p.phase {
                            ChipPhase::Preparing => t!(lang, "issue-chip-preparing"),
                            ChipPhase::Writing => t!(lang, "issue-chip-writing"),
                            ChipPhase::Verifying => t!(lang, "issue-chip-verifying"),
                            ChipPhase::Done => t!(lang, "issue-chip-done"),
                        },
                        p.fraction(),
                    ),
                    None => (t!(lang, "issue-chip-waiting"), 0.0),
                };
                side = side.push(text(label).size(theme::HEADING));
                side = side.push(progress_bar(0.0..=1.0, fraction).girth(24));
                side = side.push(theme::action(
                    t!(lang, "cancel"),
                    Kind::Secondary,
                    Some(Message::Cancel),
                ));
            }
            Step::Encoded(s) => {
                side = side.push(
                    text(t!(lang, "issue-encoded", bytes = s.bytes, apdus = s.apdus))
                        .size(theme::BODY),
                );
                side = side.push(theme::action(
                    t!(lang, "issue-hand-over"),
                    Kind::Success,
                    Some(Message::HandOver),
                ));
            }
            Step::HandingOver(_) => {
                side = side.push(text(t!(lang, "issue-handing-over")).size(theme::HEADING))
            }
            Step::Done(_) => {
                side = side.push(text(t!(lang, "issue-done")).size(theme::TITLE));
            }
        }
        if let Some(e) = &self.handover_error {
            side = side.push(theme::alert(t!(
                lang,
                "issue-handover-failed",
                reason = e.clone()
            )));
        }
        if let Some(e) = &self.error {
            side = side.push(match e.device_error() {
                Some(d) if !e.needs_reissue() => crate::ui::device_error(lang, &d),
                _ => theme::alert(t!(lang, "issue-failed", reason = e.to_string())),
            });
        }
        let back = theme::action(
            t!(lang, "back"),
            Kind::Secondary,
            idle.then_some(Message::Back),
        )
        .width(Length::Fixed(240.0));
        theme::page(
            column![
                header,
                row![card, side.width(Length::Fill)].spacing(theme::GAP * 1.5),
                Space::new().height(Length::Fill),
                back,
            ]
            .spacing(theme::GAP),
        )
    }
}
