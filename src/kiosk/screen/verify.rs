//! SOP step 3: the NIK on the keypad, checked here part by part, then looked up in SIAK; the
//! resident's data shown for the operator to confirm with the applicant — together with any
//! record the centre or this booth already holds for the NIK. An earlier record stops a new
//! recording (re-recording is the field's best-known cause of duplicates): the operator opens
//! it (pickup, status) or takes a complaint, and only a supervisor's PIN with a reason lets a
//! second recording go ahead. That approval travels in the packet.

use iced::widget::{column, row, text};
use iced::{Element, Length, Task};

use super::{step_header, Action, Ctx, Page};
use crate::booth::centre_client::CentreError;
use crate::booth::procedure::{Step, StepClock};
use crate::booth::service::applicant::Verified;
use crate::booth::service::{Action as Permission, SignInError, Staff};
use crate::booth::LookupError;
use crate::domain::nik::NikError;
use crate::domain::resident::Resident;
use crate::enrollment::Approval;
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::screen::supervisor_pin::SupervisorPin;
use crate::kiosk::Nav;
use crate::t;
use crate::widgets::keypad::{self, Key};
use crate::widgets::theme::{self, Kind};
use crate::widgets::typing::Typed;

/// Why a supervisor allows a NIK that already has a record to be recorded again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RerecordReason {
    /// The applicant moved house and their data changed.
    MovedHouse,
    /// Their population data were corrected.
    DataChanged,
    /// The card was lost or damaged and the Dinas asks for a new recording.
    LostOrDamaged,
    /// The centre asked for the person to be recorded again.
    CentreAsked,
}

impl RerecordReason {
    pub const ALL: [RerecordReason; 4] = [
        RerecordReason::MovedHouse,
        RerecordReason::DataChanged,
        RerecordReason::LostOrDamaged,
        RerecordReason::CentreAsked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RerecordReason::MovedHouse => "moved_house",
            RerecordReason::DataChanged => "data_changed",
            RerecordReason::LostOrDamaged => "lost_or_damaged",
            RerecordReason::CentreAsked => "centre_asked",
        }
    }
}

/// Who was verified, and the supervisor's approval when the NIK had a record already.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub verified: Verified,
    pub approval: Option<Approval>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Check,
    Looked(Result<Box<Verified>, LookupError>),
    Confirm,
    /// Open this booth's earlier record of the NIK.
    OpenEarlier,
    /// The applicant has a complaint instead.
    Complaint,
    /// Start asking a supervisor to allow a re-recording, for this reason.
    AskSupervisor(RerecordReason),
    Approve,
    /// The supervisor, and when they approved (unix ms on the booth's clock).
    Approved(Result<(Staff, i64), SignInError>),
    Cancel,
}

#[derive(Debug)]
pub enum Request {
    Lookup(String),
    Approve(String),
}

pub enum Lookup {
    Idle,
    Checking,
    Found(Box<Verified>),
    Failed(LookupError),
}

/// The supervisor's PIN being typed for a re-recording.
struct Asking {
    reason: RerecordReason,
    pin: SupervisorPin,
}

