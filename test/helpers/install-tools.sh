#!/usr/bin/env bash
# Installs the system tools the test suite needs (tshark, to dissect captures), as part of
# `npm test`. Needs root for apt-get; without it, says what is missing. Under CI=true a tool
# that cannot be installed is an error, never a silent skip.
set -uo pipefail
if command -v tshark >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing tshark (Debian package) for the capture tests"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark >/dev/null; then
    exit 0
  fi
fi
echo "tshark is not installed and could not be installed here (needs root and apt-get)" >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
echo "the capture tests will be skipped" >&2
exit 0
