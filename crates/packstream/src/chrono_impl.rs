//! Conversions between the temporal structures and chrono's types
//! (feature `chrono`). Conversions that can fail (out of chrono's range, a
//! duration with months) are `TryFrom` with [`TemporalRangeError`].

use chrono::{
    DateTime as ChronoDateTime, Duration as TimeDelta, FixedOffset, NaiveDate, NaiveDateTime,
    NaiveTime, Offset, TimeZone, Timelike, Utc,
};

use crate::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time, Value};

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

impl<Tz: TimeZone> From<ChronoDateTime<Tz>> for Value {
    fn from(v: ChronoDateTime<Tz>) -> Self {
        Value::DateTime(v.into())
    }
}

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
