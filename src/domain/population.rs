//! Synthetic population: plausible, internally consistent residents for the simulators
//! (SIAK, the centre), the demo and the tests. Nobody here is a real person.
//!
//! Residents come in households that share a KK number, an address and a region; a household's
//! members have NIKs of that region. The first households go through every province of the
//! illustrative regency table once (so any population of 40 or more covers at least 20
//! provinces), the rest are drawn with rough population weights.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::ToSpan;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use super::kk::KkNumber;
use super::nik::{Nik, Sex};
use super::region::{province, regencies_in, District, Regency, RegionCode, REGENCIES};
use super::resident::{
    BloodType, MaritalStatus, Religion, Resident, NATIONALITY_WNI, VALID_FOR_LIFE,
};

/// Youngest age for a KTP-el.
pub const MIN_AGE: i16 = 17;
/// Oldest age in the synthetic population.
pub const MAX_AGE: i16 = 90;

/// Given names used by people of any religion.
const MALE_GIVEN: &[&str] = &[
    "BUDI", "AGUS", "ADI", "ANDI", "ARIF", "BAMBANG", "DEDI", "DIMAS", "EKO", "FAJAR", "HADI",
    "HENDRA", "IRFAN", "JOKO", "RIZKY", "RUDI", "SLAMET", "SUGENG", "TEGUH", "WAHYU", "BAYU",
    "DANI", "FIRMAN", "GALIH", "HERU", "YOGA", "ARDI", "BENNY", "ANTON", "HARIS",
];
const FEMALE_GIVEN: &[&str] = &[
    "SRI", "DEWI", "AYU", "RINA", "PUTRI", "FITRI", "INDAH", "MAYA", "NOVI", "RATNA", "SARI",
    "WULAN", "YULIA", "ANI", "DIAN", "EKA", "INTAN", "KARTIKA", "LINDA", "MEGA", "RATIH", "SUSI",
    "TUTI", "YANTI", "DESI", "LISA", "RINI",
];
/// Given names mostly of Muslims.
const MALE_MUSLIM: &[&str] = &[
    "MUHAMMAD", "AHMAD", "YUSUF", "IMAM", "RAHMAT", "RIDWAN", "TAUFIK", "ILHAM", "ABDUL", "HASAN",
];
const FEMALE_MUSLIM: &[&str] = &[
    "SITI", "NUR", "ANISA", "RAHMA", "FARAH", "AISYAH", "FATIMAH", "KHADIJAH", "ZAHRA",
];
/// Given names mostly of Christians.
const MALE_CHRISTIAN: &[&str] = &[
    "YOHANES", "STEFANUS", "ROBERT", "DANIEL", "YOSEF", "PAULUS", "PETRUS", "MARKUS", "FRANS",
];
const FEMALE_CHRISTIAN: &[&str] = &[
    "MARIA",
    "ELISABETH",
    "GRACE",
    "MARTHA",
    "CHRISTINA",
    "YOHANA",
    "VERONIKA",
    "AGNES",
];

/// Second names of one-or-two-name people (no family name), men.
const MALE_SECOND: &[&str] = &[
    "SANTOSO",
    "SETIAWAN",
    "HIDAYAT",
    "PRASETYO",
    "NUGROHO",
    "WIBOWO",
    "SAPUTRA",
    "PRATAMA",
    "KURNIAWAN",
    "GUNAWAN",
    "SUSANTO",
    "RAHMAN",
    "HAKIM",
    "FIRMANSYAH",
    "SUHENDRA",
    "WIJAYA",
    "HERMAWAN",
    "SUDRAJAT",
    "MAULANA",
    "RAMADHAN",
    "SUPRIYADI",
    "HARYANTO",
    "SYAHPUTRA",
];

/// Second names of one-or-two-name people (no family name), women.
const FEMALE_SECOND: &[&str] = &[
    "LESTARI",
    "RAHAYU",
    "WAHYUNI",
    "PERMATASARI",
    "PUSPITASARI",
    "HANDAYANI",
    "KURNIASIH",
    "SUSANTI",
    "WULANDARI",
    "ANGGRAINI",
    "RAHMAWATI",
    "PRATIWI",
    "NURHALIZA",
    "MAHARANI",
    "SAFITRI",
    "UTAMI",
    "KUSUMAWATI",
    "FEBRIANTI",
    "NINGSIH",
    "AMALIA",
];

