//! The complaint as the booth and the desk both see it: its ticket number, its stages, who may
//! do what in which stage, and the JSON the booth and the desk exchange.
//!
//! # Ticket numbers
//!
//! A ticket number is **12 digits**, `YYMMDD BB SSS C`:
//!
//! | part | meaning |
//! |---|---|
//! | `YYMMDD` | the office's date (WIB) the complaint was received |
//! | `BB` | the booth's number in the office (01–99); `00` is the complaint secretariat itself (phone and walk-in complaints) |
//! | `SSS` | the complaint's number that day at that booth (001–999) |
//! | `C` | a Luhn check digit over the first 11, so a number read over the phone or typed on a keypad with one wrong digit or two swapped neighbours is refused instead of finding someone else's complaint |
//!
//! Digits only, so the booth's numeric keypad can type it; 12 digits, so it can never be taken
//! for a 13-digit proof-of-recording number. It is printed as `PGD 2611 2501 0017` (grouped by
//! four after the PGD prefix, for *pengaduan*); [`TicketNo::parse`] accepts that form, the bare
//! digits, and dashes.
//!
//! # Wire (booth ↔ desk)
//!
//! | call | request | answer |
//! |---|---|---|
//! | `POST /desk/v1/complaints` | [`Complaint`] JSON | 201 new · 200 the same complaint again (idempotent by `id`) [`SubmitReply`] · 409 different content under that id, or the ticket number taken by another complaint · 400 unreadable JSON · 422 a field is wrong ([`ApiError::field`] names it) · 403 the booth is not the key's booth |
//! | `GET /desk/v1/tickets/{ticket_no}` | — | 200 [`StatusReply`] · 404 no such ticket · 400 not a ticket number |
//! | `GET /desk/v1/info` | — | 200 [`DeskInfo`] |
//! | `GET /health` | — | 200 `ok` |
//!
//! Every `/desk` call carries `Authorization: Bearer <key>`, the booth's key from the desk's
//! config; a missing or unknown key is 401. Every error body is an [`ApiError`].

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::domain::numbers::{local_day, luhn_digit, receipt_no_is_well_formed};

pub const COMPLAINTS_PATH: &str = "/desk/v1/complaints";
pub const TICKETS_PATH: &str = "/desk/v1/tickets";
pub const INFO_PATH: &str = "/desk/v1/info";
pub const HEALTH_PATH: &str = "/health";
/// The largest request body the desk reads.
pub const MAX_BODY: usize = 64 * 1024;

/// The booth number of complaints recorded at the secretariat itself (phone, walk-in).
pub const SECRETARIAT_BOOTH: u8 = 0;
/// Complaints one booth can number in one day.
pub const MAX_PER_DAY: u16 = 999;

pub const MAX_NAME: usize = 80;
pub const MAX_CONTACT: usize = 100;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_ANSWER: usize = 2000;

// ---------------------------------------------------------------------------------------------
// Ticket numbers

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("a complaint ticket number has 12 digits; this one has {0}")]
    Length(usize),
    #[error("a complaint ticket number is digits only (after an optional PGD)")]
    NotDigits,
    #[error("the ticket number's check digit is wrong: a digit was mistyped")]
    CheckDigit,
    #[error("the ticket number does not start with a date (YYMMDD)")]
    Date,
    #[error("the sequence number {0} is not between 1 and {MAX_PER_DAY}")]
    Sequence(u16),
    #[error("the booth number {0} is not between 0 and 99")]
    Booth(u8),
}

/// A complaint's ticket number (see the module docs for its parts).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketNo(String);

impl TicketNo {
    /// The ticket for the `sequence`-th complaint of the day of `received_at` (WIB) at booth
    /// `booth_number` (0 for the secretariat).
    pub fn new(
        received_at: Timestamp,
        booth_number: u8,
        sequence: u16,
    ) -> Result<Self, TicketError> {
        if booth_number > 99 {
            return Err(TicketError::Booth(booth_number));
        }
        if !(1..=MAX_PER_DAY).contains(&sequence) {
            return Err(TicketError::Sequence(sequence));
        }
        let base = format!("{}{booth_number:02}{sequence:03}", local_day(received_at));
        let check = luhn_digit(&base);
        Ok(Self(format!("{base}{check}")))
    }

