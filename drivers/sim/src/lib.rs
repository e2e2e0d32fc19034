//! Simulated booth devices: an in-process stand-in for every `ktpel-hal` device — camera,
//! fingerprint scanner, iris scanner, signature pad, card encoder (with an ISO/IEC 7816-4
//! [`VirtualCard`]), card printer and receipt printer.
//!
//! - **Generated, never stored, data.** Faces, fingerprints, irises and signatures are drawn
//!   from seeds at call time. The same person (the *subject* set on a device's [`SimControl`])
//!   always yields the same face, fingers, eyes and signature, different from anyone else's;
//!   the generators are pure functions ([`finger::render_finger`], [`iris::render_iris`],
//!   [`camera::portrait_rgb`], [`signature::signature_strokes`]) and each capture adds
//!   acquisition noise seeded by the device seed and the call count, so a whole run is
//!   reproducible byte for byte.
//! - **Scriptable faults.** Each device has a [`SimControl`] (cloneable, shared) with a script
//!   of [`Fault`]s consumed one per device call (unplug, timeout, slow, poor quality, busy,
//!   any error kind), a persistent unplug/replug, a fixed latency, the card slot and the
//!   printers' paper. The card has its own [`CardFault`]s (tear mid-write, mute, wrong SW).
//! - **Honest self-tests.** Every `self_test` exercises the device (captures a frame and
//!   checks its size and contrast, selects the MF of the card, reads the printer status), so a
//!   scripted fault shows up as a failed check and an unplugged device as `Disconnected`.
//!
//! [`SimBooth`] bundles one device of every kind from one seed. [`vpcd`] puts a
//! [`VirtualCard`] into a real `pcscd` through vsmartcard's vpcd reader driver.

mod booth;
pub mod camera;
pub mod card;
mod card_encoder;
mod control;
mod device;
pub mod face;
pub mod finger;
mod fingerprint;
mod imaging;
pub mod iris;
mod iris_scanner;
mod printer;
mod rng;
pub mod serial;
pub mod signature;
mod signature_pad;
pub mod vpcd;

pub use booth::{BoxedBooth, SimBooth, SimBoothControls};
pub use camera::SimCamera;
pub use card::{CardFault, CardReply, VirtualCard};
pub use card_encoder::SimCardEncoder;
pub use control::{Fault, PrintedCard, SimControl};
pub use fingerprint::SimFingerprint;
pub use imaging::mean_abs_diff;
pub use iris_scanner::SimIris;
pub use printer::{receipt_text, SimCardPrinter, SimReceiptPrinter, RECEIPT_COLUMNS};
pub use signature_pad::SimSignaturePad;
pub use vpcd::{VpcdCard, VpcdHandle, VpcdOptions};
