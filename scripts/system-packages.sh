#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only those that are missing.
set -euo pipefail
wanted=()
need() { command -v "$1" >/dev/null 2>&1 || [ -x "$2" ] || wanted+=("$3"); }
need pg_ctl /usr/lib/postgresql/15/bin/pg_ctl postgresql
need chromium /usr/bin/chromium chromium
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || wanted+=(fonts-dejavu-core)
[ ${#wanted[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Need Debian packages: ${wanted[*]} (run as root: apt-get install ${wanted[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
