#!/usr/bin/env node
'use strict';
// Fuzzes the native addon's argument checks on the real /dev/kvm (x86 here; arm64 in the lab).
//
//   node scripts/fuzz-native.js [--iterations N] [--seed S]      # the addon node-gyp-build finds
//   node scripts/fuzz-native.js --asan [--iterations N]          # builds an AddressSanitizer addon in
//                                                               # build/asan/ and re-runs itself under ASan
//   npm run fuzz:native -- --asan
//
// What it throws: random ioctl numbers (KVM type, every direction and size), random buffer lengths, register
// ids, reg-list headers, dirty-log slots, device attributes, memory-region offsets/sizes, mapRun sizes,
// openMemory/kick tokens, and values of the wrong JS type, at every Fd / Memory / VcpuRun entry point.
//
// What it checks:
//   - every call ends in a result, an errno Error (errno + syscall), a RangeError or a TypeError — never a
//     crash (under --asan: never an invalid access in the addon, which ASan would abort on);
//   - the kernel never writes outside a buffer: each buffer is a window of a larger one whose guard bytes
//     (a known pattern before and after) are checked after every call;
//   - a call the addon rejected with RangeError/TypeError did not reach the kernel: its buffer is untouched.
// Exit status 0 when all hold; the summary lists the outcome counts.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : def;
};

if (args.includes('--asan') && !process.env.KVM_ARM_FUZZ_CHILD) {
  // Build the sanitizer addon out of tree (build-asan/), then run this script again with libasan preloaded
  // (Node itself is not instrumented, so the runtime must be loaded first).
  const dir = path.join(root, 'build', 'asan'); // under build/: git-ignored, removed by `node-gyp rebuild`
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(root, 'binding.gyp'), path.join(dir, 'binding.gyp'));
  fs.cpSync(path.join(root, 'native'), path.join(dir, 'native'), { recursive: true });
  try {
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  } catch {
    /* exists */
  }
  const gyp = require.resolve('node-gyp/bin/node-gyp.js');
  // Node-API headers: npm's nodedir, else Debian's /usr/include/node, else node-gyp's own download
  let nodedir = process.env.npm_config_nodedir;
  if (!nodedir && fs.existsSync('/usr/include/node/node_api.h')) nodedir = '/usr';
  const gypArgs = [gyp, 'rebuild', '-j', '2', ...(nodedir ? [`--nodedir=${nodedir}`] : []), '--', '-Dkvm_arm_asan=1'];
  const b = spawnSync(process.execPath, gypArgs, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  if (b.status !== 0) {
    console.error(`${b.stdout}${b.stderr}\nfuzz-native: the ASan build failed`);
    process.exit(1);
  }
  const libasan = spawnSync(process.env.CXX || 'g++', ['-print-file-name=libasan.so']).stdout.toString().trim();
  const r = spawnSync(process.execPath, [__filename, ...args], {
    stdio: 'inherit',
    env: {
      ...process.env,
      KVM_ARM_FUZZ_CHILD: '1',
      KVM_ARM_ADDON: path.join(dir, 'build', 'Release', 'kvm_arm.node'),
      LD_PRELOAD: libasan,
      // Node is not instrumented: leaks and ODR reports would be Node's, not the addon's
      ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_odr_violation=0',
    },
  });
  process.exit(r.status === null ? 1 : r.status);
}

// ------------------------------------------------------------------------------------------------ setup
let binding;
let where;
if (process.env.KVM_ARM_ADDON) {
  where = process.env.KVM_ARM_ADDON;
  binding = require(where);
} else {
  where = require('node-gyp-build').resolve(root);
  binding = require(where);
}
if (!fs.existsSync('/dev/kvm')) {
  console.log('fuzz-native: skipped: no /dev/kvm');
  process.exit(0);
}

const iterations = Number(opt('--iterations', '20000'));
let seed = Number(opt('--seed', String(Date.now() % 0x7fffffff))) >>> 0 || 1;
// xorshift32: reproducible with --seed
function rnd() {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
}
const pick = (a) => a[rnd() % a.length];
const chance = (p) => rnd() / 0x100000000 < p;
function rnd64() {
  return (BigInt(rnd()) << 32n) | BigInt(rnd());
}
function smallInt() {
  return pick([0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 4095, 4096, 8192, rnd() % 0x4000, rnd() % 300]);
}

