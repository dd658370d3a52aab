#!/bin/sh
# Folds what fuzz/run-all.sh found (fuzz/corpus-local/<target>) into the
# committed corpus, keeping one smallest input per covered edge
# (-use_counters=0 keeps the corpus small: about 0.6 MB for all targets).
#
#   fuzz/minimise.sh [TARGET...]
set -eu
cd "$(dirname "$0")"
targets=${*:-input normalize filing_no policy matcher index}
cargo +nightly fuzz build
bin=target/x86_64-unknown-linux-gnu/release
for t in $targets; do
    rm -rf "corpus-local/min-$t"
    mkdir -p "corpus-local/min-$t" "corpus-local/$t"
    "$bin/$t" -merge=1 -use_counters=0 -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
        "corpus-local/min-$t" "corpus/$t" "corpus-local/$t" 2>/dev/null
    rm -rf "corpus/$t"
    mv "corpus-local/min-$t" "corpus/$t"
    echo "$t: $(ls "corpus/$t" | wc -l) files, $(cat "corpus/$t"/* | wc -c) bytes"
done
