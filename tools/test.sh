#!/usr/bin/env bash
# The README's test command: installs system packages, builds, runs the whole suite.
# Tests run in release mode: most of them are numeric (gradient checks, fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

if [ ! -d ../shared/fixtures ]; then
    echo "test.sh: error: ../shared/fixtures not found (tests read reference fixtures from there)" >&2
    exit 1
fi

swift build -c release --build-tests
swift test -c release --skip-build