    /// Reads a ticket number as a person gives it: `PGD 2611 2501 0017`, `261125010017`,
    /// `PGD-261125-01-0017`. Spaces and dashes are ignored.
    pub fn parse(s: &str) -> Result<Self, TicketError> {
        let s = s.trim();
        let s = s
            .strip_prefix("PGD")
            .or_else(|| s.strip_prefix("pgd"))
            .unwrap_or(s);
        let digits: String = s.chars().filter(|c| *c != ' ' && *c != '-').collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(TicketError::NotDigits);
        }
        if digits.len() != 12 {
            return Err(TicketError::Length(digits.len()));
        }
        if luhn_digit(&digits[..11]) != char::from(digits.as_bytes()[11]) {
            return Err(TicketError::CheckDigit);
        }
        let num = |r: std::ops::Range<usize>| digits[r].parse::<i8>().unwrap_or(-1);
        if jiff::civil::Date::new(2000 + i16::from(num(0..2)), num(2..4), num(4..6)).is_err() {
            return Err(TicketError::Date);
        }
        let t = Self(digits);
        if t.sequence() == 0 {
            return Err(TicketError::Sequence(0));
        }
        Ok(t)
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The office's date it was received, YYMMDD.
    pub fn day(&self) -> &str {
        &self.0[..6]
    }

    pub fn booth_number(&self) -> u8 {
        self.0[6..8].parse().unwrap_or(0)
    }

    pub fn sequence(&self) -> u16 {
        self.0[8..11].parse().unwrap_or(0)
    }

    /// As printed and read aloud: `PGD 2611 2501 0017`.
    pub fn display(&self) -> String {
        let groups: Vec<&str> = vec![&self.0[..4], &self.0[4..8], &self.0[8..]];
        format!("PGD {}", groups.join(" "))
    }
}

impl fmt::Display for TicketNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl fmt::Debug for TicketNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TicketNo({})", self.0)
    }
}

impl TryFrom<String> for TicketNo {
    type Error = TicketError;
    fn try_from(s: String) -> Result<Self, TicketError> {
        Self::parse(&s)
    }
}

impl From<TicketNo> for String {
    fn from(t: TicketNo) -> String {
        t.0
    }
}

impl std::str::FromStr for TicketNo {
    type Err = TicketError;
    fn from_str(s: &str) -> Result<Self, TicketError> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// The complaint

/// How the complaint reached the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Typed in at a recording booth.
    Booth,
    /// At the complaint secretariat's counter.
    WalkIn,
    /// By telephone to the secretariat.
    Phone,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Booth, Channel::WalkIn, Channel::Phone];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Booth => "booth",
            Channel::WalkIn => "walk_in",
            Channel::Phone => "phone",
        }
    }

    pub fn indonesian(self) -> &'static str {
        match self {
            Channel::Booth => "Anjungan perekaman",
            Channel::WalkIn => "Datang langsung",
            Channel::Phone => "Telepon",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            Channel::Booth => "Recording booth",
            Channel::WalkIn => "Walk-in",
            Channel::Phone => "Telephone",
        }
    }
}

/// What the complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The recording itself (photo, fingerprints, iris, signature, the booth).
    Recording,
    /// The card is not ready although it should be.
    CardNotReady,
    /// Wrong data on the card or in SIAK.
    DataError,
    /// The service or the conduct of staff.
    Service,
    Other,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Recording,
        Category::CardNotReady,
        Category::DataError,
        Category::Service,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Recording => "recording",
            Category::CardNotReady => "card_not_ready",
            Category::DataError => "data_error",
            Category::Service => "service",
            Category::Other => "other",
        }
    }

    /// The label printed on the ticket and shown at the desk.
    pub fn indonesian(self) -> &'static str {
        match self {
            Category::Recording => "Perekaman KTP-el",
            Category::CardNotReady => "KTP-el belum jadi",
            Category::DataError => "Kesalahan data",
            Category::Service => "Pelayanan / sikap petugas",
            Category::Other => "Lainnya",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            Category::Recording => "KTP-el recording",
            Category::CardNotReady => "Card not ready",
            Category::DataError => "Data error",
            Category::Service => "Service / staff conduct",
            Category::Other => "Other",
        }
    }
}

/// The record the complaint is about, when the citizen has one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// The 13-digit number on the proof of recording.
    Receipt(String),
    /// The enrollment packet's id.
    Packet(Uuid),
}

/// One complaint as received. Holds the complainant's name, contact and words: shown to the
/// desk's staff, never logged (its `Debug` shows only ids).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaint {
    /// UUID v7, made where the complaint is first written down; the idempotency key.
    pub id: Uuid,
    pub ticket_no: TicketNo,
    /// The booth's id ("3273-01"), or the secretariat's ("secretariat") for phone and walk-in.
    pub booth_id: String,
    /// When the citizen made the complaint.
    pub received_at: Timestamp,
    pub channel: Channel,
    /// The complainant's name.
    pub complainant: String,
    /// A phone number or an e-mail address to answer to.
    pub contact: String,
    pub category: Category,
    pub description: String,
    #[serde(default)]
    pub link: Option<Link>,
}

