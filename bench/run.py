#!/usr/bin/env python3
"""Quarry's benchmark: the same questions asked of Quarry and of the tools a user would pick
instead (jq, DuckDB, Python eql), over one generated Okta System Log, in one run.

    python3 bench/run.py                          # 1,000,000 events (about 2.3 GB), 3 runs each
    python3 bench/run.py --events 200000 --runs 1
    python3 bench/run.py --markdown > table.md    # the results as Markdown, for README.md
    python3 bench/run.py --only push-fatigue      # one question (see --help for the names)
    python3 bench/run.py --quarry-only            # Quarry alone, no peers

The log comes from `quarry gen okta` (deterministic) and is kept in bench/data/. Peers that are
not installed are skipped (`pip install duckdb eql`, `apt-get install jq`). Each question is asked
in SPL and, where EQL can say it, in EQL; every answer is compared with the first Quarry one.
Each time is the median of the runs, with peak RSS from /usr/bin/time. "x Quarry" is the tool's
time divided by Quarry's (above 1: Quarry is faster).

Then: every shipped rule alone and all of them in one pass (`quarry run queries/`), the memory
of the REPL holding the whole log, and the issue's targets with PASS or MISS.
"""

import argparse
import collections
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUARRY = os.path.join(ROOT, "target", "release", "quarry")
PYEQL = os.path.join(ROOT, "bench", "pyeql.py")
DENY = "user.mfa.okta_verify.deny_push"
SSO = "user.authentication.sso"
MIB = 1024 * 1024

# The Elastic rule (queries/elastic/potential_abuse_of_repeated_mfa_push_notifications.toml) reads
# ECS fields; over the raw Okta fields it is this sequence.
PUSH_FATIGUE_EQL = (
    f'sequence by actor.alternateId with maxspan=10m [any where eventType == "{DENY}"] '
    f'[any where eventType == "{DENY}"] [any where eventType == "{SSO}"]'
)

# The same sequence in SPL, under Elasticsearch's sequence semantics: per user, a sign-on that
# comes right after a denial (no sign-on between them) completes the sequence of that denial and
# the one before it, if the earlier denial is at most ten minutes before the sign-on.
# (`global=f`: with `window`, each user needs a window of their own.)
PUSH_FATIGUE_SPL = (
    f'eventType="{DENY}" OR eventType="{SSO}" | sort 0 _time '
    f"| streamstats current=f global=f window=1 last(_time) as prev_deny by actor.alternateId eventType "
    f'| eval prev_deny=if(eventType="{DENY}", prev_deny, null()) '
    f"| streamstats current=f global=f window=1 last(eventType) as prev_type last(prev_deny) as first "
    f"by actor.alternateId "
    f'| where eventType="{SSO}" AND prev_type="{DENY}" AND _time - first <= 600 '
    f"| eval first=round(first * 1000), last=round(_time * 1000) | table actor.alternateId first last"
)

# The closest SQL: the same rule with window functions (lag over each user's denials, then over
# their denials and sign-ons).
PUSH_FATIGUE_SQL = f"""
with ev as (
  select actor.alternateId as u, eventType as t, cast(published as timestamp) as ts
  from read_ndjson_auto('{{log}}')
  where eventType in ('{DENY}', '{SSO}') and actor.alternateId is not null),
d as (select *, lag(ts) over (partition by u, t order by ts) as prev_deny from ev),
s as (select *, lag(t) over w as prev_type, lag(prev_deny) over w as first from d
      window w as (partition by u order by ts))
select u, epoch_ms(first), epoch_ms(ts) from s
where t = '{SSO}' and prev_type = '{DENY}' and ts - first <= interval 10 minute
"""


# ---------------------------------------------------------------------------------------------
# Running things


class Measured:
    def __init__(self, out="", secs=None, peak_kb=None, error=None):
        self.out, self.secs, self.peak_kb, self.error = out, secs, peak_kb, error


