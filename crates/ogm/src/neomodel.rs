//! Property types stored the way neomodel stores its properties, for a
//! model sharing a graph with a neomodel application: what neomodel wrote
//! reads back exactly, and what these types write is byte for byte what
//! neomodel would have written.
//!
//! | neomodel                 | here                                    | stored as                          |
//! |--------------------------|-----------------------------------------|------------------------------------|
//! | `DateProperty`           | [`DateProperty`]                        | ISO text, `"2024-02-29"`           |
//! | `DateTimeProperty`       | [`DateTimeProperty`]                    | float seconds since the epoch, UTC |
//! | `DateTimeFormatProperty` | [`DateTimeFormatProperty`]              | `strftime` text, `"%Y-%m-%d"` unless another [`DateTimeFormat`] |
//! | `UniqueIdProperty`       | [`UniqueIdProperty`]                    | `uuid4().hex`, 32 lowercase hex    |
//! | `JSONProperty`           | [`JsonProperty`]                        | `json.dumps` text                  |
//! | `ArrayProperty`          | `Vec<T>`                                | a list                             |
//! | `EmailProperty`          | [`Email`](crate::Email)                 | text                               |
//! | `RegexProperty`          | `String` with `#[ogm(regex = "..")]`    | text                               |
//!
//! The crate's own [`Json`](crate::Json) and [`Uuid`](crate::Uuid) store
//! compact JSON and hyphenated UUIDs, and dates natively: use those for a
//! graph only boltline writes.

use boltline::packstream::{Date, DateTime, TypeMismatch};
use boltline::Value;

use crate::property::{Ordered, PropertyType, Textual};

mod strftime;
pub use strftime::{DateTimeFormat, DateTimeFormatProperty, DefaultFormat};

fn mismatch(expected: &'static str, found: &'static str) -> TypeMismatch {
    TypeMismatch { expected, found }
}

// ---------------------------------------------------------------- dates

/// Days since 1970-01-01 of a proleptic Gregorian date (the usual
/// era-based computation).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // In range by construction: 1..=12 and 1..=31.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// neomodel's `DateProperty`: a date stored as ISO text (`"2024-02-29"`,
/// Python's `date.isoformat()`, years 1 to 9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateProperty(pub Date);

impl DateProperty {
    /// The date `year-month-day`, if it exists (years 1 to 9999, as in
    /// Python).
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Self> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then(|| {
            DateProperty(Date {
                days: days_from_civil(year, month, day),
            })
        })
    }

    /// `(year, month, day)`.
    pub fn ymd(&self) -> (i64, u32, u32) {
        civil_from_days(self.0.days)
    }

    /// Parses `YYYY-MM-DD` (what `date.isoformat()` writes).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let t = s.get(r)?;
            t.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| t.parse().ok())
                .flatten()
        };
        Self::from_ymd(i64::from(num(0..4)?), num(5..7)?, num(8..10)?)
    }
}

impl std::fmt::Display for DateProperty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl PropertyType for DateProperty {
    type Filter = DateProperty;
    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::String(s) => DateProperty::parse(&s)
                .ok_or_else(|| mismatch("ISO date text (YYYY-MM-DD)", "another STRING")),
            other => Err(mismatch("STRING (ISO date)", other.type_name())),
        }
    }
}

// ISO text sorts as the dates do.
impl Ordered for DateProperty {}

/// neomodel's `DateTimeProperty`: an instant stored as a float of seconds
/// since the Unix epoch, UTC (Python's `timedelta.total_seconds()`:
/// microseconds divided by 10⁶, correctly rounded). Held as whole
/// microseconds, Python's resolution, so a float neomodel wrote is written
/// back bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTimeProperty {
    /// Microseconds since 1970-01-01T00:00:00Z.
    pub micros: i64,
}

impl DateTimeProperty {
    /// From a native `DateTime` (its instant; sub-microsecond digits
    /// dropped, as Python has none).
    pub fn from_datetime(dt: DateTime) -> Self {
        DateTimeProperty {
            micros: dt.seconds * 1_000_000 + i64::from(dt.nanoseconds / 1000),
        }
    }

    /// The instant as a native `DateTime` in UTC.
    pub fn to_datetime(self) -> DateTime {
        DateTime {
            seconds: self.micros.div_euclid(1_000_000),
            // 0..1_000_000 microseconds: fits.
            nanoseconds: u32::try_from(self.micros.rem_euclid(1_000_000)).unwrap_or(0) * 1000,
            tz_offset_seconds: 0,
        }
    }

