//! The moderation service: rules and a store, returning what happened.

use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

use crate::{
    CaseNumber, Error, EscalationPolicy, EscalationStep, ModerationSettings,
    ModerationSettingsStore, NewWarning, Reason, RequestId, SettingsChange, Warning, WarningList,
    WarningStore,
};

/// Moderation for any number of guilds over one store.
///
/// It never talks to Discord: each method returns an outcome, and the caller (the bot) carries
/// out what it says — posts the case to the mod log, times the member out, and so on.
#[derive(Clone, Debug)]
pub struct Moderation<S> {
    store: S,
}

/// A moderator warns a member.
#[derive(Clone, Copy, Debug)]
pub struct WarnRequest<'a> {
    /// The guild.
    pub guild: GuildId,
    /// The member being warned.
    pub user: UserId,
    /// The moderator giving the warning.
    pub moderator: UserId,
    /// The reason as typed; it is trimmed and checked.
    pub reason: &'a str,
    /// When the warning is given (the interaction's time, so a replayed event agrees).
    pub now: Timestamp,
    /// The request (the interaction's id): a second `warn` with the same request in the same
    /// guild, from any process, is a replay and stores nothing.
    pub request: RequestId,
    /// The guild's escalation policy, as the caller read it (usually through a cache).
    pub escalation: &'a EscalationPolicy,
}

/// What a warning did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarnOutcome {
    /// The warning as stored, with its case number.
    pub warning: Warning,
    /// How many warnings the member has in this guild now, this one included.
    pub total_warnings: usize,
    /// The escalation step this warning reached, if any: the caller should carry out its action.
    pub escalation: Option<EscalationStep>,
}

/// What [`Moderation::warn`] did: the outcome, and whether the request was a replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warned {
    /// The warning, the count and the escalation step — for a replay, those of the original
    /// request (the count as its insert left it, less warnings removed since; the step as the
    /// policy passed now says), so the answer can be given again unchanged.
    pub outcome: WarnOutcome,
    /// `true` when this request had already been recorded (a retried or replayed
    /// interaction): nothing new was stored, and the caller should answer as before without
    /// repeating side effects such as the DM or the escalation.
    pub replayed: bool,
}

impl<S> Moderation<S> {
    /// A service over `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store underneath.
    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: WarningStore> Moderation<S> {
    /// Records a warning and says which escalation step, if any, is now due.
    ///
    /// The store inserts the warning and returns the member's history as of that insert in
    /// one step, and the step is judged on that history (see [`EscalationPolicy::due`]), so of
    /// several concurrent warnings exactly one is due each step, whichever lands at its
    /// threshold. A replayed request returns the original outcome with
    /// [`Warned::replayed`] set.
    ///
    /// # Errors
    ///
    /// [`Error::ReasonEmpty`] or [`Error::ReasonTooLong`] for a bad reason (nothing is
    /// stored); [`Error::Store`] when the store fails.
    pub async fn warn(&self, request: WarnRequest<'_>) -> Result<Warned, Error> {
        let reason = Reason::parse(request.reason)?;
        let added = self
            .store
            .add_warning(NewWarning {
                guild: request.guild,
                user: request.user,
                moderator: request.moderator,
                reason,
                created_at: request.now,
                request: request.request,
            })
            .await?;
        let warned_at: Vec<Timestamp> = added.history.iter().map(|w| w.created_at).collect();
        // The original's time, not this call's: a replay is judged as the original was.
        let escalation = request
            .escalation
            .due(&warned_at, added.warning.created_at)
            .copied();
        Ok(Warned {
            outcome: WarnOutcome {
                warning: added.warning,
                total_warnings: added.history.len(),
                escalation,
            },
            replayed: added.replayed,
        })
    }

    /// A member's warnings, newest first.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn warnings(&self, guild: GuildId, user: UserId) -> Result<WarningList, Error> {
        Ok(self.store.warnings(guild, user).await?)
    }

    /// Removes one warning and returns it.
    ///
    /// # Errors
    ///
    /// [`Error::WarningNotFound`] when the member has no such warning in the guild;
    /// [`Error::Store`] when the store fails.
    pub async fn remove_warning(
        &self,
        guild: GuildId,
        user: UserId,
        case: CaseNumber,
    ) -> Result<Warning, Error> {
        self.store
            .remove_warning(guild, user, case)
            .await?
            .ok_or(Error::WarningNotFound { case })
    }

    /// Removes all of a member's warnings in a guild and returns how many there were (0 when
    /// there were none).
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn clear_warnings(&self, guild: GuildId, user: UserId) -> Result<u64, Error> {
        Ok(self.store.clear_warnings(guild, user).await?)
    }
}

