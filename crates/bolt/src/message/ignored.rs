//! `IGNORED` (0x7E): the server skipped a request, because an earlier one
//! failed (the connection is FAILED) or a `RESET` interrupted it.

use boltline_packstream::Unpacker;

use crate::Result;

/// `IGNORED` has no fields: nothing to read.
pub(crate) fn decode_fields(_u: &mut Unpacker<'_>) -> Result<()> {
    Ok(())
}
