//! Proleptic Gregorian calendar arithmetic on plain integers, over Neo4j's
//! whole year range (wider than chrono's).
//!
//! The day-count conversions follow the well-known "days from civil"
//! construction (eras of 400 years, March-based years).

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;
/// Nanoseconds in a second.
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
/// Nanoseconds in a day.
pub const NANOS_PER_DAY: i64 = SECONDS_PER_DAY * NANOS_PER_SECOND;
/// Neo4j's year range is ±999,999,999; anything beyond is rejected, which
/// also keeps every computation here far from `i64` overflow.
pub const MAX_ABS_YEAR: i64 = 999_999_999;

/// Whether `year` is a leap year.
pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1-12) of `year`, or `None` for an invalid month.
pub fn days_in_month(year: i64, month: i64) -> Option<i64> {
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => return None,
    })
}

/// Days since 1970-01-01 of a valid date, or `None` when the date does not
/// exist or is outside Neo4j's range.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    if year.unsigned_abs() > MAX_ABS_YEAR.unsigned_abs()
        || day < 1
        || day > days_in_month(year, month)?
    {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = (month + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    Some(era * 146_097 + doe - 719_468)
}

/// The date `(year, month, day)` a day count since 1970-01-01 falls on, or
/// `None` outside Neo4j's range.
pub fn civil_from_days(days: i64) -> Option<(i64, i64, i64)> {
    // 366 days a year bounds the search space well inside i64.
    if days.unsigned_abs() > ((MAX_ABS_YEAR + 1) * 366).unsigned_abs() {
        return None;
    }
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year.unsigned_abs() <= MAX_ABS_YEAR.unsigned_abs()).then_some((year, month, day))
}

/// A wall-clock reading broken into its calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year (astronomical: year 0 exists).
    pub year: i64,
    /// Month, 1-12.
    pub month: i64,
    /// Day of month, 1-31.
    pub day: i64,
    /// Hour, 0-23.
    pub hour: i64,
    /// Minute, 0-59.
    pub minute: i64,
    /// Second, 0-59.
    pub second: i64,
}

/// Seconds since 1970-01-01T00:00:00 of a wall-clock reading, or `None` when
/// a field is out of range.
pub fn seconds_from_civil(c: Civil) -> Option<i64> {
    let days = days_from_civil(c.year, c.month, c.day)?;
    let sod = seconds_of_day(c.hour, c.minute, c.second)?;
    Some(days * SECONDS_PER_DAY + sod)
}

/// The wall-clock reading of a second count since 1970-01-01T00:00:00, or
/// `None` outside Neo4j's range.
pub fn civil_from_seconds(seconds: i64) -> Option<Civil> {
    let (year, month, day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY))?;
    let sod = seconds.rem_euclid(SECONDS_PER_DAY);
    Some(Civil {
        year,
        month,
        day,
        hour: sod / 3600,
        minute: sod / 60 % 60,
        second: sod % 60,
    })
}

/// Seconds since midnight, or `None` when a field is out of range.
pub fn seconds_of_day(hour: i64, minute: i64, second: i64) -> Option<i64> {
    ((0..24).contains(&hour) && (0..60).contains(&minute) && (0..60).contains(&second))
        .then_some(hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(1969, 12, 31), Some(-1));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(2022, 6, 7), Some(19_150));
        assert_eq!(days_from_civil(1, 1, 1), Some(-719_162));
        assert_eq!(days_from_civil(0, 2, 29), Some(-719_469));
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert_eq!(days_from_civil(2024, 13, 1), None);
        assert_eq!(days_from_civil(2024, 4, 31), None);
        assert_eq!(days_from_civil(1_000_000_000, 1, 1), None);
    }

    #[test]
    fn days_round_trip_over_wide_ranges() {
        for days in (-800_000..800_000).step_by(97).chain([
            days_from_civil(-MAX_ABS_YEAR, 1, 1).unwrap_or_default(),
            days_from_civil(MAX_ABS_YEAR, 12, 31).unwrap_or_default(),
        ]) {
            let (y, m, d) = civil_from_days(days).unwrap_or_default();
            assert_eq!(days_from_civil(y, m, d), Some(days), "{days}");
        }
        assert!(civil_from_days(i64::MAX).is_none());
        assert!(civil_from_days(i64::MIN).is_none());
    }

    #[test]
    fn seconds_round_trip() {
        let c = Civil {
            year: 1969,
            month: 12,
            day: 31,
            hour: 23,
            minute: 59,
            second: 59,
        };
        assert_eq!(seconds_from_civil(c), Some(-1));
        assert_eq!(civil_from_seconds(-1), Some(c));
        assert_eq!(seconds_of_day(24, 0, 0), None);
        assert_eq!(seconds_of_day(23, 60, 0), None);
    }
}
