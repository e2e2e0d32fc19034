//! Checks for values that both the booth's config and the complaint desk's config hold, used as
//! serde `deserialize_with` functions so a bad value is refused while the file is parsed, with
//! its key and line, in the same words in both files.

use serde::{Deserialize, Deserializer};

/// The kiosk language when the file does not say.
pub(crate) fn default_language() -> String {
    "id".into()
}

/// A language the screens have strings for.
pub(crate) fn language<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    match s.as_str() {
        "id" | "en" => Ok(s),
        _ => Err(serde::de::Error::custom(format!(
            "language \"{s}\" is not available; use \"id\" or \"en\""
        ))),
    }
}

/// An argon2 PIN hash as `ktpel-booth hash-pin` makes it (never a PIN in clear).
pub(crate) fn pin_hash<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    argon2::PasswordHash::new(&s).map_err(|e| {
        serde::de::Error::custom(format!(
            "not an argon2 PIN hash ({e}); make one with `ktpel-booth hash-pin`"
        ))
    })?;
    Ok(s)
}

/// A count or a duration that must not be zero.
pub(crate) fn positive<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + PartialEq + Default,
{
    let n = T::deserialize(d)?;
    if n == T::default() {
        return Err(serde::de::Error::custom("must be greater than 0"));
    }
    Ok(n)
}

/// Whether `s` can be an id (of a booth or a member of staff): 1–32 letters, digits, '-', '_'.
pub(crate) fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// What an id must be, for the error.
pub(crate) const IDENTIFIER_RULE: &str = "must be 1–32 letters, digits, '-' or '_'";

/// The data directory: `configured` when it is set and not empty, else the per-user data
/// directory of program `app` ("ktpel-booth", "ktpel-desk").
pub(crate) fn data_dir(configured: Option<&std::path::PathBuf>, app: &str) -> std::path::PathBuf {
    if let Some(d) = configured.filter(|d| !d.as_os_str().is_empty()) {
        return d.clone();
    }
    directories::ProjectDirs::from("id.go.dukcapil", "Dukcapil", app)
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| std::path::PathBuf::from(format!("{app}-data")))
}

/// The line (1-based) of byte offset `at` in `text`.
#[cfg_attr(not(feature = "desk"), allow(dead_code))]
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Values {
        #[serde(default, deserialize_with = "positive")]
        count: u32,
        #[serde(default, deserialize_with = "positive")]
        seconds: u64,
        #[serde(default = "default_language", deserialize_with = "language")]
        language: String,
    }

    #[test]
    fn zero_and_unknown_languages_are_refused_with_key_and_line() {
        let ok: Values = toml::from_str("count = 3\nseconds = 9\nlanguage = \"en\"").unwrap();
        assert_eq!((ok.count, ok.seconds, ok.language.as_str()), (3, 9, "en"));
        let e = toml::from_str::<Values>("count = 3\nseconds = 0").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(e.to_string().contains("must be greater than 0"), "{e}");
        let e = toml::from_str::<Values>("language = \"jv\"").unwrap_err();
        assert!(e.to_string().contains("\"jv\" is not available"), "{e}");
        assert!(is_identifier("3273-01") && !is_identifier("booth 1") && !is_identifier(""));
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}
