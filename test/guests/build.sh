#!/bin/sh
# Builds the bare-metal test guests into test/guests/build/ (gitignored): GUEST.elf for each GUEST.S / GUEST.c.
# Needs aarch64-linux-gnu-as/ld (and -gcc for .c). Usage: test/guests/build.sh [OUTDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
mkdir -p "$out"
for s in "$here"/*.S; do
  n=$(basename "$s" .S)
  aarch64-linux-gnu-as -o "$out/$n.o" "$s"
  aarch64-linux-gnu-ld --no-warn-rwx-segments -T "$here/link.ld" -o "$out/$n.elf" "$out/$n.o"
done
for c in "$here"/*.c; do
  [ -e "$c" ] || continue
  n=$(basename "$c" .c)
  aarch64-linux-gnu-gcc -ffreestanding -nostdlib -O2 -mgeneral-regs-only -c -o "$out/$n.o" "$c"
  aarch64-linux-gnu-as -o "$out/crt0.o" "$here/crt0.s"
  aarch64-linux-gnu-ld -T "$here/link.ld" -o "$out/$n.elf" "$out/crt0.o" "$out/$n.o"
done
