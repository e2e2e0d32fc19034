//! SOP step 4 and the save: the face with live preview, ten fingers in the fixed order with an
//! exception per finger, both irises with exceptions, the signature (on the pad, or on the
//! touchscreen when no pad is configured), a review of every capture where any one can be
//! retaken, then the save — "recorded" is said only after the sealed record is durable.
//!
//! Each device call runs on its device's worker; a good capture moves on by itself, a poor one
//! stays for the operator to retake or accept.

mod view;

use iced::Task;
use ktpel_hal::DeviceError;
use std::collections::BTreeMap;
use std::time::Instant;

use super::verify::Confirmed;
use super::{Action, Ctx, Page};
use crate::booth::procedure::Procedure;
use crate::booth::recording::{
    ApprovalCase, ApprovalRules, Captured, Captures, Exception, Slot, SlotStatus,
    EXCEPTIONS_APPROVAL,
};
use crate::booth::service::{Action as Permission, SignInError, Staff};
use crate::booth::RecordError;
use crate::domain::resident::Resident;
use crate::enrollment::Approval;
use crate::kiosk::screen::supervisor_pin::SupervisorPin;
use crate::kiosk::signature_canvas::{self, DrawnStroke};
use crate::kiosk::Nav;
use crate::queue::Committed;
use crate::widgets::keypad;
use crate::widgets::typing::Typed;

/// The touchscreen signature box, in screen pixels.
pub const TOUCH_PAD_SIZE: (f32, f32) = (760.0, 300.0);

#[derive(Debug, Clone)]
pub enum Message {
    Preview(crate::kiosk::preview::Event),
    /// Run the device for the slot on show.
    Capture,
    /// Put the photo aside and go back to the live picture, to frame the face again.
    RetakeFace,
    Captured(Slot, Result<Box<Captured>, DeviceError>),
    Except(Exception),
    Next,
    Previous,
    /// From the review: retake this slot.
    Goto(Slot),
    ToReview,
    Stroke(DrawnStroke),
    ClearTouch,
    AcceptTouch,
    Save,
    Saved(Result<Committed, RecordError>),
    /// The devices were told of the new applicant (or could not be).
    Began(Result<(), DeviceError>),
    Done,
    Cancel,
    CancelConfirmed(bool),
    /// A key of the supervisor's PIN pad (the record's exceptions need approval).
    PinKey(keypad::Key),
    Approve,
    /// The supervisor, and when they approved (unix ms on the booth's clock).
    Approved(Result<(Staff, i64), SignInError>),
    /// Back to the review without the supervisor.
    CancelApproval,
}

/// What the recording step asks the booth service for.
#[derive(Debug)]
pub enum Request {
    /// Devices forget the last applicant; simulated ones show this one.
    Begin(String),
    Capture(Slot),
    /// The fingers and eyes recorded as exceptions (a slap scanner stops waiting for them).
    Exceptions(Vec<ktpel_hal::FingerPosition>, Vec<ktpel_hal::Eye>),
    Save(Box<Draft>),
    /// Check a supervisor's PIN for the record's exceptions.
    Approve(String),
}

/// Everything the save seals: who, the captures, the step times, the approvals.
pub struct Draft {
    pub resident: Resident,
    pub captures: Captures,
    pub timings: Vec<crate::enrollment::StepTiming>,
    pub approvals: Vec<Approval>,
}

/// The supervisor's PIN being typed for the record's exceptions.
pub struct Asking {
    /// What the supervisor approves, as it stood when the operator asked.
    pub cases: Vec<ApprovalCase>,
    pub pin: SupervisorPin,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Draft({:?})", self.captures)
    }
}

/// What the screen shows.
#[derive(Debug, Clone)]
pub enum Mode {
    Capture(Slot),
    Review,
    Saving,
    Saved(Committed),
}

