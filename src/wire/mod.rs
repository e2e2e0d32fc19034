//! The wire contracts: what the booth, the centre and the office's complaint desk exchange.
//! The booth's clients and the simulators both use these types, so they cannot drift apart.

pub mod centre;
pub mod complaint;
pub mod handcarry;
pub mod http;
pub mod sod;