impl<S: ModerationSettingsStore> Moderation<S> {
    /// The guild's moderation settings; the defaults when it never saved any.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn settings(&self, guild: GuildId) -> Result<ModerationSettings, Error> {
        Ok(self
            .store
            .moderation_settings(guild)
            .await?
            .unwrap_or_default())
    }

    /// Sets (or with `None` unsets) the guild's mod-log channel and returns the new settings.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn set_mod_log_channel(
        &self,
        guild: GuildId,
        channel: Option<ChannelId>,
    ) -> Result<ModerationSettings, Error> {
        Ok(self
            .store
            .update_moderation_settings(guild, &SettingsChange::mod_log_channel(channel))
            .await?)
    }

    /// Replaces the guild's escalation policy and returns the new settings.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the store fails.
    pub async fn set_escalation(
        &self,
        guild: GuildId,
        escalation: EscalationPolicy,
    ) -> Result<ModerationSettings, Error> {
        Ok(self
            .store
            .update_moderation_settings(guild, &SettingsChange::escalation(escalation))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{MemoryStore, Punishment, REASON_MAX_CHARS};

    const GUILD: GuildId = GuildId::new(100);
    const ALICE: UserId = UserId::new(1);
    const MOD: UserId = UserId::new(2);

    fn request<'a>(reason: &'a str, secs: i64, policy: &'a EscalationPolicy) -> WarnRequest<'a> {
        WarnRequest {
            guild: GUILD,
            user: ALICE,
            moderator: MOD,
            reason,
            now: Timestamp::from_unix_secs(secs),
            request: RequestId(secs.unsigned_abs()),
            escalation: policy,
        }
    }

    #[tokio::test]
    async fn third_warning_is_due_a_one_hour_timeout() {
        let service = Moderation::new(MemoryStore::new());
        let policy = EscalationPolicy::default();
        let first = service
            .warn(request("spam", 1, &policy))
            .await
            .unwrap()
            .outcome;
        assert_eq!(first.warning.case, CaseNumber(1));
        assert_eq!(first.total_warnings, 1);
        assert_eq!(first.escalation, None);
        service.warn(request("spam", 2, &policy)).await.unwrap();
        let third = service
            .warn(request("  more spam  ", 3, &policy))
            .await
            .unwrap();
        assert!(!third.replayed);
        assert_eq!(
            third.outcome,
            WarnOutcome {
                warning: Warning {
                    case: CaseNumber(3),
                    guild: GUILD,
                    user: ALICE,
                    moderator: MOD,
                    reason: "more spam".into(),
                    created_at: Timestamp::from_unix_secs(3),
                },
                total_warnings: 3,
                escalation: Some(EscalationStep {
                    warnings: 3,
                    within: None,
                    action: Punishment::Timeout {
                        duration: Duration::from_secs(3_600)
                    },
                }),
            }
        );
    }

    #[tokio::test]
    async fn bad_reasons_change_nothing() {
        let service = Moderation::new(MemoryStore::new());
        let policy = EscalationPolicy::default();
        assert!(matches!(
            service.warn(request(" \n ", 1, &policy)).await,
            Err(Error::ReasonEmpty)
        ));
        let long = "a".repeat(REASON_MAX_CHARS + 1);
        assert!(matches!(
            service.warn(request(&long, 1, &policy)).await,
            Err(Error::ReasonTooLong { max: 512, len: 513 })
        ));
        assert!(
            service
                .warnings(GUILD, ALICE)
                .await
                .unwrap()
                .warnings
                .is_empty()
        );
        // The refused attempts did not use up case numbers.
        let ok = service
            .warn(request(&long[..REASON_MAX_CHARS], 1, &policy))
            .await
            .unwrap();
        assert_eq!(ok.outcome.warning.case, CaseNumber(1));
    }

    #[tokio::test]
    async fn a_replayed_third_warning_answers_the_same_and_stores_nothing() {
        let service = Moderation::new(MemoryStore::new());
        let policy = EscalationPolicy::default();
        for secs in [1, 2] {
            service.warn(request("spam", secs, &policy)).await.unwrap();
        }
        let third = service.warn(request("spam", 3, &policy)).await.unwrap();
        // A fourth warning lands before the third's retry arrives.
        service.warn(request("spam", 4, &policy)).await.unwrap();
        let mut retry = request("typed differently", 3, &policy);
        retry.now = Timestamp::from_unix_secs(9);
        let replayed = service.warn(retry).await.unwrap();
        assert_eq!(
            replayed,
            Warned {
                outcome: third.outcome,
                replayed: true
            }
        );
        assert!(replayed.outcome.escalation.is_some());
        assert_eq!(
            service.warnings(GUILD, ALICE).await.unwrap().warnings.len(),
            4
        );
    }

    #[tokio::test]
    async fn removing_an_unknown_warning_is_a_specific_refusal() {
        let service = Moderation::new(MemoryStore::new());
        let err = service
            .remove_warning(GUILD, ALICE, CaseNumber(9))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            Error::WarningNotFound {
                case: CaseNumber(9)
            }
        ));
        assert_eq!(err.to_string(), "that member has no warning #9");
    }

    #[tokio::test]
    async fn settings_default_until_changed() {
        let service = Moderation::new(MemoryStore::new());
        assert_eq!(
            service.settings(GUILD).await.unwrap(),
            ModerationSettings::default()
        );
        let channel = ChannelId::new(77);
        service
            .set_mod_log_channel(GUILD, Some(channel))
            .await
            .unwrap();
        service
            .set_escalation(GUILD, EscalationPolicy::none())
            .await
            .unwrap();
        assert_eq!(
            service.settings(GUILD).await.unwrap(),
            ModerationSettings {
                mod_log_channel: Some(channel),
                escalation: EscalationPolicy::none()
            }
        );
    }
}
