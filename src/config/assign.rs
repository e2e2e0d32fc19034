//! `config assign`: puts one device role's settings into `booth.toml`, the way a technician
//! would with an editor, and nothing else.
//!
//! The file is edited as a document (`toml_edit`), so every other line, comment and blank line
//! stays exactly as the technician left it; only the `[devices.<role>]` table is replaced. The
//! whole edited text is then checked by [`Config::parse`] before anything touches the disk: a
//! setting the booth would refuse at start-up (a baud rate of 0, a fingerprint driver in the
//! camera role) is refused here, with its key and line, and the file is left alone.
//!
//! The write is durable: the old file is kept beside it as `<file>.prev`, the new text goes to a
//! temporary file in the same directory (with the old file's permissions, since the config can
//! hold API keys), is flushed to disk, renamed over the config, and the directory is flushed
//! too. A power cut leaves either the old file or the new one, never half of one.
//!
//! Assignments are serialised by an exclusive lock on `.<file>.lock` beside the config (the
//! config itself is replaced by the rename, so it cannot carry the lock): the technician's
//! screen and a `devices assign` in a shell never both read the same old text and lose one
//! another's change.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ktpel_hal::DeviceKind;
use toml_edit::{DocumentMut, InlineTable, Item, Key, Table, Value};

use crate::config::Config;

/// Where an assignment was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// The config file that now holds the new settings (the link's target when `path` was a
    /// symbolic link).
    pub path: PathBuf,
    /// The file as it was before, byte for byte: `<path>.prev`.
    pub previous: PathBuf,
}

/// Why an assignment was not made. In every case the config file is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done: "read", "write", "flush", ...
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not TOML at all, so it cannot be edited without losing it.
    #[error("{path} is not a TOML file: {source}")]
    NotToml {
        path: PathBuf,
        source: toml_edit::TomlError,
    },
    /// The booth would refuse the edited file: the config error, with its key and line (the line
    /// of the edited text).
    #[error("refused, the file is unchanged: {0}")]
    Invalid(String),
    /// A role name that is not one of the booth's device roles.
    #[error("\"{0}\" is not a device role; the roles are camera, fingerprint, iris, signature, card_encoder, card_printer and receipt_printer")]
    UnknownRole(String),
}

/// The role named as in `booth.toml` (`"fingerprint"`, `"card_encoder"`, ...).
pub fn parse_role(name: &str) -> Result<DeviceKind, AssignError> {
    DeviceKind::ALL
        .into_iter()
        .find(|k| k.as_str() == name)
        .ok_or_else(|| AssignError::UnknownRole(name.to_string()))
}

/// Makes `settings` (e.g. `{driver = "zfm", port = "/dev/ttyUSB0", baud = 57600}`) the whole
/// `[devices.<role>]` table of the booth config at `path`, keeping the rest of the file as it
/// was. The edited file is validated as the booth would read it before it is written; the old
/// file is kept as `<path>.prev`.
pub fn assign_role(
    path: &Path,
    role: DeviceKind,
    settings: &toml::Table,
) -> Result<Assigned, AssignError> {
    let span = tracing::info_span!("assign_role", role = role.as_str(), path = %path.display());
    let _guard = span.enter();

    let target = resolve_link(path)?;
    let _lock = lock_beside(&target)?;
    let old_text = fs::read_to_string(&target).map_err(|source| AssignError::Io {
        action: "read",
        path: target.clone(),
        source,
    })?;
    let new_text = edit(&old_text, &target, role, settings)?;
    if let Err(e) = Config::parse(&new_text, &target) {
        return Err(refusal(
            &e.to_string(),
            &old_text,
            &new_text,
            &target,
            role,
            settings,
        ));
    }

    let permissions = fs::metadata(&target)
        .map_err(|source| AssignError::Io {
            action: "inspect",
            path: target.clone(),
            source,
        })?
        .permissions();
    let previous = sibling(&target, ".prev");
    write_durably(&previous, old_text.as_bytes(), &permissions)?;
    write_durably(&target, new_text.as_bytes(), &permissions)?;
    tracing::info!(previous = %previous.display(), "device role assigned");
    Ok(Assigned {
        path: target,
        previous,
    })
}

