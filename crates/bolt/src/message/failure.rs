//! `FAILURE` (0x7F): a request failed. The metadata becomes a
//! [`ServerError`](crate::ServerError), which knows both the pre-5.7
//! (`code`, `message`) and the GQL (5.7+) shapes.

use boltline_packstream::{Map, Unpacker};

use super::read_metadata;
use crate::Result;

/// Reads `FAILURE {metadata}`'s field.
pub(crate) fn decode_fields(u: &mut Unpacker<'_>) -> Result<Map> {
    read_metadata(u, "FAILURE")
}
