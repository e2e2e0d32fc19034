//! `VirtualCard`: an in-process ISO/IEC 7816-4 card with a flat file system — the MF (3F00)
//! holding transparent EFs in an 8 KB EEPROM — and scriptable card faults (tear, mute, wrong
//! status word). It answers raw APDUs, so it can sit behind a `CardEncoder` here or behind the
//! vpcd socket protocol.
//!
//! Commands (CLA 00):
//! - `A4` SELECT by file identifier: `00 A4 00 0C 02 FID` (no answer data) or P2 `00`/`04`
//!   (answers the FCP: `62 L 82 01 01 83 02 FID 80 02 SIZE`); FID 3F00 or no data selects the MF.
//! - `E0` CREATE FILE `00 E0 00 00 Lc 62 L [82 01 01] 83 02 FID 80 02 SIZE`; the new EF becomes
//!   current.
//! - `B0` READ BINARY `00 B0 OFF_HI OFF_LO Le` and `D6` UPDATE BINARY `00 D6 OFF_HI OFF_LO Lc
//!   DATA`, short or extended.
//! - `E4` DELETE FILE `00 E4 00 00 02 FID`, or `00 E4 00 00` for the current EF.
//!
//! - `A4` SELECT by DF name: `00 A4 04 0C|00 07 A0000002471001` selects the ICAO LDS1
//!   application (P2 `00` answers its FCP with the life-cycle status).
//! - `44` ACTIVATE FILE (ISO/IEC 7816-9) `00 44 04 00 07 AID`: ends personalisation; the
//!   application goes to life-cycle state *operational, activated* (`8A 05`).
//!
//! # The LDS1 application and its life cycle
//!
//! The EFs live in the LDS1 application (AID `A0 00 00 02 47 10 01`), the card's default
//! application: it is current after power-up, selecting the MF leaves it (EFs are then not
//! found) and selecting its AID comes back. It leaves the factory in life-cycle state
//! *initialisation* (`8A 03`), in which, as ISO/IEC 7816-4 §7.4.10 allows, security attributes
//! are not enforced: the personaliser creates, writes and deletes freely. Each EF may carry
//! compact security attributes in its FCP (`8C AM SC…`, §7.4.3.4). After ACTIVATE the
//! application is *operational* (`8A 05`), for good: CREATE FILE, DELETE FILE and ACTIVATE
//! answer 6982, and READ/UPDATE BINARY are allowed only where the EF's attributes say
//! "always" (`SC 00`); an EF without attributes, or any other condition, is "never" (this card
//! has no secure messaging or authentication to satisfy one). A real card OS enforces the same.
//!
//! Status words: see [`sw`].

mod apdu;

pub use apdu::{is_extended, parse, Command};

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

/// The status words this card answers.
pub mod sw {
    pub const OK: u16 = 0x9000;
    /// End of file reached before Le bytes were read.
    pub const END_OF_FILE: u16 = 0x6282;
    /// Wrong length: malformed APDU, or a write past the end of the file.
    pub const WRONG_LENGTH: u16 = 0x6700;
    /// Deleting the MF is not allowed.
    pub const CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
    /// No current EF.
    pub const NO_CURRENT_EF: u16 = 0x6986;
    /// The FCP of a CREATE FILE could not be used.
    pub const WRONG_DATA: u16 = 0x6A80;
    pub const FILE_NOT_FOUND: u16 = 0x6A82;
    pub const NOT_ENOUGH_MEMORY: u16 = 0x6A84;
    pub const WRONG_P1P2: u16 = 0x6A86;
    pub const FILE_EXISTS: u16 = 0x6A89;
    /// Offset beyond the end of the file.
    pub const WRONG_OFFSET: u16 = 0x6B00;
    /// Le too short for the answer; SW2 carries the exact length.
    pub const WRONG_LE: u16 = 0x6C00;
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    /// Security status not satisfied: the access condition of the command is not met (every
    /// write, create and delete once the application is operational).
    pub const SECURITY_NOT_SATISFIED: u16 = 0x6982;
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;
}

/// The MF's file identifier.
pub const MF: u16 = 0x3F00;
/// The e-KTP chip's EEPROM budget.
pub const DEFAULT_EEPROM_BYTES: usize = 8192;
/// What each file costs in the EEPROM beyond its data (header, FCP, allocation).
pub const FILE_OVERHEAD_BYTES: usize = 32;
/// The ICAO Doc 9303 LDS1 application identifier.
pub const LDS1_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
/// Life-cycle status bytes (ISO/IEC 7816-4 table 15).
pub const LCS_INITIALISATION: u8 = 0x03;
pub const LCS_OPERATIONAL_ACTIVATED: u8 = 0x05;

