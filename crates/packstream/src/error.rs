//! The crate's one error type.

/// What can go wrong encoding or decoding PackStream.
///
/// Decoding errors carry the byte offset (from the start of the input) where
/// the problem was found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended before the value did.
    #[error("unexpected end of input at byte {offset}: {needed} more byte(s) needed")]
    UnexpectedEnd {
        /// Where more bytes were needed.
        offset: usize,
        /// How many bytes were missing.
        needed: usize,
    },
    /// A marker byte PackStream v1 reserves.
    #[error("reserved marker byte 0x{marker:02X} at byte {offset}")]
    ReservedMarker {
        /// Offset of the marker.
        offset: usize,
        /// The marker byte.
        marker: u8,
    },
    /// A declared length larger than the bytes that remain (checked before any
    /// allocation, so hostile lengths cost nothing).
    #[error("length {length} at byte {offset} exceeds the {available} byte(s) remaining")]
    LengthExceedsInput {
        /// Offset of the marker that declared the length.
        offset: usize,
        /// The declared length (bytes, items or entries).
        length: u64,
        /// Bytes remaining after the length field.
        available: usize,
    },
    /// A string that is not valid UTF-8.
    #[error("invalid UTF-8 in string at byte {offset}")]
    InvalidUtf8 {
        /// Offset of the string's first byte.
        offset: usize,
    },
    /// Nesting deeper than the decoder allows.
    #[error("nesting deeper than {limit} levels at byte {offset}")]
    DepthLimitExceeded {
        /// Offset just past the header of the container that went too deep.
        offset: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A value of another type than the one expected.
    #[error("expected {expected} at byte {offset}, found marker 0x{marker:02X}")]
    UnexpectedType {
        /// Offset of the marker.
        offset: usize,
        /// What the caller expected.
        expected: &'static str,
        /// The marker found.
        marker: u8,
    },
    /// A structure tag this crate does not know.
    #[error("unknown structure tag 0x{tag:02X} with {fields} field(s) at byte {offset}")]
    UnknownStructure {
        /// Offset of the structure marker.
        offset: usize,
        /// The tag byte.
        tag: u8,
        /// The field count.
        fields: usize,
    },
    /// A record's column that could not be read into its target: `source`
    /// says what was expected and what was found.
    #[error("column `{column}`: {source}")]
    InColumn {
        /// The column's name.
        column: String,
        /// What went wrong reading its value.
        source: Box<Error>,
    },
    /// A known structure with the wrong field count or field values.
    #[error("invalid {structure} structure at byte {offset}: {reason}")]
    InvalidStructure {
        /// Offset of the structure marker.
        offset: usize,
        /// The structure's name.
        structure: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// Bytes left over after a complete value where none were expected.
    #[error("{remaining} unexpected trailing byte(s) at byte {offset}")]
    TrailingBytes {
        /// Offset of the first unexpected byte.
        offset: usize,
        /// How many bytes remained.
        remaining: usize,
    },
    /// A string, byte array, list or map longer than PackStream allows
    /// (2³¹−1), on encoding or as declared by the input.
    #[error("{kind} of length {length} is too long for PackStream (max {max})")]
    TooLong {
        /// What was too long.
        kind: &'static str,
        /// Its length.
        length: usize,
        /// The maximum allowed.
        max: u64,
    },
    /// A value that cannot be written in the chosen [`Dialect`](crate::Dialect).
    #[error("cannot encode: {0}")]
    Unencodable(String),
    /// A value only a newer protocol can carry (a vector below Bolt 6.0), on
    /// encoding.
    #[error("{what} needs Bolt {major}.{minor} or later")]
    NeedsNewerProtocol {
        /// What could not be written, e.g. `"a Vector value"`.
        what: &'static str,
        /// Major version of the first protocol that carries it.
        major: u8,
        /// Minor version of the first protocol that carries it.
        minor: u8,
    },
    /// A message from a serde `Serialize` or `Deserialize` implementation.
    #[error("{0}")]
    Custom(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl serde::ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
}

impl serde::de::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
}
