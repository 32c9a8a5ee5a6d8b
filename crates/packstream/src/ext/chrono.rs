//! Conversions between the temporal structures and chrono's types
//! (feature `chrono`). Conversions between structures that can fail (out of
//! chrono's range, a duration with months) are `TryFrom` with
//! [`TemporalRangeError`]; from a [`Value`], `TryFrom` with
//! [`ConvertError`], which also says when the value had another type.
//!
//! | chrono                    | Neo4j            |
//! |---------------------------|------------------|
//! | `NaiveDate`               | `DATE`           |
//! | `NaiveTime`               | `LOCAL TIME`     |
//! | `NaiveDateTime`           | `LOCAL DATETIME` |
//! | `DateTime<FixedOffset>`, `DateTime<Utc>`, `DateTime<Local>` | `ZONED DATETIME` with an offset |
//! | `DateTime<chrono_tz::Tz>` (feature `chrono-tz`) | `ZONED DATETIME` with a zone id |
//! | `TimeDelta`               | `DURATION`       |
//!
//! A zoned date-time read into `DateTime<FixedOffset>` gets its zone's offset
//! at that instant from the tz database with feature `chrono-tz`; without it,
//! the instant in UTC (offset zero).

use chrono::{
    DateTime as ChronoDateTime, Duration as TimeDelta, FixedOffset, NaiveDate, NaiveDateTime,
    NaiveTime, Offset, TimeZone, Timelike, Utc,
};

use super::ConvertError;
use crate::{Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Time, Value};

/// A temporal value outside what the target type can represent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is out of range for the target type")]
pub struct TemporalRangeError(pub &'static str);

/// Days from 0001-01-01 (chrono's "days from CE", day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;
const NANOS_PER_SECOND: i64 = 1_000_000_000;

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date {
            days: i64::from(chrono::Datelike::num_days_from_ce(&d)) - UNIX_EPOCH_DAYS_FROM_CE,
        }
    }
}

impl TryFrom<Date> for NaiveDate {
    type Error = TemporalRangeError;
    fn try_from(d: Date) -> Result<Self, Self::Error> {
        d.days
            .checked_add(UNIX_EPOCH_DAYS_FROM_CE)
            .and_then(|n| i32::try_from(n).ok())
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or(TemporalRangeError("Date"))
    }
}

fn nanos_of_day(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight()) * NANOS_PER_SECOND + i64::from(t.nanosecond())
}

fn time_of_nanos(n: i64) -> Option<NaiveTime> {
    let secs = u32::try_from(n.div_euclid(NANOS_PER_SECOND)).ok()?;
    let nanos = u32::try_from(n.rem_euclid(NANOS_PER_SECOND)).ok()?;
    if n < 0 {
        return None;
    }
    NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
}

impl From<NaiveTime> for LocalTime {
    fn from(t: NaiveTime) -> Self {
        LocalTime {
            nanoseconds: nanos_of_day(t),
        }
    }
}

impl TryFrom<LocalTime> for NaiveTime {
    type Error = TemporalRangeError;
    fn try_from(t: LocalTime) -> Result<Self, Self::Error> {
        time_of_nanos(t.nanoseconds).ok_or(TemporalRangeError("LocalTime"))
    }
}

impl From<(NaiveTime, FixedOffset)> for Time {
    fn from((t, o): (NaiveTime, FixedOffset)) -> Self {
        Time {
            nanoseconds: nanos_of_day(t),
            tz_offset_seconds: o.local_minus_utc(),
        }
    }
}

impl TryFrom<Time> for (NaiveTime, FixedOffset) {
    type Error = TemporalRangeError;
    fn try_from(t: Time) -> Result<Self, Self::Error> {
        let time = time_of_nanos(t.nanoseconds).ok_or(TemporalRangeError("Time"))?;
        let offset =
            FixedOffset::east_opt(t.tz_offset_seconds).ok_or(TemporalRangeError("Time offset"))?;
        Ok((time, offset))
    }
}

