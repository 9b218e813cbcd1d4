#!/bin/sh
# Regenerates expected.txt by running the trace ops on QEMU's virt board (needs riscv64-unknown-elf-gcc and qemu-system-riscv64 7.2).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
riscv64-unknown-elf-gcc -march=rv64ima_zicsr -mabi=lp64 -mcmodel=medany -O1 \
    -ffreestanding -nostdlib -T "$here/guest.ld" "$here/start.S" "$here/guest.c" \
    -o "$tmp/guest.elf"
qemu-system-riscv64 --version | head -n 1
timeout 60 qemu-system-riscv64 -M virt -bios none -kernel "$tmp/guest.elf" -nographic \
    -global virtio-mmio.force-legacy=false \
    -device virtio-keyboard-device -device virtio-tablet-device \
    | tr -d '\r' > "$tmp/out.txt"
{
    echo "# $(qemu-system-riscv64 --version | head -n 1): index, then the value read or FAULT"
    cat "$tmp/out.txt"
} > "$here/expected.txt"
echo "wrote $here/expected.txt ($(wc -l < "$tmp/out.txt") lines)"
