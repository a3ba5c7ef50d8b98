//! CPU time from Linux's `/proc` (`schedstat`: nanoseconds on a CPU, user and kernel), shared
//! by the bot's benchmarks. Elsewhere the figures are `None` or zero.

use std::time::Duration;

/// The time on a CPU in a `schedstat` file; `None` when it can't be read.
fn schedstat(path: &std::path::Path) -> Option<Duration> {
    let stat = std::fs::read_to_string(path).ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// This thread's time on a CPU so far. Dividing by it instead of wall time keeps other
/// processes on a busy machine out of a per-second figure.
pub(crate) fn this_thread() -> Option<Duration> {
    schedstat("/proc/thread-self/schedstat".as_ref())
}

/// The time on a CPU so far of this process's threads named `name`, or of all of them.
pub(crate) fn threads(name: Option<&str>) -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .filter(|task| {
            name.is_none_or(|name| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|comm| comm.trim() == name)
            })
        })
        .filter_map(|task| schedstat(&task.path().join("schedstat")))
        .sum()
}
