//! The three timestamp shapes the logs need, computed by hand from the Unix time.
//!
//! Each log keeps the timestamp its readers' parsers expect (nginx's error log, nginx's
//! `$time_local`, ModSecurity's `ascTime`). All are written in UTC: nginx and ModSecurity use
//! the local time zone, but a proxy in a container rarely has one worth trusting, and pulling
//! in a time-zone database for three format strings is not worth it. The access log says
//! `+0000`, so nothing there is ambiguous.

use std::time::{SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// A UTC calendar date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 is Sunday.
    pub weekday: u32,
}

impl Civil {
    /// Whole seconds of `time`; a time before 1970 (a broken clock) counts as 1970.
    pub fn from_system(time: SystemTime) -> Civil {
        let secs = time
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
        Civil::from_unix(secs)
    }

    pub fn from_unix(secs: i64) -> Civil {
        let days = secs.div_euclid(86_400);
        let of_day = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        // 1970-01-01 was a Thursday.
        let weekday = (days + 4).rem_euclid(7);
        Civil {
            year,
            month,
            day,
            hour: (of_day / 3600) as u32,
            minute: (of_day / 60 % 60) as u32,
            second: (of_day % 60) as u32,
            weekday: weekday as u32,
        }
    }

    fn month_name(&self) -> &'static str {
        MONTHS
            .get(self.month.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("Jan")
    }

    fn weekday_name(&self) -> &'static str {
        WEEKDAYS
            .get(self.weekday as usize)
            .copied()
            .unwrap_or("Sun")
    }

    /// nginx's error log: `2026/11/24 13:59:01`.
    pub fn error_log(&self) -> String {
        format!(
            "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// nginx's `$time_local`: `24/Nov/2026:13:59:01 +0000`.
    pub fn access_log(&self) -> String {
        format!(
            "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
            self.day,
            self.month_name(),
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }

    /// ModSecurity v3's audit `time_stamp` (`strftime("%a %b %d %T %Y")`):
    /// `Tue Nov 24 13:59:01 2026`.
    pub fn audit(&self) -> String {
        format!(
            "{} {} {:02} {:02}:{:02}:{:02} {:04}",
            self.weekday_name(),
            self.month_name(),
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.year
        )
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), counting in 400-year
/// eras of 146,097 days that start on March 1st so that the leap day ends each year.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months counted from March: 0 is March, 11 is February.
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        let epoch = Civil::from_unix(0);
        assert_eq!(epoch.error_log(), "1970/01/01 00:00:00");
        assert_eq!(epoch.audit(), "Thu Jan 01 00:00:00 1970");
        // A leap day at the turn of a 400-year era.
        let leap = Civil::from_unix(951_782_400);
        assert_eq!(leap.error_log(), "2000/02/29 00:00:00");
        assert_eq!(leap.audit(), "Tue Feb 29 00:00:00 2000");
        let now = Civil::from_unix(1_795_530_046);
        assert_eq!(now.error_log(), "2026/11/24 14:20:46");
        assert_eq!(now.access_log(), "24/Nov/2026:14:20:46 +0000");
        assert_eq!(now.audit(), "Tue Nov 24 14:20:46 2026");
        let before = Civil::from_unix(-1);
        assert_eq!(before.error_log(), "1969/12/31 23:59:59");
        assert_eq!(before.weekday_name(), "Wed");
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        // Walk day by day from 1900 to 2300 checking the calendar never skips or repeats.
        let mut previous = Civil::from_unix(-2_208_988_800);
        assert_eq!((previous.year, previous.month, previous.day), (1900, 1, 1));
        for n in 1..146_097_i64 {
            let next = Civil::from_unix(-2_208_988_800 + n * 86_400);
            let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let length = match previous.month {
                2 if leap(previous.year) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if previous.day < length {
                assert_eq!(
                    (next.year, next.month, next.day),
                    (previous.year, previous.month, previous.day + 1)
                );
            } else if previous.month < 12 {
                assert_eq!(
                    (next.year, next.month, next.day),
                    (previous.year, previous.month + 1, 1)
                );
            } else {
                assert_eq!((next.year, next.month, next.day), (previous.year + 1, 1, 1));
            }
            assert_eq!(next.weekday, (previous.weekday + 1) % 7);
            previous = next;
        }
    }
}
