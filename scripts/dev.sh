#!/usr/bin/env bash
# Builds Porthole on Debian 12 and runs it or its tests:
#   scripts/dev.sh run [PORTHOLE ARGS...]   build, then start porthole
#   scripts/dev.sh test [MESON TEST ARGS...] build, then run every test
#                                           under a virtual X server
# Installs the Debian packages below that are missing first (as root, or
# through sudo for apt-get only).  Safe to run again: it installs nothing
# that is there already and reuses build/.
set -euo pipefail

# Everything needed to build and test Porthole on a fresh Debian 12.
PACKAGES=(
    # build
    meson
    ninja-build
    pkg-config
    gcc
    libc6-dev
    libglib2.0-dev
    libgtk-3-dev
    libjson-glib-dev
    libx11-dev
    libxtst-dev
    libfdt-dev
    libpixman-1-dev
    libpng-dev
    # the guest side: cross compiler for the ISA tests and guest programs,
    # Debian's firmware for the boot tests
    gcc-riscv64-unknown-elf
    picolibc-riscv64-unknown-elf
    opensbi
    u-boot-qemu
    device-tree-compiler
    # QEMU 7.2, the reference: the device-tree test compares with its virt board
    qemu-system-misc
    # data files, translations and their validators
    libglib2.0-bin
    gettext
    desktop-file-utils
    appstream
    gtk-update-icon-cache
    # SVG loader for gdk-pixbuf (the icons; only recommended by GTK)
    librsvg2-common
    # headless X server for the GUI tests
    xvfb
    xauth
)

usage() {
    echo "usage: $0 run [porthole arguments...] | test [meson test arguments...]" >&2
    exit 2
}

# apt-get as root, through sudo otherwise; never asks questions.
apt_get() {
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get "$@"
    else
        sudo DEBIAN_FRONTEND=noninteractive apt-get "$@"
    fi
}

install_missing_packages() {
    local missing=() pkg status
    for pkg in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
        if [ "$status" != installed ]; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return
    fi

    echo "Installing: ${missing[*]}"
    apt_get update
    apt_get install -y --no-install-recommends "${missing[@]}"
}

build() {
    if [ ! -f build/meson-private/coredata.dat ]; then
        meson setup build
    fi
    meson compile -C build
}

[ $# -ge 1 ] || usage
mode=$1
shift
case "$mode" in
run | test) ;;
*) usage ;;
esac

cd "$(dirname "$0")/.."
install_missing_packages
build

case "$mode" in
run)
    exec ./build/app/porthole "$@"
    ;;
test)
    # 24-bit colour, as on a real desktop (xvfb-run's default is 8-bit).
    exec xvfb-run -a -s '-screen 0 1280x1024x24' \
        meson test -C build --print-errorlogs "$@"
    ;;
esac
