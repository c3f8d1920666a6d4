//! What every HTML page shares: escaping, images embedded as base64, the check that
//! every image loaded, and the words for a difference's unit.

use crate::vocab::Metric;

/// Standard base64 (RFC 4648) for embedding images.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The unit of a difference in a metric, with its leading space: a difference of two
/// percentages is in percentage points.
pub(crate) fn difference_unit(m: Metric) -> String {
    match m.unit() {
        "%" => " percentage points".to_string(),
        "%/year" => " percentage points a year".to_string(),
        "probability" => String::new(),
        u => format!(" {u}"),
    }
}

pub(crate) fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// Lets a headless browser report whether every chart loaded (the browser tests read it).
pub(crate) const LOAD_CHECK: &str = "<script>window.addEventListener('load', function () { var imgs = Array.from(document.images); \
    document.body.setAttribute('data-images', imgs.length); \
    document.body.setAttribute('data-images-loaded', imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length); });</script>\n";

/// The opening of an analysis's report page, to `<body>`: its title (already escaped) and
/// the plain style the sensitivity and history reports share.
pub(crate) fn page_head(title: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1040px; margin: 2em auto; padding: 0 1em; color: #1a1a1a; line-height: 1.45; }}
h2 {{ margin-top: 1.8em; border-bottom: 1px solid #ccc; }} table {{ border-collapse: collapse; font-size: 0.86em; }}
td, th {{ border-bottom: 1px solid #e2e2e2; padding: 3px 8px; text-align: left; }} td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure img {{ max-width: 100%; border: 1px solid #ddd; }} figcaption {{ font-size: 0.9em; color: #444; }} .muted {{ color: #555; font-size: 0.9em; }}
</style></head><body>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
    }
}
