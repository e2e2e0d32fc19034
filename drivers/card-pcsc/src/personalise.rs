//! The reader-independent personaliser: puts a set of transparent EFs on a card through any
//! [`CardEncoder`], reads them all back, and reads files off a card.
//!
//! # How a card's state is told (the two markers)
//!
//! The personaliser keeps two empty one-byte EFs of its own next to the caller's files:
//!
//! - [`BEGIN_MARKER_FID`] is created **first**, before any other file. Its CREATE FILE doubles
//!   as the probe: `9000` means no personalisation by this booth ever started on this card;
//!   `6A89` (file exists) means one did.
//! - [`COMMIT_MARKER_FID`] is created **last**, after every file was written *and* read back
//!   equal. Its presence means "personalised".
//!
//! So: no begin marker → blank (for us); begin marker without commit marker → *partially
//! written by us* (a torn, cancelled, failed or unverified attempt), which the next attempt
//! overwrites on its own; both markers → personalised, which only
//! [`WriteOptions::reissue`] overwrites. A card that already holds one of the files to write
//! but has no begin marker was written by someone else: it is refused
//! ([`ChipError::ForeignCard`]) and the marker just created is taken off again, leaving it as it
//! was. Overwriting deletes every file to write plus [`WriteOptions::clear_fids`] (so a torn
//! card of another applicant keeps none of their files), and deletes the commit marker
//! first, so that a re-issue torn half-way is itself just a partial card.
//!
//! The markers cost two APDUs per card (and 66 bytes of an 8 KB EEPROM with the virtual
//! card's 32-byte per-file overhead).
//!
//! # Locking (life cycle)
//!
//! Every file, markers included, is created with compact security attributes
//! ([`apdu::READ_ONLY_ATTRIBUTES`]: READ always; UPDATE, WRITE, DELETE never). While the
//! application is in its initialisation state the card does not enforce them, so a torn or
//! failed attempt is overwritten by the next one. Once every file is written and read back and
//! the commit marker is on, ACTIVATE FILE puts the LDS1 application in its operational state;
//! from then on the card refuses every UPDATE, CREATE and DELETE (6982), and the personaliser
//! proves it: it selects the first file and sends an UPDATE BINARY of its first byte (the
//! same value), which must be refused ([`ChipError::NotLocked`] otherwise). A card found locked
//! is spent ([`ChipError::CardLocked`]): not even a re-issue can write it.
//!
//! # APDUs
//!
//! SELECT of the LDS1 application by AID. Writing: per file one CREATE FILE (which makes the
//! new EF current, so no SELECT) and `⌈size / Lc max⌉` UPDATE BINARY. Verifying: per file one
//! SELECT and `⌈size / Le max⌉` READ BINARY. Locking: ACTIVATE, then a SELECT and the refused
//! UPDATE BINARY. That is the minimum this crate reports ([`min_apdus`]); the markers add two. The lengths come from [`CardInfo`] (extended when both the reader and
//! the card take it) and may be lowered with [`WriteOptions`].
//!
//! Precondition: a reset card. [`crate::PcscEncoder`] resets the card when it connects; the
//! simulated encoder's card is powered up afresh on insertion.

use crate::apdu::{self, sw, Apdu, Response};
use crate::error::ChipError;
use ktpel_hal::{CardEncoder, CardInfo, ErrorKind};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The EF whose existence says "a personalisation by this booth started on this card".
pub const BEGIN_MARKER_FID: u16 = 0x4B01;
/// The EF whose existence says "a personalisation by this booth completed and was verified".
pub const COMMIT_MARKER_FID: u16 = 0x4B02;
/// Size of each marker EF (their content is not used).
const MARKER_SIZE: u16 = 1;

/// The largest file this writer handles: the last byte must be addressable by P1 P2.
pub const MAX_FILE_SIZE: usize = apdu::MAX_OFFSET + 1;

/// File identifiers that can never be written as data files.
fn reserved(fid: u16) -> bool {
    matches!(
        fid,
        0x3F00 | 0x3FFF | 0xFFFF | BEGIN_MARKER_FID | COMMIT_MARKER_FID
    )
}

