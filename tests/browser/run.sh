#!/usr/bin/env bash
# Runs the browser suite (tests/browser/*.test.mjs) against a veikart binary: serve --demo
# on a fresh SQLite database in a temporary directory, on a free port, then Node's test
# runner driving Debian's Chromium through puppeteer-core. Screenshots and PDFs go to
# target/browser/. Exits with the suite's status; a missing browser or poppler tool is a
# failure, never a skipped test.
# Usage: bash tests/browser/run.sh [path-to-veikart]   (default: target/release/veikart)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "${HERE}/../.." && pwd)
BIN=$(realpath "${1:-${ROOT}/target/release/veikart}")
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export VEIKART_BROWSER_OUT=${VEIKART_BROWSER_OUT:-${ROOT}/target/browser}

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "${BIN}" ] || fail "no executable veikart at ${BIN}"
[ -x "${CHROMIUM}" ] || fail "no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
for tool in pdfinfo pdftoppm pdftotext; do
  command -v "${tool}" >/dev/null || fail "${tool} is missing (apt-get install poppler-utils)"
done
command -v node >/dev/null || fail "node is missing"
"${CHROMIUM}" --version

WORK=$(mktemp -d "${TMPDIR:-/tmp}/veikart-browser.XXXXXX")
SERVER_PID=""
cleanup() {
  local status=$?
  if [ -n "${SERVER_PID}" ]; then
    kill "${SERVER_PID}" 2>/dev/null || true
    wait "${SERVER_PID}" 2>/dev/null || true
  fi
  if [ "${status}" -eq 0 ]; then
    rm -rf "${WORK}"
  else
    echo "FAIL: browser suite; the server's log and database are kept in ${WORK}" >&2
  fi
}
trap cleanup EXIT

# A fresh database and none of the caller's Veikart settings (.ci/run's PostgreSQL URL and
# token secret, say). Port 0: the system picks a free port and serve prints its address
# (env execs the binary, so $! is the server's own process id). The log exists before the
# server starts, so reading it cannot fail while the shell is still starting it.
: > "${WORK}/server.log"
env -u VEIKART_JWT_SECRET -u VEIKART_JWT_PUBLIC_KEY -u VEIKART_JWT_ISSUER -u VEIKART_JWT_AUDIENCE \
  -u VEIKART_BIND -u VEIKART_BODY_LIMIT -u VEIKART_DB_POOL_SIZE -u VEIKART_WORKERS \
  DATABASE_URL="${WORK}/veikart.db" RUST_LOG=warn \
  "${BIN}" serve --demo --bind 127.0.0.1:0 > "${WORK}/server.log" 2>&1 &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 150); do
  BASE=$(sed -n 's|^Veikart is listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "${WORK}/server.log" || true)
  [ -n "${BASE}" ] && break
  kill -0 "${SERVER_PID}" 2>/dev/null || break
  sleep 0.2
done
for _ in $(seq 1 50); do
  [ -n "${BASE}" ] || break
  curl -fsS "${BASE}/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
if [ -z "${BASE}" ] || ! curl -fsS "${BASE}/readyz" >/dev/null; then
  cat "${WORK}/server.log" >&2
  fail "veikart serve --demo did not come up"
fi
grep -q "Demo: *loaded innovasjon-gardermoen" "${WORK}/server.log" || {
  cat "${WORK}/server.log" >&2
  fail "serve --demo did not load the demo organisation"
}
echo "veikart listens on ${BASE}"

cd "${HERE}"
# Exactly the lockfile, installed again when it changes; neither package needs an install
# script (puppeteer-core downloads no browser).
STAMP=$(cat package.json package-lock.json .npmrc | sha256sum | cut -d' ' -f1)
if [ "$(cat node_modules/.veikart-stamp 2>/dev/null || true)" != "${STAMP}" ]; then
  rm -rf node_modules
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "${STAMP}" > node_modules/.veikart-stamp
fi
echo "node $(node --version); puppeteer-core $(node -p 'require("puppeteer-core/package.json").version');" \
  "axe-core $(node -p 'require("axe-core/package.json").version')"
mkdir -p "${VEIKART_BROWSER_OUT}"
status=0
VEIKART_URL="${BASE}" node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs || status=$?

if grep -q "panicked" "${WORK}/server.log"; then
  grep -A3 "panicked" "${WORK}/server.log" >&2
  fail "the server panicked during the browser suite"
fi
echo "browser suite: screenshots and PDFs in ${VEIKART_BROWSER_OUT#"${ROOT}/"}/"
exit "${status}"
