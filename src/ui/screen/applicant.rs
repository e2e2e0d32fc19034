//! One applicant on the waiting list, or back with their receipt: where their record stands,
//! what happens next in plain words, and the proof of recording to print.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};
use jiff::ToSpan;
use ktpel_hal::ErrorKind;
use std::sync::Arc;

use crate::queue::{ApplicantSummary, Handover, QueueRow, State as QState};
use crate::receipt::ProofOfRecording;
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::theme::{self, Kind};
use crate::ui::{receipt_view, Running};

/// One record as the applicant screen opens it: the queue row and, while it is kept, the
/// applicant's name and NIK.
pub type Record = (Box<QueueRow>, Option<ApplicantSummary>);

#[derive(Debug, Clone)]
pub enum Message {
    PrintReceipt,
    Printed(Result<(), PrintFailure>),
    Issue,
    Complaint,
    Back,
}

#[derive(Debug, Clone)]
pub struct PrintFailure {
    pub needs_person: bool,
    pub message: String,
}

pub enum Event {
    Back,
    /// Print and encode the card of this print-ready record.
    Issue(Box<QueueRow>, String),
    /// The applicant has a complaint about this record.
    Complaint {
        name: String,
        receipt_no: String,
    },
}

pub enum Phase {
    Viewing,
    Printing,
    Printed,
    Failed(PrintFailure),
}

pub struct State {
    row: QueueRow,
    summary: Option<ApplicantSummary>,
    receipt: Option<ProofOfRecording>,
    phase: Phase,
}

impl State {
    pub fn new(row: QueueRow, summary: Option<ApplicantSummary>, running: &Running) -> Self {
        let cfg = &running.booth.config;
        let receipt = summary.as_ref().map(|s| {
            let nik_masked = if s.nik.len() == 16 {
                crate::domain::nik::mask(&s.nik)
            } else {
                "****************".into()
            };
            let recorded_day = crate::centre::wib_date(row.recorded_at);
            ProofOfRecording {
                office: cfg.booth.office.clone(),
                booth_id: cfg.booth.id.clone(),
                receipt_no: row.receipt_no.clone(),
                queue_no: row.queue_no,
                name: s.name.clone(),
                nik_masked,
                recorded_at: row.recorded_at,
                come_back_from: recorded_day
                    .checked_add(i64::from(cfg.procedure.come_back_days).days())
                    .unwrap_or(recorded_day),
            }
        });
        Self {
            row,
            summary,
            receipt,
            phase: Phase::Viewing,
        }
    }

