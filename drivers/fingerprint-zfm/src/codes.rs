//! Instruction codes and the module's confirmation codes (R30x / ZFM / AS608 datasheets).

use ktpel_hal::ErrorKind;

/// The instructions this driver sends (and the rest of the set, for reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Instruction {
    GenImg,
    Img2Tz,
    Match,
    Search,
    RegModel,
    Store,
    LoadChar,
    UpChar,
    DownChar,
    UpImage,
    DeleteChar,
    Empty,
    ReadSysPara,
    SetPwd,
    VfyPwd,
    TemplateNum,
}

impl Instruction {
    pub fn code(self) -> u8 {
        match self {
            Instruction::GenImg => 0x01,
            Instruction::Img2Tz => 0x02,
            Instruction::Match => 0x03,
            Instruction::Search => 0x04,
            Instruction::RegModel => 0x05,
            Instruction::Store => 0x06,
            Instruction::LoadChar => 0x07,
            Instruction::UpChar => 0x08,
            Instruction::DownChar => 0x09,
            Instruction::UpImage => 0x0A,
            Instruction::DeleteChar => 0x0C,
            Instruction::Empty => 0x0D,
            Instruction::ReadSysPara => 0x0F,
            Instruction::SetPwd => 0x12,
            Instruction::VfyPwd => 0x13,
            Instruction::TemplateNum => 0x1D,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Instruction::GenImg => "GenImg",
            Instruction::Img2Tz => "Img2Tz",
            Instruction::Match => "Match",
            Instruction::Search => "Search",
            Instruction::RegModel => "RegModel",
            Instruction::Store => "Store",
            Instruction::LoadChar => "LoadChar",
            Instruction::UpChar => "UpChar",
            Instruction::DownChar => "DownChar",
            Instruction::UpImage => "UpImage",
            Instruction::DeleteChar => "DeleteChar",
            Instruction::Empty => "Empty",
            Instruction::ReadSysPara => "ReadSysPara",
            Instruction::SetPwd => "SetPwd",
            Instruction::VfyPwd => "VfyPwd",
            Instruction::TemplateNum => "TemplateNum",
        }
    }
}

/// A confirmation code other than 00 (ok), as the module answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Confirmation {
    PacketReceiveError,
    NoFinger,
    EnrollFailure,
    ImageTooMessy,
    TooFewFeaturePoints,
    NoMatch,
    NotFound,
    MergeFailure,
    BadPageId,
    TemplateReadError,
    TemplateUploadError,
    DataReceiveError,
    ImageUploadError,
    WrongPassword,
    NoValidImage,
    Other(u8),
}

impl Confirmation {
    /// The code as the module sends it; `None` for 00 (ok).
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x00 => return None,
            0x01 => Confirmation::PacketReceiveError,
            0x02 => Confirmation::NoFinger,
            0x03 => Confirmation::EnrollFailure,
            0x06 => Confirmation::ImageTooMessy,
            0x07 => Confirmation::TooFewFeaturePoints,
            0x08 => Confirmation::NoMatch,
            0x09 => Confirmation::NotFound,
            0x0A => Confirmation::MergeFailure,
            0x0B => Confirmation::BadPageId,
            0x0C => Confirmation::TemplateReadError,
            0x0D => Confirmation::TemplateUploadError,
            0x0E => Confirmation::DataReceiveError,
            0x0F => Confirmation::ImageUploadError,
            0x13 => Confirmation::WrongPassword,
            0x15 => Confirmation::NoValidImage,
            other => Confirmation::Other(other),
        })
    }

    pub fn code(self) -> u8 {
        match self {
            Confirmation::PacketReceiveError => 0x01,
            Confirmation::NoFinger => 0x02,
            Confirmation::EnrollFailure => 0x03,
            Confirmation::ImageTooMessy => 0x06,
            Confirmation::TooFewFeaturePoints => 0x07,
            Confirmation::NoMatch => 0x08,
            Confirmation::NotFound => 0x09,
            Confirmation::MergeFailure => 0x0A,
            Confirmation::BadPageId => 0x0B,
            Confirmation::TemplateReadError => 0x0C,
            Confirmation::TemplateUploadError => 0x0D,
            Confirmation::DataReceiveError => 0x0E,
            Confirmation::ImageUploadError => 0x0F,
            Confirmation::WrongPassword => 0x13,
            Confirmation::NoValidImage => 0x15,
            Confirmation::Other(c) => c,
        }
    }

    /// What the code means, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Confirmation::PacketReceiveError => "the module could not read the command packet",
            Confirmation::NoFinger => "no finger on the sensor",
            Confirmation::EnrollFailure => "the module could not take the image",
            Confirmation::ImageTooMessy => "the image is too messy to use",
            Confirmation::TooFewFeaturePoints => "too few feature points in the image",
            Confirmation::NoMatch => "the fingers do not match",
            Confirmation::NotFound => "no matching template in the library",
            Confirmation::MergeFailure => "the templates could not be merged",
            Confirmation::BadPageId => "template slot out of range",
            Confirmation::TemplateReadError => "template could not be read or is invalid",
            Confirmation::TemplateUploadError => "template upload failed",
            Confirmation::DataReceiveError => "the module cannot receive the data packets",
            Confirmation::ImageUploadError => "image upload failed",
            Confirmation::WrongPassword => "wrong module password",
            Confirmation::NoValidImage => "no valid image in the module's buffer",
            Confirmation::Other(_) => "unknown confirmation code",
        }
    }

    /// The hal kind a caller branches on.
    pub fn kind(self) -> ErrorKind {
        match self {
            Confirmation::NoFinger | Confirmation::NotFound => ErrorKind::NotPresent,
            Confirmation::PacketReceiveError
            | Confirmation::EnrollFailure
            | Confirmation::ImageTooMessy
            | Confirmation::TooFewFeaturePoints
            | Confirmation::MergeFailure
            | Confirmation::TemplateReadError
            | Confirmation::TemplateUploadError
            | Confirmation::DataReceiveError
            | Confirmation::ImageUploadError
            | Confirmation::NoValidImage => ErrorKind::BadData,
            Confirmation::NoMatch
            | Confirmation::BadPageId
            | Confirmation::WrongPassword
            | Confirmation::Other(_) => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_reference_round_trips_and_has_a_kind() {
        let codes = [
            0x01, 0x02, 0x03, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x13,
            0x15,
        ];
        for code in codes {
            let c = Confirmation::from_code(code);
            assert!(
                !matches!(c, None | Some(Confirmation::Other(_))),
                "{code:02X}"
            );
            assert_eq!(c.map(Confirmation::code), Some(code));
        }
        assert_eq!(Confirmation::from_code(0), None);
        assert_eq!(
            Confirmation::from_code(0x02).map(Confirmation::kind),
            Some(ErrorKind::NotPresent)
        );
        for code in [0x01, 0x0E, 0x0F] {
            assert_eq!(
                Confirmation::from_code(code).map(Confirmation::kind),
                Some(ErrorKind::BadData)
            );
        }
    }
}
