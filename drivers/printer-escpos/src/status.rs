//! Real-time status, `DLE EOT n`: one byte back, bits 0 and 7 clear and bits 1 and 4 set.
//! `n = 1` printer (bit 3 offline), `n = 2` offline cause (bit 2 cover open, bit 5 stopped by
//! paper end, bit 6 error), `n = 4` roll paper sensor (bits 2–3 near end, bits 5–6 paper end).

use ktpel_hal::PrinterStatus;

pub const DLE: u8 = 0x10;
pub const EOT: u8 = 0x04;

/// Which status to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Printer = 1,
    OfflineCause = 2,
    ErrorCause = 3,
    PaperSensor = 4,
}

impl StatusKind {
    pub fn request(self) -> [u8; 3] {
        [DLE, EOT, self as u8]
    }
}

/// Whether `b` can be a status byte (its fixed bits are right).
pub fn is_status_byte(b: u8) -> bool {
    b & 0x93 == 0x12
}

/// The three status bytes the driver reads before and after a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawStatus {
    pub printer: u8,
    pub offline_cause: u8,
    pub paper: u8,
}

impl RawStatus {
    pub fn status(&self) -> PrinterStatus {
        PrinterStatus {
            online: self.printer & 0x08 == 0,
            paper_out: self.paper & 0x60 == 0x60 || self.offline_cause & 0x20 != 0,
            cover_open: self.offline_cause & 0x04 != 0,
            error: self.offline_cause & 0x40 != 0,
        }
    }

    pub fn paper_near_end(&self) -> bool {
        self.paper & 0x0C == 0x0C
    }

    /// What a person must do, when something must be done.
    pub fn what_to_do(&self) -> Option<&'static str> {
        let s = self.status();
        if s.paper_out {
            Some("paper out: load a new paper roll and print again")
        } else if s.cover_open {
            Some("printer cover open: close it and print again")
        } else if s.error {
            Some("printer error: check the cutter and paper path, then print again")
        } else if !s.online {
            Some("printer offline: check it and print again")
        } else {
            None
        }
    }

    pub fn describe(&self) -> String {
        let s = self.status();
        format!(
            "{}, paper {}, cover {}{} (status bytes {:02X} {:02X} {:02X})",
            if s.online { "online" } else { "offline" },
            if s.paper_out {
                "out"
            } else if self.paper_near_end() {
                "near end"
            } else {
                "loaded"
            },
            if s.cover_open { "open" } else { "closed" },
            if s.error { ", error" } else { "" },
            self.printer,
            self.offline_cause,
            self.paper
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paper_out_and_cover_open_are_read() {
        let ok = RawStatus {
            printer: 0x12,
            offline_cause: 0x12,
            paper: 0x12,
        };
        assert!(ok.status().ready());
        assert_eq!(ok.what_to_do(), None);
        let paper = RawStatus {
            printer: 0x1A,
            offline_cause: 0x32,
            paper: 0x72,
        };
        assert!(paper.status().paper_out && !paper.status().online);
        assert!(paper.what_to_do().unwrap_or_default().contains("paper out"));
        let cover = RawStatus {
            printer: 0x1A,
            offline_cause: 0x16,
            paper: 0x12,
        };
        assert!(cover.status().cover_open && !cover.status().paper_out);
        assert!(cover
            .what_to_do()
            .unwrap_or_default()
            .contains("cover open"));
    }

    proptest! {
        #[test]
        fn any_bytes_give_a_status_and_bits_round_trip(
            p in any::<u8>(), o in any::<u8>(), r in any::<u8>()
        ) {
            let raw = RawStatus { printer: p, offline_cause: o, paper: r };
            let s = raw.status();
            let _ = raw.describe();
            prop_assert_eq!(s.online, p & 0x08 == 0);
            prop_assert_eq!(s.cover_open, o & 0x04 != 0);
            prop_assert_eq!(raw.what_to_do().is_none(), s.ready());
            prop_assert_eq!(is_status_byte(0x12 | (p & 0x6C)), true);
        }
    }
}
