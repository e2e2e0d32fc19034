//! The booth service: every operation the kiosk's screens and the headless tools
//! (`simulate-day`) call — sign-in and approvals, looking an applicant up, recording, papers,
//! issuing a card, complaints, the technician's tests and the blank stock — over the queue,
//! the centre and the devices. Screens talk to the booth through this and nothing else; each
//! operation checks that the person asking may do it.

pub mod applicant;
pub mod complaints;
pub mod export;
pub mod issue;
pub mod papers;
pub mod review;
pub mod staff;
pub mod technician;

use std::sync::Arc;

use super::devices::{DeviceSet, Devices};
use super::transmit::TransmitterHandle;
use super::{Booth, BoothError};
use crate::clock::Clock;
use crate::config::Config;
use crate::queue::Queue;

pub use staff::{allow, Action, NotYours, SignInError, Staff};

/// The running booth: its queue and clients, its devices each on a worker of its own, and the
/// transmitter sending in the background.
pub struct Service {
    booth: Booth,
    devices: DeviceSet,
    transmitter: TransmitterHandle,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Service({})", self.booth.config.booth.id)
    }
}

impl Service {
    /// Opens the configured devices (each on its worker) and starts the transmitter.
    pub async fn start(booth: Booth) -> Result<Arc<Self>, BoothError> {
        let cfg = booth.config.devices.clone();
        let devices = tokio::task::spawn_blocking(move || Devices::from_config(&cfg))
            .await
            .map_err(|e| BoothError::Devices(e.to_string()))?;
        Ok(Self::with_devices(booth, devices))
    }

    /// As [`Service::start`], with these devices.
    pub fn with_devices(booth: Booth, devices: Devices) -> Arc<Self> {
        let transmitter = booth.transmitter().spawn();
        Arc::new(Self {
            booth,
            devices: DeviceSet::spawn(devices),
            transmitter,
        })
    }

    pub fn config(&self) -> &Config {
        &self.booth.config
    }

    pub fn clock(&self) -> &Clock {
        &self.booth.clock
    }

    /// The devices' workers (the kiosk's camera preview reads the camera's).
    pub fn devices(&self) -> &DeviceSet {
        &self.devices
    }

    /// The queue, for tools and tests that read it; screens use the operations.
    pub fn queue(&self) -> &Queue {
        &self.booth.queue
    }

    pub fn transmitter(&self) -> &TransmitterHandle {
        &self.transmitter
    }

    /// The booth underneath (clients, keys), for tools.
    pub fn booth(&self) -> &Booth {
        &self.booth
    }
}

/// An applicant's work is done (recorded, card handed over, paper printed): the pages that
/// held their images go back to the kernel (see `ktpel_malloc`), on a blocking thread; the
/// operation answers once that is done (a few milliseconds), so what comes next starts lean.
async fn release_free_memory() {
    if let Err(e) = tokio::task::spawn_blocking(ktpel_malloc::release_free_memory).await {
        tracing::warn!(error = %e, "returning freed memory failed");
    }
}
