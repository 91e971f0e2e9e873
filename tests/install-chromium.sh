#!/bin/sh
# Installs Debian's Chromium for the browser tests of the HTML reports, if it is missing and this user can
# (root with apt-get). Elsewhere it says how, and the browser tests skip (under CI they fail instead).
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests (once)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get -qq update >/dev/null && apt-get -qq install -y --no-install-recommends chromium >/dev/null \
        && exit 0
    echo "could not install chromium with apt-get" >&2
    exit 1
fi
echo "no chromium: the browser tests will skip (install Debian's chromium to run them)" >&2
exit 0