pub struct State {
    nik: String,
    lookup: Lookup,
    asking: Option<Asking>,
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        match message {
            Message::Key(k) => {
                match &mut self.asking {
                    Some(a) => a.pin.key(k),
                    None if !matches!(self.lookup, Lookup::Checking) => {
                        keypad::apply(&mut self.nik, k, 16);
                        self.lookup = Lookup::Idle;
                    }
                    None => {}
                }
                Action::None
            }
            Message::Check => {
                if matches!(self.lookup, Lookup::Checking) || self.nik.len() != 16 {
                    return Action::None;
                }
                self.lookup = Lookup::Checking;
                Action::Run(Request::Lookup(self.nik.clone()))
            }
            Message::Looked(Ok(v)) => {
                self.lookup = Lookup::Found(v);
                Action::None
            }
            Message::Looked(Err(e)) => {
                self.lookup = Lookup::Failed(e);
                Action::None
            }
            Message::Confirm => match &self.lookup {
                Lookup::Found(v) if v.prior().is_none() => {
                    Action::Go(Nav::StepDone(Some(Box::new(Confirmed {
                        verified: (**v).clone(),
                        approval: None,
                    }))))
                }
                _ => Action::None,
            },
            Message::OpenEarlier => match &self.lookup {
                Lookup::Found(v) => match v.open_here() {
                    Some(row) => Action::Go(Nav::Open(row.packet_id)),
                    None => Action::None,
                },
                _ => Action::None,
            },
            Message::Complaint => match &self.lookup {
                Lookup::Found(v) => {
                    Action::Go(Nav::Complaint(Some(crate::kiosk::ComplaintAbout {
                        name: v.resident.name.clone(),
                        receipt_no: v
                            .open_here()
                            .map(|r| r.receipt_no.clone())
                            .unwrap_or_default(),
                    })))
                }
                _ => Action::None,
            },
            Message::AskSupervisor(reason) => {
                if matches!(&self.lookup, Lookup::Found(v) if v.prior().is_some()) {
                    self.asking = Some(Asking {
                        reason,
                        pin: SupervisorPin::default(),
                    });
                }
                Action::None
            }
            Message::Approve => match self.asking.as_mut().and_then(|a| a.pin.submit()) {
                Some(pin) => Action::Run(Request::Approve(pin)),
                None => Action::None,
            },
            Message::Approved(Ok((supervisor, at_ms))) => {
                let (Some(a), Lookup::Found(v)) = (self.asking.take(), &self.lookup) else {
                    return Action::None;
                };
                Action::Go(Nav::StepDone(Some(Box::new(Confirmed {
                    verified: (**v).clone(),
                    approval: Some(Approval {
                        what: "rerecord".into(),
                        reason: a.reason.as_str().into(),
                        supervisor_id: supervisor.id,
                        at_ms,
                    }),
                }))))
            }
            Message::Approved(Err(e)) => {
                if let Some(a) = &mut self.asking {
                    a.pin.refuse(e);
                }
                Action::None
            }
            Message::Cancel => {
                if self.asking.take().is_some() {
                    return Action::None;
                }
                Action::Go(Nav::Home)
            }
        }
    }

    fn typed(&self, typed: Typed, _at: std::time::Instant) -> Option<Message> {
        match typed {
            Typed::Enter => Some(match (&self.asking, &self.lookup) {
                (Some(_), _) => Message::Approve,
                (None, Lookup::Found(v)) if v.prior().is_none() => Message::Confirm,
                (None, _) => Message::Check,
            }),
            t => t.keypad().map(Message::Key),
        }
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        match request {
            Request::Lookup(nik) => Task::perform(
                async move { ctx.service.lookup(&ctx.who, &nik).await.map(Box::new) },
                Message::Looked,
            ),
            Request::Approve(pin) => Task::perform(
                async move {
                    let who = ctx.service.approve(pin, Permission::Approve).await?;
                    Ok((who, ctx.service.clock().now().as_millisecond()))
                },
                Message::Approved,
            ),
        }
    }
}

impl State {
    pub fn new() -> Self {
        Self {
            nik: String::new(),
            lookup: Lookup::Idle,
            asking: None,
        }
    }

    pub fn lookup(&self) -> &Lookup {
        &self.lookup
    }

