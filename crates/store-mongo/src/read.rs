//! Lenient readers for stored BSON values.
//!
//! Documents written by the earlier Python bot hold numbers as Int32, Int64 or Double
//! (whatever pymongo made of a Python `int` or `float`), ids as strings (sometimes integers),
//! and times as BSON dates, `datetime.isoformat()` strings or Unix seconds. Every reader here
//! accepts all of those and turns anything else into a [`ReadError`] naming the field, which the
//! store reports as [`StoreErrorKind::Corrupt`](hearth_core::StoreErrorKind::Corrupt).

use std::{error::Error as StdError, fmt, str::FromStr};

use hearth_core::Timestamp;
use mongodb::bson::{Bson, DateTime, Document};

/// A stored value that cannot be read: which field, and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadError {
    field: String,
    problem: String,
}

impl ReadError {
    pub(crate) fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The same problem, reported under `parent.` + this field (for values inside arrays).
    pub(crate) fn within(self, parent: &str) -> Self {
        let field = if self.field.is_empty() {
            parent.to_owned()
        } else {
            format!("{parent}.{}", self.field)
        };
        Self {
            field,
            problem: self.problem,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.problem)
    }
}

impl StdError for ReadError {}

/// Numbers above this are milliseconds, not seconds: as seconds they would lie after the year
/// 5000, while as milliseconds they are after March 1973.
const MILLIS_THRESHOLD: f64 = 1e11;

/// The value of `key`, treating an explicit `null` like a missing field.
pub(crate) fn field<'a>(doc: &'a Document, key: &str) -> Option<&'a Bson> {
    doc.get(key).filter(|v| !matches!(v, Bson::Null))
}

/// A whole number from Int32, Int64, or a Double without a fractional part.
pub(crate) fn integer(key: &str, value: &Bson) -> Result<i64, ReadError> {
    match *value {
        Bson::Int32(n) => Ok(i64::from(n)),
        Bson::Int64(n) => Ok(n),
        // The range check keeps the cast exact: every whole f64 inside it is an i64.
        #[allow(clippy::cast_possible_truncation)]
        Bson::Double(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(x as i64),
        ref other => Err(ReadError::new(
            key,
            format!("expected a whole number, found {}", describe(other)),
        )),
    }
}

/// The same value with every whole Double (at any depth) turned into an Int64, for values read
/// through serde, which refuses a Double where an integer belongs. The legacy `mongo` shell
/// writes every number as a Double, so a hand-edited document needs this.
pub(crate) fn whole_doubles_as_integers(value: Bson) -> Bson {
    match value {
        Bson::Double(_) => integer("", &value).map_or(value, Bson::Int64),
        Bson::Array(items) => {
            Bson::Array(items.into_iter().map(whole_doubles_as_integers).collect())
        }
        Bson::Document(doc) => Bson::Document(
            doc.into_iter()
                .map(|(key, value)| (key, whole_doubles_as_integers(value)))
                .collect(),
        ),
        other => other,
    }
}

/// A required whole number that is not negative.
pub(crate) fn required_u64(doc: &Document, key: &str) -> Result<u64, ReadError> {
    let value = field(doc, key).ok_or_else(|| ReadError::new(key, "missing"))?;
    let n = integer(key, value)?;
    u64::try_from(n).map_err(|_| ReadError::new(key, format!("{n} is negative")))
}

/// A required Discord id, stored as a decimal string or (by older writers) an integer.
pub(crate) fn required_id<T>(doc: &Document, key: &str) -> Result<T, ReadError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    optional_id(doc, key)?.ok_or_else(|| ReadError::new(key, "missing"))
}

/// An optional Discord id: missing or `null` is `None`.
pub(crate) fn optional_id<T>(doc: &Document, key: &str) -> Result<Option<T>, ReadError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    let Some(value) = field(doc, key) else {
        return Ok(None);
    };
    let text = match value {
        Bson::String(s) => s.clone(),
        number @ (Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_)) => {
            integer(key, number)?.to_string()
        }
        other => {
            return Err(ReadError::new(
                key,
                format!("expected an id, found {}", describe(other)),
            ));
        }
    };
    text.parse()
        .map(Some)
        .map_err(|e: T::Err| ReadError::new(key, e.to_string()))
}

/// An optional string: missing or `null` is `None`.
pub(crate) fn optional_string(doc: &Document, key: &str) -> Result<Option<String>, ReadError> {
    match field(doc, key) {
        None => Ok(None),
        Some(Bson::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ReadError::new(
            key,
            format!("expected a string, found {}", describe(other)),
        )),
    }
}

