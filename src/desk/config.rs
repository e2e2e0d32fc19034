//! `desk.toml`: the complaint desk's office, address, booths' API keys, deadline and staff.
//!
//! Read like the booth's config: every value is checked while the file is read, a mistake is
//! reported with its key and line, and unknown keys are mistakes too. What can only be checked
//! across entries (an id used twice, a role nobody has) is reported with the line as well.

use serde::{Deserialize, Deserializer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use toml::Spanned;

use crate::config::values::{
    default_language, is_identifier, language, line_of, pin_hash, positive, IDENTIFIER_RULE,
};
use crate::wire::complaint::Role;

/// The default config, shipped in `config/desk.toml` and embedded so `--config` is optional.
pub const DEFAULT_TOML: &str = include_str!("../../config/desk.toml");

/// The shortest API key accepted.
pub const MIN_KEY_LEN: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum DeskConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskConfig {
    pub desk: DeskSection,
    #[serde(default)]
    pub procedure: ProcedureSection,
    #[serde(default)]
    pub gui: GuiSection,
    /// The booths that may send complaints, each with its own key.
    #[serde(default)]
    pub booths: Vec<BoothKey>,
    /// Who may sign in at the desk, each in one role.
    #[serde(default)]
    pub staff: Vec<StaffConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskSection {
    /// The office, as shown at the desk and given to booths for their tickets.
    #[serde(deserialize_with = "non_empty")]
    pub office: String,
    /// Where the booth API listens ("0.0.0.0:8480" to take booths on the office network).
    pub listen: SocketAddr,
    /// Where the desk's database lives; empty means the per-user data directory.
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// "id" (Indonesian, default) or "en".
    #[serde(default = "default_language", deserialize_with = "language")]
    pub language: String,
    /// The secretariat's complaint telephone number, printed on tickets.
    #[serde(deserialize_with = "phone")]
    pub complaint_phone: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcedureSection {
    /// Hours from the complaint until it goes to the Kepala Dinas when nobody has resolved it.
    #[serde(deserialize_with = "deadline_hours")]
    pub deadline_hours: u32,
}

impl Default for ProcedureSection {
    fn default() -> Self {
        Self { deadline_hours: 72 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GuiSection {
    /// Minutes without a touch before the desk signs the user out.
    #[serde(deserialize_with = "positive")]
    pub idle_lock_minutes: u32,
    /// Wrong PINs in a row before sign-in is locked.
    #[serde(deserialize_with = "positive")]
    pub pin_attempts: u32,
    /// How long sign-in stays locked after too many wrong PINs.
    #[serde(deserialize_with = "positive")]
    pub lockout_minutes: u32,
    pub fullscreen: bool,
}

impl Default for GuiSection {
    fn default() -> Self {
        Self {
            idle_lock_minutes: 5,
            pin_attempts: 5,
            lockout_minutes: 15,
            fullscreen: false,
        }
    }
}

/// A booth allowed to send complaints, and the key it sends them with.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoothKey {
    pub id: Spanned<String>,
    pub api_key: Spanned<String>,
}

impl std::fmt::Debug for BoothKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BoothKey({}, ..)", self.id.get_ref())
    }
}

/// A member of staff.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffConfig {
    pub id: Spanned<String>,
    #[serde(deserialize_with = "non_empty")]
    pub name: String,
    pub role: Role,
    /// The PIN's argon2 hash (PHC string), from `ktpel-booth hash-pin`.
    #[serde(deserialize_with = "pin_hash")]
    pub pin_hash: String,
}

impl std::fmt::Debug for StaffConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Staff({}, {:?})", self.id.get_ref(), self.role)
    }
}

impl StaffConfig {
    pub fn id(&self) -> &str {
        self.id.get_ref()
    }
}

fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom("must not be empty"));
    }
    Ok(s)
}

fn phone<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let ok =
        s.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c)) && (3..=15).contains(&digits);
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{s}\" is not a telephone number (3–15 digits; spaces, -, + and brackets allowed)"
        )));
    }
    Ok(s)
}