impl From<NaiveDateTime> for LocalDateTime {
    fn from(dt: NaiveDateTime) -> Self {
        let utc = dt.and_utc();
        LocalDateTime {
            seconds: utc.timestamp(),
            nanoseconds: utc.timestamp_subsec_nanos(),
        }
    }
}

impl TryFrom<LocalDateTime> for NaiveDateTime {
    type Error = TemporalRangeError;
    fn try_from(dt: LocalDateTime) -> Result<Self, Self::Error> {
        ChronoDateTime::from_timestamp(dt.seconds, dt.nanoseconds)
            .map(|d| d.naive_utc())
            .ok_or(TemporalRangeError("LocalDateTime"))
    }
}

impl<Tz: TimeZone> From<ChronoDateTime<Tz>> for DateTime {
    fn from(dt: ChronoDateTime<Tz>) -> Self {
        let offset = dt.offset().fix().local_minus_utc();
        DateTime {
            seconds: dt.timestamp(),
            nanoseconds: dt.timestamp_subsec_nanos(),
            tz_offset_seconds: offset,
        }
    }
}

impl TryFrom<DateTime> for ChronoDateTime<FixedOffset> {
    type Error = TemporalRangeError;
    fn try_from(dt: DateTime) -> Result<Self, Self::Error> {
        let offset = FixedOffset::east_opt(dt.tz_offset_seconds)
            .ok_or(TemporalRangeError("DateTime offset"))?;
        ChronoDateTime::from_timestamp(dt.seconds, dt.nanoseconds)
            .map(|utc| utc.with_timezone(&offset))
            .ok_or(TemporalRangeError("DateTime"))
    }
}

impl TryFrom<DateTime> for ChronoDateTime<Utc> {
    type Error = TemporalRangeError;
    fn try_from(dt: DateTime) -> Result<Self, Self::Error> {
        ChronoDateTime::from_timestamp(dt.seconds, dt.nanoseconds)
            .ok_or(TemporalRangeError("DateTime"))
    }
}

impl From<TimeDelta> for Duration {
    fn from(d: TimeDelta) -> Self {
        // chrono keeps seconds and a non-negative sub-second part.
        let seconds = d.num_seconds();
        let nanos = (d - TimeDelta::seconds(seconds))
            .num_nanoseconds()
            .unwrap_or(0);
        Duration {
            months: 0,
            days: 0,
            seconds,
            nanoseconds: i32::try_from(nanos).unwrap_or(0),
        }
    }
}

impl TryFrom<Duration> for TimeDelta {
    type Error = TemporalRangeError;
    /// Fails for durations with months, which have no fixed length.
    fn try_from(d: Duration) -> Result<Self, Self::Error> {
        if d.months != 0 {
            return Err(TemporalRangeError("Duration with months"));
        }
        let secs = d
            .days
            .checked_mul(86_400)
            .and_then(|s| s.checked_add(d.seconds))
            .ok_or(TemporalRangeError("Duration"))?;
        TimeDelta::try_seconds(secs)
            .and_then(|s| s.checked_add(&TimeDelta::nanoseconds(i64::from(d.nanoseconds))))
            .ok_or(TemporalRangeError("Duration"))
    }
}

macro_rules! value_from_chrono {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(v.into())
            }
        }
    )*};
}

value_from_chrono!(NaiveDate => Date, NaiveTime => LocalTime, NaiveDateTime => LocalDateTime, TimeDelta => Duration);

macro_rules! value_from_offset_date_time {
    ($($tz:ty),*) => {$(
        impl From<ChronoDateTime<$tz>> for Value {
            /// A date-time with an offset.
            fn from(v: ChronoDateTime<$tz>) -> Self {
                Value::DateTime(v.into())
            }
        }
    )*};
}

value_from_offset_date_time!(FixedOffset, Utc, chrono::Local);

impl From<TemporalRangeError> for ConvertError {
    fn from(e: TemporalRangeError) -> Self {
        ConvertError::OutOfRange(e.0)
    }
}