/// Access-mode bits of a compact security attribute for an EF (ISO/IEC 7816-4 table 17).
const AM_UPDATE: u8 = 0x02;
const AM_READ: u8 = 0x01;

/// A fault the card meets, one per command in script order. Mute and wrong-status apply to the
/// command that takes them; a tear is armed by its command and strikes during a later (or that)
/// UPDATE BINARY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFault {
    /// The next command runs normally (lets a script strike the fifth command, not the first).
    Pass,
    /// The card is pulled once this many more bytes have been written: the UPDATE during which
    /// that happens writes only up to the budget, gets no answer, and the card is gone.
    TearAfter(usize),
    /// The next command is not answered (the reader times out); the card stays usable.
    Mute,
    /// The next command is not executed and answers this status word instead.
    WrongStatus(u16),
    /// The card leaves the reader just before the next command: it is not executed, gets no
    /// answer, and the card is gone until powered up again.
    Pull,
}

/// What the card does with one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardReply {
    /// Response data followed by SW1 SW2.
    Response(Vec<u8>),
    /// No answer at all.
    Mute,
    /// The card left the reader during this command (and answers nothing until powered up
    /// again, i.e. reinserted).
    Torn,
}

/// An ISO/IEC 7816-4 card with transparent EFs under the MF.
#[derive(Clone, PartialEq, Eq)]
pub struct VirtualCard {
    files: BTreeMap<u16, Vec<u8>>,
    /// Each EF's compact security attributes (the value of its FCP's `8C`), when given.
    attributes: BTreeMap<u16, Vec<u8>>,
    /// Whether the LDS1 application is the current DF (else the MF is).
    in_application: bool,
    /// The application's life-cycle status.
    lcs: u8,
    current: Option<u16>,
    capacity: usize,
    extended_length: bool,
    faults: VecDeque<CardFault>,
    tear_budget: Option<usize>,
    torn: bool,
}

// File contents are personal data: show the layout only.
impl fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<String> = self
            .files
            .iter()
            .map(|(fid, data)| format!("{fid:04X}:{}", data.len()))
            .collect();
        f.debug_struct("VirtualCard")
            .field("files", &sizes)
            .field("used", &self.used_bytes())
            .field("capacity", &self.capacity)
            .field("lcs", &self.lcs)
            .field("torn", &self.torn)
            .finish()
    }
}

impl Default for VirtualCard {
    fn default() -> Self {
        Self::new()
    }
}

/// Response data and the status word that ends it; `Err` carries a bare error status word.
type Answer = Result<(Vec<u8>, u16), u16>;

fn ok(data: Vec<u8>) -> Answer {
    Ok((data, sw::OK))
}

