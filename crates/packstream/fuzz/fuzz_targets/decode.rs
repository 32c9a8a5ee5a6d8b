//! Feeds arbitrary bytes to the decoder. Decoding must never panic; when it
//! succeeds, skipping must consume the same bytes, and re-encoding with
//! `Dialect::BOLT_5` then decoding again must give what the dialect rules
//! predict (floats, NaN included, compared bitwise).
#![no_main]

use boltline_packstream::{Dialect, Unpacker, Value};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/compare.rs"]
mod compare;

use compare::{expected_roundtrip, same, Failure};

fuzz_target!(|data: &[u8]| {
    let decoded = Value::decode_slice(data);

    let mut read = Unpacker::new(data);
    let read_result = read.read_value();
    let mut skip = Unpacker::new(data);
    let skip_result = skip.skip_value();
    if read_result.is_ok() {
        assert!(
            skip_result.is_ok(),
            "read_value succeeded but skip_value failed: {skip_result:?}"
        );
        assert_eq!(read.position(), skip.position(), "read and skip disagree");
    }

    let Ok(v) = decoded else { return };
    match expected_roundtrip(&v, Dialect::BOLT_5) {
        Ok(expected) => {
            let bytes = v
                .to_bytes(Dialect::BOLT_5)
                .expect("a decoded value re-encodes");
            let back = Value::decode(&bytes).expect("a re-encoded value decodes");
            assert!(
                same(&back, &expected),
                "round trip changed the value:\n{back:?}\n!=\n{expected:?}"
            );
        }
        // Legacy (wall-clock) zone date-times cannot be written as Bolt 5.
        Err(Failure::Encode) => assert!(v.to_bytes(Dialect::BOLT_5).is_err()),
        Err(Failure::Decode) => panic!("decoded a value that would not decode again: {v:?}"),
    }
});