pub struct State {
    resident: Box<Resident>,
    /// The supervisor's approvals (of a re-recording, of the exceptions), carried into the
    /// record.
    approvals: Vec<Approval>,
    /// Which records the office wants a supervisor to approve.
    rules: ApprovalRules,
    /// Asking the supervisor to approve the exceptions before the save.
    asking: Option<Asking>,
    /// The SOP's steps and their clocks; this is the last before the save.
    procedure: Procedure,
    /// The newest preview frame, or why there is none.
    preview: Option<Result<iced::widget::image::Handle, ktpel_hal::DeviceError>>,
    /// The live verdict on the framing.
    face_check: Option<crate::kiosk::preview::FaceCheck>,
    mode: Mode,
    captures: Captures,
    thumbs: BTreeMap<Slot, iced::widget::image::Handle>,
    /// A device call is running.
    busy: bool,
    /// The last device call for the slot on show failed.
    failure: Option<DeviceError>,
    save_error: Option<RecordError>,
    /// The slot was opened from the review: finishing it goes back there.
    from_review: bool,
    /// `None` when a pad is configured; the strokes drawn on the screen otherwise.
    touch: Option<Vec<DrawnStroke>>,
    touch_began: Option<Instant>,
    confirm_cancel: bool,
}

impl State {
    /// The recording step for who was verified; the first request tells the devices a new
    /// applicant is in front of them.
    pub fn new(
        confirmed: Confirmed,
        procedure: Procedure,
        touchscreen_signature: bool,
        rules: ApprovalRules,
    ) -> (Self, Request) {
        let resident = confirmed.verified.resident;
        let begin = Request::Begin(resident.nik.as_str().to_string());
        let state = Self {
            resident,
            approvals: confirmed.approval.into_iter().collect(),
            rules,
            asking: None,
            procedure,
            preview: None,
            face_check: None,
            mode: Mode::Capture(Slot::Face),
            captures: Captures::default(),
            thumbs: BTreeMap::new(),
            busy: false,
            failure: None,
            save_error: None,
            from_review: false,
            touch: touchscreen_signature.then(Vec::new),
            touch_began: None,
            confirm_cancel: false,
        };
        (state, begin)
    }

    pub fn procedure(&self) -> &Procedure {
        &self.procedure
    }

