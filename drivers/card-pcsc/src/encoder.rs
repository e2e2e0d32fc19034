//! `PcscEncoder`: a [`CardEncoder`] over a PC/SC reader through `pcscd` (the `pcsc` crate).

use crate::atr::{hex, Atr};
use ktpel_hal::{
    CardEncoder, CardInfo, Check, Device, DeviceError, DeviceInfo, DeviceKind, DeviceResult,
    ErrorKind, SelfTestReport,
};
use pcsc::{Attribute, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How the encoder holds the card while connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Share {
    /// No other application may talk to the card while the booth holds it (the default).
    /// Personalising is a sequence of SELECT / CREATE / UPDATE that relies on the card's
    /// *current file*: another application's SELECT in between would send our UPDATE BINARY
    /// to the wrong file. Exclusive access rules that out for the whole session.
    #[default]
    Exclusive,
    /// Other applications may connect too (for diagnosis next to a running booth only).
    Shared,
}

/// Whether to use extended-length APDUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExtendedLength {
    /// Use them when the card, the reader and the whole path take them (see the crate docs).
    #[default]
    Auto,
    /// Short APDUs only (for a reader whose driver mishandles extended ones).
    Never,
}

/// Which reader and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PcscConfig {
    /// The reader's PC/SC name (as `pcsc_scan` or the self-test lists it); `None` takes the
    /// first reader pcscd offers.
    pub reader: Option<String>,
    pub share: Share,
    pub extended_length: ExtendedLength,
}

/// How long, after a failed exchange, to wait for the reader to report the card gone before
/// calling the card mute instead.
const REMOVAL_GRACE: Duration = Duration::from_millis(1500);

/// An extended SELECT MF: answers 9000 only when the reader, the driver and the card all pass
/// extended Lc.
const EXTENDED_PROBE: [u8; 9] = [0x00, 0xA4, 0x00, 0x0C, 0x00, 0x00, 0x02, 0x3F, 0x00];

type SharedContext = Arc<Mutex<Option<Context>>>;

/// Stops a [`PcscEncoder::wait_card`] running on another thread. Cheap to clone.
#[derive(Clone)]
pub struct CancelHandle {
    context: SharedContext,
    requested: Arc<AtomicBool>,
}

impl std::fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelHandle")
            .field("requested", &self.requested.load(Ordering::SeqCst))
            .finish()
    }
}

impl CancelHandle {
    /// Makes the current (or, if none is running, the next) `wait_card` return at once with
    /// an error saying it was cancelled.
    pub fn cancel(&self) {
        self.requested.store(true, Ordering::SeqCst);
        let context = self
            .context
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(context) = context {
            if let Err(e) = context.cancel() {
                tracing::debug!(error = %e, "SCardCancel failed");
            }
        }
    }
}

struct Connected {
    card: pcsc::Card,
    info: CardInfo,
    reader: CString,
}

/// A PC/SC reader used as the booth's chip encoder.
pub struct PcscEncoder {
    config: PcscConfig,
    context: SharedContext,
    cancel_requested: Arc<AtomicBool>,
    connected: Option<Connected>,
    /// The last reader used (for `info`).
    last_reader: Option<String>,
    receive: Vec<u8>,
}

impl std::fmt::Debug for PcscEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscEncoder")
            .field("config", &self.config)
            .field(
                "connected",
                &self.connected.as_ref().map(|c| &c.info.reader),
            )
            .finish()
    }
}

impl PcscEncoder {
    /// An encoder for the configured reader. Nothing is contacted until the first call, so
    /// the booth starts even when pcscd is not running yet.
    pub fn new(config: PcscConfig) -> Self {
        Self {
            config,
            context: SharedContext::default(),
            cancel_requested: Arc::new(AtomicBool::new(false)),
            connected: None,
            last_reader: None,
            receive: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        }
    }