macro_rules! chrono_from_value {
    ($($t:ty => $variant:ident, $expected:literal);* $(;)?) => {$(
        impl TryFrom<Value> for $t {
            type Error = ConvertError;
            fn try_from(v: Value) -> Result<Self, ConvertError> {
                match v {
                    Value::$variant(x) => Ok(<$t>::try_from(x)?),
                    other => Err(ConvertError::mismatch($expected, &other)),
                }
            }
        }
    )*};
}

chrono_from_value! {
    NaiveDate => Date, "DATE";
    NaiveTime => LocalTime, "LOCAL TIME";
    NaiveDateTime => LocalDateTime, "LOCAL DATETIME";
    TimeDelta => Duration, "DURATION";
}

/// The UTC instant of a zoned date-time and its zone's offset then: from the
/// tz database with feature `chrono-tz`, else offset zero (and a legacy
/// wall-clock value cannot be placed).
fn zoned_instant(z: &DateTimeZoneId) -> Result<(i64, i32), ConvertError> {
    #[cfg(feature = "chrono-tz")]
    {
        super::chrono_tz::resolve(z).ok_or_else(|| {
            ConvertError::Invalid(format!(
                "zone id `{}` is not in the tz database, or the time is out of range",
                z.tz_id
            ))
        })
    }
    #[cfg(not(feature = "chrono-tz"))]
    match z.basis {
        crate::TimeBasis::Utc => Ok((z.seconds, 0)),
        crate::TimeBasis::WallClock => Err(ConvertError::Invalid(
            "a legacy (wall-clock) zoned date-time needs the tz database (feature `chrono-tz`)"
                .into(),
        )),
    }
}

impl TryFrom<Value> for ChronoDateTime<FixedOffset> {
    type Error = ConvertError;
    /// From a date-time with an offset, or one with a zone id (see the
    /// module docs for its offset).
    fn try_from(v: Value) -> Result<Self, ConvertError> {
        match v {
            Value::DateTime(dt) => Ok(dt.try_into()?),
            Value::DateTimeZoneId(z) => {
                let (seconds, tz_offset_seconds) = zoned_instant(&z)?;
                Ok(DateTime {
                    seconds,
                    nanoseconds: z.nanoseconds,
                    tz_offset_seconds,
                }
                .try_into()?)
            }
            other => Err(ConvertError::mismatch("ZONED DATETIME", &other)),
        }
    }
}

impl TryFrom<Value> for ChronoDateTime<Utc> {
    type Error = ConvertError;
    /// The instant of a date-time with an offset or a zone id.
    fn try_from(v: Value) -> Result<Self, ConvertError> {
        ChronoDateTime::<FixedOffset>::try_from(v).map(|dt| dt.with_timezone(&Utc))
    }
}