/// A flag another thread sets to stop the work before the next APDU.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the work to stop before its next APDU.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Clears the flag for the next piece of work.
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// How to write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Overwrite a card that already carries a complete personalisation (a deliberate
    /// re-issue). A partial personalisation by this booth is overwritten without it.
    pub reissue: bool,
    /// Further files to delete when overwriting a partial or personalised card, besides the
    /// files being written: give every file identifier the profile may ever write, so no file
    /// of a previous applicant survives.
    pub clear_fids: Vec<u16>,
    /// Lowers the command data length below what [`CardInfo`] allows (reader quirks).
    pub max_command_data: Option<usize>,
    /// Lowers the response data length below what [`CardInfo`] allows.
    pub max_response_data: Option<usize>,
    /// Checked before every APDU.
    pub cancel: Option<CancelFlag>,
}

/// What the personaliser is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Checking the card's state, clearing an old or partial personalisation.
    Preparing,
    /// Writing the files.
    Writing,
    /// Reading them back.
    Verifying,
    /// Everything written and verified; the card is marked personalised.
    Done,
}

/// A progress report, sent after every APDU that moves file data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    /// Bytes written (phase `Writing`) or read back (phase `Verifying`) so far.
    pub done: usize,
    /// Bytes to write (and to read back).
    pub total: usize,
    /// The file being worked on.
    pub fid: Option<u16>,
}

impl Progress {
    /// Progress over the whole job, 0.0 to 1.0 (writing is the first half, verifying the
    /// second).
    pub fn fraction(&self) -> f32 {
        let part = if self.total == 0 {
            1.0
        } else {
            self.done as f32 / self.total as f32
        };
        match self.phase {
            Phase::Preparing => 0.0,
            Phase::Writing => part * 0.5,
            Phase::Verifying => 0.5 + part * 0.5,
            Phase::Done => 1.0,
        }
    }
}

/// What the card held before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardState {
    /// No personalisation by this booth ever started on it.
    Blank,
    /// A personalisation by this booth started and did not complete (torn, cancelled,
    /// failed): the next write overwrites it.
    Partial,
    /// A complete, verified personalisation by this booth.
    Personalised,
}

/// The APDU lengths used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Data bytes per UPDATE BINARY.
    pub max_command_data: usize,
    /// Data bytes per READ BINARY.
    pub max_response_data: usize,
}

impl Limits {
    /// Short APDUs: 255 bytes per command, 256 per response.
    pub const SHORT: Limits = Limits {
        max_command_data: apdu::SHORT_MAX_LC,
        max_response_data: apdu::SHORT_MAX_LE,
    };

    /// What the card in this reader takes, lowered by the options.
    pub fn for_card(info: &CardInfo, options: &WriteOptions) -> Limits {
        let (c_max, r_max) = if info.extended_length {
            (apdu::EXTENDED_MAX_LC, apdu::EXTENDED_MAX_LE)
        } else {
            (apdu::SHORT_MAX_LC, apdu::SHORT_MAX_LE)
        };
        // 0 means the encoder did not say: the protocol's maximum.
        let pick = |given: usize, max: usize, lowered: Option<usize>| {
            let n = if given == 0 { max } else { given.min(max) };
            lowered.map_or(n, |l| n.min(l)).max(1)
        };
        Limits {
            max_command_data: pick(info.max_command_data, c_max, options.max_command_data),
            max_response_data: pick(info.max_response_data, r_max, options.max_response_data),
        }
    }

    /// Whether any APDU will use extended length.
    pub fn extended(&self) -> bool {
        self.max_command_data > apdu::SHORT_MAX_LC || self.max_response_data > apdu::SHORT_MAX_LE
    }
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// The card's state before this write.
    pub previous: CardState,
    pub files: usize,
    /// File bytes written (and read back).
    pub bytes: usize,
    /// Every APDU sent (GET RESPONSE and Le corrections included).
    pub apdus: usize,
    /// APDUs spent writing (CREATE FILE + UPDATE BINARY of the files).
    pub write_apdus: usize,
    /// APDUs spent reading back (SELECT + READ BINARY).
    pub verify_apdus: usize,
    /// APDUs spent closing personalisation and proving the card refuses writes (ACTIVATE,
    /// SELECT, the refused UPDATE BINARY).
    pub lock_apdus: usize,
    /// The fewest APDUs that write and verify these files with these limits ([`min_apdus`]).
    pub min_apdus: usize,
    pub limits: Limits,
    pub elapsed: Duration,
}

