//! Table files: a data frame written as Parquet or CSV, and a Parquet table read back as
//! input. An output folder's tables may have been edited, truncated or written by another
//! version, so each column read back is looked up by name and its type and values
//! checked, and a problem names the file, the row and the column, and says what was
//! expected.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use polars::prelude::*;

/// A table as Parquet and, beside it, the same table as CSV (`x.parquet`, `x.csv`): a
/// spreadsheet opens every table.
pub(crate) fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<()> {
    write_parquet_with(df, path, &[])
}

/// [`write_parquet`], the Parquet file carrying key-value metadata a reader finds beside
/// the columns (the statutory limit behind `within_limit_pct`, say).
pub(crate) fn write_parquet_with(df: &mut DataFrame, path: &Path, meta: &[(&str, String)]) -> Result<()> {
    write_csv(df, &path.with_extension("csv"))?;
    let f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let kv = (!meta.is_empty()).then(|| {
        polars::io::parquet::write::KeyValueMetadata::from_static(
            meta.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        )
    });
    ParquetWriter::new(f)
        .with_key_value_metadata(kv)
        .finish(df)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    Ok(())
}

pub(crate) fn write_csv(df: &mut DataFrame, path: &Path) -> Result<()> {
    let f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    CsvWriter::new(f).finish(df).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    Ok(())
}

/// A table read from a Parquet file, with its path for messages.
pub(crate) struct TableFile {
    path: PathBuf,
    df: DataFrame,
}

impl TableFile {
    pub fn read(path: &Path) -> Result<TableFile> {
        let f = File::open(path).map_err(|e| anyhow!("{}: cannot open: {e}", path.display()))?;
        let df = ParquetReader::new(f)
            .finish()
            .map_err(|e| anyhow!("{}: not a Parquet table caseload can read: {e}", path.display()))?;
        Ok(TableFile { path: path.to_path_buf(), df })
    }

    pub fn height(&self) -> usize {
        self.df.height()
    }

    fn column(&self, name: &str) -> Result<&Column> {
        self.df.column(name).map_err(|_| anyhow!("{}: no column `{name}`", self.path.display()))
    }

    /// A text column; an empty cell is an error.
    pub fn texts(&self, name: &str) -> Result<Vec<String>> {
        let c = self.column(name)?;
        let Ok(values) = c.str() else { bail!(self.wrong_type(name, c.dtype(), "text")) };
        values
            .iter()
            .enumerate()
            .map(|(row, v)| v.map(str::to_string).ok_or_else(|| self.bad(row, name, "empty", "text")))
            .collect()
    }

    /// A column of numbers of any numeric type; an empty cell is `NaN`.
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>> {
        let c = self.column(name)?;
        if !c.dtype().is_primitive_numeric() {
            bail!(self.wrong_type(name, c.dtype(), "numbers"));
        }
        let c = c.cast(&DataType::Float64).map_err(|e| anyhow!("{}: column `{name}`: {e}", self.path.display()))?;
        Ok(c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// A column of whole numbers from 0 to `max`.
    pub fn whole(&self, name: &str, max: u64) -> Result<Vec<u64>> {
        let expected = format!("a whole number from 0 to {max}");
        self.numbers(name)?
            .into_iter()
            .enumerate()
            .map(|(row, v)| {
                if v.fract() == 0.0 && (0.0..=max as f64).contains(&v) {
                    Ok(v as u64)
                } else {
                    Err(self.bad(row, name, &format!("is {v}"), &expected))
                }
            })
            .collect()
    }

    /// `path: row R: message` (rows counted from 1).
    pub fn at(&self, row: usize, message: impl std::fmt::Display) -> anyhow::Error {
        anyhow!("{}: row {}: {message}", self.path.display(), row + 1)
    }

    fn bad(&self, row: usize, name: &str, found: &str, expected: &str) -> anyhow::Error {
        self.at(row, format!("column `{name}` {found}; expected {expected}"))
    }

    fn wrong_type(&self, name: &str, dtype: &DataType, expected: &str) -> String {
        format!("{}: column `{name}` holds {dtype}; expected {expected}", self.path.display())
    }
}

/// Where the rows `found` (each described in words) stop being the rows `expected`, in
/// order: the row (from 0, or `None` when the table stops short) and what is wrong.
/// `whole` says what the expected rows are, for the message.
pub(crate) fn misfit(found: &[String], expected: &[String], whole: &str) -> Option<(Option<usize>, String)> {
    for (i, f) in found.iter().enumerate() {
        match expected.get(i) {
            Some(e) if e == f => {}
            Some(e) => return Some((Some(i), format!("{f}; expected {e} ({whole}, in order)"))),
            None => return Some((Some(i), format!("{f} is a row more than {whole} ({} rows)", expected.len()))),
        }
    }
    (found.len() < expected.len())
        .then(|| (None, format!("{} rows; expected {} ({whole})", found.len(), expected.len())))
}

impl TableFile {
    /// Checks the rows, each described in words, are `expected` in order.
    pub fn check_rows(&self, found: &[String], expected: &[String], whole: &str) -> Result<()> {
        match misfit(found, expected, whole) {
            None => Ok(()),
            Some((Some(row), message)) => Err(self.at(row, message)),
            Some((None, message)) => bail!("{}: {message}", self.path.display()),
        }
    }
}
