//! MongoDB connection strings for the scenarios: a database of each scenario's own, and the
//! same server reached through a proxy.

use std::{
    net::SocketAddr,
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

/// `hearth_e2e_<pid>_<nanos>_<n>`: unique per scenario and per run.
pub(crate) fn unique_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    format!(
        "hearth_e2e_{}_{nanos}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The connection string with its database (the path) replaced by `name`, options kept.
pub(crate) fn with_database(uri: &str, name: &str) -> String {
    let (base, options) = uri
        .split_once('?')
        .map_or((uri, None), |(b, o)| (b, Some(o)));
    let (scheme, rest) = base.split_once("://").unwrap_or(("mongodb", base));
    let hosts = rest.split('/').next().unwrap_or(rest);
    let mut out = format!("{scheme}://{hosts}/{name}");
    if let Some(options) = options {
        out.push('?');
        out.push_str(options);
    }
    out
}

/// The one `host:port` of a `mongodb://` URI (credentials dropped), or `None` for a seed list
/// or `mongodb+srv://`, which a proxy cannot stand in for.
pub(crate) fn single_host(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("mongodb://")?;
    let hosts = rest.split(['/', '?']).next()?;
    let host = hosts.rsplit('@').next()?;
    (!host.contains(',')).then(|| {
        if host.contains(':') {
            host.to_owned()
        } else {
            format!("{host}:27017")
        }
    })
}

/// `uri` pointed at `addr` instead of its host, talking to that one server directly.
pub(crate) fn through(uri: &str, addr: SocketAddr) -> String {
    let rest = uri.strip_prefix("mongodb://").unwrap_or(uri);
    let (hosts, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let credentials = hosts.rsplit_once('@').map(|(c, _)| format!("{c}@"));
    let mut out = format!(
        "mongodb://{}{addr}{}",
        credentials.unwrap_or_default(),
        if tail.is_empty() { "/" } else { tail }
    );
    out.push(if out.contains('?') { '&' } else { '?' });
    out.push_str("directConnection=true");
    out
}

#[cfg(test)]
mod tests {
    use super::{single_host, through, unique_name, with_database};

    #[test]
    fn each_mongodb_scenario_gets_a_database_of_its_own() {
        assert_eq!(
            with_database("mongodb://localhost:27017", "hearth_e2e_1"),
            "mongodb://localhost:27017/hearth_e2e_1"
        );
        assert_eq!(
            with_database("mongodb://u:p@h1,h2/hearth?replicaSet=rs0", "hearth_e2e_2"),
            "mongodb://u:p@h1,h2/hearth_e2e_2?replicaSet=rs0"
        );
        assert_ne!(unique_name(), unique_name());
    }

    #[test]
    fn a_proxy_stands_in_for_one_host_only() {
        assert_eq!(
            single_host("mongodb://u:p@db.local:27018/x?w=1").as_deref(),
            Some("db.local:27018")
        );
        assert_eq!(
            single_host("mongodb://127.0.0.1").as_deref(),
            Some("127.0.0.1:27017")
        );
        assert_eq!(single_host("mongodb://h1,h2/x"), None);
        assert_eq!(single_host("mongodb+srv://cluster.example.net/"), None);
        let addr = "127.0.0.1:4000".parse().unwrap();
        assert_eq!(
            through("mongodb://u:p@db:27017/hearth_e2e_1?w=1", addr),
            "mongodb://u:p@127.0.0.1:4000/hearth_e2e_1?w=1&directConnection=true"
        );
        assert_eq!(
            through("mongodb://db:27017/hearth_e2e_1", addr),
            "mongodb://127.0.0.1:4000/hearth_e2e_1?directConnection=true"
        );
    }
}