impl WriteReport {
    /// APDUs beyond the minimum, in percent of it.
    pub fn overhead_percent(&self) -> f64 {
        if self.min_apdus == 0 {
            return 0.0;
        }
        (self.apdus as f64 - self.min_apdus as f64) * 100.0 / self.min_apdus as f64
    }
}

/// APDUs every personalisation needs besides the files': SELECT of the application,
/// ACTIVATE, and the SELECT and UPDATE BINARY that prove writes are refused (after ACTIVATE no
/// EF can be assumed current).
pub const FIXED_MIN_APDUS: usize = 4;

/// The fewest APDUs that select the application, create, write, select and read back files
/// of these sizes, and lock the card and prove it: per file 1 CREATE FILE + ⌈size / Lc⌉ UPDATE
/// BINARY + 1 SELECT + ⌈size / Le⌉ READ BINARY, plus [`FIXED_MIN_APDUS`].
pub fn min_apdus(sizes: impl IntoIterator<Item = usize>, limits: Limits) -> usize {
    FIXED_MIN_APDUS
        + sizes
            .into_iter()
            .map(|s| {
                2 + s.div_ceil(limits.max_command_data.max(1))
                    + s.div_ceil(limits.max_response_data.max(1))
            })
            .sum::<usize>()
}

/// Selects the LDS1 application.
fn select_application(ch: &mut Channel<'_>) -> Result<(), ChipError> {
    let r = ch.exchange(&apdu::select_lds1(), "selecting the LDS1 application")?;
    if !r.is_ok() {
        return Err(ChipError::NoApplication { sw: r.sw });
    }
    Ok(())
}

/// The encoder plus the APDU count and the cancel check.
struct Channel<'a> {
    enc: &'a mut dyn CardEncoder,
    cancel: Option<&'a CancelFlag>,
    apdus: usize,
}

/// How many GET RESPONSE rounds one command may need before the card is deemed broken.
const MAX_GET_RESPONSE: usize = 300;

impl<'a> Channel<'a> {
    fn new(enc: &'a mut dyn CardEncoder, cancel: Option<&'a CancelFlag>) -> Self {
        Self {
            enc,
            cancel,
            apdus: 0,
        }
    }

    fn send(&mut self, apdu: &Apdu, step: &'static str) -> Result<Response, ChipError> {
        if self.cancel.is_some_and(CancelFlag::is_cancelled) {
            return Err(ChipError::Cancelled);
        }
        let raw = self.enc.transmit(apdu.as_bytes()).map_err(|e| {
            if e.kind == ErrorKind::Disconnected {
                ChipError::CardRemoved {
                    during: step,
                    source: e,
                }
            } else {
                ChipError::Device(e)
            }
        })?;
        self.apdus += 1;
        Response::parse(&raw).ok_or_else(|| ChipError::BadResponse {
            step,
            detail: format!("{} bytes, no status word", raw.len()),
        })
    }

    /// Sends one command, following 61xx (GET RESPONSE) and 6Cxx (resend with that Le).
    fn exchange(&mut self, apdu: &Apdu, step: &'static str) -> Result<Response, ChipError> {
        let mut response = self.send(apdu, step)?;
        if response.sw1() == sw::SW1_WRONG_LE {
            if let Some(again) = apdu::with_le(apdu, response.sw2()) {
                response = self.send(&again, step)?;
            }
        }
        let mut data = Vec::new();
        let mut rounds = 0;
        while response.sw1() == sw::SW1_BYTES_AVAILABLE {
            rounds += 1;
            if rounds > MAX_GET_RESPONSE {
                return Err(ChipError::BadResponse {
                    step,
                    detail: "the card keeps answering 61xx".into(),
                });
            }
            data.append(&mut response.data);
            response = self.send(&apdu::get_response(response.sw2()), step)?;
        }
        if !data.is_empty() {
            data.append(&mut response.data);
            response.data = data;
        }
        Ok(response)
    }
}

