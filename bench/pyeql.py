#!/usr/bin/env python3
"""Runs an EQL query with Python `eql` (the reference engine, `pip install eql`) over a raw
NDJSON log, as a user of that library would: each line is parsed with `json`, its time read
from a field (Okta's `published`, ISO 8601) and the event handed to eql's PythonEngine.

    python3 bench/pyeql.py 'sequence by actor.alternateId with maxspan=10m [...] [...]' okta.ndjson

`eql query` cannot do this itself: it reads an event's time from a numeric `timestamp` field only,
so `maxspan` would see every event at time 0. Prints one JSON line per result: a sequence as
{"join_keys": [...], "timestamps": [...]} (milliseconds), anything else as eql prints it.
"""

import argparse
import json
import sys
from datetime import datetime

import eql
from eql.events import Event


def millis(text):
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def lookup(data, dotted):
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("query")
    ap.add_argument("file")
    ap.add_argument("--time-field", default="published")
    ap.add_argument("--key", action="append", default=[], help="dotted field printed as a join key (repeatable)")
    args = ap.parse_args()

    out = sys.stdout

    def emit(result):
        events = result.events
        if len(events) > 1:
            keys = [lookup(events[0].data, key) for key in args.key]
            out.write(json.dumps({"join_keys": keys, "timestamps": [e.time for e in events]}) + "\n")
        else:
            data = {k: v for k, v in events[0].data.items() if k != "serial_event_id"}
            out.write(json.dumps(data) + "\n")

    # Event times in milliseconds: maxspan is converted with `time_unit` ticks per second.
    engine = eql.PythonEngine({"time_unit": 1000, "hooks": [emit]})
    with engine.schema:
        engine.add_query(eql.parse_query(args.query, implied_any=True, implied_base=True))
    with open(args.file, encoding="utf-8") as f:
        for serial, line in enumerate(f):
            data = json.loads(line)
            # eql orders results by (time, serial_event_id)
            data["serial_event_id"] = serial
            engine.stream_event(Event("generic", millis(data[args.time_field]), data))
    engine.finalize()


if __name__ == "__main__":
    main()
