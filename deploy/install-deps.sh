#!/usr/bin/env bash
# Installs every Debian package gregor needs to build, run and test (DESIGN §10).
# Idempotent: when everything is present it only checks and returns in about a second.
set -euo pipefail

PACKAGES=(
  # build
  cmake make gcc pkg-config
  libzookeeper-mt-dev libprotobuf-c-dev protobuf-c-compiler libevent-dev
  libcunit1-dev libjansson-dev librdkafka-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libssl-dev libsasl2-dev
  # run and test
  zookeeper kcat python3-pytest python3-kafka python3-confluent-kafka python3-kazoo
  iperf3 fio iproute2 debootstrap strace procps
  clang libclang-rt-14-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
