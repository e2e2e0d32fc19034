//! A supervisor's PIN typed on the operator's screen to approve something there (a reprint, a
//! re-recording, a record's exceptions): the digits, whether the booth is checking them, and
//! why the last ones were refused. Each screen keeps one inside its own question.

use crate::booth::service::SignInError;
use crate::pin::{MAX_LEN, MIN_LEN};
use crate::widgets::keypad;

#[derive(Default)]
pub struct SupervisorPin {
    digits: String,
    /// The booth is checking the PIN: keys wait.
    pub checking: bool,
    /// Why the last PIN was refused, until a key is typed.
    pub refused: Option<SignInError>,
}

impl SupervisorPin {
    /// A key of the PIN pad (ignored while the PIN is checked).
    pub fn key(&mut self, k: keypad::Key) {
        if !self.checking {
            keypad::apply(&mut self.digits, k, MAX_LEN);
            self.refused = None;
        }
    }

    /// Long enough to check, and not being checked.
    pub fn ready(&self) -> bool {
        !self.checking && self.digits.len() >= MIN_LEN
    }

    /// The PIN to check, when [`Self::ready`]; from then on it is being checked.
    pub fn submit(&mut self) -> Option<String> {
        self.ready().then(|| {
            self.checking = true;
            std::mem::take(&mut self.digits)
        })
    }

    /// The booth refused the PIN: it can be typed again.
    pub fn refuse(&mut self, e: SignInError) {
        self.checking = false;
        self.refused = Some(e);
    }

    /// "●●○○○○": the digits typed, and the places still needed.
    pub fn dots(&self) -> String {
        "●".repeat(self.digits.len()) + &"○".repeat(MIN_LEN.saturating_sub(self.digits.len()))
    }
}
