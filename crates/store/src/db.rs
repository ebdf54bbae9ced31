//! Connecting: which backend `DATABASE_URL` names, the pool, migrations, transactions.
//!
//! This is the one place that knows there are two backends. Everything else goes through
//! [`DbConnection`], diesel's `MultiConnection` over both, which runs the same query code
//! on either.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{InstrumentationEvent, SimpleConnection};
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::StoreError;

/// One connection to either backend; queries are written once against this type.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// `$run`, with `$conn` (a `&mut DbConnection`) seen as its backend's own connection
/// (`PgConnection` or `SqliteConnection`) under the name `$c`; `$run` is compiled once for
/// each backend.
///
/// For the reads every request makes. A query written without `into_boxed` has a static
/// type, and on its backend's own connection that type is its prepared statement's key:
/// the statement is found without building the SQL text, which is written once per
/// connection. Through `DbConnection` the text is built on every run (twice: the
/// `MultiConnection` writes the query out before its backend sees it), and the statement
/// is looked up by it (docs/benchmarks.md, "CPU per request").
macro_rules! on_own_backend {
    ($conn:expr, |$c:ident| $run:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($c) => $run,
            $crate::db::DbConnection::Sqlite($c) => $run,
        }
    };
}

pub(crate) use on_own_backend;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// The default database when `DATABASE_URL` is not set: a SQLite file in the working
/// directory.
pub const DEFAULT_SQLITE_PATH: &str = "veikart.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// Where the database is, read from `DATABASE_URL`: `postgres://…` or `postgresql://…`
/// for PostgreSQL; `sqlite://path`, `sqlite:path` or a plain file path for SQLite.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    /// The libpq connection string, or the SQLite file path.
    target: String,
}

impl DatabaseUrl {
    pub fn parse(url: Option<&str>) -> Self {
        let url = url.map(str::trim).filter(|u| !u.is_empty());
        match url {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => Self {
                backend: Backend::Postgres,
                target: u.to_owned(),
            },
            Some(u) => {
                let path = u
                    .strip_prefix("sqlite://")
                    .or_else(|| u.strip_prefix("sqlite:"))
                    .unwrap_or(u);
                Self {
                    backend: Backend::Sqlite,
                    target: path.to_owned(),
                }
            }
            None => Self {
                backend: Backend::Sqlite,
                target: DEFAULT_SQLITE_PATH.to_owned(),
            },
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite file, when the backend is SQLite.
    /// The database as `DATABASE_URL` names it (the connection string, or the SQLite
    /// file's path): what another process needs to open the same database.
    pub fn as_str(&self) -> &str {
        &self.target
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        (self.backend == Backend::Sqlite).then(|| Path::new(&self.target))
    }

    fn connect(&self, options: &PoolOptions) -> Result<DbConnection, ConnectError> {
        let mut conn = self.open(options)?;
        if let Some(counter) = &options.statement_counter {
            let counter = counter.clone();
            conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { .. } = event {
                    counter.increment();
                }
            });
        }
        Ok(conn)
    }

    fn open(&self, options: &PoolOptions) -> Result<DbConnection, ConnectError> {
        match self.backend {
            Backend::Postgres => Ok(DbConnection::Pg(PgConnection::establish(&self.target)?)),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                // busy_timeout first: the journal_mode switch itself may have to wait.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                    options.sqlite_busy_timeout.as_millis()
                ))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Shows where the database is without any password in the URL.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl DatabaseUrl {
    /// The URL with the password, if any, replaced by `***`: safe to log and print.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.target),
            Backend::Postgres => match (self.target.find("://"), self.target.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let userinfo = &self.target[scheme_end + 3..at];
                    match userinfo.split_once(':') {
                        Some((user, _)) => format!(
                            "{}{user}:***{}",
                            &self.target[..scheme_end + 3],
                            &self.target[at..]
                        ),
                        None => self.target.clone(),
                    }
                }
                _ => self.target.clone(),
            },
        }
    }

    /// A file beside the SQLite database with the given suffix (`veikart.db.jwt-secret`).
    pub fn sqlite_sidecar(&self, suffix: &str) -> Option<PathBuf> {
        self.sqlite_path().map(|p| {
            let mut name = p.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
    }
}

/// Pool sizing and timeouts.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_connections: u32,
    /// How long a request waits for a connection before the database counts as unavailable.
    pub connection_timeout: Duration,
    /// How long SQLite waits for a lock held by another connection.
    pub sqlite_busy_timeout: Duration,
    /// Counts every statement the pool's connections send (for the tests that hold each
    /// read to its number of statements, and for diagnostics); `None` counts nothing.
    pub statement_counter: Option<StatementCounter>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            connection_timeout: Duration::from_secs(3),
            sqlite_busy_timeout: Duration::from_secs(5),
            statement_counter: None,
        }
    }
}