def sh(cmd, stdin_text=None):
    """Runs `cmd` (a list, or a shell string) under /usr/bin/time: (stdout, seconds, peak KB)."""
    shell = isinstance(cmd, str)
    with tempfile.NamedTemporaryFile("r") as t, tempfile.TemporaryFile("w+") as stdin:
        if stdin_text is not None:
            stdin.write(stdin_text)
            stdin.seek(0)
        full = ["/usr/bin/time", "-f", "%M", "-o", t.name] + (["sh", "-c", cmd] if shell else cmd)
        start = time.perf_counter()
        out = subprocess.run(
            full,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=stdin if stdin_text is not None else subprocess.DEVNULL,
        )
        took = time.perf_counter() - start
        lines = t.read().strip().splitlines()
    if out.returncode != 0:
        err = out.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"exit {out.returncode}: {err[-1] if err else ''}")
    peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return out.stdout.decode(), took, peak


def measure_all(cmds, runs):
    """Runs every command of `cmds` `runs` times, round by round (each round runs each command
    once), so that a machine whose speed drifts during the benchmark slows every tool alike and
    the ratios hold; a command that fails is not run again."""
    results = [[] for _ in cmds]
    errors = [None] * len(cmds)
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            if errors[i] is not None:
                continue
            try:
                results[i].append(sh(cmd))
            except (RuntimeError, OSError) as e:
                errors[i] = str(e)
    return [Measured(error=e) if e is not None else
            Measured(r[0][0], statistics.median(x[1] for x in r), max(x[2] for x in r))
            for r, e in zip(results, errors)]


