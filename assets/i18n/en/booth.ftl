# English — one tap away on every screen.
app-title = KTP-el Recording
starting = Preparing the booth…
start-failed = The booth could not start
lang-switch = Bahasa Indonesia
next = Next
cancel = Cancel

signin-prompt = Enter the operator PIN
signin-submit = Sign in
signin-wrong = Wrong PIN. Attempts left: { $left }.
signin-locked-out = Too many wrong PINs. Sign-in is locked for a while; call a supervisor.
signin-idle-locked = The screen locked after inactivity. Enter the PIN to continue.

home-operator = Operator: { $name }
home-sign-out = Sign out
home-start = Start recording
home-waiting = Waiting list
home-waiting-empty = No applicants waiting.
waiting-countdown = waiting for verdict · { $minutes }:{ $seconds }
waiting-print-ready = PRINT READY — call the applicant
waiting-not-printable = needs follow-up
waiting-receipt-due = print the proof of recording

queue-title = Transmission queue
queue-unsent = Not yet sent: { $count }
queue-waiting = Waiting for the centre: { $count }
queue-receipts = Proofs of recording to print: { $count }
queue-last-error = Last error: { $error }
queue-no-error = Transmission running smoothly
queue-loading = Reading the queue…

step-documents = Document check
step-verify = SIAK verification
step-record = Biometric recording

documents-intro = Receive and check the applicant's file. Tick what you have checked.
documents-kk = Photocopy of the Family Card (KK)
documents-application = KTP-el application form

verify-nik-label = Applicant's NIK
verify-enter-nik = Type the 16-digit NIK
verify-check = Check with SIAK
verify-checking = Checking with SIAK…
verify-confirm = Data correct, continue
verify-retype = Retype the NIK
verify-not-found = This NIK is not registered in SIAK. Send the applicant to the population registration desk.
verify-unreachable = SIAK cannot be reached ({ $reason }). Try again shortly.

nik-err-length = A NIK has 16 digits; { $len } were typed.
nik-err-digit = Character { $position } is not a digit.
nik-err-province = Province code { $code } does not exist (digits 1–2).
nik-err-regency = Regency/city code { $code } is not valid (digits 3–4).
nik-err-district = District code { $code } is not valid (digits 5–6).
nik-err-day = Birth day { $day } is not valid: men 01–31, women 41–71 (digits 7–8).
nik-err-month = Birth month { $month } is not valid (digits 9–10).
nik-err-date = The birth date { $date } does not exist (digits 7–12).
nik-err-serial = Serial number 0000 is not valid (digits 13–16).

field-name = Name
field-birth = Place/date of birth
field-sex = Sex
field-address = Address
field-village = Village
field-district = District
field-regency = Regency/city, province

record-intro = Seat the applicant in front of the camera, then record photo, ten fingerprints, both irises and signature.
record-capture = Record biometrics
record-capturing = Recording… follow the device prompts.
record-failed = Recording failed: { $reason }
record-retake = Record again
record-save = Save recording
record-save-failed = The recording is not saved yet: { $reason }. The data are still here; press Save again.
record-saving = Saving…
record-saved = Recorded
record-queue-no = Queue number { $number }
record-receipt-no = Proof of recording number { $number }
record-waiting = The data are sent to the centre in the background. The applicant waits on the waiting list.
record-done = Done

review-face = Photo · quality { $quality }
review-fingers = Fingerprints · quality { $qualities }
review-irises = Irises · quality { $qualities }
review-signature = Signature · { $strokes } strokes

back = Back
home-pickup = Collect a KTP-el

status-unsent = Not sent to the centre yet; sending runs on its own in the background. The applicant may wait or go home with the proof of recording.
status-received = The centre has the data and is matching fingerprints and irises. This can take a while; the applicant may go home with the proof of recording.
status-print-ready = The centre found the applicant single: the KTP-el is ready to print.
status-duplicate = The centre found a duplicate: this NIK was recorded before. The applicant need not record again; send them to the agency officer who resolves duplicates.
status-adjudicate = The centre needs an officer's decision (adjudication) before the KTP-el is printed. The applicant will be contacted; keep the proof of recording.
status-enroll-failure = The centre could not process the recording (incomplete or unreadable data). The applicant must record again at the booth.
status-handed-over = The KTP-el has been handed over.

applicant-receipt-no = Proof of recording number { $number }
applicant-centre-note = Centre's note: { $note }
applicant-receipt-printed = The proof of recording has been printed.

receipt-print = Print the proof of recording
receipt-reprint = Print the proof of recording again
receipt-printing = Printing…
receipt-printed = Proof of recording printed. Hand it to the applicant.
receipt-needs-person = The printer needs attention: { $reason }. Nothing was printed; press print again once it is fixed.
receipt-failed = Not printed: { $reason }