impl fmt::Debug for Complaint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Complaint({}, {}, {:?}, {:?})",
            self.id,
            self.ticket_no.as_str(),
            self.channel,
            self.category
        )
    }
}

/// What is wrong with a complaint, naming the field (never its personal content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    #[error(
        "id: a complaint id is a UUID version 7 (the idempotency key); this one is version {0}"
    )]
    IdVersion(usize),
    #[error("{field}: must not be empty")]
    Empty { field: &'static str },
    #[error("{field}: longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field}: contains control characters")]
    Control { field: &'static str },
    #[error("contact: neither a phone number (8–15 digits) nor an e-mail address")]
    Contact,
    #[error("booth_id: 1–32 letters, digits, '-' or '_'")]
    BoothId,
    #[error("link: a proof-of-recording number is 13 digits with a correct check digit")]
    Receipt,
    #[error("ticket_no: {0}")]
    Ticket(TicketError),
    #[error("ticket_no: the ticket's date is not the day the complaint was received (WIB)")]
    TicketDay,
    #[error("channel: complaints from a booth have a booth's ticket number (01–99), complaints by phone or walk-in the secretariat's (00)")]
    ChannelTicket,
}

impl ComplaintError {
    /// The JSON field concerned.
    pub fn field(&self) -> &'static str {
        match self {
            ComplaintError::IdVersion(_) => "id",
            ComplaintError::Empty { field }
            | ComplaintError::TooLong { field, .. }
            | ComplaintError::Control { field } => field,
            ComplaintError::Contact => "contact",
            ComplaintError::BoothId => "booth_id",
            ComplaintError::Receipt => "link",
            ComplaintError::Ticket(_) | ComplaintError::TicketDay => "ticket_no",
            ComplaintError::ChannelTicket => "channel",
        }
    }
}

/// Checks a free-text field: not empty, not too long, no control characters (new lines only
/// where `multiline`).
pub fn check_text(
    field: &'static str,
    value: &str,
    max: usize,
    multiline: bool,
) -> Result<(), ComplaintError> {
    if value.trim().is_empty() {
        return Err(ComplaintError::Empty { field });
    }
    if value.chars().count() > max {
        return Err(ComplaintError::TooLong { field, max });
    }
    if value
        .chars()
        .any(|c| c.is_control() && !(multiline && c == '\n'))
    {
        return Err(ComplaintError::Control { field });
    }
    Ok(())
}

/// Whether `s` is a phone number (8–15 digits, an optional leading `+`, spaces and dashes
/// allowed) or an e-mail address.
pub fn contact_is_valid(s: &str) -> bool {
    let s = s.trim();
    if s.contains('@') {
        let Some((local, domain)) = s.split_once('@') else {
            return false;
        };
        return !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(char::is_whitespace);
    }
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        && (8..=15).contains(&digits)
}

fn booth_id_is_valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Complaint {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ComplaintError> {
        if self.id.get_version_num() != 7 {
            return Err(ComplaintError::IdVersion(self.id.get_version_num()));
        }
        if !booth_id_is_valid(&self.booth_id) {
            return Err(ComplaintError::BoothId);
        }
        if self.ticket_no.day() != local_day(self.received_at) {
            return Err(ComplaintError::TicketDay);
        }
        let from_booth = self.ticket_no.booth_number() != SECRETARIAT_BOOTH;
        if from_booth != (self.channel == Channel::Booth) {
            return Err(ComplaintError::ChannelTicket);
        }
        check_text("complainant", &self.complainant, MAX_NAME, false)?;
        check_text("contact", &self.contact, MAX_CONTACT, false)?;
        if !contact_is_valid(&self.contact) {
            return Err(ComplaintError::Contact);
        }
        check_text("description", &self.description, MAX_DESCRIPTION, true)?;
        if let Some(Link::Receipt(r)) = &self.link {
            if !receipt_no_is_well_formed(r) {
                return Err(ComplaintError::Receipt);
            }
        }
        Ok(())
    }

    /// The bytes that stand for this complaint's content: two submissions under one id are the
    /// same complaint when these are equal.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // A struct of strings, enums and a timestamp always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Roles, stages and the procedure

/// A desk role: one per office unit in the complaint procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The complaint secretariat: receives complaints and forwards them.
    Secretariat,
    /// The Secretary of the agency (Sekretaris Dinas).
    Secretary,
    /// The head of Bidang Pendaftaran Penduduk (population registration).
    HeadPendaftaran,
    /// The head of Bidang Pencatatan Sipil (civil registration).
    HeadPencatatan,
    /// The Head of the Agency, who decides what the others could not resolve.
    KepalaDinas,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Secretariat,
        Role::Secretary,
        Role::HeadPendaftaran,
        Role::HeadPencatatan,
        Role::KepalaDinas,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Secretary => "secretary",
            Role::HeadPendaftaran => "head_pendaftaran",
            Role::HeadPencatatan => "head_pencatatan",
            Role::KepalaDinas => "kepala_dinas",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn indonesian(self) -> &'static str {
        match self {
            Role::Secretariat => "Sekretariat Pengaduan",
            Role::Secretary => "Sekretaris Dinas",
            Role::HeadPendaftaran => "Bidang Pendaftaran Penduduk",
            Role::HeadPencatatan => "Bidang Pencatatan Sipil",
            Role::KepalaDinas => "Kepala Dinas",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            Role::Secretariat => "Complaint secretariat",
            Role::Secretary => "Secretary of the agency",
            Role::HeadPendaftaran => "Population Registration division",
            Role::HeadPencatatan => "Civil Registration division",
            Role::KepalaDinas => "Head of the agency",
        }
    }

    /// Whether this role works on a complaint in `stage`: the open complaints it holds. This is
    /// the role's list at the desk.
    pub fn works_on(self, stage: Stage) -> bool {
        !stage.is_closed() && stage.holder() == self
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the secretariat may forward a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    Secretary,
    Pendaftaran,
    PencatatanSipil,
}

