//! neomodel's `DateTimeFormatProperty`: a naive date and time stored as
//! the text Python's `datetime.strftime(value, format)` makes, read back
//! with `datetime.strptime(text, format)`.
//!
//! Both directions follow CPython on Linux (glibc's strftime in the C
//! locale; the regular expressions of `_strptime`), for the directives
//! Python's `strptime` knows and a naive value has: `%Y %y %m %d %H %I %M
//! %S %f %p %j %a %A %b %B %w %%`. Another directive is refused (a write is
//! `Error::Validation`, a read a type mismatch), never written wrongly.

use std::marker::PhantomData;

use boltline::packstream::{LocalDateTime, TypeMismatch};
use boltline::Value;

use super::{civil_from_days, days_from_civil, days_in_month, mismatch};
use crate::property::PropertyType;

/// The format of a [`DateTimeFormatProperty`] (neomodel's `format=`
/// argument): implement it on a unit struct.
///
/// ```
/// use boltline_ogm::neomodel::{DateTimeFormat, DateTimeFormatProperty};
/// struct Stamp;
/// impl DateTimeFormat for Stamp {
///     const FORMAT: &'static str = "%d/%m/%Y %H:%M";
/// }
/// let t = DateTimeFormatProperty::<Stamp>::from_parts(2024, 2, 29, 13, 5, 0, 0).unwrap();
/// assert_eq!(t.format().unwrap(), "29/02/2024 13:05");
/// ```
pub trait DateTimeFormat: Send + Sync + 'static {
    /// A `strftime` format string.
    const FORMAT: &'static str;
}

/// neomodel's default format, `"%Y-%m-%d"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DefaultFormat;

impl DateTimeFormat for DefaultFormat {
    const FORMAT: &'static str = "%Y-%m-%d";
}

/// neomodel's `DateTimeFormatProperty(format=F::FORMAT)`: a naive date
/// and time (microsecond resolution, as Python's `datetime`) stored as
/// `strftime` text. Reading parses with the same format, as neomodel's
/// `strptime` does: fields the format leaves out are Python's defaults
/// (1900-01-01, midnight).
pub struct DateTimeFormatProperty<F = DefaultFormat> {
    /// Microseconds since 1970-01-01T00:00:00 on the wall clock.
    pub micros: i64,
    _f: PhantomData<fn() -> F>,
}

impl<F> Clone for DateTimeFormatProperty<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for DateTimeFormatProperty<F> {}
impl<F> PartialEq for DateTimeFormatProperty<F> {
    fn eq(&self, other: &Self) -> bool {
        self.micros == other.micros
    }
}
impl<F> Eq for DateTimeFormatProperty<F> {}
impl<F> std::hash::Hash for DateTimeFormatProperty<F> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.micros.hash(state);
    }
}
impl<F> PartialOrd for DateTimeFormatProperty<F> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<F> Ord for DateTimeFormatProperty<F> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.micros.cmp(&other.micros)
    }
}
impl<F: DateTimeFormat> std::fmt::Debug for DateTimeFormatProperty<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, mo, d, h, mi, s, us) = self.parts();
        write!(
            f,
            "DateTimeFormatProperty({y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}, {:?})",
            F::FORMAT
        )
    }
}

