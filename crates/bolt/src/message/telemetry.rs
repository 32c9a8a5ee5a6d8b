//! `TELEMETRY` (0x54, 5.4+): reports which driver API ran a transaction.

use boltline_packstream::{write_int, write_struct_header};
use bytes::BytesMut;

use super::{signature, Ctx, Request};
use crate::{Result, TelemetryApi};

/// `TELEMETRY api`.
#[derive(Debug)]
pub(crate) struct Telemetry {
    pub(crate) api: TelemetryApi,
}

impl Request for Telemetry {
    const NAME: &'static str = "TELEMETRY";

    fn encode(&self, buf: &mut BytesMut, _ctx: Ctx) -> Result<()> {
        write_struct_header(buf, signature::TELEMETRY, 1)?;
        write_int(buf, self.api.code());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;
    use boltline_packstream::Value;

    #[test]
    fn one_integer() {
        let t = Telemetry {
            api: TelemetryApi::ImplicitTransaction,
        };
        let (tag, f) = roundtrip(&t, Version::V5_4);
        assert_eq!(tag, 0x54);
        assert_eq!(f, vec![Value::from(2i64)]);
    }
}
