//! Shared test support: proptest strategies for every [`Value`] variant and
//! round-trip comparisons (`compare`). Use from a test file with `mod common;`.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod compare;

use std::collections::HashMap;

use boltline_packstream::bytes::Bytes;
use boltline_packstream::{
    Date, DateTime, DateTimeZoneId, Dialect, Duration, LocalDateTime, LocalTime, Node, Path,
    Point2D, Point3D, Relationship, Time, TimeBasis, UnboundRelationship, UnsupportedType, Value,
    Vector,
};
use proptest::collection::{hash_map, vec};
use proptest::prelude::*;
use proptest::sample::select;

/// Which values a strategy produces where a [`Dialect`] cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// `Some(true)`: every node and relationship has element ids;
    /// `Some(false)`: none has; `None`: either, independently.
    pub element_ids: Option<bool>,
    /// The basis of every `DateTimeZoneId`, or `None` for either.
    pub zone_basis: Option<TimeBasis>,
    /// Keep `DateTime` seconds far enough from the `i64` limits that the
    /// legacy wall-clock encoding (seconds + offset) cannot overflow.
    pub legacy_safe_seconds: bool,
}

impl Profile {
    /// Anything the `Value` type can hold (with in-range nanoseconds).
    pub const ANY: Profile = Profile {
        element_ids: None,
        zone_basis: None,
        legacy_safe_seconds: false,
    };

    /// Values that `dialect` round-trips exactly: element ids present iff the
    /// dialect writes them (otherwise they are synthesised or dropped), zone
    /// date-times on the dialect's basis (otherwise encoding fails), and
    /// legacy-encodable `DateTime` seconds for wall-clock dialects.
    pub fn exact(dialect: Dialect) -> Profile {
        Profile {
            element_ids: Some(dialect.element_ids),
            zone_basis: Some(if dialect.utc_date_time {
                TimeBasis::Utc
            } else {
                TimeBasis::WallClock
            }),
            legacy_safe_seconds: !dialect.utc_date_time,
        }
    }
}

/// The dialects Bolt negotiates, plus the other combinations of the
/// element-id and date-time flags; all write vectors (what a dialect without
/// them refuses is tested on its own).
pub fn dialect() -> impl Strategy<Value = Dialect> {
    (any::<bool>(), any::<bool>()).prop_map(|(element_ids, utc_date_time)| Dialect {
        element_ids,
        utc_date_time,
        vectors: true,
    })
}

/// `dialect` with vectors allowed: the generated values include vectors,
/// which only Bolt 6 carries (the refusal is tested in `fixtures.rs`).
#[allow(dead_code)]
pub fn with_vectors(dialect: Dialect) -> Dialect {
    Dialect {
        vectors: true,
        ..dialect
    }
}

/// Integers biased towards the encoding width boundaries.
pub fn int() -> impl Strategy<Value = i64> {
    const EDGES: &[i64] = &[
        0,
        -1,
        -16,
        -17,
        127,
        128,
        -128,
        -129,
        255,
        256,
        32767,
        32768,
        -32768,
        -32769,
        i32::MAX as i64,
        i32::MAX as i64 + 1,
        i32::MIN as i64,
        i32::MIN as i64 - 1,
        i64::MAX,
        i64::MIN,
    ];
    prop_oneof![
        3 => any::<i64>(),
        2 => -300i64..300,
        2 => select(EDGES),
    ]
}

/// Floats of any bit pattern: normal, subnormal, zeros, infinities, and NaNs
/// with arbitrary payloads (quiet and signalling). Compare them with
/// [`compare::same`], which is bitwise.
pub fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        any::<u64>().prop_map(f64::from_bits),
        select(&[0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.23][..]),
    ]
}

/// Strings of tiny, 8-bit and (sometimes) 16-bit lengths, ASCII and not.
pub fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,20}",
        1 => "[a-zäöü€😀]{14,40}",
        1 => "[a-z]{250,300}",
    ]
}

