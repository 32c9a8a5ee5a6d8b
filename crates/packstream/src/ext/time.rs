//! Conversions between the temporal structures and the `time` crate's types
//! (feature `time`).
//!
//! | time                       | Neo4j            |
//! |----------------------------|------------------|
//! | `Date`                     | `DATE`           |
//! | `Time`                     | `LOCAL TIME`     |
//! | `(Time, UtcOffset)`        | `ZONED TIME`     |
//! | `PrimitiveDateTime`        | `LOCAL DATETIME` |
//! | `OffsetDateTime`           | `ZONED DATETIME` with an offset |
//! | `Duration`                 | `DURATION` (without months) |
//!
//! As struct fields, these take
//! `#[serde(with = "boltline_packstream::ext::temporal")]` both ways: the
//! `time` crate's own serde support writes strings or tuples, which Neo4j
//! would store as such. A zoned date-time with a zone id reads as an
//! `OffsetDateTime` at its UTC instant (offset zero): `time` has no tz
//! database.

use time::{Date as TDate, OffsetDateTime, PrimitiveDateTime, Time as TTime, UtcOffset};

use super::ConvertError;
use crate::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time, TimeBasis, Value};

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;

impl From<TDate> for Date {
    fn from(d: TDate) -> Self {
        Date {
            days: i64::from(d.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY,
        }
    }
}

impl TryFrom<Date> for TDate {
    type Error = ConvertError;
    fn try_from(d: Date) -> Result<Self, ConvertError> {
        d.days
            .checked_add(UNIX_EPOCH_JULIAN_DAY)
            .and_then(|j| i32::try_from(j).ok())
            .and_then(|j| TDate::from_julian_day(j).ok())
            .ok_or(ConvertError::OutOfRange("Date"))
    }
}

fn nanos_of_day(t: TTime) -> i64 {
    let (h, m, s, n) = t.as_hms_nano();
    (i64::from(h) * 3_600 + i64::from(m) * 60 + i64::from(s)) * NANOS_PER_SECOND + i64::from(n)
}

fn time_of_nanos(n: i64, what: &'static str) -> Result<TTime, ConvertError> {
    if !(0..NANOS_PER_DAY).contains(&n) {
        return Err(ConvertError::OutOfRange(what));
    }
    let secs = n / NANOS_PER_SECOND;
    let part = |v: i64| u8::try_from(v).map_err(|_| ConvertError::OutOfRange(what));
    let nanos = u32::try_from(n % NANOS_PER_SECOND).map_err(|_| ConvertError::OutOfRange(what))?;
    TTime::from_hms_nano(
        part(secs / 3_600)?,
        part(secs / 60 % 60)?,
        part(secs % 60)?,
        nanos,
    )
    .map_err(|_| ConvertError::OutOfRange(what))
}

impl From<TTime> for LocalTime {
    fn from(t: TTime) -> Self {
        LocalTime {
            nanoseconds: nanos_of_day(t),
        }
    }
}

impl TryFrom<LocalTime> for TTime {
    type Error = ConvertError;
    fn try_from(t: LocalTime) -> Result<Self, ConvertError> {
        time_of_nanos(t.nanoseconds, "LocalTime")
    }
}

impl From<(TTime, UtcOffset)> for Time {
    fn from((t, o): (TTime, UtcOffset)) -> Self {
        Time {
            nanoseconds: nanos_of_day(t),
            tz_offset_seconds: o.whole_seconds(),
        }
    }
}

impl TryFrom<Time> for (TTime, UtcOffset) {
    type Error = ConvertError;
    fn try_from(t: Time) -> Result<Self, ConvertError> {
        let time = time_of_nanos(t.nanoseconds, "Time")?;
        let offset = UtcOffset::from_whole_seconds(t.tz_offset_seconds)
            .map_err(|_| ConvertError::OutOfRange("Time offset"))?;
        Ok((time, offset))
    }
}

impl From<PrimitiveDateTime> for LocalDateTime {
    fn from(dt: PrimitiveDateTime) -> Self {
        let at = dt.assume_utc();
        LocalDateTime {
            seconds: at.unix_timestamp(),
            nanoseconds: at.nanosecond(),
        }
    }
}

impl TryFrom<LocalDateTime> for PrimitiveDateTime {
    type Error = ConvertError;
    fn try_from(dt: LocalDateTime) -> Result<Self, ConvertError> {
        let at = instant(dt.seconds, dt.nanoseconds, "LocalDateTime")?;
        Ok(PrimitiveDateTime::new(at.date(), at.time()))
    }
}

/// The UTC instant `seconds` + `nanos` after the epoch.
fn instant(seconds: i64, nanos: u32, what: &'static str) -> Result<OffsetDateTime, ConvertError> {
    let total = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos);
    OffsetDateTime::from_unix_timestamp_nanos(total).map_err(|_| ConvertError::OutOfRange(what))
}

