//! Criterion benchmarks of the nlif solvers (`cargo bench -p nlif-benches`), and the
//! baseline scripts they are compared with (`benches/peers/`).
//!
//! This crate holds no library code of its own; the benchmarks live in `micro_step.rs`,
//! `macro_step.rs` and `raster.rs` beside this file, the setup the particle ones share in
//! `common/`.
