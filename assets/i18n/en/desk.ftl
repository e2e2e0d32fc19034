# The complaint desk. English.

desk-title = KTP-el Complaint Desk
lang-switch = Bahasa Indonesia
sign-out = Sign out
back = Back
cancel = Cancel
refused = Not possible: { $reason }

signin-prompt = Enter your staff PIN
signin-submit = Sign in
signin-wrong = Wrong PIN. Attempts left: { $left }.
signin-locked-out = Too many wrong PINs. Sign-in is locked for a while; call your head of section.
signin-locked-for = Locked for { $minutes }:{ $seconds } more
signin-failed = The PIN could not be checked. Try again.
signin-idle = You were signed out after a time without activity. Enter your PIN again.

list-title-secretariat = New complaints
list-title-assignee = Complaints forwarded to you
list-title-kepala-dinas = Complaints waiting for the Head's decision
list-new-complaint = Record a phone / walk-in complaint
list-empty = No complaints are waiting.
notice-moved = { $ticket }: { $stage }.
notice-recorded = Complaint recorded as { $ticket }.

deadline-passed = Past the deadline
deadline-hours = { $hours } hours left
deadline-minutes = { $minutes } minutes left

stage-received = Received at the { $unit }
stage-forwarded = Forwarded to the { $unit }
stage-resolved = Resolved by the { $unit }
stage-escalated = Waiting for the decision of the { $unit }
stage-decided = Decided by the { $unit }

field-stage = Status
field-received = Received
field-category = Kind of complaint
field-complainant = Complainant
field-contact = Contact
field-link = Proof of recording number
field-deadline = Deadline
field-description = Complaint
field-escalation-note = Reason for escalating
field-answer = Answer

action-forward = Forward to the { $unit }
action-resolve = Answer and resolve
action-escalate = Escalate to the Head of the agency
action-decide = Decide

history-title = History
history-system = the system (deadline passed)
history-booth = booth { $booth }
history-submit = received
history-forward = forwarded to the { $unit }
history-resolve = answered and resolved
history-escalate = escalated to the Head of the agency
history-decide = decided

compose-answer = Write the answer to the complainant
compose-decision = Write the Head's decision
compose-reason = Why it cannot be resolved (optional)
compose-empty = (no text yet)

intake-title = Record a complaint
intake-save = Save complaint
intake-name = Complainant's name
intake-contact = Phone or e-mail
intake-description = The complaint
intake-receipt = Proof of recording number (if any)
intake-need-category = Choose the kind of complaint.
intake-need-name = Write the complainant's name.
intake-bad-contact = The contact must be a phone number (8–15 digits) or an e-mail address.
intake-need-description = Write the complaint.
intake-bad-receipt = A proof of recording number is 13 digits with a correct check digit.
