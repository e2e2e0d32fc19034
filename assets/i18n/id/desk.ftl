# Meja pengaduan (the complaint desk). Bahasa Indonesia, the default.

desk-title = Meja Pengaduan KTP-el
lang-switch = English
sign-out = Keluar
back = Kembali
cancel = Batal
refused = Tidak dapat dilakukan: { $reason }

signin-prompt = Masukkan PIN petugas
signin-submit = Masuk
signin-wrong = PIN salah. Sisa percobaan: { $left }.
signin-locked-out = Terlalu banyak PIN salah. Masuk dikunci sementara; hubungi atasan.
signin-locked-for = Sisa waktu kunci: { $minutes }:{ $seconds }
signin-failed = PIN tidak dapat diperiksa. Coba lagi.
signin-idle = Anda dikeluarkan karena tidak ada aktivitas. Masukkan PIN lagi.

list-title-secretariat = Pengaduan baru masuk
list-title-assignee = Pengaduan yang diteruskan kepada Anda
list-title-kepala-dinas = Pengaduan menunggu keputusan Kepala Dinas
list-new-complaint = Catat pengaduan telepon / langsung
list-empty = Tidak ada pengaduan yang menunggu.
notice-moved = { $ticket }: { $stage }.
notice-recorded = Pengaduan dicatat dengan nomor { $ticket }.

deadline-passed = Lewat batas waktu
deadline-hours = { $hours } jam lagi
deadline-minutes = { $minutes } menit lagi

stage-received = Diterima di { $unit }
stage-forwarded = Diteruskan ke { $unit }
stage-resolved = Diselesaikan oleh { $unit }
stage-escalated = Menunggu keputusan { $unit }
stage-decided = Diputuskan oleh { $unit }

field-stage = Status
field-received = Diterima
field-category = Jenis pengaduan
field-complainant = Nama pelapor
field-contact = Kontak
field-link = Nomor bukti perekaman
field-deadline = Batas waktu
field-description = Isi pengaduan
field-escalation-note = Alasan diteruskan
field-answer = Jawaban

action-forward = Teruskan ke { $unit }
action-resolve = Jawab dan selesaikan
action-escalate = Teruskan ke Kepala Dinas
action-decide = Putuskan

history-title = Riwayat
history-system = sistem (batas waktu terlewati)
history-booth = anjungan { $booth }
history-submit = diterima
history-forward = diteruskan ke { $unit }
history-resolve = dijawab dan diselesaikan
history-escalate = diteruskan ke Kepala Dinas
history-decide = diputuskan

compose-answer = Tulis jawaban untuk pelapor
compose-decision = Tulis keputusan Kepala Dinas
compose-reason = Alasan tidak dapat diselesaikan (boleh kosong)
compose-empty = (belum ada teks)

intake-title = Catat pengaduan
intake-save = Simpan pengaduan
intake-name = Nama pelapor
intake-contact = Telepon atau e-mail
intake-description = Isi pengaduan
intake-receipt = Nomor bukti perekaman (jika ada)
intake-need-category = Pilih jenis pengaduan.
intake-need-name = Tulis nama pelapor.
intake-bad-contact = Kontak harus nomor telepon (8–15 angka) atau alamat e-mail.
intake-need-description = Tulis isi pengaduan.
intake-bad-receipt = Nomor bukti perekaman harus 13 angka dengan angka pemeriksa yang benar.
