#!/usr/bin/env bash
# Makes sure a font with Chinese characters is installed, for the charts of the reports
# (bot/charts.py). Installs Debian's fonts-noto-cjk when none is found and this runs as root;
# otherwise says what to do. Never fails the install: without such a font the reports go out
# as text, with a sentence saying the chart could not be drawn.
set -uo pipefail

has_cjk_font() {
  if command -v fc-list >/dev/null 2>&1; then
    [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ] && return 0
  fi
  find /usr/share/fonts /usr/local/share/fonts "${HOME:-/nonexistent}/.local/share/fonts" \
    \( -iname '*cjk*' -o -iname '*sourcehan*' -o -iname 'wqy*' -o -iname '*droidsansfallback*' \) \
    2>/dev/null | grep -q .
}

if has_cjk_font; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "No font with Chinese characters is installed, so the reports will be sent without" \
       "their chart. Install one as root, e.g. 'apt-get install fonts-noto-cjk' (Debian," \
       "Ubuntu), 'dnf install google-noto-sans-cjk-fonts' (Fedora) or" \
       "'brew install --cask font-noto-sans-cjk' (macOS), then restart the bot." >&2
  exit 0
fi
echo "Installing a font with Chinese characters for the report charts (fonts-noto-cjk)…" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends fonts-noto-cjk >&2; }
then
  echo "Installing fonts-noto-cjk failed: the reports will be sent without their chart" \
       "until a font with Chinese characters is installed." >&2
fi
exit 0
