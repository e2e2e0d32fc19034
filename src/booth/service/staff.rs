//! Who works at the booth and what each may do: sign-in by PIN with a lockout that survives a
//! restart, the three roles, and the supervisor's approval given on the operator's screen.

use jiff::Timestamp;
use std::time::Duration;

use super::Service;
use crate::config::{OperatorConfig, Role};
use crate::queue::signin::Gate;
use crate::queue::QueueError;

/// Someone signed in at the booth. Named in logs by id only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl From<&OperatorConfig> for Staff {
    fn from(o: &OperatorConfig) -> Self {
        Self {
            id: o.id.clone(),
            name: o.name.clone(),
            role: o.role,
        }
    }
}

/// What someone at the booth does; each role may do only its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Record an applicant (documents, SIAK, captures, save).
    Record,
    /// Print, encode and hand over a card; serve a pickup.
    Issue,
    /// Print receipts and notices, take applicants off the waiting list.
    Papers,
    /// Take a complaint or look one up.
    Complaints,
    /// Approve a reprint or a re-recording.
    Approve,
    /// Clear the sign-in lockout.
    ClearLockout,
    /// Self-tests, device discovery and assignment.
    Devices,
    /// Record blank cards loaded or counted.
    Blanks,
    /// Write the unsent backlog to a removable drive, to carry it to the centre.
    Export,
    /// Review saved records before they are sent: approve, or reject with a reason.
    Review,
}

impl Action {
    pub fn allowed(self, role: Role) -> bool {
        match role {
            Role::Operator => matches!(
                self,
                Action::Record | Action::Issue | Action::Papers | Action::Complaints
            ),
            Role::Supervisor => matches!(
                self,
                Action::Approve | Action::ClearLockout | Action::Export | Action::Review
            ),
            Role::Technician => matches!(self, Action::Devices | Action::Blanks),
        }
    }

    /// A stable name (logs, translations: `action-<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Record => "record",
            Action::Issue => "issue",
            Action::Papers => "papers",
            Action::Complaints => "complaints",
            Action::Approve => "approve",
            Action::ClearLockout => "clear_lockout",
            Action::Devices => "devices",
            Action::Blanks => "blanks",
            Action::Export => "export",
            Action::Review => "review",
        }
    }

    pub const ALL: [Action; 10] = [
        Action::Record,
        Action::Issue,
        Action::Papers,
        Action::Complaints,
        Action::Approve,
        Action::ClearLockout,
        Action::Devices,
        Action::Blanks,
        Action::Export,
        Action::Review,
    ];
}

impl Action {
    /// What the action is, in words ("record applicants").
    pub fn describe(self) -> &'static str {
        match self {
            Action::Record => "record applicants",
            Action::Issue => "issue cards",
            Action::Papers => "print applicants' papers",
            Action::Complaints => "take complaints",
            Action::Approve => "give approvals",
            Action::ClearLockout => "clear the sign-in lockout",
            Action::Devices => "test or assign devices",
            Action::Blanks => "count blank cards",
            Action::Export => "export the backlog to a drive",
            Action::Review => "review records before sending",
        }
    }
}

fn with_article(role: Role) -> &'static str {
    match role {
        Role::Operator => "an operator",
        Role::Supervisor => "a supervisor",
        Role::Technician => "a technician",
    }
}

/// Someone tried what is not their role's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} may not {}: that is not this role's work", with_article(*role), action.describe())]
pub struct NotYours {
    pub role: Role,
    pub action: Action,
}

/// Checks that `who` may do `action`.
pub fn allow(who: &Staff, action: Action) -> Result<(), NotYours> {
    if action.allowed(who.role) {
        Ok(())
    } else {
        tracing::warn!(who = %who.id, action = action.as_str(), "refused: not this role's");
        Err(NotYours {
            role: who.role,
            action,
        })
    }
}