/// How many statements the connections it is given to have sent (diesel's
/// instrumentation: every `StartQuery`, including `BEGIN` and `COMMIT`).
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    fn increment(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The pool's view of connection failures, shared by its manager and [`Database::run`].
///
/// No connection is probed when it is handed out: a probe costs a round trip on every
/// request. Instead, a query that finds the database unavailable counts a failure, and a
/// connection opened or last checked before the latest failure gets one probe when it is
/// next handed out; a dead one is dropped and replaced then. So after an outage the
/// request that met it answers 503, and the ones after it get live connections.
#[derive(Debug, Default)]
struct Failures(AtomicU64);

impl Failures {
    fn seen(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    fn record(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A pooled connection, and the failure count when it was last known to work.
pub struct PooledConnection {
    conn: DbConnection,
    checked_at: u64,
}

impl std::ops::Deref for PooledConnection {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// The connection pool, and what runs storage code on one of its connections.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    failures: Arc<Failures>,
    waits: Arc<Waits>,
}

/// Checkouts that found every connection in use and had to wait for one (the pool's
/// own state says how many connections there are, not how often requests queued).
#[derive(Debug, Default)]
struct Waits(AtomicU64);

/// The pool at one moment, for the service's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub max_connections: u32,
    pub in_use: u32,
    pub idle: u32,
    /// Checkouts so far that had to wait for a connection.
    pub waits: u64,
}

impl Database {
    /// Runs `f` on one pooled connection. A failure that says the database is unavailable
    /// marks every connection checked before it for a probe at its next use.
    pub fn run<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.checkout()?;
        self.noting_outage(f(&mut conn))
    }

    /// Runs `f` at once on the calling thread when a pooled connection is idle; gives `f`
    /// back when none is (it never waits for a connection, nor opens one). A failure is
    /// recorded as in [`Database::run`].
    pub fn run_if_idle<T, F>(&self, f: F) -> Result<Result<T, StoreError>, F>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    {
        let Some(mut conn) = self.pool.try_get() else {
            return Err(f);
        };
        Ok(self.noting_outage(f(&mut conn)))
    }

    /// `result`, after counting it as a failure when it says the database is unavailable
    /// (see [`Failures`]).
    fn noting_outage<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(StoreError::Unavailable(_)) = &result {
            self.failures.record();
        }
        result
    }

    /// A connection from the pool; a checkout that finds them all in use is counted.
    fn checkout(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, r2d2::Error> {
        let state = self.pool.state();
        if state.idle_connections > 0 || state.connections < self.pool.max_size() {
            return self.pool.get();
        }
        self.waits.0.fetch_add(1, Ordering::Relaxed);
        self.pool.get()
    }

    /// How many connections are in use and idle, and the waits so far.
    pub fn pool_stats(&self) -> PoolStats {
        let state = self.pool.state();
        PoolStats {
            max_connections: self.pool.max_size(),
            in_use: state.connections.saturating_sub(state.idle_connections),
            idle: state.idle_connections,
            waits: self.waits.0.load(Ordering::Relaxed),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// Opens connections of the backend the URL names (rather than diesel's
/// `MultiConnection::establish`, which tries each backend and hides the real error).
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    options: PoolOptions,
    failures: Arc<Failures>,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = PooledConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<PooledConnection, ConnectError> {
        Ok(PooledConnection {
            checked_at: self.failures.seen(),
            conn: self.url.connect(&self.options)?,
        })
    }

    /// Called on every checkout: free unless a failure was seen since the connection was
    /// last known to work (see [`Failures`]).
    fn is_valid(&self, conn: &mut PooledConnection) -> Result<(), ConnectError> {
        let failures = self.failures.seen();
        if conn.checked_at != failures {
            conn.conn.batch_execute("SELECT 1")?;
            conn.checked_at = failures;
        }
        Ok(())
    }

    fn has_broken(&self, _conn: &mut PooledConnection) -> bool {
        false
    }
}

/// Builds the pool. Connections are opened lazily, so this succeeds while the database
/// is down; [`migrate`] is what proves it reachable at start.
pub fn database(url: &DatabaseUrl, options: PoolOptions) -> Database {
    let max = options.max_connections.max(1);
    let timeout = options.connection_timeout;
    let failures = Arc::new(Failures::default());
    let pool = r2d2::Pool::builder()
        .max_size(max)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(true)
        .build_unchecked(ConnectionManager {
            url: url.clone(),
            options,
            failures: failures.clone(),
        });
    Database {
        pool,
        failures,
        waits: Arc::default(),
    }
}

/// Opens a single connection outside any pool (for `veikart migrate` and start-up).
pub fn connect(url: &DatabaseUrl) -> Result<DbConnection, StoreError> {
    if let Some(parent) = url.sqlite_path().and_then(Path::parent)
        && !parent.as_os_str().is_empty()
        && !parent.exists()
    {
        return Err(StoreError::Unavailable(format!(
            "the folder {} for the SQLite database does not exist",
            parent.display()
        )));
    }
    url.connect(&PoolOptions::default()).map_err(|e| match e {
        ConnectError::Connection(c) => StoreError::Unavailable(c.to_string()),
        ConnectError::Query(q) => StoreError::from(q),
    })
}

/// Applies the pending migrations of the connection's backend; returns their names.
/// On PostgreSQL an advisory lock keeps instances that start together from racing.
pub fn migrate(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    const LOCK_KEY: i64 = 0x0056_6569_6b61_7274; // "Veikart" in ASCII
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Migration(e.to_string());
    let applied = match conn {
        DbConnection::Pg(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({LOCK_KEY})"))?;
            let result = pg
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>());
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"))?;
            result.map_err(failed)?
        }
        DbConnection::Sqlite(sqlite) => sqlite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect())
            .map_err(failed)?,
    };
    Ok(applied)
}

/// An open write transaction. Every function that writes takes one, so a write cannot
/// happen outside a transaction, and several writes (a change and its audit entry, a whole
/// imported plan) commit or fail together. It dereferences to the connection for reads.
pub struct Tx<'a> {
    conn: &'a mut DbConnection,
    /// The organisations whose data this transaction changed (noted by
    /// [`crate::audit::record`]), told to the caller once it has committed.
    changed: Vec<i64>,
}

impl Tx<'_> {
    /// Notes that the transaction changes organisation `org_id`'s data.
    pub(crate) fn note_change(&mut self, org_id: i64) {
        if !self.changed.contains(&org_id) {
            self.changed.push(org_id);
        }
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        self.conn
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut DbConnection {
        self.conn
    }
}

/// Runs `f` in one write transaction: everything or nothing.
///
/// On SQLite the transaction starts with `BEGIN IMMEDIATE`, taking the write lock before
/// the first read, so that a read-then-write (check a version, then update) waits for a
/// concurrent writer instead of failing with "database is locked" when it tries to write.
///
/// `f` may fail with any error a [`StoreError`] converts into (the caller's own, when it
/// has failures of its own that must undo the transaction).
pub fn write_transaction<T, E: From<StoreError>>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
) -> Result<T, E> {
    write_transaction_telling(conn, f).map(|(value, _)| value)
}

