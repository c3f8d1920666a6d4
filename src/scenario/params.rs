//! What a row of the parameter table is: a key's shape (allowed range), default, unit,
//! label, source and prior, and how each is put in words. The rows themselves are
//! declared in `keys.rs`.
//!
//! Validation, defaults, the manifest of a run, the comments of scenario files, the
//! assumptions the sensitivity analysis varies and the bounds of a calibration fit are all
//! read from [`PARAMS`]; nothing else states a scenario key's range.

/// What kind of value a parameter takes, with its allowed range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// One number in `min..=max`; `integer` if it must be whole.
    Num { min: f64, max: f64, integer: bool },
    /// A list of exactly `len` numbers, each in `min..=max`.
    Nums { len: usize, min: f64, max: f64, integer: bool },
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// Free text.
    Text,
    /// A list of decision rules (see `Rule::parse`).
    Rules,
}

/// A default value, as written in the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Num(f64),
    Nums(&'static [f64]),
    Text(&'static str),
    Texts(&'static [&'static str]),
}

/// One scenario key.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The TOML table the key lives in (`authority` for the per-authority keys).
    pub section: &'static str,
    pub key: &'static str,
    pub shape: Shape,
    pub default: Default,
    pub unit: &'static str,
    /// Words a reader knows, for chart axes, legends and report tables ("permanent staff
    /// leaving rate"); the key is shown only where a user must type it.
    pub label: &'static str,
    /// Where the default comes from, or the word `assumption`.
    pub source: &'static str,
    /// For an assumption: the values the evidence leaves open, drawn from in the
    /// uncertainty analysis.
    pub prior: Option<Prior>,
}

/// What the evidence (or judgement, where there is none) says about an assumed
/// parameter: a distribution over its value, or over a factor on a list of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    pub dist: Dist,
    pub on: On,
    /// The evidence the range rests on, or the word `judgement`.
    pub source: &'static str,
}

/// A prior's distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Uniform {
        low: f64,
        high: f64,
    },
    /// Low, most likely, high.
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
}

/// What a prior's draws are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// The parameter's value.
    Value,
    /// A factor on every value of a list (rounded where they must be whole).
    Scale,
    /// A factor on every value's departure from 1 (seasonal factors: 0 is no seasonality).
    Amplitude,
}

impl Dist {
    pub fn low(&self) -> f64 {
        match *self {
            Dist::Uniform { low, .. } | Dist::Triangular { low, .. } => low,
        }
    }

    pub fn high(&self) -> f64 {
        match *self {
            Dist::Uniform { high, .. } | Dist::Triangular { high, .. } => high,
        }
    }

    /// The central value: the mode of a triangle, the middle of a uniform.
    pub fn centre(&self) -> f64 {
        match *self {
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Triangular { mode, .. } => mode,
        }
    }

    /// The value at cumulative probability `u` in 0..=1 (the inverse distribution function).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Dist::Uniform { low, high } => low + (high - low) * u,
            Dist::Triangular { low, mode, high } => {
                let width = high - low;
                if width <= 0.0 {
                    return low;
                }
                let f = (mode - low) / width;
                if u < f {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
        }
    }

    /// The cumulative probability of `x`: where a value sits in the prior.
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Dist::Uniform { low, high } => {
                if high <= low {
                    f64::from(u8::from(x >= low))
                } else {
                    ((x - low) / (high - low)).clamp(0.0, 1.0)
                }
            }
            Dist::Triangular { low, mode, high } => {
                if x <= low {
                    0.0
                } else if x >= high {
                    1.0
                } else if x <= mode {
                    (x - low).powi(2) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x).powi(2) / ((high - low) * (high - mode))
                }
            }
        }
    }

    /// The distribution in words: `triangular 0.17 to 0.375, most likely 0.26`.
    pub fn words(&self) -> String {
        match *self {
            Dist::Uniform { low, high } => format!("uniform {} to {}", exact(low), exact(high)),
            Dist::Triangular { low, mode, high } => {
                format!("triangular {} to {}, most likely {}", exact(low), exact(high), exact(mode))
            }
        }
    }
}

