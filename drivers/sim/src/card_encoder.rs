//! `SimCardEncoder`: a PC/SC-like contact reader holding a [`VirtualCard`] (inserted and
//! removed through its [`SimControl`]), passing APDUs to it.

use crate::card::{is_extended, CardReply, VirtualCard, MF};
use crate::control::SimControl;
use crate::device::{self, check, step};
use crate::printer::{keep_last, KEPT_CARDS};
use ktpel_hal::{
    CardEncoder, CardInfo, Device, DeviceError, DeviceInfo, DeviceKind, DeviceResult, ErrorKind,
    SelfTestReport,
};
use std::time::{Duration, Instant};

/// How often `wait_card` looks at the slot.
const POLL: Duration = Duration::from_millis(5);

/// A simulated card reader/encoder.
#[derive(Debug)]
pub struct SimCardEncoder {
    seed: u64,
    control: SimControl,
    extended_length: bool,
    /// The slot generation of the card we are connected to.
    connected: Option<u64>,
}

impl SimCardEncoder {
    /// An empty reader; `extended_length` says whether the reader passes extended APDUs.
    pub fn new(seed: u64, extended_length: bool) -> Self {
        Self {
            seed,
            control: SimControl::new(DeviceKind::CardEncoder),
            extended_length,
            connected: None,
        }
    }

    /// The handle that inserts cards and scripts faults.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    fn reader_name(&self) -> String {
        format!("Sim PC/SC Reader {}", self.info().serial)
    }

    /// Connects to the card in the slot if there is a usable one (feeding one when the
    /// feeder is on).
    fn try_connect(&mut self) -> Option<CardInfo> {
        let reader = self.reader_name();
        let mut state = self.control.lock();
        let slot = &mut state.card;
        let usable = slot.card.as_ref().is_some_and(|c| !c.is_torn());
        if !usable && slot.feeder {
            if let Some(torn) = slot.card.take() {
                keep_last(&mut slot.ejected, torn, KEPT_CARDS);
            }
            let mut card = VirtualCard::new();
            card.power_up();
            slot.card = Some(card);
            slot.generation += 1;
        }
        let card = slot.card.as_ref().filter(|c| !c.is_torn())?;
        let extended_length = self.extended_length && card.supports_extended_length();
        let info = CardInfo {
            atr: card.atr(),
            reader,
            extended_length,
            max_command_data: if extended_length {
                CardInfo::EXTENDED_MAX_COMMAND_DATA
            } else {
                CardInfo::SHORT_MAX_COMMAND_DATA
            },
            max_response_data: if extended_length {
                CardInfo::EXTENDED_MAX_RESPONSE_DATA
            } else {
                CardInfo::SHORT_MAX_RESPONSE_DATA
            },
        };
        self.connected = Some(slot.generation);
        Some(info)
    }
}

impl Device for SimCardEncoder {
    fn info(&self) -> DeviceInfo {
        device::info(
            DeviceKind::CardEncoder,
            if self.extended_length {
                "Sim PC/SC contact reader (extended APDU)"
            } else {
                "Sim PC/SC contact reader (short APDU)"
            },
            self.seed,
        )
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("sim_device", device = "card_encoder", op = "self_test").entered();
        let before = self.connected;
        let mut checks = vec![];
        match self.wait_card(Duration::ZERO) {
            Ok(info) => {
                checks.push(check(
                    "reader",
                    true,
                    format!("card present, ATR {} bytes", info.atr.len()),
                ));
                let [hi, lo] = MF.to_be_bytes();
                let select = self.transmit(&[0x00, 0xA4, 0x00, 0x0C, 0x02, hi, lo]);
                checks.extend(step("select MF", select, |r| {
                    let sw = status_word(&r);
                    let shown = sw.map_or_else(|| "missing".to_string(), |sw| format!("{sw:04X}"));
                    vec![check(
                        "select MF",
                        sw == Some(0x9000),
                        format!("SW {shown}"),
                    )]
                })?);
            }
            Err(e) if e.kind == ErrorKind::NotPresent => {
                checks.push(check(
                    "reader",
                    true,
                    "reader answers; no card in the reader",
                ));
            }
            Err(e) if e.kind == ErrorKind::Disconnected => return Err(e),
            Err(e) => checks.push(check("reader", false, e.to_string())),
        }
        self.connected = before;
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl CardEncoder for SimCardEncoder {
    fn wait_card(&mut self, timeout: Duration) -> DeviceResult<CardInfo> {
        let _span =
            tracing::debug_span!("sim_device", device = "card_encoder", op = "wait_card").entered();
        self.control.begin("wait_card")?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(info) = self.try_connect() {
                tracing::debug!(extended = info.extended_length, "card connected");
                return Ok(info);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(DeviceError::not_present(format!(
                    "no card in the reader after {} ms",
                    timeout.as_millis()
                )));
            }
            std::thread::sleep(POLL.min(deadline - now));
        }
    }

    fn transmit(&mut self, apdu: &[u8]) -> DeviceResult<Vec<u8>> {
        let _span = tracing::debug_span!(
            "sim_device",
            device = "card_encoder",
            op = "transmit",
            len = apdu.len()
        )
        .entered();
        self.control.begin("transmit")?;
        if is_extended(apdu) && !self.extended_length {
            return Err(DeviceError::other(
                "the reader passes short APDUs only (extended length not supported)",
            ));
        }
        let connected = self
            .connected
            .ok_or_else(|| DeviceError::not_present("no card connected: call wait_card first"))?;
        let mut state = self.control.lock();
        if state.card.generation != connected {
            drop(state);
            self.connected = None;
            return Err(DeviceError::disconnected(
                "the card was removed from the reader",
            ));
        }
        let card = state
            .card
            .card
            .as_mut()
            .ok_or_else(|| DeviceError::disconnected("the card was removed from the reader"))?;
        match card.exchange(apdu) {
            CardReply::Response(r) => {
                tracing::debug!(sw = ?status_word(&r).map(|sw| format!("{sw:04X}")), "response");
                Ok(r)
            }
            CardReply::Mute => Err(DeviceError::timeout("the card did not answer")),
            CardReply::Torn => Err(DeviceError::disconnected(
                "the card left the reader during the command (torn)",
            )),
        }
    }

    fn release(&mut self) -> DeviceResult<()> {
        let _span =
            tracing::debug_span!("sim_device", device = "card_encoder", op = "release").entered();
        self.control.begin("release")?;
        self.connected = None;
        let mut state = self.control.lock();
        if state.card.feeder {
            if let Some(card) = state.card.card.take() {
                // Like the printer, the feeder's tray holds the last few cards, not a day's.
                keep_last(&mut state.card.ejected, card, KEPT_CARDS);
                state.card.generation += 1;
            }
        }
        Ok(())
    }
}

/// The SW1 SW2 at the end of a response APDU.
fn status_word(response: &[u8]) -> Option<u16> {
    match response {
        [.., sw1, sw2] => Some(u16::from_be_bytes([*sw1, *sw2])),
        _ => None,
    }
}
