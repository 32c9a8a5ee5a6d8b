//! Property tests of the codec: round trips under every dialect, and that no
//! input, however malformed, makes decoding or skipping panic.
//!
//! Floats are compared bitwise (`common::compare::same`), NaNs included: the
//! codec copies float bits verbatim, so every NaN payload must survive.

mod common;

use boltline_packstream::bytes::{Bytes, BytesMut};
use boltline_packstream::{Dialect, Error, Unpacker, Value};
use proptest::collection::vec;
use proptest::prelude::*;

use common::compare::{expected_roundtrip, same, Failure};
use common::{dialect, value, with_vectors, Profile};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

fn roundtrip(v: &Value, dialect: Dialect) -> Result<Value, TestCaseError> {
    let bytes = v
        .to_bytes(dialect)
        .map_err(|e| TestCaseError::fail(format!("encode failed: {e}")))?;
    Value::decode(&bytes).map_err(|e| TestCaseError::fail(format!("decode failed: {e}")))
}

/// Encodes a value the strategies made for this dialect.
fn encode(v: &Value, dialect: Dialect) -> Bytes {
    v.to_bytes(dialect).expect("generated values are encodable")
}

/// The errors a proper prefix of a valid encoding may give: running out of
/// input, either while reading or when a declared length is checked.
fn is_truncation(e: &Error) -> bool {
    matches!(
        e,
        Error::UnexpectedEnd { .. } | Error::LengthExceedsInput { .. }
    )
}

