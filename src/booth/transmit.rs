//! The background transmitter: sends recorded packets, asks for verdicts, and marks receipts due
//! when the verdict window closes. It retries with exponential back-off and jitter, never loses
//! or duplicates a packet (the packet id is the centre's idempotency key), and resumes after a
//! restart from whatever the queue says.
//!
//! Packets go up as tus 1.0.0 resumable uploads: created (the URL kept in the queue), then the
//! rest of the packet in one `PATCH` (a request per `[transmit] upload_request_kib` for larger
//! ones), each acknowledged offset kept in the queue. The centre keeps what reached it of a
//! request the link cut, so a cut (or a restart of the booth or of the centre) costs a `HEAD`
//! and the bytes that never arrived, not a chunk or the packet (docs/packet.md, section 7).

use bytes::Bytes;
use futures::stream::{self, StreamExt};
use jiff::Timestamp;
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tracing::Instrument as _;
use uuid::Uuid;

use crate::booth::centre_client::{CentreClient, CentreError};
use crate::clock::{add, Clock};
use crate::config::TransmitConfig;
use crate::queue::{Counts, Outgoing, Queue, QueueError};
use crate::wire::centre::{CentreStatus, VerdictEntry, MAX_VERDICT_QUERY};
use crate::wire::sod;
use ktpel_tus::client::TusError;

#[derive(Debug, Clone)]
pub struct Settings {
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub verdict_poll: Duration,
    /// How long a claimed packet is reserved for one send.
    pub lease: Duration,
    pub concurrency: usize,
}

impl From<&TransmitConfig> for Settings {
    fn from(c: &TransmitConfig) -> Self {
        Self {
            backoff_base: Duration::from_secs(c.backoff_base_secs),
            backoff_max: Duration::from_secs(c.backoff_max_secs),
            verdict_poll: Duration::from_secs(c.verdict_poll_secs),
            lease: Duration::from_secs(c.request_timeout_secs + 30),
            concurrency: c.concurrency,
        }
    }
}

/// Exponential back-off with "equal jitter": a delay in `[d/2, d]` where
/// `d = min(max, base · 2^(attempt))`, so many booths coming back at once do not stampede.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(20)).min(max);
    let half = exp / 2;
    let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
    half + Duration::from_millis(jitter)
}

/// What the transmitter has done, for the queue panel and for tests.
#[derive(Debug, Clone, Default)]
pub struct TransmitStatus {
    /// Completed passes.
    pub passes: u64,
    /// The clock reading at which the last completed pass started.
    pub last_pass_at: Option<Timestamp>,
    pub sent: u64,
    pub send_failures: u64,
    pub verdicts: u64,
    pub last_error: Option<String>,
    pub counts: Counts,
    /// When the transmitter next wakes by itself.
    pub next_wake: Option<Timestamp>,
    /// Upload payload bytes the centre acknowledged (bytes sent again after a cut count
    /// again).
    pub bytes_acknowledged: u64,
    /// The link's effective upload rate, bits per second, as last measured.
    pub link_rate_bps: Option<u64>,
    /// Exported packets the centre already held (carried on a drive): confirmed without an
    /// upload.
    pub already_held: u64,
}

/// An upload shorter than this says more about round trips than about the link's rate.
const RATE_SAMPLE_MIN: u64 = 16 * 1024;

pub struct Transmitter {
    queue: Queue,
    client: CentreClient,
    /// Complaints go to the office's desk through the same loop.
    desk: Option<crate::booth::desk_client::DeskClient>,
    clock: Clock,
    settings: Settings,
    /// The country signing CA chips must chain to.
    trusted_csca: ktpel_icao_lds::Certificate,
    wake: Arc<Notify>,
    status: watch::Sender<TransmitStatus>,
}

