//! Big-endian fields in and out, with every read bounded by the input.

use crate::{RecordError, RecordKind};

/// Reads fields from a record; every read is checked against what is left.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    record: RecordKind,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], record: RecordKind) -> Self {
        Self {
            bytes,
            at: 0,
            record,
        }
    }

    pub(crate) fn at(&self) -> usize {
        self.at
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], RecordError> {
        if n > self.remaining() {
            return Err(RecordError::Truncated {
                record: self.record,
                field,
                at: self.at,
                need: n,
                have: self.remaining(),
            });
        }
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    pub(crate) fn array4(&mut self, field: &'static str) -> Result<[u8; 4], RecordError> {
        let b = self.take(4, field)?;
        Ok([b[0], b[1], b[2], b[3]])
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, RecordError> {
        Ok(self.take(1, field)?[0])
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, RecordError> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u24(&mut self, field: &'static str) -> Result<u32, RecordError> {
        let b = self.take(3, field)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, RecordError> {
        let b = self.array4(field)?;
        Ok(u32::from_be_bytes(b))
    }

    /// A field whose value must be one of `allowed`.
    pub(crate) fn u8_in(&mut self, field: &'static str, allowed: &[u8]) -> Result<u8, RecordError> {
        let v = self.u8(field)?;
        if allowed.contains(&v) {
            Ok(v)
        } else {
            Err(self.bad(field, u32::from(v)))
        }
    }

    pub(crate) fn u16_is(&mut self, field: &'static str, want: u16) -> Result<(), RecordError> {
        let v = self.u16(field)?;
        if v == want {
            Ok(())
        } else {
            Err(self.bad(field, u32::from(v)))
        }
    }

    pub(crate) fn bad(&self, field: &'static str, value: u32) -> RecordError {
        RecordError::Field {
            record: self.record,
            field,
            value,
        }
    }
}

/// Appends big-endian fields.
pub(crate) trait Put {
    fn u8(&mut self, v: u8);
    fn u16(&mut self, v: u16);
    fn u24(&mut self, v: u32);
    fn u32(&mut self, v: u32);
}

impl Put for Vec<u8> {
    fn u8(&mut self, v: u8) {
        self.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn u24(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes()[1..]);
    }
    fn u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes());
    }
}
