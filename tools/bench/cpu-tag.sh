#!/usr/bin/env bash
# The CPU a benchmark ran on, as the short tag its results file is named after
# (bench-<kind>-<tag>.json): zen3, zen4 or zen5 for AMD's families 19h and 1Ah (AMD's numbering:
# family 19h models 00h-0Fh and 20h-5Fh are Zen 3, its other models Zen 4; family 1Ah is Zen 5),
# otherwise <vendor>-f<family>m<model> (e.g. intel-f6m143), so that two CPUs never share a file.
set -euo pipefail
info() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo | cut -d: -f2 | tr -d ' '; }
vendor="$(info vendor_id)"; family="$(info 'cpu family')"; model="$(info model)"
if [ "$vendor" = AuthenticAMD ] && [ "$family" = 25 ]; then
  if [ "$model" -lt 16 ] || { [ "$model" -ge 32 ] && [ "$model" -lt 96 ]; }; then echo zen3; else echo zen4; fi
elif [ "$vendor" = AuthenticAMD ] && [ "$family" = 26 ]; then
  echo zen5
else
  v="$(echo "$vendor" | tr '[:upper:]' '[:lower:]' | sed -e 's/genuineintel/intel/' -e 's/authenticamd/amd/' -e 's/[^a-z0-9]//g')"
  echo "${v:-cpu}-f${family:-x}m${model:-x}"
fi