proptest! {
    #![proptest_config(config())]

    /// Bolt 5: values with element ids and UTC-based zone date-times come
    /// back exactly.
    #[test]
    fn bolt_5_round_trips_exactly(v in value(Profile::exact(Dialect::BOLT_6))) {
        let back = roundtrip(&v, Dialect::BOLT_6)?;
        prop_assert!(same(&back, &v), "{back:?} != {v:?}");
    }

    /// Bolt 4.4: values without element ids, wall-clock zone date-times and
    /// offset date-times whose wall-clock seconds fit `i64` come back
    /// exactly (the legacy `F` encoding is converted back to UTC seconds).
    #[test]
    fn bolt_4_4_round_trips_exactly(v in value(Profile::exact(with_vectors(Dialect::BOLT_4_4)))) {
        let back = roundtrip(&v, with_vectors(Dialect::BOLT_4_4))?;
        prop_assert!(same(&back, &v), "{back:?} != {v:?}");
    }

    /// Bolt 4.4 with the `utc` patch: no element ids, UTC zone date-times.
    #[test]
    fn bolt_4_4_utc_round_trips_exactly(v in value(Profile::exact(with_vectors(Dialect::BOLT_4_4_UTC)))) {
        let back = roundtrip(&v, with_vectors(Dialect::BOLT_4_4_UTC))?;
        prop_assert!(same(&back, &v), "{back:?} != {v:?}");
    }

    /// Any value through any dialect gives exactly what the dialect rules
    /// predict (`expected_roundtrip`): element ids synthesised or dropped,
    /// date-times of the other basis or overflowing legacy seconds refused.
    #[test]
    fn any_dialect_matches_the_model(v in value(Profile::ANY), d in dialect()) {
        match expected_roundtrip(&v, d) {
            Ok(expected) => {
                let back = roundtrip(&v, d)?;
                prop_assert!(same(&back, &expected), "{back:?} != {expected:?}");
            }
            Err(Failure::Encode) => {
                let r = v.to_bytes(d);
                prop_assert!(matches!(r, Err(Error::Unencodable(_))), "{r:?}");
            }
            Err(Failure::Decode) => {
                prop_assert!(false, "the strategies only make decodable values");
            }
        }
    }

    /// Encoding is deterministic apart from map order: encoding the decoded
    /// value again gives the same length.
    #[test]
    fn re_encoding_keeps_the_length(v in value(Profile::exact(Dialect::BOLT_6))) {
        let bytes = encode(&v, Dialect::BOLT_6);
        let again = encode(&Value::decode(&bytes).unwrap(), Dialect::BOLT_6);
        prop_assert_eq!(bytes.len(), again.len());
    }

    /// `skip_value` and `read_value` consume exactly the encoding, and leave
    /// whatever follows it.
    #[test]
    fn skip_consumes_what_read_consumes(
        v in value(Profile::ANY),
        d in dialect(),
        suffix in vec(any::<u8>(), 0..8),
    ) {
        let Ok(bytes) = v.to_bytes(d) else { return Ok(()) };
        let mut buf = BytesMut::from(&bytes[..]);
        buf.extend_from_slice(&suffix);
        let mut read = Unpacker::new(&buf);
        read.read_value().unwrap();
        let mut skip = Unpacker::new(&buf);
        skip.skip_value().unwrap();
        prop_assert_eq!(read.position(), bytes.len());
        prop_assert_eq!(skip.position(), bytes.len());
        prop_assert_eq!(skip.rest(), &suffix[..]);
    }

    /// Every proper prefix of a valid encoding is an error (never a panic,
    /// never a value), for decoding and skipping alike, and only ever a
    /// truncation error.
    #[test]
    fn truncation_is_an_error(v in value(Profile::ANY), d in dialect()) {
        let Ok(bytes) = v.to_bytes(d) else { return Ok(()) };
        // Every cut for small encodings; about 400 spread over large ones.
        let step = (bytes.len() / 400).max(1);
        let cuts = (0..bytes.len()).step_by(step).chain(bytes.len().saturating_sub(8)..bytes.len());
        for cut in cuts {
            let prefix = &bytes[..cut];
            match Value::decode_slice(prefix) {
                Err(e) => prop_assert!(is_truncation(&e), "cut {cut}: {e:?}"),
                Ok(v) => prop_assert!(false, "cut {cut} decoded to {v:?}"),
            }
            match Unpacker::new(prefix).skip_value() {
                Err(e) => prop_assert!(is_truncation(&e), "cut {cut}: {e:?}"),
                Ok(()) => prop_assert!(false, "cut {cut} skipped"),
            }
        }
    }

    /// Arbitrary bytes never panic in `decode_slice`, `decode` or
    /// `skip_value`; whenever reading succeeds, skipping succeeds too and
    /// stops at the same byte.
    #[test]
    fn arbitrary_bytes_never_panic(input in vec(any::<u8>(), 0..256)) {
        check_arbitrary(&input)?;
    }

    /// The same, on inputs that start with a structure or container marker
    /// and so get past the first byte more often.
    #[test]
    fn arbitrary_structures_never_panic(
        head in prop_oneof![0xB0u8..=0xBF, 0x90u8..=0x9F, 0xA0u8..=0xAF],
        tag in prop_oneof![
            proptest::sample::select(&b"NRrPDTtIiFfdEXYV?"[..]),
            any::<u8>(),
        ],
        rest in vec(any::<u8>(), 0..128),
    ) {
        let mut input = vec![head, tag];
        input.extend_from_slice(&rest);
        check_arbitrary(&input)?;
    }

    /// Valid encodings with a few bytes overwritten: malformed input close to
    /// well-formed, which random bytes rarely reach.
    #[test]
    fn corrupted_encodings_never_panic(
        v in value(Profile::ANY),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let Ok(bytes) = v.to_bytes(Dialect::BOLT_6) else { return Ok(()) };
        let mut input = bytes.to_vec();
        if input.is_empty() {
            return Ok(());
        }
        for (at, byte) in edits {
            let i = at.index(input.len());
            input[i] = byte;
        }
        check_arbitrary(&input)?;
    }

    /// Integers take the smallest width the spec lists and read back.
    #[test]
    fn integers_use_the_smallest_form(i in common::int()) {
        let bytes = encode(&Value::Integer(i), Dialect::BOLT_6);
        let width = match i {
            -16..=127 => 1,
            -128..=127 => 2,
            -32_768..=32_767 => 3,
            -2_147_483_648..=2_147_483_647 => 5,
            _ => 9,
        };
        prop_assert_eq!(bytes.len(), width);
        prop_assert_eq!(Value::decode(&bytes).unwrap(), Value::Integer(i));
    }
}

