#!/bin/sh
# The whole test suite, from a clean clone: system packages, build, tests.
set -eu
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --parallel