const BATAK: &[&str] = &[
    "SIREGAR",
    "NASUTION",
    "HARAHAP",
    "LUBIS",
    "SIMANJUNTAK",
    "SITUMORANG",
    "PANJAITAN",
    "TAMBUNAN",
    "GINTING",
    "SEMBIRING",
    "HUTAPEA",
    "SIAHAAN",
    "SINAGA",
    "PANGARIBUAN",
];
const MINAHASA: &[&str] = &[
    "SONDAKH",
    "RUNTUWENE",
    "MANDAGI",
    "PANGEMANAN",
    "WOROTIKAN",
    "LUMINTANG",
    "RUMENGAN",
    "WENAS",
];
const MALUKU: &[&str] = &[
    "WATTIMENA",
    "PATTINAMA",
    "LATUHARHARY",
    "PATTIASINA",
    "TUHUMURY",
    "SAHETAPY",
    "LEIWAKABESSY",
];
const PAPUA: &[&str] = &[
    "WENDA", "KOGOYA", "RUMBIAK", "WAROMI", "RUMBEWAS", "WANIMBO", "KAREMBA", "IBO",
];
const NTT: &[&str] = &[
    "NDOLU",
    "BENU",
    "MANAFE",
    "TALLO",
    "FANGGIDAE",
    "NDOEN",
    "ADOE",
    "LAKA",
];

const BALI_ORDER_NAMES: &[&str] = &[
    "WAYAN", "PUTU", "MADE", "KADEK", "NYOMAN", "KOMANG", "KETUT",
];
const BALI_MALE: &[&str] = &[
    "SUDARSANA",
    "ARTAWAN",
    "SUARDANA",
    "WIRAWAN",
    "ADNYANA",
    "SUTAMA",
    "MERTAYASA",
    "WIDIADA",
];
const BALI_FEMALE: &[&str] = &[
    "ARTINI", "SUARNI", "ARIASIH", "WIDIASIH", "SUKERTI", "SRIASIH", "PURNAMI", "ASTITI",
];

const STREETS: &[&str] = &[
    "MERDEKA",
    "SUDIRMAN",
    "DIPONEGORO",
    "GATOT SUBROTO",
    "AHMAD YANI",
    "PAHLAWAN",
    "KARTINI",
    "PEMUDA",
    "IMAM BONJOL",
    "HASANUDDIN",
    "PATTIMURA",
    "MELATI",
    "MAWAR",
    "ANGGREK",
    "MANGGA",
    "KENANGA",
    "CEMPAKA",
    "RAYA TIMUR",
    "KH. DEWANTARA",
    "CUT NYAK DHIEN",
    "SISINGAMANGARAJA",
    "TEUKU UMAR",
    "GAJAH MADA",
    "HAYAM WURUK",
    "SETIA BUDI",
    "SILIWANGI",
    "KENARI",
    "BERINGIN",
];

const WORK: &[(&str, u32)] = &[
    ("KARYAWAN SWASTA", 24),
    ("WIRASWASTA", 22),
    ("PETANI/PEKEBUN", 4),
    ("PEDAGANG", 8),
    ("BURUH HARIAN LEPAS", 8),
    ("PEGAWAI NEGERI SIPIL", 6),
    ("GURU", 4),
    ("NELAYAN/PERIKANAN", 2),
    ("SOPIR", 3),
    ("PERAWAT", 2),
    ("KARYAWAN BUMN", 2),
    ("TENTARA NASIONAL INDONESIA", 1),
    ("KEPOLISIAN RI", 1),
    ("DOSEN", 1),
    ("DOKTER", 1),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// One or two names, no family name (most of Indonesia).
    Plain,
    /// Given name + family name (marga/fam) shared by the household.
    Family(&'static [&'static str]),
    /// I/NI + birth-order name + name.
    Bali,
}