/// [`write_transaction`], also telling which organisations' data it changed once it has
/// committed (every audited write notes its organisation): those whose KPI statuses may
/// have moved.
pub fn write_transaction_telling<T, E: From<StoreError>>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
) -> Result<(T, Vec<i64>), E> {
    let begin = match conn {
        DbConnection::Pg(_) => "BEGIN",
        DbConnection::Sqlite(_) => "BEGIN IMMEDIATE",
    };
    in_transaction(conn, begin, |conn| {
        let mut tx = Tx {
            conn,
            changed: Vec::new(),
        };
        let value = f(&mut tx)?;
        Ok((value, tx.changed))
    })
}

/// The PostgreSQL advisory lock key of organisation `org_id`'s KPI status evaluation: a
/// namespace in the high 32 bits (ASCII "KPIs", apart from the migrations' key), the
/// organisation in the low 32 (two organisations whose ids differ by 2^32 would share a
/// lock, which only makes one wait for the other's turn).
pub fn kpi_evaluation_lock_key(org_id: i64) -> i64 {
    const NAMESPACE: i64 = 0x4b50_4973 << 32;
    NAMESPACE | (org_id & 0xffff_ffff)
}

/// Takes the lock of the KPI status evaluation of organisation `org_id` until the
/// transaction ends, if no other transaction holds it (`false` then, at once). On
/// PostgreSQL a transaction-level advisory lock, so that of several instances sharing
/// the database one evaluates an organisation at a time and the others do not queue
/// behind it; on SQLite always `true` (one process evaluates, and `BEGIN IMMEDIATE`
/// already serialises writers).
pub fn try_lock_kpi_evaluation(tx: &mut Tx<'_>, org_id: i64) -> Result<bool, StoreError> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    match &mut **tx {
        DbConnection::Pg(pg) => {
            let key = kpi_evaluation_lock_key(org_id);
            let row: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
                .bind::<diesel::sql_types::BigInt, _>(key)
                .get_result(pg)?;
            Ok(row.locked)
        }
        DbConnection::Sqlite(_) => Ok(true),
    }
}

