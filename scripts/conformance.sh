#!/usr/bin/env bash
# Runs testkit's stub suites against boltline's conformance backend and prints
# a per-module table of passed / skipped / failed runs.
#
# usage: scripts/conformance.sh <testkit checkout> [unittest target]
#
# The testkit checkout must have a .venv with the stub suites' imports
# (see docs/CONFORMANCE.md). The default target is `tests.stub.suites`
# (every stub suite once); a module such as
# `tests.stub.routing.test_routing_v5x0` runs just that module.
set -euo pipefail

testkit=${1:?usage: scripts/conformance.sh <testkit checkout> [unittest target]}
target=${2:-tests.stub.suites}
root=$(cd "$(dirname "$0")/.." && pwd)
port=${TEST_BACKEND_PORT:-9876}

cargo build -q -p boltline-testkit-backend --manifest-path "$root/Cargo.toml"
backend="$root/target/debug/boltline-testkit-backend"

"$backend" --address "127.0.0.1:$port" 2>/dev/null &
backend_pid=$!
work=$(mktemp -d)
trap 'kill $backend_pid 2>/dev/null || true; rm -rf "$work"' EXIT

log="$work/run.log"
started=$(date +%s)
(
    cd "$testkit"
    # Each run renders its stub scripts into its own temporary directory.
    mkdir -p "$work/tmp"
    if [ "$target" = tests.stub.suites ]; then
        cmd=(-m tests.stub.suites)
    else
        cmd=(-m unittest -v "$target")
    fi
    TMPDIR="$work/tmp" TEST_DRIVER_NAME=rust TEST_BACKEND_HOST=127.0.0.1 \
        TEST_BACKEND_PORT="$port" .venv/bin/python "${cmd[@]}"
) >"$log" 2>&1 || true
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
if [ -n "${CONFORMANCE_LOG:-}" ]; then cp "$log" "$CONFORMANCE_LOG"; fi