impl VirtualCard {
    /// A blank card: 8 KB EEPROM, extended length supported.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_EEPROM_BYTES)
    }

    /// A blank card with another EEPROM budget.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            files: BTreeMap::new(),
            attributes: BTreeMap::new(),
            in_application: true,
            lcs: LCS_INITIALISATION,
            current: None,
            capacity,
            extended_length: true,
            faults: VecDeque::new(),
            tear_budget: None,
            torn: false,
        }
    }

    /// The same card limited to short APDUs (extended ones get 6700).
    pub fn short_only(mut self) -> Self {
        self.extended_length = false;
        self
    }

    pub fn supports_extended_length(&self) -> bool {
        self.extended_length
    }

    /// The answer to reset: T=0 and T=1, historical bytes with the card capabilities
    /// (selection by file identifier; extended Lc/Le when supported).
    pub fn atr(&self) -> Vec<u8> {
        let ext = if self.extended_length { 0x40 } else { 0x00 };
        let historical = [0x80, 0x73, 0x10, 0x01, ext];
        let mut atr = vec![0x3B, 0x80 | historical.len() as u8, 0x80, 0x01];
        atr.extend_from_slice(&historical);
        let tck = atr[1..].iter().fold(0u8, |x, b| x ^ b);
        atr.push(tck);
        atr
    }

    /// Power-up after insertion: the default (LDS1) application is current again, no EF is,
    /// and a torn card works again. The life-cycle state is kept: it is in EEPROM.
    pub fn power_up(&mut self) {
        self.current = None;
        self.in_application = true;
        self.torn = false;
    }

    /// The application's life-cycle status byte (`03` initialisation, `05` operational).
    pub fn life_cycle(&self) -> u8 {
        self.lcs
    }

    /// Whether personalisation was closed (ACTIVATE): the card can no longer be written.
    pub fn is_operational(&self) -> bool {
        self.lcs == LCS_OPERATIONAL_ACTIVATED
    }

    /// The compact security attributes file `fid` was created with.
    pub fn attributes(&self, fid: u16) -> Option<&[u8]> {
        self.attributes.get(&fid).map(Vec::as_slice)
    }

    /// Appends card faults to meet.
    pub fn script(&mut self, faults: Vec<CardFault>) {
        self.faults.extend(faults);
    }

    /// Whether the card was torn out and not powered up since.
    pub fn is_torn(&self) -> bool {
        self.torn
    }

    /// Every EF and its content.
    pub fn contents(&self) -> &BTreeMap<u16, Vec<u8>> {
        &self.files
    }

    /// One EF's content.
    pub fn file(&self, fid: u16) -> Option<&[u8]> {
        self.files.get(&fid).map(Vec::as_slice)
    }

    /// The current EF, if any.
    pub fn current_ef(&self) -> Option<u16> {
        self.current
    }

    /// EEPROM in use: every file's size plus its overhead.
    pub fn used_bytes(&self) -> usize {
        self.files
            .values()
            .map(|f| f.len() + FILE_OVERHEAD_BYTES)
            .sum()
    }

    pub fn free_bytes(&self) -> usize {
        self.capacity.saturating_sub(self.used_bytes())
    }

    /// Answers one command APDU with response data + SW1 SW2. Card faults apply: a mute or
    /// torn card answers an empty vector (no answer); use [`exchange`](Self::exchange) to tell
    /// them apart.
    pub fn process_apdu(&mut self, apdu: &[u8]) -> Vec<u8> {
        match self.exchange(apdu) {
            CardReply::Response(r) => r,
            CardReply::Mute | CardReply::Torn => Vec::new(),
        }
    }

    /// Answers one command APDU, applying the scripted card faults.
    pub fn exchange(&mut self, apdu: &[u8]) -> CardReply {
        if self.torn {
            return CardReply::Torn;
        }
        match self.faults.pop_front() {
            Some(CardFault::Mute) => return CardReply::Mute,
            Some(CardFault::WrongStatus(status)) => {
                return CardReply::Response(status.to_be_bytes().to_vec())
            }
            Some(CardFault::TearAfter(n)) => self.tear_budget = Some(n),
            Some(CardFault::Pull) => {
                self.torn = true;
                return CardReply::Torn;
            }
            Some(CardFault::Pass) | None => {}
        }
        let answer = self.execute(apdu);
        if self.torn {
            return CardReply::Torn;
        }
        let (mut data, status) = answer.unwrap_or_else(|status| (Vec::new(), status));
        data.extend_from_slice(&status.to_be_bytes());
        CardReply::Response(data)
    }

    fn execute(&mut self, apdu: &[u8]) -> Answer {
        if apdu.len() < 4 {
            return Err(sw::WRONG_LENGTH);
        }
        if apdu[0] != 0x00 {
            return Err(sw::CLA_NOT_SUPPORTED);
        }
        if !matches!(apdu[1], 0x44 | 0xA4 | 0xB0 | 0xD6 | 0xE0 | 0xE4) {
            return Err(sw::INS_NOT_SUPPORTED);
        }
        let cmd = parse(apdu).ok_or(sw::WRONG_LENGTH)?;
        if cmd.extended && !self.extended_length {
            return Err(sw::WRONG_LENGTH);
        }
        match cmd.ins {
            0xA4 => self.select(&cmd),
            0xB0 => self.read_binary(&cmd),
            0xD6 => self.update_binary(&cmd),
            0xE0 => self.create_file(&cmd),
            0x44 => self.activate(&cmd),
            _ => self.delete_file(&cmd),
        }
    }

    /// Whether the EF's attributes allow `access` (one of the AM bits) now: always before the
    /// application is operational; afterwards only where the attributes say "always" (SC 00).
    fn allowed(&self, fid: u16, access: u8) -> bool {
        if !self.is_operational() {
            return true;
        }
        let Some([am, sc @ ..]) = self.attributes.get(&fid).map(Vec::as_slice) else {
            return false;
        };
        if am & access == 0 || am & 0x80 != 0 {
            return false;
        }
        // One SC byte per AM bit set, from b7 down to b1.
        let index = (0..7)
            .rev()
            .filter(|b| am & (1 << b) != 0)
            .position(|b| 1 << b == access);
        index.and_then(|i| sc.get(i)) == Some(&0x00)
    }

    fn activate(&mut self, cmd: &Command<'_>) -> Answer {
        if cmd.p1 != 0x04 || cmd.p2 != 0x00 {
            return Err(sw::WRONG_P1P2);
        }
        if cmd.data != LDS1_AID {
            return Err(sw::FILE_NOT_FOUND);
        }
        if self.is_operational() {
            return Err(sw::SECURITY_NOT_SATISFIED);
        }
        self.lcs = LCS_OPERATIONAL_ACTIVATED;
        ok(Vec::new())
    }

    fn select(&mut self, cmd: &Command<'_>) -> Answer {
        let fcp_wanted = match cmd.p2 {
            0x00 | 0x04 => true,
            0x0C => false,
            _ => return Err(sw::WRONG_P1P2),
        };
        if cmd.p1 == 0x04 {
            if cmd.data != LDS1_AID {
                return Err(sw::FILE_NOT_FOUND);
            }
            self.in_application = true;
            self.current = None;
            let mut fcp = vec![0x62, 0x0E, 0x82, 0x01, 0x38, 0x84, 0x07];
            fcp.extend_from_slice(&LDS1_AID);
            fcp.extend_from_slice(&[0x8A, 0x01, self.lcs]);
            return match (fcp_wanted, cmd.le) {
                (false, _) => ok(Vec::new()),
                (true, Some(le)) if le < fcp.len() => Err(sw::WRONG_LE | fcp.len() as u16),
                (true, _) => ok(fcp),
            };
        }
        if !matches!(cmd.p1, 0x00 | 0x02) {
            return Err(sw::WRONG_P1P2);
        }
        let fid = match cmd.data {
            [] if cmd.p1 == 0x00 => MF,
            [hi, lo] => u16::from_be_bytes([*hi, *lo]),
            _ => return Err(sw::WRONG_LENGTH),
        };
        let fcp = if fid == MF {
            self.current = None;
            self.in_application = false;
            vec![0x62, 0x07, 0x82, 0x01, 0x38, 0x83, 0x02, 0x3F, 0x00]
        } else {
            if !self.in_application {
                return Err(sw::FILE_NOT_FOUND);
            }
            let size = self.files.get(&fid).ok_or(sw::FILE_NOT_FOUND)?.len();
            self.current = Some(fid);
            let [f1, f2] = fid.to_be_bytes();
            let [s1, s2] = u16::try_from(size).unwrap_or(u16::MAX).to_be_bytes();
            let mut body = vec![
                0x82, 0x01, 0x01, 0x83, 0x02, f1, f2, 0x80, 0x02, s1, s2, 0x8A, 0x01, self.lcs,
            ];
            if let Some(attrs) = self.attributes.get(&fid) {
                body.push(0x8C);
                body.push(attrs.len() as u8);
                body.extend_from_slice(attrs);
            }
            let mut fcp = vec![0x62, body.len() as u8];
            fcp.extend_from_slice(&body);
            fcp
        };
        match (fcp_wanted, cmd.le) {
            (false, _) => ok(Vec::new()),
            (true, Some(le)) if le < fcp.len() => Err(sw::WRONG_LE | fcp.len() as u16),
            (true, _) => ok(fcp),
        }
    }

    /// The current EF and the offset P1 P2 give (short EF identifiers are not supported).
    fn target(&self, cmd: &Command<'_>) -> Result<(u16, usize), u16> {
        if cmd.p1 & 0x80 != 0 {
            return Err(sw::WRONG_P1P2);
        }
        let fid = self.current.ok_or(sw::NO_CURRENT_EF)?;
        Ok((fid, usize::from(cmd.p1) << 8 | usize::from(cmd.p2)))
    }

    fn read_binary(&mut self, cmd: &Command<'_>) -> Answer {
        if !cmd.data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        let le = cmd.le.ok_or(sw::WRONG_LENGTH)?;
        let (fid, offset) = self.target(cmd)?;
        if !self.allowed(fid, AM_READ) {
            return Err(sw::SECURITY_NOT_SATISFIED);
        }
        let file = self.files.get(&fid).ok_or(sw::NO_CURRENT_EF)?;
        if offset > file.len() {
            return Err(sw::WRONG_OFFSET);
        }
        let end = file.len().min(offset + le);
        let data = file[offset..end].to_vec();
        let status = if data.len() < le {
            sw::END_OF_FILE
        } else {
            sw::OK
        };
        Ok((data, status))
    }

    fn update_binary(&mut self, cmd: &Command<'_>) -> Answer {
        if cmd.data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        let (fid, offset) = self.target(cmd)?;
        if !self.allowed(fid, AM_UPDATE) {
            return Err(sw::SECURITY_NOT_SATISFIED);
        }
        let file = self.files.get_mut(&fid).ok_or(sw::NO_CURRENT_EF)?;
        if offset > file.len() {
            return Err(sw::WRONG_OFFSET);
        }
        if offset + cmd.data.len() > file.len() {
            return Err(sw::WRONG_LENGTH);
        }
        let mut data = cmd.data;
        if let Some(budget) = self.tear_budget {
            if data.len() >= budget {
                // The card leaves the reader mid-write: only the bytes within budget land.
                data = &data[..budget];
                self.tear_budget = None;
                self.torn = true;
            } else {
                self.tear_budget = Some(budget - data.len());
            }
        }
        file[offset..offset + data.len()].copy_from_slice(data);
        ok(Vec::new())
    }

    fn create_file(&mut self, cmd: &Command<'_>) -> Answer {
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return Err(sw::WRONG_P1P2);
        }
        if cmd.data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        if self.is_operational() {
            return Err(sw::SECURITY_NOT_SATISFIED);
        }
        if !self.in_application {
            return Err(sw::CONDITIONS_NOT_SATISFIED);
        }
        let (fid, size, attributes) = parse_fcp(cmd.data).ok_or(sw::WRONG_DATA)?;
        if fid == MF || self.files.contains_key(&fid) {
            return Err(sw::FILE_EXISTS);
        }
        if self.used_bytes() + size + FILE_OVERHEAD_BYTES > self.capacity {
            return Err(sw::NOT_ENOUGH_MEMORY);
        }
        self.files.insert(fid, vec![0; size]);
        if let Some(a) = attributes {
            self.attributes.insert(fid, a);
        }
        self.current = Some(fid);
        ok(Vec::new())
    }

    fn delete_file(&mut self, cmd: &Command<'_>) -> Answer {
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return Err(sw::WRONG_P1P2);
        }
        if self.is_operational() {
            return Err(sw::SECURITY_NOT_SATISFIED);
        }
        let fid = match cmd.data {
            [] => self.current.ok_or(sw::NO_CURRENT_EF)?,
            [hi, lo] => u16::from_be_bytes([*hi, *lo]),
            _ => return Err(sw::WRONG_LENGTH),
        };
        if fid == MF {
            return Err(sw::CONDITIONS_NOT_SATISFIED);
        }
        if !self.in_application {
            return Err(sw::FILE_NOT_FOUND);
        }
        self.files.remove(&fid).ok_or(sw::FILE_NOT_FOUND)?;
        self.attributes.remove(&fid);
        if self.current == Some(fid) {
            self.current = None;
        }
        ok(Vec::new())
    }
}

