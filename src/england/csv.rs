//! A small CSV reader for the DfE's published files: a header and rows of text fields,
//! quoted fields with commas (`"Bristol, City of"`) and doubled quotes included.

/// A CSV file as rows of text fields under its header. A field may be quoted
/// (`"Bristol, City of"`), with `""` for a quote inside; lines end in `\n` or `\r\n`.
#[derive(Debug, Clone, PartialEq)]
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Why a CSV file could not be read, with the line its record starts on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    pub line: usize,
    pub message: String,
}

impl Csv {
    pub fn parse(text: &str) -> Result<Csv, CsvError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut records: Vec<(usize, Vec<String>)> = Vec::new();
        let (mut record, mut field) = (Vec::new(), String::new());
        let (mut line, mut start) = (1, 1);
        // Inside quotes; and whether the field began with one (then only `,` or an end may follow).
        let (mut quoted, mut was_quoted) = (false, false);
        let mut chars = text.chars().peekable();
        let error = |line, message: &str| CsvError { line, message: message.to_string() };
        while let Some(c) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    c => {
                        line += usize::from(c == '\n');
                        field.push(c);
                    }
                }
                continue;
            }
            match c {
                '"' if field.is_empty() && !was_quoted => (quoted, was_quoted) = (true, true),
                '"' => return Err(error(line, "a quote inside a field that does not start with one")),
                ',' => {
                    record.push(std::mem::take(&mut field));
                    was_quoted = false;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    record.push(std::mem::take(&mut field));
                    // A blank line holds no record.
                    if record.len() > 1 || !record[0].is_empty() || was_quoted {
                        records.push((start, std::mem::take(&mut record)));
                    }
                    record.clear();
                    was_quoted = false;
                    line += 1;
                    start = line;
                }
                _ if was_quoted => return Err(error(line, "text after a closing quote")),
                c => field.push(c),
            }
        }
        if quoted {
            return Err(error(start, "a quoted field is not closed"));
        }
        if !record.is_empty() || !field.is_empty() || was_quoted {
            record.push(field);
            records.push((start, record));
        }
        let mut records = records.into_iter();
        let Some((_, header)) = records.next() else {
            return Err(error(1, "no header"));
        };
        let mut rows = Vec::new();
        for (line, r) in records {
            if r.len() != header.len() {
                return Err(error(line, &format!("{} fields; the header has {}", r.len(), header.len())));
            }
            rows.push(r);
        }
        Ok(Csv { header, rows })
    }

    /// The index of a column by its header name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_their_commas_and_quotes() {
        let csv = Csv::parse("a,b,c\r\n1,\"Bristol, City of\",\"say \"\"hi\"\"\"\n\n2,,\"\"\n").unwrap();
        assert_eq!(csv.header, ["a", "b", "c"]);
        assert_eq!(csv.rows, [vec!["1", "Bristol, City of", "say \"hi\""], vec!["2", "", ""]]);
        assert_eq!(
            Csv::parse("a,b\n1\n").unwrap_err(),
            CsvError { line: 2, message: "1 fields; the header has 2".into() }
        );
        assert_eq!(Csv::parse("a\n\"open\n").unwrap_err().message, "a quoted field is not closed");
        assert_eq!(Csv::parse("a\nx\"y\n").unwrap_err().line, 2);
    }
}