    /// The current time (neomodel's `default_now=True`; for
    /// `#[ogm(default = ..)]` and for new values).
    pub fn now() -> Self {
        let micros = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
        };
        DateTimeProperty { micros }
    }

    /// The stored float.
    pub fn epoch_seconds(self) -> f64 {
        // Exact below 2^53 microseconds (year 287396), then one division
        // rounded once: what Python computes.
        self.micros as f64 / 1e6
    }

    /// From a stored float (rounded to the microsecond), if finite.
    pub fn from_epoch_seconds(s: f64) -> Option<Self> {
        let m = (s * 1e6).round();
        // Whole and below 2^53 in magnitude once checked: the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        (m.is_finite() && m.abs() < 9.0e15).then_some(DateTimeProperty { micros: m as i64 })
    }
}

impl PropertyType for DateTimeProperty {
    type Filter = DateTimeProperty;
    fn to_value(&self) -> Value {
        Value::Float(self.epoch_seconds())
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::Float(f) => DateTimeProperty::from_epoch_seconds(f)
                .ok_or_else(|| mismatch("seconds since the epoch", "a non-finite FLOAT")),
            // An integral float may have been written as an integer.
            Value::Integer(i) => i
                .checked_mul(1_000_000)
                .map(|micros| DateTimeProperty { micros })
                .ok_or_else(|| mismatch("seconds since the epoch", "an INTEGER out of range")),
            other => Err(mismatch("FLOAT (epoch seconds)", other.type_name())),
        }
    }
}

impl Ordered for DateTimeProperty {}

// ----------------------------------------------------------- unique ids

/// neomodel's `UniqueIdProperty`: `uuid4().hex`, 32 lowercase hex digits
/// without dashes. [`new`](Self::new) makes a random one (a function for
/// `#[ogm(default = boltline_ogm::neomodel::UniqueIdProperty::new)]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UniqueIdProperty(String);

impl UniqueIdProperty {
    /// A random version-4 id ([`Uuid::new_v4`](crate::Uuid::new_v4)).
    pub fn new() -> Self {
        let u = crate::Uuid::new_v4();
        UniqueIdProperty(u.as_bytes().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Checks `s` is 32 lowercase hex digits.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 32 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| UniqueIdProperty(s.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for UniqueIdProperty {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for UniqueIdProperty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PropertyType for UniqueIdProperty {
    type Filter = UniqueIdProperty;
    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::String(s) => UniqueIdProperty::parse(&s)
                .ok_or_else(|| mismatch("32 lowercase hex digits", "another STRING")),
            other => Err(mismatch("STRING (uuid4 hex)", other.type_name())),
        }
    }
}

impl Textual for UniqueIdProperty {}

// ----------------------------------------------------------------- JSON

/// Writes JSON the way Python's `json.dumps` does by default: `", "` and
/// `": "` separators, every character outside printable ASCII escaped as
/// `\uXXXX` (lowercase hex, surrogate pairs above U+FFFF), floats as
/// Python's `repr` writes them.
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        for c in fragment.chars() {
            if (' '..='~').contains(&c) {
                w.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(w, "\\u{u:04x}")?;
                }
            }
        }
        Ok(())
    }

    fn write_f32<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f32) -> std::io::Result<()> {
        w.write_all(python_float(f64::from(v)).as_bytes())
    }

    fn write_f64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f64) -> std::io::Result<()> {
        w.write_all(python_float(v).as_bytes())
    }
}

/// A float as Python's `repr` (and so `json.dumps`) writes it: the
/// shortest digits that read back, positional when the decimal exponent is
/// in -4..16 (with `.0` when integral), else `d.ddde+XX`.
fn python_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let e = format!("{v:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mant) = match mant.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mant),
    };
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let n = i32::try_from(digits.len()).unwrap_or(1);
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point >= n {
            format!("{digits}{}.0", "0".repeat((point - n) as usize))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let (a, b) = digits.split_at(1);
        let frac = if b.is_empty() {
            String::new()
        } else {
            format!(".{b}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{a}{frac}e{esign}{:02}", exp.unsigned_abs())
    }
}

/// `value` as Python's `json.dumps(value)` writes it (default arguments);
/// struct fields and `serde_json` maps in their own order (sorted keys
/// unless `serde_json`'s `preserve_order` feature is on).
pub fn python_json_dumps<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    value.serialize(&mut ser)?;
    // The formatter writes ASCII only.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// neomodel's `JSONProperty`: any serde value stored as Python's
/// `json.dumps` text (see [`python_json_dumps`]). Reading accepts any
/// JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct JsonProperty<T>(pub T);

