#!/usr/bin/env python3
"""Quarry's benchmark: the same questions asked of Quarry and of the tools a user would pick
instead (jq, DuckDB, Python eql), over one generated Okta System Log, in one run.

    python3 bench/run.py                 # 1,000,000 events (about 2.3 GB), 3 runs each
    python3 bench/run.py --events 200000 --runs 1

The log comes from `quarry gen okta` (deterministic) and is kept in bench/data/. Peers that are
not installed are skipped (`pip install duckdb eql`, `apt-get install jq`). Every tool's answer
is compared with Quarry's; each time is the median of the runs, with peak RSS from
/usr/bin/time. Ratios are peer time / Quarry time (above 1: Quarry is faster).
"""

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUARRY = os.path.join(ROOT, "target", "release", "quarry")
DENY = "user.mfa.okta_verify.deny_push"


def sh(cmd, stdin=None):
    """Runs `cmd` (a list or a shell string) under /usr/bin/time; returns (stdout, seconds, peak KB)."""
    shell = isinstance(cmd, str)
    with tempfile.NamedTemporaryFile("r") as t:
        full = ["/usr/bin/time", "-f", "%M", "-o", t.name] + (["sh", "-c", cmd] if shell else cmd)
        start = time.perf_counter()
        out = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=stdin, check=True)
        took = time.perf_counter() - start
        peak = int(t.read().strip().splitlines()[-1] or 0)
    return out.stdout.decode(), took, peak


def measure(cmd, runs):
    results = [sh(cmd) for _ in range(runs)]
    out = results[0][0]
    return out, statistics.median(r[1] for r in results), max(r[2] for r in results)


def quarry_rows(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


# Each question: how Quarry asks it, how each peer asks it, and how to read the answer.
def questions(log):
    q = lambda *args: [QUARRY, "query", "--quiet", "--format", "json", *args, log]
    return [
        {
            "name": "filter + count",
            "quarry": q(f"eventType={DENY} | stats count"),
            "answer": lambda out: quarry_rows(out)[0]["count"],
            "jq": f"jq -c 'select(.eventType==\"{DENY}\")' {log} | wc -l",
            "jq_answer": lambda out: int(out.strip()),
            "duckdb": f"select count(*) from read_ndjson_auto('{log}') where eventType = '{DENY}'",
            "duckdb_answer": lambda rows: rows[0][0],
            "eql": f'any where eventType == "{DENY}" | count',
            "eql_answer": lambda out: json.loads(out.splitlines()[0])["count"],
        },
        {
            "name": "count by eventType",
            "quarry": q("| stats count by eventType"),
            "answer": lambda out: {r["eventType"]: r["count"] for r in quarry_rows(out)},
            "jq": f"jq -r .eventType {log} | sort | uniq -c",
            "jq_answer": lambda out: {l.split()[1]: int(l.split()[0]) for l in out.splitlines()},
            "duckdb": f"select eventType, count(*) from read_ndjson_auto('{log}') group by eventType",
            "duckdb_answer": lambda rows: dict(rows),
            "eql": "any where true | count eventType",
            "eql_answer": lambda out: {r["key"]: r["count"] for r in quarry_rows(out)},
        },
        {
            "name": "dc(client IP) by user, top 10",
            "quarry": q("| stats dc(client.ipAddress) as ips by actor.alternateId | sort 10 - ips, actor.alternateId"),
            "answer": lambda out: [(r["actor.alternateId"], r["ips"]) for r in quarry_rows(out)],
            "duckdb": (
                f"select actor.alternateId as u, count(distinct client.ipAddress) as ips "
                f"from read_ndjson_auto('{log}') group by u order by ips desc, u limit 10"
            ),
            "duckdb_answer": lambda rows: [tuple(r) for r in rows],
        },
        {
            "name": "push-fatigue sequence (Elastic rule)",
            "quarry": [QUARRY, "run", "--quiet", "--format", "json", "--sourcetype", "OktaIM2:log",
                       os.path.join(ROOT, "queries/elastic"), "--input", log],
            "answer": lambda out: len(quarry_rows(out)),
        },
        {
            "name": "all shipped rules, one pass",
            "quarry": [QUARRY, "run", "--quiet", "--format", "json", "--sourcetype", "OktaIM2:log",
                       os.path.join(ROOT, "queries"), "--input", log],
            "answer": lambda out: len(quarry_rows(out)),
        },
    ]


def duckdb_cmd(sql):
    code = f"import duckdb; print(duckdb.sql({sql!r}).fetchall())"
    return [sys.executable, "-c", code]


def have_python_module(name):
    return subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "quarry-cli"], cwd=ROOT, check=True)
    data = os.path.join(ROOT, "bench", "data")
    os.makedirs(data, exist_ok=True)
    log = os.path.join(data, f"okta-{args.events}.ndjson")
    if not os.path.exists(log):
        subprocess.run([QUARRY, "gen", "okta", "--events", str(args.events), "--seed", "7", "--quiet",
                        "--attacks", "push-fatigue=3,classic-push-fatigue=3,session-cookie=3",
                        "--output", log], check=True)
    size = os.path.getsize(log)
    print(f"log: {log} ({args.events:,} events, {size / 1e9:.2f} GB); {os.cpu_count()} cores; median of {args.runs}")
    peers = {
        "jq": shutil.which("jq") is not None,
        "duckdb": have_python_module("duckdb"),
        "eql": shutil.which("eql") is not None,
    }
    print("peers: " + ", ".join(f"{p} {'yes' if ok else 'not installed'}" for p, ok in peers.items()))
    print()
    print(f"{'question':40} {'quarry':>9} {'RSS':>8}   {'peer':8} {'time':>9} {'RSS':>8} {'ratio':>6} same?")
    for question in questions(log):
        out, took, peak = measure(question["quarry"], args.runs)
        answer = question["answer"](out)
        print(f"{question['name']:40} {took:8.2f}s {peak / 1024:6.0f}MB")
        if peers["jq"] and "jq" in question:
            jout, jt, jp = measure(question["jq"], args.runs)
            same = question["jq_answer"](jout) == answer
            print(f"{'':40} {'':9} {'':8}   {'jq':8} {jt:8.2f}s {jp / 1024:6.0f}MB {jt / took:6.1f} {same}")
        if peers["duckdb"] and "duckdb" in question:
            dout, dt, dp = measure(duckdb_cmd(question["duckdb"]), args.runs)
            same = question["duckdb_answer"](ast.literal_eval(dout.strip())) == answer
            print(f"{'':40} {'':9} {'':8}   {'duckdb':8} {dt:8.2f}s {dp / 1024:6.0f}MB {dt / took:6.1f} {same}")
        if peers["eql"] and "eql" in question:
            eout, et, ep = measure(["eql", "query", "--format", "jsonl", "-f", log, question["eql"]], args.runs)
            same = question["eql_answer"](eout) == answer
            print(f"{'':40} {'':9} {'':8}   {'eql':8} {et:8.2f}s {ep / 1024:6.0f}MB {et / took:6.1f} {same}")
        if question["name"].startswith("all"):
            print(f"{'':40} answer: {answer} alert(s)")


if __name__ == "__main__":
    main()
