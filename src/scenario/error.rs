//! What is wrong with a scenario file, reported like a compiler: every problem at once.

use std::fmt;
use std::path::PathBuf;

/// One problem at one place in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based line and column of the offending key or value (0 when the whole file is meant).
    pub line: usize,
    pub col: usize,
    /// `section.key` (or `section` / the file) the problem is about.
    pub field: String,
    pub message: String,
}

/// Why a scenario could not be loaded. The caller can tell an unreadable file from an
/// invalid one, and list each problem.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", render(path, problems))]
    Invalid { path: PathBuf, problems: Vec<Problem> },
}

impl ScenarioError {
    /// The problems found, empty for an unreadable file.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Io { .. } => &[],
            ScenarioError::Invalid { problems, .. } => problems,
        }
    }
}

fn render(path: &std::path::Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if p.line == 0 {
            // Not at a place in a file: the whole file, or a value from the command line.
            out.push_str(&format!("{}: {}: {}", path.display(), p.field, p.message));
        } else {
            out.push_str(&format!("{}:{}:{}: {}: {}", path.display(), p.line, p.col, p.field, p.message));
        }
    }
    let n = problems.len();
    out.push_str(&format!("\n{n} problem{} in {}", if n == 1 { "" } else { "s" }, path.display()));
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: {}", self.line, self.col, self.field, self.message)
    }
}

/// Turns a byte offset into a 1-based (line, column), counting columns in characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[start..offset].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 11), (2, 6));
    }
}