impl Assignee {
    pub const ALL: [Assignee; 3] = [
        Assignee::Secretary,
        Assignee::Pendaftaran,
        Assignee::PencatatanSipil,
    ];

    /// The role that works on complaints forwarded here.
    pub fn role(self) -> Role {
        match self {
            Assignee::Secretary => Role::Secretary,
            Assignee::Pendaftaran => Role::HeadPendaftaran,
            Assignee::PencatatanSipil => Role::HeadPencatatan,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Assignee::Secretary => "secretary",
            Assignee::Pendaftaran => "pendaftaran",
            Assignee::PencatatanSipil => "pencatatan_sipil",
        }
    }

    fn parse(s: &str) -> Option<Assignee> {
        Assignee::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Where a complaint is in the procedure.
///
/// ```text
/// received ──forward──► forwarded(unit) ──resolve──► resolved(unit)
///    │                       │
///    │ (deadline: system)    │ escalate (unit, or the system at the deadline)
///    └───────────────────────┴──────────► escalated ──decide──► decided
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// At the complaint secretariat.
    Received,
    /// With the Secretary or a division.
    Forwarded(Assignee),
    /// Closed by the Secretary or a division with an answer.
    Resolved(Assignee),
    /// With the Kepala Dinas for a decision.
    Escalated,
    /// Closed by the Kepala Dinas with an answer.
    Decided,
}

impl Stage {
    /// The role that holds the complaint (for a closed one: the role that closed it).
    pub fn holder(self) -> Role {
        match self {
            Stage::Received => Role::Secretariat,
            Stage::Forwarded(a) | Stage::Resolved(a) => a.role(),
            Stage::Escalated | Stage::Decided => Role::KepalaDinas,
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Resolved(_) | Stage::Decided)
    }

    /// The stage's key: `received`, `forwarded:secretary`, `resolved:pendaftaran`, …
    pub fn key(self) -> String {
        match self {
            Stage::Received => "received".into(),
            Stage::Forwarded(a) => format!("forwarded:{}", a.as_str()),
            Stage::Resolved(a) => format!("resolved:{}", a.as_str()),
            Stage::Escalated => "escalated".into(),
            Stage::Decided => "decided".into(),
        }
    }

