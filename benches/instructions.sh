#!/usr/bin/env bash
# The instruction budget: counts the instructions of one 10-year baseline replication
# (examples/one_replication) under valgrind's callgrind, which do not move with the
# machine's speed, and compares them with the count recorded in benches/budget.toml.
#
#   benches/instructions.sh            measure and compare (exit 1 if more than 5% over)
#   benches/instructions.sh --record   measure and write the count into benches/budget.toml
#
# A count more than 5% above the budget needs a sentence in docs/decisions/ saying why
# the model needed it, and then --record.
set -euo pipefail
cd "$(dirname "$0")/.."
budget_file=benches/budget.toml

cargo build --release --locked --no-default-features --example one_replication >&2
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" target/release/examples/one_replication >&2 2>"$out/log" \
    || { cat "$out/log" >&2; exit 2; }
count="$(grep -E '^(summary|totals):' "$out/cg.out" | head -1 | awk '{print $2}')"
echo "one_replication: $count instructions"

if [[ "${1:-}" == "--record" ]]; then
    {
        echo "# Instructions of one 10-year baseline replication (examples/one_replication),"
        echo "# counted by benches/instructions.sh under valgrind --tool=callgrind."
        echo "# Recorded with --record; see benches/README.md."
        echo "one_replication = $count"
    } > "$budget_file"
    echo "recorded in $budget_file"
    exit 0
fi

budget="$(awk -F' = ' '/^one_replication/ {print $2}' "$budget_file")"
limit=$(( budget + budget / 20 ))
pct="$(awk -v c="$count" -v b="$budget" 'BEGIN { printf "%+.1f", 100 * (c - b) / b }')"
echo "budget: $budget instructions; this build: ${pct}%"
if (( count > limit )); then
    echo "over the budget by more than 5%: say why in docs/decisions/ and re-record with --record" >&2
    exit 1
fi