/// Reads one BER-TLV with a one-byte tag off the front of `data` (lengths in their shortest
/// form).
fn next_tlv(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    // The booth's one strict codec: a non-minimal length is refused here as everywhere.
    let (t, end) = ktpel_ber_tlv::parse_at(data, 0).ok()?;
    let tag = u8::try_from(t.tag).ok()?;
    Some((tag, t.value, data.get(end..)?))
}

/// The file identifier, size and compact security attributes of a CREATE FILE's FCP template
/// (62): 83 (2 bytes) and 80 (1 or 2 bytes) required; 82, when given, must say "working EF,
/// transparent" (01); 8C, when given, must hold an access-mode byte and one security-condition
/// byte per access-mode bit set.
fn parse_fcp(data: &[u8]) -> Option<(u16, usize, Option<Vec<u8>>)> {
    let (tag, mut body, rest) = next_tlv(data)?;
    if tag != 0x62 || !rest.is_empty() {
        return None;
    }
    let (mut fid, mut size, mut attributes) = (None, None, None);
    while !body.is_empty() {
        let (tag, value, rest) = next_tlv(body)?;
        match (tag, value) {
            (0x82, [0x01, ..]) => {}
            (0x82, _) => return None,
            (0x83, [hi, lo]) => fid = Some(u16::from_be_bytes([*hi, *lo])),
            (0x80, [n]) => size = Some(usize::from(*n)),
            (0x80, [hi, lo]) => size = Some(usize::from(*hi) << 8 | usize::from(*lo)),
            (0x83 | 0x80, _) => return None,
            (0x8C, [am, sc @ ..]) if am & 0x80 == 0 && sc.len() == am.count_ones() as usize => {
                attributes = Some(value.to_vec())
            }
            (0x8C, _) => return None,
            _ => {} // other FCP tags (security attributes, ...) are accepted and ignored
        }
        body = rest;
    }
    match fid? {
        0xFFFF | 0x3FFF => None,
        fid => Some((fid, size?, attributes)),
    }
}

#[cfg(test)]
mod tests;