/// The locking clause that makes a `SELECT` of rows to claim skip the rows another
/// transaction is claiming: `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite,
/// where one writer runs at a time.
pub fn skip_locked(conn: &DbConnection) -> &'static str {
    match conn {
        DbConnection::Pg(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    }
}

/// Runs `f` between `begin` (one batch of SQL that opens a transaction) and `COMMIT`, or
/// `ROLLBACK` when `f` fails or panics.
fn in_transaction<T, E: From<StoreError>>(
    conn: &mut DbConnection,
    begin: &str,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    conn.batch_execute(begin).map_err(StoreError::from)?;
    let mut guard = RollbackOnDrop { conn: Some(conn) };
    let result = match guard.conn.as_deref_mut() {
        Some(conn) => f(conn),
        None => Err(StoreError::Unavailable("connection lost".into()).into()),
    };
    let conn = guard.conn.take();
    match (result, conn) {
        (Ok(value), Some(conn)) => match conn.batch_execute("COMMIT") {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = conn.batch_execute("ROLLBACK");
                Err(StoreError::from(e).into())
            }
        },
        (Err(e), Some(conn)) => {
            conn.batch_execute("ROLLBACK").map_err(StoreError::from)?;
            Err(e)
        }
        (result, None) => result,
    }
}

/// Runs `f`, whose statements look rows up by indexed keys, with PostgreSQL planning each
/// of them for its own parameters and never choosing to read the whole table
/// (`plan_cache_mode = force_custom_plan`, `enable_seqscan = off`, for `f`'s length within
/// the current transaction; just `f` on SQLite). A long write such as an import fills a
/// table while it looks keys up in it: a lookup planned for the table as it was (empty,
/// or before its statistics caught up) — a scan of the organisation's whole index or of
/// the table — would be run again for every later batch, and the import would take time
/// growing with the square of its rows. Only `f`'s statements: planning everything anew
/// would also re-plan the foreign-key checks of every inserted row.
pub fn by_index_each_time<T>(
    tx: &mut Tx<'_>,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let pg = matches!(&**tx, DbConnection::Pg(_));
    if pg {
        tx.batch_execute(
            "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan = off",
        )?;
    }
    let result = f(tx)?;
    if pg {
        tx.batch_execute(
            "SET LOCAL plan_cache_mode = DEFAULT; SET LOCAL enable_seqscan = DEFAULT",
        )?;
    }
    Ok(result)
}

