//! The queues a print server offers (CUPS-Get-Printers), for the technician's device list: each
//! with the URI that puts it in the card printer role.

use crate::client::Session;
use crate::config::PrinterUri;
use crate::error::IppPrinterError;
use crate::status::{integer, strings};
use ipp::operation::cups::CupsGetPrinters;
use ipp::operation::IppOperation;
use ipp::prelude::DelimiterTag;
use ktpel_hal::DeviceError;
use std::time::Duration;

/// Where CUPS listens on the booth itself.
pub const LOCAL_CUPS: &str = "ipp://localhost:631/";

/// One queue of the print server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    /// The queue's URI, as `[devices.card_printer] uri` takes it.
    pub uri: String,
    pub name: String,
    pub make_and_model: Option<String>,
    /// RFC 8011 printer-state: 3 idle, 4 processing, 5 stopped.
    pub state: Option<i32>,
}

/// The queues the print server at `server` (e.g. [`LOCAL_CUPS`]) lists.
pub fn list_queues(server: &str, timeout: Duration) -> Result<Vec<Queue>, DeviceError> {
    let target = PrinterUri::parse(server)?;
    let shown = target.shown.clone();
    let mut session = Session::new(target, timeout);
    let response = session.send(
        "CUPS-Get-Printers",
        CupsGetPrinters::new().into_ipp_request(),
    )?;
    session.check("CUPS-Get-Printers", &response, || IppPrinterError::NotIpp {
        uri: shown.clone(),
        detail: "it is not a print server that lists its queues".into(),
    })?;
    let mut queues = Vec::new();
    for group in response
        .attributes()
        .groups_of(DelimiterTag::PrinterAttributes)
    {
        let text = |n: &str| {
            group
                .get(n)
                .and_then(|a| strings(a.value()).into_iter().next())
        };
        let Some(uri) = text("printer-uri-supported") else {
            continue;
        };
        queues.push(Queue {
            name: text("printer-name").unwrap_or_else(|| uri.clone()),
            make_and_model: text("printer-make-and-model"),
            state: group.get("printer-state").and_then(|a| integer(a.value())),
            uri,
        });
    }
    Ok(queues)
}
