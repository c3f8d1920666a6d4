//! Scenario files as manuals: every key written with a comment generated from the
//! parameter table (label, unit, allowed range, default, source and prior), in the
//! table's order, so the comments never drift from what validation checks.
//!
//! `caseload params --annotate FILE` rewrites a file this way, keeping its values, its
//! opening comments, free comments above a key or right above a section header, `[sweep]`
//! sections and anything the table does not know (which `validate` then reports; an
//! authority's own values, `workforce.leave_rate_permanent = 0.2` in an `[[authority]]`,
//! are kept with the comments above them). A key the file leaves out is written with its
//! default. A source the file states as `fitted ...` is kept.

use super::params::{self, PARAMS, Param, SECTIONS};
use super::parse::Value;

/// The comment a key gets, one or two lines without the trailing newline.
pub fn comment(p: &Param, source_override: Option<&str>) -> Vec<String> {
    let default = Value::default_of(p).to_toml();
    let mut lines = vec![format!("# {}: {}. Allowed: {}. Default: {default}.", p.label, p.unit, p.allowed())];
    let source = source_override.unwrap_or(p.source);
    let mut second = format!("# Source: {source}.");
    if let Some(prior) = p.prior {
        second.push_str(&format!(" Prior: {}.", prior.words()));
    }
    lines.push(second);
    lines
}

/// One key as the file has it: free comments above it and its value's text.
struct Entry {
    notes: Vec<String>,
    value: String,
    source_override: Option<String>,
}

/// One section of the file.
struct Section {
    /// Comment lines right above the header (no blank line between), kept above it.
    notes: Vec<String>,
    header: String,
    /// Known keys by name, in the file's order.
    keys: Vec<(String, Entry)>,
    /// Lines the table does not know, kept as they are at the end of the section.
    other: Vec<String>,
}

/// The table's section a header line opens (`[run]`, `[[authority]]`), if it is one.
fn section_of(header: &str) -> Option<&'static str> {
    let name = header.trim().trim_start_matches('[').trim_end_matches(']').trim();
    if name == "authority" {
        return Some("authority");
    }
    SECTIONS.iter().copied().find(|s| *s == name)
}

/// Whether a comment block above a key is one this module wrote (or its earlier form).
fn is_generated(block: &[String]) -> bool {
    block.iter().any(|l| l.contains("Allowed: "))
}

/// The `Source:` of a generated comment block when the file states its own (`fitted ...`).
fn stated_source(block: &[String]) -> Option<String> {
    let text = block.join(" ");
    let at = text.find("Source: fitted")?;
    let rest = &text[at + "Source: ".len()..];
    let end = rest.find(". Prior:").or_else(|| rest.find(". (Default")).unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches('.').trim().to_string())
}