/// Runs `f` in one read-only transaction, so that every statement sees the same snapshot
/// of the data (PostgreSQL: repeatable read; SQLite: a deferred transaction, which in WAL
/// mode reads one snapshot). On PostgreSQL each statement is also planned for its own
/// parameters (`plan_cache_mode = force_custom_plan`): the KPI engine's aggregates run
/// over one organisation's rows, and an organisation far larger than most must not be read
/// with a plan made for the average one.
pub fn read_snapshot<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let begin = match conn {
        DbConnection::Pg(_) => {
            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; \
             SET LOCAL plan_cache_mode = force_custom_plan"
        }
        DbConnection::Sqlite(_) => "BEGIN DEFERRED",
    };
    in_transaction(conn, begin, f)
}

/// Rolls back a transaction opened by [`in_transaction`] if the code inside it panicked, so
/// that the connection goes back to the pool clean.
struct RollbackOnDrop<'a> {
    conn: Option<&'a mut DbConnection>,
}

impl Drop for RollbackOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = conn.batch_execute("ROLLBACK");
        }
    }
}

/// A cheap query that proves the database answers (for `/readyz`). It reads a real
/// table: `SELECT 1` alone would succeed on SQLite without touching the file.
pub fn ping(conn: &mut DbConnection) -> Result<(), StoreError> {
    Ok(conn.batch_execute("SELECT 1 FROM __diesel_schema_migrations LIMIT 1")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_scheme_chooses_the_backend() {
        assert_eq!(DatabaseUrl::parse(None).backend(), Backend::Sqlite);
        assert_eq!(
            DatabaseUrl::parse(None).sqlite_path(),
            Some(Path::new("veikart.db"))
        );
        let pg = DatabaseUrl::parse(Some("postgres://u:secret@localhost/db"));
        assert_eq!(pg.backend(), Backend::Postgres);
        assert_eq!(pg.redacted(), "postgres://u:***@localhost/db");
        assert_eq!(
            DatabaseUrl::parse(Some("postgresql://localhost/db")).backend(),
            Backend::Postgres
        );
        for (url, path) in [
            ("sqlite:///tmp/x.db", "/tmp/x.db"),
            ("sqlite://data/x.db", "data/x.db"),
            ("sqlite:x.db", "x.db"),
            ("./x.db", "./x.db"),
        ] {
            assert_eq!(
                DatabaseUrl::parse(Some(url)).sqlite_path(),
                Some(Path::new(path))
            );
        }
    }

    #[test]
    fn a_sidecar_file_sits_beside_the_database() {
        let url = DatabaseUrl::parse(Some("data/v.db"));
        assert_eq!(
            url.sqlite_sidecar(".jwt-secret"),
            Some(PathBuf::from("data/v.db.jwt-secret"))
        );
        assert_eq!(
            DatabaseUrl::parse(Some("postgres://h/d")).sqlite_sidecar(".x"),
            None
        );
    }

    #[test]
    fn migrations_apply_once_on_a_fresh_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::parse(Some(dir.path().join("m.db").to_str().unwrap()));
        let mut conn = connect(&url).unwrap();
        assert!(!migrate(&mut conn).unwrap().is_empty());
        assert!(migrate(&mut conn).unwrap().is_empty());
    }

    #[test]
    fn a_failed_write_transaction_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::parse(Some(dir.path().join("t.db").to_str().unwrap()));
        let mut conn = connect(&url).unwrap();
        conn.batch_execute("CREATE TABLE t (x INTEGER)").unwrap();
        let result: Result<(), StoreError> = write_transaction(&mut conn, |tx| {
            tx.batch_execute("INSERT INTO t VALUES (1)")?;
            Err(StoreError::NotFound)
        });
        assert!(matches!(result, Err(StoreError::NotFound)));
        write_transaction(&mut conn, |c| {
            Ok::<_, StoreError>(c.batch_execute("INSERT INTO t VALUES (2)")?)
        })
        .unwrap();
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let count: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(count.n, 1);
    }
}