impl<T: serde::Serialize + serde::de::DeserializeOwned> PropertyType for JsonProperty<T> {
    type Filter = JsonProperty<T>;
    fn to_value(&self) -> Value {
        self.try_to_value().unwrap_or(Value::Null)
    }
    fn try_to_value(&self) -> Result<Value, String> {
        python_json_dumps(&self.0)
            .map(Value::String)
            .map_err(|e| format!("not representable as JSON: {e}"))
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::String(s) => serde_json::from_str(&s).map(JsonProperty).map_err(|_| {
                mismatch(
                    "JSON text of the field's type",
                    "STRING that does not parse as it",
                )
            }),
            other => Err(mismatch("STRING (JSON text)", other.type_name())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_text() {
        let d = DateProperty::from_ymd(2024, 2, 29).unwrap();
        assert_eq!(d.to_value(), Value::from("2024-02-29"));
        assert_eq!(d.0.days, 19_782);
        for text in [
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
            "1969-12-31",
            "2000-03-01",
        ] {
            let back = DateProperty::from_value(Value::from(text)).unwrap();
            assert_eq!(back.to_value(), Value::from(text), "{text}");
        }
        assert_eq!(
            DateProperty::from_value(Value::from("1970-01-01"))
                .unwrap()
                .0,
            Date { days: 0 }
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01x",
            "0000-01-01",
            "+024-01-01",
        ] {
            assert!(DateProperty::from_value(Value::from(bad)).is_err(), "{bad}");
        }
        assert!(DateProperty::from_value(Value::Integer(3)).is_err());
    }

    #[test]
    fn datetimes_are_float_epoch_seconds() {
        // What neomodel stores for 2024-02-29T12:34:56.789012Z.
        let stored = 1_709_210_096.789_012_f64;
        let dt = DateTimeProperty::from_value(Value::Float(stored)).unwrap();
        assert_eq!(dt.micros, 1_709_210_096_789_012);
        // Written back bit for bit.
        assert_eq!(dt.to_value(), Value::Float(stored));
        let native = dt.to_datetime();
        assert_eq!(native.seconds, 1_709_210_096);
        assert_eq!(native.nanoseconds, 789_012_000);
        assert_eq!(DateTimeProperty::from_datetime(native), dt);
        // Before the epoch.
        let early = DateTimeProperty::from_value(Value::Float(-0.5)).unwrap();
        assert_eq!(early.to_datetime().seconds, -1);
        assert_eq!(early.to_datetime().nanoseconds, 500_000_000);
        assert_eq!(early.to_value(), Value::Float(-0.5));
        assert!(DateTimeProperty::from_value(Value::Float(f64::NAN)).is_err());
        assert!(DateTimeProperty::from_value(Value::from("x")).is_err());
    }

    #[test]
    fn unique_ids_are_uuid4_hex() {
        let id = UniqueIdProperty::new();
        let s = id.as_str();
        assert_eq!(s.len(), 32);
        assert_eq!(&s[12..13], "4", "{s}");
        let text = "67e5504410b1426f9247bb680e5fe0c8";
        let back = UniqueIdProperty::from_value(Value::from(text)).unwrap();
        assert_eq!(back.to_value(), Value::from(text));
        for bad in [
            "67E5504410B1426F9247BB680E5FE0C8",
            "67e55044-10b1-426f-9247-bb680e5fe0c8",
            "",
        ] {
            assert!(
                UniqueIdProperty::from_value(Value::from(bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn json_is_python_json_dumps_text() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Meta {
            name: String,
            tags: Vec<String>,
            score: f64,
            nested: Option<std::collections::BTreeMap<String, i64>>,
        }
        let m = JsonProperty(Meta {
            name: "Zoë \"Z\" \u{1F600}\n\u{7f}".into(),
            tags: vec!["a".into(), "b".into()],
            score: 1.0,
            nested: Some([("k".to_owned(), 1)].into_iter().collect()),
        });
        // Python: json.dumps({"name": "Zoë \"Z\" 😀\n\x7f", "tags": ["a", "b"],
        //                     "score": 1.0, "nested": {"k": 1}})
        let text = r#"{"name": "Zo\u00eb \"Z\" \ud83d\ude00\n\u007f", "tags": ["a", "b"], "score": 1.0, "nested": {"k": 1}}"#;
        assert_eq!(m.to_value(), Value::from(text));
        let back = JsonProperty::<Meta>::from_value(Value::from(text)).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_value(), Value::from(text));
        let empty = JsonProperty(serde_json::json!({"a": [], "b": {}, "c": null, "d": false}));
        assert_eq!(
            empty.to_value(),
            Value::from(r#"{"a": [], "b": {}, "c": null, "d": false}"#)
        );
        assert!(JsonProperty::<Meta>::from_value(Value::from("{")).is_err());
    }

    #[test]
    fn floats_follow_python_repr() {
        for (v, py) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (100.0, "100.0"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (123.456, "123.456"),
            (1e100, "1e+100"),
            (0.0, "0.0"),
            (f64::INFINITY, "Infinity"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(python_float(v), py, "{v}");
        }
    }
}
