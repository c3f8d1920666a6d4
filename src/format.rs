//! Numbers for a person: the one rule every printed table, report, sweep sentence and
//! England summary follows, and the two ways a value is written back into a file.
//!
//! A leaf: it names no other module of the crate.

/// A result for a person to read: no decimals from 100, one from 10, two from 0.1 (and for
/// zero), and three significant digits below 0.1, so that a small difference never prints
/// as 0.00. `-` where there is no number.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        "-".to_string()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else if x == 0.0 || x.abs() >= 0.1 {
        format!("{x:.2}")
    } else {
        let decimals = (2 - x.abs().log10().floor() as i32).clamp(2, 12) as usize;
        format!("{x:.decimals$}")
    }
}

/// The decimals [`num`] gives `x`.
pub fn decimals(x: f64) -> usize {
    if !x.is_finite() || x.abs() >= 100.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else if x == 0.0 || x.abs() >= 0.1 {
        2
    } else {
        (2 - x.abs().log10().floor() as i32).clamp(2, 12) as usize
    }
}

/// An estimate and its interval, `mean [low, high]`, every number of the cell at one
/// precision: the decimals [`num`] gives the largest of the three in size, so that the
/// interval and the mean line up (`0.13 [-0.08, 0.33]`, never `0.13 [-0.0757, 0.33]`).
pub fn interval(mean: f64, lo: f64, hi: f64) -> String {
    let largest = [mean, lo, hi].into_iter().filter(|x| x.is_finite()).map(f64::abs).fold(0.0, f64::max);
    let d = decimals(largest);
    let f = |x: f64| if x.is_finite() { format!("{x:.d$}") } else { "-".to_string() };
    format!("{} [{}, {}]", f(mean), f(lo), f(hi))
}

/// An amount of money for a person: pounds to three significant figures with thousands
/// separated, `-` where there is no number (`£79,200`, `-£1,210`, `£48.6`).
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "-".to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let v = significant(x.abs(), 3);
    if v == 0.0 {
        return "£0".to_string();
    }
    if v < 1000.0 {
        return format!("{sign}£{}", exact(v));
    }
    let digits = format!("{:.0}", v);
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}£{grouped}")
}

/// A value as a user would type it into a scenario file: exact, without a trailing `.0`.
pub fn exact(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// A parameter's value in a sentence (a swept point, say): at most four significant
/// digits, written as [`exact`] writes it.
pub fn value(x: f64) -> String {
    exact(significant(x, 4))
}

/// `x` rounded to `digits` significant figures (a fitted value written into a file).
pub fn significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = digits - 1 - x.abs().log10().floor() as i32;
    if e >= 0 {
        let scale = 10f64.powi(e);
        (x * scale).round() / scale
    } else {
        let scale = 10f64.powi(-e);
        (x / scale).round() * scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_digits_below_a_tenth_and_fixed_decimals_above() {
        assert_eq!(num(0.0004), "0.000400");
        assert_eq!(num(-0.00144), "-0.00144");
        assert_eq!(num(0.0757), "0.0757");
        assert_eq!(num(0.13), "0.13");
        assert_eq!(num(0.0), "0.00");
        assert_eq!(num(3.2468), "3.25");
        assert_eq!(num(45.66), "45.7");
        assert_eq!(num(4267.4), "4267");
        assert_eq!(num(f64::NAN), "-");
    }

    #[test]
    fn money_reads_as_pounds() {
        assert_eq!(money(79_231.4), "£79,200");
        assert_eq!(money(-1_208.0), "-£1,210");
        assert_eq!(money(8_160_264.0), "£8,160,000");
        assert_eq!(money(48.6), "£48.6");
        assert_eq!(money(20.0), "£20");
        assert_eq!(money(0.0), "£0");
        assert_eq!(money(f64::NAN), "-");
    }

    #[test]
    fn a_cell_has_one_precision() {
        assert_eq!(interval(0.13, -0.0757, 0.33), "0.13 [-0.08, 0.33]");
        assert_eq!(interval(-0.00593, -0.0440, 0.0321), "-0.0059 [-0.0440, 0.0321]");
        assert_eq!(interval(1208.0, 1103.4, 1313.2), "1208 [1103, 1313]");
        assert_eq!(interval(0.0212, 0.0177, 0.0247), "0.0212 [0.0177, 0.0247]");
        assert_eq!(interval(12.5, 9.96, 14.1), "12.5 [10.0, 14.1]");
    }

    #[test]
    fn exact_values_and_significant_figures() {
        assert_eq!(exact(25.0), "25");
        assert_eq!(exact(0.125), "0.125");
        assert_eq!(significant(0.065851, 4), 0.06585);
        assert_eq!(significant(123456.0, 4), 123500.0);
        assert_eq!(significant(311.64, 4), 311.6);
    }
}
