//! Complaints (pengaduan): a citizen with a problem in getting a KTP-el complains at a booth, by
//! phone or at the complaint secretariat; the secretariat forwards the complaint to the Secretary
//! or the division concerned (Bidang Pendaftaran Penduduk, Bidang Pencatatan Sipil); what they
//! resolve is closed there, what they cannot resolve goes to the Head of Agency (Kepala Dinas)
//! for a decision, and a complaint left too long goes to the Kepala Dinas by itself.
//!
//! - [`model`]: the complaint, its stages, who may do what, and the booth↔desk wire types;
//!   shared by the booth and the desk.
//! - [`client`]: the booth's client for the desk's HTTP API.
//! - [`desk`]: the office side: its store, HTTP server, deadline escalation and GUI.

pub mod client;
pub mod desk;
pub mod model;
pub mod ticket;