fn naming(province_code: u8) -> Naming {
    match province_code {
        12 => Naming::Family(BATAK),
        51 => Naming::Bali,
        53 => Naming::Family(NTT),
        71 => Naming::Family(MINAHASA),
        81 => Naming::Family(MALUKU),
        91..=96 => Naming::Family(PAPUA),
        _ => Naming::Plain,
    }
}

/// Rough weights for drawing a province after the first pass (Java is most of the people).
fn province_weight(code: u8) -> u32 {
    match code {
        31..=36 => 6,
        12 | 16 | 18 | 73 => 3,
        _ => 1,
    }
}

fn religion_weights(province_code: u8) -> [(Religion, u32); 7] {
    use Religion::*;
    let (islam, kristen, katolik, hindu, buddha, konghucu, kepercayaan) = match province_code {
        51 => (10, 2, 1, 86, 1, 0, 0),
        53 => (9, 35, 55, 1, 0, 0, 0),
        71 => (30, 63, 5, 1, 1, 0, 0),
        81 => (50, 42, 7, 0, 0, 0, 1),
        91..=96 => (25, 60, 14, 0, 0, 0, 1),
        12 => (63, 27, 7, 0, 2, 0, 1),
        61 | 21 => (60, 12, 15, 0, 10, 2, 1),
        _ => (92, 4, 2, 0, 1, 0, 1),
    };
    [
        (Islam, islam),
        (Kristen, kristen),
        (Katolik, katolik),
        (Hindu, hindu),
        (Buddha, buddha),
        (Konghucu, konghucu),
        (Kepercayaan, kepercayaan),
    ]
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> Option<T> {
    items.choose(rng).copied()
}

fn pick_weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> Option<T> {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut x = rng.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return Some(*item);
        }
        x -= w;
    }
    None
}

/// A uniformly random date on which someone has exactly `age` years on `today`.
fn birth_date_for_age(rng: &mut StdRng, today: Date, age: i16) -> Option<Date> {
    let latest = today.checked_sub(i64::from(age).years()).ok()?;
    let earliest = today
        .checked_sub(i64::from(age + 1).years())
        .ok()?
        .checked_add(1.day())
        .ok()?;
    let days = latest.since(earliest).ok()?.get_days();
    let back = rng.random_range(0..=days.max(0));
    latest.checked_sub(i64::from(back).days()).ok()
}

/// An age between 17 and 90, more of them of working age.
fn random_age(rng: &mut StdRng) -> i16 {
    let a = rng.random_range(MIN_AGE..=MAX_AGE);
    let b = rng.random_range(MIN_AGE..=MAX_AGE);
    let c = rng.random_range(MIN_AGE..=MAX_AGE);
    // median of three: fewer very young and very old people
    a.max(b).min(a.min(b).max(c))
}

struct Place {
    regency: &'static Regency,
    district: &'static District,
    region: RegionCode,
    village: &'static str,
}

struct Member {
    sex: Sex,
    age: i16,
    marital: MaritalStatus,
    family_name: Option<&'static str>,
}

struct Generator {
    rng: StdRng,
    today: Date,
    nik_next: HashMap<String, u16>,
    kk_next: HashMap<String, u16>,
    out: Vec<Resident>,
    count: usize,
}

impl Generator {
    fn place(&mut self, province_code: u8) -> Option<Place> {
        let regencies: Vec<&'static Regency> = regencies_in(province_code).collect();
        let regency = pick(&mut self.rng, &regencies)?;
        let district = regency.districts.choose(&mut self.rng)?;
        let village = district.villages.choose(&mut self.rng)?.as_str();
        let region = regency.region_code(district).ok()?;
        Some(Place {
            regency,
            district,
            region,
            village,
        })
    }

    /// Next free serial for a 12-digit prefix (region + date), starting at a small random
    /// number; `None` when the prefix is full.
    fn serial(rng: &mut StdRng, next: &mut HashMap<String, u16>, prefix: String) -> Option<u16> {
        let slot = next
            .entry(prefix)
            .or_insert_with(|| rng.random_range(1..=20));
        let serial = *slot;
        if serial > 9999 {
            return None;
        }
        *slot += 1;
        Some(serial)
    }