fn deadline_hours<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if !(1..=24 * 90).contains(&n) {
        return Err(serde::de::Error::custom(format!(
            "{n} hours is not a deadline (1 hour to 90 days)"
        )));
    }
    Ok(n)
}

impl DeskConfig {
    /// Parses `text`; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, DeskConfigError> {
        let invalid = |message: String| DeskConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let config: DeskConfig = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        config.check(text).map_err(invalid)?;
        Ok(config)
    }

    /// The checks across entries, each naming the line.
    fn check(&self, text: &str) -> Result<(), String> {
        let line = |s: &Spanned<String>| line_of(text, s.span().start);
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for s in &self.staff {
            let id = s.id.get_ref();
            if !is_identifier(id) {
                return Err(format!(
                    "line {}, key `staff.id`: \"{id}\" {IDENTIFIER_RULE}",
                    line(&s.id)
                ));
            }
            if let Some((_, first)) = seen.iter().find(|(x, _)| *x == id) {
                return Err(format!(
                    "line {}, key `staff.id`: \"{id}\" is used twice (first on line {first})",
                    line(&s.id)
                ));
            }
            seen.push((id.as_str(), line(&s.id)));
        }
        for role in Role::ALL {
            if !self.staff.iter().any(|s| s.role == role) {
                return Err(format!(
                    "[[staff]]: nobody has the role \"{role}\"; every role of the complaint \
                     procedure needs at least one person, or complaints would stop there"
                ));
            }
        }
        let mut ids: Vec<(&str, usize)> = Vec::new();
        let mut keys: Vec<(&str, usize)> = Vec::new();
        for b in &self.booths {
            let id = b.id.get_ref();
            if !is_identifier(id) {
                return Err(format!(
                    "line {}, key `booths.id`: \"{id}\" {IDENTIFIER_RULE}",
                    line(&b.id)
                ));
            }
            if let Some((_, first)) = ids.iter().find(|(x, _)| *x == id) {
                return Err(format!(
                    "line {}, key `booths.id`: booth \"{id}\" is listed twice (first on line {first})",
                    line(&b.id)
                ));
            }
            ids.push((id.as_str(), line(&b.id)));
            let key = b.api_key.get_ref();
            if key.len() < MIN_KEY_LEN || !key.chars().all(|c| c.is_ascii_graphic()) {
                return Err(format!(
                    "line {}, key `booths.api_key`: an API key is at least {MIN_KEY_LEN} \
                     printable characters without spaces",
                    line(&b.api_key)
                ));
            }
            if let Some((_, first)) = keys.iter().find(|(x, _)| *x == key) {
                return Err(format!(
                    "line {}, key `booths.api_key`: the same key as the booth on line {first}; \
                     give every booth its own",
                    line(&b.api_key)
                ));
            }
            keys.push((key.as_str(), line(&b.id)));
        }
        Ok(())
    }

    /// Reads the file at `path`, or the embedded default when `None`.
    pub fn load(path: Option<&Path>) -> Result<Self, DeskConfigError> {
        match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| DeskConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                Self::parse(&text, p)
            }
            None => Self::parse(DEFAULT_TOML, Path::new("config/desk.toml (built in)")),
        }
    }

    /// The data directory: the configured one, or the per-user data directory.
    pub fn data_dir(&self) -> PathBuf {
        crate::config::values::data_dir(self.desk.data_dir.as_ref(), "ktpel-desk")
    }

    /// The booth whose key this is.
    pub fn booth_for_key(&self, key: &str) -> Option<&str> {
        self.booths
            .iter()
            .find(|b| constant_time_eq(b.api_key.get_ref().as_bytes(), key.as_bytes()))
            .map(|b| b.id.get_ref().as_str())
    }

    pub fn deadline(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.procedure.deadline_hours) * 3600)
    }

    /// The staff member with this id.
    pub fn staff_member(&self, id: &str) -> Option<&StaffConfig> {
        self.staff.iter().find(|s| s.id() == id)
    }
}