    pub fn view(&self, lang: Lang, clock: StepClock) -> Element<'_, Message> {
        let shown = if self.nik.is_empty() {
            t!(lang, "verify-enter-nik")
        } else {
            keypad::framed(&self.nik, 16)
        };
        // Until someone is found, the room for an alert is kept: "Periksa ke SIAK" stays put.
        let result: Element<'_, Message> = match &self.lookup {
            Lookup::Idle => theme::alert_slot(None),
            Lookup::Checking => theme::alert_slot(Some(
                text(t!(lang, "verify-checking")).size(theme::BODY).into(),
            )),
            Lookup::Failed(e) => theme::alert_slot(Some(theme::alert(lookup_message(lang, e)))),
            Lookup::Found(v) => found_panel(lang, v),
        };
        let actions: Element<'_, Message> = match (&self.lookup, &self.asking) {
            (_, Some(a)) => self.asking_view(lang, a),
            (Lookup::Found(v), None) => match v.prior() {
                None => row![
                    theme::action(
                        t!(lang, "verify-confirm"),
                        Kind::Success,
                        Some(Message::Confirm)
                    ),
                    theme::action(
                        t!(lang, "verify-retype"),
                        Kind::Secondary,
                        Some(Message::Key(Key::Clear))
                    ),
                ]
                .spacing(theme::GAP)
                .into(),
                Some(_) => {
                    let mut paths = row![].spacing(theme::GAP);
                    if v.open_here().is_some() {
                        paths = paths.push(theme::action(
                            t!(lang, "verify-open-earlier"),
                            Kind::Primary,
                            Some(Message::OpenEarlier),
                        ));
                    }
                    paths = paths
                        .push(theme::action(
                            t!(lang, "home-complaint"),
                            Kind::Secondary,
                            Some(Message::Complaint),
                        ))
                        .push(theme::action(
                            t!(lang, "cancel"),
                            Kind::Secondary,
                            Some(Message::Cancel),
                        ));
                    let reasons = RerecordReason::ALL.iter().fold(
                        row![].spacing(theme::GAP / 2.0),
                        |r, reason| {
                            r.push(
                                theme::action(
                                    tr(lang, &format!("rerecord-{}", reason.as_str())),
                                    Kind::Danger,
                                    Some(Message::AskSupervisor(*reason)),
                                )
                                .width(Length::Fill),
                            )
                        },
                    );
                    column![
                        paths,
                        text(t!(lang, "verify-rerecord-needs-supervisor")).size(theme::SMALL),
                        reasons,
                    ]
                    .spacing(theme::GAP / 2.0)
                    .into()
                }
            },
            _ => row![
                theme::action(
                    t!(lang, "verify-check"),
                    Kind::Primary,
                    (self.nik.len() == 16 && !matches!(self.lookup, Lookup::Checking))
                        .then_some(Message::Check),
                ),
                theme::action(t!(lang, "cancel"), Kind::Secondary, Some(Message::Cancel)),
            ]
            .spacing(theme::GAP)
            .into(),
        };
        let left = column![
            step_header(lang, Step::Verify, clock),
            text(t!(lang, "verify-nik-label")).size(theme::BODY),
            text(shown).size(theme::TITLE),
            result,
            actions,
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        theme::page(row![left, keypad::view(Message::Key)].spacing(theme::GAP * 2.0))
    }

    fn asking_view<'a>(&'a self, lang: Lang, a: &'a Asking) -> Element<'a, Message> {
        let mut col = column![
            text(t!(
                lang,
                "verify-supervisor-pin",
                reason = tr(lang, &format!("rerecord-{}", a.reason.as_str()))
            ))
            .size(theme::BODY),
            text(a.pin.dots()).size(theme::TITLE),
        ]
        .spacing(theme::GAP / 2.0);
        if let Some(e) = &a.pin.refused {
            col = col.push(theme::alert(approval_message(lang, e)));
        }
        col.push(
            row![
                theme::action(
                    t!(lang, "verify-approve"),
                    Kind::Danger,
                    a.pin.ready().then_some(Message::Approve),
                ),
                theme::action(t!(lang, "cancel"), Kind::Secondary, Some(Message::Cancel)),
            ]
            .spacing(theme::GAP),
        )
        .into()
    }
}

fn found_panel<'a>(lang: Lang, v: &Verified) -> Element<'a, Message> {
    let mut col = column![resident_panel(lang, &v.resident)].spacing(theme::GAP / 2.0);
    if let Some(p) = v.prior() {
        col = col.push(theme::alert(tr(
            lang,
            &format!("verify-prior-{}", p.as_str()),
        )));
    }
    if v.centre_unknown.is_some() {
        col = col.push(text(t!(lang, "verify-centre-unknown")).size(theme::SMALL));
    }
    col.into()
}

