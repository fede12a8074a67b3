#!/usr/bin/env node
'use strict';
/**
 * Builds a minimal arm64 Linux initramfs (cpio "newc", uncompressed) around busybox-static:
 *
 *   node scripts/linux-initramfs.js [-o OUT] [--busybox FILE]
 *
 *   -o OUT          where to write the archive (default ./initramfs-busybox.cpio)
 *   --busybox FILE  the arm64 busybox: a static binary, or the busybox-static_*_arm64.deb (extracted with dpkg-deb);
 *                   default: the .deb in $KVM_ARM_LAB_DIR/dl/debs (default /var/cache/kvm-arm-lab/dl/debs), which
 *                   `bash ci/arm64-lab.sh setup` downloads; else `apt-get download busybox-static:arm64` by hand.
 *
 * The archive: /init (a busybox sh script), /bin/busybox, /bin/sh -> busybox, the empty directories busybox
 * --install fills, and /dev/console (char 5,1: written into the archive, so no root is needed). /init mounts
 * proc, sysfs and devtmpfs, installs the applet links, prints the marker line
 *   kvm-arm-initramfs: ready (Linux <release> <machine>)
 * and runs `setsid cttyhack sh` on the console; when that shell exits (`exit`, or end of input) it runs
 * `poweroff -f`, so the VMM sees PSCI SYSTEM_OFF.
 * Exit status: 0 written, 1 error (one line on stderr).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const MARKER = 'kvm-arm-initramfs: ready';

const INIT = `#!/bin/sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /root /bin /sbin /usr/bin /usr/sbin /etc
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
export HOME=/root PATH=/sbin:/usr/sbin:/bin:/usr/bin PS1='kvm-arm# '
cd /root
echo "${MARKER} (Linux $(uname -r) $(uname -m))"
setsid cttyhack sh
echo "kvm-arm-initramfs: shell exited, powering off"
poweroff -f
`;

/** One cpio newc entry (header, name, data, each padded to 4 bytes). */
function entry(name, mode, data = Buffer.alloc(0), { rdevMajor = 0, rdevMinor = 0, ino }) {
  const hex = (v) => (v >>> 0).toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(name + '\0', 'utf8');
  const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0];
  const header = Buffer.from('070701' + fields.map(hex).join(''), 'ascii');
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  return Buffer.concat([header, nameBytes, pad(header.length + nameBytes.length), data, pad(data.length)]);
}

/** The archive bytes for `files`: [{ name, mode, data?, rdev? }]; names without a leading '/'. */
function cpio(files) {
  const parts = files.map((f, i) => entry(f.name, f.mode, f.data, { ino: i + 1, ...(f.rdev ? { rdevMajor: f.rdev[0], rdevMinor: f.rdev[1] } : {}) }));
  parts.push(entry('TRAILER!!!', 0, Buffer.alloc(0), { ino: 0 }));
  return Buffer.concat(parts);
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function busyboxBytes(file) {
  if (file.endsWith('.deb')) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvm-arm-busybox-'));
    try {
      execFileSync('dpkg-deb', ['-x', file, tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
      for (const p of ['bin/busybox', 'usr/bin/busybox']) if (fs.existsSync(path.join(tmp, p))) return fs.readFileSync(path.join(tmp, p));
      throw new Error(`${file} has no bin/busybox`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return fs.readFileSync(file);
}

function defaultBusybox() {
  const dir = path.join(process.env.KVM_ARM_LAB_DIR || '/var/cache/kvm-arm-lab', 'dl', 'debs');
  const deb = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^busybox-static_.*_arm64\.deb$/.test(f)) : undefined;
  return deb === undefined ? undefined : path.join(dir, deb);
}

/** Builds the archive; returns its bytes. `busybox`: the binary's bytes (an arm64 ELF). */
function buildInitramfs(busybox) {
  if (!(busybox.length > 64 && busybox.readUInt32BE(0) === 0x7f454c46 && busybox.readUInt16LE(18) === 183)) {
    throw new Error('busybox: not an AArch64 ELF binary');
  }
  const dirs = ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'tmp', 'root', 'etc'];
  return cpio([
    ...dirs.map((d) => ({ name: d, mode: S_IFDIR | 0o755 })),
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] },
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: busybox },
    { name: 'bin/sh', mode: S_IFLNK | 0o777, data: Buffer.from('busybox') },
    { name: 'etc/passwd', mode: S_IFREG | 0o644, data: Buffer.from('root:x:0:0:root:/root:/bin/sh\n') },
    { name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(INIT) },
  ]);
}

function main(argv) {
  let out = 'initramfs-busybox.cpio';
  let bb;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o' && argv[i + 1] !== undefined) out = argv[++i];
    else if (a === '--busybox' && argv[i + 1] !== undefined) bb = argv[++i];
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/linux-initramfs.js [-o OUT] [--busybox FILE(.deb)]\n');
      return 0;
    } else {
      process.stderr.write(`linux-initramfs: unknown argument ${a}\n`);
      return 1;
    }
  }
  bb ??= defaultBusybox();
  if (bb === undefined) {
    process.stderr.write('linux-initramfs: no busybox: pass --busybox FILE, or run `bash ci/arm64-lab.sh setup` (KVM_ARM_LAB_DIR)\n');
    return 1;
  }
  try {
    const bytes = buildInitramfs(busyboxBytes(bb));
    fs.writeFileSync(out, bytes);
    process.stdout.write(`${out}: ${bytes.length} bytes (busybox from ${bb})\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`linux-initramfs: ${e.message}\n`);
    return 1;
  }
}

module.exports = { buildInitramfs, cpio, defaultBusybox, busyboxBytes, MARKER };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
