//! A [`Recorder`] as text and back, exactly: every counter a `name value...` line, floats
//! as the hexadecimal of their bits. A run's shard keeps its parts this way
//! (`output/run/shard.rs`), so their merge adds up the same bits one run adds up.

use super::{HISTOGRAM_DAYS, MonthRecord, Recorder};

/// The most a counter read back may hold: 2^53, so that the counters of up to 400
/// authorities add up without overflow. A real run's counters are far below it.
const COUNT_MAX: u64 = 1 << 53;
/// The most a month's 32-bit count read back may hold: 2^22, for the same reason.
const MONTH_COUNT_MAX: u64 = 1 << 22;

/// Lines of `name value...` being read back, with the line number for errors.
struct TextLines<'a> {
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    /// The line number of the text's first line.
    first: usize,
}

impl<'a> TextLines<'a> {
    /// The values of the next line, which must be named `name`.
    fn next(&mut self, name: &str) -> Result<(usize, Vec<&'a str>), String> {
        let (i, line) = self.lines.next().ok_or_else(|| format!("ends before `{name}`"))?;
        let mut words = line.split_ascii_whitespace();
        match words.next() {
            Some(w) if w == name => Ok((self.first + i, words.collect())),
            other => Err(format!("line {}: expected `{name}`, found `{}`", self.first + i, other.unwrap_or(""))),
        }
    }

    fn one(&mut self, name: &str) -> Result<u64, String> {
        let (line, v) = self.next(name)?;
        match v.as_slice() {
            [x] => count(line, name, x, COUNT_MAX),
            _ => Err(format!("line {line}: `{name}` needs one value, has {}", v.len())),
        }
    }

    fn many(&mut self, name: &str, len: usize) -> Result<Vec<u64>, String> {
        let (line, v) = self.next(name)?;
        if len != v.len() {
            return Err(format!("line {line}: `{name}` needs {len} values, has {}", v.len()));
        }
        v.iter().map(|x| count(line, name, x, COUNT_MAX)).collect()
    }

    fn float(&mut self, name: &str) -> Result<f64, String> {
        let (line, v) = self.next(name)?;
        match v.as_slice() {
            [x] => bits(line, name, x),
            _ => Err(format!("line {line}: `{name}` needs one value, has {}", v.len())),
        }
    }
}

/// A whole number from 0 to `max`.
fn count(line: usize, name: &str, x: &str, max: u64) -> Result<u64, String> {
    x.parse::<u64>()
        .ok()
        .filter(|&v| v <= max)
        .ok_or_else(|| format!("line {line}: `{name}`: `{x}` is not a whole number from 0 to {max}"))
}

/// A float written as the hexadecimal of its bits, so it reads back exactly.
fn bits(line: usize, name: &str, x: &str) -> Result<f64, String> {
    u64::from_str_radix(x, 16)
        .map(f64::from_bits)
        .map_err(|_| format!("line {line}: `{name}`: `{x}` is not the 16 hexadecimal digits of a float"))
}

fn hex(x: f64) -> String {
    format!("{:016x}", x.to_bits())
}

impl MonthRecord {
    fn to_line(&self) -> String {
        let ints = [
            u64::from(self.month),
            u64::from(self.referrals),
            u64::from(self.completed),
            u64::from(self.open_assessments),
            u64::from(self.unallocated),
            u64::from(self.headcount),
            u64::from(self.vacancies),
            u64::from(self.agency),
            u64::from(self.leavers),
            u64::from(self.consult_queue),
            self.within_limit_to_date,
            self.completed_to_date,
            self.holder_days,
            self.cases_held,
            u64::from(self.under_two),
        ];
        let floats = [self.within_limit_to_date_pct, self.caseload_mean, self.under_two_years_pct];
        let mut out: Vec<String> = ints.iter().map(u64::to_string).collect();
        out.extend(floats.iter().map(|&f| hex(f)));
        out.join(" ")
    }

