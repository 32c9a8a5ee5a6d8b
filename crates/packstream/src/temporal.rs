//! Temporal structures, as the wire carries them: counts since the Unix epoch
//! or since midnight, with no time-zone database needed to decode or encode.
//! Conversions to chrono's types live in `chrono_impl` (feature `chrono`).

/// A calendar date (tag `D`): days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Days since the Unix epoch (negative before it).
    pub days: i64,
}

/// A time of day with a UTC offset (tag `T`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    /// Nanoseconds since local midnight.
    pub nanoseconds: i64,
    /// Offset from UTC in seconds.
    pub tz_offset_seconds: i32,
}

/// A time of day without a zone (tag `t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    /// Nanoseconds since midnight.
    pub nanoseconds: i64,
}

/// An instant with a fixed UTC offset.
///
/// `seconds` count from the epoch in UTC: the Bolt 5 encoding (tag `I`). The
/// legacy encoding (tag `F`, wall-clock seconds) is converted exactly on both
/// read and write, as the offset is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Seconds since the Unix epoch, UTC.
    pub seconds: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanoseconds: u32,
    /// Offset from UTC in seconds.
    pub tz_offset_seconds: i32,
}

/// What the `seconds` of a [`DateTimeZoneId`] count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeBasis {
    /// Seconds since the epoch in UTC (tag `i`, Bolt 5.0+, 4.4 with `utc` patch).
    Utc,
    /// Seconds since the epoch on the zone's wall clock (legacy tag `f`).
    ///
    /// Turning these into UTC needs the zone's rules, which this crate does
    /// not carry; such a value is re-encoded only in the legacy encoding.
    WallClock,
}

/// An instant in a named time zone (tags `i` and legacy `f`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTimeZoneId {
    /// Seconds since the Unix epoch, on the basis given by `basis`.
    pub seconds: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanoseconds: u32,
    /// IANA zone id, e.g. `Europe/Stockholm`.
    pub tz_id: String,
    /// What `seconds` counts from.
    pub basis: TimeBasis,
}

/// A date and time without a zone (tag `d`): wall-clock seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDateTime {
    /// Seconds since 1970-01-01T00:00:00 on the wall clock.
    pub seconds: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanoseconds: u32,
}

/// A temporal amount (tag `E`): months, days, seconds and nanoseconds are kept
/// apart, as Cypher does, because a month or a day has no fixed length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    /// Months.
    pub months: i64,
    /// Days.
    pub days: i64,
    /// Seconds.
    pub seconds: i64,
    /// Nanoseconds (Neo4j sends `0..1_000_000_000`; any `i32` is accepted).
    pub nanoseconds: i32,
}

/// Nanoseconds in a second, for validating structure fields.
pub(crate) const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// A temporal value outside what the target std type can represent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} cannot be represented by the target type")]
pub struct OutOfRange(pub &'static str);

impl From<std::time::Duration> for Duration {
    fn from(d: std::time::Duration) -> Self {
        Duration {
            months: 0,
            days: 0,
            // `as_secs` above i64::MAX is some 292 billion years: saturate.
            seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            // Below one billion, so it fits.
            nanoseconds: i32::try_from(d.subsec_nanos()).unwrap_or(0),
        }
    }
}

impl TryFrom<Duration> for std::time::Duration {
    type Error = OutOfRange;

    /// Only for durations without months (which have no fixed length) that
    /// are not negative; a day counts as 86 400 seconds.
    fn try_from(d: Duration) -> Result<Self, OutOfRange> {
        if d.months != 0 {
            return Err(OutOfRange("a duration with months"));
        }
        let nanos = i128::from(d.days) * 86_400 * 1_000_000_000
            + i128::from(d.seconds) * 1_000_000_000
            + i128::from(d.nanoseconds);
        let nanos = u128::try_from(nanos).map_err(|_| OutOfRange("a negative duration"))?;
        let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| OutOfRange("duration"))?;
        let sub = u32::try_from(nanos % 1_000_000_000).map_err(|_| OutOfRange("duration"))?;
        Ok(std::time::Duration::new(secs, sub))
    }
}

impl From<std::time::SystemTime> for DateTime {
    /// The instant in UTC (offset 0).
    fn from(t: std::time::SystemTime) -> Self {
        let (seconds, nanoseconds) = match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => (
                i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                after.subsec_nanos(),
            ),
            Err(before) => {
                // Before the epoch: floor to whole seconds, nanoseconds up.
                let d = before.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                match d.subsec_nanos() {
                    0 => (-secs, 0),
                    n => (-secs - 1, NANOS_PER_SECOND - n),
                }
            }
        };
        DateTime {
            seconds,
            nanoseconds,
            tz_offset_seconds: 0,
        }
    }
}

impl TryFrom<DateTime> for std::time::SystemTime {
    type Error = OutOfRange;

    /// The instant (the offset does not change it).
    fn try_from(dt: DateTime) -> Result<Self, OutOfRange> {
        let whole = std::time::Duration::from_secs(dt.seconds.unsigned_abs());
        let t = if dt.seconds >= 0 {
            std::time::UNIX_EPOCH.checked_add(whole)
        } else {
            std::time::UNIX_EPOCH.checked_sub(whole)
        };
        t.and_then(|t| t.checked_add(std::time::Duration::from_nanos(u64::from(dt.nanoseconds))))
            .ok_or(OutOfRange("DateTime"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{SystemTime, UNIX_EPOCH};

    #[test]
    fn std_durations_convert_both_ways() {
        let d = std::time::Duration::new(90, 5);
        let ours = Duration::from(d);
        assert_eq!(
            (ours.months, ours.days, ours.seconds, ours.nanoseconds),
            (0, 0, 90, 5)
        );
        assert_eq!(std::time::Duration::try_from(ours), Ok(d));
        let days = Duration {
            days: 1,
            seconds: -1,
            ..Duration::default()
        };
        assert_eq!(
            std::time::Duration::try_from(days),
            Ok(std::time::Duration::from_secs(86_399))
        );
        assert!(std::time::Duration::try_from(Duration {
            months: 1,
            ..Duration::default()
        })
        .is_err());
        assert!(std::time::Duration::try_from(Duration {
            seconds: -1,
            ..Duration::default()
        })
        .is_err());
    }

    #[test]
    fn system_times_convert_both_ways_around_the_epoch() {
        for t in [
            UNIX_EPOCH + std::time::Duration::new(1_700_000_000, 123),
            UNIX_EPOCH - std::time::Duration::new(10, 250_000_000),
            UNIX_EPOCH,
        ] {
            let dt = DateTime::from(t);
            assert!(dt.nanoseconds < NANOS_PER_SECOND);
            assert_eq!(SystemTime::try_from(dt), Ok(t));
        }
        let before = DateTime::from(UNIX_EPOCH - std::time::Duration::new(10, 250_000_000));
        assert_eq!((before.seconds, before.nanoseconds), (-11, 750_000_000));
    }
}