fn check_arbitrary(input: &[u8]) -> Result<(), TestCaseError> {
    let from_slice = Value::decode_slice(input);
    let from_bytes = Value::decode(&Bytes::copy_from_slice(input));
    match (&from_slice, &from_bytes) {
        (Ok(a), Ok(b)) => prop_assert!(same(a, b)),
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        _ => prop_assert!(false, "{from_slice:?} vs {from_bytes:?}"),
    }
    let mut read = Unpacker::new(input);
    let read_result = read.read_value();
    let mut skip = Unpacker::new(input);
    let skip_result = skip.skip_value();
    if read_result.is_ok() {
        prop_assert!(skip_result.is_ok(), "read ok but skip {skip_result:?}");
        prop_assert_eq!(read.position(), skip.position());
    }
    // A decoded value re-encodes (or is refused for the dialect), and what
    // is re-encoded decodes to what the model predicts.
    if let Ok(v) = from_slice {
        match expected_roundtrip(&v, Dialect::BOLT_6) {
            Ok(expected) => {
                let back = roundtrip(&v, Dialect::BOLT_6)?;
                prop_assert!(same(&back, &expected));
            }
            Err(f) => {
                prop_assert_eq!(f, Failure::Encode);
                prop_assert!(v.to_bytes(Dialect::BOLT_6).is_err());
            }
        }
    }
    Ok(())
}

/// Calls `f` on `v` and every value nested in it.
fn visit(v: &Value, f: &mut impl FnMut(&Value)) {
    f(v);
    let maps: Vec<&boltline_packstream::Map> = match v {
        Value::List(items) => {
            items.iter().for_each(|i| visit(i, f));
            vec![]
        }
        Value::Map(m) => vec![m],
        Value::Node(n) => vec![&n.properties],
        Value::Relationship(r) => vec![&r.properties],
        Value::UnboundRelationship(r) => vec![&r.properties],
        Value::Path(p) => p
            .nodes
            .iter()
            .map(|n| &n.properties)
            .chain(p.relationships.iter().map(|r| &r.properties))
            .collect(),
        Value::Unsupported(u) => vec![&u.extra],
        _ => vec![],
    };
    for m in maps {
        m.values().for_each(|i| visit(i, f));
    }
}

/// The shared strategy reaches every `Value` variant, every vector element
/// type, both zone bases and both element-id states, so the properties
/// above really cover them.
#[test]
fn the_value_strategy_covers_every_variant() {
    use boltline_packstream::TimeBasis;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = value(Profile::ANY);
    let mut variants = std::collections::HashSet::new();
    let mut vectors = std::collections::HashSet::new();
    let (mut utc, mut wall, mut with_id, mut without_id, mut long_list) =
        (false, false, false, false, false);
    for _ in 0..3000 {
        let v = strategy.new_tree(&mut runner).unwrap().current();
        visit(&v, &mut |v| {
            variants.insert(std::mem::discriminant(v));
            match v {
                Value::Vector(x) => {
                    vectors.insert(std::mem::discriminant(x));
                }
                Value::DateTimeZoneId(z) => match z.basis {
                    TimeBasis::Utc => utc = true,
                    TimeBasis::WallClock => wall = true,
                },
                Value::Node(n) => match n.element_id {
                    Some(_) => with_id = true,
                    None => without_id = true,
                },
                Value::List(l) if l.len() > 15 => long_list = true,
                _ => {}
            }
        });
    }
    assert_eq!(variants.len(), 23, "Value has 23 variants");
    assert_eq!(vectors.len(), 6);
    assert!(utc && wall && with_id && without_id && long_list);
}
