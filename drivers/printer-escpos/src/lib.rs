//! ESC/POS receipt printer driver: an encoder for [`ReceiptDoc`](ktpel_hal::ReceiptDoc)
//! ([`encode`]), real-time status ([`status`]) and three transports ([`transport`]: serial
//! port, USB printer device file, TCP 9100) behind one small [`Transport`] trait.
//!
//! [`EscposPrinter`] asks the status before a job and sends nothing to a printer that is not
//! ready (`NeedsAttention`, with what to do: the booth keeps the receipt queued and prints it
//! again), then asks again after the job, which also confirms the printer took it. That
//! question queues behind the job on the wire: the driver first waits until the job has left
//! the port (`tcdrain` on a serial line) and then gives the answer as long as the job's bytes
//! take at the configured speed, on top of the status timeout.

pub mod codepage;
mod driver;
pub mod encode;
mod error;
pub mod status;
pub mod transport;

pub use codepage::CodePage;
pub use driver::{EscposConfig, EscposPrinter, EscposState};
pub use encode::{encode_receipt, layout, wrap, EncodeOptions, Font};
pub use error::EscposError;
pub use status::{RawStatus, StatusKind};
pub use transport::{Transport, TransportConfig};