/// A point in time from a BSON date, an ISO-8601 string, or a number of Unix seconds.
///
/// - A BSON date is exact (to the millisecond).
/// - A string is ISO 8601 as Python's `datetime.isoformat()` or `str(datetime)` writes it
///   (`2024-01-15T10:30:00.123456`, a space instead of the `T` also works); without a time
///   zone it is UTC, which is what `datetime.utcnow()` meant.
/// - A number is Unix seconds as `time.time()` gives them, fractions included; a number above
///   10¹¹ is taken as milliseconds instead (JavaScript's `Date.now()`).
pub(crate) fn timestamp(key: &str, value: &Bson) -> Result<Timestamp, ReadError> {
    match value {
        Bson::DateTime(dt) => Ok(Timestamp::from_unix_millis(dt.timestamp_millis())),
        Bson::String(s) => parse_iso8601(s)
            .ok_or_else(|| ReadError::new(key, format!("`{s}` is not an ISO-8601 date and time"))),
        number @ (Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_)) => {
            #[allow(clippy::cast_precision_loss)]
            let x = match *number {
                Bson::Int32(n) => f64::from(n),
                Bson::Int64(n) => n as f64,
                Bson::Double(x) => x,
                _ => unreachable!("matched a number above"),
            };
            if !x.is_finite() || x.abs() > 1e16 {
                return Err(ReadError::new(key, format!("{x} is not a point in time")));
            }
            let millis = if x.abs() > MILLIS_THRESHOLD {
                x
            } else {
                x * 1000.0
            };
            // Bounded above, so the cast is exact to the millisecond.
            #[allow(clippy::cast_possible_truncation)]
            Ok(Timestamp::from_unix_millis(millis.round() as i64))
        }
        other => Err(ReadError::new(
            key,
            format!("expected a date, found {}", describe(other)),
        )),
    }
}

/// Parses what Python's `isoformat()` writes; a missing offset means UTC.
fn parse_iso8601(text: &str) -> Option<Timestamp> {
    let mut text = text.trim().to_owned();
    // `str(datetime)` separates date and time with a space; RFC 3339 wants a `T`.
    if text.len() > 10 && text.as_bytes()[10] == b' ' {
        text.replace_range(10..11, "T");
    }
    let time_part = text.get(11..)?;
    let has_offset = time_part.ends_with(['Z', 'z']) || time_part.contains(['+', '-']);
    if !has_offset {
        text.push('Z');
    }
    DateTime::parse_rfc3339_str(&text)
        .ok()
        .map(|dt| Timestamp::from_unix_millis(dt.timestamp_millis()))
}

/// A short name for a value's BSON type, for error messages.
fn describe(value: &Bson) -> String {
    format!("{:?}", value.element_type())
}

#[cfg(test)]
mod tests {
    use hearth_core::UserId;
    use mongodb::bson::doc;

    use super::*;

    const JAN_15_2024_1030: i64 = 1_705_314_600_000;

    #[test]
    fn integers_read_from_int32_int64_and_whole_doubles() {
        assert_eq!(integer("n", &Bson::Int32(7)), Ok(7));
        assert_eq!(integer("n", &Bson::Int64(1 << 40)), Ok(1 << 40));
        assert_eq!(integer("n", &Bson::Double(3.0)), Ok(3));
        assert_eq!(integer("n", &Bson::Double(-2.0)), Ok(-2));
        assert_eq!(
            integer("n", &Bson::Double(2.5)).unwrap_err().to_string(),
            "field `n`: expected a whole number, found Double"
        );
        assert!(integer("n", &Bson::Double(f64::NAN)).is_err());
        assert!(integer("n", &Bson::Double(1e300)).is_err());
        assert!(integer("n", &Bson::String("3".into())).is_err());
    }

    #[test]
    fn whole_doubles_become_integers_at_any_depth() {
        let edited = Bson::Array(vec![
            Bson::Document(doc! { "warnings": 3.0, "action": { "secs": 60.0, "kind": "x" } }),
            Bson::Double(2.5),
        ]);
        assert_eq!(
            whole_doubles_as_integers(edited),
            Bson::Array(vec![
                Bson::Document(
                    doc! { "warnings": 3_i64, "action": { "secs": 60_i64, "kind": "x" } }
                ),
                Bson::Double(2.5),
            ])
        );
    }

