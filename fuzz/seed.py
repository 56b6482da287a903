#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Seeds come from the shipped rules (queries/), the test fixtures (tests/fixtures/) and, when it
is beside the repository, the public corpora in ../shared/corpus. Nothing from ../shared is
committed: run this before fuzzing (fuzz/run.sh does).
"""
import hashlib
import json
import os
import pathlib
import re
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
OUT = ROOT / "fuzz" / "corpus"
SEPARATOR = "\n---\n"  # tests/fuzz_harness/mod.rs MACRO_SEPARATOR


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def jsonl(path):
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def rule_queries():
    """(language, query) from the shipped rule files."""
    found = []
    for path in sorted((ROOT / "queries").rglob("*.toml")) + sorted((ROOT / "tests" / "fixtures").rglob("*.toml")):
        text = path.read_text()
        if tomllib is not None:
            try:
                doc = tomllib.loads(text)
            except Exception:
                continue
            q = doc.get("query") or doc.get("search")
            if isinstance(q, str):
                lang = doc.get("language") or ("eql" if ".eql." in path.name else "spl")
                found.append((lang, q))
        else:
            for m in re.finditer(r"^query\s*=\s*'''(.*?)'''", text, re.S | re.M):
                found.append(("eql" if ".eql." in path.name else "spl", m.group(1)))
    return found


def main():
    queries = rule_queries()
    spl = [q for lang, q in queries if lang != "eql"]
    eql = [q for lang, q in queries if lang == "eql"]
    spl += [r.get("search", "") for r in jsonl(SHARED / "splunk_detections_public.jsonl")]
    eql += [r.get("query", "") for r in jsonl(SHARED / "elastic_eql_public.jsonl")]
    for r in jsonl(SHARED / "okta_rules.jsonl"):
        q = r.get("query") or r.get("search") or ""
        (eql if r.get("language") == "eql" else spl).append(q)
    spl = [q for q in spl if q]
    eql = [q for q in eql if q]
    for q in spl:
        write("spl_parse", q)
    for q in eql:
        write("eql_parse", q)

    conf = (ROOT / "queries" / "macros.conf").read_text()
    shared_macros = jsonl(SHARED / "splunk_macros.jsonl")
    extra = "".join(
        f"\n[{m['name']}{'(' + str(len(m.get('arguments') or [])) + ')' if m.get('arguments') else ''}]\n"
        f"definition = {m.get('definition', '')}\n"
        + (f"args = {', '.join(m['arguments'])}\n" if m.get("arguments") else "")
        for m in shared_macros[:60]
    )
    for q in spl[:400]:
        if "`" in q:
            write("macro_expand", conf + extra + SEPARATOR + q)
    write("macro_expand", "[a]\ndefinition = `b`\n[b]\ndefinition = `a`\n" + SEPARATOR + "`a` | stats count")
    write("macro_expand", "[f(2)]\nargs = x, y\ndefinition = $x$=$y$\n" + SEPARATOR + "`f(a, \"b,c\")`")

    lines = []
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.ndjson")):
        lines += path.read_text().splitlines()
    # Small files of a few events each: libFuzzer prefers small inputs.
    for k in range(0, min(len(lines), 600), 3):
        chunk = "\n".join(lines[k : k + 3]) + "\n"
        if len(chunk) < 8000:
            write("json_read", chunk)
            write("query_eval", chunk)
    handmade = [
        b'{"a":"x","b":2,"c":"x,y"}\n{"a":"y","b":1}\n{"a":["x","y"],"d":1,"event_type":"process"}\n',
        b'\xef\xbb\xbf{"a":1}\r\n{"a":1e400}\n{"a":1,"a":2}\n{"a.b":1,"a":{"b":2}}\n',
        b'[{"a":1},{"b":2},3]',
        b'{"a":"\\u0000\\ud800"}\n\x00\n{"\xff":1}\n',
        b'{"_time":"2024-01-01T00:00:00Z","a":"x","b":5,"@timestamp":1}\n{"_time":99999999999999999999,"a":"x"}\n',
        b'{"a":' * 40 + b'1' + b'}' * 40 + b'\n',
    ]
    for h in handmade:
        write("json_read", h)
        write("query_eval", h)
    for t in ["spl_parse", "eql_parse", "macro_expand", "json_read", "query_eval"]:
        n = len(os.listdir(OUT / t))
        print(f"{t}: {n} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
