#!/usr/bin/env bash
# Installs the system tools the test suite needs, as part of `npm test`: tshark (to dissect
# captures), Chromium (to look at the HTML report as a person would), xmllint and xmlsec1
# (libxml2's own schema validator and the XML-DSig tool over libxml2 and OpenSSL, to check the DUIS
# documents hanota writes and signs independently of the libraries it uses). Needs root for
# apt-get; without it, says what is missing. Under CI=true a tool that cannot be installed is an error,
# never a silent skip.
set -uo pipefail
missing=()
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (Debian packages) for the capture, report and DUIS tests"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
fi
echo "${missing[*]} not installed and could not be installed here (needs root and apt-get)" >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
echo "the tests that need them will be skipped" >&2
exit 0