    fn nik(&mut self, region: RegionCode, age: i16, sex: Sex) -> Option<Nik> {
        // A few tries in case a (region, date) prefix is full.
        for _ in 0..8 {
            let birth = birth_date_for_age(&mut self.rng, self.today, age)?;
            let probe = Nik::build(region, birth, sex, 1).ok()?;
            let prefix = probe.as_str().get(..12)?.to_owned();
            if let Some(serial) = Self::serial(&mut self.rng, &mut self.nik_next, prefix) {
                return Nik::build(region, birth, sex, serial).ok();
            }
        }
        None
    }

    fn kk(&mut self, region: RegionCode, head_age: i16) -> Option<KkNumber> {
        // Issued within the last 15 years, and not before the head turned 17.
        let adult_days = i64::from(head_age - MIN_AGE) * 365;
        let max_back = adult_days.clamp(0, 15 * 365);
        for _ in 0..8 {
            let back = self.rng.random_range(0..=max_back);
            let issued = self.today.checked_sub(back.days()).ok()?;
            let probe = KkNumber::build(region, issued, 1).ok()?;
            let prefix = probe.as_str().get(..12)?.to_owned();
            if let Some(serial) = Self::serial(&mut self.rng, &mut self.kk_next, prefix) {
                return KkNumber::build(region, issued, serial).ok();
            }
        }
        None
    }

    fn name(
        &mut self,
        naming: Naming,
        religion: Religion,
        sex: Sex,
        family_name: Option<&'static str>,
    ) -> String {
        let rng = &mut self.rng;
        let (common, religious) = match (sex, religion) {
            (Sex::Male, Religion::Islam) => (MALE_GIVEN, MALE_MUSLIM),
            (Sex::Female, Religion::Islam) => (FEMALE_GIVEN, FEMALE_MUSLIM),
            (Sex::Male, Religion::Kristen | Religion::Katolik) => (MALE_GIVEN, MALE_CHRISTIAN),
            (Sex::Female, Religion::Kristen | Religion::Katolik) => {
                (FEMALE_GIVEN, FEMALE_CHRISTIAN)
            }
            (Sex::Male, _) => (MALE_GIVEN, MALE_GIVEN),
            (Sex::Female, _) => (FEMALE_GIVEN, FEMALE_GIVEN),
        };
        let list = if rng.random_bool(0.4) {
            religious
        } else {
            common
        };
        let given = pick(rng, list).unwrap_or("BUDI");
        match naming {
            Naming::Bali => {
                let order = pick(rng, BALI_ORDER_NAMES).unwrap_or("WAYAN");
                let (prefix, names) = match sex {
                    Sex::Male => ("I", BALI_MALE),
                    Sex::Female => ("NI", BALI_FEMALE),
                };
                let name = pick(rng, names).unwrap_or("ARTAWAN");
                format!("{prefix} {order} {name}")
            }
            Naming::Family(_) => match family_name {
                Some(family) => format!("{given} {family}"),
                None => given.to_owned(),
            },
            Naming::Plain => {
                if rng.random_bool(0.15) {
                    return given.to_owned();
                }
                let second = match sex {
                    Sex::Male => pick(rng, MALE_SECOND),
                    Sex::Female => pick(rng, FEMALE_SECOND),
                }
                .unwrap_or("SANTOSO");
                format!("{given} {second}")
            }
        }
    }

