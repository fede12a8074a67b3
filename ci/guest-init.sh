#!/bin/busybox sh
# PID 1 of the kvm-arm lab guest (busybox ash inside the arm64 initramfs built by ci/arm64-lab.sh setup).
#
# Protocol with `ci/arm64-lab.sh run` on the host:
#   9p tag "kactl"  -> /ctl   per-run folder written by the host: env (sourced), cmd (the command script);
#                             this script writes /ctl/status (the command's exit status)
#   9p tag "kaproj" -> /proj  the project folder, read-write; the command runs there
#   console: "=== kvm-arm-lab begin <token> ===" before the command,
#            "=== kvm-arm-lab end <token> status=<n> ===" after it,
#            "=== kvm-arm-lab abort === <why>" when the guest cannot reach the command.
# PID 1 must never exit (kernel panic), so every path ends in poweroff -f.

B=/bin/busybox
$B mkdir -p /proc /sys /dev /tmp /ctl /proj /root /run
$B mount -t proc none /proc
$B mount -t sysfs none /sys
$B mount -t devtmpfs none /dev 2>/dev/null
$B --install -s 2>/dev/null
export PATH=/opt/node/bin:/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin
export HOME=/root TMPDIR=/tmp LANG=C.UTF-8 KVM_ARM_LAB=1

abort() {
	echo "=== kvm-arm-lab abort === $*"
	sync
	poweroff -f
	sleep 30
}

mkdir -p /dev/pts /dev/shm
mount -t devpts none /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 none /dev/shm 2>/dev/null
chmod 1777 /tmp
ip link set lo up 2>/dev/null
hostname kvm-arm-lab
ulimit -n 65536 2>/dev/null
[ -e /dev/kvm ] || mknod -m 666 /dev/kvm c 10 232

mods=/lib/modules/$(uname -r)
[ -r "$mods/load-order" ] || abort "kernel $(uname -r) has no module list in the initramfs (re-run setup)"
while read -r m; do
	[ -z "$m" ] || insmod "$mods/$m" 2>/tmp/err || abort "insmod $m: $(cat /tmp/err)"
done <"$mods/load-order"

o=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $o kactl /ctl 2>/tmp/err || abort "mount of the control share failed: $(cat /tmp/err)"
. /ctl/env || abort "cannot read /ctl/env"
mount -t 9p -o $o,cache=$LAB_CACHE kaproj /proj 2>/tmp/err || abort "mount of the project share failed: $(cat /tmp/err)"
# absolute host paths of the project also work in the guest
if [ -n "$LAB_HOSTDIR" ] && [ ! -e "$LAB_HOSTDIR" ]; then
	mkdir -p "$(dirname "$LAB_HOSTDIR")" && ln -s /proj "$LAB_HOSTDIR"
fi
[ "$LAB_VERBOSE" = 1 ] || dmesg -n 4
cd /proj || abort "cannot cd /proj"

echo "=== kvm-arm-lab begin $LAB_TOKEN ==="
kvminfo
mkfifo /tmp/out
cat /tmp/out &
reader=$!
sh /ctl/cmd </dev/null >/tmp/out 2>&1
status=$?
# stragglers may hold the pipe: give the reader one second, then stop it
n=0
while kill -0 $reader 2>/dev/null && [ $n -lt 10 ]; do sleep 0.1; n=$((n + 1)); done
kill $reader 2>/dev/null
echo $status >/ctl/status
cd /
sync
umount /proj 2>/dev/null
echo "=== kvm-arm-lab end $LAB_TOKEN status=$status ==="
umount /ctl 2>/dev/null
poweroff -f
sleep 30
