#!/usr/bin/env bash
# Install Debian's Chromium when the machine lacks it: the report tests open the HTML report in
# it, and the browser tests (tests/browser, Playwright) drive it; CI must not skip them.
# Playwright talks to it over the DevTools protocol, so no chromium-driver is needed.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
