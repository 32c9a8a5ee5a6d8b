//! ISO 8601 text for the temporal structures, the form Cypher's `toString`
//! prints. The deserializer hands it to string-typed targets, which is how
//! chrono's types (whose `Deserialize` asks for a string) read a temporal
//! value straight into a struct field.

use crate::{Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Time, Value};

const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Year, month and day of a count of days since 1970-01-01 (proleptic
/// Gregorian calendar), by the classic era / year-of-era decomposition.
/// `i128` keeps every `i64` day count free of overflow.
pub(crate) fn civil_from_days(days: i64) -> (i128, u32, u32) {
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // 0..=146_096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365
    let mp = (5 * doy + 2) / 153; // 0..=11, March first
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    // Month and day are small by construction.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of
/// [`civil_from_days`]), to test it; `None` when out of `i64`.
#[cfg(test)]
fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let y = i128::from(year) - i128::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i128::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i128::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i64::try_from(era * 146_097 + doe - 719_468).ok()
}

fn push_date(out: &mut String, days: i64) {
    let (y, m, d) = civil_from_days(days);
    if (0..=9999).contains(&y) {
        out.push_str(&format!("{y:04}-{m:02}-{d:02}"));
    } else {
        out.push_str(&format!("{y:+05}-{m:02}-{d:02}"));
    }
}

/// `HH:MM:SS` and `.nnnnnnnnn` when there are nanoseconds; `None` outside a day.
fn push_time(out: &mut String, nanos_of_day: i64) -> Option<()> {
    if !(0..SECONDS_PER_DAY * NANOS_PER_SECOND).contains(&nanos_of_day) {
        return None;
    }
    let secs = nanos_of_day / NANOS_PER_SECOND;
    let nanos = nanos_of_day % NANOS_PER_SECOND;
    out.push_str(&format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ));
    if nanos != 0 {
        out.push_str(&format!(".{nanos:09}"));
    }
    Some(())
}

fn push_offset(out: &mut String, offset: i32) {
    if offset == 0 {
        out.push('Z');
        return;
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    out.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60));
    if !abs.is_multiple_of(60) {
        out.push_str(&format!(":{:02}", abs % 60));
    }
}

/// Wall-clock seconds since the epoch and nanoseconds, as `date T time`.
fn push_date_time(out: &mut String, wall_seconds: i64, nanos: u32) -> Option<()> {
    push_date(out, wall_seconds.div_euclid(SECONDS_PER_DAY));
    out.push('T');
    push_time(
        out,
        wall_seconds.rem_euclid(SECONDS_PER_DAY) * NANOS_PER_SECOND + i64::from(nanos),
    )
}

/// The offset of zone `tz_id` at an instant, when the tz database is built in.
fn zone_offset(zoned: &DateTimeZoneId) -> Option<(i64, i32)> {
    #[cfg(feature = "chrono-tz")]
    {
        crate::ext::chrono_tz::resolve(zoned)
    }
    #[cfg(not(feature = "chrono-tz"))]
    {
        match zoned.basis {
            // Without the tz database the offset is unknown: the instant is
            // still exact, written in UTC.
            crate::TimeBasis::Utc => Some((zoned.seconds, 0)),
            crate::TimeBasis::WallClock => None,
        }
    }
}

/// The ISO 8601 text of a temporal value; `None` for other values, for
/// fields out of range, and for a legacy wall-clock zoned date-time when no
/// tz database is built in (feature `chrono-tz`).
///
/// A zoned date-time is written with its offset (resolved with the tz
/// database under `chrono-tz`, else UTC) and without the zone id, so that
/// chrono's parsers accept it.
pub fn to_iso_string(value: &Value) -> Option<String> {
    let mut out = String::with_capacity(32);
    match value {
        Value::Date(Date { days }) => push_date(&mut out, *days),
        Value::LocalTime(LocalTime { nanoseconds }) => push_time(&mut out, *nanoseconds)?,
        Value::Time(Time {
            nanoseconds,
            tz_offset_seconds,
        }) => {
            push_time(&mut out, *nanoseconds)?;
            push_offset(&mut out, *tz_offset_seconds);
        }
        Value::LocalDateTime(LocalDateTime {
            seconds,
            nanoseconds,
        }) => push_date_time(&mut out, *seconds, *nanoseconds)?,
        Value::DateTime(DateTime {
            seconds,
            nanoseconds,
            tz_offset_seconds,
        }) => {
            let wall = seconds.checked_add(i64::from(*tz_offset_seconds))?;
            push_date_time(&mut out, wall, *nanoseconds)?;
            push_offset(&mut out, *tz_offset_seconds);
        }
        Value::DateTimeZoneId(z) => {
            let (utc, offset) = zone_offset(z)?;
            let wall = utc.checked_add(i64::from(offset))?;
            push_date_time(&mut out, wall, z.nanoseconds)?;
            push_offset(&mut out, offset);
        }
        Value::Duration(d) => push_duration(&mut out, d),
        _ => return None,
    }
    Some(out)
}

