#!/usr/bin/env bash
# Proves that the OpenAPI document works for generated clients, with pinned tools:
#   1. Redocly CLI lints it with the "recommended" ruleset; any error or warning fails.
#   2. openapi-python-client generates a Python client without a warning; mypy --strict
#      type-checks python_client_check.py against it, which then drives the release binary
#      (serve --demo on a fresh SQLite database) through the generated code.
#   3. openapi-typescript generates TypeScript types without a warning; tsc --strict
#      compiles typescript_check.ts against them.
# Usage: bash .ci/clients/run.sh <path-to-openapi.json> <path-to-veikart-binary>
# Tools are installed under target/ci-clients/ (npm packages from package.json and
# package-lock.json, a venv from requirements.txt) and reused while those files are
# unchanged. The versions are in those files; docs/clients.md shows them in use.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: bash .ci/clients/run.sh <path-to-openapi.json> <path-to-veikart-binary>" >&2
  exit 2
fi
SPEC=$(realpath "$1")
BIN=$(realpath "$2")
[ -f "${SPEC}" ] || { echo "FAIL: no OpenAPI document at ${SPEC}" >&2; exit 1; }
[ -x "${BIN}" ] || { echo "FAIL: no executable veikart at ${BIN}" >&2; exit 1; }

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "${HERE}/../.." && pwd)
TOOLS="${ROOT}/target/ci-clients"
NPM_DIR="${TOOLS}/npm"
VENV="${TOOLS}/venv"
mkdir -p "${TOOLS}"

# Node tools: no colours (the output is parsed), no telemetry or update checks.
export NO_COLOR=1 FORCE_COLOR=0
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true REDOCLY_SUPPRESS_NOTIFICATIONS=true

ALL_START=${EPOCHREALTIME}
SUB_START=${ALL_START}
TIMINGS=()
substep() { SUB_START=${EPOCHREALTIME}; printf '\n--- clients: %s\n' "$*"; }
done_substep() {
  local took
  took=$(awk -v a="${SUB_START}" -v b="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", b - a }')
  TIMINGS+=("$(printf '%-34s %6ss' "$1" "${took}")")
  printf -- '--- clients: %s took %ss\n' "$1" "${took}"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/veikart-clients.XXXXXX")
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
    echo "FAIL: clients step; its files are kept in ${WORK}" >&2
  fi
}
trap cleanup EXIT

# Prints the files' combined checksum, to tell whether an installed tool set is current.
stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# tool_python: the newest CPython 3.12+ on the machine.
# shellcheck source=../lib.sh
source "${HERE}/../lib.sh"