def rows(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def millis(text):
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def sequences(results):
    """Quarry's sequence results as sorted (join key, first event ms, last event ms)."""
    out = []
    for r in results:
        events = r["events"]
        out.append((r["join_keys"][0], millis(events[0]["published"]), millis(events[-1]["published"])))
    return sorted(out)


def duckdb_cmd(sql):
    # The progress bar DuckDB draws on long queries would land in the answer.
    code = (f"import duckdb; duckdb.execute('SET enable_progress_bar = false'); "
            f"print(repr(duckdb.sql({sql!r}).fetchall()))")
    return [sys.executable, "-c", code]


def duckdb_rows(out):
    import ast

    return ast.literal_eval(out.strip())


# ---------------------------------------------------------------------------------------------
# The questions


def questions(log):
    def q(*args, lang=None):
        extra = ["--lang", lang] if lang else []
        if lang == "eql":
            # `| count` is an endgame pipe: Elasticsearch EQL has no aggregation.
            extra += ["--eql-dialect", "endgame"]
        return [QUARRY, "query", "--quiet", "--format", "json", *extra, *args, log]

    def eql_cli(query):
        return ["eql", "query", "--format", "jsonl", "-f", log, query]

    def quarry_run(rule):
        return [QUARRY, "run", "--quiet", "--format", "json", "--sourcetype", "OktaIM2:log", rule, "--input", log]

    return [
        {
            "id": "filter",
            "name": "filter + count",
            "runs": [
                dict(tool="quarry", lang="SPL", cmd=q(f"eventType={DENY} | stats count"),
                     answer=lambda out: rows(out)[0]["count"]),
                dict(tool="quarry", lang="EQL endgame", cmd=q(f'any where eventType == "{DENY}" | count', lang="eql"),
                     answer=lambda out: rows(out)[0]["count"]),
                dict(tool="jq", lang="jq", cmd=f"jq -c 'select(.eventType==\"{DENY}\")' {shlex.quote(log)} | wc -l",
                     answer=lambda out: int(out.strip())),
                dict(tool="duckdb", lang="SQL",
                     cmd=duckdb_cmd(f"select count(*) from read_ndjson_auto('{log}') where eventType = '{DENY}'"),
                     answer=lambda out: duckdb_rows(out)[0][0]),
                dict(tool="eql", lang="EQL", cmd=eql_cli(f'any where eventType == "{DENY}" | count'),
                     answer=lambda out: rows(out)[0]["count"]),
            ],
        },
        {
            "id": "count-by",
            "name": "count by eventType",
            "runs": [
                dict(tool="quarry", lang="SPL", cmd=q("| stats count by eventType"),
                     answer=lambda out: {r["eventType"]: r["count"] for r in rows(out)}),
                dict(tool="quarry", lang="EQL endgame", cmd=q("any where true | count eventType", lang="eql"),
                     answer=lambda out: {r["key"]: r["count"] for r in rows(out)}),
                dict(tool="jq", lang="jq", cmd=f"jq -r .eventType {shlex.quote(log)} | sort | uniq -c",
                     answer=lambda out: {l.split()[1]: int(l.split()[0]) for l in out.splitlines()}),
                dict(tool="duckdb", lang="SQL",
                     cmd=duckdb_cmd(f"select eventType, count(*) from read_ndjson_auto('{log}') group by eventType"),
                     answer=lambda out: dict(duckdb_rows(out))),
                dict(tool="eql", lang="EQL", cmd=eql_cli("any where true | count eventType"),
                     answer=lambda out: {r["key"]: r["count"] for r in rows(out)}),
            ],
        },
        {
            "id": "dc-top10",
            "name": "dc(client IP) by user, top 10",
            "note": "EQL has no distinct count",
            "runs": [
                dict(tool="quarry", lang="SPL",
                     cmd=q("| stats dc(client.ipAddress) as ips by actor.alternateId | sort 10 - ips, actor.alternateId"),
                     answer=lambda out: [(r["actor.alternateId"], r["ips"]) for r in rows(out)]),
                dict(tool="jq", lang="jq",
                     cmd=(f"jq -r 'select(.actor.alternateId != null and .client.ipAddress != null) "
                          f"| [.actor.alternateId, .client.ipAddress] | @tsv' {shlex.quote(log)} "
                          f"| LC_ALL=C sort -u | cut -f1 | uniq -c | LC_ALL=C sort -k1,1nr -k2,2 | head -10"),
                     answer=lambda out: [(l.split()[1], int(l.split()[0])) for l in out.splitlines()]),
                dict(tool="duckdb", lang="SQL",
                     cmd=duckdb_cmd(
                         f"select actor.alternateId as u, count(distinct client.ipAddress) as ips "
                         f"from read_ndjson_auto('{log}') where u is not null group by u order by ips desc, u limit 10"),
                     answer=lambda out: [tuple(r) for r in duckdb_rows(out)]),
            ],
        },
        {
            "id": "push-fatigue",
            "name": "push-fatigue sequence",
            "note": "answers: (user, first denial, sign-on) per sequence",
            "runs": [
                dict(tool="quarry", lang="EQL", cmd=[QUARRY, "query", "--quiet", "--format", "json", "--lang", "eql",
                                                     PUSH_FATIGUE_EQL, log],
                     answer=lambda out: sequences(rows(out))),
                dict(tool="quarry", lang="EQL rule",
                     cmd=quarry_run(os.path.join(ROOT, "queries", "elastic",
                                                 "potential_abuse_of_repeated_mfa_push_notifications.toml")),
                     answer=lambda out: sequences([r["result"] for r in rows(out)])),
                dict(tool="quarry", lang="SPL", cmd=q(PUSH_FATIGUE_SPL),
                     answer=lambda out: sorted((r["actor.alternateId"], int(float(r["first"])), int(float(r["last"])))
                                               for r in rows(out))),
                dict(tool="duckdb", lang="SQL approx.", approximation=True,
                     cmd=duckdb_cmd(PUSH_FATIGUE_SQL.replace("{log}", log)),
                     answer=lambda out: sorted(tuple(r) for r in duckdb_rows(out))),
                dict(tool="eql", lang="EQL",
                     cmd=[sys.executable, PYEQL, "--key", "actor.alternateId", PUSH_FATIGUE_EQL, log],
                     answer=lambda out: sorted((r["join_keys"][0], r["timestamps"][0], r["timestamps"][-1])
                                               for r in rows(out))),
            ],
        },
    ]


def describe(answer):
    if isinstance(answer, int):
        return f"{answer:,}"
    if isinstance(answer, dict):
        return f"{len(answer)} groups, {sum(answer.values()):,} events"
    if isinstance(answer, list) and answer and len(answer[0]) == 3:
        return f"{len(answer)} sequences, {len({a[0] for a in answer})} users"
    if isinstance(answer, list):
        return f"{len(answer)} rows" + (f", top {answer[0][0]} ({answer[0][1]})" if answer else "")
    return str(answer)


def ask(question, runs, peers):
    """Measures every way of asking `question`; returns result rows (the first is the reference)."""
    results = []
    reference = None
    asked = [run for run in question["runs"] if run["tool"] == "quarry" or peers.get(run["tool"])]
    for run, m in zip(asked, measure_all([run["cmd"] for run in asked], runs)):
        row = dict(question=question["name"], tool=run["tool"], lang=run["lang"], secs=m.secs, peak_kb=m.peak_kb,
                   error=m.error, same=None, verdict="", approximation=run.get("approximation", False))
        if m.error is None:
            try:
                answer = run["answer"](m.out)
            except (ValueError, KeyError, IndexError, TypeError, SyntaxError) as e:
                row["error"] = f"unreadable answer: {e}"
                answer = None
            if row["error"] is None:
                if reference is None:
                    reference = row
                    row["answer"] = answer
                    row["same"] = True
                    row["verdict"] = describe(answer)
                else:
                    row["same"] = answer == reference["answer"]
                    row["verdict"] = "same" if row["same"] else f"DIFFERS: {describe(answer)}"
                    if row["approximation"]:
                        row["verdict"] += " (approximation)"
        if row["error"]:
            row["verdict"] = f"failed: {row['error']}"
        results.append(row)
        log_row(row, reference)
    return results


# ---------------------------------------------------------------------------------------------
# Rules: each alone, then all in one pass


def rule_files():
    """The shipped rule files: TOML files under queries/ with a top-level `query`."""
    try:
        import tomllib
    except ImportError:
        tomllib = None
    found = []
    for base, dirs, files in os.walk(os.path.join(ROOT, "queries")):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".toml"):
                continue
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                data = f.read()
            if tomllib is not None:
                try:
                    is_rule = "query" in tomllib.loads(data.decode())
                except tomllib.TOMLDecodeError:
                    is_rule = False
            else:
                is_rule = re.search(rb"(?m)^query\s*=", data.split(b"\n[", 1)[0]) is not None
            if is_rule:
                found.append(path)
    return found