/// The text of `old_text` with the role's table replaced by `settings`.
fn edit(
    old_text: &str,
    path: &Path,
    role: DeviceKind,
    settings: &toml::Table,
) -> Result<String, AssignError> {
    let mut doc: DocumentMut = old_text.parse().map_err(|source| AssignError::NotToml {
        path: path.to_path_buf(),
        source,
    })?;
    let role_key = role.as_str();
    let devices = doc.as_table_mut().entry("devices").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    match devices {
        Item::Table(devices) => match devices.get_mut(role_key) {
            Some(Item::Table(t)) => fill_table(t, settings),
            Some(Item::Value(Value::InlineTable(t))) => fill_inline(t, settings),
            _ => {
                let mut t = Table::new();
                fill_table(&mut t, settings);
                devices.insert(role_key, Item::Table(t));
            }
        },
        Item::Value(Value::InlineTable(devices)) => match devices.get_mut(role_key) {
            Some(Value::InlineTable(t)) => fill_inline(t, settings),
            _ => {
                let mut t = InlineTable::new();
                fill_inline(&mut t, settings);
                devices.insert(role_key, Value::InlineTable(t));
            }
        },
        other => {
            return Err(AssignError::Invalid(format!(
                "{}: `devices` is {}, not a table of device roles",
                path.display(),
                other.type_name()
            )))
        }
    }
    Ok(doc.to_string())
}

/// The refusal of `settings`, naming the key at fault when the config error does not.
///
/// A device table is read through an internally tagged enum (`driver = ...`), which loses the
/// position of the values, so a bad value is reported at the table's header line with a message
/// that may not name its key ("0 is not a serial speed"). The key is found by taking each setting
/// out in turn: the one without which the same complaint goes away is the one it was about.
fn refusal(
    message: &str,
    old_text: &str,
    new_text: &str,
    path: &Path,
    role: DeviceKind,
    settings: &toml::Table,
) -> AssignError {
    let complaint = |m: &str| m.trim_end().lines().last().unwrap_or_default().to_string();
    let original = complaint(message);
    let culprit = settings.iter().find(|(k, _)| {
        if k.as_str() == "driver" {
            return false;
        }
        let mut without = settings.clone();
        without.remove(k.as_str());
        match edit(old_text, path, role, &without).map(|t| Config::parse(&t, path)) {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => complaint(&e.to_string()) != original,
            Err(_) => false,
        }
    });
    match culprit {
        Some((k, v)) => {
            let line = key_line(new_text, role, k)
                .map(|n| format!(" (line {n} of the edited file)"))
                .unwrap_or_default();
            AssignError::Invalid(format!(
                "devices.{}.{k} = {v}{line}: {message}",
                role.as_str()
            ))
        }
        None => AssignError::Invalid(message.to_string()),
    }
}

/// The 1-based line of `key` in the role's table of `text`.
fn key_line(text: &str, role: DeviceKind, key: &str) -> Option<usize> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let devices = doc.get("devices")?;
    let role = devices.get(role.as_str())?;
    let span = match role {
        Item::Table(t) => t.key(key)?.span()?,
        Item::Value(Value::InlineTable(t)) => t.key(key)?.span()?,
        _ => return None,
    };
    Some(text[..span.start].matches('\n').count() + 1)
}

/// Settings keys in the order they are written: `driver` first, as in the shipped file.
fn ordered(settings: &toml::Table) -> impl Iterator<Item = (&String, &toml::Value)> {
    let driver = settings.iter().filter(|(k, _)| k.as_str() == "driver");
    let rest = settings.iter().filter(|(k, _)| k.as_str() != "driver");
    driver.chain(rest)
}

/// Replaces the contents of a `[table]`, keeping its header's comments and place in the file,
/// and the comment above each key that stays.
fn fill_table(t: &mut Table, settings: &toml::Table) {
    let old_keys: Vec<Key> = t.iter().filter_map(|(k, _)| t.key(k).cloned()).collect();
    t.clear();
    for (k, v) in ordered(settings) {
        let key = old_keys
            .iter()
            .find(|old| old.get() == k)
            .cloned()
            .unwrap_or_else(|| Key::new(k.as_str()));
        t.insert_formatted(&key, Item::Value(to_edit_value(v)));
    }
}