    /// The stage's name without the unit (`forwarded`), for translations.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Forwarded(_) => "forwarded",
            Stage::Resolved(_) => "resolved",
            Stage::Escalated => "escalated",
            Stage::Decided => "decided",
        }
    }

    pub fn parse_key(s: &str) -> Option<Stage> {
        match s.split_once(':') {
            None => match s {
                "received" => Some(Stage::Received),
                "escalated" => Some(Stage::Escalated),
                "decided" => Some(Stage::Decided),
                _ => None,
            },
            Some(("forwarded", a)) => Assignee::parse(a).map(Stage::Forwarded),
            Some(("resolved", a)) => Assignee::parse(a).map(Stage::Resolved),
            Some(_) => None,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// What someone does to a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The secretariat hands the complaint to the Secretary or a division.
    Forward(Assignee),
    /// Closes it with a written answer.
    Resolve,
    /// Passes it to the Kepala Dinas.
    Escalate,
    /// The Kepala Dinas closes it with a written decision.
    Decide,
}

impl Action {
    pub fn key(self) -> String {
        match self {
            Action::Forward(a) => format!("forward:{}", a.as_str()),
            Action::Resolve => "resolve".into(),
            Action::Escalate => "escalate".into(),
            Action::Decide => "decide".into(),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// Who acts: a member of staff in a role, or the desk itself (deadline escalation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Staff(Role),
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Staff(r) => write!(f, "{r}"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The role (or the system) never does this action.
    #[error("{actor} may not {action} complaints")]
    NotPermitted { actor: Actor, action: Action },
    /// The role has this action, but the complaint is with another unit.
    #[error("this complaint is held by {holder}, not by {role}")]
    NotHolder { role: Role, holder: Role },
    /// Nobody may do this in the complaint's stage.
    #[error("a complaint that is {stage} cannot {action}")]
    WrongStage { action: Action, stage: Stage },
}

fn permitted(actor: Actor, action: Action) -> bool {
    match actor {
        Actor::Staff(Role::Secretariat) => matches!(action, Action::Forward(_)),
        Actor::Staff(Role::Secretary | Role::HeadPendaftaran | Role::HeadPencatatan) => {
            matches!(action, Action::Resolve | Action::Escalate)
        }
        Actor::Staff(Role::KepalaDinas) => action == Action::Decide,
        Actor::System => action == Action::Escalate,
    }
}

/// The procedure in one place: the stage `action` by `actor` takes a complaint in `stage` to,
/// or why it is refused.
///
/// - the secretariat forwards a received complaint to the Secretary or a division;
/// - the unit holding a forwarded complaint resolves it (with an answer) or escalates it;
/// - the Kepala Dinas decides an escalated complaint (with an answer);
/// - the system escalates any open complaint not yet with the Kepala Dinas (at its deadline).
pub fn next_stage(actor: Actor, action: Action, stage: Stage) -> Result<Stage, Refusal> {
    if !permitted(actor, action) {
        return Err(Refusal::NotPermitted { actor, action });
    }
    let next = match (actor, action, stage) {
        (_, Action::Forward(a), Stage::Received) => Some(Stage::Forwarded(a)),
        (Actor::Staff(r), Action::Resolve, Stage::Forwarded(a)) if a.role() == r => {
            Some(Stage::Resolved(a))
        }
        (Actor::Staff(r), Action::Escalate, Stage::Forwarded(a)) if a.role() == r => {
            Some(Stage::Escalated)
        }
        (Actor::System, Action::Escalate, Stage::Received | Stage::Forwarded(_)) => {
            Some(Stage::Escalated)
        }
        (_, Action::Decide, Stage::Escalated) => Some(Stage::Decided),
        _ => None,
    };
    match (next, actor) {
        (Some(next), _) => Ok(next),
        (None, Actor::Staff(role)) if !stage.is_closed() && stage.holder() != role => {
            Err(Refusal::NotHolder {
                role,
                holder: stage.holder(),
            })
        }
        (None, _) => Err(Refusal::WrongStage { action, stage }),
    }
}

/// Whether the action closes the complaint and so needs a written answer.
pub fn needs_answer(action: Action) -> bool {
    matches!(action, Action::Resolve | Action::Decide)
}

// ---------------------------------------------------------------------------------------------
// Wire types

/// The desk's answer to a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitReply {
    pub id: Uuid,
    pub ticket_no: TicketNo,
    /// True when the desk already had this very complaint (an idempotent repeat).
    pub repeat: bool,
    pub stage: Stage,
    /// When the desk first stored it.
    pub stored_at: Timestamp,
}

/// Where a complaint stands, for the citizen who asks with the ticket number: no names, no
/// contact, no description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReply {
    pub ticket_no: TicketNo,
    pub stage: Stage,
    /// The unit that holds it (or closed it).
    pub holder: Role,
    pub received_at: Timestamp,
    /// By when it must be resolved before it goes to the Kepala Dinas.
    pub deadline_at: Timestamp,
    /// The written answer, once resolved or decided.
    pub answer: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

/// What the booth prints on a complaint ticket about the office's complaint service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskInfo {
    pub office: String,
    pub complaint_phone: String,
    /// Hours until an unresolved complaint goes to the Kepala Dinas.
    pub deadline_hours: u32,
}

/// Every error body (shared with the centre): a stable code, a message, and the field concerned.
pub use crate::wire::http::ApiError;

#[cfg(test)]
mod tests;