impl Prior {
    /// The prior in words, with what it applies to and its source.
    pub fn words(&self) -> String {
        let on = match self.on {
            On::Value => "",
            On::Scale => "a factor on every value, ",
            On::Amplitude => "a factor on each value's departure from 1, ",
        };
        format!("{on}{} ({})", self.dist.words(), self.source)
    }
}

impl Param {
    /// `section.key`, the name used in errors, sweeps and manifests.
    pub fn path(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }

    /// True when no published figure supports the default.
    pub fn is_assumption(&self) -> bool {
        self.source.starts_with("assumption")
    }

    /// The label with its unit, as a chart axis or a report row names the parameter:
    /// "permanent staff leaving rate (leavers a worker-year ...)".
    pub fn labelled(&self) -> String {
        format!("{} ({})", self.label, self.unit)
    }

    /// The allowed range in words, as printed in errors and docs.
    pub fn allowed(&self) -> String {
        match self.shape {
            Shape::Num { min, max, integer } => range_words(min, max, integer),
            Shape::Nums { len, min, max, integer } => {
                format!("{len} values, each {}", range_words(min, max, integer))
            }
            Shape::Choice(words) => format!("one of {}", words.join(", ")),
            Shape::Text => "any text".to_string(),
            Shape::Rules => "a list of practitioner_only, manager_shared, shared_for_novices:YEARS, \
                 shared_above:TIER"
                .to_string(),
        }
    }
}

fn range_words(min: f64, max: f64, integer: bool) -> String {
    let whole = if integer { "a whole number " } else { "" };
    format!("{whole}{} to {}", exact(min), exact(max))
}

pub(super) const fn num(min: f64, max: f64) -> Shape {
    Shape::Num { min, max, integer: false }
}
pub(super) const fn int(min: f64, max: f64) -> Shape {
    Shape::Num { min, max, integer: true }
}
pub(super) const fn tiers(min: f64, max: f64) -> Shape {
    Shape::Nums { len: 4, min, max, integer: false }
}
pub(super) const fn tier_days(min: f64, max: f64) -> Shape {
    Shape::Nums { len: 4, min, max, integer: true }
}

/// A triangular prior on the value.
pub(super) const fn tri(low: f64, mode: f64, high: f64, source: &'static str) -> Prior {
    Prior { dist: Dist::Triangular { low, mode, high }, on: On::Value, source }
}
/// A uniform prior on the value.
pub(super) const fn uni(low: f64, high: f64, source: &'static str) -> Prior {
    Prior { dist: Dist::Uniform { low, high }, on: On::Value, source }
}
/// A triangular prior on a factor applied to every value of a list.
pub(super) const fn scale(low: f64, mode: f64, high: f64, source: &'static str) -> Prior {
    Prior { dist: Dist::Triangular { low, mode, high }, on: On::Scale, source }
}
/// A triangular prior on a factor applied to each value's departure from 1.
pub(super) const fn amplitude(low: f64, mode: f64, high: f64, source: &'static str) -> Prior {
    Prior { dist: Dist::Triangular { low, mode, high }, on: On::Amplitude, source }
}

use crate::format::exact;

/// The sections a scenario file may have, in the order the manifest writes them.
pub const SECTIONS: &[&str] = &["run", "demand", "casework", "judgement", "quality", "managers", "workforce", "costs"];

/// The sd of the latent risk score on the 0-1 scale: it is uniform when `risk_mix` equals
/// the widths of the bands `risk_cuts` makes, as by default. The evidence gives rating
/// error and shifts in sds of true risk; they are multiplied by this to go on the scale.
pub const RISK_SD: f64 = 0.288_675_134_594_812_9;

pub use super::keys::PARAMS;

/// Looks a parameter up by section and key.
pub fn find(section: &str, key: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.section == section && p.key == key)
}

