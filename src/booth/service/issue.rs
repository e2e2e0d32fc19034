//! Issuing a print-ready record's card (SOP 6a print, 7 encode, 9 hand over), with every card
//! accounted for: the blank-card stock is checked, the printer asked whether it can print,
//! and the print written to the queue *before* the job is sent; a second card for the same
//! record needs a supervisor's approval and spoils the first. Where issuance stands is read
//! back from those facts, so leaving the screen or restarting resumes at the first unfinished
//! step.

use futures::Stream;
use ktpel_card_pcsc::{CancelFlag, Progress};
use ktpel_hal::EncodedImage;
use std::sync::Arc;
use uuid::Uuid;

use super::staff::{allow, Action, Staff};
use super::Service;
use crate::booth::issuance::{self, IssueError};
use crate::card::face::IssueInfo;
use crate::queue::{Approval, CardPrint, IssueProgress, QueueError};
use crate::wire::centre::Personalization;

/// A card printed: the print's id in the queue and the printer's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub print_id: i64,
    pub job: String,
}

/// What the chip encoding did, for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub apdus: usize,
    pub min_apdus: usize,
    pub bytes: usize,
    pub reader: String,
}

/// A step of the chip encoding as it goes.
#[derive(Debug, Clone)]
pub enum ChipEvent {
    Progress(Progress),
    Done(Result<Encoded, IssueError>),
}

impl Service {
    /// Where the issuance of `id` stands.
    pub async fn issue_progress(&self, id: Uuid) -> Result<IssueProgress, QueueError> {
        self.queue().call(move |s| s.issue_progress(id)).await
    }

    /// Every card put through the printer for `id`.
    pub async fn card_prints(&self, id: Uuid) -> Result<Vec<CardPrint>, QueueError> {
        self.queue().call(move |s| s.card_prints(id)).await
    }

    /// The centre's card data for a print-ready record (sealed in the queue).
    async fn bundle(&self, id: Uuid) -> Result<Personalization, IssueError> {
        self.queue()
            .call(move |s| s.personalization(id))
            .await?
            .ok_or_else(|| IssueError::Bundle("the centre's card data are missing".into()))
    }

    /// Where and when cards are issued here: the office's regency or city, today.
    fn issue_info(&self) -> IssueInfo {
        let cfg = self.config();
        IssueInfo {
            place: cfg
                .booth
                .region
                .regency()
                .map(|r| r.name.to_string())
                .unwrap_or_else(|| cfg.booth.office.to_uppercase()),
            date: crate::clock::wib_date(self.clock().now()),
        }
    }

    /// The card's front at 300 dpi, drawn from the centre's data, for the operator to check.
    pub async fn card_face(&self, id: Uuid) -> Result<EncodedImage, IssueError> {
        let bundle = self.bundle(id).await?;
        let info = self.issue_info();
        tokio::task::spawn_blocking(move || issuance::card_face(&bundle, &info))
            .await
            .map_err(|e| IssueError::Face(e.to_string()))?
    }

    /// Prints `id`'s card: refused without blanks in stock or when the printer says it cannot
    /// print (no blank used); otherwise the print is recorded, sent, and its outcome recorded.
    /// A second card needs `approval` (a supervisor's, with a reason).
    pub async fn print_card(
        &self,
        who: &Staff,
        id: Uuid,
        approval: Option<Approval>,
    ) -> Result<Printed, IssueError> {
        allow(who, Action::Issue)?;
        let stock = self.queue().call(|s| s.blank_stock()).await?;
        if stock.on_hand <= 0 {
            return Err(IssueError::OutOfBlanks);
        }
        let front = self.card_face(id).await?;
        self.devices
            .card_printer
            .call(|p| p.ready())
            .await?
            .map_err(IssueError::NotReady)?;
        let now = self.clock().now();
        let by = who.id.clone();
        let print_id = self
            .queue()
            .call(move |s| s.begin_card_print(id, approval.as_ref(), &by, now))
            .await?;
        let sent = self
            .devices
            .card_printer
            .call(move |p| issuance::print_card(p, &front))
            .await
            .map_err(IssueError::from)
            .and_then(|r| r);
        let now = self.clock().now();
        let answer = match &sent {
            Ok(job) => Ok(job.clone()),
            Err(e) => Err(e.to_string()),
        };
        self.queue()
            .call(move |s| {
                let answer = answer.as_deref().map_err(String::as_str);
                s.finish_card_print(print_id, answer, now)
            })
            .await?;
        let job = sent?;
        tracing::info!(packet = %id, print = print_id, "card printed");
        Ok(Printed { print_id, job })
    }

    /// Writes the chip of printed card `print_id` (over a personalised card only when
    /// `reissue`), reads it back and checks it, then records it verified. Progress streams as
    /// it goes; `cancel` stops between commands.
    pub fn encode_chip(
        self: &Arc<Self>,
        who: &Staff,
        id: Uuid,
        print_id: i64,
        reissue: bool,
        cancel: CancelFlag,
    ) -> impl Stream<Item = ChipEvent> + Send + 'static {
        let service = self.clone();
        let allowed = allow(who, Action::Issue);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<ChipEvent>();
        tokio::spawn(async move {
            let result = async {
                allowed?;
                let bundle = service.bundle(id).await?;
                let csca = service.booth.trusted_csca().clone();
                let now = std::time::SystemTime::from(service.clock().now());
                let progress_tx = tx.clone();
                let encoded = service
                    .devices
                    .card_encoder
                    .call(move |enc| {
                        let mut progress = |p: Progress| {
                            let _ = progress_tx.send(ChipEvent::Progress(p));
                        };
                        issuance::encode_chip(
                            enc,
                            &bundle,
                            &csca,
                            now,
                            reissue,
                            Some(cancel),
                            &mut progress,
                        )
                    })
                    .await?;
                let encoded = match encoded {
                    Err(e) if e.card_spent() => {
                        // A locked chip that does not hold this record (or a chip that never
                        // locks) can never be issued: the blank is spent and counted.
                        let why = e.to_string();
                        let now = service.clock().now();
                        service
                            .queue()
                            .call(move |s| s.card_chip_spent(print_id, &why, now))
                            .await?;
                        return Err(e);
                    }
                    other => other?,
                };
                let now = service.clock().now();
                service
                    .queue()
                    .call(move |s| s.card_chip_verified(print_id, now))
                    .await?;
                Ok(Encoded {
                    apdus: encoded.report.apdus,
                    min_apdus: encoded.report.min_apdus,
                    bytes: encoded.report.bytes,
                    reader: encoded.reader,
                })
            }
            .await;
            let _ = tx.send(ChipEvent::Done(result));
        });
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) })
    }

    /// The card is in the applicant's hands: the record is issued (or picked up) and what was
    /// left of the applicant on this booth is purged. The centre is told on the next pass.
    pub async fn hand_over(
        &self,
        who: &Staff,
        id: Uuid,
    ) -> Result<crate::queue::State, IssueError> {
        allow(who, Action::Issue)?;
        match self.issue_progress(id).await? {
            IssueProgress::HandOver { .. } => {}
            _ => return Err(IssueError::NotVerified),
        }
        let now = self.clock().now();
        let state = self
            .queue()
            .call(move |s| s.mark_handed_over(id, now))
            .await?;
        self.transmitter.wake();
        super::release_free_memory().await;
        Ok(state)
    }
}
