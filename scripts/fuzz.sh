#!/bin/sh
# Fuzzes one reader of a user's bytes with libFuzzer (coverage-guided, under AddressSanitizer).
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#
# TARGET is frontend (.dl source through shape checking, summaries, passes and the memory plan),
# safetensors, npy or npz (dlc's data readers), or c-npy (the .npy reader of the program that
# `dlc compile --emit exe` generates, under ASan and UBSan). The corpus grows in
# .build-fuzz/corpus/TARGET across runs; seeds come from graphs/, the golden cases, the fixtures
# and Tests/Fuzz/TARGET/ (where every input that once crashed is kept as a regression case).
# A crash is written to .build-fuzz/crashes/TARGET/ and the script exits non-zero.
set -eu
cd "$(dirname "$0")/.."

[ $# -ge 2 ] || { echo "usage: scripts/fuzz.sh frontend|safetensors|npy|npz|c-npy SECONDS [libFuzzer flags...]" >&2; exit 2; }
target=$1
seconds=$2
shift 2
work=.build-fuzz
mkdir -p "$work/corpus/$target" "$work/crashes/$target"
rm -rf "$work/seeds/$target"
mkdir -p "$work/seeds/$target"

# Seeds: copies, so libFuzzer sees folders holding only this target's kind of file.
seed() { for file in "$@"; do [ -f "$file" ] && cp "$file" "$work/seeds/$target/$(echo "$file" | tr / _)"; done; return 0; }
small() { find "$@" -type f -size -64k 2>/dev/null | sort; }
case $target in
  frontend) seed graphs/*.dl $(find Tests/Golden Tests/Fixtures -name '*.dl' | sort) ;;
  safetensors) seed $(small Tests/Fixtures -name '*.safetensors') ;;
  npy | c-npy) ;;
  npz) seed $(small Tests/Fixtures -name '*.npz') ;;
  keras-config) seed $(small Tests/Fixtures/import -name '*.config.json') ;;
  *) echo "fuzz: unknown target '$target'" >&2; exit 2 ;;
esac
seed Tests/Fuzz/"$target"/*
[ "$target" = c-npy ] && seed Tests/Fuzz/npy/*

# A dictionary for the .dl language: its keywords and punctuation, and every layer and argument name
# from the layer reference (generated from the registry, so it follows new layers).
flags=""
if [ "$target" = frontend ]; then
  dictionary="$work/dl.dict"
  {
    for word in model input output block return f32 i32 true false none '->' '=' '(' ')' '[' ']' ',' ':' '#' \
      '"same"' '"valid"' '"causal"' '"relu"' '"softmax"' '1e-3' '-1' '2147483647' '9223372036854775807'; do
      printf '"%s"\n' "$(printf '%s' "$word" | sed 's/\\/\\\\/g; s/"/\\"/g')"
    done
    sed -n 's/^## \([A-Za-z0-9]*\)$/"\1"/p' docs/layers.md
    sed -n 's/^| `\([a-z_0-9]*\)` |.*/"\1"/p' docs/layers.md | sort -u
  } > "$dictionary"
  flags="-dict=$dictionary"
fi

# Builds: the Swift targets in their own scratch folder, linked with lld (gold cannot link libFuzzer
# with Swift's ASan objects); the C reader with clang's libFuzzer.
toolchain=$(dirname "$(readlink -f "$(command -v swiftc)")")
if [ "$target" = c-npy ]; then
  program=$work/c-npy/fuzz-npy
  swift build --product dlc >/dev/null
  "$(swift build --show-bin-path)/dlc" compile Tests/Fuzz/c-npy-model.dl -o "$work/c-npy" --emit exe >/dev/null
  "$toolchain/clang" -std=c99 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Wall -Wextra -Werror -I"$work/c-npy" Tests/Fuzz/c_npy_harness.c "$work/c-npy/fuzzed.c" \
    "$work/c-npy/fuzzed_weights.c" -lm -o "$program"
else
  printf '{"schemaVersion": "1.0", "linker": {"path": "%s"}}\n' "$toolchain/ld.lld" > "$work/toolset.json"
  swift build -c release --scratch-path "$work" --toolset "$work/toolset.json" --product dlc-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DDLC_LIBFUZZER
  program="$work/release/dlc-fuzz $target"
fi

# Swift's runtime keeps caches for the life of the process; they are not leaks of dlc's.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
# A Swift trap is a crash for libFuzzer to catch and save, not one for Swift's backtracer to print.
export SWIFT_BACKTRACE=enable=no
# The generated reader reports each bad file on stderr; libFuzzer keeps its own output and crash reports.
[ "$target" = c-npy ] && flags="-close_fd_mask=2"
# shellcheck disable=SC2086
$program "$work/corpus/$target" "$work/seeds/$target" -max_total_time="$seconds" -timeout=10 \
  -artifact_prefix="$work/crashes/$target/" -print_final_stats=1 $flags "$@"