/// Checks the files and returns nothing but errors.
fn validate(files: &[(u16, Vec<u8>)]) -> Result<(), ChipError> {
    let mut seen = BTreeSet::new();
    for (fid, data) in files {
        if reserved(*fid) {
            return Err(ChipError::InvalidFiles(format!(
                "file identifier {fid:04X} is reserved"
            )));
        }
        if !seen.insert(*fid) {
            return Err(ChipError::InvalidFiles(format!(
                "file {fid:04X} is given twice"
            )));
        }
        if data.len() > MAX_FILE_SIZE {
            return Err(ChipError::InvalidFiles(format!(
                "file {fid:04X} has {} bytes, more than the {MAX_FILE_SIZE} READ/UPDATE BINARY can address",
                data.len()
            )));
        }
    }
    Ok(())
}

/// Writes `files` (file identifier, content) to the card `info` describes, reads them all
/// back and compares them byte for byte, then marks the card personalised. See the module
/// docs for how blank, partial, personalised and foreign cards are told apart.
///
/// `progress` is called after every APDU that moves file data. Errors leave the card at worst
/// *partial*: encoding it again succeeds without [`WriteOptions::reissue`].
pub fn write_files(
    enc: &mut dyn CardEncoder,
    info: &CardInfo,
    files: &[(u16, Vec<u8>)],
    options: &WriteOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<WriteReport, ChipError> {
    validate(files)?;
    let limits = Limits::for_card(info, options);
    let total: usize = files.iter().map(|(_, d)| d.len()).sum();
    let _span = tracing::info_span!(
        "chip_write",
        reader = %info.reader,
        files = files.len(),
        bytes = total,
        lc = limits.max_command_data,
        le = limits.max_response_data,
        reissue = options.reissue,
    )
    .entered();
    let started = Instant::now();
    let mut report = |phase, done, fid| {
        progress(Progress {
            phase,
            done,
            total,
            fid,
        })
    };
    report(Phase::Preparing, 0, None);
    let mut ch = Channel::new(enc, options.cancel.as_ref());

    select_application(&mut ch)?;
    let previous = begin(&mut ch, options)?;
    tracing::info!(?previous, "card state");
    if previous != CardState::Blank {
        let fids: BTreeSet<u16> = files
            .iter()
            .map(|(fid, _)| *fid)
            .chain(options.clear_fids.iter().copied())
            .filter(|fid| !reserved(*fid))
            .collect();
        clear(&mut ch, &fids)?;
    }
    let before_write = ch.apdus;

    // Write.
    let mut done = 0;
    let mut created = Vec::new();
    for (fid, data) in files {
        let fid = *fid;
        let size = u16::try_from(data.len()).unwrap_or(u16::MAX);
        let r = ch.exchange(&apdu::create_read_only_file(fid, size), "create")?;
        match r.sw {
            sw::OK => created.push(fid),
            sw::FILE_EXISTS if previous == CardState::Blank => {
                undo(&mut ch, &created);
                return Err(ChipError::ForeignCard { fid });
            }
            sw::NOT_ENOUGH_MEMORY => {
                return Err(ChipError::CardFull {
                    fid,
                    size: data.len(),
                })
            }
            sw => {
                return Err(ChipError::Status {
                    step: "create",
                    fid,
                    sw,
                })
            }
        }
        tracing::debug!(
            fid = format!("{fid:04X}"),
            size = data.len(),
            "file created"
        );
        for (i, chunk) in data.chunks(limits.max_command_data).enumerate() {
            let offset = i * limits.max_command_data;
            let r = ch.exchange(&apdu::update_binary(offset as u16, chunk), "writing")?;
            if r.sw == sw::NOT_ENOUGH_MEMORY {
                return Err(ChipError::CardFull {
                    fid,
                    size: data.len(),
                });
            }
            if !r.is_ok() {
                return Err(ChipError::Status {
                    step: "writing",
                    fid,
                    sw: r.sw,
                });
            }
            done += chunk.len();
            report(Phase::Writing, done, Some(fid));
        }
    }
    let write_apdus = ch.apdus - before_write;

    // Verify.
    let before_verify = ch.apdus;
    let mut checked = 0;
    for (fid, data) in files {
        let fid = *fid;
        let r = ch.exchange(&apdu::select(fid), "verifying")?;
        if !r.is_ok() {
            return Err(ChipError::Status {
                step: "select for verification",
                fid,
                sw: r.sw,
            });
        }
        let mut offset = 0;
        while offset < data.len() {
            let want = (data.len() - offset).min(limits.max_response_data);
            let r = ch.exchange(&apdu::read_binary(offset as u16, want), "verifying")?;
            if !matches!(r.sw, sw::OK | sw::END_OF_FILE) {
                return Err(ChipError::Status {
                    step: "read back",
                    fid,
                    sw: r.sw,
                });
            }
            let expected = &data[offset..offset + want];
            let got = r.data.get(..want.min(r.data.len())).unwrap_or(&[]);
            if let Some(i) = expected.iter().zip(got).position(|(a, b)| a != b) {
                return Err(ChipError::VerifyMismatch {
                    fid,
                    offset: offset + i,
                });
            }
            if got.is_empty() || r.data.len() > want {
                // The file ends early, or the card sent more than asked for.
                return Err(ChipError::VerifyMismatch {
                    fid,
                    offset: offset + got.len(),
                });
            }
            offset += got.len();
            checked += got.len();
            report(Phase::Verifying, checked, Some(fid));
        }
    }
    let verify_apdus = ch.apdus - before_verify;

    // Commit.
    let r = ch.exchange(
        &apdu::create_read_only_file(COMMIT_MARKER_FID, MARKER_SIZE),
        "marking the card personalised",
    )?;
    match r.sw {
        sw::OK => {}
        sw::NOT_ENOUGH_MEMORY => {
            return Err(ChipError::CardFull {
                fid: COMMIT_MARKER_FID,
                size: usize::from(MARKER_SIZE),
            })
        }
        sw => {
            return Err(ChipError::Status {
                step: "mark personalised",
                fid: COMMIT_MARKER_FID,
                sw,
            })
        }
    }
    let lock_apdus = lock(&mut ch, files)?;
    report(Phase::Done, total, None);
    let result = WriteReport {
        previous,
        files: files.len(),
        bytes: total,
        apdus: ch.apdus,
        write_apdus,
        verify_apdus,
        lock_apdus,
        min_apdus: min_apdus(files.iter().map(|(_, d)| d.len()), limits),
        limits,
        elapsed: started.elapsed(),
    };
    tracing::info!(
        apdus = result.apdus,
        min_apdus = result.min_apdus,
        ms = result.elapsed.as_millis() as u64,
        "card personalised, verified and locked"
    );
    Ok(result)
}

/// Closes personalisation (ACTIVATE) and proves the card now refuses an UPDATE BINARY of the
/// first file (the same byte again, so a card that wrongly accepts it is left unchanged).
/// Returns the APDUs spent.
fn lock(ch: &mut Channel<'_>, files: &[(u16, Vec<u8>)]) -> Result<usize, ChipError> {
    let before = ch.apdus;
    let r = ch.exchange(&apdu::activate_lds1(), "closing personalisation")?;
    if !r.is_ok() {
        return Err(ChipError::Unsupported {
            step: "activate the LDS1 application",
            sw: r.sw,
        });
    }
    let (fid, byte) = files
        .iter()
        .find_map(|(fid, d)| d.first().map(|b| (*fid, *b)))
        .unwrap_or((COMMIT_MARKER_FID, 0));
    let r = ch.exchange(&apdu::select(fid), "checking the lock")?;
    if !r.is_ok() {
        return Err(ChipError::Status {
            step: "select for the lock check",
            fid,
            sw: r.sw,
        });
    }
    let r = ch.exchange(&apdu::update_binary(0, &[byte]), "checking the lock")?;
    if r.sw != sw::SECURITY_NOT_SATISFIED {
        return Err(ChipError::NotLocked { sw: r.sw });
    }
    tracing::info!("card locked: UPDATE BINARY refused with 6982");
    Ok(ch.apdus - before)
}

/// Creates the begin marker, or finds out what the earlier personalisation left; refuses a
/// personalised card unless re-issuing (and then un-marks it first).
fn begin(ch: &mut Channel<'_>, options: &WriteOptions) -> Result<CardState, ChipError> {
    const STEP: &str = "create the personalisation marker";
    let r = ch.exchange(
        &apdu::create_read_only_file(BEGIN_MARKER_FID, MARKER_SIZE),
        "preparing the card",
    )?;
    match r.sw {
        sw::OK => return Ok(CardState::Blank),
        sw::FILE_EXISTS => {}
        sw::SECURITY_NOT_SATISFIED => return Err(ChipError::CardLocked),
        sw::NOT_ENOUGH_MEMORY => {
            return Err(ChipError::CardFull {
                fid: BEGIN_MARKER_FID,
                size: usize::from(MARKER_SIZE),
            })
        }
        sw => return Err(ChipError::Unsupported { step: STEP, sw }),
    }
    match ch
        .exchange(&apdu::select(COMMIT_MARKER_FID), "preparing the card")?
        .sw
    {
        sw::FILE_NOT_FOUND => Ok(CardState::Partial),
        sw::OK if !options.reissue => Err(ChipError::AlreadyPersonalised),
        sw::OK => {
            // Un-mark first: a re-issue torn from here on is a partial card.
            let r = ch.exchange(&apdu::delete_file(COMMIT_MARKER_FID), "preparing the card")?;
            if !r.is_ok() {
                return Err(ChipError::Unsupported {
                    step: "delete the old personalisation",
                    sw: r.sw,
                });
            }
            Ok(CardState::Personalised)
        }
        sw => Err(ChipError::Status {
            step: "look for the completion marker",
            fid: COMMIT_MARKER_FID,
            sw,
        }),
    }
}

/// Deletes the files of an earlier personalisation (those that exist).
fn clear(ch: &mut Channel<'_>, fids: &BTreeSet<u16>) -> Result<(), ChipError> {
    for &fid in fids {
        let r = ch.exchange(&apdu::delete_file(fid), "clearing the old personalisation")?;
        match r.sw {
            sw::OK => tracing::debug!(fid = format!("{fid:04X}"), "old file deleted"),
            sw::FILE_NOT_FOUND => {}
            sw => {
                return Err(ChipError::Status {
                    step: "delete the old file",
                    fid,
                    sw,
                })
            }
        }
    }
    Ok(())
}

/// Takes off what this attempt put on a foreign card (best effort: the error reported is
/// that the card is foreign).
fn undo(ch: &mut Channel<'_>, created: &[u16]) {
    for &fid in created.iter().rev().chain([BEGIN_MARKER_FID].iter()) {
        match ch.exchange(&apdu::delete_file(fid), "undoing") {
            Ok(r) if r.is_ok() => {}
            Ok(r) => tracing::warn!(
                fid = format!("{fid:04X}"),
                sw = format!("{:04X}", r.sw),
                "could not delete"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "could not undo the changes to a foreign card");
                return;
            }
        }
    }
}