fn push_duration(out: &mut String, d: &Duration) {
    out.push('P');
    if d.months != 0 {
        out.push_str(&format!("{}M", d.months));
    }
    if d.days != 0 {
        out.push_str(&format!("{}D", d.days));
    }
    let total = i128::from(d.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(d.nanoseconds);
    if total != 0 || (d.months == 0 && d.days == 0) {
        let sign = if total < 0 { "-" } else { "" };
        let abs = total.unsigned_abs();
        let nanos_per_second = u128::from(NANOS_PER_SECOND.unsigned_abs());
        out.push_str(&format!("T{sign}{}", abs / nanos_per_second));
        let frac = abs % nanos_per_second;
        if frac != 0 {
            let digits = format!("{frac:09}");
            out.push('.');
            out.push_str(digits.trim_end_matches('0'));
        }
        out.push('S');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_civil_dates_agree_over_four_centuries_and_far_out() {
        for days in (-200_000..200_000).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            let y = i64::try_from(y).unwrap();
            assert_eq!(days_from_civil(y, m, d), Some(days), "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        // Far out of range does not overflow.
        let _ = civil_from_days(i64::MAX);
        let _ = civil_from_days(i64::MIN);
    }

    #[test]
    fn temporal_values_print_as_cypher_does() {
        let s = |v: Value| to_iso_string(&v);
        assert_eq!(s(Value::Date(Date { days: 19_782 })).unwrap(), "2024-02-29");
        assert_eq!(
            s(Value::Date(Date { days: -719_529 })).unwrap(),
            "-0001-12-31"
        );
        let t = 13 * 3_600 * NANOS_PER_SECOND + 14 * 60 * NANOS_PER_SECOND + 15 * NANOS_PER_SECOND;
        assert_eq!(
            s(Value::LocalTime(LocalTime {
                nanoseconds: t + 16
            }))
            .unwrap(),
            "13:14:15.000000016"
        );
        assert_eq!(
            s(Value::Time(Time {
                nanoseconds: t,
                tz_offset_seconds: -10_800
            }))
            .unwrap(),
            "13:14:15-03:00"
        );
        assert!(s(Value::LocalTime(LocalTime { nanoseconds: -1 })).is_none());
        assert_eq!(
            s(Value::LocalDateTime(LocalDateTime {
                seconds: 19_782 * 86_400 + 3_661,
                nanoseconds: 0
            }))
            .unwrap(),
            "2024-02-29T01:01:01"
        );
        // 2001-02-03T04:05:06-03:00 is 07:05:06 UTC.
        let utc = 11_356 * 86_400 + 7 * 3_600 + 5 * 60 + 6;
        assert_eq!(
            s(Value::DateTime(DateTime {
                seconds: utc,
                nanoseconds: 5,
                tz_offset_seconds: -10_800
            }))
            .unwrap(),
            "2001-02-03T04:05:06.000000005-03:00"
        );
        assert_eq!(
            s(Value::Duration(Duration {
                months: 14,
                days: 3,
                seconds: 1,
                nanoseconds: 500_000_000
            }))
            .unwrap(),
            "P14M3DT1.5S"
        );
        assert_eq!(s(Value::Duration(Duration::default())).unwrap(), "PT0S");
        assert!(s(Value::Integer(1)).is_none());
    }
}
