//! The demonstration and training set-up of the default config: the centre simulator and the
//! office's complaint desk running inside the booth's process on free 127.0.0.1 ports, with
//! their state under the booth's data directory. [`start`] starts whichever of them the config
//! asks for, points the config at them, and starts the booth; a real booth's config names its
//! centre and desk and gets nothing from here.
//!
//! A build without the `centre-sim` or `desk` feature has neither simulator (nor the centre's
//! private-key code): a config that asks for one is refused with a clear error.

use std::path::PathBuf;

use crate::booth::{Booth, BoothError, EMBEDDED};
use crate::clock::Clock;
use crate::config::{CentreConfig, Config};

/// Where the embedded centre keeps its keys and store, under the data directory.
pub const CENTRE_DIR: &str = "centre-sim";
/// Where the embedded complaint desk keeps its database, under the data directory.
pub const DESK_DIR: &str = "desk-sim";
/// The embedded centre's API keys: it only ever listens on 127.0.0.1.
pub const SIAK_KEY: &str = "embedded-siak";
pub const CENTRE_KEY: &str = "embedded-centre";

/// The simulators started for a booth, for tools that want to reach them (scripted verdicts,
/// the synthetic residents).
#[derive(Default, Clone)]
pub struct Started {
    #[cfg(feature = "centre-sim")]
    pub centre: Option<std::sync::Arc<crate::centre_sim::CentreSim>>,
}

/// Starts the simulators `config` asks for, then the booth pointed at them.
pub async fn start(
    config: Config,
    data_dir: PathBuf,
    clock: Clock,
) -> Result<(Booth, Started), BoothError> {
    #[allow(unused_mut)]
    let mut config = config;
    #[allow(unused_mut)]
    let mut services: Vec<Box<dyn std::any::Any + Send + Sync>> = Vec::new();
    #[allow(unused_mut)]
    let mut started = Started::default();
    if let CentreConfig::Embedded(_e) = &config.centre {
        #[cfg(feature = "centre-sim")]
        {
            let sim = std::sync::Arc::new(centre(_e, &data_dir, &clock).await?);
            config.centre = CentreConfig::Remote(remote_for(&sim));
            started.centre = Some(sim.clone());
            services.push(Box::new(sim));
        }
        #[cfg(not(feature = "centre-sim"))]
        return Err(BoothError::Embedded {
            what: "centre",
            why: "this build has no centre simulator (feature `centre-sim`): configure \
                  `[centre] mode = \"remote\"`"
                .into(),
        });
    }
    if config.complaints.desk == EMBEDDED {
        #[cfg(feature = "desk")]
        {
            let desk = desk(&data_dir, &clock).await?;
            config.complaints.desk = desk.base_url();
            services.push(Box::new(desk));
        }
        #[cfg(not(feature = "desk"))]
        return Err(BoothError::Embedded {
            what: "complaint desk",
            why: "this build has no complaint desk (feature `desk`): set `[complaints] desk` \
                  to the office desk's URL"
                .into(),
        });
    }
    let mut booth = Booth::start(config, data_dir, clock).await?;
    for s in services {
        booth.keep_running(s);
    }
    Ok((booth, started))
}

#[cfg(feature = "centre-sim")]
async fn centre(
    e: &crate::config::EmbeddedCentreConfig,
    data_dir: &std::path::Path,
    clock: &Clock,
) -> Result<crate::centre_sim::CentreSim, BoothError> {
    use crate::centre_sim::{CentreSim, CentreSimConfig};
    CentreSim::start(CentreSimConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        verdict_delay: std::time::Duration::from_secs(e.verdict_delay_secs),
        population_size: e.population_size,
        population_seed: e.population_seed,
        siak_api_key: SIAK_KEY.into(),
        centre_api_key: CENTRE_KEY.into(),
        state_dir: Some(data_dir.join(CENTRE_DIR)),
        clock: clock.clone(),
        prepare_bundles: true,
        ..CentreSimConfig::default()
    })
    .await
    .map_err(|e| BoothError::Embedded {
        what: "centre",
        why: e.to_string(),
    })
}

/// The remote-centre config that reaches `sim` on loopback.
#[cfg(feature = "centre-sim")]
pub fn remote_for(sim: &crate::centre_sim::CentreSim) -> crate::config::RemoteCentreConfig {
    crate::config::RemoteCentreConfig {
        siak_url: sim.base_url(),
        centre_url: sim.base_url(),
        siak_api_key: sim.siak_api_key().into(),
        centre_api_key: sim.centre_api_key().into(),
        hpke_public_key: sim.hpke_public().to_bytes(),
        // The embedded centre always has a state folder and writes its CSCA certificate there.
        csca_certificate: sim
            .csca_certificate_file()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default(),
    }
}

#[cfg(feature = "desk")]
async fn desk(data_dir: &std::path::Path, clock: &Clock) -> Result<crate::desk::Desk, BoothError> {
    let failed = |why: String| BoothError::Embedded {
        what: "complaint desk",
        why,
    };
    let mut desk_config =
        crate::desk::config::DeskConfig::load(None).map_err(|e| failed(e.to_string()))?;
    desk_config.desk.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    crate::desk::Desk::start(desk_config, &data_dir.join(DESK_DIR), clock.clone())
        .await
        .map_err(|e| failed(e.to_string()))
}
