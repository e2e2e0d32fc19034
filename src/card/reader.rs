//! Walks a profile file along its schema: the data objects of one level, taken in the order
//! the profile fixes, with errors that name the file, the tag and the byte offset in the file.

use super::profile::ProfileError;
use super::tlv::{self, Tlv};

pub(crate) struct Reader<'a> {
    fid: u16,
    /// Offset of this level's first byte within the file.
    base: usize,
    len: usize,
    items: Vec<Tlv<'a>>,
    next: usize,
}

impl<'a> Reader<'a> {
    /// The data objects of `bytes`, which start at `base` within file `fid`.
    pub fn new(fid: u16, bytes: &'a [u8], base: usize) -> Result<Self, ProfileError> {
        let items = tlv::parse_all(bytes).map_err(|e| ProfileError::Tlv {
            fid,
            source: e.shifted(base),
        })?;
        Ok(Self {
            fid,
            base,
            len: bytes.len(),
            items,
            next: 0,
        })
    }

    /// The next data object, which must carry `tag`.
    pub fn take(&mut self, tag: u32) -> Result<Tlv<'a>, ProfileError> {
        match self.items.get(self.next) {
            Some(t) if t.tag == tag => {
                self.next += 1;
                Ok(*t)
            }
            Some(t) => Err(ProfileError::UnexpectedTag {
                fid: self.fid,
                expected: tag,
                found: t.tag,
                at: self.base + t.offset,
            }),
            None => Err(ProfileError::MissingTag {
                fid: self.fid,
                expected: tag,
                at: self.base + self.len,
            }),
        }
    }

    /// The next data object if it carries `tag`.
    pub fn take_if(&mut self, tag: u32) -> Option<Tlv<'a>> {
        match self.items.get(self.next) {
            Some(t) if t.tag == tag => {
                self.next += 1;
                Some(*t)
            }
            _ => None,
        }
    }

    /// The tag of the next data object, if any is left.
    pub fn peek_tag(&self) -> Option<u32> {
        self.items.get(self.next).map(|t| t.tag)
    }

    /// Every data object of this level has been taken.
    pub fn finish(&self) -> Result<(), ProfileError> {
        match self.items.get(self.next) {
            None => Ok(()),
            Some(t) => Err(ProfileError::UnexpectedObject {
                fid: self.fid,
                tag: t.tag,
                at: self.base + t.offset,
            }),
        }
    }

    /// The level inside constructed object `t` (taken from this reader).
    pub fn nested(&self, t: Tlv<'a>) -> Result<Reader<'a>, ProfileError> {
        Reader::new(self.fid, t.value, self.base + t.value_offset)
    }
}