    fn occupation(&mut self, m: &Member, rural: bool) -> &'static str {
        let rng = &mut self.rng;
        if m.age <= 24 && rng.random_bool(0.6) {
            return "PELAJAR/MAHASISWA";
        }
        if m.age >= 60 && rng.random_bool(0.5) {
            return if rng.random_bool(0.5) {
                "PENSIUNAN"
            } else {
                "BELUM/TIDAK BEKERJA"
            };
        }
        if m.sex == Sex::Female && m.marital == MaritalStatus::Kawin && rng.random_bool(0.4) {
            return "MENGURUS RUMAH TANGGA";
        }
        if rng.random_bool(0.05) {
            return "BELUM/TIDAK BEKERJA";
        }
        if rural && rng.random_bool(0.3) {
            return "PETANI/PEKEBUN";
        }
        pick_weighted(rng, WORK).unwrap_or("WIRASWASTA")
    }

    fn blood_type(&mut self) -> BloodType {
        let weights = [
            (BloodType::O, 28),
            (BloodType::B, 22),
            (BloodType::A, 19),
            (BloodType::AB, 6),
            (BloodType::Unknown, 25),
        ];
        pick_weighted(&mut self.rng, &weights).unwrap_or(BloodType::Unknown)
    }

    fn address(&mut self) -> String {
        let rng = &mut self.rng;
        let street = pick(rng, STREETS).unwrap_or("MERDEKA");
        let no = rng.random_range(1..=150);
        match rng.random_range(0..10) {
            0..=6 => format!("JL. {street} NO. {no}"),
            7 | 8 => {
                let part = pick(rng, &["I", "II", "III", "IV"]).unwrap_or("I");
                format!("GG. {street} {part} NO. {no}")
            }
            _ => {
                let block = pick(rng, &['A', 'B', 'C', 'D', 'E']).unwrap_or('A');
                format!("KOMP. {street} BLOK {block} NO. {}", no % 40 + 1)
            }
        }
    }

    /// The household's members: a head, perhaps a spouse, perhaps an adult child.
    fn members(&mut self, naming: Naming) -> Vec<Member> {
        let family = match naming {
            Naming::Family(names) => pick(&mut self.rng, names),
            _ => None,
        };
        let rng = &mut self.rng;
        let head_age = random_age(rng);
        let head_sex = if rng.random_bool(0.8) {
            Sex::Male
        } else {
            Sex::Female
        };
        let married = head_age >= 20 && rng.random_bool(0.6);
        let mut members = vec![Member {
            sex: head_sex,
            age: head_age,
            marital: MaritalStatus::Kawin,
            family_name: family,
        }];
        let mut youngest_parent = head_age;
        if married {
            let age = (head_age + rng.random_range(-6..=4)).clamp(MIN_AGE, MAX_AGE);
            youngest_parent = youngest_parent.min(age);
            let spouse_sex = match head_sex {
                Sex::Male => Sex::Female,
                Sex::Female => Sex::Male,
            };
            // A wife keeps her own family name; a husband gives his to the household.
            let spouse_family = match (naming, spouse_sex) {
                (Naming::Family(names), Sex::Female) => pick(rng, names),
                _ => family,
            };
            members.push(Member {
                sex: spouse_sex,
                age,
                marital: MaritalStatus::Kawin,
                family_name: spouse_family,
            });
        }
        let has_child = youngest_parent >= 37 && rng.random_bool(0.35);
        if !married {
            members[0].marital = if has_child || (head_age >= 30 && rng.random_bool(0.4)) {
                if head_age >= 55 && rng.random_bool(0.7) {
                    MaritalStatus::CeraiMati
                } else if rng.random_bool(0.5) {
                    MaritalStatus::CeraiHidup
                } else {
                    MaritalStatus::CeraiMati
                }
            } else {
                MaritalStatus::BelumKawin
            };
        }
        if has_child {
            let oldest = (youngest_parent - 20).clamp(MIN_AGE, 35);
            let age = rng.random_range(MIN_AGE..=oldest);
            let sex = if rng.random_bool(0.5) {
                Sex::Male
            } else {
                Sex::Female
            };
            // Children take the father's family name.
            let father_family = members
                .iter()
                .find(|m| m.sex == Sex::Male)
                .and_then(|m| m.family_name)
                .or(family);
            members.push(Member {
                sex,
                age,
                marital: MaritalStatus::BelumKawin,
                family_name: father_family,
            });
        }
        members
    }

    fn household(&mut self, province_code: u8) -> Option<()> {
        let place = self.place(province_code)?;
        let provinsi = province(province_code)?.card_name();
        let naming = naming(province_code);
        let religion_weights = religion_weights(province_code);
        let religion = pick_weighted(&mut self.rng, &religion_weights)?;
        let members = self.members(naming);
        let head_age = members.first()?.age;
        let kk = self.kk(place.region, head_age)?;
        let address = self.address();
        let rt = format!("{:03}", self.rng.random_range(1..=15));
        let rw = format!("{:03}", self.rng.random_range(1..=12));
        let rural = place.regency.kind() == super::region::RegencyKind::Kabupaten;
        for m in members {
            if self.out.len() >= self.count {
                break;
            }
            let Some(nik) = self.nik(place.region, m.age, m.sex) else {
                continue;
            };
            let birth_place = if self.rng.random_bool(0.75) {
                place.regency.place_name()
            } else {
                REGENCIES
                    .choose(&mut self.rng)
                    .map(|r| r.place_name())
                    .unwrap_or(place.regency.place_name())
            };
            let name = self.name(naming, religion, m.sex, m.family_name);
            let occupation = self.occupation(&m, rural);
            let blood_type = self.blood_type();
            self.out.push(Resident {
                birth_date: nik.birth_date(),
                sex: nik.sex(),
                nik,
                kk: kk.clone(),
                name,
                birth_place: birth_place.to_owned(),
                blood_type,
                address: address.clone(),
                rt: rt.clone(),
                rw: rw.clone(),
                kelurahan: place.village.to_owned(),
                kecamatan: place.district.name.to_owned(),
                kabupaten: place.regency.name.to_owned(),
                provinsi: provinsi.clone(),
                religion,
                marital_status: m.marital,
                occupation: occupation.to_owned(),
                nationality: NATIONALITY_WNI.to_owned(),
                valid_until: VALID_FOR_LIFE.to_owned(),
            });
        }
        Some(())
    }
}

