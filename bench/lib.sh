# Shared by Veikart's benchmark scripts (bench/run, bench/scorecard): the tools, the
# PostgreSQL cluster, the release binary, a database and a service that are always cleaned
# up, and the load generators with their accounting of other work on the machine.
#
# The sourcing script sets ROOT, BENCH_DIR, CONNECTIONS, THREADS, MAX_OTHER_WORK and
# QUIET_BUDGET first, and runs with `set -euo pipefail`.

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------

APT_UPDATED=
apt_install() {
  [[ $(id -u) == 0 ]] || die "missing $*; install it (apt-get install $*) or run as root"
  if [[ -z $APT_UPDATED ]]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
command -v psql >/dev/null || need+=(postgresql-client)
((${#need[@]} == 0)) || apt_install "${need[@]}"

# pgbench ships with the PostgreSQL server packages, in the versioned folder
find_pgbench() {
  local p
  for p in $(printf '%s\n' /usr/lib/postgresql/*/bin/pgbench | sort -V -r) "$(command -v pgbench || true)"; do
    [[ -n $p && -x $p ]] && "$p" --version >/dev/null 2>&1 && { echo "$p"; return 0; }
  done
  return 1
}
PGBENCH=$(find_pgbench) || { apt_install postgresql; PGBENCH=$(find_pgbench) || die "no pgbench after installing postgresql"; }

# PostgreSQL itself: started if it does not answer
if ! pg_isready -q -t 3; then
  log "PostgreSQL does not answer on $PGHOST:$PGPORT; starting the local cluster"
  for v in /etc/postgresql/*/; do
    [[ -d $v ]] && { pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true; }
  done
  for _ in $(seq 30); do pg_isready -q -t 1 && break; sleep 1; done
  pg_isready -q -t 3 || die "PostgreSQL does not answer on $PGHOST:$PGPORT"
fi

# ---------------------------------------------------------------------------------------
# The binary
# ---------------------------------------------------------------------------------------

if [[ -n ${VEIKART_BIN:-} ]]; then
  [[ -x $VEIKART_BIN ]] || die "VEIKART_BIN=$VEIKART_BIN is not an executable file"
  BIN=$(realpath "$VEIKART_BIN")
  BUILT="given as VEIKART_BIN"
else
  log "cargo build --release --locked -p veikart-cli"
  (cd "$ROOT" && cargo build --release --locked -p veikart-cli)
  BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/veikart
  BUILT="built from $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'an unknown revision')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
fi
BIN_SUM=$(sha256sum "$BIN" | cut -c1-12)
# the service's own defaults, for the report (its help states them)
DEFAULT_POOL=$("$BIN" serve --help | awk '/--pool-size/ {getline; if (match($0, /default: [0-9]+/)) print substr($0, RSTART + 9, RLENGTH - 9)}')
DEFAULT_WORKERS=$(nproc) # one per core

# ---------------------------------------------------------------------------------------
# Databases, the service, clean-up
# ---------------------------------------------------------------------------------------

WORK=$(mktemp -d /tmp/veikart-bench.XXXXXX)
APP_DB=veikart_bench_$$
PGB_DB=veikart_pgbench_$$
DBS_CREATED=()
SERVER_PID=
OK=

cleanup() {
  local rc=$?
  [[ -z ${LOAD_PID:-} ]] || kill "$LOAD_PID" 2>/dev/null || true
  stop_server >/dev/null 2>&1 || true
  # a second service the sourcing script keeps in SERVER2_PID (bench/run: metrics on)
  [[ -z ${SERVER2_PID:-} ]] || { SERVER_PID=$SERVER2_PID; stop_server >/dev/null 2>&1 || true; }
  for db in "${DBS_CREATED[@]}"; do
    dropdb --if-exists --force "$db" >/dev/null 2>&1 || log "could not drop database $db"
  done
  if [[ -n $OK ]]; then
    rm -rf "$WORK"
  else
    log "failed (exit $rc); logs kept in $WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

create_db() {
  createdb "$1"
  DBS_CREATED+=("$1")
}

free_port() {
  local p low
  # below the kernel's range of ephemeral ports: a port in it can be taken by an outgoing
  # connection (the service's own to PostgreSQL, a client's) between this check and the bind
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  ((low > 20000)) || low=32768
  for _ in $(seq 100); do
    p=$((10000 + RANDOM % (low - 10000)))
    # nothing listens there if a connection is refused
    if ! (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/$APP_DB

veikart() {
  env DATABASE_URL="$DATABASE_URL" VEIKART_JWT_SECRET="$SECRET" RUST_LOG=warn "$BIN" "$@"
}

# start_server POOL WORKERS (empty = the service's default): sets SERVER_PID and BASE;
# the array SERVE_ARGS, if set, adds arguments to `serve`
start_server() {
  local pool=$1 workers=$2 port env=()
  port=$(free_port) || die "no free port"
  [[ -n $pool ]] && env+=(VEIKART_DB_POOL_SIZE="$pool")
  [[ -n $workers ]] && env+=(VEIKART_WORKERS="$workers")
  BASE=http://127.0.0.1:$port
  # in a session of its own, so that a Ctrl-C reaches the script (which then stops the
  # service) and not the service first
  setsid env ${env[@]+"${env[@]}"} DATABASE_URL="$DATABASE_URL" VEIKART_JWT_SECRET="$SECRET" RUST_LOG=warn \
    "$BIN" serve --bind "127.0.0.1:$port" ${SERVE_ARGS[@]+"${SERVE_ARGS[@]}"} >>"$WORK/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; SERVER_PID=; die "the service exited at start"; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz") == 200 ]] && return 0
    sleep 0.2
  done
  die "the service did not become ready in 60 s"
}

# the service's peak resident set (VmHWM) in KiB
peak_rss_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status"; }

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

# api METHOD PATH TOKEN [JSON]: prints the response body; fails unless 2xx
api() {
  local method=$1 path=$2 token=$3 body=${4:-} code
  local args=(-sS -o "$WORK/response" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  code=$(curl "${args[@]}" "$BASE$path")
  [[ $code == 2?? ]] || die "$method $path answered $code: $(head -c 500 "$WORK/response")"
  cat "$WORK/response"
}

# load CMD...: runs a load generator in the background and waits for it: bash runs a trap
# (Ctrl-C, TERM) only once a foreground command has ended, but interrupts a wait at once
LOAD_PID=
load() {
  local rc=0
  "$@" &
  LOAD_PID=$!
  wait "$LOAD_PID" || rc=$?
  LOAD_PID=
  return "$rc"
}

# percentile P of the numbers on stdin (nearest rank)
percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<NR*p/100) i++; if (i<1) i=1; print a[i]+0}'; }

# run_pgbench SECONDS: prints "tps p50_us p99_us"; latencies from a 10 % sample of transactions
run_pgbench() {
  local s=$1 out=$WORK/pgbench.out tps p50 p99
  rm -rf "$WORK/pgblog" && mkdir "$WORK/pgblog"
  load "$PGBENCH" -n -S -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$s" \
    -l --sampling-rate=0.1 --log-prefix="$WORK/pgblog/tx" "$PGB_DB" >"$out" 2>&1 || { cat "$out" >&2; die "pgbench failed"; }
  tps=$(awk '/^tps = / {print $3; exit}' "$out")
  p50=$(cat "$WORK"/pgblog/tx.* | awk '{print $3}' | percentile 50)
  p99=$(cat "$WORK"/pgblog/tx.* | awk '{print $3}' | percentile 99)
  echo "$tps $p50 $p99"
}

# field LINE KEY: the value of KEY=value in a result line the Lua scripts print
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# run_wrk SECONDS PATH: prints "rps p50_us p99_us"; a run with errors or error answers fails;
# WRK_HEADER, if set, is one more request header; the requests carry the token $VIEWER, or
# $WRK_TOKEN if that is set (empty: no token, as a browser on a public page)
run_wrk() {
  local s=$1 path=$2 out=$WORK/wrk.out line token=${WRK_TOKEN-$VIEWER}
  load wrk -t "$THREADS" -c "$CONNECTIONS" -d "${s}s" --latency -s "$BENCH_DIR/wrk-closed.lua" \
    ${token:+-H "Authorization: Bearer $token"} ${WRK_HEADER:+-H "$WRK_HEADER"} "$BASE$path" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; die "wrk printed no result"; }
  (($(field "$line" errors) == 0 && $(field "$line" status_errors) == 0)) ||
    { cat "$out" >&2; die "GET $path: socket errors or error answers"; }
  echo "$(field "$line" rps) $(field "$line" p50_us) $(field "$line" p99_us)"
}

# run_open SECONDS PATH RATE: prints "rps p50_us p99_us p999_us max_us"
run_open() {
  local s=$1 path=$2 rate=$3 out=$WORK/wrk-open.out line
  BENCH_RATE=$rate BENCH_OPEN_CONNECTIONS=$CONNECTIONS \
    load wrk -t "$CONNECTIONS" -c "$CONNECTIONS" -d "${s}s" -s "$BENCH_DIR/wrk-open.lua" \
    -H "Authorization: Bearer $VIEWER" "$BASE$path" >"$out" 2>&1 || { cat "$out" >&2; die "wrk (open loop) failed"; }
  line=$(grep '^OPENLOOP ' "$out") || { cat "$out" >&2; die "wrk (open loop) printed no result"; }
  (($(field "$line" errors) == 0 && $(field "$line" bad) == 0)) ||
    { cat "$out" >&2; die "open loop: socket errors or answers other than 200"; }
  echo "$(field "$line" rps) $(field "$line" p50_us) $(field "$line" p99_us) $(field "$line" p999_us) $(field "$line" max_us)"
}

# CPU accounting, to tell how much other work ran on the machine during a load.
# total_ticks: clock ticks of all cores since boot, idle or not
total_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t}' /proc/stat; }
# foreign_ticks: clock ticks used by processes other than this run's own (this script and
# its children, the service, PostgreSQL) and the kernel's threads, counting what each one's
# ended children used (cutime, cstime), so that processes that come and go are counted too
foreign_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v server="${SERVER_PID:-0}" -v shell=$$ '
    {
      rp = length($0); while (substr($0, rp, 1) != ")") rp--
      pid = $1; comm = substr($0, index($0, "(") + 1, rp - index($0, "(") - 1)
      split(substr($0, rp + 2), f, " ") # f[1] state, f[2] ppid, f[12..15] utime stime cutime cstime
      if (pid == shell || pid == server || comm == "postgres" || pid == 2 || f[2] == 2) next
      t += f[12] + f[13] + f[14] + f[15]
    }
    END {print t + 0}'
}
# measured CMD...: runs CMD; sets FOREIGN to the share (%) of the machine's CPU time that
# other work used meanwhile
measured() {
  local total0 foreign0 total1 foreign1
  total0=$(total_ticks) foreign0=$(foreign_ticks)
  "$@"
  total1=$(total_ticks) foreign1=$(foreign_ticks)
  FOREIGN=$(awk -v f=$((foreign1 - foreign0)) -v t=$((total1 - total0)) \
    'BEGIN {printf "%.1f", (t > 0 ? 100 * f / t : 0)}')
}

# Waiting for other work to stop and running disturbed loads again take from one budget
# of QUIET_BUDGET seconds for the whole run; once it is spent, each load runs once, at once.
QUIET_USED=0
quiet_spent() { ((QUIET_USED >= QUIET_BUDGET)); }

# quiet: waits, 30 s at most, until other work uses at most MAX_OTHER_WORK % of the
# machine over one second
quiet() {
  local waited=0
  while ((waited < 30)) && ! quiet_spent && measured sleep 1 &&
    awk -v f="$FOREIGN" -v m="$MAX_OTHER_WORK" 'BEGIN {exit !(f > m)}'; do
    ((waited == 0)) && log "  other work uses ${FOREIGN} % of the machine: waiting for it to stop"
    waited=$((waited + 1)) QUIET_USED=$((QUIET_USED + 1))
  done
}

# undisturbed WHAT CMD...: measured CMD once the machine is quiet, and again (twice at
# most) while other work used more than MAX_OTHER_WORK % of the machine meanwhile; the
# last run's output stands
undisturbed() {
  local what=$1 try t0
  shift
  for try in 1 2 3; do
    quiet
    t0=$(date +%s)
    measured "$@" >"$WORK/undisturbed.out"
    if ((try == 3)) || quiet_spent || ! awk -v f="$FOREIGN" -v m="$MAX_OTHER_WORK" 'BEGIN {exit !(f > m)}'; then break; fi
    log "  $what: other work used ${FOREIGN} % of the machine meanwhile; again"
    RETRIES=$((RETRIES + 1)) QUIET_USED=$((QUIET_USED + $(date +%s) - t0))
  done
  cat "$WORK/undisturbed.out"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Formatting for the reports
ms() { awk -v us="$1" 'BEGIN {printf (us < 10000 ? "%.2f ms" : "%.1f ms"), us / 1000}'; }
int() { awk -v x="$1" 'BEGIN {printf "%.0f", x}'; }
ratio() { awk -v x="$1" 'BEGIN {printf "%.3f", x}'; }
pct() { awk -v x="$1" 'BEGIN {printf "%.1f %%", x}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
