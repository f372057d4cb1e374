#!/usr/bin/env bash
# The README's test command: installs system packages, builds, runs the whole suite.
# Tests run in release mode: most of them are numeric (gradient checks, fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

swift build -c release --build-tests
.build/release/bench machine   # the BLAS kernel the tests run with (chosen as for every executable)
swift test -c release --skip-build