    /// The handle that cancels a `wait_card` from another thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle {
            context: Arc::clone(&self.context),
            requested: Arc::clone(&self.cancel_requested),
        }
    }

    /// The readers pcscd offers now.
    pub fn readers(&mut self) -> DeviceResult<Vec<String>> {
        let _span = tracing::debug_span!("pcsc", op = "readers").entered();
        let ctx = self.ctx()?;
        list_readers(&ctx)
    }

    /// The connected card, if any.
    pub fn card_info(&self) -> Option<&CardInfo> {
        self.connected.as_ref().map(|c| &c.info)
    }

    /// The current PC/SC context, established (again) when there is none or pcscd restarted.
    fn ctx(&mut self) -> DeviceResult<Context> {
        let mut slot = self.context.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(ctx) = slot.as_ref() {
            if ctx.is_valid().is_ok() {
                return Ok(ctx.clone());
            }
            tracing::debug!("PC/SC context no longer valid; establishing a new one");
        }
        let ctx = Context::establish(Scope::User).map_err(|e| map_error(e, "connect to pcscd"))?;
        *slot = Some(ctx.clone());
        Ok(ctx)
    }

    /// The configured reader, or the first one.
    fn resolve_reader(&self, ctx: &Context) -> DeviceResult<CString> {
        let readers = list_readers(ctx)?;
        let name = match &self.config.reader {
            Some(wanted) => readers
                .iter()
                .find(|r| *r == wanted)
                .cloned()
                .ok_or_else(|| {
                    DeviceError::not_present(format!(
                        "PC/SC reader \"{wanted}\" not found; pcscd offers: {}",
                        if readers.is_empty() {
                            "no reader".to_string()
                        } else {
                            readers.join(", ")
                        }
                    ))
                })?,
            None => readers
                .first()
                .cloned()
                .ok_or_else(|| DeviceError::not_present("no PC/SC reader attached"))?,
        };
        CString::new(name).map_err(|_| DeviceError::bad_data("reader name holds a NUL byte"))
    }

    fn take_cancel(&self) -> bool {
        self.cancel_requested.swap(false, Ordering::SeqCst)
    }

    /// Connects to the card in `reader` (T=1 preferred, T=0 otherwise), resets it so the MF
    /// is current and no security state is left from someone else, and identifies it.
    fn connect(&mut self, ctx: &Context, reader: &CStr) -> Result<CardInfo, pcsc::Error> {
        let share = match self.config.share {
            Share::Exclusive => ShareMode::Exclusive,
            Share::Shared => ShareMode::Shared,
        };
        let mut card = match ctx.connect(reader, share, Protocols::T1) {
            Err(pcsc::Error::ProtoMismatch) => ctx.connect(reader, share, Protocols::T0)?,
            other => other?,
        };
        let protocols = Protocols::T0 | Protocols::T1;
        card.reconnect(share, protocols, Disposition::ResetCard)?;
        let status = card.status2_owned()?;
        let atr = status.atr().to_vec();
        let protocol = status.protocol2();
        let parsed = Atr::parse(&atr);
        let reader_name = reader.to_string_lossy().into_owned();
        let (extended, max_command_data, max_response_data) =
            self.extended_length(&card, parsed.as_ref().ok());
        tracing::info!(
            reader = %reader_name,
            atr = %hex(&atr),
            ?protocol,
            extended,
            max_command_data,
            "card connected"
        );
        if let Err(e) = &parsed {
            tracing::warn!(error = %e, "the card's ATR does not parse");
        }
        let info = CardInfo {
            atr,
            reader: reader_name.clone(),
            extended_length: extended,
            max_command_data,
            max_response_data,
        };
        self.last_reader = Some(reader_name);
        self.connected = Some(Connected {
            card,
            info: info.clone(),
            reader: reader.to_owned(),
        });
        Ok(info)
    }

    /// Whether extended APDUs work end to end, and the data lengths to use.
    ///
    /// 1. The card's own word first: when the ATR's card capabilities say "no extended Lc/Le",
    ///    short it is (some cards misbehave when sent one).
    /// 2. The reader's word: `SCARD_ATTR_MAXINPUT`, where the driver reports it (CCID does),
    ///    caps the command size; a reader whose maximum is a short APDU means short.
    /// 3. Then it is tried: an extended SELECT MF must answer 9000. Capabilities in the ATR
    ///    are optional and drivers may not report MAXINPUT (vpcd does not), so only the probe
    ///    proves that the reader, its driver, pcscd and the card all pass extended Lc.
    fn extended_length(&mut self, card: &pcsc::Card, atr: Option<&Atr>) -> (bool, usize, usize) {
        let short = (
            false,
            CardInfo::SHORT_MAX_COMMAND_DATA,
            CardInfo::SHORT_MAX_RESPONSE_DATA,
        );
        if self.config.extended_length == ExtendedLength::Never {
            return short;
        }
        if atr.and_then(|a| a.extended_length) == Some(false) {
            tracing::debug!("the ATR says: short APDUs only");
            return short;
        }
        let mut max_command = CardInfo::EXTENDED_MAX_COMMAND_DATA;
        if let Ok(raw) = card.get_attribute_owned(Attribute::Maxinput) {
            if let Ok(bytes) = <[u8; 4]>::try_from(raw.as_slice()) {
                let max_input = u32::from_le_bytes(bytes) as usize;
                tracing::debug!(max_input, "reader's maximum APDU size");
                // Header (4) + extended Lc (3) + Le (2).
                match max_input.checked_sub(9) {
                    Some(n) if n > CardInfo::SHORT_MAX_COMMAND_DATA => {
                        max_command = max_command.min(n)
                    }
                    _ => return short,
                }
            }
        }
        let max_response =
            CardInfo::EXTENDED_MAX_RESPONSE_DATA.min(self.receive.len().saturating_sub(2));
        match card.transmit(&EXTENDED_PROBE, &mut self.receive) {
            Ok([.., 0x90, 0x00]) => (true, max_command, max_response),
            Ok(r) => {
                tracing::debug!(
                    sw = %hex(&r[r.len().saturating_sub(2)..]),
                    "extended SELECT refused: short APDUs"
                );
                short
            }
            Err(e) => {
                tracing::debug!(error = %e, "extended SELECT failed: short APDUs");
                short
            }
        }
    }

    /// Why an exchange failed: waits briefly for the reader to report the card gone (a tear)
    /// before calling it mute.
    fn classify_failed_exchange(&mut self, error: &str) -> DeviceError {
        let Some(connected) = self.connected.as_ref() else {
            return DeviceError::disconnected(format!("no card connected ({error})"));
        };
        let reader = connected.reader.clone();
        let removed = match connected.card.status2_owned() {
            Err(pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard) => true,
            Ok(status) if !status.status().contains(pcsc::Status::PRESENT) => true,
            _ => self
                .ctx()
                .is_ok_and(|ctx| wait_for_removal(&ctx, &reader, REMOVAL_GRACE).unwrap_or(false)),
        };
        if removed {
            DeviceError::disconnected(format!(
                "the card left the reader during the command ({error})"
            ))
        } else {
            DeviceError::timeout(format!(
                "the card did not answer the command (mute or badly placed): {error}"
            ))
        }
    }

    fn drop_connection(&mut self) {
        if let Some(c) = self.connected.take() {
            // The card may be gone already: nothing to tell it.
            let _ = c.card.disconnect(Disposition::LeaveCard);
        }
    }
}