    pub fn row(&self) -> &QueueRow {
        &self.row
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Whether a proof of recording belongs to this record (not once the card is handed over).
    fn receipt_allowed(&self) -> bool {
        self.receipt.is_some() && !matches!(self.row.state, QState::Issued | QState::PickedUp)
    }

    pub fn update(
        &mut self,
        message: Message,
        running: &Arc<Running>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::PrintReceipt => {
                let Some(receipt) = self.receipt.clone().filter(|_| self.receipt_allowed()) else {
                    return (Task::none(), None);
                };
                if matches!(self.phase, Phase::Printing) {
                    return (Task::none(), None);
                }
                self.phase = Phase::Printing;
                let running = running.clone();
                let id = self.row.packet_id;
                let work = async move {
                    let devices = running.devices.clone();
                    let doc = receipt.document();
                    let printed = tokio::task::spawn_blocking(move || {
                        let mut d = devices.lock().map_err(|_| PrintFailure {
                            needs_person: false,
                            message: "the devices are unavailable".into(),
                        })?;
                        d.receipt_printer.print(&doc).map_err(|e| PrintFailure {
                            needs_person: e.kind == ErrorKind::NeedsAttention,
                            message: e.message,
                        })
                    })
                    .await
                    .map_err(|e| PrintFailure {
                        needs_person: false,
                        message: e.to_string(),
                    })?;
                    printed?;
                    let now = running.booth.clock.now();
                    // Printing again later is allowed: only the first print moves the record.
                    match running.booth.queue.mark_receipt_printed(id, now).await {
                        Ok(()) | Err(crate::queue::QueueError::HandoverNotAllowed { .. }) => Ok(()),
                        Err(e) => Err(PrintFailure {
                            needs_person: false,
                            message: e.to_string(),
                        }),
                    }
                };
                (Task::perform(work, Message::Printed), None)
            }
            Message::Printed(Ok(())) => {
                self.phase = Phase::Printed;
                self.row.handover = Handover::ReceiptPrinted;
                (Task::none(), None)
            }
            Message::Printed(Err(e)) => {
                tracing::warn!(needs_person = e.needs_person, "receipt not printed");
                self.phase = Phase::Failed(e);
                (Task::none(), None)
            }
            Message::Issue => {
                if self.row.state != QState::PrintReady {
                    return (Task::none(), None);
                }
                let name = self
                    .summary
                    .as_ref()
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                (
                    Task::none(),
                    Some(Event::Issue(Box::new(self.row.clone()), name)),
                )
            }
            Message::Complaint => {
                let name = self
                    .summary
                    .as_ref()
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                (
                    Task::none(),
                    Some(Event::Complaint {
                        name,
                        receipt_no: self.row.receipt_no.clone(),
                    }),
                )
            }
            Message::Back => (Task::none(), Some(Event::Back)),
        }
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let name = self
            .summary
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let explain = match self.row.state {
            QState::Recorded | QState::Sending => t!(lang, "status-unsent"),
            QState::Received => t!(lang, "status-received"),
            QState::PrintReady => t!(lang, "status-print-ready"),
            QState::Duplicate => t!(lang, "status-duplicate"),
            QState::Adjudicate => t!(lang, "status-adjudicate"),
            QState::EnrollFailure => t!(lang, "status-enroll-failure"),
            QState::Issued | QState::PickedUp => t!(lang, "status-handed-over"),
        };
        let mut info = column![
            text(format!("{:03} · {}", self.row.queue_no, name)).size(theme::TITLE),
            text(t!(
                lang,
                "applicant-receipt-no",
                number = self.row.receipt_no.clone()
            ))
            .size(theme::BODY),
            theme::panel(text(explain).size(theme::BODY)),
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        if let Some(d) = &self.row.verdict_detail {
            info = info
                .push(text(t!(lang, "applicant-centre-note", note = d.clone())).size(theme::SMALL));
        }
        if self.row.handover == Handover::ReceiptPrinted {
            info = info.push(text(t!(lang, "applicant-receipt-printed")).size(theme::BODY));
        }
        match &self.phase {
            Phase::Printing => {
                info = info.push(text(t!(lang, "receipt-printing")).size(theme::BODY))
            }
            Phase::Printed => {
                info = info.push(theme::panel(
                    text(t!(lang, "receipt-printed")).size(theme::BODY),
                ))
            }
            Phase::Failed(f) if f.needs_person => {
                info = info.push(theme::alert(t!(
                    lang,
                    "receipt-needs-person",
                    reason = f.message.clone()
                )))
            }
            Phase::Failed(f) => {
                info = info.push(theme::alert(t!(
                    lang,
                    "receipt-failed",
                    reason = f.message.clone()
                )))
            }
            Phase::Viewing => {}
        }
        let print_label = if self.row.handover == Handover::ReceiptPrinted {
            t!(lang, "receipt-reprint")
        } else {
            t!(lang, "receipt-print")
        };
        let can_print = self.receipt_allowed() && !matches!(self.phase, Phase::Printing);
        if self.row.state == QState::PrintReady {
            info = info.push(theme::action(
                t!(lang, "applicant-issue"),
                Kind::Success,
                Some(Message::Issue),
            ));
        }
        info = info.push(
            row![
                theme::action(
                    print_label,
                    Kind::Primary,
                    can_print.then_some(Message::PrintReceipt)
                ),
                theme::action(
                    t!(lang, "home-complaint"),
                    Kind::Secondary,
                    Some(Message::Complaint)
                ),
                theme::action(t!(lang, "back"), Kind::Secondary, Some(Message::Back)),
            ]
            .spacing(theme::GAP),
        );
        let preview: Element<'_, Message> = match (&self.receipt, self.receipt_allowed()) {
            (Some(r), true) => receipt_view::view(&r.document()),
            _ => Space::new().into(),
        };
        theme::page(row![info, preview].spacing(theme::GAP * 2.0))
    }
}
