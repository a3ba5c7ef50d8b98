//! The ticket commands as Discord sees them: pure data, parsed by twilight-interactions.

use twilight_interactions::command::{CommandModel, CreateCommand, ResolvedUser};
use twilight_model::{
    application::{command::Command, interaction::InteractionChannel},
    guild::Role,
};

/// `/setuptickets category [support_role] [log_channel] [label]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "setuptickets",
    desc = "Post a ticket panel here: a button that opens private tickets under a category",
    default_permissions = "managers",
    contexts = "guild"
)]
pub struct SetupTickets {
    /// The Discord category the ticket channels go under
    #[command(channel_types = "guild_category")]
    pub category: InteractionChannel,
    /// The role that answers these tickets
    pub support_role: Option<Role>,
    /// Where transcripts of closed tickets are posted
    #[command(channel_types = "guild_text")]
    pub log_channel: Option<InteractionChannel>,
    /// The button's label (the category's name if left out)
    #[command(max_length = 80)]
    pub label: Option<String>,
    /// Where tickets go once the category holds Discord's 50 channels
    #[command(channel_types = "guild_category")]
    pub overflow: Option<InteractionChannel>,
    /// Close tickets quiet this many hours (a warning first, an hour before); 0 turns it off
    #[command(min_value = 0, max_value = 720)]
    pub auto_close_hours: Option<i64>,
    /// Whether other support members can still write once a ticket is claimed (no if left out)
    pub others_reply_when_claimed: Option<bool>,
}

/// `/ticket …`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "ticket",
    desc = "Open and handle support tickets",
    contexts = "guild"
)]
pub enum TicketCommand {
    /// `/ticket create reason`
    #[command(name = "create")]
    Create(Create),
    /// `/ticket close [reason]`
    #[command(name = "close")]
    Close(Close),
    /// `/ticket claim`
    #[command(name = "claim")]
    Claim(Claim),
    /// `/ticket add member`
    #[command(name = "add")]
    Add(Add),
    /// `/ticket remove member`
    #[command(name = "remove")]
    Remove(Remove),
    /// `/ticket transcript`
    #[command(name = "transcript")]
    Transcript(TranscriptCommand),
    /// `/ticket reopen number`
    #[command(name = "reopen")]
    Reopen(Reopen),
    /// `/ticket stats`
    #[command(name = "stats")]
    Stats(Stats),
    /// `/ticket closerequest [reason] [delay]`
    #[command(name = "closerequest")]
    CloseRequest(CloseRequest),
}

/// `/ticket create reason`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "create", desc = "Open a ticket in the first ticket category")]
pub struct Create {
    /// What you need help with
    #[command(max_length = 1000)]
    pub reason: String,
}

/// `/ticket close [reason]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "close", desc = "Close this ticket (asks to confirm)")]
pub struct Close {
    /// Why; the transcript and the opener see it
    #[command(max_length = 512)]
    pub reason: Option<String>,
}

/// `/ticket closerequest [reason] [delay]`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "closerequest",
    desc = "Ask the opener whether this ticket can close (Close / Keep open buttons)"
)]
pub struct CloseRequest {
    /// Why; the opener, the transcript and the log see it
    #[command(max_length = 512)]
    pub reason: Option<String>,
    /// Close on its own if the opener doesn't answer within this time, e.g. 24h
    #[command(max_length = 20)]
    pub delay: Option<String>,
}

/// `/ticket claim`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "claim", desc = "Take this ticket: you answer it")]
pub struct Claim;

/// `/ticket add member`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "add", desc = "Let a member see and write in this ticket")]
pub struct Add {
    /// Who to add
    pub member: ResolvedUser,
}

/// `/ticket remove member`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "remove", desc = "Take a member out of this ticket")]
pub struct Remove {
    /// Who to remove
    pub member: ResolvedUser,
}

/// `/ticket transcript`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(
    name = "transcript",
    desc = "Get this ticket's transcript so far (HTML and text)"
)]
pub struct TranscriptCommand;

/// `/ticket reopen number`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "reopen", desc = "Open a closed ticket again, in a new channel")]
pub struct Reopen {
    /// The ticket's number
    #[command(min_value = 1)]
    pub number: i64,
}

/// `/ticket stats`
#[derive(Debug, CommandModel, CreateCommand)]
#[command(name = "stats", desc = "Ticket statistics of the last 30 days")]
pub struct Stats;

/// Who sees `/setuptickets` by default: members who can manage the server.
fn managers() -> twilight_model::guild::Permissions {
    twilight_model::guild::Permissions::MANAGE_GUILD
}

/// Every ticket command, for registration.
pub fn commands() -> Vec<Command> {
    vec![
        SetupTickets::create_command().into(),
        TicketCommand::create_command().into(),
    ]
}
