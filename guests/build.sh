#!/bin/sh
# Rebuilds guests/hello.elf from guests/hello.S with the aarch64 cross binutils: build.sh [OUT.elf]
# (default: guests/hello.elf next to this script). Reproducible: no symbols, no build id, no timestamps, fixed
# link address (0x40080000, the qemu virt kernel address) and no page alignment padding (-n).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/hello.elf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
aarch64-linux-gnu-as -o "$tmp/hello.o" "$here/hello.S"
aarch64-linux-gnu-ld -n -s --build-id=none -z noexecstack --no-warn-rwx-segments -Ttext=0x40080000 -e _start -o "$out" "$tmp/hello.o"
