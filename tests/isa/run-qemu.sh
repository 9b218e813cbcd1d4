#!/bin/sh
# Runs every ISA test on QEMU 7.2 (the reference): spike for HTIF tests, virt for virt-* ones.
# usage: run-qemu.sh [TEST.S ...]   (default: every *.S here but the env); exit 1 if any result is wrong.
# fail-* and virt-fail-* tests must fail with case 3; every other test must pass.
# The ELFs are built with -DPH_ISA_QEMU=1: where QEMU 7.2 deviates from the spec,
# a test accepts QEMU's behaviour too (each such place says why); the ELFs
# meson builds for Porthole hold to the spec.
here=$(cd "$(dirname "$0")" && pwd)
cc=${CROSS_GCC:-riscv64-unknown-elf-gcc}
qemu=${QEMU:-qemu-system-riscv64}
out=${OUT:-$(mktemp -d)}; mkdir -p "$out"
[ $# -eq 0 ] && set -- $(ls "$here"/*.S | grep -v '/ph-isa-env.S$')
bad=0; n=0
for src in "$@"; do
  name=$(basename "$src" .S)
  elf=$out/$name.elf
  n=$((n + 1))
  if ! "$here/build-elf.sh" "$cc" "$here" "$src" "$elf" -DPH_ISA_QEMU=1; then
    echo "BUILD-FAIL $name"; bad=$((bad + 1)); continue
  fi
  case $name in virt-*) machine=virt ;; *) machine=spike ;; esac
  timeout 20 "$qemu" -M $machine -m 128M -nographic -bios none -kernel "$elf" </dev/null >/dev/null 2>&1
  rc=$?
  case $name in
    fail-*|virt-fail-*) if [ $rc -eq 3 ]; then echo "ok   $name (fails case 3 as it must)"
            else echo "BAD  $name: exit $rc, expected 3"; bad=$((bad + 1)); fi ;;
    *)      if [ $rc -eq 0 ]; then echo "ok   $name"
            else echo "FAIL $name: exit $rc (124 = timeout; else failing case)"; bad=$((bad + 1)); fi ;;
  esac
done
echo "$n tests, $bad wrong"
[ -z "$OUT" ] && rm -rf "$out"
[ $bad -eq 0 ]
