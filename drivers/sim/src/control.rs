//! `SimControl`: the test's hand on one simulated device — who stands in front of it, which
//! faults its next calls meet, whether its cable is in, how slow it is — plus the device's
//! physical extras (the card in the reader, the paper in the printer, what was printed).

use crate::card::VirtualCard;
use ktpel_hal::{DeviceError, DeviceKind, DeviceResult, EncodedImage, ErrorKind, ReceiptDoc};
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// What the next device call meets. Each device call consumes one entry of the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// No fault for this call (lets a script fail the second call, not the first).
    Pass,
    /// The cable is pulled during this call: it fails with `Disconnected`, and so does every
    /// later call until [`SimControl::replug`].
    Unplugged,
    /// The device does not answer: `Timeout`.
    Timeout,
    /// The call takes this long and then succeeds.
    Slow(Duration),
    /// The call succeeds but the capture is degraded (noisy, blurred, quality 5–25).
    PoorQuality,
    /// The device is doing something else: `Busy`.
    Busy,
    /// The call fails with this kind (e.g. `NotPresent` for "no finger on the glass").
    Error(ErrorKind),
}

/// What a device call may go on with, handed out by [`SimControl::begin`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    /// The person in front of the device.
    pub subject: u64,
    /// The capture must be degraded.
    pub poor_quality: bool,
    /// How many calls this device answered before this one (seeds acquisition noise).
    pub index: u64,
}

/// A card printed by the simulated card printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedCard {
    pub job_id: String,
    /// The front as a PNG.
    pub front: EncodedImage,
}

#[derive(Debug, Default)]
pub(crate) struct CardSlot {
    pub card: Option<VirtualCard>,
    /// Bumped on every insertion so a connection to a previous card is recognised as stale.
    pub generation: u64,
    /// Feed a fresh blank card whenever the slot is empty (a printer with a card hopper).
    pub feeder: bool,
    pub ejected: Vec<VirtualCard>,
}

#[derive(Default)]
pub(crate) struct PrinterState {
    pub paper_out: bool,
    pub cover_open: bool,
    pub receipts: Vec<ReceiptDoc>,
    pub cards: Vec<PrintedCard>,
}

pub(crate) struct State {
    kind: DeviceKind,
    subject: u64,
    script: VecDeque<Fault>,
    unplugged: bool,
    latency: Option<Duration>,
    calls: u64,
    pub card: CardSlot,
    pub printer: PrinterState,
    /// What is held up to a camera instead of a face (a receipt's QR code).
    pub shown: Option<ktpel_hal::Frame>,
}

/// A cloneable handle on one simulated device; every clone controls the same device.
#[derive(Clone)]
pub struct SimControl {
    inner: Arc<Mutex<State>>,
}

// Receipts carry names: show counts only.
impl fmt::Debug for SimControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SimControl")
            .field("kind", &state.kind)
            .field("pending_faults", &state.script.len())
            .field("unplugged", &state.unplugged)
            .field("latency", &state.latency)
            .field("calls", &state.calls)
            .field("card", &state.card.card)
            .field("paper_out", &state.printer.paper_out)
            .field("receipts", &state.printer.receipts.len())
            .field("cards_printed", &state.printer.cards.len())
            .finish()
    }
}

impl SimControl {
    /// A control for a new device of `kind`: subject 0, no faults, plugged in, no latency.
    pub fn new(kind: DeviceKind) -> Self {
        Self {
            inner: Arc::new(Mutex::new(State {
                kind,
                subject: 0,
                script: VecDeque::new(),
                unplugged: false,
                latency: None,
                calls: 0,
                card: CardSlot::default(),
                printer: PrinterState::default(),
                shown: None,
            })),
        }
    }

    /// Holds `frame` up to the camera (its preview shows it instead of the face), or takes it
    /// away with `None`: how a test shows a receipt's QR code to the pickup screen.
    pub fn show_to_camera(&self, frame: Option<ktpel_hal::Frame>) {
        self.lock().shown = frame;
    }

