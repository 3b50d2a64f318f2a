#!/usr/bin/env bash
# Debian's redis-server (Redis >= 6.2, as BullMQ needs) for `rrm sweep --queue` and `rrm worker`, and for
# the sweep package's tests, which start their own private redis-server on a free loopback port (data in a
# temp folder) and stop it. Installs only when missing; does not start a system service.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server already installed: $(redis-server --version)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-redis.sh: no apt-get here; install Redis >= 6.2 with your package manager (the binary redis-server on PATH)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends redis-server
echo "installed: $(redis-server --version)"