/// The province codes of the illustrative regency table, in code order.
fn table_provinces() -> Vec<u8> {
    let mut codes: Vec<u8> = REGENCIES.iter().map(|r| r.province_code()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// `count` synthetic residents, the same for the same `seed` and `today`.
///
/// Every resident has a valid, unique NIK whose region is the resident's region (kecamatan,
/// kabupaten and provinsi are the names of the NIK's codes), a KK number of the same region,
/// an age of 17–90 on `today`, and card fields in capitals. Members of a household share the KK
/// number and the address.
pub fn generate(seed: u64, count: usize, today: Date) -> Vec<Resident> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut first_pass = table_provinces();
    first_pass.shuffle(&mut rng);
    let weighted: Vec<(u8, u32)> = table_provinces()
        .into_iter()
        .map(|p| (p, province_weight(p)))
        .collect();
    let mut g = Generator {
        rng,
        today,
        nik_next: HashMap::new(),
        kk_next: HashMap::new(),
        out: Vec::with_capacity(count),
        count,
    };
    let mut first_pass = first_pass.into_iter();
    // Every attempt adds at least one resident unless `today` is out of jiff's range.
    let mut attempts = count.saturating_mul(4).saturating_add(64);
    while g.out.len() < count && attempts > 0 {
        attempts -= 1;
        let province_code = match first_pass.next() {
            Some(p) => p,
            None => match pick_weighted(&mut g.rng, &weighted) {
                Some(p) => p,
                None => break,
            },
        };
        let _ = g.household(province_code);
    }
    g.out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;
    use std::collections::HashSet;

    const TODAY: Date = date(2026, 11, 25);

    fn check_population(people: &[Resident], today: Date) {
        let mut niks = HashSet::new();
        let mut provinces = HashSet::new();
        for r in people {
            assert!(niks.insert(r.nik.as_str().to_owned()), "duplicate NIK");
            let parsed = Nik::parse(r.nik.as_str(), today).unwrap();
            assert_eq!(parsed.birth_date(), r.birth_date);
            assert_eq!(parsed.sex(), r.sex);
            let day_field: u8 = r.nik.as_str()[6..8].parse().unwrap();
            match r.sex {
                Sex::Male => assert!((1..=31).contains(&day_field)),
                Sex::Female => assert!((41..=71).contains(&day_field)),
            }
            let kk = KkNumber::parse(r.kk.as_str(), today).unwrap();
            assert!(kk.issue_date() <= today);
            assert!(kk.issue_date() >= r.birth_date);
            assert_eq!(kk.region(), r.nik.region());
            let region = r.nik.region();
            assert_eq!(r.provinsi, region.province().card_name());
            assert_eq!(r.kabupaten, region.regency().unwrap().name);
            let district = region.district().unwrap();
            assert_eq!(r.kecamatan, district.name);
            assert!(district.villages.contains(&r.kelurahan));
            assert!(r.inconsistencies().is_empty());
            let age = r.age_on(today);
            assert!((MIN_AGE..=MAX_AGE).contains(&age), "age {age}");
            assert_eq!(r.rt.len(), 3);
            assert_eq!(r.rw.len(), 3);
            assert!(r.rt.bytes().all(|b| b.is_ascii_digit()) && r.rt != "000");
            assert!(r.address.contains(" NO. "));
            assert_eq!(r.nationality, "WNI");
            assert_eq!(r.valid_until, "SEUMUR HIDUP");
            for text in [
                &r.name,
                &r.birth_place,
                &r.address,
                &r.kelurahan,
                &r.occupation,
            ] {
                assert!(!text.is_empty());
                assert_eq!(text.to_uppercase(), *text);
            }
            if r.occupation == "PELAJAR/MAHASISWA" {
                assert!(age <= 24);
            }
            provinces.insert(region.province_code());
        }
        assert!(provinces.len() >= 20, "{} provinces", provinces.len());
    }

    #[test]
    fn population_of_600_is_valid_unique_varied_and_deterministic() {
        let a = generate(42, 600, TODAY);
        assert_eq!(a.len(), 600);
        check_population(&a, TODAY);
        let b = generate(42, 600, TODAY);
        assert_eq!(a, b);
        let c = generate(43, 600, TODAY);
        assert_ne!(a, c);
        // Variety: both sexes, several religions and statuses, shared KKs in households.
        let women = a.iter().filter(|r| r.sex == Sex::Female).count();
        assert!((150..=450).contains(&women), "{women} women");
        let religions: HashSet<_> = a.iter().map(|r| r.religion).collect();
        assert!(religions.len() >= 4);
        let statuses: HashSet<_> = a.iter().map(|r| r.marital_status).collect();
        assert_eq!(statuses.len(), 4);
        let kks: HashSet<_> = a.iter().map(|r| r.kk.as_str()).collect();
        assert!(kks.len() < a.len());
        let occupations: HashSet<_> = a.iter().map(|r| r.occupation.as_str()).collect();
        assert!(occupations.len() >= 10);
        let ages: Vec<i16> = a.iter().map(|r| r.age_on(TODAY)).collect();
        assert!(ages.iter().any(|&x| x < 25) && ages.iter().any(|&x| x > 70));
        // Bali gets Balinese names.
        assert!(a
            .iter()
            .filter(|r| r.provinsi == "BALI")
            .all(|r| r.name.starts_with("I ") || r.name.starts_with("NI ")));
    }

    #[test]
    fn small_and_empty_populations() {
        assert!(generate(1, 0, TODAY).is_empty());
        assert_eq!(generate(1, 1, TODAY).len(), 1);
        let p = generate(7, 45, TODAY);
        assert_eq!(p.len(), 45);
        check_population(&p, TODAY);
    }

    #[test]
    fn large_population_stays_unique() {
        let p = generate(9, 5000, TODAY);
        assert_eq!(p.len(), 5000);
        let niks: HashSet<_> = p.iter().map(|r| r.nik.as_str()).collect();
        assert_eq!(niks.len(), 5000);
    }

    #[test]
    fn debug_of_population_leaks_no_names() {
        let p = generate(3, 20, TODAY);
        let text = format!("{p:?}");
        for r in &p {
            assert!(!text.contains(&r.name));
            assert!(!text.contains(r.nik.as_str()));
            assert!(!text.contains(&r.address));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn any_seed_and_today_gives_a_valid_population(
            seed in any::<u64>(),
            y in 1990i16..=2100,
            m in 1i8..=12,
            d in 1i8..=28,
        ) {
            let today = date(y, m, d);
            let p = generate(seed, 120, today);
            prop_assert_eq!(p.len(), 120);
            check_population(&p, today);
            prop_assert_eq!(&p, &generate(seed, 120, today));
        }
    }
}
