//! `CaseStore` for [`MemoryStore`].

use std::{
    collections::HashMap,
    future::{Future, ready},
};

use hearth_core::{ChannelId, GuildId, MessageId, StoreError};

use super::MemoryStore;
use crate::{Case, CaseNumber, CaseStore, NewCase, RequestId};

/// The cases by guild and number, with the request each was recorded in.
#[derive(Debug, Default)]
pub(super) struct Cases {
    by_number: HashMap<(GuildId, CaseNumber), (Case, RequestId)>,
}

/// - `record_case` finds a replay by scanning the guild's cases, then takes the number from
///   the counter warnings use, under one lock.
impl CaseStore for MemoryStore {
    fn record_case(&self, new: NewCase) -> impl Future<Output = Result<Case, StoreError>> + Send {
        let mut inner = self.lock();
        let replay = inner.cases.by_number.values().find(|(case, request)| {
            case.guild == new.guild && (*request == new.request || Some(case.number) == new.number)
        });
        if let Some((case, _)) = replay {
            return ready(Ok(case.clone()));
        }
        let number = if let Some(number) = new.number {
            number
        } else {
            let last = inner.last_case.entry(new.guild).or_insert(0);
            *last += 1;
            CaseNumber(*last)
        };
        let request = new.request;
        let case = Case::new(number, new);
        inner
            .cases
            .by_number
            .insert((case.guild, number), (case.clone(), request));
        ready(Ok(case))
    }

    fn case(
        &self,
        guild: GuildId,
        number: CaseNumber,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
        let found = self
            .lock()
            .cases
            .by_number
            .get(&(guild, number))
            .map(|(case, _)| case.clone());
        ready(Ok(found))
    }

    fn set_case_reason(
        &self,
        guild: GuildId,
        number: CaseNumber,
        reason: &str,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
        let mut inner = self.lock();
        let changed = inner
            .cases
            .by_number
            .get_mut(&(guild, number))
            .map(|(case, _)| {
                reason.clone_into(&mut case.reason);
                case.clone()
            });
        ready(Ok(changed))
    }

    fn set_case_log_message(
        &self,
        guild: GuildId,
        number: CaseNumber,
        at: (ChannelId, MessageId),
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let mut inner = self.lock();
        let found = inner
            .cases
            .by_number
            .get_mut(&(guild, number))
            .map(|(case, _)| {
                case.log_message = Some(at);
            });
        ready(Ok(found.is_some()))
    }
}
