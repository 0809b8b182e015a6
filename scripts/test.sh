#!/bin/bash
# SPDX-License-Identifier: MIT
# Set up, build and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cd build
make -j"$(nproc)" check || { cat test-suite.log 2>/dev/null | tail -200; exit 1; }
