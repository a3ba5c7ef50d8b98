//! A made-up ticket conversation of any length, shared by the transcript benchmark and the
//! crate's tests (`#[path]`-included there), so both measure and check the same thing.

use hearth_core::{ChannelId, MessageId, RoleId, Timestamp, UserId};
use hearth_tickets::{
    TicketNumber,
    transcript::{Attachment, Author, Embed, EmbedField, Names, Transcript, TranscriptMessage},
};

/// `messages` messages of about `content_len` characters each, alternating between the opener
/// and two staff members (one a bot); every 10th has an attachment, every 25th an embed. Text
/// includes characters HTML must escape.
pub(crate) fn transcript(messages: usize, content_len: usize) -> Transcript {
    let opener = Author {
        id: UserId::new(80_351_110_224_678_912),
        name: "Alice <the opener>".into(),
        bot: false,
    };
    let staff = Author {
        id: UserId::new(80_351_110_224_678_913),
        name: "Bob & Co".into(),
        bot: false,
    };
    let bot = Author {
        id: UserId::new(80_351_110_224_678_914),
        name: "Hearth".into(),
        bot: true,
    };
    let start = Timestamp::from_unix_secs(1_705_314_600);
    // Mentions too: a member, a role and a channel, each resolved when rendered.
    let phrase = "Thanks <@80351110224678913>, I tried \"restart\" & it's still <broken> — \
                  <@&70> said see <#60>. ";
    let messages = (0..messages)
        .map(|i| {
            let n = i as u64;
            let author = match i % 5 {
                0 | 2 => opener.clone(),
                4 => bot.clone(),
                _ => staff.clone(),
            };
            let mut content = format!("#{i} ");
            while content.len() < content_len {
                content.push_str(phrase);
            }
            content.truncate(content.floor_char_boundary_compat(content_len));
            TranscriptMessage {
                id: MessageId::new(1_196_000_000_000_000_000 + n),
                author,
                sent_at: start.saturating_add(std::time::Duration::from_secs(30 * n)),
                edited_at: (i % 7 == 3)
                    .then(|| start.saturating_add(std::time::Duration::from_secs(30 * n + 5))),
                content,
                attachments: if i % 10 == 9 {
                    vec![Attachment {
                        filename: format!("screenshot-{i}.png"),
                        url: format!(
                            "https://cdn.discordapp.com/attachments/1/{i}/screenshot-{i}.png"
                        ),
                        size: 123_456 + n,
                    }]
                } else {
                    Vec::new()
                },
                embeds: if i % 25 == 24 {
                    vec![Embed {
                        author: Some("Hearth".into()),
                        title: Some(format!("Ticket update {i}")),
                        url: Some("https://example.com/status".into()),
                        description: Some("Status: <waiting> for \"staff\"".into()),
                        fields: vec![EmbedField {
                            name: "Priority".into(),
                            value: "high & urgent".into(),
                        }],
                        footer: Some("Hearth tickets".into()),
                        color: Some(0x0058_65F2),
                    }]
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    Transcript {
        guild_name: "The <Hearth> & Friends".into(),
        channel_name: "ticket-0042".into(),
        ticket: TicketNumber(42),
        category: "Support".into(),
        opener,
        opened_at: start,
        closed_at: Some(start.saturating_add(std::time::Duration::from_secs(86_400))),
        generated_at: start.saturating_add(std::time::Duration::from_secs(86_401)),
        messages,
        names: Names {
            users: [(staff.id, staff.name.clone())].into(),
            roles: [(RoleId::new(70), "Support".to_owned())].into(),
            channels: [(ChannelId::new(60), "status".to_owned())].into(),
        },
    }
}

/// `str::floor_char_boundary` is unstable; the content is ASCII but for the em dash.
trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, index: usize) -> usize;
}

impl FloorCharBoundary for String {
    fn floor_char_boundary_compat(&self, index: usize) -> usize {
        let mut i = index.min(self.len());
        while !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}