    #[test]
    fn required_numbers_must_be_present_and_not_negative() {
        let doc = doc! { "a": 4.0, "b": -1, "c": null };
        assert_eq!(required_u64(&doc, "a"), Ok(4));
        assert_eq!(
            required_u64(&doc, "b").unwrap_err().to_string(),
            "field `b`: -1 is negative"
        );
        assert_eq!(
            required_u64(&doc, "c").unwrap_err().to_string(),
            "field `c`: missing"
        );
        assert!(required_u64(&doc, "d").is_err());
    }

    #[test]
    fn ids_read_from_strings_and_integers() {
        let doc = doc! {
            "s": "80351110224678912", "l": 80_351_110_224_678_912_i64, "i": 42, "z": "0",
            "x": "abc", "b": true, "n": null,
        };
        let id = UserId::new(80_351_110_224_678_912);
        assert_eq!(required_id::<UserId>(&doc, "s"), Ok(id));
        assert_eq!(required_id::<UserId>(&doc, "l"), Ok(id));
        assert_eq!(required_id::<UserId>(&doc, "i"), Ok(UserId::new(42)));
        assert_eq!(optional_id::<UserId>(&doc, "n"), Ok(None));
        assert_eq!(optional_id::<UserId>(&doc, "missing"), Ok(None));
        assert_eq!(
            required_id::<UserId>(&doc, "z").unwrap_err().to_string(),
            "field `z`: 0 is not a Discord id"
        );
        assert!(required_id::<UserId>(&doc, "x").is_err());
        assert_eq!(
            required_id::<UserId>(&doc, "b").unwrap_err().to_string(),
            "field `b`: expected an id, found Boolean"
        );
        assert_eq!(
            required_id::<UserId>(&doc, "n").unwrap_err().to_string(),
            "field `n`: missing"
        );
    }

    #[test]
    fn timestamps_read_from_dates_iso_strings_and_seconds() {
        let at = Timestamp::from_unix_millis(JAN_15_2024_1030);
        let secs = JAN_15_2024_1030 / 1000;
        let read = |value: Bson| timestamp("t", &value);
        assert_eq!(
            read(Bson::DateTime(DateTime::from_millis(JAN_15_2024_1030))),
            Ok(at)
        );
        for text in [
            "2024-01-15T10:30:00",
            "2024-01-15 10:30:00",
            "2024-01-15T10:30:00Z",
            "2024-01-15T10:30:00+00:00",
            "2024-01-15T12:30:00+02:00",
            "2024-01-15T05:30:00-05:00",
            " 2024-01-15T10:30:00.000000 ",
        ] {
            assert_eq!(read(Bson::String(text.into())), Ok(at), "{text}");
        }
        assert_eq!(
            read(Bson::String("2024-01-15T10:30:00.123456".into())),
            Ok(Timestamp::from_unix_millis(JAN_15_2024_1030 + 123))
        );
        assert_eq!(read(Bson::Int64(secs)), Ok(at));
        assert_eq!(read(Bson::Int32(i32::try_from(secs).unwrap())), Ok(at));
        #[allow(clippy::cast_precision_loss)]
        let float_secs = secs as f64 + 0.25;
        assert_eq!(
            read(Bson::Double(float_secs)),
            Ok(Timestamp::from_unix_millis(JAN_15_2024_1030 + 250))
        );
        assert_eq!(read(Bson::Int64(JAN_15_2024_1030)), Ok(at), "milliseconds");
    }

    #[test]
    fn unreadable_timestamps_name_the_problem() {
        let read = |value: Bson| timestamp("t", &value).unwrap_err().to_string();
        assert_eq!(
            read(Bson::String("yesterday".into())),
            "field `t`: `yesterday` is not an ISO-8601 date and time"
        );
        assert!(timestamp("t", &Bson::String("2024-13-45T10:30:00".into())).is_err());
        assert!(timestamp("t", &Bson::Double(f64::INFINITY)).is_err());
        assert_eq!(
            read(Bson::Boolean(true)),
            "field `t`: expected a date, found Boolean"
        );
    }

    #[test]
    fn errors_inside_arrays_name_the_path() {
        let err = ReadError::new("id", "missing").within("warnings.2");
        assert_eq!(err.to_string(), "field `warnings.2.id`: missing");
        let whole = ReadError::new("", "expected a document").within("warnings.0");
        assert_eq!(whole.to_string(), "field `warnings.0`: expected a document");
    }
}