/// Controls a running transmitter. Dropping it stops the task.
pub struct TransmitterHandle {
    wake: Arc<Notify>,
    status: watch::Receiver<TransmitStatus>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TransmitterHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TransmitterHandle {
    /// Asks for a pass now (after a commit, or when a person presses "send now").
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn status(&self) -> watch::Receiver<TransmitStatus> {
        self.status.clone()
    }

    /// A clone of the wake signal, for code that commits records.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Wakes the transmitter and waits until a pass that started at `at` or later has finished.
    pub async fn pass_after(&self, at: Timestamp) -> TransmitStatus {
        let mut rx = self.status.clone();
        self.wake();
        loop {
            {
                let s = rx.borrow_and_update();
                if s.last_pass_at.is_some_and(|t| t >= at) {
                    return s.clone();
                }
            }
            if rx.changed().await.is_err() {
                return rx.borrow().clone();
            }
            // A pass that began before `at` may have swallowed the wake-up.
            self.wake();
        }
    }
}

impl Transmitter {
    pub fn new(
        queue: Queue,
        client: CentreClient,
        clock: Clock,
        settings: Settings,
        trusted_csca: ktpel_icao_lds::Certificate,
    ) -> Self {
        let (status, _) = watch::channel(TransmitStatus::default());
        Self {
            queue,
            client,
            desk: None,
            clock,
            settings,
            trusted_csca,
            wake: Arc::new(Notify::new()),
            status,
        }
    }

    /// Also delivers the complaints in the queue to `desk`.
    pub fn with_desk(mut self, desk: crate::booth::desk_client::DeskClient) -> Self {
        self.desk = Some(desk);
        self
    }

    pub fn spawn(self) -> TransmitterHandle {
        let wake = self.wake.clone();
        let status = self.status.subscribe();
        let task = tokio::spawn(self.run());
        TransmitterHandle { wake, status, task }
    }