    /// The camera preview runs while the face is being framed.
    pub fn wants_preview(&self) -> bool {
        matches!(self.mode, Mode::Capture(Slot::Face)) && !self.busy
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    pub fn captures(&self) -> &Captures {
        &self.captures
    }

    /// The supervisor's PIN being asked for the record's exceptions, if it is.
    pub fn asking(&self) -> Option<&Asking> {
        self.asking.as_ref()
    }

    pub fn is_busy(&self) -> bool {
        self.busy
    }

    pub fn failure(&self) -> Option<&DeviceError> {
        self.failure.as_ref()
    }

    fn show(&mut self, slot: Slot) {
        self.mode = Mode::Capture(slot);
        self.failure = None;
        if slot == Slot::Face {
            // A fresh look through the camera, not the frame from before the still.
            self.preview = None;
            self.face_check = None;
        }
    }

    /// Where to go once the slot on show is filled.
    fn advance(&mut self, from: Slot) {
        if self.from_review {
            self.from_review = false;
            self.mode = Mode::Review;
            self.failure = None;
            return;
        }
        match from.next() {
            Some(next) => self.show(next),
            None => {
                self.mode = Mode::Review;
                self.failure = None;
            }
        }
    }
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        match message {
            Message::Began(Ok(())) => {}
            Message::Began(Err(e)) => self.failure = Some(e),
            Message::Preview(crate::kiosk::preview::Event::Frame(h)) => {
                self.preview = Some(Ok(h));
            }
            Message::Preview(crate::kiosk::preview::Event::Failed(e)) => {
                self.preview = Some(Err(e));
            }
            // The recording preview does not look for codes.
            Message::Preview(crate::kiosk::preview::Event::Scanned(_)) => {}
            Message::Preview(crate::kiosk::preview::Event::Face(check)) => {
                self.face_check = Some(check);
            }
            Message::Capture => {
                let Mode::Capture(slot) = self.mode else {
                    return Action::None;
                };
                if self.busy || (slot == Slot::Signature && self.touch.is_some()) {
                    return Action::None;
                }
                self.busy = true;
                self.failure = None;
                return Action::Run(Request::Capture(slot));
            }
            Message::RetakeFace => {
                if matches!(self.mode, Mode::Capture(Slot::Face)) && !self.busy {
                    self.captures.clear(Slot::Face);
                    self.thumbs.remove(&Slot::Face);
                    self.failure = None;
                }
            }
            Message::Captured(slot, result) => {
                self.busy = false;
                // A late answer for a slot no longer on show is still a valid capture of it.
                match result {
                    Ok(captured) => {
                        let quality = captured.quality();
                        if let Some(h) = view::thumbnail(&captured) {
                            self.thumbs.insert(slot, h);
                        }
                        if let Err(e) = self.captures.put(slot, *captured) {
                            tracing::error!(error = %e, "capture for the wrong slot");
                            self.failure = Some(DeviceError::bad_data(e.to_string()));
                            return Action::None;
                        }
                        let good = quality.is_none_or(|q| q >= slot.quality_min());
                        // Fingers and irises move on by themselves when good; the operator
                        // looks at the photo and the signature before going on.
                        let auto = matches!(slot, Slot::Finger(_) | Slot::Iris(_));
                        if good && auto && matches!(self.mode, Mode::Capture(s) if s == slot) {
                            self.advance(slot);
                            // The next finger (or eye) on the same device is scanned straight
                            // away: the scanner waits for it, the operator does not tap.
                            if let Mode::Capture(next) = self.mode {
                                let same_device = matches!(
                                    (slot, next),
                                    (Slot::Finger(_), Slot::Finger(_))
                                        | (Slot::Iris(_), Slot::Iris(_))
                                );
                                if same_device && self.captures.status(next) == SlotStatus::Empty {
                                    return self.update(Message::Capture);
                                }
                            }
                        }
                    }
                    Err(e) => {
                        if matches!(self.mode, Mode::Capture(s) if s == slot) {
                            self.failure = Some(e);
                        }
                    }
                }
            }
            Message::Except(exception) => {
                let Mode::Capture(slot) = self.mode else {
                    return Action::None;
                };
                if self.busy {
                    return Action::None;
                }
                if self.captures.except(slot, exception).is_ok() {
                    self.thumbs.remove(&slot);
                    self.advance(slot);
                    // A slap scanner must not wait for a finger that is not there.
                    return Action::Run(Request::Exceptions(
                        self.captures.finger_exceptions(),
                        self.captures.eye_exceptions(),
                    ));
                }
            }
            Message::Next => {
                if let Mode::Capture(slot) = self.mode {
                    if !self.busy && self.captures.status(slot) != SlotStatus::Empty {
                        self.advance(slot);
                    }
                }
            }
            Message::Previous => {
                if let Mode::Capture(slot) = self.mode {
                    if let (false, Some(prev)) = (self.busy, slot.previous()) {
                        self.from_review = false;
                        self.show(prev);
                    }
                }
            }
            Message::Goto(slot) => {
                if matches!(self.mode, Mode::Review) {
                    self.from_review = true;
                    self.save_error = None;
                    self.show(slot);
                }
            }
            Message::ToReview => {
                if !self.busy && matches!(self.mode, Mode::Capture(_)) {
                    self.from_review = false;
                    self.mode = Mode::Review;
                    self.failure = None;
                }
            }
            Message::Stroke(stroke) => {
                if let Some(strokes) = self.touch.as_mut() {
                    self.touch_began.get_or_insert_with(Instant::now);
                    strokes.push(stroke);
                }
            }
            Message::ClearTouch => {
                if let Some(strokes) = self.touch.as_mut() {
                    strokes.clear();
                    self.touch_began = None;
                }
            }
            Message::AcceptTouch => {
                let Some(strokes) = self.touch.as_ref() else {
                    return Action::None;
                };
                if strokes.is_empty() {
                    return Action::None;
                }
                let (w, h) = TOUCH_PAD_SIZE;
                match signature_canvas::to_capture(strokes, w, h) {
                    Ok(capture) => {
                        let captured = Captured::Signature(capture);
                        if let Some(h) = view::thumbnail(&captured) {
                            self.thumbs.insert(Slot::Signature, h);
                        }
                        if self.captures.put(Slot::Signature, captured).is_ok() {
                            self.advance(Slot::Signature);
                        }
                    }
                    Err(e) => self.failure = Some(e),
                }
            }
            Message::Save => {
                if !matches!(self.mode, Mode::Review) || self.captures.first_empty().is_some() {
                    return Action::None;
                }
                // The office's rules may want a supervisor to approve this record's exceptions
                // (as they stand now: a retake since the approval asks again).
                let cases = self.captures.needing_approval(self.rules);
                let reason = ApprovalCase::codes(&cases);
                // An approval of other cases (before a retake) no longer holds.
                self.approvals
                    .retain(|a| a.what != EXCEPTIONS_APPROVAL || a.reason == reason);
                let approved = self.approvals.iter().any(|a| a.what == EXCEPTIONS_APPROVAL);
                if !cases.is_empty() && !approved {
                    self.asking = Some(Asking {
                        cases,
                        pin: SupervisorPin::default(),
                    });
                    return Action::None;
                }
                // The step ends at the save; its clock stops here.
                self.procedure.finish(Instant::now());
                self.mode = Mode::Saving;
                self.save_error = None;
                // The captures stay in this state until the queue has them durably.
                return Action::Run(Request::Save(Box::new(Draft {
                    resident: (*self.resident).clone(),
                    captures: self.captures.clone(),
                    timings: self.procedure.timings().to_vec(),
                    approvals: self.approvals.clone(),
                })));
            }
            Message::Saved(Ok(c)) => {
                self.mode = Mode::Saved(c);
                // Nothing of the applicant stays on screen once it is sealed.
                self.captures = Captures::default();
                self.thumbs.clear();
                self.touch = self.touch.take().map(|_| Vec::new());
            }
            Message::Saved(Err(err)) => {
                tracing::error!(error = %err, "saving the record failed");
                // Nothing is lost: "save" can be pressed again.
                self.mode = Mode::Review;
                self.save_error = Some(err);
            }
            Message::Done => return Action::Go(Nav::Home),
            Message::Cancel => {
                if matches!(self.mode, Mode::Saving) || self.busy {
                    return Action::None;
                }
                if matches!(self.mode, Mode::Saved(_)) {
                    return Action::Go(Nav::Home);
                }
                self.confirm_cancel = true;
            }
            Message::PinKey(k) => {
                if let Some(a) = self.asking.as_mut() {
                    a.pin.key(k);
                }
            }
            Message::Approve => {
                if let Some(pin) = self.asking.as_mut().and_then(|a| a.pin.submit()) {
                    return Action::Run(Request::Approve(pin));
                }
            }
            Message::Approved(Ok((supervisor, at_ms))) => {
                let Some(a) = self.asking.take() else {
                    return Action::None;
                };
                self.approvals.retain(|x| x.what != EXCEPTIONS_APPROVAL);
                self.approvals.push(Approval {
                    what: EXCEPTIONS_APPROVAL.into(),
                    reason: ApprovalCase::codes(&a.cases),
                    supervisor_id: supervisor.id,
                    at_ms,
                });
                return self.update(Message::Save);
            }
            Message::Approved(Err(e)) => {
                if let Some(a) = &mut self.asking {
                    a.pin.refuse(e);
                }
            }
            Message::CancelApproval => {
                if self.asking.as_ref().is_some_and(|a| !a.pin.checking) {
                    self.asking = None;
                }
            }
            Message::CancelConfirmed(yes) => {
                self.confirm_cancel = false;
                if yes && !matches!(self.mode, Mode::Saving) && !self.busy {
                    return Action::Go(Nav::Home);
                }
            }
        }
        Action::None
    }