/// Replaces the contents of an inline `{ table }`, keeping its place and decoration.
fn fill_inline(t: &mut InlineTable, settings: &toml::Table) {
    t.clear();
    for (k, v) in ordered(settings) {
        t.insert(k.as_str(), to_edit_value(v));
    }
    t.fmt();
}

fn to_edit_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => Value::from(*d),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_edit_value).collect()),
        toml::Value::Table(t) => {
            let mut inline = InlineTable::new();
            fill_inline(&mut inline, t);
            Value::InlineTable(inline)
        }
    }
}

/// The file a symbolic link points to, so the rename replaces the file, not the link.
fn resolve_link(path: &Path) -> Result<PathBuf, AssignError> {
    let meta = fs::symlink_metadata(path).map_err(|source| AssignError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    if meta.file_type().is_symlink() {
        fs::canonicalize(path).map_err(|source| AssignError::Io {
            action: "follow the link",
            path: path.to_path_buf(),
            source,
        })
    } else {
        Ok(path.to_path_buf())
    }
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Takes the exclusive lock that serialises assignments to `target`; released when the
/// returned file is dropped (or the process dies).
fn lock_beside(target: &Path) -> Result<File, AssignError> {
    let lock_path = {
        let mut name = std::ffi::OsString::from(".");
        name.push(target.file_name().unwrap_or_default());
        name.push(".lock");
        directory_of(target).join(name)
    };
    let io = |action: &'static str| {
        let path = lock_path.clone();
        move |source| AssignError::Io {
            action,
            path,
            source,
        }
    };
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io("open the lock"))?;
    file.lock().map_err(io("lock"))?;
    Ok(file)
}

