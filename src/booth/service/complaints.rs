//! Complaints at the booth: taken on the kiosk, kept sealed in the queue until the office's
//! desk confirms them, a ticket printed at once; the status asked of the desk by ticket number.

use super::staff::{allow, Action, NotYours, Staff};
use super::Service;
use crate::booth::desk_client::DeskClientError;
use crate::papers::ticket;
use crate::queue::{ComplaintDraft, QueueError};
use crate::wire::complaint::{Complaint, StatusReply, TicketNo};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ComplaintError {
    #[error(transparent)]
    NotYours(#[from] NotYours),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the receipt printer: {0}")]
    Printer(#[from] ktpel_hal::DeviceError),
    #[error("the complaint desk: {0}")]
    Desk(String),
}

/// Where a complaint stands, as the booth can tell.
#[derive(Debug, Clone)]
pub enum ComplaintStatus {
    /// The desk has it: its stage and history.
    AtDesk(Box<StatusReply>),
    /// Still in this booth's queue, waiting for the link to the desk.
    StillHere,
    /// Neither here nor at the desk.
    Unknown,
}

impl Service {
    /// Keeps the complaint durably (sealed) and wakes the transmitter to deliver it.
    pub async fn take_complaint(
        &self,
        who: &Staff,
        draft: ComplaintDraft,
    ) -> Result<Complaint, ComplaintError> {
        allow(who, Action::Complaints)?;
        let booth_id = self.config().booth.id.clone();
        let now = self.clock().now();
        let c = self
            .queue()
            .call(move |s| s.record_complaint(draft, &booth_id, now))
            .await?;
        self.transmitter.wake();
        Ok(c)
    }

    /// Prints the citizen's ticket for `c`.
    pub async fn print_ticket(&self, who: &Staff, c: &Complaint) -> Result<(), ComplaintError> {
        allow(who, Action::Complaints)?;
        let cfg = self.config();
        let doc = ticket::document(
            c,
            &cfg.booth.office,
            &cfg.complaints.phone,
            cfg.booth.time_zone,
        );
        Ok(self.print_receipt_doc(doc).await?)
    }

    /// Where the complaint with this ticket stands: still queued here, or the desk's answer.
    pub async fn complaint_status(
        &self,
        who: &Staff,
        ticket: TicketNo,
    ) -> Result<ComplaintStatus, ComplaintError> {
        allow(who, Action::Complaints)?;
        let key = ticket.as_str().to_string();
        let local = self.queue().call(move |s| s.complaint(&key)).await?;
        if local.as_ref().is_some_and(|c| !c.delivered) {
            return Ok(ComplaintStatus::StillHere);
        }
        match self.booth.desk.status(&ticket).await {
            Ok(reply) => Ok(ComplaintStatus::AtDesk(Box::new(reply))),
            Err(DeskClientError::NotFound(_)) => Ok(ComplaintStatus::Unknown),
            Err(e) => Err(ComplaintError::Desk(e.to_string())),
        }
    }
}