/// Map keys: short, possibly empty, any Unicode.
pub fn key() -> impl Strategy<Value = String> {
    "\\PC{0,8}"
}

fn bytes() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        4 => vec(any::<u8>(), 0..20),
        1 => vec(any::<u8>(), 250..300),
    ]
    .prop_map(Bytes::from)
}

fn element_id(profile: Profile) -> BoxedStrategy<Option<String>> {
    match profile.element_ids {
        Some(true) => string().prop_map(Some).boxed(),
        Some(false) => Just(None).boxed(),
        None => proptest::option::of(string()).boxed(),
    }
}

fn nanos() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..1_000_000_000, select(&[0u32, 1, 999_999_999][..])]
}

fn offset() -> impl Strategy<Value = i32> {
    prop_oneof![-64_800i32..=64_800, any::<i32>()]
}

fn date_time(profile: Profile) -> BoxedStrategy<DateTime> {
    // Seconds whose sum with any i32 offset stays inside i64.
    const SAFE: std::ops::RangeInclusive<i64> =
        (i64::MIN - i32::MIN as i64)..=(i64::MAX - i32::MAX as i64);
    let seconds = if profile.legacy_safe_seconds {
        prop_oneof![int().prop_filter("legacy-safe", |s| SAFE.contains(s)), SAFE].boxed()
    } else {
        int().boxed()
    };
    (seconds, nanos(), offset())
        .prop_map(|(seconds, nanoseconds, tz_offset_seconds)| DateTime {
            seconds,
            nanoseconds,
            tz_offset_seconds,
        })
        .boxed()
}

fn date_time_zone_id(profile: Profile) -> impl Strategy<Value = DateTimeZoneId> {
    let basis = match profile.zone_basis {
        Some(b) => Just(b).boxed(),
        None => select(&[TimeBasis::Utc, TimeBasis::WallClock][..]).boxed(),
    };
    let zone = prop_oneof![
        select(
            &[
                "Europe/Stockholm",
                "America/Los_Angeles",
                "UTC",
                "Asia/Kolkata"
            ][..]
        )
        .prop_map(str::to_owned),
        string(),
    ];
    (int(), nanos(), zone, basis).prop_map(|(seconds, nanoseconds, tz_id, basis)| DateTimeZoneId {
        seconds,
        nanoseconds,
        tz_id,
        basis,
    })
}

/// Every `Vector` element type, including empty vectors.
pub fn vector() -> impl Strategy<Value = Vector> {
    let n = 0..12usize;
    prop_oneof![
        vec(any::<i8>(), n.clone()).prop_map(Vector::I8),
        vec(any::<i16>(), n.clone()).prop_map(Vector::I16),
        vec(any::<i32>(), n.clone()).prop_map(Vector::I32),
        vec(any::<i64>(), n.clone()).prop_map(Vector::I64),
        vec(any::<u32>().prop_map(f32::from_bits), n.clone()).prop_map(Vector::F32),
        vec(float(), n).prop_map(Vector::F64),
    ]
}

/// Every variant without nested values.
pub fn leaf(profile: Profile) -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Boolean),
        int().prop_map(Value::Integer),
        float().prop_map(Value::Float),
        bytes().prop_map(Value::Bytes),
        string().prop_map(Value::String),
        int().prop_map(|days| Value::Date(Date { days })),
        (int(), offset()).prop_map(|(nanoseconds, tz_offset_seconds)| Value::Time(Time {
            nanoseconds,
            tz_offset_seconds
        })),
        int().prop_map(|nanoseconds| Value::LocalTime(LocalTime { nanoseconds })),
        date_time(profile).prop_map(Value::DateTime),
        date_time_zone_id(profile).prop_map(Value::DateTimeZoneId),
        (int(), nanos()).prop_map(
            |(seconds, nanoseconds)| Value::LocalDateTime(LocalDateTime {
                seconds,
                nanoseconds
            })
        ),
        (int(), int(), int(), any::<i32>()).prop_map(|(months, days, seconds, nanoseconds)| {
            Value::Duration(Duration {
                months,
                days,
                seconds,
                nanoseconds,
            })
        }),
        (any::<u32>(), float(), float()).prop_map(|(srid, x, y)| Value::Point2D(Point2D {
            srid,
            x,
            y
        })),
        (any::<u32>(), float(), float(), float())
            .prop_map(|(srid, x, y, z)| Value::Point3D(Point3D { srid, x, y, z })),
        vector().prop_map(Value::Vector),
    ]
    .boxed()
}

