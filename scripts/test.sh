#!/bin/sh
# The whole test suite, from a clean clone: system packages, build, tests, the format check, a
# short run of every fuzz target, then the real count.
set -eu
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build --build-tests
status=0
swift test --skip-build --parallel --xunit-output .build/xunit.xml || status=$?

# The code is as swift-format writes it (.swift-format); this check counts as one test.
extra_passed=0
extra_failed=0
if swift format lint --strict --recursive --parallel Sources Tests Package.swift; then
  extra_passed=$((extra_passed + 1))
  echo "format: ok"
else
  extra_failed=$((extra_failed + 1))
  status=1
  echo "format: FAILED (swift format --in-place --recursive Sources Tests Package.swift fixes it)"
fi

# Each libFuzzer target for a few seconds from its seeds (scripts/fuzz.sh): a smoke test that the
# fuzzers build and that nothing they reach quickly crashes. Each run counts as one test.
for target in frontend safetensors npy npz keras-config c-npy; do
  if scripts/fuzz.sh "$target" 15 >".build/fuzz-$target.log" 2>&1; then
    extra_passed=$((extra_passed + 1))
    echo "fuzz $target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' ".build/fuzz-$target.log" | tail -1)"
  else
    extra_failed=$((extra_failed + 1))
    status=1
    echo "fuzz $target: FAILED"
    tail -n 40 ".build/fuzz-$target.log"
  fi
done

# swift test --parallel ends without a total; count the XCTest cases from its report.
total=0
failed=0
if [ -f .build/xunit.xml ]; then
  total=$(grep -c '<testcase ' .build/xunit.xml || true)
  # A test that fails several assertions is one failed test.
  failed=$(awk '/<testcase /{n++} /<failure/{if(!seen[n]++) f++} END{print f+0}' .build/xunit.xml)
fi
echo "$((total - failed + extra_passed)) passed, $((failed + extra_failed)) failed"
exit "$status"