    /// While the supervisor's PIN is asked, a keyboard types it: digits, Backspace, Enter to
    /// approve, Escape to go back to the review.
    fn typed(&self, typed: Typed, _at: Instant) -> Option<Message> {
        self.asking.as_ref()?;
        match typed {
            Typed::Enter => Some(Message::Approve),
            Typed::Escape => Some(Message::CancelApproval),
            t => t.keypad().map(Message::PinKey),
        }
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        let Ctx { service, who } = ctx;
        match request {
            Request::Begin(nik) => Task::perform(
                async move { service.begin_applicant(&nik).await },
                Message::Began,
            ),
            Request::Capture(slot) => Task::perform(
                async move { service.capture(slot).await.map(Box::new) },
                move |r| Message::Captured(slot, r),
            ),
            Request::Exceptions(fingers, eyes) => Task::future(async move {
                if let Err(e) = service.set_exceptions(fingers, eyes).await {
                    tracing::warn!(error = %e, "exceptions not passed to the devices");
                }
            })
            .discard(),
            Request::Save(draft) => Task::perform(
                async move {
                    let d = *draft;
                    service
                        .record(&who, d.resident, d.captures, d.timings, d.approvals)
                        .await
                },
                Message::Saved,
            ),
            Request::Approve(pin) => Task::perform(
                async move {
                    let who = service.approve(pin, Permission::Approve).await?;
                    Ok((who, service.clock().now().as_millisecond()))
                },
                Message::Approved,
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::booth::service::applicant::Verified;
    use crate::config::Config;
    use crate::durable_db::DbError;
    use crate::queue::QueueError;
    use ktpel_hal::{
        EncodedImage, Eye, FingerCapture, FingerException, FingerPosition, GrayImage, ImageFormat,
        IrisCapture, IrisException, Quality,
    };

    fn screen(touch: bool) -> State {
        let today = jiff::civil::date(2026, 12, 5);
        let resident = crate::domain::population::generate(7, 1, today).remove(0);
        let confirmed = Confirmed {
            verified: Verified {
                resident: Box::new(resident),
                here: Vec::new(),
                centre: Vec::new(),
                centre_unknown: None,
            },
            approval: None,
        };
        let config = Config::load(None).unwrap();
        let (state, first) = State::new(
            confirmed,
            Procedure::new(&config, Instant::now()),
            touch,
            crate::booth::recording::ApprovalRules::of(&config.procedure),
        );
        assert!(matches!(first, Request::Begin(_)), "devices told first");
        state
    }

    fn face() -> Captured {
        Captured::Face(ktpel_hal::FaceCapture {
            image: EncodedImage {
                format: ImageFormat::Jpeg,
                width: 1,
                height: 1,
                bytes: vec![0xFF, 0xD8, 0xFF, 0xD9],
            },
            quality: Quality(90),
        })
    }

    fn finger(position: FingerPosition, q: u8) -> Captured {
        Captured::Finger(FingerCapture {
            position,
            image: GrayImage::new(2, 2, vec![0; 4]).unwrap(),
            resolution_ppi: 500,
            quality: Quality(q),
        })
    }

    fn iris(eye: Eye) -> Captured {
        Captured::Iris(IrisCapture {
            eye,
            image: GrayImage::new(2, 2, vec![0; 4]).unwrap(),
            quality: Quality(90),
        })
    }

    fn capture(s: &mut State, slot: Slot, c: Captured) -> Action<Request> {
        s.update(Message::Captured(slot, Ok(Box::new(c))))
    }

    #[test]
    fn a_good_finger_scans_the_next_at_once_and_a_poor_one_waits_for_the_operator() {
        let mut s = screen(false);
        assert!(matches!(
            s.update(Message::Capture),
            Action::Run(Request::Capture(Slot::Face))
        ));
        assert!(s.is_busy());
        // A second tap while the camera works asks nothing more.
        assert!(matches!(s.update(Message::Capture), Action::None));
        capture(&mut s, Slot::Face, face());
        // The photo waits for the operator's look.
        assert!(matches!(s.mode(), Mode::Capture(Slot::Face)));
        s.update(Message::Next);
        let thumb = Slot::Finger(FingerPosition::RightThumb);
        assert!(matches!(s.mode(), Mode::Capture(sl) if *sl == thumb));
        s.update(Message::Capture);
        let next = capture(&mut s, thumb, finger(FingerPosition::RightThumb, 80));
        let index = Slot::Finger(FingerPosition::RightIndex);
        assert!(
            matches!(next, Action::Run(Request::Capture(sl)) if sl == index),
            "a good print goes straight on to the next finger"
        );
        let stay = capture(&mut s, index, finger(FingerPosition::RightIndex, 10));
        assert!(matches!(stay, Action::None));
        assert!(
            matches!(s.mode(), Mode::Capture(sl) if *sl == index),
            "a poor print stays for a retake"
        );
        assert_eq!(
            s.captures().status(index),
            SlotStatus::Captured(Some(Quality(10)))
        );
    }

    #[test]
    fn a_face_retake_goes_back_to_the_live_picture_before_the_next_photo() {
        let mut s = screen(false);
        s.update(Message::Capture);
        capture(&mut s, Slot::Face, face());
        assert!(s.wants_preview(), "the preview runs beside the photo");
        assert!(
            matches!(s.update(Message::RetakeFace), Action::None),
            "Ulangi takes no photo at once"
        );
        assert_eq!(s.captures().status(Slot::Face), SlotStatus::Empty);
        assert!(s.wants_preview());
        assert!(
            matches!(
                s.update(Message::Capture),
                Action::Run(Request::Capture(Slot::Face))
            ),
            "the operator takes the new photo when the face is framed"
        );
    }

    #[test]
    fn an_exception_moves_on_and_tells_the_slap_scanner_which_fingers_are_missing() {
        let mut s = screen(false);
        capture(&mut s, Slot::Face, face());
        s.update(Message::Next);
        let asked = s.update(Message::Except(Exception::Finger(FingerException::Missing)));
        match asked {
            Action::Run(Request::Exceptions(fingers, eyes)) => {
                assert_eq!(fingers, vec![FingerPosition::RightThumb]);
                assert!(eyes.is_empty());
            }
            other => panic!("expected the exceptions passed on, got {other:?}"),
        }
        assert!(matches!(
            s.mode(),
            Mode::Capture(Slot::Finger(FingerPosition::RightIndex))
        ));
    }

    #[test]
    fn a_failed_device_call_is_shown_and_nothing_is_captured() {
        let mut s = screen(false);
        s.update(Message::Capture);
        s.update(Message::Captured(
            Slot::Face,
            Err(DeviceError::other("the camera is unplugged")),
        ));
        assert!(!s.is_busy());
        assert!(s.failure().is_some());
        assert_eq!(s.captures().status(Slot::Face), SlotStatus::Empty);
        // Next is refused on an empty slot.
        s.update(Message::Next);
        assert!(matches!(s.mode(), Mode::Capture(Slot::Face)));
    }

    #[test]
    fn save_waits_for_every_slot_and_a_failed_save_keeps_every_capture() {
        let mut s = screen(true);
        capture(&mut s, Slot::Face, face());
        s.update(Message::ToReview);
        assert!(
            matches!(s.update(Message::Save), Action::None),
            "nothing saved with slots empty"
        );
        for p in FingerPosition::ALL {
            capture(&mut s, Slot::Finger(p), finger(p, 90));
        }
        for e in Eye::BOTH {
            capture(&mut s, Slot::Iris(e), iris(e));
        }
        // The signature, drawn on the screen.
        s.update(Message::Goto(Slot::Signature));
        assert!(matches!(s.mode(), Mode::Capture(Slot::Signature)));
        let points = [(10.0, 10.0, 0), (200.0, 120.0, 40), (400.0, 40.0, 90)];
        s.update(Message::Stroke(DrawnStroke(
            points
                .iter()
                .map(|&(x, y, t)| (iced::Point::new(x, y), t))
                .collect(),
        )));
        s.update(Message::AcceptTouch);
        assert!(matches!(s.mode(), Mode::Review), "back to the review");
        let Action::Run(Request::Save(draft)) = s.update(Message::Save) else {
            panic!("save asked for nothing")
        };
        assert!(draft.captures.first_empty().is_none());
        assert!(matches!(s.mode(), Mode::Saving));
        // Cancel is refused while saving.
        assert!(matches!(s.update(Message::Cancel), Action::None));
        s.update(Message::Saved(Err(RecordError::Queue(QueueError::Db(
            DbError::DiskFull,
        )))));
        assert!(matches!(s.mode(), Mode::Review));
        assert!(
            s.captures().first_empty().is_none(),
            "a failed save loses no capture"
        );
        assert!(matches!(
            s.update(Message::Save),
            Action::Run(Request::Save(_))
        ));
    }

    #[test]
    fn exceptions_wait_for_the_supervisor_and_a_changed_record_asks_again() {
        let mut s = screen(true);
        capture(&mut s, Slot::Face, face());
        s.update(Message::Next);
        s.update(Message::Except(Exception::Finger(
            FingerException::Bandaged,
        )));
        for p in &FingerPosition::ALL[1..] {
            capture(&mut s, Slot::Finger(*p), finger(*p, 90));
        }
        for e in Eye::BOTH {
            capture(&mut s, Slot::Iris(e), iris(e));
        }
        s.update(Message::Goto(Slot::Signature));
        s.update(Message::Stroke(DrawnStroke(vec![
            (iced::Point::new(10.0, 10.0), 0),
            (iced::Point::new(300.0, 90.0), 50),
        ])));
        s.update(Message::AcceptTouch);
        assert!(matches!(s.mode(), Mode::Review));
        assert!(
            matches!(s.update(Message::Save), Action::None),
            "no save before the supervisor"
        );
        let asking = s.asking().expect("the supervisor is asked");
        assert_eq!(
            ApprovalCase::codes(&asking.cases),
            "exception:right_thumb:bandaged"
        );
        for d in [9, 7, 5, 3, 1, 0] {
            s.update(Message::PinKey(keypad::Key::Digit(d)));
        }
        let Action::Run(Request::Approve(pin)) = s.update(Message::Approve) else {
            panic!("the PIN is not checked")
        };
        assert_eq!(pin, "975310");
        // A wrong PIN keeps the record waiting.
        s.update(Message::Approved(Err(SignInError::NotSupervisor)));
        assert!(s.asking().is_some_and(|a| a.pin.refused.is_some()));
        let spv = Staff {
            id: "spv-01".into(),
            name: "Supervisor".into(),
            role: crate::config::Role::Supervisor,
        };
        let Action::Run(Request::Save(draft)) =
            s.update(Message::Approved(Ok((spv.clone(), 1_000))))
        else {
            panic!("approval does not save")
        };
        assert_eq!(
            draft.approvals,
            vec![Approval {
                what: EXCEPTIONS_APPROVAL.into(),
                reason: "exception:right_thumb:bandaged".into(),
                supervisor_id: "spv-01".into(),
                at_ms: 1_000,
            }]
        );
        // The save fails; the operator records a second exception: the supervisor is asked
        // again, for both.
        s.update(Message::Saved(Err(RecordError::Queue(QueueError::Db(
            DbError::DiskFull,
        )))));
        s.update(Message::Goto(Slot::Iris(Eye::Left)));
        s.update(Message::Except(Exception::Iris(IrisException::Unusable)));
        s.update(Message::ToReview);
        assert!(matches!(s.update(Message::Save), Action::None));
        assert_eq!(
            ApprovalCase::codes(&s.asking().expect("asked again").cases),
            "exception:right_thumb:bandaged,exception:left_iris:unusable"
        );
        // Going back to the review drops the question; the record is not saved.
        s.update(Message::CancelApproval);
        assert!(s.asking().is_none());
        assert!(matches!(s.mode(), Mode::Review));
    }
}
