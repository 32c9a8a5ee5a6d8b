"""The official Python driver on the real-Neo4j cases of boltline-bench.

Run by `boltline-bench --python <python>` (or by hand, same arguments);
prints one JSON object per measured run on stdout, progress on stderr.
Needs `pip install neo4j`.
"""

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass

import neo4j

DRIVER = f"python neo4j {neo4j.__version__}"


@dataclass
class Person:
    name: str
    age: int
    email: str
    score: float


def emit(case, rate, p50=None, p99=None):
    obj = {"case": case, "driver": DRIVER, "rate": rate}
    if p50 is not None:
        obj["p50"] = p50
        obj["p99"] = p99
    print(json.dumps(obj), flush=True)
    lat = f" p50 {p50:.3f} ms p99 {p99:.3f} ms" if p50 is not None else ""
    print(f"  Neo4j {case} {DRIVER}: {rate:.0f}/s{lat}", file=sys.stderr, flush=True)


def percentile(lat, p):
    lat = sorted(lat)
    return lat[round((len(lat) - 1) * p)] * 1e3


async def latency_once(driver, db, conc, secs):
    deadline = time.perf_counter() + secs
    lat = []

    async def task():
        async with driver.session(database=db) as session:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                result = await session.run("RETURN 1 AS x")
                n = 0
                async for rec in result:
                    n += rec["x"]
                assert n == 1
                lat.append(time.perf_counter() - t)

    start = time.perf_counter()
    await asyncio.gather(*(task() for _ in range(conc)))
    return len(lat) / (time.perf_counter() - start), lat


async def latency_case(a):
    for conc in (1, 16, 256):
        case = f"RETURN 1, {conc} task{'' if conc == 1 else 's'}"
        async with neo4j.AsyncGraphDatabase.driver(
            a.uri,
            auth=(a.user, a.password),
            max_connection_pool_size=a.pool,
            fetch_size=a.fetch,
        ) as driver:
            await latency_once(driver, a.database, conc, a.secs / 2)  # warm-up
            for _ in range(a.runs):
                qps, lat = await latency_once(driver, a.database, conc, a.secs)
                emit(case, qps, percentile(lat, 0.5), percentile(lat, 0.99))


def stream(driver, a, nodes, n=None):
    n = n or (a.nodes if nodes else a.ints)
    with driver.session(database=a.database, fetch_size=a.fetch) as session:
        t = time.perf_counter()
        if nodes:
            limit = f" LIMIT {n}" if n < a.nodes else ""
            result = session.run(f"MATCH (p:{a.label}) RETURN p{limit}")
            rows = [Person(**rec["p"]) for rec in result]
        else:
            result = session.run(f"UNWIND range(1, {n}) AS i RETURN i")
            rows = [rec["i"] for rec in result]
        elapsed = time.perf_counter() - t
    assert len(rows) == n, (len(rows), n)
    return n / elapsed


def stream_case(a, nodes):
    n = a.nodes if nodes else a.ints
    case = f"stream {n // 1000}k nodes -> struct" if nodes else f"stream {n // 1000}k ints"
    with neo4j.GraphDatabase.driver(
        a.uri, auth=(a.user, a.password), max_connection_pool_size=a.pool
    ) as driver:
        # Warm-up on a tenth of the stream: pure Python decodes 20-50k
        # records/s, a full warm-up would double the run time.
        stream(driver, a, nodes, max(n // 10, 1))
        for _ in range(a.stream_runs):
            emit(case, stream(driver, a, nodes))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--uri", required=True)
    p.add_argument("--user", default="neo4j")
    p.add_argument("--password", default="")
    p.add_argument("--database", default="neo4j")
    p.add_argument("--label", default="BoltlineBenchPerson")
    p.add_argument("--case", default="latency,ints,nodes")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--stream-runs", type=int, default=1)
    p.add_argument("--secs", type=float, default=1.0)
    p.add_argument("--ints", type=int, default=1_000_000)
    p.add_argument("--nodes", type=int, default=200_000)
    p.add_argument("--fetch", type=int, default=1000)
    p.add_argument("--pool", type=int, default=100)
    a = p.parse_args()
    cases = a.case.split(",")
    if "latency" in cases:
        asyncio.run(latency_case(a))
    if "ints" in cases:
        stream_case(a, nodes=False)
    if "nodes" in cases:
        stream_case(a, nodes=True)


if __name__ == "__main__":
    main()
