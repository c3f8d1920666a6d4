//! A run's files: its tables (Parquet, CSV) and their reading back, its charts, its
//! report with the reporting checklist, the authorities of a national run, its shards, and
//! `caseload compare` of two runs.

pub(crate) mod authorities;
pub(crate) mod charts;
pub(crate) mod checklist;
pub(crate) mod compare;
pub(crate) mod data;
pub(crate) mod report;
pub(crate) mod shard;
pub(crate) mod tables;