const IOC = (dir, nr, size) => ((dir << 30) | (size << 16) | (0xae << 8) | nr) >>> 0;
// Requests the fuzzer never sends through the generic paths: they create fds (which it could not tell apart
// from counts to close them) or run the vCPU; those are exercised on purpose below instead.
const AVOID_NR = new Set([0x01, 0x41, 0x80, 0xe0, 0xce, 0xd4]);
function randomRequest() {
  if (chance(0.05)) return rnd(); // any number at all (other ioctl types)
  let nr;
  do nr = rnd() & 0xff;
  while (AVOID_NR.has(nr));
  const dir = rnd() & 3;
  const size = dir === 0 ? 0 : pick([0, 4, 8, 12, 16, 24, 32, 64, 104, 520, rnd() & 0x3fff]);
  return IOC(dir, nr, size);
}

// Guarded buffers: `len` usable bytes inside [GUARD | len | GUARD], guards filled with a pattern.
const GUARD = 64;
function guarded(len, fill) {
  const outer = new Uint8Array(len + 2 * GUARD);
  for (let i = 0; i < outer.length; i++) outer[i] = (i * 37 + 11) & 0xff;
  const inner = outer.subarray(GUARD, GUARD + len);
  if (fill === 'zero') inner.fill(0);
  else if (fill === 'random') for (let i = 0; i < len; i++) inner[i] = rnd() & 0xff;
  return { outer, inner, snapshot: Uint8Array.from(outer) };
}
function guardsIntact(g) {
  const n = g.outer.length;
  for (let i = 0; i < GUARD; i++) if (g.outer[i] !== g.snapshot[i] || g.outer[n - 1 - i] !== g.snapshot[n - 1 - i]) return false;
  return true;
}
function unchanged(g) {
  for (let i = 0; i < g.outer.length; i++) if (g.outer[i] !== g.snapshot[i]) return false;
  return true;
}

const stats = { ok: 0, errno: {}, RangeError: 0, TypeError: 0 };
const failures = [];
function fail(what, detail) {
  failures.push(`${what}: ${detail}`);
  if (failures.length <= 20) console.error(`FAIL ${what}: ${detail}`);
}

/** Runs one call; classifies the outcome; checks the guards. */
function attempt(what, g, f) {
  let rejected = false;
  try {
    f();
    stats.ok++;
  } catch (e) {
    if (e && typeof e.errno === 'number' && typeof e.syscall === 'string') {
      stats.errno[e.errno] = (stats.errno[e.errno] || 0) + 1;
    } else if (e && (e.name === 'RangeError' || e.name === 'TypeError')) {
      stats[e.name]++;
      rejected = true;
    } else {
      fail(what, `unexpected exception ${e && e.name}: ${e && e.message}`);
    }
  }
  for (const x of g ? (Array.isArray(g) ? g : [g]) : []) {
    if (!guardsIntact(x)) fail(what, 'the kernel wrote outside the buffer (guard bytes changed)');
    else if (rejected && !unchanged(x)) fail(what, 'a rejected call changed its buffer (it reached the kernel)');
  }
}

const weird = [undefined, null, -1, 1.5, NaN, Infinity, 2 ** 53, -(2n ** 63n), 2n ** 64n, 'str', {}, [], () => 0, Symbol('s'), true];

// ------------------------------------------------------------------------------------------------ fuzz
const sys = binding.open('/dev/kvm');
const api = sys.ioctl(IOC(0, 0x00, 0));
const mmapSize = sys.ioctl(IOC(0, 0x04, 0));
const vm = sys.ioctlFd(IOC(0, 0x01, 0), 0);
const vcpu = vm.ioctlFd(IOC(0, 0x41, 0), 0);
const ev = binding.eventfd(0, 0o4000);
const mem = binding.allocMemory(16 * binding.pageSize);
let dev = null;
try {
  const cd = new Uint8Array(12);
  new DataView(cd.buffer).setUint32(0, 4, true); // KVM_DEV_TYPE_VFIO on x86 (others: whatever exists)
  vm.ioctlBuf(IOC(3, 0xe0, 12), cd);
  dev = binding.adoptFd(new DataView(cd.buffer).getUint32(4, true));
} catch {
  dev = null;
}
const fds = [sys, vm, vcpu, ev, ...(dev ? [dev] : [])];
const slotsSet = new Set();

