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

capture-step = Langkah { $n } dari { $total }: { $what }
slot-face = Foto wajah
slot-right_thumb = Ibu jari kanan
slot-right_index = Telunjuk kanan
slot-right_middle = Jari tengah kanan
slot-right_ring = Jari manis kanan
slot-right_little = Kelingking kanan
slot-left_thumb = Ibu jari kiri
slot-left_index = Telunjuk kiri
slot-left_middle = Jari tengah kiri
slot-left_ring = Jari manis kiri
slot-left_little = Kelingking kiri
slot-iris-right = Iris mata kanan
slot-iris-left = Iris mata kiri
slot-signature = Tanda tangan
capture-face-hint = Minta pemohon duduk tegak dan menatap kamera; wajah tidak tertutup rambut, kacamata atau penutup kepala.
capture-finger-hint = Letakkan { $finger } pemohon di atas kaca pemindai dan tekan dengan rata.
capture-iris-hint = Minta pemohon menatap pemindai iris dengan mata terbuka lebar.
capture-signature-pad-hint = Minta pemohon menandatangani pada pad tanda tangan, lalu angkat pena.
capture-signature-touch-hint = Minta pemohon menandatangani di kotak putih dengan jari atau pena layar.
capture-take-photo = Ambil foto
capture-scan = Pindai
capture-sign = Mulai tanda tangan
capture-busy = Memindai… ikuti petunjuk pada alat.
capture-next = Lanjut
capture-previous = Sebelumnya
capture-retake = Ulangi
capture-quality = Kualitas { $quality } (minimal { $min })
capture-quality-low = Kualitas { $quality }, di bawah { $min }: sebaiknya diulang.
capture-no-quality = Tanpa nilai kualitas
capture-exception-title = Tidak bisa direkam?
finger-missing = Jari tidak ada
finger-bandaged = Diperban
finger-unusable = Sidik tidak terbaca
iris-missing = Mata tidak ada
iris-unusable = Iris tidak terbaca
capture-recorded-exception = Dicatat: { $why }
capture-clear = Hapus
capture-accept = Pakai tanda tangan ini
capture-to-review = Periksa hasil
review-title = Periksa semua hasil; sentuh satu untuk mengulangnya.
review-missing = Belum direkam
cancel-confirm = Buang semua rekaman pemohon ini?
cancel-yes = Ya, buang
cancel-no = Tidak

device-error-timeout = Alat tidak menjawab tepat waktu. Ulangi; bila terus terjadi, minta teknisi memeriksa alat.
device-error-disconnected = Alat terputus. Periksa kabel dan colokan, lalu ulangi.
device-error-not_present = Alat atau objek tidak ditemukan (jari di kaca, kartu di pembaca, alat terpasang). Periksa, lalu ulangi.
device-error-bad_data = Hasil dari alat tidak dapat dipakai. Ulangi perekaman.
device-error-busy = Alat sedang sibuk. Tunggu sebentar, lalu ulangi.
device-error-needs_attention = Alat perlu ditangani (kertas, tutup, kartu kosong). Perbaiki, lalu ulangi.
device-error-other = Alat mengalami gangguan. Ulangi; bila terus terjadi, minta teknisi menjalankan uji alat.
device-error-detail = Rincian teknis: { $detail }

home-technician = Area teknisi
tech-title = Area teknisi: uji alat
tech-intro = Uji setiap alat yang terpasang. Alat yang gagal menyebutkan apa yang perlu diperiksa.
tech-test-all = Uji semua alat
tech-test-one = Uji
tech-testing = Sedang diuji…
tech-untested = Belum diuji
tech-passed = LULUS
tech-failed = GAGAL
tech-identity = { $model } · seri { $serial } · firmware { $firmware } · driver { $driver } · { $ms } ms
role-camera = Kamera
role-fingerprint = Pemindai sidik jari
role-iris = Pemindai iris
role-signature = Pad tanda tangan
role-card_encoder = Pembaca/penulis chip
role-card_printer = Printer kartu
role-receipt_printer = Printer struk

queue-oldest = Rekaman tertua belum terkirim: { $minutes } menit
queue-draining = Mengirim tumpukan: { $sent } dari { $total }
state-recorded = Terekam
state-sending = Dikirim
state-received = Diterima pusat
state-print_ready = Siap cetak
state-duplicate = Ganda
state-adjudicate = Adjudikasi
state-enroll_failure = Gagal rekam
pickup-scan = Pindai QR pada bukti dengan kamera
pickup-scan-stop = Ketik nomor saja
pickup-scan-hint = Tunjukkan kode QR pada bukti perekaman ke kamera.

face-ok = ✓ Wajah siap difoto (skor { $score })
face-look-at-camera = Wajah tidak terlihat: minta pemohon menatap kamera
face-only-one-person = Hanya pemohon yang boleh terlihat di foto
face-come-closer = Minta pemohon mendekat ke kamera
face-move-back = Minta pemohon mundur dari kamera
face-move-left = Geser wajah ke kiri gambar
face-move-right = Geser wajah ke kanan gambar
face-move-up = Naikkan wajah di gambar (duduk tegak atau naikkan kamera)
face-move-down = Turunkan wajah di gambar (turunkan kursi atau kamera)
face-head-level = Kepala tegak: kedua mata sejajar
face-more-light = Wajah terlalu gelap: nyalakan lampu
face-less-light = Wajah terlalu terang: kurangi cahaya
face-even-light = Ratakan cahaya di kedua sisi wajah
face-hold-still = Gambar kabur: minta pemohon diam sejenak
