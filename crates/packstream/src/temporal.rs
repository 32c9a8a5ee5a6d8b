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
