//! Where a new ticket's channel goes when its category is full.
//!
//! Discord allows at most 50 channels in a category (see Discord Docs/Channel Resource,
//! "Create Guild Channel": error 50035 `CHANNEL_PARENT_MAX_CHANNELS`). Rather than fail, a new
//! ticket goes to the category's overflow categories in order and, when those are full too,
//! waits in the queue: it is stored without a channel, and gets one when another ticket of the
//! category closes.

use hearth_core::ChannelId;

use crate::Category;

/// Discord's limit on channels in one category.
pub const CATEGORY_CHANNELS_MAX: usize = 50;

/// Where a ticket's channel goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Under the category's own parent.
    Parent(ChannelId),
    /// Under an overflow category.
    Overflow(ChannelId),
    /// Nowhere yet: the ticket waits in the queue.
    Queue,
}

/// Where a ticket of `category` goes, given how many channels each Discord category holds
/// now (`channels_in`, which the bot reads from its cache).
pub fn place(category: &Category, channels_in: impl Fn(ChannelId) -> usize) -> Placement {
    if channels_in(category.parent) < CATEGORY_CHANNELS_MAX {
        return Placement::Parent(category.parent);
    }
    category
        .overflow
        .iter()
        .find(|c| channels_in(**c) < CATEGORY_CHANNELS_MAX)
        .map_or(Placement::Queue, |c| Placement::Overflow(*c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::category;

    #[test]
    fn the_fifty_first_ticket_overflows_and_then_queues() {
        let mut c = category("support");
        let (parent, spare) = (c.parent, ChannelId::new(901));
        assert_eq!(place(&c, |_| 49), Placement::Parent(parent));
        assert_eq!(place(&c, |_| 50), Placement::Queue);
        c.overflow = vec![spare];
        assert_eq!(
            place(&c, |ch| if ch == parent { 50 } else { 0 }),
            Placement::Overflow(spare)
        );
        assert_eq!(place(&c, |_| CATEGORY_CHANNELS_MAX), Placement::Queue);
    }
}
