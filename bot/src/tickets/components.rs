//! The ticket buttons and modals, as typed `custom_id` actions. Each carries what it needs
//! (the category's Discord id, the ticket's number), so it works after a restart.

use hearth_core::ChannelId;

use crate::custom_id::{Action, Args, CustomIdError};

/// A panel button (and the modal it opens): `tickets:open:1:{category}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Open {
    /// The ticket category's Discord category (its key).
    pub category: ChannelId,
}

impl Action for Open {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "open";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.category.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            category: args.id()?,
        })
    }
}

/// What a ticket button does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Confirm closing (staff, after `/ticket close`, or the opener accepting a request).
    Close,
    /// Keep it open.
    Keep,
    /// Rate it 1–5 stars (in the opener's DM).
    Rate(u8),
}

/// A button on a ticket: `tickets:step:1:{guild}:{number}:close|keep|1…5`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketButton {
    /// The guild (rating buttons live in DMs).
    pub guild: hearth_core::GuildId,
    /// The ticket.
    pub number: u64,
    /// What it does.
    pub step: Step,
}

impl Action for TicketButton {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "step";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.guild.to_string());
        args.push(self.number.to_string());
        args.push(match self.step {
            Step::Close => "close".to_owned(),
            Step::Keep => "keep".to_owned(),
            Step::Rate(n) => n.to_string(),
        });
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        let guild = args.id()?;
        let number = args.number()?;
        let step = match args.word(&["close", "keep", "1", "2", "3", "4", "5"])? {
            "close" => Step::Close,
            "keep" => Step::Keep,
            n => Step::Rate(n.parse().unwrap_or(1)),
        };
        Ok(Self {
            guild,
            number,
            step,
        })
    }
}

/// A button on a close request, for the opener: `tickets:request:1:{guild}:{number}:close|keep`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestAnswer {
    /// The guild.
    pub guild: hearth_core::GuildId,
    /// The ticket.
    pub number: u64,
    /// **Close** (`true`) or **Keep open** (`false`).
    pub close: bool,
}

impl Action for RequestAnswer {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "request";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.guild.to_string());
        args.push(self.number.to_string());
        args.push(if self.close { "close" } else { "keep" }.to_owned());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        Ok(Self {
            guild: args.id()?,
            number: args.number()?,
            close: args.word(&["close", "keep"])? == "close",
        })
    }
}

/// The rating modal a star button opens: `tickets:rate:1:{guild}:{number}:{stars}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateModal {
    /// The guild.
    pub guild: hearth_core::GuildId,
    /// The ticket.
    pub number: u64,
    /// The stars clicked, 1–5.
    pub stars: u8,
}

impl Action for RateModal {
    const FEATURE: &'static str = super::NAME;
    const ACTION: &'static str = "rate";
    const VERSION: u8 = 1;

    fn write(&self, args: &mut Vec<String>) {
        args.push(self.guild.to_string());
        args.push(self.number.to_string());
        args.push(self.stars.to_string());
    }

    fn read(args: &mut Args<'_, '_>) -> Result<Self, CustomIdError> {
        let guild = args.id()?;
        let number = args.number()?;
        let stars = args.word(&["1", "2", "3", "4", "5"])?;
        Ok(Self {
            guild,
            number,
            stars: stars.parse().unwrap_or(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom_id::CustomId;

    #[test]
    fn request_and_rating_ids_read_back_and_refuse_crafted_words() {
        let answer = RequestAnswer {
            guild: hearth_core::GuildId::new(5),
            number: 12,
            close: false,
        };
        let id = answer.custom_id();
        assert_eq!(id, "tickets:request:1:5:12:keep");
        assert_eq!(CustomId::parse(&id).unwrap().decode(), Ok(answer));
        let rate = RateModal {
            guild: hearth_core::GuildId::new(5),
            number: 12,
            stars: 4,
        };
        assert_eq!(
            CustomId::parse(&rate.custom_id()).unwrap().decode(),
            Ok(rate)
        );
        for crafted in ["tickets:request:1:5:12:maybe", "tickets:rate:1:5:12:6"] {
            assert!(
                CustomId::parse(crafted)
                    .unwrap()
                    .decode::<RequestAnswer>()
                    .is_err()
            );
            assert!(
                CustomId::parse(crafted)
                    .unwrap()
                    .decode::<RateModal>()
                    .is_err()
            );
        }
    }
}
