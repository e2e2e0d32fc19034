//! SOP steps 6a, 7 and 9 for a print-ready record: the card face from the centre's bundle,
//! printing it, writing the chip and proving what was written, then the hand-over.
//!
//! Everything here blocks on devices and runs off the UI thread. A card pulled out, a full
//! card or a refused one leaves the record exactly as it was ("print ready", not issued), so
//! the operator can put a card in and try again.

use ktpel_card_pcsc::{write_files, CancelFlag, ChipError, Progress, WriteOptions, WriteReport};
use ktpel_hal::{CardEncoder, CardPrinter, DeviceError, EncodedImage};
use std::time::{Duration, SystemTime};

use crate::card::face::{self, CardFaceError, IssueInfo};
use crate::card::profile::{self, VerifyError, DG1, DG11, DG12, DG2, DG3, DG7, EF_COM, EF_SOD};
use crate::wire::centre::Personalization;
use crate::wire::sod;

/// How long the encoder waits for a blank card to be put in.
pub const CARD_WAIT: Duration = Duration::from_secs(30);

/// Every file the profile may write: cleared from a torn card before a new write, so nothing
/// of a previous applicant stays on it.
pub const PROFILE_FIDS: [u16; 8] = [EF_COM, DG1, DG2, DG3, DG7, DG11, DG12, EF_SOD];

#[derive(Debug, Clone, thiserror::Error)]
pub enum IssueError {
    #[error("the centre's bundle is damaged: {0}")]
    Bundle(String),
    #[error("the card face cannot be drawn: {0}")]
    Face(String),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error(transparent)]
    Chip(#[from] ChipError),
    #[error("the chip was written but does not verify: {0}")]
    Verify(String),
    #[error(transparent)]
    NotYours(#[from] crate::booth::service::NotYours),
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    #[error(
        "no blank cards are left: load blank cards, or give the applicant the out-of-blanks paper"
    )]
    OutOfBlanks,
    #[error("the card printer cannot print now: {0}")]
    NotReady(DeviceError),
    #[error("the card cannot be handed over before it is printed and its chip verified")]
    NotVerified,
}

impl IssueError {
    /// The card holds a complete personalisation: writing needs the operator's re-issue.
    pub fn needs_reissue(&self) -> bool {
        matches!(self, IssueError::Chip(ChipError::AlreadyPersonalised))
    }

    /// The card can never carry this record: its chip is locked (issued, closed for writing)
    /// or does not lock. It is spent, and counted as spoiled.
    pub fn card_spent(&self) -> bool {
        matches!(
            self,
            IssueError::Chip(ChipError::CardLocked | ChipError::NotLocked { .. })
        )
    }

    /// The device failure behind this error, for advice by kind.
    pub fn device_error(&self) -> Option<DeviceError> {
        match self {
            IssueError::Device(e) | IssueError::NotReady(e) => Some(e.clone()),
            IssueError::Chip(e) => Some(DeviceError::from(e.clone())),
            _ => None,
        }
    }
}

impl From<CardFaceError> for IssueError {
    fn from(e: CardFaceError) -> Self {
        IssueError::Face(e.to_string())
    }
}

/// The KTP-el front as a 300 dpi PNG, from the bundle.
pub fn card_face(p: &Personalization, issue: &IssueInfo) -> Result<EncodedImage, IssueError> {
    let data = p.face_data()?;
    let img = face::render_front(&data, issue)?;
    Ok(face::to_png(&img)?)
}

/// Prints the front; answers the printer's job id.
pub fn print_card(
    printer: &mut dyn CardPrinter,
    front: &EncodedImage,
) -> Result<String, IssueError> {
    let _span = tracing::info_span!("device.card_printer.print").entered();
    Ok(printer.print_card(front)?)
}

/// What the chip encoding did.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub report: WriteReport,
    pub reader: String,
}

/// Waits for a card, writes the bundle's files (re-issuing over a personalised card only when
/// `reissue`), locks the card, reads everything back and runs passive authentication against
/// the trusted CSCA at time `now`.
#[allow(clippy::too_many_arguments)]
pub fn encode_chip(
    encoder: &mut dyn CardEncoder,
    p: &Personalization,
    trusted_csca: &ktpel_icao_lds::Certificate,
    now: SystemTime,
    reissue: bool,
    cancel: Option<CancelFlag>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Encoded, IssueError> {
    let files =
        sod::files(&p.sod, &p.data_groups).map_err(|e| IssueError::Bundle(e.to_string()))?;
    // Never write what would not verify.
    profile::verify(&files, trusted_csca, now).map_err(|e| IssueError::Bundle(e.to_string()))?;
    let span = tracing::info_span!("device.card_encoder.encode", files = files.len());
    let _enter = span.enter();
    let info = encoder.wait_card(CARD_WAIT)?;
    let options = WriteOptions {
        reissue,
        clear_fids: PROFILE_FIDS.to_vec(),
        max_command_data: None,
        max_response_data: None,
        cancel,
    };
    let written = write_files(encoder, &info, &files, &options, progress);
    let result = written.and_then(|report| {
        // Read back once more, as a reader would, and check the signature and every hash.
        let fids: Vec<u16> = files.iter().map(|(fid, _)| *fid).collect();
        let back = ktpel_card_pcsc::read_files(encoder, &info, &fids)?;
        Ok((report, back))
    });
    let released = encoder.release();
    let (report, back) = result?;
    released?;
    profile::verify(&back, trusted_csca, now)
        .map_err(|e: VerifyError| IssueError::Verify(e.to_string()))?;
    tracing::info!(
        apdus = report.apdus,
        min_apdus = report.min_apdus,
        bytes = report.bytes,
        "chip written and verified"
    );
    Ok(Encoded {
        report,
        reader: info.reader,
    })
}
