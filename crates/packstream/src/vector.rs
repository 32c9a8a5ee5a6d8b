//! Bolt 6.0's `Vector` (tag `V`): a homogeneous list of numbers, packed as
//! raw big-endian bytes rather than one PackStream value per element.

use crate::marker::vector_type;

/// A homogeneous numeric vector.
#[derive(Debug, Clone, PartialEq)]
pub enum Vector {
    /// 8-bit signed integers.
    I8(Vec<i8>),
    /// 16-bit signed integers.
    I16(Vec<i16>),
    /// 32-bit signed integers.
    I32(Vec<i32>),
    /// 64-bit signed integers.
    I64(Vec<i64>),
    /// 32-bit floats.
    F32(Vec<f32>),
    /// 64-bit floats.
    F64(Vec<f64>),
}

impl Vector {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Vector::I8(v) => v.len(),
            Vector::I16(v) => v.len(),
            Vector::I32(v) => v.len(),
            Vector::I64(v) => v.len(),
            Vector::F32(v) => v.len(),
            Vector::F64(v) => v.len(),
        }
    }

    /// Whether the vector has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element-type marker written in the structure's first field.
    pub fn type_marker(&self) -> u8 {
        match self {
            Vector::I8(_) => vector_type::INT_8,
            Vector::I16(_) => vector_type::INT_16,
            Vector::I32(_) => vector_type::INT_32,
            Vector::I64(_) => vector_type::INT_64,
            Vector::F32(_) => vector_type::FLOAT_32,
            Vector::F64(_) => vector_type::FLOAT_64,
        }
    }

    /// The elements as big-endian bytes (the structure's second field).
    pub fn to_be_bytes(&self) -> Vec<u8> {
        fn flat<const N: usize, T: Copy>(v: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
            v.iter().flat_map(|x| f(*x)).collect()
        }
        match self {
            Vector::I8(v) => flat(v, i8::to_be_bytes),
            Vector::I16(v) => flat(v, i16::to_be_bytes),
            Vector::I32(v) => flat(v, i32::to_be_bytes),
            Vector::I64(v) => flat(v, i64::to_be_bytes),
            Vector::F32(v) => flat(v, f32::to_be_bytes),
            Vector::F64(v) => flat(v, f64::to_be_bytes),
        }
    }

    /// Rebuilds a vector from its type marker and big-endian data; `None` when
    /// the marker is unknown or the data is not a whole number of elements.
    pub fn from_be_bytes(type_marker: u8, data: &[u8]) -> Option<Vector> {
        fn parse<const N: usize, T>(data: &[u8], f: impl Fn([u8; N]) -> T) -> Option<Vec<T>> {
            if !data.len().is_multiple_of(N) {
                return None;
            }
            Some(
                data.chunks_exact(N)
                    .map(|c| {
                        let mut a = [0u8; N];
                        a.copy_from_slice(c);
                        f(a)
                    })
                    .collect(),
            )
        }
        Some(match type_marker {
            vector_type::INT_8 => Vector::I8(parse(data, i8::from_be_bytes)?),
            vector_type::INT_16 => Vector::I16(parse(data, i16::from_be_bytes)?),
            vector_type::INT_32 => Vector::I32(parse(data, i32::from_be_bytes)?),
            vector_type::INT_64 => Vector::I64(parse(data, i64::from_be_bytes)?),
            vector_type::FLOAT_32 => Vector::F32(parse(data, f32::from_be_bytes)?),
            vector_type::FLOAT_64 => Vector::F64(parse(data, f64::from_be_bytes)?),
            _ => return None,
        })
    }
}
