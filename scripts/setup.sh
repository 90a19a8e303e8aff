#!/usr/bin/env bash
# Sets up a fresh Debian machine with Node 20 for footfall: the system packages (as
# root, or through sudo), then the npm dependencies. `--tests` adds what the tests
# need; `--system-only` stops after apt.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the agent needs to run.
PACKAGES=(
  ffmpeg               # camera decoding (edge/camera)
  libpcap-dev          # node-pcap build and live capture (edge/wifi)
  opencv-doc           # ships vtest.avi, the embedded demo camera
  iw                   # channel hopping for live Wi-Fi capture
  python3 make g++     # native module builds (better-sqlite3, pcap)
)
# What the tests start or compare with (real brokers, databases, decoders, browser).
TEST_PACKAGES=(
  tshark               # independent 802.11 decoder the Wi-Fi tests compare with
  mosquitto            # real MQTT broker for the sync and ingest tests
  mosquitto-clients
  postgresql           # real PostgreSQL for the fleet-ingest tests
  chromium             # real-browser test of the status page (playwright-core drives it)
  openssl              # test certificates for the MQTT TLS tests
  python3-gi           # real RTSP server for the camera tests (GStreamer's, through PyGObject)
  gir1.2-gst-rtsp-server-1.0
  gir1.2-gstreamer-1.0
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
)

system_only=0
for arg in "$@"; do
  case "$arg" in
    --system-only) system_only=1 ;;
    --tests) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
    *) echo "setup: unknown option $arg (use --tests, --system-only)"; exit 2 ;;
  esac
done

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

[ "$system_only" = 1 ] && exit 0

echo "setup: npm ci"
# onnxruntime-node's postinstall would download CUDA binaries (a box runs on the CPU, often offline).
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
