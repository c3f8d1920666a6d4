//! Summary statistics across replications: means, 95% confidence intervals and paired
//! differences. Sums are taken serially in replication order, so results do not depend on
//! how runs were spread over threads.

/// Mean, standard deviation and 95% confidence interval of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Summary {
    /// Summarises the finite values (a metric that does not apply in a run is `NaN` and
    /// left out; `n` says how many were used).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Summary {
        let xs: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        let n = xs.len();
        if n == 0 {
            return Summary { n, mean: f64::NAN, sd: f64::NAN, lo: f64::NAN, hi: f64::NAN };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Summary { n, mean, sd: f64::NAN, lo: f64::NAN, hi: f64::NAN };
        }
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        let half = t_quantile_975((n - 1) as f64) * sd / (n as f64).sqrt();
        Summary { n, mean, sd, lo: mean - half, hi: mean + half }
    }

    /// Half the width of the 95% interval.
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }
}

/// The paired difference `a - b`, replication by replication.
pub fn paired(a: &[f64], b: &[f64]) -> Summary {
    Summary::of(a.iter().zip(b).map(|(x, y)| x - y))
}

/// The difference of means `a - b` of two independent samples, with Welch's 95% interval
/// (`n` is the smaller sample's count of finite values; `sd` is not defined).
pub fn unpaired(a: &[f64], b: &[f64]) -> Summary {
    let (sa, sb) = (Summary::of(a.iter().copied()), Summary::of(b.iter().copied()));
    let mean = sa.mean - sb.mean;
    let n = sa.n.min(sb.n);
    if n < 2 {
        return Summary { n, mean, sd: f64::NAN, lo: f64::NAN, hi: f64::NAN };
    }
    let (va, vb) = (sa.sd * sa.sd / sa.n as f64, sb.sd * sb.sd / sb.n as f64);
    let se = (va + vb).sqrt();
    let df = if se > 0.0 {
        (va + vb).powi(2) / (va * va / (sa.n - 1) as f64 + vb * vb / (sb.n - 1) as f64)
    } else {
        (sa.n + sb.n - 2) as f64
    };
    let half = t_quantile_975(df) * se;
    Summary { n, mean, sd: f64::NAN, lo: mean - half, hi: mean + half }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (for a 95% interval).
/// Cornish-Fisher expansion about the normal quantile; exact table values for df below 5.
pub fn t_quantile_975(df: f64) -> f64 {
    const SMALL: [f64; 4] = [12.706_204_736, 4.302_652_730, 3.182_446_305, 2.776_445_105];
    if df < 1.0 {
        return f64::NAN;
    }
    if df < 5.0 && df.fract() == 0.0 {
        return SMALL[df as usize - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * df.powi(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welchs_interval_is_rs() {
        // R: t.test(1:5, c(2, 4, 6, 8, 10))$conf.int is -6.888 to 0.888 (df 5.88).
        let s = unpaired(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(s.mean, -3.0);
        assert!((s.lo + 6.888).abs() < 0.01 && (s.hi - 0.888).abs() < 0.01, "{s:?}");
        assert!(unpaired(&[1.0], &[2.0, 3.0]).lo.is_nan());
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Values from standard t tables (two-sided 95%).
        for (df, t) in [
            (1.0, 12.706),
            (4.0, 2.776),
            (5.0, 2.571),
            (9.0, 2.262),
            (19.0, 2.093),
            (29.0, 2.045),
            (99.0, 1.984),
            (199.0, 1.972),
        ] {
            assert!((t_quantile_975(df) - t).abs() < 1.5e-3, "df {df}: {} vs {t}", t_quantile_975(df));
        }
    }

    #[test]
    fn summary_of_a_known_sample() {
        let s = Summary::of([1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN]);
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        assert!((s.half_width() - 2.776_445_105 * 2.5f64.sqrt() / 5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn paired_differences_cancel_shared_noise() {
        let a = [10.0, 20.0, 30.0];
        let b = [9.0, 19.0, 29.0];
        let d = paired(&a, &b);
        assert_eq!(d.mean, 1.0);
        assert_eq!(d.sd, 0.0);
    }
}