type Props = HashMap<String, Value>;

fn props(inner: BoxedStrategy<Value>) -> impl Strategy<Value = Props> {
    hash_map(key(), inner, 0..4)
}

/// A node whose properties come from `inner`.
pub fn node(profile: Profile, inner: BoxedStrategy<Value>) -> impl Strategy<Value = Node> {
    (
        int(),
        vec(string(), 0..4),
        props(inner),
        element_id(profile),
    )
        .prop_map(|(id, labels, properties, element_id)| Node {
            id,
            labels,
            properties,
            element_id,
        })
}

/// An unbound relationship whose properties come from `inner`.
pub fn unbound(
    profile: Profile,
    inner: BoxedStrategy<Value>,
) -> impl Strategy<Value = UnboundRelationship> {
    (int(), string(), props(inner), element_id(profile)).prop_map(
        |(id, rel_type, properties, element_id)| UnboundRelationship {
            id,
            rel_type,
            properties,
            element_id,
        },
    )
}

fn relationship(
    profile: Profile,
    inner: BoxedStrategy<Value>,
) -> impl Strategy<Value = Relationship> {
    (
        (int(), int(), int(), string(), props(inner)),
        (
            element_id(profile),
            element_id(profile),
            element_id(profile),
        ),
    )
        .prop_map(
            |((id, start_node_id, end_node_id, rel_type, properties), (e, s, en))| Relationship {
                id,
                start_node_id,
                end_node_id,
                rel_type,
                properties,
                element_id: e,
                start_node_element_id: s,
                end_node_element_id: en,
            },
        )
}

fn path(profile: Profile, inner: BoxedStrategy<Value>) -> impl Strategy<Value = Path> {
    (
        vec(node(profile, inner.clone()), 0..4),
        vec(unbound(profile, inner), 0..4),
        vec(int(), 0..8),
    )
        .prop_map(|(nodes, relationships, indices)| Path {
            nodes,
            relationships,
            indices,
        })
}

/// Arbitrary `Value` trees covering every variant: leaves, and lists, maps,
/// graph structures and `UnsupportedType` holding nested values, at most a
/// few levels deep (well inside the decoder's depth limit). Lists and maps
/// sometimes exceed 15 items, to use the 8-bit size forms.
pub fn value(profile: Profile) -> impl Strategy<Value = Value> {
    leaf(profile).prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            4 => vec(inner.clone(), 0..6).prop_map(Value::List),
            1 => vec(inner.clone(), 16..20).prop_map(Value::List),
            4 => hash_map(key(), inner.clone(), 0..6).prop_map(Value::Map),
            1 => hash_map(key(), inner.clone(), 16..20).prop_map(Value::Map),
            2 => node(profile, inner.clone()).prop_map(Value::Node),
            2 => relationship(profile, inner.clone()).prop_map(Value::Relationship),
            1 => unbound(profile, inner.clone()).prop_map(Value::UnboundRelationship),
            2 => path(profile, inner.clone()).prop_map(Value::Path),
            1 => (string(), int(), int(), props(inner)).prop_map(
                |(name, minimum_protocol_major, minimum_protocol_minor, extra)| {
                    Value::Unsupported(UnsupportedType {
                        name,
                        minimum_protocol_major,
                        minimum_protocol_minor,
                        extra,
                    })
                }
            ),
        ]
    })
}
