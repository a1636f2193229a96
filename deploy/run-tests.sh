#!/usr/bin/env bash
# Runs every gregor test: installs what is missing, builds, then runs the whole CTest suite
# (unit, integration, chaos, docker labels), the unit and integration tests again with
# everything built under ASan+UBSan (the integration tests then drive a sanitized broker), and
# each libFuzzer target for a bounded time. Exits non-zero on the first failing stage.
#   GREGOR_SKIP_SANITIZE=1   skip the sanitizer build
#   GREGOR_SKIP_FUZZ=1       skip the fuzz build
#   GREGOR_FUZZ_SECONDS=N    seconds per fuzz target (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
bash deploy/install-deps.sh

echo "== build (warnings are errors) =="
cmake -S . -B build -DGREGOR_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
echo "== tests =="
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${GREGOR_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
  cmake -S . -B build-asan -DGREGOR_SANITIZE=ON -DGREGOR_WERROR=ON \
        -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    ctest --test-dir build-asan -L 'unit|integration' --output-on-failure -j"$jobs"
fi

if [ "${GREGOR_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz targets (libFuzzer, ${GREGOR_FUZZ_SECONDS:-30} s each) =="
  CC=clang cmake -S . -B build-fuzz -DGREGOR_FUZZ=ON \
        -DGREGOR_FUZZ_SECONDS="${GREGOR_FUZZ_SECONDS:-30}" >/dev/null
  cmake --build build-fuzz -j"$jobs"
  ctest --test-dir build-fuzz -L fuzz --output-on-failure -j"$jobs"
fi
echo "== all test stages passed =="