impl Drop for PcscEncoder {
    /// Disconnects without a reset (the `pcsc` crate's own drop resets; see `release`).
    fn drop(&mut self) {
        self.drop_connection();
    }
}

/// Waits up to `grace` for `reader` to report no card or another insertion; `Ok(true)` if
/// it did.
fn wait_for_removal(ctx: &Context, reader: &CStr, grace: Duration) -> Result<bool, pcsc::Error> {
    let mut states = [ReaderState::new(reader.to_owned(), State::UNAWARE)];
    // The first call answers at once with the reader's state and insertion count.
    ctx.get_status_change(Duration::ZERO, &mut states)?;
    let first_count = states[0].event_count();
    let deadline = Instant::now() + grace;
    loop {
        let ev = states[0].event_state();
        if !ev.contains(State::PRESENT) || states[0].event_count() != first_count {
            return Ok(true);
        }
        states[0].sync_current_state();
        match ctx.get_status_change(
            deadline.saturating_duration_since(Instant::now()),
            &mut states,
        ) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
}

fn list_readers(ctx: &Context) -> DeviceResult<Vec<String>> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_error(e, "list readers")),
    }
}

/// Maps a PC/SC error to the hal's kinds with a message a technician can act on.
pub fn map_error(error: pcsc::Error, doing: &str) -> DeviceError {
    use pcsc::Error as E;
    let kind = match error {
        E::NoService | E::ServiceStopped => {
            return DeviceError::not_present(format!(
                "pcscd is not running (cannot {doing}: {error}); start the PC/SC service"
            ))
        }
        E::NoReadersAvailable => {
            return DeviceError::not_present(format!("no PC/SC reader attached ({error})"))
        }
        E::UnknownReader | E::ReaderUnavailable => {
            return DeviceError::disconnected(format!(
                "the card reader went away (cannot {doing}: {error})"
            ))
        }
        E::NoSmartcard => return DeviceError::not_present("no card in the reader"),
        E::RemovedCard => {
            return DeviceError::disconnected(format!(
                "the card was removed from the reader (cannot {doing})"
            ))
        }
        E::ResetCard => {
            return DeviceError::disconnected(format!(
                "the card was reset by another application; its state is lost (cannot {doing})"
            ))
        }
        E::Timeout => ErrorKind::Timeout,
        E::UnresponsiveCard | E::UnpoweredCard | E::InvalidAtr => {
            return DeviceError::bad_data(format!(
                "the card does not answer to reset (mute, upside down or not a chip card): {error}"
            ))
        }
        E::UnsupportedCard | E::CardUnsupported | E::ProtoMismatch => ErrorKind::BadData,
        E::SharingViolation => {
            return DeviceError::busy(format!(
                "another application is using the card or reader (cannot {doing})"
            ))
        }
        E::ServerTooBusy | E::NotReady => ErrorKind::Busy,
        E::Cancelled | E::SystemCancelled => {
            return DeviceError::other(format!("cancelled (while trying to {doing})"))
        }
        E::CommError | E::NotTransacted | E::CommDataLost => ErrorKind::Disconnected,
        E::InsufficientBuffer => ErrorKind::BadData,
        _ => ErrorKind::Other,
    };
    DeviceError::new(kind, format!("cannot {doing}: {error}"))
}

