#!/bin/sh
# Runs every fuzz target in turn, one process at a time, for SECONDS each
# (default 600). New inputs go to fuzz/corpus-local/<target> (ignored by git);
# the committed corpus (fuzz/corpus/<target>) and seeds (fuzz/seeds/<target>)
# are read but not written.
# Crashes land in fuzz/artifacts/<target>/.
#
#   fuzz/run-all.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")"
seconds=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-input normalize filing_no policy matcher index}
for t in $targets; do
    mkdir -p "corpus-local/$t"
    extra=""
    [ "$t" = input ] && extra="-max_len=8192"
    echo "== $t: ${seconds}s"
    cargo +nightly fuzz run "$t" "corpus-local/$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 $extra || echo "!! $t stopped: see fuzz/artifacts/$t/"
done