fn resident_panel<'a>(lang: Lang, r: &Resident) -> Element<'a, Message> {
    let line = |label: String, value: String| {
        // The longest label ("Regency/city, province") with room to spare before its value.
        row![
            text(label).size(theme::SMALL).width(Length::Fixed(280.0)),
            text(value).size(theme::SMALL).width(Length::Fill),
        ]
        .spacing(theme::GAP / 2.0)
    };
    theme::panel(
        column![
            line("NIK".into(), r.nik.as_str().to_string()),
            line(t!(lang, "field-name"), r.name.clone()),
            line(t!(lang, "field-birth"), r.birth_place_and_date()),
            line(t!(lang, "field-sex"), r.sex.ktp_label().to_string()),
            line(
                t!(lang, "field-address"),
                format!("{} RT/RW {}", r.address, r.rt_rw())
            ),
            line(t!(lang, "field-village"), r.kelurahan.clone()),
            line(t!(lang, "field-district"), r.kecamatan.clone()),
            line(
                t!(lang, "field-regency"),
                format!("{}, {}", r.kabupaten, r.provinsi)
            ),
        ]
        .spacing(4),
    )
}

/// The operator's words for why a supervisor's PIN was not accepted.
pub fn approval_message(lang: Lang, e: &SignInError) -> String {
    match e {
        SignInError::Wrong { left } => t!(lang, "signin-wrong", left = *left),
        SignInError::LockedOut { .. } => t!(lang, "signin-locked-out"),
        SignInError::NotSupervisor => t!(lang, "approval-not-supervisor"),
        SignInError::Queue(q) => t!(lang, "approval-failed", reason = q.to_string()),
    }
}

/// The operator's words for why a NIK could not be verified.
pub fn lookup_message(lang: Lang, e: &LookupError) -> String {
    match e {
        LookupError::InvalidNik(n) => nik_message(lang, n),
        LookupError::Centre(CentreError::NotFound) => t!(lang, "verify-not-found"),
        LookupError::Centre(other) => t!(lang, "verify-unreachable", reason = other.to_string()),
        LookupError::NotYours(_) => t!(lang, "not-your-role"),
        LookupError::Queue(q) => t!(lang, "verify-unreachable", reason = q.to_string()),
        LookupError::LowDisk(d) => t!(
            lang,
            "verify-low-disk",
            free = d.free_mb.to_string(),
            needed = d.needed_mb.to_string()
        ),
    }
}