def alerts_by_rule(out):
    return collections.Counter(r["rule"] for r in rows(out))


def run_rules(log, runs):
    base = [QUARRY, "run", "--quiet", "--format", "json", "--sourcetype", "OktaIM2:log"]
    singles = []
    total = collections.Counter()
    paths = rule_files()
    width = max([len(os.path.relpath(p, ROOT)) for p in paths] + [44])
    measured = measure_all([base + [path, "--input", log] for path in paths]
                           + [base + [os.path.join(ROOT, "queries"), "--input", log]], runs)
    for path, m in zip(paths, measured):
        rel = os.path.relpath(path, ROOT)
        row = dict(rule=rel, seed=rel.startswith("queries/splunk/"), secs=m.secs, peak_kb=m.peak_kb, error=m.error)
        if m.error is None:
            alerts = alerts_by_rule(m.out)
            total.update(alerts)
            row["alerts"] = sum(alerts.values())
        singles.append(row)
        say(f"  {rel:{width}} {fmt_secs(m.secs)} {fmt_mib(m.peak_kb)}  "
            + (f"{row['alerts']} alert(s)" if m.error is None else f"failed: {m.error}"))
    m = measured[-1]
    one = dict(rule="queries/ (one pass)", secs=m.secs, peak_kb=m.peak_kb, error=m.error)
    if m.error is None:
        alerts = alerts_by_rule(m.out)
        one["alerts"] = sum(alerts.values())
        one["same"] = alerts == total
    say(f"  {'quarry run queries/ (all rules, one pass)':{width}} {fmt_secs(m.secs)} {fmt_mib(m.peak_kb)}  "
        + (f"{one['alerts']} alert(s), {'same as the rules alone' if one['same'] else 'DIFFERS from the rules alone'}"
           if m.error is None else f"failed: {m.error}"))
    ok = [s for s in singles if s["error"] is None]
    slowest = max(ok, key=lambda s: s["secs"]) if ok else None
    if slowest and one["error"] is None:
        one["ratio"] = one["secs"] / slowest["secs"]
        say(f"  slowest single rule: {slowest['rule']} ({slowest['secs']:.2f} s); "
            f"one pass / slowest = {one['ratio']:.2f}x")
    return singles, one, slowest