/// Looks a parameter up by `section.key`.
pub fn find_path(path: &str) -> Option<&'static Param> {
    let (section, key) = path.split_once('.')?;
    find(section, key)
}

/// The keys of one section, in table order.
pub fn keys_of(section: &str) -> impl Iterator<Item = &'static Param> + '_ {
    PARAMS.iter().filter(move |p| p.section == section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_within_its_own_range() {
        for p in PARAMS {
            match (p.shape, p.default) {
                (Shape::Num { min, max, integer }, Default::Num(v)) => {
                    assert!(v >= min && v <= max, "{}", p.path());
                    assert!(!integer || v.fract() == 0.0, "{}", p.path());
                }
                (Shape::Nums { len, min, max, .. }, Default::Nums(vs)) => {
                    assert_eq!(vs.len(), len, "{}", p.path());
                    assert!(vs.iter().all(|v| *v >= min && *v <= max), "{}", p.path());
                }
                (Shape::Choice(words), Default::Text(t)) => assert!(words.contains(&t)),
                (Shape::Text, Default::Text(_)) | (Shape::Rules, Default::Texts(_)) => {}
                _ => panic!("{}: default does not fit its shape", p.path()),
            }
        }
    }

    #[test]
    fn keys_are_unique_and_sections_known() {
        for (i, a) in PARAMS.iter().enumerate() {
            assert!(a.section == "authority" || SECTIONS.contains(&a.section));
            for b in &PARAMS[i + 1..] {
                assert!(a.path() != b.path(), "{} twice", a.path());
            }
        }
    }

    /// Every assumption carries a prior and only assumptions do; a prior lies in the
    /// allowed range, names its source, and the default is its central value.
    #[test]
    fn every_assumption_has_a_prior_centred_on_its_default() {
        for p in PARAMS {
            assert_eq!(p.is_assumption(), p.prior.is_some(), "{}: assumption and prior go together", p.path());
            assert!(!p.label.is_empty(), "{} has no label", p.path());
            let Some(prior) = p.prior else { continue };
            assert!(!prior.source.is_empty(), "{}: a prior names its source or 'judgement'", p.path());
            let (low, high, centre) = (prior.dist.low(), prior.dist.high(), prior.dist.centre());
            assert!(low <= centre && centre <= high, "{}", p.path());
            match (p.shape, prior.on, p.default) {
                (Shape::Num { min, max, .. }, On::Value, Default::Num(v)) => {
                    assert!(min <= low && high <= max, "{}: prior outside the allowed range", p.path());
                    assert!((v - centre).abs() < 1e-12, "{}: default {v} is not the prior's centre {centre}", p.path());
                }
                (Shape::Nums { .. }, On::Scale | On::Amplitude, _) => {
                    assert!(low >= 0.0 && (centre - 1.0).abs() < 1e-12, "{}: a factor centred on 1", p.path());
                }
                _ => panic!("{}: the prior does not fit the shape", p.path()),
            }
        }
    }

    #[test]
    fn quantiles_invert_the_distribution_function() {
        for d in [
            Dist::Uniform { low: -1.0, high: 3.0 },
            Dist::Triangular { low: 0.1, mode: 0.25, high: 0.5 },
            Dist::Triangular { low: 0.0, mode: 0.0, high: 0.03 },
            Dist::Triangular { low: 1.0, mode: 2.0, high: 2.0 },
        ] {
            assert_eq!(d.quantile(0.0), d.low());
            assert!((d.quantile(1.0) - d.high()).abs() < 1e-12);
            for i in 1..100 {
                let u = f64::from(i) / 100.0;
                assert!((d.cdf(d.quantile(u)) - u).abs() < 1e-12, "{d:?} at {u}");
            }
        }
        // The triangle's mode is where the density peaks: the cdf there is (mode-low)/(high-low).
        let t = Dist::Triangular { low: 0.0, mode: 1.0, high: 4.0 };
        assert!((t.cdf(1.0) - 0.25).abs() < 1e-12);
    }
}
