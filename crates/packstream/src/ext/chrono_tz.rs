//! Zoned date-times with the tz database (feature `chrono-tz`):
//! `chrono::DateTime<chrono_tz::Tz>` both ways, and zone ids resolved to
//! their offset (or, for the legacy wall-clock encoding, to their instant).
//!
//! `DateTime<Tz>` has no `Deserialize` of its own; as a struct field it takes
//! `#[serde(with = "boltline_packstream::ext::temporal")]`.

use chrono::{DateTime as ChronoDateTime, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

use super::ConvertError;
use crate::{DateTimeZoneId, TimeBasis, Value};

/// The UTC instant (seconds) of `z` and its zone's offset then; `None` for an
/// unknown zone id or a time out of range. A legacy wall-clock time in a
/// gap or an overlap takes the earlier of its candidate instants.
pub(crate) fn resolve(z: &DateTimeZoneId) -> Option<(i64, i32)> {
    let tz: Tz = z.tz_id.parse().ok()?;
    let instant = match z.basis {
        TimeBasis::Utc => tz.timestamp_opt(z.seconds, 0).single()?,
        TimeBasis::WallClock => {
            let wall = ChronoDateTime::from_timestamp(z.seconds, 0)?.naive_utc();
            local_instant(tz, wall)?
        }
    };
    Some((
        instant.timestamp(),
        instant.offset().fix().local_minus_utc(),
    ))
}

/// A wall-clock time in `tz`: the earlier instant in an overlap, and in a gap
/// the instant an hour later (as the clocks moved forward).
fn local_instant(tz: Tz, wall: NaiveDateTime) -> Option<ChronoDateTime<Tz>> {
    tz.from_local_datetime(&wall).earliest().or_else(|| {
        let later = wall.checked_add_signed(chrono::TimeDelta::hours(1))?;
        tz.from_local_datetime(&later).earliest()
    })
}

impl From<ChronoDateTime<Tz>> for DateTimeZoneId {
    fn from(dt: ChronoDateTime<Tz>) -> Self {
        DateTimeZoneId {
            seconds: dt.timestamp(),
            nanoseconds: dt.timestamp_subsec_nanos(),
            tz_id: dt.timezone().name().to_owned(),
            basis: TimeBasis::Utc,
        }
    }
}

impl From<ChronoDateTime<Tz>> for Value {
    /// A date-time with its zone id (not only its offset).
    fn from(dt: ChronoDateTime<Tz>) -> Self {
        Value::DateTimeZoneId(dt.into())
    }
}

impl TryFrom<DateTimeZoneId> for ChronoDateTime<Tz> {
    type Error = ConvertError;
    /// Fails for a zone id the tz database does not know.
    fn try_from(z: DateTimeZoneId) -> Result<Self, ConvertError> {
        let tz: Tz = z
            .tz_id
            .parse()
            .map_err(|_| ConvertError::Invalid(format!("unknown time-zone id `{}`", z.tz_id)))?;
        let (utc, _) = resolve(&z).ok_or(ConvertError::OutOfRange("DateTimeZoneId"))?;
        tz.timestamp_opt(utc, z.nanoseconds)
            .single()
            .ok_or(ConvertError::OutOfRange("DateTimeZoneId"))
    }
}

impl TryFrom<Value> for ChronoDateTime<Tz> {
    type Error = ConvertError;
    fn try_from(v: Value) -> Result<Self, ConvertError> {
        match v {
            Value::DateTimeZoneId(z) => z.try_into(),
            other => Err(ConvertError::mismatch(
                "ZONED DATETIME with a zone id",
                &other,
            )),
        }
    }
}

super::temporal::temporal_via_value!(ChronoDateTime<Tz>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_slice, from_value, to_bytes};
    use chrono::{FixedOffset, NaiveDate};
    use serde::{Deserialize, Serialize};

    fn stockholm_summer() -> ChronoDateTime<Tz> {
        chrono_tz::Europe::Stockholm
            .with_ymd_and_hms(2024, 7, 1, 12, 30, 0)
            .unwrap()
    }

    #[test]
    fn zone_ids_resolve_to_their_local_offset() {
        let dt = stockholm_summer();
        let v = Value::from(dt);
        assert_eq!(v.type_name(), "ZONED DATETIME");
        let Value::DateTimeZoneId(z) = &v else {
            panic!("{v:?}")
        };
        assert_eq!(z.tz_id, "Europe/Stockholm");
        assert_eq!(resolve(z), Some((dt.timestamp(), 7_200)));
        // Read as a fixed offset: the zone's summer offset, not UTC.
        let fixed = ChronoDateTime::<FixedOffset>::try_from(v.clone()).unwrap();
        assert_eq!(fixed.offset().local_minus_utc(), 7_200);
        assert_eq!(fixed.to_rfc3339(), "2024-07-01T12:30:00+02:00");
        assert_eq!(ChronoDateTime::<Tz>::try_from(v.clone()).unwrap(), dt);
        // The text the deserializer hands to string targets.
        assert_eq!(
            crate::ext::to_iso_string(&v).unwrap(),
            "2024-07-01T12:30:00+02:00"
        );
        let s: String = from_value(&v).unwrap();
        assert_eq!(s, "2024-07-01T12:30:00+02:00");
    }

    #[test]
    fn legacy_wall_clock_values_are_placed_with_the_tz_database() {
        let dt = stockholm_summer();
        let wall = NaiveDate::from_ymd_opt(2024, 7, 1)
            .unwrap()
            .and_hms_opt(12, 30, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        let legacy = DateTimeZoneId {
            seconds: wall,
            nanoseconds: 0,
            tz_id: "Europe/Stockholm".into(),
            basis: TimeBasis::WallClock,
        };
        assert_eq!(ChronoDateTime::<Tz>::try_from(legacy).unwrap(), dt);
    }

    #[test]
    fn unknown_zone_ids_are_refused() {
        let z = DateTimeZoneId {
            seconds: 0,
            nanoseconds: 0,
            tz_id: "Mars/Olympus".into(),
            basis: TimeBasis::Utc,
        };
        assert!(matches!(
            ChronoDateTime::<Tz>::try_from(z.clone()),
            Err(ConvertError::Invalid(m)) if m.contains("Mars/Olympus")
        ));
        assert!(matches!(
            ChronoDateTime::<FixedOffset>::try_from(Value::DateTimeZoneId(z)),
            Err(ConvertError::Invalid(_))
        ));
    }

    #[test]
    fn zoned_fields_round_trip_through_the_serde_format() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Meeting {
            #[serde(with = "crate::ext::temporal")]
            at: ChronoDateTime<Tz>,
            // A plain chrono field reads a zoned value at its zone's offset.
            #[serde(skip_serializing)]
            #[serde(default = "epoch")]
            fixed: ChronoDateTime<FixedOffset>,
        }
        fn epoch() -> ChronoDateTime<FixedOffset> {
            ChronoDateTime::from_timestamp(0, 0).unwrap().fixed_offset()
        }
        let m = Meeting {
            at: stockholm_summer(),
            fixed: epoch(),
        };
        let bytes = to_bytes(&m).unwrap();
        assert_eq!(from_slice::<Meeting>(&bytes).unwrap(), m);
        let row: Value = [("at", Value::from(m.at)), ("fixed", Value::from(m.at))]
            .into_iter()
            .collect();
        let read: Meeting = from_value(&row).unwrap();
        assert_eq!(read.fixed.to_rfc3339(), "2024-07-01T12:30:00+02:00");
    }
}
