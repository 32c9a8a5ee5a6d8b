//! Spatial points. `srid` names the coordinate reference system: 7203
//! (cartesian), 4326 (WGS-84), 9157 (cartesian 3D), 4979 (WGS-84 3D).

/// A two-dimensional point (tag `X`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point2D {
    /// Coordinate reference system id.
    pub srid: u32,
    /// x (or longitude).
    pub x: f64,
    /// y (or latitude).
    pub y: f64,
}

/// A three-dimensional point (tag `Y`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point3D {
    /// Coordinate reference system id.
    pub srid: u32,
    /// x (or longitude).
    pub x: f64,
    /// y (or latitude).
    pub y: f64,
    /// z (or height).
    pub z: f64,
}

/// SRID of cartesian 2D points.
pub const SRID_CARTESIAN: u32 = 7203;
/// SRID of WGS-84 2D points.
pub const SRID_WGS84: u32 = 4326;
/// SRID of cartesian 3D points.
pub const SRID_CARTESIAN_3D: u32 = 9157;
/// SRID of WGS-84 3D points.
pub const SRID_WGS84_3D: u32 = 4979;
