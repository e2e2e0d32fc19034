//! The print-ready bundles the simulator has built, kept so a verdict query only reads one.
//!
//! A real centre keeps them in its own storage; the simulator keeps them in memory, in the
//! booth's process when it is embedded. Unbounded, they were the booth's memory growth over a
//! day (one portrait, signature and chip image set per print-ready applicant, ~40 KB, never
//! let go), so a bundle is dropped when its card is reported issued, and at most [`CAPACITY`]
//! are kept: the oldest goes first and is rebuilt from the sealed packet if it is asked for
//! again (the same data groups; EF.SOD's signature is deterministic, RFC 6979).

use std::collections::{HashMap, VecDeque};

use uuid::Uuid;

/// Bundles kept at most: more than a booth's print-ready waiting list holds in a day.
pub const CAPACITY: usize = 64;

/// Generic over what is kept so the eviction can be tested without building cards; the
/// simulator keeps `Personalization`s.
pub struct Bundles<T> {
    by_id: HashMap<Uuid, T>,
    /// Insertion order, oldest first, for eviction.
    order: VecDeque<Uuid>,
}

impl<T> Default for Bundles<T> {
    fn default() -> Self {
        Self {
            by_id: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<T> Bundles<T> {
    pub fn get(&self, id: &Uuid) -> Option<&T> {
        self.by_id.get(id)
    }

    /// Keeps `bundle` for `id`, dropping the oldest beyond [`CAPACITY`].
    pub fn insert(&mut self, id: Uuid, bundle: T) {
        if self.by_id.insert(id, bundle).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.by_id.remove(&old);
            }
        }
    }

    /// The card of `id` was issued: its bundle is no longer needed.
    pub fn remove(&mut self, id: &Uuid) {
        if self.by_id.remove(id).is_some() {
            self.order.retain(|o| o != id);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_id.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_card_s_bundle_is_dropped_and_the_oldest_goes_past_capacity() {
        let mut b = Bundles::default();
        let ids: Vec<Uuid> = (0..CAPACITY as u128 + 3).map(Uuid::from_u128).collect();
        for (i, id) in ids.iter().enumerate() {
            b.insert(*id, i);
        }
        assert_eq!(b.len(), CAPACITY);
        assert!(b.get(&ids[0]).is_none() && b.get(&ids[2]).is_none());
        assert_eq!(b.get(&ids[3]), Some(&3));
        // Inserting again does not count twice.
        b.insert(ids[10], 10);
        assert_eq!(b.len(), CAPACITY);
        b.remove(&ids[10]);
        assert!(b.get(&ids[10]).is_none());
        assert_eq!(b.len(), CAPACITY - 1);
        // The order forgot it too: filling up evicts the next oldest, not a ghost.
        b.insert(Uuid::from_u128(1000), 0);
        b.insert(Uuid::from_u128(1001), 0);
        assert_eq!(b.len(), CAPACITY);
        assert!(b.get(&ids[3]).is_none());
        assert_eq!(b.get(&ids[4]), Some(&4));
    }
}