pub fn nik_message(lang: Lang, e: &NikError) -> String {
    match *e {
        NikError::Length { len, .. } => t!(lang, "nik-err-length", len = len),
        NikError::NonDigit { position, .. } => t!(lang, "nik-err-digit", position = position),
        NikError::UnknownProvince { code } => {
            t!(lang, "nik-err-province", code = format!("{code:02}"))
        }
        NikError::Regency { code } => t!(lang, "nik-err-regency", code = format!("{code:02}")),
        NikError::District { code } => t!(lang, "nik-err-district", code = format!("{code:02}")),
        NikError::Day { day, .. } => t!(lang, "nik-err-day", day = format!("{day:02}")),
        NikError::Month { month, .. } => t!(lang, "nik-err-month", month = format!("{month:02}")),
        NikError::NoSuchDate { day, month, year } => t!(
            lang,
            "nik-err-date",
            date = format!("{day:02}-{month:02}-{year}")
        ),
        NikError::Serial { .. } => t!(lang, "nik-err-serial"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::Role;
    use crate::wire::centre::{RecordFact, RecordStatus};

    fn resident() -> Resident {
        crate::domain::population::generate(3, 1, jiff::civil::date(2026, 1, 1))
            .pop()
            .unwrap()
    }

    fn verified(centre: Vec<RecordFact>) -> Box<Verified> {
        Box::new(Verified {
            resident: Box::new(resident()),
            here: Vec::new(),
            centre,
            centre_unknown: None,
        })
    }

    fn typed(s: &mut State, digits: &str) {
        for c in digits.chars() {
            let d = c.to_digit(10).unwrap() as u8;
            assert!(matches!(
                s.update(Message::Key(Key::Digit(d))),
                Action::None
            ));
        }
    }

    /// Where "Periksa ke SIAK" is drawn: its label's top edge.
    fn check_button_y(s: &State) -> f32 {
        let clock = StepClock {
            elapsed: std::time::Duration::from_secs(5),
            standard: std::time::Duration::from_secs(60),
            running: true,
        };
        let mut ui = iced_test::simulator(s.view(Lang::Id, clock));
        ui.find("Periksa ke SIAK")
            .expect("the check button")
            .bounds()
            .y
    }

    #[test]
    fn an_alert_does_not_move_the_check_button_under_the_finger() {
        let mut s = State::new();
        typed(&mut s, "3273014508900001");
        let before = check_button_y(&s);
        s.update(Message::Check);
        assert_eq!(check_button_y(&s), before, "checking moves nothing");
        s.update(Message::Looked(Err(LookupError::Centre(
            CentreError::NotFound,
        ))));
        assert!(matches!(s.lookup(), Lookup::Failed(_)));
        assert_eq!(check_button_y(&s), before, "the alert has its room kept");
    }

    #[test]
    fn sixteen_digits_ask_siak_and_a_clean_record_is_confirmed() {
        let mut s = State::new();
        typed(&mut s, "327301450890");
        assert!(
            matches!(s.update(Message::Check), Action::None),
            "too short to ask"
        );
        typed(&mut s, "0001");
        let r = s.update(Message::Check);
        assert!(matches!(r.runs(), Some(Request::Lookup(n)) if n == "3273014508900001"));
        assert!(
            matches!(s.update(Message::Confirm), Action::None),
            "nothing found yet"
        );
        s.update(Message::Looked(Ok(verified(vec![]))));
        match s.update(Message::Confirm) {
            Action::Go(Nav::StepDone(Some(c))) => assert!(c.approval.is_none()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_issued_card_stops_the_recording_until_a_supervisor_approves_with_a_reason() {
        let mut s = State::new();
        s.update(Message::Looked(Ok(verified(vec![RecordFact {
            status: RecordStatus::Issued,
            recorded_at_ms: 0,
            booth_id: "3273-01".into(),
        }]))));
        assert!(
            matches!(s.update(Message::Confirm), Action::None),
            "no plain confirm"
        );
        s.update(Message::AskSupervisor(RerecordReason::MovedHouse));
        typed(&mut s, "975310");
        assert!(
            matches!(s.update(Message::Approve).runs(), Some(Request::Approve(p)) if p == "975310")
        );
        // A wrong PIN: told so, still asking.
        s.update(Message::Approved(Err(SignInError::NotSupervisor)));
        assert!(s.asking.as_ref().unwrap().pin.refused.is_some());
        typed(&mut s, "975310");
        s.update(Message::Approve);
        let spv = Staff {
            id: "spv-01".into(),
            name: "Supervisor".into(),
            role: Role::Supervisor,
        };
        match s.update(Message::Approved(Ok((spv, 1_764_036_000_000)))) {
            Action::Go(Nav::StepDone(Some(c))) => {
                let a = c.approval.unwrap();
                assert_eq!(
                    (a.what.as_str(), a.reason.as_str(), a.supervisor_id.as_str()),
                    ("rerecord", "moved_house", "spv-01")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_failed_enrollment_elsewhere_does_not_stand_in_the_way() {
        let mut s = State::new();
        s.update(Message::Looked(Ok(verified(vec![RecordFact {
            status: RecordStatus::EnrollFailure,
            recorded_at_ms: 0,
            booth_id: "3273-02".into(),
        }]))));
        assert!(matches!(
            s.update(Message::Confirm),
            Action::Go(Nav::StepDone(Some(_)))
        ));
    }
}