/// Whether this booth personalised the card (reads the markers only, changes nothing).
pub fn card_state(enc: &mut dyn CardEncoder) -> Result<CardState, ChipError> {
    let _span = tracing::info_span!("chip_state").entered();
    let mut ch = Channel::new(enc, None);
    select_application(&mut ch)?;
    match ch
        .exchange(&apdu::select(BEGIN_MARKER_FID), "reading the card")?
        .sw
    {
        sw::OK => {}
        sw::FILE_NOT_FOUND => return Ok(CardState::Blank),
        sw => {
            return Err(ChipError::Unsupported {
                step: "select files",
                sw,
            })
        }
    }
    match ch
        .exchange(&apdu::select(COMMIT_MARKER_FID), "reading the card")?
        .sw
    {
        sw::OK => Ok(CardState::Personalised),
        sw::FILE_NOT_FOUND => Ok(CardState::Partial),
        sw => Err(ChipError::Status {
            step: "select",
            fid: COMMIT_MARKER_FID,
            sw,
        }),
    }
}

/// Reads the listed files off the card, whole, in the order given. Sizes come from the FCP
/// when the card answers one; otherwise the file is read until the card says it ended (6282,
/// a short answer, or 6B00 past the end).
pub fn read_files(
    enc: &mut dyn CardEncoder,
    info: &CardInfo,
    fids: &[u16],
) -> Result<Vec<(u16, Vec<u8>)>, ChipError> {
    let limits = Limits::for_card(info, &WriteOptions::default());
    let _span = tracing::info_span!(
        "chip_read",
        reader = %info.reader,
        files = fids.len(),
        le = limits.max_response_data
    )
    .entered();
    let mut ch = Channel::new(enc, None);
    select_application(&mut ch)?;
    let mut out = Vec::with_capacity(fids.len());
    for &fid in fids {
        let data = read_file(&mut ch, fid, limits)?;
        tracing::debug!(fid = format!("{fid:04X}"), size = data.len(), "file read");
        out.push((fid, data));
    }
    tracing::info!(apdus = ch.apdus, "files read");
    Ok(out)
}

