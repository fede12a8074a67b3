#!/bin/sh
# Builds one benchmark image: build.sh OUTDIR NAME REPS → OUTDIR/NAME-REPS.elf (NAME: empty intloop memloop sieve
# crc32). REPS only sets the data word `reps`; the code is identical for every REPS. Needs the aarch64 cross
# toolchain (aarch64-linux-gnu-as/-ld; -gcc for sieve and crc32).
set -eu
out=$1 name=$2 reps=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
elf="$out/$name-$reps.elf"
CFLAGS="-O2 -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -nostdlib -mgeneral-regs-only -mstrict-align -fno-pic -fno-asynchronous-unwind-tables"
AS=aarch64-linux-gnu-as CC=aarch64-linux-gnu-gcc LD=aarch64-linux-gnu-ld
LDFLAGS="-T $here/link.ld -s --build-id=none -n -z noexecstack --no-warn-rwx-segments"
case "$name" in
  empty)
    $AS -o "$out/empty.o" "$here/empty.S"
    $LD $LDFLAGS -o "$elf" "$out/empty.o" ;;
  intloop|memloop)
    $AS -o "$out/crt0.o" "$here/crt0.S"
    $AS --defsym REPS="$reps" -o "$out/$name-$reps.o" "$here/$name.S"
    $LD $LDFLAGS -o "$elf" "$out/crt0.o" "$out/$name-$reps.o" ;;
  sieve|crc32)
    $AS -o "$out/crt0.o" "$here/crt0.S"
    $CC $CFLAGS -DREPS="$reps" -c -o "$out/$name-$reps.o" "$here/$name.c"
    $LD $LDFLAGS -o "$elf" "$out/crt0.o" "$out/$name-$reps.o" ;;
  *) echo "build.sh: unknown workload $name" >&2; exit 2 ;;
esac
echo "$elf"