impl From<OffsetDateTime> for DateTime {
    fn from(dt: OffsetDateTime) -> Self {
        DateTime {
            seconds: dt.unix_timestamp(),
            nanoseconds: dt.nanosecond(),
            tz_offset_seconds: dt.offset().whole_seconds(),
        }
    }
}

impl TryFrom<DateTime> for OffsetDateTime {
    type Error = ConvertError;
    fn try_from(dt: DateTime) -> Result<Self, ConvertError> {
        let offset = UtcOffset::from_whole_seconds(dt.tz_offset_seconds)
            .map_err(|_| ConvertError::OutOfRange("DateTime offset"))?;
        instant(dt.seconds, dt.nanoseconds, "DateTime")?
            .checked_to_offset(offset)
            .ok_or(ConvertError::OutOfRange("DateTime"))
    }
}

impl From<time::Duration> for Duration {
    fn from(d: time::Duration) -> Self {
        Duration {
            months: 0,
            days: 0,
            seconds: d.whole_seconds(),
            nanoseconds: d.subsec_nanoseconds(),
        }
    }
}

impl TryFrom<Duration> for time::Duration {
    type Error = ConvertError;
    /// Fails for durations with months, which have no fixed length.
    fn try_from(d: Duration) -> Result<Self, ConvertError> {
        if d.months != 0 {
            return Err(ConvertError::OutOfRange("Duration with months"));
        }
        let secs = d
            .days
            .checked_mul(86_400)
            .and_then(|s| s.checked_add(d.seconds))
            .ok_or(ConvertError::OutOfRange("Duration"))?;
        time::Duration::seconds(secs)
            .checked_add(time::Duration::nanoseconds(i64::from(d.nanoseconds)))
            .ok_or(ConvertError::OutOfRange("Duration"))
    }
}

macro_rules! time_values {
    ($($t:ty => $variant:ident, $expected:literal);* $(;)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(v.into())
            }
        }

        impl TryFrom<Value> for $t {
            type Error = ConvertError;
            fn try_from(v: Value) -> Result<Self, ConvertError> {
                match v {
                    Value::$variant(x) => <$t>::try_from(x),
                    other => Err(ConvertError::mismatch($expected, &other)),
                }
            }
        }
    )*};
}

time_values! {
    TDate => Date, "DATE";
    TTime => LocalTime, "LOCAL TIME";
    PrimitiveDateTime => LocalDateTime, "LOCAL DATETIME";
    time::Duration => Duration, "DURATION";
}

impl From<OffsetDateTime> for Value {
    fn from(v: OffsetDateTime) -> Self {
        Value::DateTime(v.into())
    }
}

impl TryFrom<Value> for OffsetDateTime {
    type Error = ConvertError;
    /// From a date-time with an offset, or with a zone id (at its UTC
    /// instant, see the module docs).
    fn try_from(v: Value) -> Result<Self, ConvertError> {
        match v {
            Value::DateTime(dt) => dt.try_into(),
            Value::DateTimeZoneId(z) => match z.basis {
                TimeBasis::Utc => instant(z.seconds, z.nanoseconds, "DateTimeZoneId"),
                TimeBasis::WallClock => Err(ConvertError::Invalid(
                    "a legacy (wall-clock) zoned date-time cannot be placed without a tz database"
                        .into(),
                )),
            },
            other => Err(ConvertError::mismatch("ZONED DATETIME", &other)),
        }
    }
}