/// Broken-down fields of a naive date and time.
#[derive(Clone, Copy)]
struct Fields {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    micro: u32,
    /// Days since 1970-01-01.
    days: i64,
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn abbrev(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

impl<F: DateTimeFormat> DateTimeFormatProperty<F> {
    /// From microseconds since 1970-01-01T00:00:00 (wall clock).
    pub const fn from_micros(micros: i64) -> Self {
        DateTimeFormatProperty {
            micros,
            _f: PhantomData,
        }
    }

    /// From its fields, if they form a date and time of years 1 to 9999
    /// (Python's range).
    pub fn from_parts(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        micro: u32,
    ) -> Option<Self> {
        let ok = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60
            && micro < 1_000_000;
        ok.then(|| {
            let days = days_from_civil(year, month, day);
            let secs = i64::from(hour * 3600 + minute * 60 + second);
            Self::from_micros((days * 86_400 + secs) * 1_000_000 + i64::from(micro))
        })
    }

    /// From a native `LocalDateTime` (sub-microsecond digits dropped).
    pub fn from_local(t: LocalDateTime) -> Self {
        Self::from_micros(t.seconds * 1_000_000 + i64::from(t.nanoseconds / 1000))
    }

    /// As a native `LocalDateTime`.
    pub fn to_local(self) -> LocalDateTime {
        LocalDateTime {
            seconds: self.micros.div_euclid(1_000_000),
            // 0..1_000_000 microseconds: fits.
            nanoseconds: u32::try_from(self.micros.rem_euclid(1_000_000)).unwrap_or(0) * 1000,
        }
    }

    /// `(year, month, day, hour, minute, second, microsecond)`.
    pub fn parts(self) -> (i64, u32, u32, u32, u32, u32, u32) {
        let f = self.fields();
        (f.year, f.month, f.day, f.hour, f.minute, f.second, f.micro)
    }

    fn fields(self) -> Fields {
        let secs = self.micros.div_euclid(1_000_000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        // Each below 86_400 or 1_000_000: they fit.
        let part = |v: i64| u32::try_from(v).unwrap_or(0);
        Fields {
            year,
            month,
            day,
            hour: part(sod / 3600),
            minute: part(sod / 60 % 60),
            second: part(sod % 60),
            micro: part(self.micros.rem_euclid(1_000_000)),
            days,
        }
    }

    /// The stored text: `strftime` with `F::FORMAT`, or why not (an
    /// unsupported directive, a year outside 1 to 9999).
    pub fn format(self) -> Result<String, String> {
        let f = self.fields();
        if !(1..=9999).contains(&f.year) {
            return Err(format!("year {} is outside Python's 1 to 9999", f.year));
        }
        // Monday is 0: 1970-01-01 was a Thursday.
        let weekday = usize::try_from((f.days + 3).rem_euclid(7)).unwrap_or(0);
        let month = MONTHS[usize::try_from(f.month - 1).unwrap_or(0)];
        let mut out = String::new();
        let mut chars = F::FORMAT.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let Some(d) = chars.next() else {
                // glibc copies a lone trailing `%` as it is.
                out.push('%');
                break;
            };
            let hour12 = match f.hour % 12 {
                0 => 12,
                h => h,
            };
            match d {
                // glibc does not pad a year below 1000 ("1-01-01"), and
                // Python (3.11 on Linux) passes %Y to it.
                'Y' => out.push_str(&f.year.to_string()),
                'y' => out.push_str(&format!("{:02}", f.year % 100)),
                'm' => out.push_str(&format!("{:02}", f.month)),
                'd' => out.push_str(&format!("{:02}", f.day)),
                'H' => out.push_str(&format!("{:02}", f.hour)),
                'I' => out.push_str(&format!("{hour12:02}")),
                'M' => out.push_str(&format!("{:02}", f.minute)),
                'S' => out.push_str(&format!("{:02}", f.second)),
                'f' => out.push_str(&format!("{:06}", f.micro)),
                'p' => out.push_str(if f.hour < 12 { "AM" } else { "PM" }),
                'j' => {
                    let doy = f.days - days_from_civil(f.year, 1, 1) + 1;
                    out.push_str(&format!("{doy:03}"));
                }
                'a' => out.push_str(abbrev(DAYS[weekday])),
                'A' => out.push_str(DAYS[weekday]),
                'b' => out.push_str(abbrev(month)),
                'B' => out.push_str(month),
                'w' => out.push_str(&((weekday + 1) % 7).to_string()),
                '%' => out.push('%'),
                other => {
                    return Err(format!(
                        "the directive %{other} of {:?} is not supported",
                        F::FORMAT
                    ))
                }
            }
        }
        Ok(out)
    }

    /// Parses stored text with `F::FORMAT` as Python's `strptime` does:
    /// the format becomes the regular expression `_strptime` builds
    /// (case-insensitive; `%m` is `1[0-2]|0[1-9]|[1-9]`, `%Y` four digits,
    /// `%f` one to six, any white space `\s+`), matched from the start,
    /// with nothing left over.
    pub fn parse(text: &str) -> Option<Self> {
        let re = strptime_regex(F::FORMAT)?;
        let caps = re.captures(text)?;
        if caps.get(0)?.end() != text.len() {
            return None;
        }
        let num = |name: &str| -> Option<Option<u32>> {
            match caps.name(name) {
                None => Some(None),
                Some(m) => m.as_str().trim_start().parse().ok().map(Some),
            }
        };
        let find = |name: &str, names: &[&str]| -> Option<usize> {
            let got = caps.name(name)?.as_str();
            names.iter().position(|n| n.eq_ignore_ascii_case(got))
        };
        let mut year = 1900;
        if let Some(y) = num("Y")? {
            year = i64::from(y);
        } else if let Some(y) = num("y")? {
            let y = i64::from(y);
            // Python's pivot (POSIX): 69-99 are the 1900s.
            year = if y >= 69 { 1900 + y } else { 2000 + y };
        }
        let mut month = num("m")?.unwrap_or(1);
        if caps.name("B").is_some() {
            month = u32::try_from(find("B", &MONTHS)? + 1).ok()?;
        } else if caps.name("b").is_some() {
            month = u32::try_from(find("b", &MONTHS.map(abbrev))? + 1).ok()?;
        }
        let mut day = num("d")?.unwrap_or(1);
        let mut hour = num("H")?.unwrap_or(0);
        if let Some(h) = num("I")? {
            // Without %p, Python takes %I as AM.
            let pm = caps.name("p").is_some() && find("p", &["am", "pm"])? == 1;
            hour = if pm { h % 12 + 12 } else { h % 12 };
        }
        let minute = num("M")?.unwrap_or(0);
        let second = num("S")?.unwrap_or(0);
        let micro = match caps.name("f") {
            None => 0,
            Some(m) => {
                let digits = m.as_str();
                let pad = u32::try_from(6 - digits.len()).ok()?;
                digits.parse::<u32>().ok()? * 10u32.pow(pad)
            }
        };
        // A day of the year stands for month and day when neither is
        // given, as in Python.
        if let Some(j) = num("j")? {
            let given = ["m", "b", "B", "d"].iter().any(|g| caps.name(g).is_some());
            if !given {
                let days = days_from_civil(year, 1, 1) + i64::from(j) - 1;
                let (y, m, d) = civil_from_days(days);
                if y != year {
                    return None;
                }
                (month, day) = (m, d);
            }
        }
        // A second of 60 or 61 matches, and `datetime` refuses it, as here.
        Self::from_parts(year, month, day, hour, minute, second, micro)
    }
}

/// The regular expression `_strptime` makes of `format` (C locale), built
/// once per format; `None` for a directive it does not know or one used
/// twice (Python: a bad directive, a redefined group).
fn strptime_regex(format: &'static str) -> Option<regex::Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<&'static str, Option<regex::Regex>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.entry(format)
        .or_insert_with(|| {
            let pattern = strptime_pattern(format)?;
            regex::Regex::new(&format!("(?i)^(?:{pattern})")).ok()
        })
        .clone()
}

/// Names longest first, as `_strptime`'s `__seqToRE` orders them (so a
/// full name wins over its abbreviation).
fn alternatives(names: &[&str]) -> String {
    let mut v: Vec<&str> = names.to_vec();
    v.sort_by_key(|n| std::cmp::Reverse(n.len()));
    v.iter()
        .map(|n| regex::escape(n))
        .collect::<Vec<_>>()
        .join("|")
}

fn strptime_pattern(format: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            out.push_str(r"\s+");
            continue;
        }
        if c != '%' {
            out.push_str(&regex::escape(&c.to_string()));
            continue;
        }
        let d = chars.next()?;
        let body = match d {
            'd' => r"3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9]".to_owned(),
            'f' => r"[0-9]{1,6}".to_owned(),
            'H' => r"2[0-3]|[0-1]\d|\d".to_owned(),
            'I' => r"1[0-2]|0[1-9]|[1-9]| [1-9]".to_owned(),
            'j' => r"36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]".to_owned(),
            'm' => r"1[0-2]|0[1-9]|[1-9]".to_owned(),
            'M' => r"[0-5]\d|\d".to_owned(),
            'S' => r"6[0-1]|[0-5]\d|\d".to_owned(),
            'w' => r"[0-6]".to_owned(),
            'y' => r"\d\d".to_owned(),
            'Y' => r"\d\d\d\d".to_owned(),
            'a' => alternatives(&DAYS.map(abbrev)),
            'A' => alternatives(&DAYS),
            'b' => alternatives(&MONTHS.map(abbrev)),
            'B' => alternatives(&MONTHS),
            'p' => alternatives(&["am", "pm"]),
            '%' => {
                out.push('%');
                continue;
            }
            _ => return None,
        };
        out.push_str(&format!("(?P<{d}>{body})"));
    }
    Some(out)
}