// `#[serde(with = "boltline_packstream::ext::temporal")]` for these.
super::temporal::temporal_via_value!(
    NaiveDate,
    NaiveTime,
    NaiveDateTime,
    ChronoDateTime<FixedOffset>,
    ChronoDateTime<Utc>,
    TimeDelta,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_both_ways() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(Date::from(epoch), Date { days: 0 });
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(Date::from(d).days, 19_782);
        assert_eq!(NaiveDate::try_from(Date::from(d)).unwrap(), d);
        let before = NaiveDate::from_ymd_opt(1969, 12, 31).unwrap();
        assert_eq!(Date::from(before).days, -1);
        assert!(NaiveDate::try_from(Date { days: i64::MAX }).is_err());
    }

    #[test]
    fn times_and_date_times_convert_both_ways() {
        let t = NaiveTime::from_hms_nano_opt(13, 14, 15, 16).unwrap();
        assert_eq!(NaiveTime::try_from(LocalTime::from(t)).unwrap(), t);
        assert!(NaiveTime::try_from(LocalTime { nanoseconds: -1 }).is_err());
        let off = FixedOffset::east_opt(-3 * 3600).unwrap();
        assert_eq!(
            <(NaiveTime, FixedOffset)>::try_from(Time::from((t, off))).unwrap(),
            (t, off)
        );

        let dt = off.with_ymd_and_hms(2001, 2, 3, 4, 5, 6).unwrap();
        let ours = DateTime::from(dt);
        assert_eq!(ours.tz_offset_seconds, -10_800);
        assert_eq!(ours.seconds, dt.timestamp());
        assert_eq!(ChronoDateTime::<FixedOffset>::try_from(ours).unwrap(), dt);
        let naive = dt.naive_local();
        assert_eq!(
            NaiveDateTime::try_from(LocalDateTime::from(naive)).unwrap(),
            naive
        );
    }

    #[test]
    fn durations_convert_unless_they_have_months() {
        let d = TimeDelta::seconds(90) + TimeDelta::nanoseconds(5);
        let ours = Duration::from(d);
        assert_eq!((ours.seconds, ours.nanoseconds), (90, 5));
        assert_eq!(TimeDelta::try_from(ours).unwrap(), d);
        let neg = TimeDelta::nanoseconds(-1);
        assert_eq!(TimeDelta::try_from(Duration::from(neg)).unwrap(), neg);
        let months = Duration {
            months: 1,
            ..Duration::default()
        };
        assert!(TimeDelta::try_from(months).is_err());
    }
}

