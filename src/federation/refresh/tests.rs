use chrono::{Duration, TimeZone, Utc};

use super::next_crawl;

#[test]
fn threads_are_crawled_often_while_young_and_then_never() {
    let published = Utc
        .with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
        .single()
        .expect("date");
    let at = |hours| published + Duration::hours(hours);
    assert_eq!(
        next_crawl(published, at(2)),
        Some(at(3)),
        "hourly on day one"
    );
    assert_eq!(
        next_crawl(published, at(30)),
        Some(at(36)),
        "six-hourly in week one"
    );
    assert_eq!(
        next_crawl(published, at(24 * 10)),
        Some(at(24 * 11)),
        "daily in month one"
    );
    assert_eq!(next_crawl(published, at(24 * 31)), None, "then never");
}
