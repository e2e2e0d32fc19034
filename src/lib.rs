//! The KTP-el recording booth: population rules, the sealed durable queue, the centre (client
//! and simulator), the background transmitter, and the booth runtime the kiosk and the CLI share.
//! See DESIGN.md for the procedure and the data flow.

pub mod audit_chain;
pub mod booth;
pub mod card;
pub mod centre;
pub mod clock;
pub mod complaint;
pub mod config;
pub mod config_assign;
pub(crate) mod config_values;
pub mod devices;
pub mod discovery;
pub mod domain;
pub mod durable_db;
pub mod enrollment;
pub mod http_answer;
pub mod issuance;
pub mod keyfile;
pub mod pin;
pub mod queue;
pub mod receipt;
pub mod recording;
pub mod seal;
pub mod selftest;
pub mod telemetry;
pub mod transmit;
pub mod ui;