/// Rewrites scenario text with every key present, in table order, under its generated comment.
pub fn annotate(text: &str) -> String {
    let mut preamble: Vec<String> = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut verbatim: Vec<(usize, Vec<String>)> = Vec::new(); // [sweep] blocks after section i
    let mut in_known = false;
    let mut pending: Vec<String> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if let Some(section) = section_of(trimmed) {
                let mut notes = Vec::new();
                if !in_known && sections.is_empty() {
                    preamble.append(&mut pending);
                } else if !in_known {
                    verbatim.last_mut().expect("a verbatim block").1.append(&mut pending);
                } else if is_generated(&pending) {
                    sections.last_mut().expect("a section").other.append(&mut pending);
                } else {
                    // A blank line ends a comment block, so these lines touch the header.
                    notes = std::mem::take(&mut pending);
                }
                let header = if section == "authority" { "[[authority]]".to_string() } else { format!("[{section}]") };
                sections.push(Section { notes, header, keys: Vec::new(), other: Vec::new() });
                in_known = true;
            } else {
                if in_known {
                    sections.last_mut().expect("a section").other.append(&mut pending);
                } else if sections.is_empty() {
                    preamble.append(&mut pending);
                } else {
                    verbatim.last_mut().expect("a verbatim block").1.append(&mut pending);
                }
                verbatim.push((sections.len(), vec![line.to_string()]));
                in_known = false;
            }
            continue;
        }
        if !in_known {
            if sections.is_empty() && verbatim.is_empty() {
                pending.push(line.to_string());
            } else {
                verbatim.last_mut().map_or_else(|| pending.push(line.to_string()), |v| v.1.push(line.to_string()));
            }
            continue;
        }
        let section = sections.last_mut().expect("a section");
        let name = section_of(&section.header).expect("a known section");
        if trimmed.starts_with('#') {
            pending.push(line.to_string());
            continue;
        }
        if trimmed.is_empty() {
            // A blank line ends a comment block: free comments stay free.
            if !pending.is_empty() && !is_generated(&pending) {
                section.other.append(&mut pending);
            }
            pending.clear();
            continue;
        }
        let key = trimmed.split('=').next().unwrap_or("").trim();
        if let (Some(_), Some((_, value))) = (params::find(name, key), trimmed.split_once('=')) {
            let block = std::mem::take(&mut pending);
            let (notes, source_override) = if is_generated(&block) {
                // Free lines above a generated block are notes too.
                let first = block.iter().position(|l| l.contains("Allowed: ") || l.starts_with("# Source:"));
                let notes = block[..first.unwrap_or(0)].to_vec();
                let keep: Vec<String> = block[first.unwrap_or(0)..].to_vec();
                (notes, stated_source(&keep))
            } else {
                (block, None)
            };
            section.keys.push((key.to_string(), Entry { notes, value: value.trim().to_string(), source_override }));
        } else {
            section.other.append(&mut pending);
            section.other.push(line.to_string());
        }
    }
    if in_known {
        if let Some(s) = sections.last_mut() {
            s.other.append(&mut pending);
        }
    } else if let Some(v) = verbatim.last_mut() {
        v.1.append(&mut pending);
    } else {
        preamble.append(&mut pending);
    }

    let mut out = String::new();
    while preamble.last().is_some_and(|l| l.trim().is_empty()) {
        preamble.pop();
    }
    for l in &preamble {
        out.push_str(l);
        out.push('\n');
    }
    let write_verbatim = |out: &mut String, after: usize| {
        for (_, block) in verbatim.iter().filter(|(i, _)| *i == after) {
            let mut block = block.clone();
            while block.last().is_some_and(|l| l.trim().is_empty()) {
                block.pop();
            }
            out.push('\n');
            for l in block {
                out.push_str(&l);
                out.push('\n');
            }
        }
    };
    write_verbatim(&mut out, 0);
    for (i, s) in sections.iter().enumerate() {
        let name = section_of(&s.header).expect("a known section");
        if !out.is_empty() {
            out.push('\n');
        }
        for note in &s.notes {
            out.push_str(note);
            out.push('\n');
        }
        out.push_str(&s.header);
        out.push('\n');
        for p in PARAMS.iter().filter(|p| p.section == name) {
            let entry = s.keys.iter().find(|(k, _)| k == p.key).map(|(_, e)| e);
            for note in entry.map_or(&[][..], |e| &e.notes[..]) {
                out.push_str(note);
                out.push('\n');
            }
            for line in comment(p, entry.and_then(|e| e.source_override.as_deref())) {
                out.push_str(&line);
                out.push('\n');
            }
            let value = entry.map_or_else(|| Value::default_of(p).to_toml(), |e| e.value.clone());
            out.push_str(&format!("{} = {value}\n", p.key));
        }
        let mut other = s.other.clone();
        while other.last().is_some_and(|l| l.trim().is_empty()) {
            other.pop();
        }
        for l in other {
            out.push_str(&l);
            out.push('\n');
        }
        write_verbatim(&mut out, i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_file_gets_every_key_with_its_comment_and_keeps_its_values() {
        let text = "# My copy of the baseline.\n\n[casework]\nhours_per_day = 8\n";
        let out = annotate(text);
        assert!(out.starts_with("# My copy of the baseline.\n\n[casework]\n"), "{out}");
        assert!(out.contains("\nhours_per_day = 8\n"));
        assert!(out.contains("# working hours a day: hours. Allowed: 1 to 12. Default: 7.4.\n"));
        // Every casework key is there, each under its comment.
        for p in PARAMS.iter().filter(|p| p.section == "casework") {
            assert!(out.contains(&format!("\n{} = ", p.key)), "{}", p.key);
        }
        // Annotating again changes nothing.
        assert_eq!(annotate(&out), out);
    }

    #[test]
    fn free_comments_unknown_keys_sweeps_and_fitted_sources_are_kept() {
        let text = "[run]\n# my note\nseed = 5\nsede = 6\n\n[sweep]\ndesign = \"grid\"\n\n[workforce]\n\
                    # x: y. Allowed: 0 to 5. Default: 0.12.\n# Source: fitted by caseload calibrate to t.toml.\n\
                    leave_rate_permanent = 0.14\n";
        let out = annotate(text);
        assert!(out.contains("# my note\n# master seed"), "{out}");
        assert!(out.contains("\nsede = 6\n"), "{out}");
        assert!(out.contains("[sweep]\ndesign = \"grid\"\n"), "{out}");
        assert!(
            out.contains("# Source: fitted by caseload calibrate to t.toml.\nleave_rate_permanent = 0.14\n"),
            "{out}"
        );
        assert_eq!(annotate(&out), out);
    }

    #[test]
    fn a_comment_right_above_a_header_stays_above_it_and_dotted_keys_keep_theirs() {
        let text = "[run]\nseed = 5\n# Northtown: its turnover is its region's\n[[authority]]\nname = \"Northtown\"\n\
                    # its own rate\nworkforce.leave_rate_permanent = 0.2\n";
        let out = annotate(text);
        assert!(out.contains("\n\n# Northtown: its turnover is its region's\n[[authority]]\n"), "{out}");
        assert!(out.contains("\n# its own rate\nworkforce.leave_rate_permanent = 0.2\n"), "{out}");
        assert_eq!(annotate(&out), out);
    }
}
