//! chrono's date and time types as property types (feature `chrono`),
//! stored natively through the driver's conversions: `NaiveDate` as a
//! Neo4j `DATE`, `NaiveTime` a `LOCAL TIME`, `NaiveDateTime` a `LOCAL
//! DATETIME`, `DateTime<Utc>`/`DateTime<FixedOffset>` a `ZONED DATETIME`
//! with an offset, `TimeDelta` a `DURATION` (without months).

use boltline::packstream::ext::ConvertError;
use boltline::packstream::TypeMismatch;
use boltline::Value;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use crate::property::{Ordered, PropertyType};

/// The driver's conversion error as the property type error (whose
/// fields are static text).
fn mismatch(expected: &'static str, e: ConvertError) -> TypeMismatch {
    match e {
        ConvertError::Type(t) => t,
        ConvertError::OutOfRange(what) => TypeMismatch {
            expected,
            found: what,
        },
        _ => TypeMismatch {
            expected,
            found: "a value chrono cannot represent",
        },
    }
}

macro_rules! via_chrono {
    ($($t:ty => $expected:literal),* $(,)?) => {$(
        impl PropertyType for $t {
            type Filter = $t;
            fn to_value(&self) -> Value {
                Value::from(*self)
            }
            fn from_value(v: Value) -> Result<Self, TypeMismatch> {
                <$t>::try_from(v).map_err(|e| mismatch($expected, e))
            }
        }
    )*};
}

via_chrono!(
    NaiveDate => "DATE in chrono's range",
    NaiveTime => "LOCAL TIME",
    NaiveDateTime => "LOCAL DATETIME in chrono's range",
    DateTime<Utc> => "ZONED DATETIME in chrono's range",
    DateTime<FixedOffset> => "ZONED DATETIME in chrono's range",
    TimeDelta => "DURATION without months, in chrono's range",
);

// Cypher orders these as time; durations have no order.
impl Ordered for NaiveDate {}
impl Ordered for NaiveTime {}
impl Ordered for NaiveDateTime {}
impl Ordered for DateTime<Utc> {}
impl Ordered for DateTime<FixedOffset> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::{Date, LocalDateTime};

    #[derive(Node, Debug, PartialEq)]
    struct Article {
        id: ElementId,
        published: Option<NaiveDate>,
        edited: NaiveDateTime,
        at: DateTime<Utc>,
        took: Option<TimeDelta>,
    }

    #[test]
    fn chrono_fields_are_stored_natively() {
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let edited = day.and_hms_opt(13, 5, 7).unwrap();
        let a = Article {
            id: ElementId::unsaved(),
            published: Some(day),
            edited,
            at: edited.and_utc(),
            took: Some(TimeDelta::seconds(90)),
        };
        let m = a.deflate().unwrap();
        assert_eq!(m["published"], Value::Date(Date { days: 19_782 }));
        assert_eq!(
            m["edited"],
            Value::LocalDateTime(LocalDateTime {
                seconds: 1_709_211_907,
                nanoseconds: 0
            })
        );
        assert!(matches!(m["at"], Value::DateTime(_)), "{:?}", m["at"]);
        assert_eq!(Article::inflate_properties(m.clone(), None).unwrap(), a);
        // A missing optional one is None; a wrong type is a typed error.
        let mut none = m.clone();
        none.remove("published");
        none.remove("took");
        let back = Article::inflate_properties(none, None).unwrap();
        assert_eq!((back.published, back.took), (None, None));
        let mut bad = m;
        bad.insert("published".into(), Value::from("2024-02-29"));
        let err = Article::inflate_properties(bad, None).unwrap_err();
        assert!(
            matches!(
                err,
                crate::Error::PropertyType {
                    property: "published",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn chrono_filters_compare_natively() {
        let day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let r = Article::nodes()
            .filter(Article::published().gte(day))
            .statement()
            .render();
        assert_eq!(
            r.text,
            "MATCH (n:Article) WHERE n.published >= $p0\nRETURN n AS n"
        );
        assert_eq!(r.params["p0"], Value::Date(Date { days: 10_957 }));
    }
}
