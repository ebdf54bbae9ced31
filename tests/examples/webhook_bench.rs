//! The webhook benchmark (run by `bench/webhooks`, see docs/benchmarks.md): the real
//! server in this process, a receiver on 127.0.0.1 answering 200 at once.
//!
//! 1. Delivery throughput: `BENCH_EVENTS` events (5,000) written at once for one endpoint,
//!    timed from the write until the receiver has them all, in events/s.
//! 2. A record write with one enabled endpoint against none: `BENCH_WRITES` (500)
//!    `POST …/members` one after another in an organisation without endpoints and in one
//!    with an endpoint (whose deliveries run meanwhile), `BENCH_ROUNDS` (3) rounds
//!    interleaved; the median round of each, as writes/s and the ratio.
//!
//! On SQLite, or on PostgreSQL when `VEIKART_TEST_POSTGRES_URL` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failed set-up must stop it loudly"
)]

use std::time::{Duration, Instant};

use veikart_api::webhooks::delivery::schedule::Schedule;
use veikart_tests::receiver::Receiver;
use veikart_tests::webhooks::{insert_endpoint, insert_events};
use veikart_tests::{TestApp, record_body};

fn number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let events = number("BENCH_EVENTS", 5000);
    let writes = number("BENCH_WRITES", 500) as u32;
    let rounds = number("BENCH_ROUNDS", 3) as u32;
    let app = TestApp::spawn_with(|settings| {
        settings.webhook_delivery.enabled = true;
        settings.webhooks.allow_loopback = true;
        settings.webhooks.allow_http = true;
        settings.webhook_delivery.schedule = Schedule::default();
        settings.workers = None;
        settings.pool.max_connections = 8;
    });
    println!("database: {:?}", app.db.backend());

    let receiver = Receiver::ok();
    let org = app.create_org("throughput");
    insert_endpoint(&app.db, &org, &receiver.url, &["*"]);
    let started = Instant::now();
    insert_events(&app.db, &org, events);
    receiver.wait_until(Duration::from_secs(600), |r| r.len() >= events);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "delivery: {events} events in {seconds:.2} s = {:.0} events/s (one endpoint, one instance)",
        events as f64 / seconds
    );

    let quiet = app.create_org("no-hooks");
    let hooked = app.create_org("one-hook");
    let write_receiver = Receiver::ok();
    insert_endpoint(&app.db, &hooked, &write_receiver.url, &["*"]);
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let first = round * writes;
        without.push(write_rate(&app, &quiet, first, writes));
        with.push(write_rate(&app, &hooked, first, writes));
    }
    let (without, with) = (median(without), median(with));
    println!(
        "record write: {without:.0} writes/s without endpoints, {with:.0} with one \
         enabled endpoint: time ratio {:.3} (median of {rounds} rounds of {writes})",
        without / with
    );
    let delivered = write_receiver
        .wait_until(Duration::from_secs(120), |r| {
            r.len() >= (rounds * writes) as usize
        })
        .len();
    println!("  the endpoint received {delivered} events of those writes");
}

/// Writes per second of `n` members created one after another.
fn write_rate(app: &TestApp, org: &str, first: u32, n: u32) -> f64 {
    let started = Instant::now();
    for i in first..first + n {
        app.create(org, "/members", record_body("members", i));
    }
    f64::from(n) / started.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