pickup-title = Collecting a KTP-el
pickup-label = Proof of recording number (13 digits)
pickup-enter = Type the number on the proof of recording
pickup-find = Find
pickup-mistyped = Not a valid receipt number: check the digits typed.
pickup-not-here = This receipt number is not recorded at this booth. Check the office named on the receipt.
record-camera-starting = Starting the camera…
record-camera-failed = Camera problem: { $reason }

capture-step = Step { $n } of { $total }: { $what }
slot-face = Face photo
slot-right_thumb = Right thumb
slot-right_index = Right index finger
slot-right_middle = Right middle finger
slot-right_ring = Right ring finger
slot-right_little = Right little finger
slot-left_thumb = Left thumb
slot-left_index = Left index finger
slot-left_middle = Left middle finger
slot-left_ring = Left ring finger
slot-left_little = Left little finger
slot-iris-right = Right iris
slot-iris-left = Left iris
slot-signature = Signature
capture-face-hint = Ask the applicant to sit upright and look at the camera; the face must not be covered by hair, glasses or headwear.
capture-finger-hint = Place the applicant's { $finger } flat on the scanner glass.
capture-iris-hint = Ask the applicant to look into the iris scanner with eyes wide open.
capture-signature-pad-hint = Ask the applicant to sign on the signature pad, then lift the pen.
capture-signature-touch-hint = Ask the applicant to sign in the white box with a finger or stylus.
capture-take-photo = Take photo
capture-scan = Scan
capture-sign = Start signature
capture-busy = Scanning… follow the device's prompts.
capture-next = Next
capture-previous = Previous
capture-retake = Retake
capture-quality = Quality { $quality } (minimum { $min })
capture-quality-low = Quality { $quality }, below { $min }: a retake is advised.
capture-no-quality = No quality score
capture-exception-title = Cannot be captured?
finger-missing = Finger missing
finger-bandaged = Bandaged
finger-unusable = Print unreadable
iris-missing = Eye missing
iris-unusable = Iris unreadable
capture-recorded-exception = Recorded: { $why }
capture-clear = Clear
capture-accept = Use this signature
capture-to-review = Review
review-title = Check every capture; touch one to retake it.
review-missing = Not captured yet
cancel-confirm = Discard everything recorded for this applicant?
cancel-yes = Yes, discard
cancel-no = No

device-error-timeout = The device did not answer in time. Try again; if it keeps happening, ask a technician to check the device.
device-error-disconnected = The device is disconnected. Check the cable and plug, then try again.
device-error-not_present = Nothing found (finger on the glass, card in the reader, device attached). Check, then try again.
device-error-bad_data = The device's result cannot be used. Capture again.
device-error-busy = The device is busy. Wait a moment, then try again.
device-error-needs_attention = The device needs attention (paper, cover, blank cards). Fix it, then try again.
device-error-other = The device failed. Try again; if it keeps happening, ask a technician to run the device test.
device-error-detail = Technical detail: { $detail }

home-technician = Technician area
tech-title = Technician area: device tests
tech-intro = Test every installed device. A failing device says what to check.
tech-test-all = Test all devices
tech-test-one = Test
tech-testing = Testing…
tech-untested = Not tested yet
tech-passed = PASSED
tech-failed = FAILED
tech-identity = { $model } · serial { $serial } · firmware { $firmware } · driver { $driver } · { $ms } ms
role-camera = Camera
role-fingerprint = Fingerprint scanner
role-iris = Iris scanner
role-signature = Signature pad
role-card_encoder = Chip reader/writer
role-card_printer = Card printer
role-receipt_printer = Receipt printer

queue-oldest = Oldest unsent record: { $minutes } min
queue-draining = Sending the backlog: { $sent } of { $total }
state-recorded = Recorded
state-sending = Sending
state-received = At the centre
state-print_ready = Print ready
state-duplicate = Duplicate
state-adjudicate = Adjudicate
state-enroll_failure = Enroll failure
pickup-scan = Scan the receipt's QR with the camera
pickup-scan-stop = Type the number instead
pickup-scan-hint = Hold the QR code on the proof of recording up to the camera.

face-ok = ✓ Face ready for the photo (score { $score })
face-look-at-camera = No face found: ask the applicant to look at the camera
face-only-one-person = Only the applicant may be in the picture
face-come-closer = Ask the applicant to come closer to the camera
face-move-back = Ask the applicant to move back from the camera
face-move-left = Move the face towards the left of the picture
face-move-right = Move the face towards the right of the picture
face-move-up = Raise the face in the picture (sit up straight or raise the camera)
face-move-down = Lower the face in the picture (lower the seat or the camera)
face-head-level = Keep the head level: eyes on one line
face-more-light = The face is too dark: turn on the lights
face-less-light = The face is too bright: dim the light
face-even-light = Light the face evenly from both sides
face-hold-still = The picture is blurred: ask the applicant to hold still