/// Compares without stopping at the first difference, so response time tells nothing about a key.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn error_of(text: &str) -> String {
        match DeskConfig::parse(text, Path::new("desk.toml")) {
            Ok(_) => panic!("accepted a bad config"),
            Err(e) => e.to_string(),
        }
    }

    fn line_with(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn the_shipped_default_parses_with_every_role() {
        let c = DeskConfig::load(None).unwrap();
        assert_eq!(c.procedure.deadline_hours, 72);
        assert_eq!(c.gui.pin_attempts, 5);
        for role in Role::ALL {
            assert!(c.staff.iter().any(|s| s.role == role), "{role}");
        }
        assert_eq!(c.booth_for_key("demo-booth-key-3273-01"), Some("3273-01"));
        assert_eq!(c.booth_for_key("demo-booth-key-3273-0"), None);
        assert_eq!(c.deadline().as_secs(), 72 * 3600);
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("demo-booth-key") && !dbg.contains("argon2"),
            "{dbg}"
        );
    }

    #[test]
    fn a_bad_value_names_its_key_and_line() {
        let text = DEFAULT_TOML.replace("deadline_hours = 72", "deadline_hours = 0");
        let e = error_of(&text);
        assert!(
            e.contains(&format!("line {}", line_with(&text, "deadline_hours"))),
            "{e}"
        );
        assert!(
            e.contains("deadline_hours") && e.contains("not a deadline"),
            "{e}"
        );

        let text = DEFAULT_TOML.replace("listen = \"127.0.0.1:8480\"", "listen = \"localhost\"");
        let e = error_of(&text);
        assert!(
            e.contains("listen") && e.contains(&format!("line {}", line_with(&text, "listen ="))),
            "{e}"
        );

        let text = DEFAULT_TOML.replacen("role = \"secretary\"", "role = \"secretry\"", 1);
        let e = error_of(&text);
        assert!(e.contains("secretry") && e.contains("kepala_dinas"), "{e}");

        let text = DEFAULT_TOML.replacen("pin_hash = \"$argon2id", "pin_hash = \"argon2id", 1);
        let e = error_of(&text);
        assert!(
            e.contains("not an argon2 PIN hash") && e.contains("line"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_key_is_a_mistake() {
        let text = DEFAULT_TOML.replace("[procedure]", "[procedure]\ndeadline_hour = 5");
        let e = error_of(&text);
        assert!(
            e.contains("deadline_hour") && e.contains("unknown field"),
            "{e}"
        );
    }

    #[test]
    fn mistakes_across_entries_name_the_line() {
        // The secretary's id given to another member of staff.
        let text = DEFAULT_TOML.replacen("id = \"sekdin-01\"", "id = \"sek-01\"", 1);
        let e = error_of(&text);
        let second = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("id = \"sek-01\""))
            .nth(1)
            .unwrap()
            .0
            + 1;
        assert!(
            e.contains(&format!("line {second}")) && e.contains("used twice"),
            "{e}"
        );

        // Nobody left to decide.
        let text = DEFAULT_TOML.replacen("role = \"kepala_dinas\"", "role = \"secretary\"", 1);
        let e = error_of(&text);
        assert!(e.contains("kepala_dinas") && e.contains("nobody"), "{e}");

        // A short key, and one key for two booths.
        let text = DEFAULT_TOML.replacen("demo-booth-key-3273-01", "short", 1);
        let e = error_of(&text);
        assert!(
            e.contains("booths.api_key")
                && e.contains(&format!("line {}", line_with(&text, "\"short\""))),
            "{e}"
        );
        let text = DEFAULT_TOML.replacen("demo-booth-key-3273-02", "demo-booth-key-3273-01", 1);
        let e = error_of(&text);
        assert!(e.contains("same key"), "{e}");
        let text = DEFAULT_TOML.replacen("id = \"3273-02\"", "id = \"3273 02\"", 1);
        let e = error_of(&text);
        assert!(e.contains("booths.id"), "{e}");
    }

    #[test]
    fn broken_toml_says_where() {
        let e = error_of("[desk\noffice = 1");
        assert!(e.contains("line 1"), "{e}");
    }
}
