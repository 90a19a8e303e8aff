#!/usr/bin/env bash
# Sets up a fresh Debian machine with Node 20 for footfall: the system packages (as
# root, or through sudo), then the npm dependencies. `--system-only` stops after apt.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  ffmpeg               # camera decoding (edge/camera)
  libpcap-dev          # node-pcap build and live capture (edge/wifi)
  tshark               # independent 802.11 decoder the Wi-Fi tests compare with
  mosquitto            # real MQTT broker for the sync tests
  mosquitto-clients
  postgresql           # real PostgreSQL for the fleet-ingest tests
  opencv-doc           # ships vtest.avi, the embedded demo camera
  iw                   # channel hopping for live Wi-Fi capture
  python3 make g++     # native module builds (better-sqlite3, pcap)
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's mosquitto package may start a system broker on 1883, where footfall's
# embedded broker listens by default; footfall's tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  $SUDO systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi

[ "${1:-}" = "--system-only" ] && exit 0

echo "setup: npm ci"
npm ci --no-audit --no-fund
