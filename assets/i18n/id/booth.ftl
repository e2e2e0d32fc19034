# Bahasa Indonesia — the kiosk's default language.
app-title = Perekaman KTP-el
starting = Menyiapkan loket…
start-failed = Loket tidak dapat dimulai
lang-switch = English
next = Lanjut
cancel = Batal

signin-prompt = Masukkan PIN petugas
signin-submit = Masuk
signin-wrong = PIN salah. Sisa percobaan: { $left }.
signin-locked-out = Terlalu banyak PIN salah. Masuk dikunci sementara; hubungi supervisor.
signin-idle-locked = Layar terkunci karena tidak digunakan. Masukkan PIN untuk melanjutkan.

home-operator = Petugas: { $name }
home-sign-out = Keluar
home-start = Mulai perekaman
home-waiting = Daftar tunggu
home-waiting-empty = Belum ada pemohon yang menunggu.
waiting-countdown = menunggu hasil · { $minutes }:{ $seconds }
waiting-print-ready = SIAP CETAK — panggil pemohon
waiting-not-printable = perlu tindak lanjut
waiting-receipt-due = cetak bukti perekaman

queue-title = Antrean pengiriman
queue-unsent = Belum terkirim: { $count }
queue-waiting = Menunggu hasil pusat: { $count }
queue-receipts = Bukti perekaman perlu dicetak: { $count }
queue-last-error = Galat terakhir: { $error }
queue-no-error = Pengiriman lancar
queue-loading = Membaca antrean…

step-documents = Pemeriksaan berkas
step-verify = Verifikasi data SIAK
step-record = Perekaman biometrik

documents-intro = Terima dan teliti berkas pemohon. Centang yang sudah diperiksa.
documents-kk = Fotokopi Kartu Keluarga (KK)
documents-application = Formulir permohonan KTP-el

verify-nik-label = NIK pemohon
verify-enter-nik = Ketik 16 digit NIK
verify-check = Periksa ke SIAK
verify-checking = Memeriksa ke SIAK…
verify-confirm = Data sesuai, lanjut
verify-retype = Ketik ulang NIK
verify-not-found = NIK ini tidak terdaftar di SIAK. Arahkan pemohon ke layanan pendaftaran penduduk.
verify-unreachable = SIAK tidak dapat dihubungi ({ $reason }). Coba lagi sebentar.

nik-err-length = NIK harus 16 digit; yang diketik { $len } digit.
nik-err-digit = Karakter ke-{ $position } bukan angka.
nik-err-province = Kode provinsi { $code } tidak ada (digit 1–2).
nik-err-regency = Kode kabupaten/kota { $code } tidak berlaku (digit 3–4).
nik-err-district = Kode kecamatan { $code } tidak berlaku (digit 5–6).
nik-err-day = Tanggal lahir { $day } tidak berlaku: laki-laki 01–31, perempuan 41–71 (digit 7–8).
nik-err-month = Bulan lahir { $month } tidak berlaku (digit 9–10).
nik-err-date = Tanggal lahir { $date } tidak ada di kalender (digit 7–12).
nik-err-serial = Nomor urut 0000 tidak berlaku (digit 13–16).

field-name = Nama
field-birth = Tempat/Tgl Lahir
field-sex = Jenis Kelamin
field-address = Alamat
field-village = Kel/Desa
field-district = Kecamatan
field-regency = Kabupaten/Kota, Provinsi

record-intro = Posisikan pemohon di depan kamera, lalu rekam foto, sepuluh sidik jari, kedua iris mata dan tanda tangan.
record-capture = Rekam biometrik
record-capturing = Merekam… ikuti petunjuk pada alat.
record-failed = Perekaman gagal: { $reason }
record-retake = Rekam ulang
record-save = Simpan rekaman
record-save-failed = Rekaman belum tersimpan: { $reason }. Data masih ada; tekan Simpan lagi.
record-saving = Menyimpan…
record-saved = Terekam
record-queue-no = Nomor antrean { $number }
record-receipt-no = Nomor bukti perekaman { $number }
record-waiting = Data dikirim ke pusat di latar belakang. Pemohon menunggu di daftar tunggu.
record-done = Selesai

review-face = Foto · kualitas { $quality }
review-fingers = Sidik jari · kualitas { $qualities }
review-irises = Iris · kualitas { $qualities }
review-signature = Tanda tangan · { $strokes } goresan

back = Kembali
home-pickup = Ambil KTP-el

status-unsent = Data belum terkirim ke pusat; pengiriman berjalan otomatis di latar belakang. Pemohon boleh menunggu atau pulang membawa bukti perekaman.
status-received = Data sudah diterima pusat dan sedang dipadankan (sidik jari dan iris). Hasilnya bisa memakan waktu; pemohon boleh pulang membawa bukti perekaman.
status-print-ready = Pusat menyatakan data tunggal: KTP-el siap dicetak untuk pemohon ini.
status-duplicate = Pusat menemukan rekaman ganda: NIK ini sudah pernah direkam. Pemohon tidak perlu merekam ulang; arahkan ke petugas Dinas untuk penyelesaian data ganda.
status-adjudicate = Pusat memerlukan keputusan petugas (adjudikasi) sebelum KTP-el dicetak. Pemohon akan dihubungi; simpan bukti perekaman.
status-enroll-failure = Pusat tidak dapat memproses rekaman (data tidak lengkap atau tidak terbaca). Pemohon perlu merekam ulang di loket.
status-handed-over = KTP-el sudah diserahkan kepada pemohon.

applicant-receipt-no = Nomor bukti perekaman { $number }
applicant-centre-note = Keterangan pusat: { $note }
applicant-receipt-printed = Bukti perekaman sudah dicetak.

receipt-print = Cetak bukti perekaman
receipt-reprint = Cetak ulang bukti perekaman
receipt-printing = Mencetak…
receipt-printed = Bukti perekaman tercetak. Serahkan kepada pemohon.
receipt-needs-person = Printer perlu ditangani: { $reason }. Bukti belum tercetak; tekan cetak lagi setelah diperbaiki.
receipt-failed = Bukti belum tercetak: { $reason }

pickup-title = Pengambilan KTP-el
pickup-label = Nomor bukti perekaman (13 digit)
pickup-enter = Ketik nomor pada bukti perekaman
pickup-find = Cari
pickup-mistyped = Nomor bukti tidak sah: periksa kembali angka yang diketik.
pickup-not-here = Nomor bukti ini tidak tercatat di loket ini. Periksa nama kantor pada bukti.
record-camera-starting = Menyalakan kamera…
record-camera-failed = Kamera bermasalah: { $reason }