    /// The state; a panic in another holder does not make the simulator unusable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn kind(&self) -> DeviceKind {
        self.lock().kind
    }

    /// Puts another person in front of the device; generated data depend on it.
    pub fn set_subject(&self, subject: u64) {
        self.lock().subject = subject;
    }

    pub fn subject(&self) -> u64 {
        self.lock().subject
    }

    /// Replaces the pending fault script: call *n* meets `faults[n]`, later calls none.
    pub fn script(&self, faults: Vec<Fault>) {
        self.lock().script = faults.into();
    }

    /// Appends one fault to the script.
    pub fn push_fault(&self, fault: Fault) {
        self.lock().script.push_back(fault);
    }

    /// How many scripted faults are still waiting.
    pub fn pending_faults(&self) -> usize {
        self.lock().script.len()
    }

    /// Pulls the cable: every call fails with `Disconnected` until [`replug`](Self::replug).
    pub fn unplug(&self) {
        self.lock().unplugged = true;
    }

    pub fn replug(&self) {
        self.lock().unplugged = false;
    }

    pub fn is_plugged(&self) -> bool {
        !self.lock().unplugged
    }

    /// A fixed delay added to every device call (`None` for none).
    pub fn set_latency(&self, latency: Option<Duration>) {
        self.lock().latency = latency;
    }

    /// How many device calls (successful or not) the device has seen.
    pub fn calls(&self) -> u64 {
        self.lock().calls
    }

    // --- the card slot (card encoders) ---

    /// Puts a card in the reader (replacing any card there). The card is powered up afresh:
    /// no current file, not torn; its scripted card faults stay.
    pub fn insert_card(&self, mut card: VirtualCard) {
        card.power_up();
        let mut state = self.lock();
        state.card.card = Some(card);
        state.card.generation += 1;
    }

    /// Takes the card out of the reader and hands it back.
    pub fn remove_card(&self) -> Option<VirtualCard> {
        let mut state = self.lock();
        let card = state.card.card.take();
        if card.is_some() {
            state.card.generation += 1;
        }
        card
    }

    /// Whether a card (torn or not) sits in the reader.
    pub fn has_card(&self) -> bool {
        self.lock().card.card.is_some()
    }

    /// Runs `f` on the card in the reader (to inspect it or script its faults).
    pub fn with_card<R>(&self, f: impl FnOnce(&mut VirtualCard) -> R) -> Option<R> {
        self.lock().card.card.as_mut().map(f)
    }

    /// With the feeder on, `wait_card` feeds a blank card when the reader is empty, and
    /// `release` ejects the card into [`ejected_cards`](Self::ejected_cards).
    pub fn set_card_feeder(&self, on: bool) {
        self.lock().card.feeder = on;
    }

    /// The cards the feeder ejected, oldest first.
    pub fn ejected_cards(&self) -> Vec<VirtualCard> {
        self.lock().card.ejected.clone()
    }

    // --- printers ---

    /// Empties (or refills) the paper roll / card hopper.
    pub fn set_paper_out(&self, out: bool) {
        self.lock().printer.paper_out = out;
    }

    pub fn set_cover_open(&self, open: bool) {
        self.lock().printer.cover_open = open;
    }

    /// Every receipt printed so far, oldest first.
    pub fn printed_receipts(&self) -> Vec<ReceiptDoc> {
        self.lock().printer.receipts.clone()
    }

    /// Every card printed so far, oldest first.
    pub fn printed_cards(&self) -> Vec<PrintedCard> {
        self.lock().printer.cards.clone()
    }

    /// Starts one device call: applies the unplugged state, the next scripted fault and the
    /// latency (sleeping outside the lock), and says what the call may go on with.
    pub(crate) fn begin(&self, op: &str) -> DeviceResult<Call> {
        let (call, delay) = {
            let mut state = self.lock();
            let index = state.calls;
            state.calls += 1;
            let name = state.kind.as_str();
            if state.unplugged {
                return Err(unplugged_error(name, op));
            }
            let fault = state.script.pop_front();
            let mut delay = state.latency.unwrap_or_default();
            let mut poor_quality = false;
            match fault {
                None | Some(Fault::Pass) => {}
                Some(Fault::Unplugged) => {
                    state.unplugged = true;
                    tracing::debug!(device = name, op, "simulated unplug");
                    return Err(unplugged_error(name, op));
                }
                Some(Fault::Timeout) => {
                    return Err(DeviceError::timeout(format!(
                        "sim {name}: no answer to {op} (simulated timeout)"
                    )));
                }
                Some(Fault::Busy) => {
                    return Err(DeviceError::busy(format!(
                        "sim {name}: busy, {op} refused (simulated); try again shortly"
                    )));
                }
                Some(Fault::Error(kind)) => {
                    return Err(DeviceError::new(
                        kind,
                        format!("sim {name}: {op} failed with a scripted {kind} fault"),
                    ));
                }
                Some(Fault::Slow(d)) => delay += d,
                Some(Fault::PoorQuality) => poor_quality = true,
            }
            let call = Call {
                subject: state.subject,
                poor_quality,
                index,
            };
            (call, delay)
        };
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        Ok(call)
    }
}

fn unplugged_error(name: &str, op: &str) -> DeviceError {
    DeviceError::disconnected(format!(
        "sim {name} is unplugged ({op} failed): plug the cable back in"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::time::Instant;

    #[test]
    fn each_fault_gives_its_kind() {
        let c = SimControl::new(DeviceKind::Camera);
        c.script(vec![
            Fault::Timeout,
            Fault::Busy,
            Fault::Pass,
            Fault::PoorQuality,
            Fault::Error(ErrorKind::NotPresent),
        ]);
        assert_eq!(c.begin("t").unwrap_err().kind, ErrorKind::Timeout);
        assert_eq!(c.begin("t").unwrap_err().kind, ErrorKind::Busy);
        assert!(!c.begin("t").unwrap().poor_quality);
        assert!(c.begin("t").unwrap().poor_quality);
        assert_eq!(c.begin("t").unwrap_err().kind, ErrorKind::NotPresent);
        assert!(!c.begin("t").unwrap().poor_quality);
        assert_eq!(c.calls(), 6);
    }

    #[test]
    fn unplug_persists_until_replug() {
        let c = SimControl::new(DeviceKind::IrisScanner);
        c.script(vec![Fault::Unplugged]);
        let e = c.begin("capture").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Disconnected);
        assert!(e.message.contains("unplugged"), "{}", e.message);
        for _ in 0..3 {
            assert_eq!(c.begin("x").unwrap_err().kind, ErrorKind::Disconnected);
        }
        assert!(!c.is_plugged());
        c.replug();
        assert!(c.begin("x").is_ok());
    }

    #[test]
    fn slow_and_latency_delay_the_call() {
        let c = SimControl::new(DeviceKind::Camera);
        c.set_latency(Some(Duration::from_millis(10)));
        c.script(vec![Fault::Slow(Duration::from_millis(30))]);
        let t = Instant::now();
        c.begin("x").unwrap();
        assert!(t.elapsed() >= Duration::from_millis(40));
    }

    #[test]
    fn clones_share_the_device() {
        let a = SimControl::new(DeviceKind::Camera);
        let b = a.clone();
        b.set_subject(42);
        assert_eq!(a.subject(), 42);
        assert_eq!(a.begin("x").unwrap().subject, 42);
    }
}