const actions = [
  // generic integer ioctl
  () => {
    const fd = pick(fds);
    const req = randomRequest();
    const arg = chance(0.8) ? smallInt() : pick(weird);
    attempt(`ioctl(0x${req.toString(16)}, ${String(arg)})`, null, () => fd.ioctl(req, arg));
  },
  // generic buffer ioctl: lengths around the encoded size
  () => {
    const fd = pick(fds);
    const req = randomRequest();
    const enc = (req >>> 16) & 0x3fff;
    const len = pick([0, enc, Math.max(0, enc - 1), enc + 1, rnd() % 1024]);
    const g = guarded(len, chance(0.5) ? 'zero' : 'random');
    // random contents may hold pointers: keep them null so the kernel gets EFAULT rather than our memory
    if (chance(0.7)) g.inner.fill(0), (g.snapshot = Uint8Array.from(g.outer));
    attempt(`ioctlBuf(0x${req.toString(16)}, ${len})`, g, () => fd.ioctlBuf(req, g.inner));
  },
  // ONE_REG: random ids, value lengths around KVM_REG_SIZE(id)
  () => {
    const id = chance(0.5) ? rnd64() : (0x6000000000000000n | (BigInt(rnd() & 0xf) << 52n) | BigInt(rnd()));
    const size = 1 << Number((id >> 52n) & 0xfn);
    const len = pick([0, size, Math.max(0, size - 1), size + 1, rnd() % 64]);
    const g = guarded(len, 'random');
    const req = chance(0.9) ? pick([IOC(1, 0xab, 16), IOC(1, 0xac, 16)]) : randomRequest();
    attempt(`oneReg(0x${req.toString(16)}, ${id.toString(16)}, ${len})`, g, () => vcpu.oneReg(req, id, g.inner));
  },
  // REG_LIST: random n vs buffer length
  () => {
    const cap = rnd() % 64;
    const g = guarded(pick([0, 4, 8, 8 + 8 * cap, 8 + 8 * cap + 3]), 'zero');
    if (g.inner.length >= 8) new DataView(g.inner.buffer, g.inner.byteOffset).setBigUint64(0, chance(0.2) ? rnd64() : BigInt(pick([cap, cap + 1, cap * 2, 0])), true);
    g.snapshot = Uint8Array.from(g.outer);
    const req = chance(0.9) ? IOC(3, 0xb0, 8) : randomRequest();
    attempt(`regList(0x${req.toString(16)}, ${g.inner.length})`, g, () => pick([vcpu, vm]).regList(req, g.inner));
  },
  // memory regions over the one mapping: random slot / offset / size / flags / gpa
  () => {
    const ps = binding.pageSize;
    const slot = chance(0.8) ? rnd() % 8 : rnd();
    const offset = chance(0.8) ? (rnd() % 20) * ps : rnd() % (20 * ps);
    const size = chance(0.8) ? (rnd() % 20) * ps : rnd() % (20 * ps);
    const gpa = chance(0.8) ? BigInt((rnd() % 64) * ps) : rnd64();
    const flags = chance(0.8) ? rnd() & 3 : rnd();
    const m = chance(0.95) ? mem : pick(weird);
    attempt(`setMemoryRegion(${slot}, ${flags}, ${gpa}, ${size}, ${offset})`, null, () => {
      vm.setMemoryRegion(IOC(1, 0x46, 32), slot, flags, gpa, size, m, offset);
      if (size > 0) slotsSet.add(slot);
    });
  },
  // dirty log: random slot, bitmap lengths around what the slot needs
  () => {
    const slot = chance(0.7) && slotsSet.size ? pick([...slotsSet]) : rnd() % 16;
    const g = guarded(pick([0, 1, 4, 8, 16, rnd() % 40]), 'random');
    attempt(`dirtyLog(${slot}, ${g.inner.length})`, g, () => vm.dirtyLog(IOC(1, 0x42, 16), slot, g.inner));
  },
  // device attributes
  () => {
    const fd = dev && chance(0.7) ? dev : pick(fds);
    const g = guarded(pick([0, 4, 7, 8, 16]), 'random');
    const req = chance(0.8) ? pick([IOC(1, 0xe1, 24), IOC(1, 0xe2, 24), IOC(1, 0xe3, 24)]) : randomRequest();
    const group = chance(0.7) ? rnd() % 4 : rnd();
    const attr = chance(0.7) ? BigInt(rnd() % 4) : rnd64();
    // a set with group 1 attr 1 (VFIO GROUP_ADD) reads an fd number: keep it an invalid one
    if (g.inner.length >= 4) new DataView(g.inner.buffer, g.inner.byteOffset).setInt32(0, -1, true), (g.snapshot = Uint8Array.from(g.outer));
    attempt(`deviceAttr(0x${req.toString(16)}, ${group}, ${attr})`, g, () => fd.deviceAttr(req, 0, group, attr, g.inner));
  },
  // kvm_run mappings: random sizes; run with immediate_exit set (returns EINTR at once), kick, close
  () => {
    const size = chance(0.7) ? mmapSize : pick([0, 1, binding.pageSize, rnd() % (4 * binding.pageSize), 2 ** 40]);
    const ie = chance(0.8) ? 1 : rnd() % (2 * mmapSize);
    attempt(`mapRun(${size}, ${ie})`, null, () => {
      const r = vcpu.mapRun(size, IOC(0, 0x80, 0), ie);
      try {
        if (ie === 1 && size === mmapSize) {
          r.kick(); // sets immediate_exit: KVM_RUN returns EINTR without entering the guest
          try {
            r.run();
          } catch (e) {
            if (e.errno !== 4) throw e;
          }
        }
        binding.kick(r.id, r.token ^ 1); // a wrong token kicks nothing
      } finally {
        r.close();
      }
      if (r.buffer) throw new Error('buffer after close');
    });
  },
  // memory allocation / re-opening with random values
  () => {
    attempt('allocMemory', null, () => binding.allocMemory(chance(0.7) ? (1 + (rnd() % 8)) * binding.pageSize : pick([0, 1, 4097, ...weird]), chance(0.8) ? 0 : rnd() % 8).close());
  },
  () => {
    const a = chance(0.5) ? mem.address : rnd64();
    attempt('openMemory', null, () => binding.openMemory(a, chance(0.5) ? mem.size : rnd(), chance(0.3) ? mem.token : rnd()).close());
  },
  () => attempt('kick', null, () => binding.kick(chance(0.5) ? rnd() % 16 : pick(weird), chance(0.5) ? rnd() : pick(weird))),
  // eventfd reads/writes of odd values
  () => attempt('eventfd write', null, () => ev.writeU64(chance(0.7) ? BigInt(rnd()) : pick(weird))),
  () => attempt('eventfd read', null, () => ev.readU64()),
  // wrong types everywhere
  () => {
    const f = pick([
      () => sys.ioctl(pick(weird), pick(weird)),
      () => vm.ioctlBuf(IOC(1, 0x61, 8), pick(weird)),
      () => vcpu.oneReg(IOC(1, 0xab, 16), pick(weird), new Uint8Array(8)),
      () => vcpu.oneReg(IOC(1, 0xab, 16), 0n, pick(weird)),
      () => vm.setMemoryRegion(pick(weird), pick(weird), 0, 0n, 0, null),
      () => vm.dirtyLog(IOC(1, 0x42, 16), pick(weird), pick(weird)),
      () => binding.open(pick(weird)),
      () => binding.open('/dev/kvm\0x'),
      () => binding.adoptFd(pick([-1, 99999, 2 ** 31, ...weird])),
      () => binding.dupFd(pick([-1, 99999, ...weird])),
      () => binding.eventfd(pick(weird), pick(weird)),
    ]);
    attempt('wrong types', null, () => {
      const r = f();
      if (r && typeof r.close === 'function') r.close();
    });
  },
];

