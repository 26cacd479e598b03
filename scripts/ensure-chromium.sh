#!/usr/bin/env bash
# The end-to-end tests drive Debian's chromium with playwright. Install it when it is
# missing and this machine allows (root or password-less sudo, apt-get available);
# otherwise say so and let the browser tests skip (CI sets ZHIBU_REQUIRE_E2E=1 to fail).
set -u
browser=${ZHIBU_CHROMIUM:-/usr/bin/chromium}
[ -x "$browser" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $browser is missing and apt-get is unavailable; browser tests will skip." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "ensure-chromium: $browser is missing and installing it needs root; browser tests will skip." >&2
    exit 1
  fi
fi
echo "ensure-chromium: installing Debian's chromium for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
  || { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; }
[ -x "$browser" ] && { echo "ensure-chromium: installed $browser"; exit 0; }
echo "ensure-chromium: could not install chromium; browser tests will skip." >&2
exit 1