impl<F: DateTimeFormat> PropertyType for DateTimeFormatProperty<F> {
    type Filter = DateTimeFormatProperty<F>;
    fn to_value(&self) -> Value {
        self.try_to_value().unwrap_or(Value::Null)
    }
    fn try_to_value(&self) -> Result<Value, String> {
        self.format().map(Value::String)
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::String(s) => Self::parse(&s).ok_or_else(|| {
                mismatch(
                    "text in the property's strftime format",
                    "STRING that does not parse with it",
                )
            }),
            other => Err(mismatch("STRING (strftime text)", other.type_name())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! format_type {
        ($name:ident, $f:literal) => {
            struct $name;
            impl DateTimeFormat for $name {
                const FORMAT: &'static str = $f;
            }
        };
    }
    format_type!(Dmy, "%d/%m/%Y %H:%M");
    format_type!(Full, "%Y-%m-%dT%H:%M:%S.%f");
    format_type!(Words, "%a %d %b %Y %I:%M %p");
    format_type!(Long, "%A, %B %d, %y (day %j, w%w) 100%%");
    format_type!(MonthDay, "%m%d");
    format_type!(Clock, "%I:%M %p");
    format_type!(Yy, "%y");
    format_type!(Julian, "%Y %j");
    format_type!(Zone, "%Y %z");

    type P<F> = DateTimeFormatProperty<F>;

    fn at<F: DateTimeFormat>(p: (i64, u32, u32, u32, u32, u32, u32)) -> P<F> {
        P::<F>::from_parts(p.0, p.1, p.2, p.3, p.4, p.5, p.6).unwrap()
    }

    /// The values, and for each format the text Python 3.11 on Linux
    /// writes for them (`datetime.strftime`, which neomodel's deflate is).
    const VALUES: [(i64, u32, u32, u32, u32, u32, u32); 5] = [
        (2024, 2, 29, 13, 5, 0, 0),
        (1999, 12, 31, 0, 0, 59, 7),
        (1, 1, 1, 12, 30, 1, 123_456),
        (9999, 12, 31, 23, 59, 59, 999_999),
        (1970, 1, 1, 0, 0, 0, 0),
    ];

    fn written<F: DateTimeFormat>() -> Vec<String> {
        VALUES
            .iter()
            .map(|v| at::<F>(*v).format().unwrap())
            .collect()
    }

    #[test]
    fn written_byte_for_byte_as_python() {
        assert_eq!(
            written::<DefaultFormat>(),
            [
                "2024-02-29",
                "1999-12-31",
                "1-01-01",
                "9999-12-31",
                "1970-01-01"
            ]
        );
        assert_eq!(
            written::<Dmy>(),
            [
                "29/02/2024 13:05",
                "31/12/1999 00:00",
                "01/01/1 12:30",
                "31/12/9999 23:59",
                "01/01/1970 00:00"
            ]
        );
        assert_eq!(
            written::<Full>(),
            [
                "2024-02-29T13:05:00.000000",
                "1999-12-31T00:00:59.000007",
                "1-01-01T12:30:01.123456",
                "9999-12-31T23:59:59.999999",
                "1970-01-01T00:00:00.000000"
            ]
        );
        assert_eq!(
            written::<Words>(),
            [
                "Thu 29 Feb 2024 01:05 PM",
                "Fri 31 Dec 1999 12:00 AM",
                "Mon 01 Jan 1 12:30 PM",
                "Fri 31 Dec 9999 11:59 PM",
                "Thu 01 Jan 1970 12:00 AM"
            ]
        );
        assert_eq!(
            written::<Long>(),
            [
                "Thursday, February 29, 24 (day 060, w4) 100%",
                "Friday, December 31, 99 (day 365, w5) 100%",
                "Monday, January 01, 01 (day 001, w1) 100%",
                "Friday, December 31, 99 (day 365, w5) 100%",
                "Thursday, January 01, 70 (day 001, w4) 100%"
            ]
        );
        // As a property: text, and the default format is neomodel's.
        let v = at::<DefaultFormat>(VALUES[0]);
        assert_eq!(v.to_value(), Value::from("2024-02-29"));
    }

    #[test]
    fn read_as_python_reads() {
        // What neomodel wrote reads back to the value it came from, and
        // writes back byte for byte (where the format keeps every field).
        for v in VALUES.iter().filter(|v| v.0 >= 1000) {
            let text = at::<Full>(*v).format().unwrap();
            let back = P::<Full>::from_value(Value::from(text.clone())).unwrap();
            assert_eq!(back.parts(), *v);
            assert_eq!(back.to_value(), Value::from(text));
            let words = at::<Words>(*v).format().unwrap();
            let back = P::<Words>::parse(&words).unwrap();
            assert_eq!(back.format().unwrap(), words);
        }
        // Python's strptime on the same text and format (1900-01-01 and
        // midnight where the format says nothing).
        assert_eq!(
            P::<DefaultFormat>::parse("2024-2-9").map(P::parts),
            Some((2024, 2, 9, 0, 0, 0, 0))
        );
        // Alternatives are tried in Python's order: %m is "1", %d "31".
        assert_eq!(
            P::<MonthDay>::parse("131").map(P::parts),
            Some((1900, 1, 31, 0, 0, 0, 0))
        );
        // White space in the format matches any run of it.
        assert_eq!(
            P::<Dmy>::parse("1/2/2024   7:05").map(P::parts),
            Some((2024, 2, 1, 7, 5, 0, 0))
        );
        assert_eq!(
            P::<Clock>::parse("12:30 am").map(P::parts),
            Some((1900, 1, 1, 0, 30, 0, 0))
        );
        assert_eq!(
            P::<Clock>::parse("12:30 PM").map(P::parts),
            Some((1900, 1, 1, 12, 30, 0, 0))
        );
        assert_eq!(P::<Yy>::parse("68").map(|p| p.parts().0), Some(2068));
        assert_eq!(P::<Yy>::parse("69").map(|p| p.parts().0), Some(1969));
        assert_eq!(
            P::<Julian>::parse("2024 060").map(P::parts),
            Some((2024, 2, 29, 0, 0, 0, 0))
        );
        assert_eq!(
            P::<Full>::parse("2024-02-29T13:05:00.5").map(P::parts),
            Some((2024, 2, 29, 13, 5, 0, 500_000))
        );
        // Refused as Python refuses them: text left over, a date that does
        // not exist, a year Python's %Y cannot read.
        assert_eq!(P::<DefaultFormat>::parse("2024-02-29x"), None);
        assert_eq!(P::<DefaultFormat>::parse("2023-02-29"), None);
        assert_eq!(P::<DefaultFormat>::parse("1-01-01"), None);
        let err = P::<DefaultFormat>::from_value(Value::from("29.02.2024")).unwrap_err();
        assert_eq!(err.expected, "text in the property's strftime format");
        let err = P::<DefaultFormat>::from_value(Value::from(3)).unwrap_err();
        assert_eq!(err.found, "INTEGER");
    }

    #[test]
    fn an_unsupported_directive_is_refused_both_ways() {
        let v = at::<Zone>(VALUES[0]);
        let err = v.try_to_value().unwrap_err();
        assert!(err.contains("%z"), "{err}");
        assert_eq!(P::<Zone>::parse("2024 +0000"), None);
    }

    #[test]
    fn native_values_round_trip() {
        let v = at::<Full>(VALUES[1]);
        let local = v.to_local();
        assert_eq!(local.nanoseconds, 7_000);
        assert_eq!(P::<Full>::from_local(local), v);
        assert!(P::<Full>::from_parts(2023, 2, 29, 0, 0, 0, 0).is_none());
        assert!(P::<Full>::from_parts(10_000, 1, 1, 0, 0, 0, 0).is_none());
    }
}
