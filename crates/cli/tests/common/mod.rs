//! Starting the real `veikart` binary for the tests that kill it.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed expectation must fail the test loudly"
)]

use std::process::Command;
use std::time::{Duration, Instant};

use veikart_tests::{SECRET, TestDb};

/// `veikart serve` on `db`, on a free port of 127.0.0.1, with two workers and the tests'
/// token secret; and the base URL it will answer on. The caller adds what it needs
/// (environment, output) and spawns it, then waits with [`wait_until_ready`].
pub fn serve(db: &TestDb) -> (Command, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_veikart"));
    command
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--workers",
            "2",
        ])
        .env("DATABASE_URL", db.url().as_str())
        .env("VEIKART_JWT_SECRET", std::str::from_utf8(SECRET).unwrap());
    (command, format!("http://127.0.0.1:{port}"))
}

/// Waits until the server at `base` answers `/readyz` (a minute at most).
pub fn wait_until_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("{base}/readyz")).call().is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}