const t0 = Date.now();
for (let i = 0; i < iterations; i++) pick(actions)();
// closed objects: every method is EBADF, never a crash
const closedMem = binding.allocMemory(binding.pageSize);
closedMem.close();
const victim = vm.ioctlFd(IOC(0, 0x41, 0), 1);
const victimRun = victim.mapRun(mmapSize, IOC(0, 0x80, 0), 1);
victim.close();
victimRun.close();
for (const f of [
  () => victim.ioctl(IOC(0, 0x80, 0)),
  () => victim.oneReg(IOC(1, 0xab, 16), 0x6030000000100040n, new Uint8Array(8)),
  () => victim.mapRun(mmapSize, IOC(0, 0x80, 0), 1),
  () => victimRun.run(),
  () => victimRun.kick(),
  () => victimRun.buffer,
  () => closedMem.buffer,
  () => vm.setMemoryRegion(IOC(1, 0x46, 32), 9, 0, 0x100000n, binding.pageSize, closedMem, 0),
]) {
  try {
    f();
    fail('closed object', `${f} did not throw`);
  } catch (e) {
    if (e.errno !== 9) fail('closed object', `${f} threw ${e.name} ${e.message}, not EBADF`);
  }
}
for (const f of fds) f.close();
mem.close();

const ms = Date.now() - t0;
const errnos = Object.entries(stats.errno)
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `${k}:${v}`)
  .join(' ');
console.log(`fuzz-native: ${iterations} calls in ${ms} ms on ${where} (api ${api}, seed ${opt('--seed', 'time')})`);
console.log(`  ok ${stats.ok}, RangeError ${stats.RangeError}, TypeError ${stats.TypeError}, errno {${errnos}}`);
console.log(`  ASan: ${process.env.LD_PRELOAD && /asan/.test(process.env.LD_PRELOAD) ? 'on' : 'off'}; guard bytes checked on every buffer`);
if (failures.length) {
  console.error(`fuzz-native: ${failures.length} FAILURES`);
  process.exit(1);
}
console.log('fuzz-native: no invalid access, no unexpected exception');