/// Writes `bytes` to `target` atomically: a temporary file beside it, flushed, renamed over
/// it, and the directory flushed.
fn write_durably(
    target: &Path,
    bytes: &[u8],
    permissions: &fs::Permissions,
) -> Result<(), AssignError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = directory_of(target);
    let temp = {
        let mut name = std::ffi::OsString::from(".");
        name.push(target.file_name().unwrap_or_default());
        name.push(format!(
            ".{}.{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        dir.join(name)
    };
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| AssignError::Io {
            action,
            path,
            source,
        }
    };
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(io("create", &temp))?;
        // Before the contents go in: the config may hold API keys.
        file.set_permissions(permissions.clone())
            .map_err(io("set the permissions of", &temp))?;
        file.write_all(bytes).map_err(io("write", &temp))?;
        file.sync_all().map_err(io("flush", &temp))?;
        fs::rename(&temp, target).map_err(io("replace", target))
    })();
    if result.is_err() {
        // Best effort: the temporary file is ours and useless now; the error above is the news.
        let _ = fs::remove_file(&temp);
    }
    result?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("flush the directory", dir))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::config::{CameraConfig, FingerprintConfig, DEFAULT_TOML};

    fn zfm() -> toml::Table {
        toml::toml! {
            driver = "zfm"
            port = "/dev/ttyUSB0"
            baud = 57600
        }
    }

    fn booth_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("booth.toml");
        fs::write(&path, text).unwrap();
        (dir, path)
    }

    /// The file's lines outside `[devices.<role>]` (from its header to the next blank line).
    fn lines_outside(text: &str, header: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut inside = false;
        for line in text.lines() {
            if line == header {
                inside = true;
            } else if inside && line.is_empty() {
                inside = false;
            }
            if !inside {
                out.push(line.to_string());
            }
        }
        out
    }

    #[test]
    fn assignments_made_at_the_same_time_are_all_kept() {
        let (_dir, path) = booth_file(DEFAULT_TOML);
        let roles = DeviceKind::ALL;
        let barrier = std::sync::Barrier::new(roles.len());
        std::thread::scope(|s| {
            for (i, role) in roles.into_iter().enumerate() {
                let (path, barrier) = (&path, &barrier);
                s.spawn(move || {
                    let mut settings = toml::Table::new();
                    settings.insert("driver".into(), "sim".into());
                    settings.insert("seed".into(), toml::Value::Integer(9000 + i as i64));
                    barrier.wait();
                    assign_role(path, role, &settings).unwrap();
                });
            }
        });
        let text = fs::read_to_string(&path).unwrap();
        Config::parse(&text, &path).unwrap();
        for i in 0..roles.len() {
            assert!(
                text.contains(&format!("seed = {}", 9000 + i)),
                "assignment {i} was lost:\n{text}"
            );
        }
    }

    #[test]
    fn a_zfm_scanner_is_assigned_and_everything_else_is_kept() {
        let (_dir, path) = booth_file(DEFAULT_TOML);
        let assigned = assign_role(&path, DeviceKind::FingerprintScanner, &zfm()).unwrap();
        assert_eq!(assigned.path, path);
        assert_eq!(assigned.previous, path.with_file_name("booth.toml.prev"));

        let new = fs::read_to_string(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&assigned.previous).unwrap(),
            DEFAULT_TOML
        );
        // Every other line, comments included, byte for byte and in place.
        assert_eq!(
            lines_outside(&new, "[devices.fingerprint]"),
            lines_outside(DEFAULT_TOML, "[devices.fingerprint]")
        );
        assert!(
            new.contains(
                "[devices.fingerprint]\ndriver = \"zfm\"\nbaud = 57600\nport = \"/dev/ttyUSB0\"\n\n[devices.iris]"
            ),
            "{new}"
        );
        let c = Config::parse(&new, &path).unwrap();
        match c.devices.fingerprint {
            FingerprintConfig::Zfm(z) => {
                assert_eq!((z.port.as_str(), z.baud), ("/dev/ttyUSB0", 57_600))
            }
            other => panic!("{other:?}"),
        }
        // The old table is gone completely, not merged.
        let fp = new.split("[devices.fingerprint]").nth(1).unwrap();
        let fp = fp.split("\n\n").next().unwrap();
        assert!(!fp.contains("seed"), "{fp}");
        assert!(!fp.contains("sim"), "{fp}");
    }

    #[test]
    fn a_comment_above_a_key_that_stays_is_kept() {
        let text = DEFAULT_TOML.replace(
            "[devices.fingerprint]\ndriver = \"sim\"\nseed = 2\n",
            "[devices.fingerprint]\n# The scanner by the left window.\ndriver = \"sim\"\n# Old seed.\nseed = 2\n",
        );
        let (_dir, path) = booth_file(&text);
        assign_role(&path, DeviceKind::FingerprintScanner, &zfm()).unwrap();
        let new = fs::read_to_string(&path).unwrap();
        assert!(
            new.contains(
                "[devices.fingerprint]\n# The scanner by the left window.\ndriver = \"zfm\"\n"
            ),
            "{new}"
        );
        assert!(!new.contains("# Old seed."), "{new}");
    }

    fn assert_refused(settings: toml::Table, role: DeviceKind, key_line: &str, words: &str) {
        let (_dir, path) = booth_file(DEFAULT_TOML);
        let e = assign_role(&path, role, &settings).unwrap_err();
        let AssignError::Invalid(message) = &e else {
            panic!("{e:?}")
        };
        assert!(message.contains(key_line), "{message}");
        assert!(message.contains(words), "{message}");
        assert!(message.contains("line "), "{message}");
        assert_eq!(fs::read_to_string(&path).unwrap(), DEFAULT_TOML);
        assert!(!path.with_file_name("booth.toml.prev").exists());
        // Nothing else left behind either (no temporary files); the lock file stays for the
        // next assignment, empty.
        let mut left: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".booth.toml.lock", "booth.toml"]);
    }

    #[test]
    fn a_bad_baud_rate_is_refused_and_the_file_is_untouched() {
        let mut settings = zfm();
        settings.insert("baud".into(), toml::Value::Integer(0));
        // driver, then baud, right under the header.
        let header = DEFAULT_TOML
            .lines()
            .position(|l| l == "[devices.fingerprint]")
            .unwrap()
            + 1;
        assert_refused(
            settings,
            DeviceKind::FingerprintScanner,
            &format!(
                "devices.fingerprint.baud = 0 (line {} of the edited file)",
                header + 2
            ),
            "not a serial speed",
        );
    }

    #[test]
    fn a_scanner_in_the_camera_role_is_refused_and_the_file_is_untouched() {
        assert_refused(
            zfm(),
            DeviceKind::Camera,
            "driver = \"zfm\"",
            "unknown variant `zfm`",
        );
    }

    #[test]
    fn a_file_that_is_not_toml_is_not_touched() {
        let text = "[booth\nthis is not toml\n";
        let (_dir, path) = booth_file(text);
        let e = assign_role(&path, DeviceKind::FingerprintScanner, &zfm()).unwrap_err();
        assert!(matches!(e, AssignError::NotToml { .. }), "{e:?}");
        assert!(e.to_string().contains("line 1"), "{e}");
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
        assert!(!path.with_file_name("booth.toml.prev").exists());
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.toml");
        let e = assign_role(&path, DeviceKind::Camera, &zfm()).unwrap_err();
        assert!(matches!(e, AssignError::Io { action: "read", .. }), "{e:?}");
        assert!(e.to_string().contains("absent.toml"), "{e}");
    }

    #[test]
    fn a_role_missing_from_the_file_is_added_under_devices() {
        let text = DEFAULT_TOML.replace("[devices.camera]\ndriver = \"sim\"\nseed = 1\n\n", "");
        assert!(Config::parse(&text, Path::new("t")).is_err());
        let (_dir, path) = booth_file(&text);
        let camera = toml::toml! { driver = "sim" seed = 9 };
        assign_role(&path, DeviceKind::Camera, &camera).unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert!(matches!(c.devices.camera, CameraConfig::Sim(ref s) if s.seed == 9));
    }

    #[test]
    fn an_inline_role_stays_inline_with_its_comment() {
        let text =
            DEFAULT_TOML.replace("[devices.fingerprint]\ndriver = \"sim\"\nseed = 2\n\n", "");
        let text = text.replace(
            "[devices.camera]",
            "[devices]\nfingerprint = { driver = \"sim\", seed = 2 } # by the window\n\n[devices.camera]",
        );
        let (_dir, path) = booth_file(&text);
        assign_role(&path, DeviceKind::FingerprintScanner, &zfm()).unwrap();
        let new = fs::read_to_string(&path).unwrap();
        let expected = text.replace(
            "{ driver = \"sim\", seed = 2 }",
            "{ driver = \"zfm\", baud = 57600, port = \"/dev/ttyUSB0\" }",
        );
        assert_eq!(new, expected);
    }

    #[test]
    fn a_second_assignment_keeps_the_first_as_previous() {
        let (_dir, path) = booth_file(DEFAULT_TOML);
        assign_role(&path, DeviceKind::FingerprintScanner, &zfm()).unwrap();
        let first = fs::read_to_string(&path).unwrap();
        let mut settings = zfm();
        settings.insert("port".into(), "/dev/ttyUSB1".into());
        let assigned = assign_role(&path, DeviceKind::FingerprintScanner, &settings).unwrap();
        assert_eq!(fs::read_to_string(&assigned.previous).unwrap(), first);
        assert!(fs::read_to_string(&path).unwrap().contains("/dev/ttyUSB1"));
    }

    #[test]
    fn the_config_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let (_dir, path) = booth_file(DEFAULT_TOML);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let assigned = assign_role(&path, DeviceKind::FingerprintScanner, &zfm()).unwrap();
        for p in [&assigned.path, &assigned.previous] {
            let mode = fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }

    #[test]
    fn a_linked_config_is_edited_through_the_link() {
        let (dir, real) = booth_file(DEFAULT_TOML);
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let assigned = assign_role(&link, DeviceKind::FingerprintScanner, &zfm()).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(assigned.path, fs::canonicalize(&real).unwrap());
        assert!(fs::read_to_string(&link)
            .unwrap()
            .contains("driver = \"zfm\""));
    }

    #[test]
    fn roles_are_named_as_in_the_file() {
        for kind in DeviceKind::ALL {
            assert_eq!(parse_role(kind.as_str()).unwrap(), kind);
        }
        let e = parse_role("scanner").unwrap_err();
        assert!(
            matches!(e, AssignError::UnknownRole(ref r) if r == "scanner"),
            "{e:?}"
        );
    }
}