# --- tools ------------------------------------------------------------------------------
substep "install npm tools (package-lock.json) into ${NPM_DIR#"${ROOT}/"}"
NPM_STAMP=$(stamp_of "${HERE}/package.json" "${HERE}/package-lock.json" "${HERE}/.npmrc")
if [ "$(cat "${NPM_DIR}/.stamp" 2>/dev/null || true)" != "${NPM_STAMP}" ]; then
  rm -rf "${NPM_DIR}"
  mkdir -p "${NPM_DIR}"
  cp "${HERE}/package.json" "${HERE}/package-lock.json" "${HERE}/.npmrc" "${NPM_DIR}/"
  # `npm ci` installs exactly the lockfile and fails if it disagrees with package.json.
  # None of these packages has an install script.
  (cd "${NPM_DIR}" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "${NPM_STAMP}" > "${NPM_DIR}/.stamp"
else
  echo "reusing the installed npm tools"
fi
NODE_BIN="${NPM_DIR}/node_modules/.bin"
echo "node $(node --version); redocly $("${NODE_BIN}/redocly" --version 2>/dev/null);" \
  "openapi-typescript $(node -p 'require(process.argv[1]).version' "${NPM_DIR}/node_modules/openapi-typescript/package.json");" \
  "tsc $("${NODE_BIN}/tsc" --version)"
done_substep "install npm tools"

substep "install Python tools (requirements.txt) into ${VENV#"${ROOT}/"}"
PYTHON=$(tool_python)
PY_STAMP=$( (cat "${HERE}/requirements.txt"; "${PYTHON}" --version) | sha256sum | cut -d' ' -f1)
if [ "$(cat "${VENV}/.stamp" 2>/dev/null || true)" != "${PY_STAMP}" ]; then
  rm -rf "${VENV}"
  "${PYTHON}" -m venv "${VENV}"
  # Every package is pinned in requirements.txt, so nothing unlisted may come in.
  "${VENV}/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "${HERE}/requirements.txt"
  "${VENV}/bin/pip" check
  echo "${PY_STAMP}" > "${VENV}/.stamp"
else
  echo "reusing the installed venv"
fi
echo "$("${VENV}/bin/python" --version); $("${VENV}/bin/openapi-python-client" --version);" \
  "$("${VENV}/bin/mypy" --version)"
done_substep "install Python tools"

# --- 1. lint ----------------------------------------------------------------------------
substep "redocly lint (recommended ruleset, warnings fail)"
# Redocly exits 0 when it found only warnings, so its exit code is not enough. The JSON
# report's totals count every problem (errors, warnings and problems muted by an ignore
# file) whatever --max-problems lists, and any of them fails this step. That holds for
# rules whose severity a future ruleset changes, which configuring each rule at `error`
# here would not. `--lint-config error` also fails on a mistake in redocly.yaml.
lint_status=0
"${NODE_BIN}/redocly" lint --config "${HERE}/redocly.yaml" --lint-config error \
  --format json --max-problems 100000 "${SPEC}" \
  > "${WORK}/redocly.json" 2> "${WORK}/redocly.stderr" || lint_status=$?
if ! REPORT="${WORK}/redocly.json" STATUS="${lint_status}" node <<'EOF'
const fs = require("fs");
const file = process.env.REPORT;
const status = process.env.STATUS;
let report;
try {
  report = JSON.parse(fs.readFileSync(file, "utf8"));
} catch (e) {
  console.error(`redocly wrote no JSON report (exit ${status}): ${e.message}`);
  process.exit(1);
}
const totals = report.totals ?? {};
for (const p of report.problems ?? []) {
  const where = (p.location ?? []).map((l) => `${l.source?.ref ?? ""}${l.pointer ?? ""}`).join(", ");
  console.error(`${p.severity} ${p.ruleId} at ${where}: ${p.message}`);
}
const count = (totals.errors ?? 0) + (totals.warnings ?? 0) + (totals.ignored ?? 0);
console.log(`redocly: ${totals.errors} errors, ${totals.warnings} warnings, ${totals.ignored} ignored (exit ${status})`);
process.exit(count === 0 && status === "0" && totals.errors !== undefined ? 0 : 1);
EOF
then
  echo "FAIL: redocly lint reported problems in ${SPEC}" >&2
  grep -v -e '^\s*$' "${WORK}/redocly.stderr" | grep -iv -e 'node\.js' -e '═' -e '║' >&2 || true
  exit 1
fi
done_substep "redocly lint"

# --- 2. Python client -------------------------------------------------------------------
substep "openapi-python-client generate (warnings fail)"
PY_OUT="${WORK}/python"
mkdir -p "${PY_OUT}"
gen_status=0
# ruff, the generator's formatting hook, is found on PATH.
PATH="${VENV}/bin:${PATH}" "${VENV}/bin/openapi-python-client" generate \
  --path "${SPEC}" --config "${HERE}/openapi-python-client.yaml" --meta none \
  --output-path "${PY_OUT}/veikart_client" --fail-on-warning \
  > "${WORK}/openapi-python-client.log" 2>&1 || gen_status=$?
cat "${WORK}/openapi-python-client.log"
# A clean run prints only "Generating <path>". Anything else is a warning, an error, a
# skipped endpoint or schema, or a failed formatting hook, even when the exit code is 0.
unexpected=$(grep -v -e '^[[:space:]]*$' -e '^Generating .*veikart_client$' "${WORK}/openapi-python-client.log" || true)
if [ "${gen_status}" -ne 0 ] || [ -n "${unexpected}" ] || [ ! -f "${PY_OUT}/veikart_client/client.py" ]; then
  echo "FAIL: openapi-python-client did not generate a clean client (exit ${gen_status})" >&2
  exit 1
fi
done_substep "openapi-python-client generate"

substep "mypy --strict python_client_check.py against the generated client"
MYPYPATH="${PY_OUT}" "${VENV}/bin/mypy" --strict --config-file "${HERE}/mypy.ini" \
  "${HERE}/python_client_check.py"
done_substep "mypy --strict"

substep "python_client_check.py against ${BIN#"${ROOT}/"} serve --demo on SQLite"
# A fresh database and a generated token secret beside it; none of the caller's Veikart
# settings (for example .ci/run's PostgreSQL URL and secret) may leak in.
VEIKART=(env -u VEIKART_JWT_SECRET -u VEIKART_JWT_PUBLIC_KEY -u VEIKART_JWT_ISSUER
  -u VEIKART_JWT_AUDIENCE -u VEIKART_BIND -u VEIKART_BODY_LIMIT -u VEIKART_DB_POOL_SIZE
  -u VEIKART_WORKERS DATABASE_URL="${WORK}/v.db" RUST_LOG=warn "${BIN}")
# Port 0: the system picks a free port, and serve prints the address it listens on.
# (env execs the binary, so $! is the server's own process id.)
"${VEIKART[@]}" serve --demo --bind 127.0.0.1:0 > "${WORK}/server.log" 2>&1 &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 150); do
  BASE=$(sed -n 's|^Veikart is listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "${WORK}/server.log")
  [ -n "${BASE}" ] && break
  kill -0 "${SERVER_PID}" 2>/dev/null || break
  sleep 0.2
done
if [ -z "${BASE}" ] || ! curl -fsS "${BASE}/readyz" >/dev/null; then
  echo "FAIL: veikart serve --demo did not come up:" >&2
  cat "${WORK}/server.log" >&2
  exit 1
fi
if ! grep -q "Demo: *loaded innovasjon-gardermoen" "${WORK}/server.log"; then
  echo "FAIL: serve --demo did not load the demo organisation:" >&2
  cat "${WORK}/server.log" >&2
  exit 1
fi
echo "veikart listens on ${BASE}"
PLATFORM_TOKEN=$("${VEIKART[@]}" token --role platform_admin --sub ci-clients)
check_status=0
PYTHONPATH="${PY_OUT}" "${VENV}/bin/python" -X dev "${HERE}/python_client_check.py" \
  "${BASE}" "${PLATFORM_TOKEN}" || check_status=$?
kill "${SERVER_PID}" 2>/dev/null || true
wait "${SERVER_PID}" 2>/dev/null || true
SERVER_PID=""
if grep -q "panicked" "${WORK}/server.log"; then
  echo "FAIL: the server panicked:" >&2
  grep -A3 "panicked" "${WORK}/server.log" >&2
  exit 1
fi
if [ "${check_status}" -ne 0 ]; then
  echo "FAIL: python_client_check.py (exit ${check_status}); server log:" >&2
  tail -n 50 "${WORK}/server.log" >&2
  exit 1
fi
done_substep "python client against the binary"

# --- 3. TypeScript types ----------------------------------------------------------------
substep "openapi-typescript (warnings fail)"
TS_OUT="${WORK}/typescript"
mkdir -p "${TS_OUT}"
ts_status=0
# It validates the document with Redocly's rules first; the same redocly.yaml applies.
"${NODE_BIN}/openapi-typescript" "${SPEC}" --redocly "${HERE}/redocly.yaml" \
  --output "${TS_OUT}/veikart.d.ts" > "${WORK}/openapi-typescript.log" 2>&1 || ts_status=$?
cat "${WORK}/openapi-typescript.log"
# A clean run prints its banner and one "🚀 <in> → <out>" line; warnings start with ⚠.
unexpected=$(grep -v -e '^[[:space:]]*$' -e '^✨ openapi-typescript ' -e '^🚀 .* → .*veikart\.d\.ts' \
  "${WORK}/openapi-typescript.log" || true)
if [ "${ts_status}" -ne 0 ] || [ -n "${unexpected}" ] || [ ! -s "${TS_OUT}/veikart.d.ts" ]; then
  echo "FAIL: openapi-typescript did not generate clean types (exit ${ts_status})" >&2
  exit 1
fi
done_substep "openapi-typescript"

substep "tsc --noEmit --strict typescript_check.ts"
cp "${HERE}/typescript_check.ts" "${HERE}/tsconfig.json" "${TS_OUT}/"
"${NODE_BIN}/tsc" --noEmit --strict -p "${TS_OUT}/tsconfig.json"
done_substep "tsc --strict"

TOTAL=$(awk -v a="${ALL_START}" -v b="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", b - a }')
printf '\n--- clients: timings\n'
printf '%s\n' "${TIMINGS[@]}"
echo "clients: OK: redocly lint clean, Python client generated, type-checked and run against the binary, TypeScript types compiled (${TOTAL}s)"