impl Device for PcscEncoder {
    fn info(&self) -> DeviceInfo {
        let reader = self
            .connected
            .as_ref()
            .map(|c| c.info.reader.clone())
            .or_else(|| self.last_reader.clone())
            .or_else(|| self.config.reader.clone())
            .unwrap_or_else(|| "first PC/SC reader".into());
        DeviceInfo {
            kind: DeviceKind::CardEncoder,
            driver: "pcsc".into(),
            model: format!("PC/SC reader \"{reader}\""),
            serial: String::new(),
            firmware: String::new(),
        }
    }

    /// pcscd answers (else `Err`), the readers it offers, whether the configured one is
    /// there, and whether a card is in it (with its ATR).
    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span = tracing::info_span!("pcsc", op = "self_test").entered();
        let ctx = self.ctx()?;
        let mut checks = vec![Check::new("pcscd", true, "pcscd answers")];
        let readers = list_readers(&ctx)?;
        checks.push(Check::new(
            "readers",
            !readers.is_empty(),
            if readers.is_empty() {
                "no PC/SC reader attached".to_string()
            } else {
                format!("{} reader(s): {}", readers.len(), readers.join(", "))
            },
        ));
        let reader = match self.resolve_reader(&ctx) {
            Ok(r) => r,
            Err(e) => {
                checks.push(Check::failed("reader", e.kind, e.message));
                return Ok(SelfTestReport {
                    device: self.info(),
                    checks,
                });
            }
        };
        let name = reader.to_string_lossy().into_owned();
        checks.push(Check::new("reader", true, format!("using \"{name}\"")));
        if let Some(info) = self.card_info() {
            checks.push(Check::new(
                "card",
                true,
                format!(
                    "connected, ATR {}, {}",
                    hex(&info.atr),
                    if info.extended_length {
                        format!(
                            "extended APDUs ({} bytes per command)",
                            info.max_command_data
                        )
                    } else {
                        "short APDUs".into()
                    }
                ),
            ));
        } else {
            let mut states = [ReaderState::new(reader, State::UNAWARE)];
            match ctx.get_status_change(Duration::ZERO, &mut states) {
                Ok(()) => {
                    let ev = states[0].event_state();
                    let atr = states[0].atr();
                    let check = if ev.contains(State::MUTE) {
                        Check::failed(
                            "card",
                            ErrorKind::BadData,
                            "a card is in the reader but does not answer to reset",
                        )
                    } else if ev.contains(State::PRESENT) {
                        let caps =
                            Atr::parse(atr).map_or_else(|e| e.to_string(), |a| a.to_string());
                        Check::new(
                            "card",
                            true,
                            format!("card present, ATR {} ({caps})", hex(atr)),
                        )
                    } else {
                        Check::new("card", true, "reader answers; no card in the reader")
                    };
                    checks.push(check);
                }
                Err(e) => {
                    let e = map_error(e, "read the reader's state");
                    checks.push(Check::failed("card", e.kind, e.message));
                }
            }
        }
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl CardEncoder for PcscEncoder {
    /// Waits for a card with `SCardGetStatusChange` (events, no polling) and connects to it;
    /// answers at once when a card is already connected and still there. Cancellable through
    /// [`PcscEncoder::cancel_handle`].
    fn wait_card(&mut self, timeout: Duration) -> DeviceResult<CardInfo> {
        let _span = tracing::info_span!(
            "pcsc",
            op = "wait_card",
            timeout_ms = timeout.as_millis() as u64
        )
        .entered();
        if let Some(c) = &self.connected {
            match c.card.status2_owned() {
                Ok(s) if s.status().contains(pcsc::Status::PRESENT) => return Ok(c.info.clone()),
                _ => self.drop_connection(),
            }
        }
        let ctx = self.ctx()?;
        let reader = self.resolve_reader(&ctx)?;
        let name = reader.to_string_lossy().into_owned();
        let mut states = [ReaderState::new(reader.clone(), State::UNAWARE)];
        let deadline = Instant::now() + timeout;
        loop {
            if self.take_cancel() {
                return Err(DeviceError::other("waiting for a card was cancelled"));
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            match ctx.get_status_change(remaining, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => {
                    return Err(DeviceError::not_present(format!(
                        "no card in reader \"{name}\" after {} ms",
                        timeout.as_millis()
                    )))
                }
                Err(pcsc::Error::Cancelled) => {
                    self.take_cancel();
                    return Err(DeviceError::other("waiting for a card was cancelled"));
                }
                Err(e) => return Err(map_error(e, "wait for a card")),
            }
            let ev = states[0].event_state();
            if ev.intersects(State::UNKNOWN | State::UNAVAILABLE | State::IGNORE) {
                return Err(DeviceError::disconnected(format!(
                    "reader \"{name}\" went away"
                )));
            }
            if ev.contains(State::PRESENT) {
                if ev.contains(State::MUTE) {
                    return Err(DeviceError::bad_data(format!(
                        "the card in \"{name}\" does not answer to reset: turn it the right way round or use another card"
                    )));
                }
                match self.connect(&ctx, &reader) {
                    Ok(info) => return Ok(info),
                    // Pulled out again between the event and the connect: keep waiting.
                    Err(
                        pcsc::Error::RemovedCard
                        | pcsc::Error::NoSmartcard
                        | pcsc::Error::ResetCard,
                    ) => {
                        tracing::debug!("card left before we could connect")
                    }
                    Err(e) => return Err(map_error(e, "connect to the card")),
                }
            }
            states[0].sync_current_state();
            if remaining.is_zero() {
                return Err(DeviceError::not_present(format!(
                    "no card in reader \"{name}\""
                )));
            }
        }
    }

    fn transmit(&mut self, apdu: &[u8]) -> DeviceResult<Vec<u8>> {
        let _span = tracing::debug_span!(
            "pcsc",
            op = "transmit",
            ins = apdu.get(1).copied().unwrap_or(0),
            len = apdu.len()
        )
        .entered();
        let Some(connected) = self.connected.as_ref() else {
            return Err(DeviceError::not_present(
                "no card connected: call wait_card first",
            ));
        };
        let result = match connected.card.transmit(apdu, &mut self.receive) {
            // A response APDU always ends with SW1 SW2. Drivers report a card that left
            // mid-exchange this way too (vpcd answers "success" with no bytes).
            Ok(response) if response.len() >= 2 => Ok(response.to_vec()),
            Ok(response) => Err(format!("{}-byte answer", response.len())),
            Err(
                e @ (pcsc::Error::NotTransacted
                | pcsc::Error::CommError
                | pcsc::Error::UnresponsiveCard
                | pcsc::Error::CommDataLost),
            ) => Err(e.to_string()),
            Err(e) => {
                let error = map_error(e, "exchange an APDU");
                if error.kind == ErrorKind::Disconnected {
                    self.drop_connection();
                }
                return Err(error);
            }
        };
        match result {
            Ok(response) => {
                tracing::trace!(len = response.len(), "response");
                Ok(response)
            }
            Err(reason) => {
                let error = self.classify_failed_exchange(&reason);
                tracing::debug!(error = %error, "exchange failed");
                if error.kind == ErrorKind::Disconnected {
                    self.drop_connection();
                }
                Err(error)
            }
        }
    }

    /// Lets the card go. It is not reset here: [`wait_card`](Self::wait_card) resets a card
    /// when it connects, and resetting a card that was just pulled out leaves some reader
    /// drivers (vpcd) reporting the slot empty while missing the next insertion. A card already
    /// gone is not an error.
    fn release(&mut self) -> DeviceResult<()> {
        let _span = tracing::info_span!("pcsc", op = "release").entered();
        let Some(c) = self.connected.take() else {
            return Ok(());
        };
        match c.card.disconnect(Disposition::LeaveCard) {
            Ok(()) => Ok(()),
            Err((
                _,
                pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard | pcsc::Error::ResetCard,
            )) => Ok(()),
            Err((_, e)) => Err(map_error(e, "release the card")),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn pcsc_errors_map_to_what_the_technician_acts_on() {
        let cases = [
            (
                pcsc::Error::NoService,
                ErrorKind::NotPresent,
                "pcscd is not running",
            ),
            (
                pcsc::Error::ServiceStopped,
                ErrorKind::NotPresent,
                "pcscd is not running",
            ),
            (
                pcsc::Error::NoReadersAvailable,
                ErrorKind::NotPresent,
                "no PC/SC reader",
            ),
            (pcsc::Error::NoSmartcard, ErrorKind::NotPresent, "no card"),
            (pcsc::Error::RemovedCard, ErrorKind::Disconnected, "removed"),
            (
                pcsc::Error::ResetCard,
                ErrorKind::Disconnected,
                "reset by another",
            ),
            (
                pcsc::Error::ReaderUnavailable,
                ErrorKind::Disconnected,
                "reader went away",
            ),
            (
                pcsc::Error::SharingViolation,
                ErrorKind::Busy,
                "another application",
            ),
            (pcsc::Error::Timeout, ErrorKind::Timeout, "cannot wait"),
            (
                pcsc::Error::UnresponsiveCard,
                ErrorKind::BadData,
                "does not answer to reset",
            ),
            (pcsc::Error::Cancelled, ErrorKind::Other, "cancelled"),
        ];
        for (error, kind, words) in cases {
            let e = map_error(error, "wait for a card");
            assert_eq!(e.kind, kind, "{error:?}");
            assert!(e.message.contains(words), "{error:?}: {}", e.message);
        }
    }

    #[test]
    fn nothing_is_contacted_before_the_first_call_and_transmit_needs_a_card() {
        let mut enc = PcscEncoder::new(PcscConfig {
            reader: Some("Reader 00 00".into()),
            ..PcscConfig::default()
        });
        assert_eq!(enc.info().model, "PC/SC reader \"Reader 00 00\"");
        assert_eq!(enc.info().kind, DeviceKind::CardEncoder);
        let e = enc.transmit(&[0x00, 0xA4, 0x00, 0x0C]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotPresent);
        assert!(e.message.contains("wait_card"), "{}", e.message);
        assert!(enc.release().is_ok(), "nothing to release is fine");
    }

    #[test]
    fn a_cancel_before_the_wait_is_kept_for_it() {
        let enc = PcscEncoder::new(PcscConfig::default());
        let handle = enc.cancel_handle();
        handle.cancel();
        assert!(enc.take_cancel());
        assert!(!enc.take_cancel(), "used once");
    }
}
