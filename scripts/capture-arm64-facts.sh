#!/usr/bin/env bash
# Captures facts about real arm64 KVM into test/fixtures (run on the host; boots the lab guest 4 times):
#   test/fixtures/reglist-cortex-a57.txt   KVM_GET_REG_LIST + values after VCPU_INIT (PSCI_0_2), -cpu cortex-a57
#   test/fixtures/reglist-max.txt          the same on -cpu max
#   test/fixtures/reglist-max-sve.txt      -cpu max with SVE + PTRAUTH, finalized
#   test/fixtures/kvm-errno-arm64.txt      kvmprobe (errno of each misuse, exit records) on -cpu cortex-a57
#   test/fixtures/kvm-errno-arm64-max.txt  kvmprobe on -cpu max
# Uses ci/arm64-lab.sh (setup runs by itself when needed). Takes about 2 minutes.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
LAB=$ROOT/ci/arm64-lab.sh
F=$ROOT/test/fixtures
mkdir -p "$F"
bash "$LAB" tools
QEMU=$(qemu-system-aarch64 --version | head -n1)
capture() { # OUT CPU CMD...
	local out=$1 cpu=$2; shift 2
	local tmp; tmp=$(mktemp)
	bash "$LAB" run --wait --cpu "$cpu" -e LAB_CPU="$cpu" -e LAB_QEMU="$QEMU" -- "$@" >"$tmp" ||
		{ cat "$tmp" >&2; rm -f "$tmp"; echo "capture: $* failed on $cpu" >&2; exit 1; }
	# drop the lab's own banner lines; keep everything the tool printed (kernel warnings included, marked)
	grep -v '^lab: ' "$tmp" | sed 's/^\(\[ *[0-9.]*\] .*\)$/# kernel log: \1/' >"$out"
	rm -f "$tmp"
	echo "capture: $(basename "$out"): $(grep -c '^0x\|->' "$out") lines" >&2
}
capture "$F/reglist-cortex-a57.txt" cortex-a57 ci/.out/bin/reglist
capture "$F/reglist-max.txt" max ci/.out/bin/reglist
capture "$F/reglist-max-sve.txt" max ci/.out/bin/reglist sve
{ echo "# qemu: $QEMU -cpu cortex-a57 (GICv2, nVHE)"; } >"$F/kvm-errno-arm64.txt.head"
capture "$F/kvm-errno-arm64.txt.body" cortex-a57 ci/.out/bin/kvmprobe
cat "$F/kvm-errno-arm64.txt.head" "$F/kvm-errno-arm64.txt.body" >"$F/kvm-errno-arm64.txt"
{ echo "# qemu: $QEMU -cpu max,pauth-impdef=on (GICv2, nVHE)"; } >"$F/kvm-errno-arm64.txt.head"
capture "$F/kvm-errno-arm64.txt.body" max ci/.out/bin/kvmprobe
cat "$F/kvm-errno-arm64.txt.head" "$F/kvm-errno-arm64.txt.body" >"$F/kvm-errno-arm64-max.txt"
rm -f "$F/kvm-errno-arm64.txt.head" "$F/kvm-errno-arm64.txt.body"