# ---------------------------------------------------------------------------------------------
# The REPL's loaded form


def watched(cmd, stdin_text, cap_kb):
    """Runs `cmd` with `stdin_text`, stopping it if its RSS passes `cap_kb`: a REPL holding a
    big log could otherwise take the machine's memory. Returns (stdout, seconds, peak KB, over cap)."""
    with tempfile.TemporaryFile("w+") as stdin, tempfile.TemporaryFile("w+") as stdout:
        stdin.write(stdin_text)
        stdin.seek(0)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL)
        over = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    rss = next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
            except OSError:
                rss = 0
            if rss > cap_kb and not over:
                over = True
                proc.kill()
            time.sleep(0.02)
        took = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        out = stdout.read()
    if proc.returncode != 0 and not over:
        raise RuntimeError(f"exit {proc.returncode}")
    return out, took, usage.ru_maxrss, over


def memory_available_kb():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 8 * 1024 * 1024


def run_repl(log, runs, events, cap_mib):
    """Peak RSS of `quarry repl` holding the log (its queries run over the events in memory)."""
    cap_kb = cap_mib * 1024 if cap_mib else memory_available_kb() // 2
    size = os.path.getsize(log)
    row = dict(secs=None, peak_kb=None, error=None, size=size, over=False)
    try:
        results = [watched([QUARRY, "repl", "--quiet", "--format", "json", log], "| stats count\n", cap_kb)
                   for _ in range(runs)]
    except (RuntimeError, OSError) as e:
        results = None
        row["error"] = str(e)
    if results:
        out = results[0][0]
        row["secs"] = statistics.median(r[1] for r in results)
        row["peak_kb"] = max(r[2] for r in results)
        row["over"] = any(r[3] for r in results)
        if row["over"]:
            row["verdict"] = f"stopped past {cap_kb / 1024:,.0f} MiB (see --repl-max-rss)"
            row["same"] = None
        else:
            try:
                count = rows(out)[0]["count"]
                row["same"] = count == events
                row["verdict"] = f"{count:,} events" + ("" if row["same"] else f" (DIFFERS: the log has {events:,})")
            except (ValueError, KeyError, IndexError) as e:
                row["error"] = f"unreadable answer: {e}"
    if row["error"] is None:
        row["ratio"] = row["peak_kb"] * 1024 / size
        at_least = "at least " if row["over"] else ""
        say(f"  quarry repl, log loaded + `| stats count`: {fmt_secs(row['secs'])} {fmt_mib(row['peak_kb'])}; "
            f"peak RSS / log size = {at_least}{row['ratio']:.2f} ({size / MIB:,.0f} MiB log); {row['verdict']}")
    else:
        say(f"  quarry repl: failed: {row['error']}")
    return row


# ---------------------------------------------------------------------------------------------
# Targets (issue 7): measured value and PASS / MISS


