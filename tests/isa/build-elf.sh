#!/bin/sh
# Builds one ISA test ELF (used by meson and by run-qemu.sh so the flags live in one place).
# usage: build-elf.sh CROSS_GCC SRCDIR TEST.S OUT.elf [EXTRA_GCC_ARGS...]
set -e
cc=$1; srcdir=$2; src=$3; out=$4
shift 4
defs=
case $(basename "$src") in
  virt-*) defs=-DPH_ISA_VIRT=1 ;;   # needs QEMU virt devices: exit through the SiFive test device too
esac
exec "$cc" -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles \
  -Wa,--fatal-warnings -Wl,--no-warn-rwx-segments -I"$srcdir" $defs -T "$srcdir/ph-isa.ld" \
  "$@" "$srcdir/ph-isa-env.S" "$src" -o "$out"
