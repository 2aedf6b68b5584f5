#!/usr/bin/env bash
# Installs what qtrail needs from Debian's packages, where missing (as root; otherwise it says
# what to install). `deploy/prerequisites.sh` for running, `--test` adds what the tests need.
set -euo pipefail

need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v curl >/dev/null || need+=(curl)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
# Plaques are rendered with a CJK font.
[[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]] \
  || need+=(fonts-wqy-microhei)
if [[ "${1:-}" == "--test" ]]; then
  command -v chromium >/dev/null || need+=(chromium)  # the trail page is tested in a real browser
  # The transparency log is checked by Go's own implementations (tests/interop): go.mod needs Go
  # 1.25+; the test asks an older Go to fetch the approved toolchain from the Go module proxy.
  command -v go >/dev/null || need+=(golang-go)
fi
((${#need[@]})) || exit 0
if [[ "$(id -u)" != 0 ]]; then
  echo "[prerequisites] missing: ${need[*]}; install them with apt-get (needs root)" >&2
  exit 1
fi
echo "[prerequisites] installing ${need[*]}"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