def targets(results, rules, repl, events, only):
    def find(question, tool, lang=None):
        for r in results:
            if r["question"] == question and r["tool"] == tool and (lang is None or r["lang"] == lang):
                if r["error"] is None:
                    return r
        return None

    out = []

    def check(name, value, ok, shown):
        out.append(dict(target=name, value=shown if value is not None else "not measured",
                        status=("PASS" if ok else "MISS") if value is not None else "n/a"))

    def vs(question, lang, peer, peer_lang, limit, name, show):
        mine, theirs = find(question, "quarry", lang), find(question, peer, peer_lang)
        value = mine["secs"] / theirs["secs"] if mine and theirs else None
        check(name, value, value is not None and show(value, limit), "" if value is None else
              f"{value:.2f}x ({mine['secs']:.2f} s vs {theirs['secs']:.2f} s)")

    at_most = lambda v, limit: v <= limit
    vs("filter + count", "SPL", "duckdb", "SQL", 1 / 3, "filter + count: at most 1/3 of DuckDB's time", at_most)
    f = find("filter + count", "quarry", "SPL")
    if events == 1_000_000:
        check("filter + count: under 0.35 s (1M events)", f and f["secs"], f and f["secs"] < 0.35,
              f and f"{f['secs']:.2f} s")
    else:
        out.append(dict(target="filter + count: under 0.35 s (1M events)",
                        value=f"{f['secs']:.2f} s at {events:,} events" if f else "not measured", status="n/a"))
    vs("count by eventType", "SPL", "duckdb", "SQL", 1, "stats count by: at most DuckDB's time", at_most)
    vs("dc(client IP) by user, top 10", "SPL", "duckdb", "SQL", 1, "stats dc by: at most DuckDB's time", at_most)
    vs("push-fatigue sequence", "EQL", "duckdb", "SQL approx.", 0.75,
       "push-fatigue EQL sequence: at most 0.75x DuckDB's SQL approximation", at_most)
    mine, theirs = find("push-fatigue sequence", "quarry", "EQL"), find("push-fatigue sequence", "eql", "EQL")
    speedup = theirs["secs"] / mine["secs"] if mine and theirs else None
    check("push-fatigue EQL sequence: at least 20x faster than Python eql", speedup,
          speedup is not None and speedup >= 20,
          speedup and f"{speedup:.1f}x ({mine['secs']:.2f} s vs {theirs['secs']:.2f} s)")
    if rules is not None:
        singles, one, slowest = rules
        ratio = one.get("ratio")
        check("all shipped rules in one pass: at most 2x the slowest single rule", ratio,
              ratio is not None and ratio <= 2,
              ratio and f"{ratio:.2f}x ({one['secs']:.2f} s vs {slowest['secs']:.2f} s, "
                        f"{os.path.basename(slowest['rule'])})")
    for question in ("filter + count", "count by eventType"):
        peaks = [r for r in results if r["question"] == question and r["tool"] == "quarry" and r["error"] is None]
        peak = max((r["peak_kb"] for r in peaks), default=None)
        check(f"peak RSS under 100 MiB, streaming: {question}", peak, peak is not None and peak * 1024 < 100 * MIB,
              peak and f"{peak / 1024:.0f} MiB")
    if repl is not None:
        ratio = repl.get("ratio")
        at_least = "at least " if repl["over"] else ""
        check("REPL holding the log: under 0.75x its size (1.5 GB for 2 GB)", ratio,
              ratio is not None and ratio < 0.75 and not repl["over"],
              ratio and f"{at_least}{ratio:.2f}x ({repl['peak_kb'] / 1024:,.0f} MiB for {repl['size'] / MIB:,.0f} MiB)")
    compared = [r for r in results if r["same"] is not None and not r["approximation"]]
    if compared:
        bad = [f"{r['question']} / {r['tool']} {r['lang']}" for r in compared if not r["same"]]
        if rules is not None and rules[1].get("same") is False:
            bad.append("one pass vs rules alone")
        if repl is not None and repl.get("same") is False:
            bad.append("REPL count")
        check("every tool returned the same answer", True, not bad,
              "all agree" if not bad else "differ: " + "; ".join(bad))
    # Targets of parts left out with --only are not shown.
    parts = {"filter + count": "filter", "stats count by": "count-by", "stats dc by": "dc-top10",
             "push-fatigue": "push-fatigue", "all shipped rules": "rules", "REPL": "repl",
             "peak RSS under 100 MiB, streaming: filter": "filter",
             "peak RSS under 100 MiB, streaming: count": "count-by"}
    out = [c for c in out
           if not any(c["target"].startswith(k) and v not in only for k, v in parts.items())]
    approx = [r for r in results if r["approximation"] and r["same"] is not None]
    for r in approx:
        out.append(dict(target=f"{r['question']}: {r['tool']} {r['lang']} (not a target)",
                        value="same answer as Quarry" if r["same"] else "answer differs (approximation)",
                        status="info"))
    return out


# ---------------------------------------------------------------------------------------------
# Output


