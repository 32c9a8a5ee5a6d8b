#!/usr/bin/env bash
# Runs testkit's stub suites against boltline's conformance backend and prints
# a per-module table of passed / skipped / failed runs.
#
# usage: scripts/conformance.sh <testkit checkout> [unittest targets]
#
# The testkit checkout must have a .venv with the stub suites' imports
# (see docs/CONFORMANCE.md), or TESTKIT_PYTHON names a Python that has them.
# The default target is `tests.stub.suites` (every stub suite once); a module
# such as `tests.stub.routing.test_routing_v5x0` runs just that module
# (several, separated by spaces, in one quoted argument).
#
# All traffic stays on loopback:
# - when `unshare -rn` works (an unprivileged user and network namespace),
#   the backend, testkit and its stub servers run in a private network
#   namespace that has only `lo`, so the stub servers' fixed ports (9000-9060,
#   9999) cannot clash with another run on the machine;
# - testkit's `tests.shared.get_ip_addresses()` ("the IP addresses of this
#   machine, loopback excluded") is replaced, in the test process only, by a
#   function answering 127.0.0.1 and 127.0.0.2 (both loopback). The checkout
#   itself is not modified. See LOCAL PATCH below.
#
# CONFORMANCE_LOG=<file> keeps the full unittest log; CONFORMANCE_NETNS=0
# turns the network namespace off.
set -euo pipefail

testkit=${1:?usage: scripts/conformance.sh <testkit checkout> [unittest target]}
target=${2:-tests.stub.suites}
root=$(cd "$(dirname "$0")/.." && pwd)
port=${TEST_BACKEND_PORT:-9876}

cargo build -q -p boltline-testkit-backend --manifest-path "$root/Cargo.toml"
backend="$root/target/debug/boltline-testkit-backend"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=${CONFORMANCE_LOG:-$work/run.log}
python=${TESTKIT_PYTHON:-$testkit/.venv/bin/python}

# LOCAL PATCH of testkit, applied in the test process only (nothing in the
# checkout changes): "an IP address of this machine" is loopback.
cat >"$work/run_testkit.py" <<'PY'
import runpy
import sys

sys.path.insert(0, "")
import tests.shared  # noqa: E402


def _loopback_ip_addresses(exclude_loopback=True):
    # LOCAL PATCH (boltline scripts/conformance.sh): never hand out the
    # machine's other addresses; two loopback addresses instead.
    return ["127.0.0.1", "127.0.0.2"]


tests.shared.get_ip_addresses = _loopback_ip_addresses
targets = sys.argv[1:]
if targets == ["tests.stub.suites"]:
    sys.argv = ["tests.stub.suites"]
    runpy.run_module("tests.stub.suites", run_name="__main__", alter_sys=True)
else:
    sys.argv = ["python -m unittest", "-v", *targets]
    runpy.run_module("unittest", run_name="__main__", alter_sys=True)
PY

# Backend and testkit together, in their own network namespace if possible.
cat >"$work/inner.sh" <<'SH'
set -u
if [ "${IN_NETNS:-0}" = 1 ]; then ip link set lo up; fi
"$BACKEND" --address "127.0.0.1:$PORT" 2>/dev/null &
backend_pid=$!
sleep 1
cd "$TESTKIT"
mkdir -p "$WORK/tmp"
# Each run renders its stub scripts into its own temporary directory.
TMPDIR="$WORK/tmp" TEST_DRIVER_NAME=rust TEST_BACKEND_HOST=127.0.0.1 \
    TEST_BACKEND_PORT="$PORT" "$PYTHON" "$WORK/run_testkit.py" $TARGET
kill $backend_pid 2>/dev/null || true
SH

started=$(date +%s)
export BACKEND="$backend" PORT="$port" TESTKIT="$testkit" WORK="$work" PYTHON="$python" TARGET="$target"
if [ "${CONFORMANCE_NETNS:-1}" = 1 ] && unshare -rn true 2>/dev/null; then
    echo "running in a private network namespace (loopback only)" >&2
    IN_NETNS=1 unshare -rn bash "$work/inner.sh" >"$log" 2>&1 || true
else
    bash "$work/inner.sh" >"$log" 2>&1 || true
fi
elapsed=$(( $(date +%s) - started ))

# unittest's verbose lines: `test_name (tests.stub.module.Class.test_name) ... ok`
# (older Pythons print `(tests.stub.module.Class)`); results may follow on a
# later line when a test writes output.
python3 - "$log" "$elapsed" <<'PY'
import collections, re, sys

log, elapsed = sys.argv[1], int(sys.argv[2])
lines = open(log, encoding="utf-8", errors="replace").read().splitlines()
header = re.compile(r"^(\w+) \((tests\.stub\.[\w.]+)\)")
outcome_re = re.compile(r"(?:^|\.\.\. )(ok|skipped ?.*|FAIL|ERROR|expected failure|unexpected success)$")
table = collections.defaultdict(collections.Counter)
reasons = collections.Counter()
pending = None
for line in lines:
    m = header.match(line)
    if m:
        pending = m.group(2)
        line = line[m.end():]
    if pending is None:
        continue
    o = outcome_re.search(line)
    if not o:
        continue
    outcome = o.group(1)
    # the module: the dotted path up to the first CamelCase (class) part
    parts = []
    for part in pending.split("."):
        if part[:1].isupper():
            break
        parts.append(part)
    module = ".".join(parts[2:])
    if outcome == "ok":
        kind = "passed"
    elif outcome.startswith("skipped"):
        kind = "skipped"
        reasons[outcome[len("skipped"):].strip(" '\"")[:90]] += 1
    elif outcome in ("FAIL", "ERROR"):
        kind = "failed"
    else:
        kind = "other"
    table[module][kind] += 1
    pending = None

total = collections.Counter()
print(f"{'module':58} {'passed':>7} {'skipped':>8} {'failed':>7}")
for module in sorted(table):
    c = table[module]
    total.update(c)
    print(f"{module:58} {c['passed']:>7} {c['skipped']:>8} {c['failed']:>7}")
print(f"{'total':58} {total['passed']:>7} {total['skipped']:>8} {total['failed']:>7}")
ran = total["passed"] + total["failed"]
share = 100.0 * total["passed"] / ran if ran else 0.0
print(f"{sum(total.values())} runs, {ran} not skipped, {share:.2f}% of those passed, {elapsed} s")
text = "\n".join(lines)
print("unittest says:", "; ".join(re.findall(r"^(?:Ran \d+ tests.*|FAILED.*|OK.*)$", text, re.M)[-2:]))
print("skip reasons (most common first):")
for reason, n in reasons.most_common(40):
    print(f"{n:6}  {reason}")
for line in re.findall(r"^(?:FAIL|ERROR): .*$", text, re.M):
    print(line)
PY
