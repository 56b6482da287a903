#!/usr/bin/env bash
# Runs the fuzz targets with cargo-fuzz (libFuzzer) for a fixed time each.
#
#   fuzz/run.sh all 600          # every target, ten minutes each, one after another
#   fuzz/run.sh spl_parse 60     # one target, one minute
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seeds are written
# by fuzz/seed.py first; findings land in fuzz/artifacts/<target>/, logs in fuzz/logs/. The
# last lines of each log give the executions reached (stat::number_of_executed_units).
set -euo pipefail
cd "$(dirname "$0")"

targets=(spl_parse eql_parse macro_expand json_read query_eval)
which=${1:-all}
seconds=${2:-600}
if [ "$which" = all ]; then
    run=("${targets[@]}")
else
    run=("$which")
fi

python3 seed.py
mkdir -p logs
for t in "${run[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    echo "fuzzing $t for ${seconds}s (log: fuzz/logs/$t.log)"
    # One process per target (no -jobs), so two can share a small machine; -rss_limit_mb and
    # -timeout turn memory blow-ups and hangs into findings too.
    cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="artifacts/$t/" \
        >"logs/$t.log" 2>&1 || { echo "$t: FINDING (see fuzz/logs/$t.log and fuzz/artifacts/$t/)"; status=1; }
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "logs/$t.log" | sed "s/^/$t: /" || true
done
exit "${status:-0}"