/// The size a file's FCP claims, refused beyond [`MAX_FILE_SIZE`] (the most READ BINARY can
/// address) before anything is allocated for it: the FCP's size field may say up to 4 GB.
fn claimed_size(fid: u16, fcp: &[u8]) -> Result<Option<usize>, ChipError> {
    match apdu::fcp_file_size(fcp) {
        Some(size) if size > MAX_FILE_SIZE => Err(ChipError::BadResponse {
            step: "select",
            detail: format!(
                "file {fid:04X} claims {size} bytes; at most {MAX_FILE_SIZE} can be read"
            ),
        }),
        size => Ok(size),
    }
}

fn read_file(ch: &mut Channel<'_>, fid: u16, limits: Limits) -> Result<Vec<u8>, ChipError> {
    let r = ch.exchange(&apdu::select_fcp(fid), "reading")?;
    let size = match r.sw {
        sw::OK => claimed_size(fid, &r.data)?,
        sw::FILE_NOT_FOUND => return Err(ChipError::FileNotFound { fid }),
        // A card that answers no FCP: select plainly and read to the end.
        sw::WRONG_P1P2 | sw::WRONG_LENGTH | 0x6A81 => {
            let r = ch.exchange(&apdu::select(fid), "reading")?;
            match r.sw {
                sw::OK => None,
                sw::FILE_NOT_FOUND => return Err(ChipError::FileNotFound { fid }),
                sw => {
                    return Err(ChipError::Status {
                        step: "select",
                        fid,
                        sw,
                    })
                }
            }
        }
        sw => {
            return Err(ChipError::Status {
                step: "select",
                fid,
                sw,
            })
        }
    };
    let mut data = Vec::with_capacity(size.unwrap_or(0));
    loop {
        let offset = data.len();
        let want = match size {
            Some(size) if offset >= size => break,
            Some(size) => (size - offset).min(limits.max_response_data),
            None => limits.max_response_data,
        };
        if offset > apdu::MAX_OFFSET {
            break;
        }
        let r = ch.exchange(&apdu::read_binary(offset as u16, want), "reading")?;
        match r.sw {
            sw::OK | sw::END_OF_FILE => {}
            // Past the end of a file whose size we guessed.
            sw::WRONG_OFFSET if size.is_none() && offset > 0 => break,
            sw => {
                return Err(ChipError::Status {
                    step: "read",
                    fid,
                    sw,
                })
            }
        }
        let got = r.data.len().min(want);
        data.extend_from_slice(&r.data[..got]);
        if r.sw == sw::END_OF_FILE || got == 0 || (size.is_none() && got < want) {
            break;
        }
    }
    if let Some(size) = size {
        if data.len() < size {
            return Err(ChipError::BadResponse {
                step: "read",
                detail: format!(
                    "file {fid:04X} ended after {} of its {size} bytes",
                    data.len()
                ),
            });
        }
    }
    Ok(data)
}

#[cfg(test)]
mod tests;