    fn from_words(line: usize, name: &str, v: &[&str]) -> Result<MonthRecord, String> {
        if v.len() != 18 {
            return Err(format!("line {line}: `{name}` needs 18 values, has {}", v.len()));
        }
        let u = |i: usize| count(line, name, v[i], MONTH_COUNT_MAX).map(|x| x as u32);
        let w = |i: usize| count(line, name, v[i], COUNT_MAX);
        let f = |i: usize| bits(line, name, v[i]);
        Ok(MonthRecord {
            month: u(0)?,
            referrals: u(1)?,
            completed: u(2)?,
            open_assessments: u(3)?,
            unallocated: u(4)?,
            headcount: u(5)?,
            vacancies: u(6)?,
            agency: u(7)?,
            leavers: u(8)?,
            consult_queue: u(9)?,
            within_limit_to_date: w(10)?,
            completed_to_date: w(11)?,
            holder_days: w(12)?,
            cases_held: w(13)?,
            under_two: u(14)?,
            within_limit_to_date_pct: f(15)?,
            caseload_mean: f(16)?,
            under_two_years_pct: f(17)?,
        })
    }
}

impl Recorder {
    /// Every counter as text, one `name value...` line each and floats as the
    /// hexadecimal of their bits: [`Recorder::from_text`] gives back exactly this
    /// recorder. The last line is `end`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        macro_rules! put {
            ($($f:ident),*) => { $( out.push_str(&format!("{} {}\n", stringify!($f), self.$f)); )* };
        }
        put!(days);
        with_counters!(put);
        put!(month_cases_held, month_holders);
        let join = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(" ");
        out.push_str(&format!("decisions {}\n", join(&self.decisions)));
        out.push_str(&format!("under_rated {}\n", join(&self.under_rated)));
        out.push_str(&format!("duration_histogram {}\n", join(&self.duration_histogram)));
        macro_rules! put_float {
            ($($f:ident),*) => { $( out.push_str(&format!("{} {}\n", stringify!($f), hex(self.$f))); )* };
        }
        with_floats!(put_float);
        out.push_str(&format!("months {}\n", self.months.len()));
        for m in &self.months {
            out.push_str(&format!("m {}\n", m.to_line()));
        }
        out.push_str(&format!("month {}\nend\n", self.month.to_line()));
        out
    }

    /// Reads back [`Recorder::to_text`]: the recorder and the rest of the text after its
    /// `end` line, or what is wrong, by line (`text` beginning on line `first_line`).
    pub fn from_text(text: &str, first_line: usize) -> Result<(Recorder, &str), String> {
        let mut r = TextLines { lines: text.lines().enumerate(), first: first_line };
        let mut rec = Recorder::default();
        macro_rules! get {
            ($($f:ident),*) => { $( rec.$f = r.one(stringify!($f))?; )* };
        }
        get!(days);
        with_counters!(get);
        get!(month_cases_held, month_holders);
        let four = |v: Vec<u64>| -> [u64; 4] { [v[0], v[1], v[2], v[3]] };
        rec.decisions = four(r.many("decisions", 4)?);
        rec.under_rated = four(r.many("under_rated", 4)?);
        rec.duration_histogram = r.many("duration_histogram", HISTOGRAM_DAYS + 1)?;
        macro_rules! get_float {
            ($($f:ident),*) => { $( rec.$f = r.float(stringify!($f))?; )* };
        }
        with_floats!(get_float);
        let n = r.one("months")?;
        rec.months = (0..n)
            .map(|_| {
                let (line, v) = r.next("m")?;
                MonthRecord::from_words(line, "m", &v)
            })
            .collect::<Result<_, String>>()?;
        let (line, v) = r.next("month")?;
        rec.month = MonthRecord::from_words(line, "month", &v)?;
        let (end, _) = r.next("end")?;
        // The rest begins after the `end` line.
        let rest = text.split_inclusive('\n').skip(end + 1 - first_line).map(str::len).sum::<usize>();
        Ok((rec, &text[text.len() - rest..]))
    }
}