super::temporal::temporal_via_value!(
    TDate,
    TTime,
    PrimitiveDateTime,
    OffsetDateTime,
    time::Duration
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_slice, from_value, to_bytes, DateTimeZoneId};
    use serde::{Deserialize, Serialize};
    use time::Month;

    fn leap_day() -> TDate {
        TDate::from_calendar_date(2024, Month::February, 29).unwrap()
    }

    #[test]
    fn values_convert_both_ways() {
        assert_eq!(Date::from(leap_day()).days, 19_782);
        assert_eq!(
            Date::from(TDate::from_calendar_date(1969, Month::December, 31).unwrap()).days,
            -1
        );
        assert_eq!(
            TDate::try_from(Value::from(leap_day())).unwrap(),
            leap_day()
        );
        assert_eq!(
            TDate::try_from(Date { days: i64::MAX }),
            Err(ConvertError::OutOfRange("Date"))
        );
        let t = TTime::from_hms_nano(13, 14, 15, 16).unwrap();
        assert_eq!(TTime::try_from(Value::from(t)).unwrap(), t);
        assert!(TTime::try_from(LocalTime { nanoseconds: -1 }).is_err());
        let off = UtcOffset::from_hms(-3, 0, 0).unwrap();
        assert_eq!(
            <(TTime, UtcOffset)>::try_from(Time::from((t, off))).unwrap(),
            (t, off)
        );
        let local = PrimitiveDateTime::new(leap_day(), t);
        assert_eq!(
            PrimitiveDateTime::try_from(Value::from(local)).unwrap(),
            local
        );
        let zoned = local.assume_offset(off);
        let ours = DateTime::from(zoned);
        assert_eq!(
            (ours.seconds, ours.tz_offset_seconds),
            (zoned.unix_timestamp(), -10_800)
        );
        let back = OffsetDateTime::try_from(Value::from(zoned)).unwrap();
        assert_eq!((back, back.offset()), (zoned, off));
        let d = time::Duration::new(-90, -5);
        assert_eq!(time::Duration::try_from(Value::from(d)).unwrap(), d);
        assert_eq!(
            time::Duration::try_from(Duration {
                months: 1,
                ..Duration::default()
            }),
            Err(ConvertError::OutOfRange("Duration with months"))
        );
        assert_eq!(
            TDate::try_from(Value::Integer(3)),
            Err(ConvertError::mismatch("DATE", &Value::Integer(3)))
        );
        let z = Value::DateTimeZoneId(DateTimeZoneId {
            seconds: 1_700_000_000,
            nanoseconds: 0,
            tz_id: "Europe/Stockholm".into(),
            basis: TimeBasis::Utc,
        });
        assert_eq!(
            OffsetDateTime::try_from(z).unwrap().unix_timestamp(),
            1_700_000_000
        );
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Event {
        #[serde(with = "crate::ext::temporal")]
        day: TDate,
        #[serde(with = "crate::ext::temporal")]
        at: TTime,
        #[serde(with = "crate::ext::temporal")]
        local: PrimitiveDateTime,
        #[serde(with = "crate::ext::temporal")]
        zoned: OffsetDateTime,
        #[serde(with = "crate::ext::temporal")]
        lasts: time::Duration,
        #[serde(with = "crate::ext::temporal", default)]
        ends: Option<TDate>,
    }

    #[test]
    fn fields_serialize_as_temporal_structures_and_round_trip() {
        let at = TTime::from_hms_nano(9, 0, 0, 1).unwrap();
        let local = PrimitiveDateTime::new(leap_day(), at);
        let e = Event {
            day: leap_day(),
            at,
            local,
            zoned: local.assume_offset(UtcOffset::from_hms(2, 0, 0).unwrap()),
            lasts: time::Duration::minutes(90),
            ends: None,
        };
        let bytes = to_bytes(&e).unwrap();
        let Value::Map(m) = Value::decode_slice(&bytes).unwrap() else {
            panic!("not a map")
        };
        assert_eq!(m["day"], Value::Date(Date { days: 19_782 }));
        assert_eq!(m["at"].type_name(), "LOCAL TIME");
        assert_eq!(m["local"].type_name(), "LOCAL DATETIME");
        assert_eq!(m["zoned"].type_name(), "ZONED DATETIME");
        assert_eq!(m["lasts"].type_name(), "DURATION");
        assert_eq!(m["ends"], Value::Null);
        assert_eq!(from_slice::<Event>(&bytes).unwrap(), e);
        assert_eq!(from_value::<Event>(&Value::Map(m)).unwrap(), e);
    }
}
