//! Card printer driver over IPP (Internet Printing Protocol, RFC 8011): what a CUPS queue
//! (`ipp://localhost:631/printers/NAME`) and an IPP Everywhere card printer speak.
//!
//! [`IppCardPrinter`] asks the printer's state before each card (Get-Printer-Attributes) and
//! sends nothing to a printer that cannot print it now: no blank cards, a jam, an open cover,
//! a used-up ribbon, a stopped queue, a format it does not take. Each gives `NeedsAttention`
//! with plain words saying what to do, and the booth keeps the card to print again. Then it
//! sends the card (Print-Job) and follows the job (Get-Job-Attributes) until it is done, fails
//! (the words say why) or takes longer than the configured time.
//!
//! [`list_queues`] asks a print server (CUPS on the booth) which queues it has, for the
//! technician's device list.
//!
//! The IPP encoding and the HTTP client come from the `ipp` crate; [`sim`] is an IPP printer
//! on loopback built on the same crate's parser, so the tests drive this driver's real code.

mod client;
pub mod config;
mod driver;
pub mod error;
mod queues;
pub mod reasons;
#[cfg(feature = "sim")]
pub mod sim;
pub mod status;

pub use client::parse_answer;
pub use config::IppConfig;
pub use driver::{IppCardPrinter, JOB_NAME, USER_NAME};
pub use error::IppPrinterError;
pub use queues::{list_queues, Queue, LOCAL_CUPS};
