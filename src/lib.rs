//! The KTP-el recording booth. See DESIGN.md for the procedure and the data flow, and
//! `docs/design-notes.md` for how the code refines it.
//!
//! The modules form layers; each uses only the layers below it (`tests/architecture.rs`
//! checks this on every `use crate::…`):
//!
//! | layer | modules |
//! |---|---|
//! | top | [`kiosk`], `desk` (feature `desk`), `centre_sim` (feature `centre-sim`), `embedded`, `simulation` (the headless day) |
//! | booth service | [`booth`]: the operations screens and tools call, the device workers, the transmitter |
//! | shared widgets | [`widgets`]: theme, fonts, keypad, keyboard, sign-in, languages (core only) |
//! | queue | [`queue`]: the durable sealed queue |
//! | papers | [`papers`]: what the receipt printer prints |
//! | wire contracts | [`wire`]: what the booth, the centre and the desk exchange |
//! | core | [`domain`], [`card`], [`seal`], [`clock`], [`config`], [`enrollment`], … |
//!
//! Below them all are the driver crates under `drivers/`.

// core
pub mod assets;
pub mod audit_chain;
pub mod card;
pub mod clock;
pub mod config;
pub mod domain;
pub mod durable_db;
pub mod enrollment;
pub mod keyfile;
pub mod pin;
pub mod private_fs;
pub mod seal;
pub mod telemetry;

// wire contracts
pub mod wire;

// papers
pub mod papers;

// the queue
pub mod queue;

// the booth service
pub mod booth;

// widgets shared by the kiosk and the desk
pub mod widgets;

// programs on top
#[cfg(feature = "centre-sim")]
pub mod centre_sim;
#[cfg(feature = "desk")]
pub mod desk;
pub mod embedded;
pub mod kiosk;
#[cfg(feature = "centre-sim")]
pub mod simulation;