MARKDOWN = False


def say(text=""):
    print(text, file=sys.stderr if MARKDOWN else sys.stdout, flush=True)


def fmt_secs(secs):
    return f"{secs:8.2f}s" if secs is not None else f"{'—':>9}"


def fmt_mib(kb):
    return f"{kb / 1024:7.0f} MiB" if kb else f"{'—':>11}"


def log_row(row, reference):
    ratio = ""
    if row["error"] is None and reference is not None and row is not reference:
        ratio = f"{row['secs'] / reference['secs']:6.2f}x"
    say(f"  {row['tool']:7} {row['lang']:12} {fmt_secs(row['secs'])} {fmt_mib(row['peak_kb'])} {ratio:>8}  "
        f"{row['verdict']}")


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = ""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, {ram}, {platform.system()} {platform.release()}"


def startup(peers):
    """What each tool costs before it reads anything: on a small log, most of its time."""
    with tempfile.NamedTemporaryFile(suffix=".ndjson") as empty:
        cmds = {"quarry": [QUARRY, "query", "--quiet", "| stats count", empty.name]}
        if peers.get("duckdb"):
            cmds["duckdb (python, import)"] = [sys.executable, "-c", "import duckdb"]
        if peers.get("eql"):
            cmds["eql (python, import)"] = [sys.executable, "-c", "import eql"]
        if peers.get("jq"):
            cmds["jq"] = ["jq", ".", empty.name]
        parts = []
        for name, m in zip(cmds, measure_all(list(cmds.values()), 3)):
            parts.append(f"{name} {m.secs:.2f} s" if m.error is None else f"{name} failed")
    return ", ".join(parts)


def versions(peers):
    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    out = [first_line([QUARRY, "--version"])]
    commit = first_line(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    out[0] += f" ({commit})"
    if peers.get("jq"):
        out.append(first_line(["jq", "--version"]))
    if peers.get("duckdb"):
        out.append("duckdb " + first_line([sys.executable, "-c", "import duckdb; print(duckdb.__version__)"]))
    if peers.get("eql"):
        out.append("eql " + first_line([sys.executable, "-c", "import eql; print(eql.__version__)"]))
    return ", ".join(out)


def markdown(header, results, rules, repl, checks):
    def cell(text):
        return str(text).replace("|", "\\|")

    def ms(secs):
        return f"{secs:.2f}" if secs is not None else "—"

    def mib(kb):
        return f"{kb / 1024:.0f}" if kb else "—"

    print(f"Measured with `{header['command']}` on {header['machine']}: {header['log']}; median of "
          f"{header['runs']} run(s). {header['versions']}. Startup, reading nothing: {header['startup']}.")
    print()
    if results:
        print("| question | tool | language | time (s) | peak RSS (MiB) | × Quarry | answer |")
        print("|---|---|---|---:|---:|---:|---|")
        reference = {}
        for r in results:
            ref = reference.setdefault(r["question"], r if r["error"] is None else None)
            ratio = f"{r['secs'] / ref['secs']:.2f}" if r["error"] is None and ref else ""
            print(f"| {cell(r['question'])} | {cell(r['tool'])} | {cell(r['lang'])} | {ms(r['secs'])} | "
                  f"{mib(r['peak_kb'])} | {ratio} | {cell(r['verdict'])} |")
        print()
    if rules is not None:
        singles, one, slowest = rules
        print("| rule (`quarry run FILE`) | seed | time (s) | peak RSS (MiB) | alerts |")
        print("|---|---|---:|---:|---:|")
        for s in singles:
            alerts = s.get("alerts", f"failed: {s['error']}")
            print(f"| `{cell(s['rule'])}` | {'yes' if s['seed'] else ''} | {ms(s['secs'])} | {mib(s['peak_kb'])} | "
                  f"{cell(alerts)} |")
        agree = "" if one.get("same", True) else " (DIFFERS from the rules alone)"
        print(f"| **`quarry run queries/`, one pass** | | {ms(one['secs'])} | {mib(one['peak_kb'])} | "
              f"{one.get('alerts', '—')}{agree} |")
        print()
    if repl is not None and repl["error"] is None:
        print(f"`quarry repl` holding the log ({repl['size'] / MIB:,.0f} MiB): peak RSS {mib(repl['peak_kb'])} MiB, "
              f"{repl['ratio']:.2f}x the file; loading and `| stats count` took {repl['secs']:.2f} s.")
        print()
    if checks:
        print("| target (issue 7) | measured | |")
        print("|---|---|---|")
        for c in checks:
            print(f"| {cell(c['target'])} | {cell(c['value'])} | {c['status']} |")


# ---------------------------------------------------------------------------------------------


SECTIONS = ["filter", "count-by", "dc-top10", "push-fatigue", "rules", "repl"]


def have_python_module(name):
    return subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True).returncode == 0


