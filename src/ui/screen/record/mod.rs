//! SOP step 4 and the save: the face with live preview, ten fingers in the fixed order with an
//! exception per finger, both irises with exceptions, the signature (on the pad, or on the
//! touchscreen when no pad is configured), a review of every capture where any one can be
//! retaken, then the save — "recorded" is said only after the sealed record is durable.
//!
//! Each device call runs off the UI thread; a good capture moves on by itself, a poor one stays
//! for the operator to retake or accept.

mod view;

use iced::Task;
use ktpel_hal::DeviceError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::booth::RecordError;
use crate::devices::Devices;
use crate::domain::resident::Resident;
use crate::enrollment::StepTiming;
use crate::queue::Committed;
use crate::recording::{capture_slot, Captured, Captures, Exception, Slot, SlotStatus};
use crate::ui::signature_canvas::{self, DrawnStroke};
use crate::ui::Running;

/// The touchscreen signature box, in screen pixels.
pub const TOUCH_PAD_SIZE: (f32, f32) = (760.0, 300.0);

#[derive(Debug, Clone)]
pub enum Message {
    Preview(crate::ui::preview::Event),
    /// Run the device for the slot on show.
    Capture,
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
    Done,
    Cancel,
    CancelConfirmed(bool),
}

pub enum Event {
    Finished,
    Cancel,
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
    operator_id: String,
    /// How long the earlier steps took, carried into the record.
    timings: Vec<StepTiming>,
    /// The newest preview frame, or why there is none.
    preview: Option<Result<iced::widget::image::Handle, String>>,
    /// The live verdict on the framing.
    face_check: Option<crate::ui::preview::FaceCheck>,
    pub started: Instant,
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
    pub fn new(
        resident: Box<Resident>,
        operator_id: String,
        timings: Vec<StepTiming>,
        touchscreen_signature: bool,
    ) -> Self {
        Self {
            resident,
            operator_id,
            timings,
            preview: None,
            face_check: None,
            started: Instant::now(),
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
        }
    }

    /// Puts this applicant in front of the simulated devices (the preview shows the same
    /// person the still will), off the UI thread.
    pub fn present_applicant(&self, devices: &Arc<Mutex<Devices>>) -> Task<Message> {
        let devices = devices.clone();
        let subject = crate::recording::sim_subject(self.resident.nik.as_str());
        Task::future(async move {
            let _ = tokio::task::spawn_blocking(move || {
                if let Ok(mut d) = devices.lock() {
                    d.begin_applicant();
                    d.set_subject(subject);
                }
            })
            .await;
        })
        .discard()
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

    pub fn update(
        &mut self,
        message: Message,
        running: &Arc<Running>,
        devices: &Arc<Mutex<Devices>>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Preview(crate::ui::preview::Event::Frame(h)) => {
                self.preview = Some(Ok(h));
            }
            Message::Preview(crate::ui::preview::Event::Failed(e)) => {
                self.preview = Some(Err(e));
            }
            // The recording preview does not look for codes.
            Message::Preview(crate::ui::preview::Event::Scanned(_)) => {}
            Message::Preview(crate::ui::preview::Event::Face(check)) => {
                self.face_check = Some(check);
            }
            Message::Capture => {
                let Mode::Capture(slot) = self.mode else {
                    return (Task::none(), None);
                };
                if self.busy || (slot == Slot::Signature && self.touch.is_some()) {
                    return (Task::none(), None);
                }
                self.busy = true;
                self.failure = None;
                let devices = devices.clone();
                let subject = crate::recording::sim_subject(self.resident.nik.as_str());
                let work = async move {
                    tokio::task::spawn_blocking(move || {
                        let mut devices = devices
                            .lock()
                            .map_err(|_| DeviceError::other("the devices are unavailable"))?;
                        // Simulated devices show the same person for the same NIK.
                        devices.set_subject(subject);
                        capture_slot(&mut devices, slot).map(Box::new)
                    })
                    .await
                    .map_err(|e| DeviceError::other(e.to_string()))?
                };
                return (
                    Task::perform(work, move |r| Message::Captured(slot, r)),
                    None,
                );
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
                            return (Task::none(), None);
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
                                    return self.update(Message::Capture, running, devices);
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
                    return (Task::none(), None);
                };
                if self.busy {
                    return (Task::none(), None);
                }
                if self.captures.except(slot, exception).is_ok() {
                    self.thumbs.remove(&slot);
                    self.advance(slot);
                    // A slap scanner must not wait for a finger that is not there.
                    let fingers = self.captures.finger_exceptions();
                    let eyes = self.captures.eye_exceptions();
                    let devices = devices.clone();
                    return (
                        Task::future(async move {
                            let _ = tokio::task::spawn_blocking(move || {
                                if let Ok(mut d) = devices.lock() {
                                    d.fingerprint.set_exceptions(&fingers);
                                    d.iris.set_exceptions(&eyes);
                                }
                            })
                            .await;
                        })
                        .discard(),
                        None,
                    );
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
                    return (Task::none(), None);
                };
                if strokes.is_empty() {
                    return (Task::none(), None);
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
                if !matches!(self.mode, Mode::Review) {
                    return (Task::none(), None);
                }
                let mut timings = self.timings.clone();
                timings.push(StepTiming {
                    step: super::Step::Record.key().to_string(),
                    seconds: self.started.elapsed().as_secs() as u32,
                });
                // The captures stay in this state until the queue has them durably.
                let e = match self.captures.clone().into_enrollment(
                    (*self.resident).clone(),
                    &running.booth.config.booth.id,
                    &self.operator_id,
                    running.booth.clock.now(),
                    timings,
                ) {
                    Ok(e) => e,
                    Err(incomplete) => {
                        // The review does not offer Save until every slot is filled.
                        tracing::error!(error = %incomplete, "save of an incomplete record");
                        return (Task::none(), None);
                    }
                };
                self.mode = Mode::Saving;
                self.save_error = None;
                let running = running.clone();
                let work = async move {
                    let waker = running.transmitter.waker();
                    running.booth.record(e, Some(&waker)).await
                };
                return (Task::perform(work, Message::Saved), None);
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
            Message::Done => return (Task::none(), Some(Event::Finished)),
            Message::Cancel => {
                if matches!(self.mode, Mode::Saving) || self.busy {
                    return (Task::none(), None);
                }
                if matches!(self.mode, Mode::Saved(_)) {
                    return (Task::none(), Some(Event::Finished));
                }
                self.confirm_cancel = true;
            }
            Message::CancelConfirmed(yes) => {
                self.confirm_cancel = false;
                if yes && !matches!(self.mode, Mode::Saving) && !self.busy {
                    return (Task::none(), Some(Event::Cancel));
                }
            }
        }
        (Task::none(), None)
    }
}
