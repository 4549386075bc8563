//! Time for the core: a [`Timestamp`] (unix milliseconds, UTC) and a [`Duration`], with a hand-written
//! RFC 3339 parser and formatter. The core never reads a clock; every `now` is passed in by the caller.

use std::fmt;

/// An instant, in milliseconds since 1970-01-01T00:00:00Z. Years 0001..=9999 round-trip through RFC 3339.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp(i64);

/// A span of time in milliseconds (may be negative when it is the difference of two timestamps).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Duration(i64);

/// Why a date-time string was not accepted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimeError {
    /// Not of the shape `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    Malformed,
    /// The shape is right but a field is out of range (month 13, 31 February, hour 24 …).
    OutOfRange,
}

impl TimeError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            TimeError::Malformed => "invalid_timestamp",
            TimeError::OutOfRange => "timestamp_out_of_range",
        }
    }
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeError::Malformed => "date-time is not RFC 3339",
            TimeError::OutOfRange => "date-time field out of range",
        })
    }
}

impl std::error::Error for TimeError {}

const MS_PER_SEC: i64 = 1_000;
const MS_PER_DAY: i64 = 86_400_000;

impl Duration {
    /// Zero length.
    pub const ZERO: Duration = Duration(0);

    /// From milliseconds.
    pub const fn from_millis(ms: i64) -> Self {
        Duration(ms)
    }
    /// From seconds.
    pub const fn from_secs(s: i64) -> Self {
        Duration(s.saturating_mul(MS_PER_SEC))
    }
    /// From minutes.
    pub const fn from_mins(m: i64) -> Self {
        Duration(m.saturating_mul(60 * MS_PER_SEC))
    }
    /// From hours.
    pub const fn from_hours(h: i64) -> Self {
        Duration(h.saturating_mul(3_600 * MS_PER_SEC))
    }
    /// From days of 24 hours.
    pub const fn from_days(d: i64) -> Self {
        Duration(d.saturating_mul(MS_PER_DAY))
    }
    /// Length in milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses a .NET timespan `[d.]hh:mm:ss[.fraction]` (Dojo's `autoExpireIn`, e.g. `"00:00:55"`,
    /// `"6.23:59:59"`). Negative spans are rejected.
    pub fn parse_timespan(s: &str) -> Result<Duration, TimeError> {
        let (days, rest) = match s.split_once('.') {
            Some((d, r)) if r.contains(':') => (d, r),
            _ => ("0", s),
        };
        let (hms, frac) = match rest.split_once('.') {
            Some((a, b)) => (a, b),
            None => (rest, ""),
        };
        let mut parts = hms.split(':');
        let num = |p: Option<&str>| -> Result<i64, TimeError> {
            let p = p.ok_or(TimeError::Malformed)?;
            if p.is_empty() || p.len() > 9 || !p.bytes().all(|c| c.is_ascii_digit()) {
                return Err(TimeError::Malformed);
            }
            p.parse::<i64>().map_err(|_| TimeError::Malformed)
        };
        let d = num(Some(days))?;
        let (h, m, sec) = (num(parts.next())?, num(parts.next())?, num(parts.next())?);
        if parts.next().is_some() || !frac.bytes().all(|c| c.is_ascii_digit()) {
            return Err(TimeError::Malformed);
        }
        if h > 23 || m > 59 || sec > 59 {
            return Err(TimeError::OutOfRange);
        }
        let mut ms = 0i64;
        for (i, c) in frac.bytes().take(3).enumerate() {
            ms += i64::from(c - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0);
        }
        Ok(Duration(
            d * MS_PER_DAY + ((h * 60 + m) * 60 + sec) * MS_PER_SEC + ms,
        ))
    }
}

impl Timestamp {
    /// 0001-01-01T00:00:00Z, the earliest instant RFC 3339 can write.
    pub const MIN: Timestamp = Timestamp(-62_135_596_800_000);
    /// 9999-12-31T23:59:59.999Z, the latest instant RFC 3339 can write.
    pub const MAX: Timestamp = Timestamp(253_402_300_799_999);

    /// From unix milliseconds (what `Date.now()` returns).
    pub const fn from_unix_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Unix milliseconds.
    pub const fn as_unix_millis(self) -> i64 {
        self.0
    }

    /// `self + d`, saturating at the ends of `i64`.
    pub const fn saturating_add(self, d: Duration) -> Self {
        Timestamp(self.0.saturating_add(d.0))
    }

    /// `self - d`, saturating at the ends of `i64`.
    pub const fn saturating_sub(self, d: Duration) -> Self {
        Timestamp(self.0.saturating_sub(d.0))
    }

