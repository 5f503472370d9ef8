#!/bin/sh
# The whole test suite, from a clean clone: system packages, build, tests, then the real count.
set -eu
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build --build-tests
status=0
swift test --skip-build --parallel --xunit-output .build/xunit.xml || status=$?
# swift test --parallel ends without a total; count the XCTest cases from its report.
if [ -f .build/xunit.xml ]; then
  total=$(grep -o '<testcase ' .build/xunit.xml | wc -l)
  failed=$(grep -o '<failure' .build/xunit.xml | wc -l)
  echo "$((total - failed)) passed, $failed failed"
fi
exit "$status"