def main():
    global MARKDOWN
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000, help="events in the generated log (default 1,000,000)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each command; the median time is shown")
    ap.add_argument("--only", metavar="NAME", action="append", choices=SECTIONS,
                    help="run only this part (repeatable): " + ", ".join(SECTIONS))
    ap.add_argument("--quarry-only", action="store_true", help="skip the peers (jq, DuckDB, Python eql)")
    ap.add_argument("--markdown", action="store_true",
                    help="print the results as Markdown tables on stdout (progress goes to stderr)")
    ap.add_argument("--repl-max-rss", type=int, metavar="MIB",
                    help="stop the REPL past this peak RSS (default: half the memory available)")
    ap.add_argument("--no-build", action="store_true", help="use target/release/quarry as it is")
    args = ap.parse_args()
    MARKDOWN = args.markdown
    only = set(args.only or SECTIONS)

    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "quarry-cli"], cwd=ROOT, check=True)
    data = os.path.join(ROOT, "bench", "data")
    os.makedirs(data, exist_ok=True)
    log = os.path.join(data, f"okta-{args.events}.ndjson")
    if not os.path.exists(log):
        subprocess.run([QUARRY, "gen", "okta", "--events", str(args.events), "--seed", "7", "--quiet",
                        "--attacks", "push-fatigue=3,classic-push-fatigue=3,session-cookie=3",
                        "--output", log], check=True)
    size = os.path.getsize(log)
    peers = {} if args.quarry_only else {
        "jq": shutil.which("jq") is not None,
        "duckdb": have_python_module("duckdb"),
        "eql": shutil.which("eql") is not None and have_python_module("eql"),
    }
    header = dict(
        command="python3 bench/run.py " + shlex.join(sys.argv[1:]),
        machine=machine(),
        log=f"{args.events:,} events ({size / 1e9:.2f} GB)",
        runs=args.runs,
        versions=versions(peers),
    )
    say(f"log: {os.path.relpath(log, ROOT)}, {header['log']}; median of {args.runs} run(s)")
    say(f"machine: {header['machine']}")
    say(f"tools: {header['versions']}")
    if args.quarry_only:
        say("peers: skipped (--quarry-only)")
    else:
        say("peers: " + ", ".join(f"{p} {'yes' if ok else 'not installed'}" for p, ok in peers.items()))
    header["startup"] = startup(peers)
    say("startup (no input): " + header["startup"])
    say()
    say(f"  {'tool':7} {'language':12} {'time':>9} {'peak RSS':>11} {'x Quarry':>8}  answer")

    results = []
    for question in questions(log):
        if question["id"] not in only:
            continue
        say(question["name"] + (f" ({question['note']})" if question.get("note") else ""))
        results += ask(question, args.runs, peers)
    rules = None
    if "rules" in only:
        say("shipped rules, each alone (`quarry run FILE`; seed detections are queries/splunk/), then in one pass")
        rules = run_rules(log, args.runs)
    repl = None
    if "repl" in only:
        say("REPL")
        repl = run_repl(log, args.runs, args.events, args.repl_max_rss)

    checks = targets(results, rules, repl, args.events, only)
    say()
    say("targets (issue 7):")
    for c in checks:
        say(f"  {c['status']:5} {c['target']}: {c['value']}")
    if MARKDOWN:
        markdown(header, results, rules, repl, checks)


if __name__ == "__main__":
    main()
