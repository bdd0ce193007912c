#!/usr/bin/env sh
# Benchmark the release binary; see scripts/bench.py for what is measured.
exec python3 "$(dirname "$0")/bench.py" "$@"