/// Why a PIN was not accepted.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SignInError {
    #[error("wrong PIN; {left} tries left before sign-in is locked")]
    Wrong { left: u32 },
    #[error("sign-in is locked until {until}")]
    LockedOut { until: Timestamp },
    /// A supervisor's PIN was asked for and this one is not.
    #[error("this PIN is not a supervisor's")]
    NotSupervisor,
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl Service {
    fn attempts(&self) -> (u32, Duration) {
        let k = &self.booth.config.kiosk;
        (
            k.pin_attempts,
            Duration::from_secs(u64::from(k.lockout_minutes) * 60),
        )
    }

    /// Counts a wrong PIN towards the lockout; answers how the refusal reads.
    async fn wrong_pin(&self, now: Timestamp) -> Result<SignInError, QueueError> {
        let (attempts, lockout) = self.attempts();
        let gate = self
            .queue()
            .call(move |s| s.signin_failed(attempts, lockout, now))
            .await?;
        Ok(match gate {
            Gate::LockedUntil(until) => SignInError::LockedOut { until },
            Gate::Open { failures } => SignInError::Wrong {
                left: attempts.saturating_sub(failures),
            },
        })
    }

    /// Where sign-in stands now (locked, and until when).
    pub async fn signin_gate(&self) -> Result<Gate, QueueError> {
        let now = self.clock().now();
        self.queue().call(move |s| s.signin_gate(now)).await
    }

    /// The staff member whose PIN this is (argon2, off the async threads), or why not. Wrong
    /// PINs count towards the lockout, which lives in the queue file.
    async fn check_pin(&self, pin: String) -> Result<Staff, SignInError> {
        let now = self.clock().now();
        if let Gate::LockedUntil(until) = self.signin_gate().await? {
            return Err(SignInError::LockedOut { until });
        }
        let operators = self.booth.config.operators.clone();
        let found = tokio::task::spawn_blocking(move || {
            crate::pin::find_operator(&pin, &operators).map(Staff::from)
        })
        .await
        .ok()
        .flatten();
        match found {
            Some(staff) => {
                self.queue().call(|s| s.signin_succeeded()).await?;
                Ok(staff)
            }
            None => Err(self.wrong_pin(now).await?),
        }
    }

    /// Signs someone in by PIN.
    pub async fn sign_in(&self, pin: String) -> Result<Staff, SignInError> {
        let staff = self.check_pin(pin).await?;
        tracing::info!(who = %staff.id, role = staff.role.as_str(), "signed in");
        Ok(staff)
    }

    /// A supervisor's PIN typed on the operator's screen: the supervisor, or why not. A wrong
    /// PIN counts towards the lockout like any other.
    pub async fn approve(&self, pin: String, action: Action) -> Result<Staff, SignInError> {
        let who = self.check_pin(pin).await?;
        if allow(&who, Action::Approve).is_err() {
            return Err(SignInError::NotSupervisor);
        }
        tracing::info!(supervisor = %who.id, action = action.as_str(), "approved");
        Ok(who)
    }

    /// A supervisor clears the sign-in lockout with their PIN (checked even while locked; a
    /// wrong one extends the lockout).
    pub async fn clear_lockout(&self, pin: String) -> Result<Staff, SignInError> {
        let operators = self.booth.config.operators.clone();
        let now = self.clock().now();
        let found = tokio::task::spawn_blocking(move || {
            crate::pin::find_operator(&pin, &operators).map(Staff::from)
        })
        .await
        .ok()
        .flatten();
        match found {
            Some(who) if Action::ClearLockout.allowed(who.role) => {
                let id = who.id.clone();
                self.queue()
                    .call(move |s| s.clear_signin_lockout(&id, now))
                    .await?;
                tracing::info!(supervisor = %who.id, "sign-in lockout cleared");
                Ok(who)
            }
            Some(_) => Err(SignInError::NotSupervisor),
            None => Err(self.wrong_pin(now).await?),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_do_only_its_own() {
        let may = |r: Role| -> Vec<&str> {
            Action::ALL
                .iter()
                .filter(|a| a.allowed(r))
                .map(|a| a.as_str())
                .collect()
        };
        assert_eq!(
            may(Role::Operator),
            ["record", "issue", "papers", "complaints"]
        );
        assert_eq!(
            may(Role::Supervisor),
            ["approve", "clear_lockout", "export", "review"]
        );
        assert_eq!(may(Role::Technician), ["devices", "blanks"]);
        let tech = Staff {
            id: "tech-01".into(),
            name: "Teknisi".into(),
            role: Role::Technician,
        };
        let refused = allow(&tech, Action::Record).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "a technician may not record applicants: that is not this role's work"
        );
    }
}
