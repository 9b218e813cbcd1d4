#!/bin/sh
# Runs a must-fail ISA test on Porthole: passes only if Porthole exits non-zero and names the failing case.
# usage: check-fail.sh PORTHOLE TEST.elf CASE
porthole=$1; elf=$2; case=$3
err=$(mktemp)
trap 'rm -f "$err"' EXIT
timeout 50 "$porthole" --headless -bios none -kernel "$elf" </dev/null >/dev/null 2>"$err"
rc=$?
if [ $rc -eq 0 ]; then
  echo "porthole exited 0 for a test that fails case $case"; exit 1
fi
if [ $rc -eq 124 ]; then
  echo "porthole did not exit within 50 s"; exit 1
fi
if ! grep -qw "test $case" "$err"; then
  echo "stderr does not name 'test $case':"; cat "$err"; exit 1
fi
echo "exit $rc, stderr names test $case"