#[cfg(test)]
mod serde_tests {
    use super::*;
    use crate::{from_record, from_slice, from_value, to_bytes, Error};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Deserialize)]
    struct Plain {
        date: NaiveDate,
        time: NaiveTime,
        local: NaiveDateTime,
        fixed: ChronoDateTime<FixedOffset>,
        utc: ChronoDateTime<Utc>,
        maybe: Option<NaiveDate>,
    }

    fn sample() -> (NaiveDate, NaiveTime, ChronoDateTime<FixedOffset>) {
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let time = NaiveTime::from_hms_nano_opt(23, 59, 58, 123_456_789).unwrap();
        let off = FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap();
        (
            date,
            time,
            off.from_local_datetime(&date.and_time(time)).unwrap(),
        )
    }

    #[test]
    fn plain_chrono_fields_read_straight_from_temporal_values() {
        let (date, time, fixed) = sample();
        let row: Value = [
            ("date", Value::from(date)),
            ("time", Value::from(time)),
            ("local", Value::from(date.and_time(time))),
            ("fixed", Value::from(fixed)),
            ("utc", Value::from(fixed.with_timezone(&Utc))),
            ("maybe", Value::Null),
        ]
        .into_iter()
        .collect();
        let got: Plain = from_value(&row).unwrap();
        assert_eq!(
            got,
            Plain {
                date,
                time,
                local: date.and_time(time),
                fixed,
                utc: fixed.with_timezone(&Utc),
                maybe: None,
            }
        );
        assert_eq!(got.fixed.offset().local_minus_utc(), 19_800);
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Tagged {
        #[serde(with = "crate::ext::temporal")]
        date: NaiveDate,
        #[serde(with = "crate::ext::temporal")]
        time: NaiveTime,
        #[serde(with = "crate::ext::temporal")]
        local: NaiveDateTime,
        #[serde(with = "crate::ext::temporal")]
        fixed: ChronoDateTime<FixedOffset>,
        #[serde(with = "crate::ext::temporal")]
        utc: ChronoDateTime<Utc>,
        #[serde(with = "crate::ext::temporal")]
        delta: TimeDelta,
        #[serde(with = "crate::ext::temporal")]
        maybe: Option<NaiveDate>,
    }

    #[test]
    fn tagged_fields_serialize_as_temporal_structures_and_round_trip() {
        let (date, time, fixed) = sample();
        let t = Tagged {
            date,
            time,
            local: date.and_time(time),
            fixed,
            utc: fixed.with_timezone(&Utc),
            delta: TimeDelta::seconds(-90) + TimeDelta::nanoseconds(7),
            maybe: Some(date),
        };
        let bytes = to_bytes(&t).unwrap();
        let Value::Map(m) = Value::decode_slice(&bytes).unwrap() else {
            panic!("not a map")
        };
        assert_eq!(m["date"], Value::Date(Date::from(date)));
        assert_eq!(m["time"].type_name(), "LOCAL TIME");
        assert_eq!(m["local"].type_name(), "LOCAL DATETIME");
        assert_eq!(m["fixed"], Value::DateTime(DateTime::from(fixed)));
        assert_eq!(m["utc"].type_name(), "ZONED DATETIME");
        assert_eq!(m["delta"].type_name(), "DURATION");
        assert_eq!(m["maybe"], Value::Date(Date::from(date)));
        assert_eq!(from_slice::<Tagged>(&bytes).unwrap(), t);
    }

    #[test]
    fn a_record_column_of_the_wrong_type_is_named_in_the_error() {
        #[derive(Debug, Deserialize)]
        struct Book {
            #[allow(dead_code)]
            title: String,
            #[allow(dead_code)]
            published: NaiveDate,
        }
        let fields = to_bytes(&(String::from("Dune"), 1965_i64)).unwrap();
        let err = from_record::<_, Book>(&["title", "published"], &fields).unwrap_err();
        let Error::InColumn { column, source } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(column, "published");
        let text = source.to_string();
        assert!(text.contains("integer") && text.contains("1965"), "{text}");

        // A temporal value of the wrong kind: chrono refuses the text, and
        // the column is named.
        let fields = to_bytes(&(
            String::from("Dune"),
            Value::from(NaiveTime::from_hms_opt(1, 2, 3).unwrap()),
        ))
        .unwrap();
        let err = from_record::<_, Book>(&["title", "published"], &fields).unwrap_err();
        assert!(
            matches!(&err, Error::InColumn { column, .. } if column == "published"),
            "{err:?}"
        );

        // A structure into a number names both types.
        #[derive(Debug, Deserialize)]
        struct Count {
            #[allow(dead_code)]
            n: i64,
        }
        let fields =
            to_bytes(&(Value::from(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),)).unwrap();
        let err = from_record::<_, Count>(&["n"], &fields).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("column `n`") && text.contains("DATE") && text.contains("an integer"),
            "{text}"
        );
    }

    #[test]
    fn values_of_another_type_do_not_convert() {
        assert_eq!(
            NaiveDate::try_from(Value::Integer(1)),
            Err(ConvertError::mismatch("DATE", &Value::Integer(1)))
        );
        assert_eq!(
            NaiveDate::try_from(Value::Date(Date { days: i64::MAX })),
            Err(ConvertError::OutOfRange("Date"))
        );
        assert!(matches!(
            ChronoDateTime::<Utc>::try_from(Value::from("x")),
            Err(ConvertError::Type(_))
        ));
    }

    #[cfg(not(feature = "chrono-tz"))]
    #[test]
    fn without_the_tz_database_a_zoned_value_reads_as_its_utc_instant() {
        let z = Value::DateTimeZoneId(DateTimeZoneId {
            seconds: 1_700_000_000,
            nanoseconds: 0,
            tz_id: "Europe/Stockholm".into(),
            basis: crate::TimeBasis::Utc,
        });
        let fixed = ChronoDateTime::<FixedOffset>::try_from(z.clone()).unwrap();
        assert_eq!(
            (fixed.timestamp(), fixed.offset().local_minus_utc()),
            (1_700_000_000, 0)
        );
        let legacy = Value::DateTimeZoneId(DateTimeZoneId {
            basis: crate::TimeBasis::WallClock,
            ..DateTimeZoneId::try_from(z).unwrap()
        });
        assert!(matches!(
            ChronoDateTime::<FixedOffset>::try_from(legacy),
            Err(ConvertError::Invalid(_))
        ));
    }
}