    /// `self - earlier` (negative when `earlier` is later).
    pub const fn since(self, earlier: Timestamp) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }

    /// Parses RFC 3339: `Z`/`z` or a `±HH:MM` offset, `T`/`t`/space separator, fractional seconds of any
    /// length (truncated to milliseconds), leap second `60` read as `59.999`.
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, TimeError> {
        let b = s.as_bytes();
        if b.len() < 20 {
            return Err(TimeError::Malformed);
        }
        let year = digits(b, 0, 4)?;
        expect(b, 4, b'-')?;
        let month = digits(b, 5, 2)?;
        expect(b, 7, b'-')?;
        let day = digits(b, 8, 2)?;
        match b.get(10) {
            Some(b'T' | b't' | b' ') => {}
            _ => return Err(TimeError::Malformed),
        }
        let hour = digits(b, 11, 2)?;
        expect(b, 13, b':')?;
        let minute = digits(b, 14, 2)?;
        expect(b, 16, b':')?;
        let mut second = digits(b, 17, 2)?;
        let mut i = 19;
        let mut millis = 0i64;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                if i - start < 3 {
                    millis = millis * 10 + i64::from(c - b'0');
                }
                i += 1;
            }
            if i == start {
                return Err(TimeError::Malformed);
            }
            for _ in (i - start)..3 {
                millis *= 10;
            }
        }
        let offset_min = match b.get(i) {
            Some(b'Z' | b'z') => {
                i += 1;
                0
            }
            Some(&sign @ (b'+' | b'-')) => {
                let oh = digits(b, i + 1, 2)?;
                expect(b, i + 3, b':')?;
                let om = digits(b, i + 4, 2)?;
                if oh > 23 || om > 59 {
                    return Err(TimeError::OutOfRange);
                }
                i += 6;
                let m = oh * 60 + om;
                if sign == b'-' {
                    -m
                } else {
                    m
                }
            }
            _ => return Err(TimeError::Malformed),
        };
        if i != b.len() {
            return Err(TimeError::Malformed);
        }
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(TimeError::OutOfRange);
        }
        if second == 60 {
            second = 59;
            millis = 999;
        }
        let days = days_from_civil(year, month, day);
        let ms = days * MS_PER_DAY
            + ((hour * 60 + minute - offset_min) * 60 + second) * MS_PER_SEC
            + millis;
        Ok(Timestamp(ms))
    }

    /// Midnight UTC of a calendar day (`month` 1..=12, `day` 1..=31), clamped to [`Timestamp::MIN`]..=
    /// [`Timestamp::MAX`].
    pub fn from_civil(year: i64, month: u32, day: u32) -> Timestamp {
        let y = year.clamp(0, 9999);
        let days = days_from_civil(
            y,
            i64::from(month.clamp(1, 12)),
            i64::from(day.clamp(1, 31)),
        );
        Timestamp(
            days.saturating_mul(MS_PER_DAY)
                .clamp(Self::MIN.0, Self::MAX.0),
        )
    }

    /// The UTC calendar year and month (1..=12) of this instant.
    pub fn year_month(self) -> (i64, u32) {
        let (y, m, _) = civil_from_days(self.0.div_euclid(MS_PER_DAY));
        // ok: `civil_from_days` returns a month in 1..=12, so the conversion cannot fail.
        (y, u32::try_from(m).unwrap_or(1))
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SS.mmmZ`, clamped to [`Timestamp::MIN`]..=[`Timestamp::MAX`].
    pub fn to_rfc3339(self) -> String {
        let ms = self.0.clamp(Self::MIN.0, Self::MAX.0);
        let days = ms.div_euclid(MS_PER_DAY);
        let rem = ms.rem_euclid(MS_PER_DAY);
        let (y, mo, d) = civil_from_days(days);
        let mut out = String::with_capacity(24);
        push_num(&mut out, y, 4);
        out.push('-');
        push_num(&mut out, mo, 2);
        out.push('-');
        push_num(&mut out, d, 2);
        out.push('T');
        push_num(&mut out, rem / 3_600_000, 2);
        out.push(':');
        push_num(&mut out, rem / 60_000 % 60, 2);
        out.push(':');
        push_num(&mut out, rem / 1_000 % 60, 2);
        out.push('.');
        push_num(&mut out, rem % 1_000, 3);
        out.push('Z');
        out
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Timestamp::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

fn expect(b: &[u8], i: usize, c: u8) -> Result<(), TimeError> {
    if b.get(i) == Some(&c) {
        Ok(())
    } else {
        Err(TimeError::Malformed)
    }
}

fn digits(b: &[u8], start: usize, n: usize) -> Result<i64, TimeError> {
    let slice = b.get(start..start + n).ok_or(TimeError::Malformed)?;
    let mut v = 0i64;
    for &c in slice {
        if !c.is_ascii_digit() {
            return Err(TimeError::Malformed);
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Ok(v)
}

fn push_num(out: &mut String, v: i64, width: u32) {
    let mut div = 10i64.pow(width.saturating_sub(1));
    let v = v.max(0);
    while div > 0 {
        // ok: `v / div % 10` is a single decimal digit, so the cast and `from_digit` cannot fail.
        out.push(char::from(b'0' + (v / div % 10) as u8));
        div /= 10;
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: Result<&str, TimeError>) {
        let got = Timestamp::parse_rfc3339(input).map(Timestamp::to_rfc3339);
        assert_eq!(got.as_deref().map_err(|e| *e), expect, "input {input:?}");
    }

    #[test]
    fn parse_and_format() {
        check("1970-01-01T00:00:00Z", Ok("1970-01-01T00:00:00.000Z"));
        check(
            "2024-04-07T23:25:44.802258Z",
            Ok("2024-04-07T23:25:44.802Z"),
        );
        check(
            "2024-05-07T23:25:44.8023189Z",
            Ok("2024-05-07T23:25:44.802Z"),
        );
        check(
            "2024-02-29T12:00:00.5+01:30",
            Ok("2024-02-29T10:30:00.500Z"),
        );
        check("2024-01-01t00:00:00-00:30", Ok("2024-01-01T00:30:00.000Z"));
        check("2024-01-01 00:00:00z", Ok("2024-01-01T00:00:00.000Z"));
        check("0001-01-01T00:00:00Z", Ok("0001-01-01T00:00:00.000Z"));
        check(
            "9999-12-31T23:59:59.999999Z",
            Ok("9999-12-31T23:59:59.999Z"),
        );
        check("2016-12-31T23:59:60Z", Ok("2016-12-31T23:59:59.999Z"));
        check("1969-12-31T23:59:59.999Z", Ok("1969-12-31T23:59:59.999Z"));
        check("2023-02-29T00:00:00Z", Err(TimeError::OutOfRange));
        check("2024-13-01T00:00:00Z", Err(TimeError::OutOfRange));
        check("2024-01-01T24:00:00Z", Err(TimeError::OutOfRange));
        check("2024-01-01T00:00:00", Err(TimeError::Malformed));
        check("2024-01-01T00:00:00.Z", Err(TimeError::Malformed));
        check("2024-01-01T00:00:00Zjunk", Err(TimeError::Malformed));
        check("2024-1-01T00:00:00Z", Err(TimeError::Malformed));
        check("", Err(TimeError::Malformed));
        check("２024-01-01T00:00:00Z", Err(TimeError::Malformed));
    }

    #[test]
    fn epoch_values() {
        let t = Timestamp::parse_rfc3339("2024-04-07T23:25:44.802Z").unwrap();
        assert_eq!(t.as_unix_millis(), 1_712_532_344_802);
        assert_eq!(Timestamp::MIN.to_rfc3339(), "0001-01-01T00:00:00.000Z");
        assert_eq!(Timestamp::MAX.to_rfc3339(), "9999-12-31T23:59:59.999Z");
        assert_eq!(
            Timestamp::from_unix_millis(i64::MAX).to_rfc3339(),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            t.saturating_add(Duration::from_days(7)).since(t),
            Duration::from_hours(168)
        );
    }

    #[test]
    fn timespans() {
        let ok = |s: &str| Duration::parse_timespan(s).map(Duration::as_millis);
        assert_eq!(ok("00:00:55"), Ok(55_000));
        assert_eq!(ok("6.23:59:59"), Ok(7 * 86_400_000 - 1_000));
        assert_eq!(ok("01:02:03.5"), Ok(3_723_500));
        assert_eq!(ok("1.00:00:00.25"), Ok(86_400_250));
        assert_eq!(ok("24:00:00"), Err(TimeError::OutOfRange));
        assert_eq!(ok("-00:00:01"), Err(TimeError::Malformed));
        assert_eq!(ok("00:00"), Err(TimeError::Malformed));
        assert_eq!(ok("00:00:00:00"), Err(TimeError::Malformed));
        assert_eq!(ok(""), Err(TimeError::Malformed));
    }

    #[test]
    fn serde_round_trip() {
        let t = Timestamp::from_unix_millis(1_700_000_000_123);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2023-11-14T22:13:20.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert!(serde_json::from_str::<Timestamp>("\"nope\"").is_err());
    }
}
