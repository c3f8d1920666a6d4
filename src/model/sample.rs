//! Portable samplers. Every transcendental function comes from `libm`, a pure-Rust port of
//! musl's maths library, so a seed gives the same bytes on any platform: the platform's
//! own `exp` and `ln` (which `f64::exp` and rand_distr's samplers call) may differ in the
//! last bit between systems.

use rand::RngExt;

use super::streams::Stream;

/// Uniform on [0, 1), 53 random bits.
pub fn uniform(rng: &mut Stream) -> f64 {
    rng.random::<f64>()
}

/// Two independent standard normals, by Marsaglia's polar method.
pub fn normal_pair(rng: &mut Stream) -> (f64, f64) {
    loop {
        let u = 2.0 * uniform(rng) - 1.0;
        let v = 2.0 * uniform(rng) - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            let f = (-2.0 * libm::log(s) / s).sqrt();
            return (u * f, v * f);
        }
    }
}

/// A standard normal (the first of a polar pair).
pub fn normal(rng: &mut Stream) -> f64 {
    normal_pair(rng).0
}

/// Standard exponential (mean 1), by inversion.
pub fn exponential(rng: &mut Stream) -> f64 {
    -libm::log(1.0 - uniform(rng))
}

/// Poisson with mean `lambda`, by inversion, in pieces of mean at most 30 (a sum of
/// independent Poisson counts is Poisson) so that `exp(-mean)` never underflows.
pub fn poisson(rng: &mut Stream, lambda: f64) -> u64 {
    let pieces = (lambda / 30.0).ceil().max(1.0);
    let mean = lambda / pieces;
    let p0 = libm::exp(-mean);
    let mut total = 0;
    for _ in 0..pieces as u64 {
        let mut u = uniform(rng);
        let mut p = p0;
        let mut k = 0u64;
        // Rounding can leave u above the summed probabilities: stop far in the tail.
        while u >= p && k < 1000 {
            u -= p;
            k += 1;
            p *= mean / k as f64;
        }
        total += k;
    }
    total
}

/// `exp(x)` for |x| at most 1/64, by its Taylor series to the x^7 term: the next term is
/// below 1e-17 of the result, under double-precision rounding. Faster than `exp`.
pub fn exp_small(x: f64) -> f64 {
    debug_assert!(x.abs() <= 1.0 / 64.0);
    // Multiplying by reciprocals rather than dividing: divisions are slow, and this runs
    // for every worker every day.
    const R3: f64 = 1.0 / 3.0;
    const R5: f64 = 1.0 / 5.0;
    const R6: f64 = 1.0 / 6.0;
    const R7: f64 = 1.0 / 7.0;
    1.0 + x * (1.0 + x * 0.5 * (1.0 + x * R3 * (1.0 + x * 0.25 * (1.0 + x * R5 * (1.0 + x * R6 * (1.0 + x * R7))))))
}

/// `exp`, portable.
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// Natural logarithm, portable.
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::streams::{Purpose, stream};

    fn moments(n: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
        let xs: Vec<f64> = (0..n).map(|_| f()).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v)
    }

    #[test]
    fn samplers_have_their_moments() {
        let mut rng = stream(1, 0, Purpose::Initial, 0);
        let n = 200_000;
        // Tolerances are five standard errors of the sample mean or variance.
        let (m, v) = moments(n, || normal(&mut rng));
        assert!(m.abs() < 5.0 / (n as f64).sqrt(), "normal mean {m}");
        assert!((v - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt(), "normal variance {v}");
        // The two values of a pair are uncorrelated.
        let pairs: Vec<(f64, f64)> = (0..n).map(|_| normal_pair(&mut rng)).collect();
        let r = pairs.iter().map(|(a, b)| a * b).sum::<f64>() / n as f64;
        assert!(r.abs() < 5.0 / (n as f64).sqrt(), "pair correlation {r}");
        let (m, v) = moments(n, || exponential(&mut rng));
        assert!((m - 1.0).abs() < 5.0 / (n as f64).sqrt(), "exponential mean {m}");
        assert!((v - 1.0).abs() < 5.0 * (8.0 / n as f64).sqrt(), "exponential variance {v}");
        for lambda in [0.3, 13.4, 45.0, 400.0] {
            let (m, v) = moments(n / 4, || poisson(&mut rng, lambda) as f64);
            let se = (lambda / (n / 4) as f64).sqrt();
            assert!((m - lambda).abs() < 5.0 * se, "poisson({lambda}) mean {m}");
            assert!((v / lambda - 1.0).abs() < 0.03, "poisson({lambda}) variance {v}");
        }
    }

    #[test]
    fn exp_small_agrees_with_exp() {
        for i in -100..=100 {
            let x = f64::from(i) / 6400.0;
            let rel = (exp_small(x) - exp(x)).abs() / exp(x);
            assert!(rel <= 2.0 * f64::EPSILON, "x {x}: {rel}");
        }
    }

    #[test]
    fn poisson_of_zero_is_zero() {
        let mut rng = stream(1, 0, Purpose::Initial, 1);
        assert!((0..100).all(|_| poisson(&mut rng, 0.0) == 0));
    }
}