    async fn run(self) {
        tracing::info!("transmitter started");
        loop {
            let now = self.clock.now();
            if let Err(e) = self.pass(now).await {
                tracing::error!(error = %e, "transmitter pass failed");
                self.status
                    .send_modify(|s| s.last_error = Some(format!("queue: {e}")));
            }
            let counts = self.queue.counts().await.unwrap_or_default();
            let next = match self.queue.call(|s| s.next_wake()).await {
                Ok(Some(t)) => t,
                // Nothing to do: look again in an hour or when woken.
                Ok(None) => add(now, Duration::from_secs(3600)),
                Err(_) => add(now, self.settings.backoff_max),
            };
            // Never spin: something due but not workable waits at least a moment.
            let next = next.max(add(now, Duration::from_millis(250)));
            self.status.send_modify(|s| {
                s.passes += 1;
                s.last_pass_at = Some(now);
                s.counts = counts;
                s.next_wake = Some(next);
            });
            tokio::select! {
                _ = self.clock.sleep_until(next) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    async fn pass(&self, now: Timestamp) -> Result<(), QueueError> {
        let due = self.queue.call(move |s| s.mark_receipts_due(now)).await?;
        for id in due {
            tracing::info!(packet = %id, "verdict window closed: receipt due");
        }
        self.send_due(now).await?;
        self.send_complaints(now).await?;
        self.poll_verdicts(now).await?;
        self.report_issued().await
    }

    /// Tells the centre of cards handed over, so its record of the NIK says issued and a
    /// second recording is caught at verification. Left for the next pass when it fails.
    async fn report_issued(&self) -> Result<(), QueueError> {
        let due = self.queue.call(|s| s.issue_reports_due(32)).await?;
        for (id, at) in due {
            match self.client.report_issued(id, at).await {
                Ok(()) => self.queue.call(move |s| s.issue_reported(id)).await?,
                Err(CentreError::Http { status: 404, .. }) => {
                    tracing::warn!(packet = %id, "the centre does not know this print-ready packet");
                    self.queue.call(move |s| s.issue_reported(id)).await?
                }
                Err(e) => {
                    tracing::info!(packet = %id, error = %e.class(), "issue not reported yet");
                    break;
                }
            }
        }
        Ok(())
    }

    /// Delivers due complaints to the desk; a failure backs off like a packet's.
    async fn send_complaints(&self, now: Timestamp) -> Result<(), QueueError> {
        let Some(desk) = &self.desk else {
            return Ok(());
        };
        let due = self.queue.call(move |s| s.due_complaints(now, 16)).await?;
        for complaint in due {
            let id = complaint.id;
            let span = tracing::info_span!("transmit.complaint", complaint = %id);
            let result = desk.submit(&complaint).instrument(span).await;
            let at = self.clock.now();
            match result {
                Ok(_) => {
                    self.queue
                        .call(move |s| s.mark_complaint_delivered(id, at))
                        .await?;
                }
                Err(e) => {
                    let attempts = self.queue.call(move |s| s.complaint_attempts(id)).await?;
                    let retry_at = add(
                        at,
                        backoff(
                            attempts,
                            self.settings.backoff_base,
                            self.settings.backoff_max,
                        ),
                    );
                    let msg = format!("desk {}: {e}", e.class());
                    tracing::warn!(complaint = %id, error = %e.class(), "complaint not delivered");
                    self.status
                        .send_modify(|s| s.last_error = Some(msg.clone()));
                    self.queue
                        .call(move |s| s.mark_complaint_failed(id, &msg, retry_at))
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn send_due(&self, now: Timestamp) -> Result<(), QueueError> {
        let lease = self.settings.lease;
        let batch = self.settings.concurrency * 4;
        loop {
            let claimed = self
                .queue
                .call(move |s| s.claim_sendable(now, lease, batch))
                .await?;
            if claimed.is_empty() {
                return Ok(());
            }
            let claimed = self.skip_held(claimed).await?;
            if claimed.is_empty() {
                continue;
            }
            let acked_before = self.status.borrow().bytes_acknowledged;
            let batch_started = std::time::Instant::now();
            let results: Vec<(Uuid, u32, Result<(), CentreError>)> = stream::iter(claimed)
                .map(|out| {
                    let span = tracing::info_span!(
                        "transmit.upload",
                        packet = %out.packet_id,
                        size = out.envelope.len()
                    );
                    let (id, attempts) = (out.packet_id, out.attempts);
                    async move { (id, attempts, self.upload(out).await) }.instrument(span)
                })
                .buffer_unordered(self.settings.concurrency)
                .collect()
                .await;
            let acked = self.status.borrow().bytes_acknowledged - acked_before;
            self.measure_rate(acked, batch_started.elapsed()).await;
            for (id, attempts, result) in results {
                let at = self.clock.now();
                match result {
                    Ok(()) => {
                        let first_poll = add(at, self.settings.verdict_poll);
                        match self
                            .queue
                            .call(move |s| s.mark_received(id, at, first_poll))
                            .await
                        {
                            Ok(()) => self.status.send_modify(|s| s.sent += 1),
                            // Another send of the same packet was confirmed first (a lease
                            // that ran out mid-request): the centre holds it once either way.
                            Err(QueueError::NotInState { .. }) => {
                                tracing::debug!(packet = %id, "already confirmed");
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    Err(e) => {
                        let retry_at = add(
                            at,
                            backoff(
                                attempts,
                                self.settings.backoff_base,
                                self.settings.backoff_max,
                            ),
                        );
                        tracing::warn!(packet = %id, attempts, error = %e.class(), "send failed");
                        let msg = format!("{}: {e}", e.class());
                        self.status.send_modify(|s| {
                            s.send_failures += 1;
                            s.last_error = Some(msg.clone());
                        });
                        self.queue
                            .call(move |s| s.mark_failed(id, &msg, retry_at))
                            .await?;
                    }
                }
            }
        }
    }

    /// Of `claimed`, the packets that were written to a removable drive may have reached the
    /// centre by hand: asks the centre which it holds and confirms those without uploading
    /// them, as a finished upload would. Answers the rest. When the centre cannot say, all are
    /// uploaded: its ingest is idempotent by packet id, so a wrong guess costs bytes, never a
    /// duplicate.
    async fn skip_held(&self, claimed: Vec<Outgoing>) -> Result<Vec<Outgoing>, QueueError> {
        let exported: Vec<Uuid> = claimed
            .iter()
            .filter(|o| o.exported)
            .map(|o| o.packet_id)
            .collect();
        if exported.is_empty() {
            return Ok(claimed);
        }
        let mut held = std::collections::HashSet::new();
        for ids in exported.chunks(MAX_VERDICT_QUERY) {
            let span = tracing::info_span!("transmit.held", count = ids.len());
            match self.client.verdicts(ids).instrument(span).await {
                Ok(entries) => held.extend(
                    entries
                        .into_iter()
                        .filter(|e| e.status != CentreStatus::Unknown)
                        .map(|e| e.packet_id),
                ),
                Err(e) => {
                    tracing::warn!(error = %e.class(), "cannot ask which exported packets the centre holds: uploading them");
                    return Ok(claimed);
                }
            }
        }
        let mut rest = Vec::with_capacity(claimed.len());
        for out in claimed {
            if !held.contains(&out.packet_id) {
                rest.push(out);
                continue;
            }
            let id = out.packet_id;
            let at = self.clock.now();
            let first_poll = add(at, self.settings.verdict_poll);
            match self
                .queue
                .call(move |s| s.mark_received_because(id, at, first_poll, "held_at_centre"))
                .await
            {
                Ok(()) => {
                    tracing::info!(packet = %id, "the centre holds it already (hand-carried): not uploaded");
                    self.status.send_modify(|s| s.already_held += 1);
                }
                Err(QueueError::NotInState { .. }) => {
                    tracing::debug!(packet = %id, "already confirmed");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(rest)
    }

    /// Uploads one packet with tus: creates the upload (or finds where an earlier one stands),
    /// then sends what the centre does not hold, in as few requests as the request size allows
    /// (usually one), keeping each acknowledged offset in the queue. `Ok` only once the centre has acknowledged the last byte, which it
    /// does only after ingesting the whole packet.
    async fn upload(&self, out: Outgoing) -> Result<(), CentreError> {
        let id = out.packet_id;
        let data = Bytes::from(out.envelope);
        let length = data.len() as u64;
        let located = match &out.upload_url {
            Some(url) => match self.client.upload_progress(url).await {
                Ok(p) => {
                    if p.length.is_some_and(|l| l != length) {
                        return Err(CentreError::Upload(TusError::LengthMismatch {
                            server: p.length,
                            local: length,
                        }));
                    }
                    Some((url.clone(), p.offset))
                }
                Err(CentreError::Upload(TusError::Gone(status))) => {
                    tracing::warn!(packet = %id, status, "the centre forgot the upload: creating it again");
                    if let Err(e) = self.queue.call(move |s| s.upload_forgotten(id)).await {
                        tracing::warn!(packet = %id, error = %e, "cannot forget the upload URL");
                    }
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let (url, mut offset) = match located {
            Some(found) => found,
            None => {
                let created = self.client.create_upload(id, &data).await?;
                let offset = match created.offset {
                    Some(o) => o,
                    None => self.client.upload_progress(&created.url).await?.offset,
                };
                let url = created.url.clone();
                // Not fatal when it fails: creation is idempotent by packet id, so the next
                // attempt finds the same upload again.
                if let Err(e) = self
                    .queue
                    .call(move |s| s.upload_created(id, &url, offset))
                    .await
                {
                    tracing::warn!(packet = %id, error = %e, "cannot keep the upload URL");
                }
                (created.url, offset)
            }
        };
        if offset > length {
            return Err(CentreError::Upload(TusError::OffsetBeyondSent {
                acknowledged: offset,
                sent: length,
            }));
        }
        if offset < out.upload_offset {
            tracing::warn!(
                packet = %id,
                centre = offset,
                acknowledged = out.upload_offset,
                "the centre holds less than it acknowledged: sending from its offset"
            );
        }
        tracing::info!(packet = %id, offset, length, "upload from offset");
        let link_rate = self.status.borrow().link_rate_bps;
        let chunk = self.client.upload_request_size(link_rate) as u64;
        let started = std::time::Instant::now();
        let from = offset;
        while offset < length {
            let end = (offset + chunk).min(length);
            let acknowledged = self
                .client
                .upload_chunk(&url, offset, data.slice(offset as usize..end as usize))
                .await?;
            if acknowledged <= offset {
                return Err(CentreError::Upload(TusError::Garbage(format!(
                    "PATCH at {offset} acknowledged {acknowledged}"
                ))));
            }
            let gained = acknowledged - offset;
            offset = acknowledged;
            self.status.send_modify(|s| s.bytes_acknowledged += gained);
            if let Err(e) = self
                .queue
                .call(move |s| s.upload_acked(id, acknowledged))
                .await
            {
                tracing::warn!(packet = %id, error = %e, "cannot keep the acknowledged offset");
            }
        }
        tracing::info!(packet = %id, from, length, took_ms = started.elapsed().as_millis() as u64, "upload complete");
        Ok(())
    }

    /// Folds one batch's effective rate (all its uploads together, round trips included) into
    /// the link's: half old, half new.
    async fn measure_rate(&self, bytes: u64, took: Duration) {
        if bytes < RATE_SAMPLE_MIN || took.is_zero() {
            return;
        }
        let sample = (bytes as u128 * 8 * 1_000_000 / took.as_micros().max(1)) as u64;
        let mut rate = sample;
        self.status.send_modify(|s| {
            rate = match s.link_rate_bps {
                Some(old) => (old + sample) / 2,
                None => sample,
            };
            s.link_rate_bps = Some(rate);
        });
        let at = self.clock.now();
        if let Err(e) = self.queue.call(move |s| s.set_link_rate(rate, at)).await {
            tracing::warn!(error = %e, "cannot keep the link rate");
        }
        tracing::info!(bits_per_s = rate, sample, "link rate measured");
    }

    async fn poll_verdicts(&self, now: Timestamp) -> Result<(), QueueError> {
        let ids = self
            .queue
            .call(move |s| s.verdict_due(now, MAX_VERDICT_QUERY))
            .await?;
        if ids.is_empty() {
            return Ok(());
        }
        let span = tracing::info_span!("transmit.verdicts", count = ids.len());
        match self.client.verdicts(&ids).instrument(span).await {
            Ok(entries) => {
                let answered: Vec<Uuid> = entries.iter().map(|e| e.packet_id).collect();
                for entry in entries {
                    self.apply(entry).await?;
                }
                // A packet the centre left out of its answer is asked again later.
                for id in ids.into_iter().filter(|id| !answered.contains(id)) {
                    self.poll_failed(id, "the centre's answer left this packet out")
                        .await?;
                }
            }
            Err(e) => {
                let msg = format!("{}: {e}", e.class());
                tracing::warn!(error = %e.class(), "verdict query failed");
                self.status
                    .send_modify(|s| s.last_error = Some(msg.clone()));
                for id in ids {
                    self.poll_failed(id, &msg).await?;
                }
            }
        }
        Ok(())
    }

    async fn poll_failed(&self, id: Uuid, msg: &str) -> Result<(), QueueError> {
        let row = self.queue.get(id).await?;
        let attempts = row.map(|r| r.attempts).unwrap_or(0);
        let retry_at = add(
            self.clock.now(),
            backoff(
                attempts,
                self.settings.verdict_poll,
                self.settings.backoff_max.max(self.settings.verdict_poll),
            ),
        );
        let msg = msg.to_string();
        self.queue
            .call(move |s| s.mark_failed(id, &msg, retry_at))
            .await?;
        Ok(())
    }

    async fn apply(&self, entry: VerdictEntry) -> Result<(), QueueError> {
        let id = entry.packet_id;
        let now = self.clock.now();
        match entry.status {
            CentreStatus::Processing => {
                let next = add(now, self.settings.verdict_poll);
                self.queue.call(move |s| s.poll_again(id, next)).await
            }
            CentreStatus::Unknown => {
                self.poll_failed(id, "the centre does not know this packet")
                    .await
            }
            status => {
                if status == CentreStatus::PrintReady {
                    let Some(p) = entry.personalization.as_ref() else {
                        return self
                            .poll_failed(id, "print ready came without the card's data")
                            .await;
                    };
                    let now = std::time::SystemTime::from(self.clock.now());
                    if let Err(e) = sod::verify(&p.sod, &self.trusted_csca, now, &p.data_groups) {
                        tracing::error!(packet = %id, error = %e, "security object refused");
                        return self.poll_failed(id, &format!("bad_sod: {e}")).await;
                    }
                }
                let detail = entry.code.clone();
                let personalization = entry.personalization.clone();
                let state = self
                    .queue
                    .call(move |s| {
                        s.apply_verdict(
                            id,
                            status,
                            detail.as_deref(),
                            personalization.as_ref(),
                            now,
                        )
                    })
                    .await?;
                tracing::info!(packet = %id, verdict = %state, "verdict");
                self.status.send_modify(|s| s.verdicts += 1);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters_within_bounds() {
        let base = Duration::from_secs(2);
        let max = Duration::from_secs(300);
        for attempt in 0..40 {
            let exp = (base * (1u32 << attempt.min(20))).min(max);
            for _ in 0..50 {
                let d = backoff(attempt, base, max);
                assert!(
                    d >= exp / 2 && d <= exp,
                    "attempt {attempt}: {d:?} vs {exp:?}"
                );
            }
        }
        // Jitter really varies.
        let samples: std::collections::HashSet<_> =
            (0..50).map(|_| backoff(8, base, max)).collect();
        assert!(samples.len() > 10);
    }
}
