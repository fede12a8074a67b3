/**
 * The kvm-arm VM snapshot file format, version 1 (docs/snapshot-format.md is the specification; keep the two
 * in step). A snapshot is a header followed by sections, every integer little-endian:
 *
 *   header (32 bytes): magic "KVMARMSN" | u16 major (1) | u16 minor (0) | u32 section count | u64 file length |
 *                      u32 flags (0) | u32 CRC-32 of bytes 0..27
 *   section (24-byte header + payload + zero padding to a multiple of 8):
 *                      4-byte ASCII tag | u32 section version | u64 payload length | u32 CRC-32 of the payload |
 *                      u32 reserved (0)
 *
 * Tags: META (UTF-8 JSON: source backend, VM options, the VMM's machine description), VCPU (one per vCPU:
 * VCPU_INIT, MP_STATE, VCPU_EVENTS, every ONE_REG id and value), VGIC (a VGICv2: NR_IRQS, addresses, every
 * GRP_DIST_REGS / GRP_CPU_REGS attribute and value), RAM (one per memory slot, zero pages left out), DEV (one
 * blob per VMM device model). Readers skip sections with unknown tags (listed in `unknownSections`); a major
 * version other than 1 is refused.
 *
 * Everything here is pure: no I/O, no backend. Corrupt or truncated input throws SnapshotFormatError (a
 * RangeError naming what is wrong) and never reads outside the given bytes.
 */
import type { BackendName, MpState, VcpuEvents, VcpuFeature } from '../backend';
import { regSizeBytes } from '../codec/regid';
import { featureNames, featureWords, KVM_MP_STATE } from '../codec/abi';

export const SNAPSHOT_MAGIC = 'KVMARMSN';
export const SNAPSHOT_MAJOR = 1;
export const SNAPSHOT_MINOR = 0;
const HEADER_SIZE = 32;
const SECTION_HEADER_SIZE = 24;
/** Granule of the RAM section's zero-page elision. */
export const SNAPSHOT_PAGE = 4096;

/** A register as captured: bigint for ids of 64 bits or less, bytes (little-endian) for wider ones. */
export interface SnapshotReg {
  readonly id: bigint;
  readonly value: bigint | Uint8Array;
}

export interface SnapshotVcpu {
  /** the vCPU id given to KVM_CREATE_VCPU */
  readonly index: number;
  /** what KVM_ARM_VCPU_INIT was given (KVM has no ioctl to read it back: the VMM supplies it) */
  readonly init: { readonly target: number; readonly features: readonly (VcpuFeature | number)[] };
  readonly mpState: MpState;
  readonly events: VcpuEvents;
  /** in KVM_GET_REG_LIST order of the source */
  readonly regs: readonly SnapshotReg[];
}

/** One KVM_{GET,SET}_DEVICE_ATTR register of the VGIC. */
export interface SnapshotGicReg {
  readonly group: 'dist' | 'cpu';
  /** the cpu id of the attribute (banked registers: the vCPU; others: 0) */
  readonly cpu: number;
  readonly offset: number;
  readonly value: number;
}

export interface SnapshotGic {
  /** KVM_DEV_TYPE_ARM_VGIC_V2 (5) — the only model written by version 1 */
  readonly type: number;
  readonly nrIrqs: number;
  readonly distAddr: bigint;
  readonly cpuAddr: bigint;
  readonly regs: readonly SnapshotGicReg[];
}

export interface SnapshotRam {
  readonly slot: number;
  readonly guestPhysAddr: bigint;
  readonly size: number;
  readonly readonly: boolean;
  readonly logDirtyPages: boolean;
  /** the slot's contents (size bytes) */
  readonly bytes: Uint8Array;
}

export interface SnapshotDevice {
  readonly name: string;
  readonly data: Uint8Array;
}

/** A whole VM, as captured by captureVm() and written by encodeSnapshot(). */
export interface VmSnapshot {
  readonly version: { readonly major: number; readonly minor: number };
  /** the backend it was captured on */
  readonly source: BackendName;
  /** KVM_CREATE_VM options (IPA size) the VMM gave, if any */
  readonly ipaSize: number | undefined;
  /** the VMM's own machine description (any JSON value), stored in META */
  readonly machine: unknown;
  readonly vcpus: readonly SnapshotVcpu[];
  readonly gic: SnapshotGic | undefined;
  readonly memory: readonly SnapshotRam[];
  readonly devices: readonly SnapshotDevice[];
  /** tags of sections this reader did not know and skipped (decode only) */
  readonly unknownSections?: readonly string[];
}

/** Malformed snapshot bytes or an unserialisable snapshot. */
export class SnapshotFormatError extends RangeError {
  override readonly name = 'SnapshotFormatError';
}

// ------------------------------------------------------------------------------------------------ CRC-32

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, the zlib / PNG one): crc32(ascii '123456789') = 0xcbf43926. */
export function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// ------------------------------------------------------------------------------------------------ MP state codes

const MP_CODE: Record<MpState, number | undefined> = {
  runnable: KVM_MP_STATE.RUNNABLE,
  stopped: KVM_MP_STATE.STOPPED,
  suspended: KVM_MP_STATE.SUSPENDED,
  halted: KVM_MP_STATE.HALTED,
  uninitialized: KVM_MP_STATE.UNINITIALIZED,
  other: undefined,
};
function mpCode(s: MpState): number {
  const c = MP_CODE[s];
  if (c === undefined) throw new SnapshotFormatError(`mpState: '${String(s)}' has no KVM_MP_STATE value and cannot be saved`);
  return c;
}
function mpName(c: number): MpState {
  const e = (Object.entries(MP_CODE) as [MpState, number | undefined][]).find(([, v]) => v === c);
  if (e === undefined) throw new SnapshotFormatError(`VCPU: mp_state ${c} is not one this format knows`);
  return e[0];
}

// ------------------------------------------------------------------------------------------------ writer

class Writer {
  private buf = new Uint8Array(1024);
  private dv = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.dv.setUint8(this.length, v);
    this.length += 1;
  }
  u16(v: number): void {
    this.room(2);
    this.dv.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }
  u64(v: bigint): void {
    this.room(8);
    this.dv.setBigUint64(this.length, BigInt.asUintN(64, v), true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  pad8(): void {
    while (this.length % 8 !== 0) this.u8(0);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function checkU(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new SnapshotFormatError(`${name}: must be an integer 0..${max}, got ${String(v)}`);
  return v;
}
function checkU64(name: string, v: bigint): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new SnapshotFormatError(`${name}: must be a u64 bigint, got ${String(v)}`);
  return v;
}

/** The little-endian bytes of a register value, exactly regSizeBytes(id) long. */
export function regValueBytes(id: bigint, value: bigint | Uint8Array): Uint8Array {
  const size = regSizeBytes(id);
  if (value instanceof Uint8Array) {
    if (value.length !== size) throw new SnapshotFormatError(`regs: 0x${id.toString(16)} is ${size} bytes, the value has ${value.length}`);
    return value.slice();
  }
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << BigInt(size * 8)) {
    throw new SnapshotFormatError(`regs: value ${String(value)} does not fit the ${size * 8}-bit register 0x${id.toString(16)}`);
  }
  const b = new Uint8Array(size);
  let v = value;
  for (let i = 0; i < size; i++, v >>= 8n) b[i] = Number(v & 0xffn);
  return b;
}

function encodeVcpu(v: SnapshotVcpu): Uint8Array {
  const w = new Writer();
  w.u32(checkU('vcpus[].index', v.index, 0xffffffff));
  w.u32(checkU('vcpus[].init.target', v.init.target, 0xffffffff));
  for (const word of featureWords(v.init.features)) w.u32(word);
  w.u32(mpCode(v.mpState));
  w.u8(v.events.serrorPending ? 1 : 0);
  w.u8(v.events.serrorHasEsr ? 1 : 0);
  w.u8(v.events.extDabtPending ? 1 : 0);
  w.u8(0);
  w.u64(checkU64('events.serrorEsr', v.events.serrorEsr));
  w.u32(v.regs.length);
  w.u32(0);
  for (const r of v.regs) {
    w.u64(checkU64('regs[].id', r.id));
    w.bytes(regValueBytes(r.id, r.value));
    w.pad8();
  }
  return w.result();
}

function encodeGic(g: SnapshotGic): Uint8Array {
  const w = new Writer();
  w.u32(checkU('gic.type', g.type, 0xffffffff));
  w.u32(checkU('gic.nrIrqs', g.nrIrqs, 0xffffffff));
  w.u64(checkU64('gic.distAddr', g.distAddr));
  w.u64(checkU64('gic.cpuAddr', g.cpuAddr));
  w.u32(g.regs.length);
  w.u32(0);
  for (const r of g.regs) {
    w.u8(r.group === 'dist' ? 1 : 2);
    w.u8(checkU('gic.regs[].cpu', r.cpu, 0xff));
    w.u16(0);
    w.u32(checkU('gic.regs[].offset', r.offset, 0xffffffff));
    w.u32(checkU('gic.regs[].value', r.value, 0xffffffff));
  }
  return w.result();
}

function isZeroPage(b: Uint8Array, off: number, end: number): boolean {
  const start = b.byteOffset + off;
  if (start % 4 === 0 && (end - off) % 4 === 0) {
    const w = new Int32Array(b.buffer, start, (end - off) / 4);
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
    return true;
  }
  for (let i = off; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

function encodeRam(r: SnapshotRam): Uint8Array {
  const w = new Writer();
  if (r.bytes.length !== r.size) throw new SnapshotFormatError(`memory: slot ${r.slot} has size ${r.size} but ${r.bytes.length} bytes`);
  w.u32(checkU('memory[].slot', r.slot, 0xffffffff));
  w.u32((r.readonly ? 1 : 0) | (r.logDirtyPages ? 2 : 0));
  w.u64(checkU64('memory[].guestPhysAddr', r.guestPhysAddr));
  w.u64(BigInt(checkU('memory[].size', r.size, Number.MAX_SAFE_INTEGER)));
  // runs of non-zero pages: u64 offset, u64 length, bytes (padded to 8)
  const runs: Array<[number, number]> = [];
  for (let p = 0; p < r.size; p += SNAPSHOT_PAGE) {
    const end = Math.min(p + SNAPSHOT_PAGE, r.size);
    if (isZeroPage(r.bytes, p, end)) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] + last[1] === p) last[1] += end - p;
    else runs.push([p, end - p]);
  }
  w.u32(SNAPSHOT_PAGE);
  w.u32(runs.length);
  for (const [off, len] of runs) {
    w.u64(BigInt(off));
    w.u64(BigInt(len));
    w.bytes(r.bytes.subarray(off, off + len));
    w.pad8();
  }
  return w.result();
}

function encodeDevice(d: SnapshotDevice): Uint8Array {
  if (typeof d.name !== 'string' || d.name.length === 0) throw new SnapshotFormatError('devices[].name: must be a non-empty string');
  if (!(d.data instanceof Uint8Array)) throw new SnapshotFormatError(`devices[${d.name}].data: must be a Uint8Array`);
  const w = new Writer();
  const name = new TextEncoder().encode(d.name);
  w.u32(name.length);
  w.bytes(name);
  w.pad8();
  w.u64(BigInt(d.data.length));
  w.bytes(d.data);
  return w.result();
}

/** Serialises a snapshot into the version-1 binary format. */
export function encodeSnapshot(s: VmSnapshot): Uint8Array {
  if (s === null || typeof s !== 'object') throw new TypeError('snapshot: expected a VmSnapshot');
  const sections: Array<[string, Uint8Array]> = [];
  let machineJson: string;
  try {
    machineJson = JSON.stringify({
      format: 'kvm-arm VM snapshot',
      source: s.source,
      ipaSize: s.ipaSize ?? null,
      vcpus: s.vcpus.length,
      machine: s.machine ?? null,
    });
  } catch (e) {
    throw new SnapshotFormatError(`machine: not serialisable as JSON (${(e as Error).message})`);
  }
  sections.push(['META', new TextEncoder().encode(machineJson)]);
  for (const v of s.vcpus) sections.push(['VCPU', encodeVcpu(v)]);
  if (s.gic !== undefined) sections.push(['VGIC', encodeGic(s.gic)]);
  for (const r of s.memory) sections.push(['RAM ', encodeRam(r)]);
  for (const d of s.devices) sections.push(['DEV ', encodeDevice(d)]);

  const w = new Writer();
  for (const c of SNAPSHOT_MAGIC) w.u8(c.charCodeAt(0));
  w.u16(SNAPSHOT_MAJOR);
  w.u16(SNAPSHOT_MINOR);
  w.u32(sections.length);
  w.u64(0n); // file length, patched below
  w.u32(0);
  w.u32(0); // header CRC, patched below
  for (const [tag, payload] of sections) {
    for (const c of tag) w.u8(c.charCodeAt(0));
    w.u32(1);
    w.u64(BigInt(payload.length));
    w.u32(crc32(payload));
    w.u32(0);
    w.bytes(payload);
    w.pad8();
  }
  const out = w.result();
  const dv = new DataView(out.buffer);
  dv.setBigUint64(16, BigInt(out.length), true);
  dv.setUint32(28, crc32(out.subarray(0, 28)), true);
  return out;
}

// ------------------------------------------------------------------------------------------------ reader

class Reader {
  private pos = 0;
  private readonly dv: DataView;
  constructor(
    private readonly b: Uint8Array,
    private readonly what: string,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): number {
    if (this.pos + n > this.b.length) throw new SnapshotFormatError(`bytes: ${this.what} is truncated (needs ${this.pos + n} bytes, has ${this.b.length})`);
    const p = this.pos;
    this.pos += n;
    return p;
  }
  u8(): number {
    return this.dv.getUint8(this.need(1));
  }
  u16(): number {
    return this.dv.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.dv.getUint32(this.need(4), true);
  }
  u64(): bigint {
    return this.dv.getBigUint64(this.need(8), true);
  }
  /** a u64 that must be a safe integer length */
  len(name: string): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new SnapshotFormatError(`bytes: ${this.what}: ${name} ${v} is too large`);
    return Number(v);
  }
  bytes(n: number): Uint8Array {
    const p = this.need(n);
    return this.b.subarray(p, p + n);
  }
  pad8(): void {
    while (this.pos % 8 !== 0) this.need(1);
  }
  get done(): boolean {
    return this.pos === this.b.length;
  }
  end(): void {
    if (!this.done) throw new SnapshotFormatError(`bytes: ${this.what} has ${this.b.length - this.pos} unexpected trailing bytes`);
  }
}

function decodeVcpu(b: Uint8Array, what: string): SnapshotVcpu {
  const r = new Reader(b, what);
  const index = r.u32();
  const target = r.u32();
  const words: number[] = [];
  for (let i = 0; i < 7; i++) words.push(r.u32());
  const mpState = mpName(r.u32());
  const serrorPending = r.u8() !== 0;
  const serrorHasEsr = r.u8() !== 0;
  const extDabtPending = r.u8() !== 0;
  r.u8();
  const serrorEsr = r.u64();
  const n = r.u32();
  r.u32();
  const regs: SnapshotReg[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.u64();
    let size: number;
    try {
      size = regSizeBytes(id);
    } catch {
      throw new SnapshotFormatError(`bytes: ${what}: register id 0x${id.toString(16)} has an invalid size field`);
    }
    const v = r.bytes(size);
    r.pad8();
    if (size <= 8) {
      let x = 0n;
      for (let k = size - 1; k >= 0; k--) x = (x << 8n) | BigInt(v[k] as number);
      regs.push({ id, value: x });
    } else regs.push({ id, value: v.slice() });
  }
  r.end();
  return { index, init: { target, features: featureNames(words) }, mpState, events: { serrorPending, serrorHasEsr, extDabtPending, serrorEsr }, regs };
}

function decodeGic(b: Uint8Array, what: string): SnapshotGic {
  const r = new Reader(b, what);
  const type = r.u32();
  const nrIrqs = r.u32();
  const distAddr = r.u64();
  const cpuAddr = r.u64();
  const n = r.u32();
  r.u32();
  const regs: SnapshotGicReg[] = [];
  for (let i = 0; i < n; i++) {
    const g = r.u8();
    if (g !== 1 && g !== 2) throw new SnapshotFormatError(`bytes: ${what}: register group ${g} is not 1 (dist) or 2 (cpu)`);
    const cpu = r.u8();
    r.u16();
    const offset = r.u32();
    const value = r.u32();
    regs.push({ group: g === 1 ? 'dist' : 'cpu', cpu, offset, value });
  }
  r.end();
  return { type, nrIrqs, distAddr, cpuAddr, regs };
}

function decodeRam(b: Uint8Array, what: string): SnapshotRam {
  const r = new Reader(b, what);
  const slot = r.u32();
  const flags = r.u32();
  const guestPhysAddr = r.u64();
  const size = r.len('size');
  const page = r.u32();
  if (page === 0 || page % 8 !== 0) throw new SnapshotFormatError(`bytes: ${what}: page size ${page} is invalid`);
  const n = r.u32();
  if (size > 0x100000000 * 16) throw new SnapshotFormatError(`bytes: ${what}: slot size ${size} is implausible`);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < n; i++) {
    const off = r.len('run offset');
    const len = r.len('run length');
    if (off + len > size) throw new SnapshotFormatError(`bytes: ${what}: run 0x${off.toString(16)}+0x${len.toString(16)} is outside the slot (0x${size.toString(16)} bytes)`);
    bytes.set(r.bytes(len), off);
    r.pad8();
  }
  r.end();
  return { slot, guestPhysAddr, size, readonly: (flags & 1) !== 0, logDirtyPages: (flags & 2) !== 0, bytes };
}

function decodeDevice(b: Uint8Array, what: string): SnapshotDevice {
  const r = new Reader(b, what);
  const nameLen = r.u32();
  const name = new TextDecoder('utf-8', { fatal: true }).decode(r.bytes(nameLen));
  r.pad8();
  const len = r.len('data length');
  const data = r.bytes(len).slice();
  r.end();
  return { name, data };
}

/** Reads a version-1 snapshot; verifies the magic, version, lengths and every checksum. */
export function decodeSnapshot(bytes: Uint8Array): VmSnapshot {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  if (bytes.length < HEADER_SIZE) throw new SnapshotFormatError(`bytes: ${bytes.length} bytes is shorter than the ${HEADER_SIZE}-byte snapshot header`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== SNAPSHOT_MAGIC) throw new SnapshotFormatError(`bytes: not a kvm-arm snapshot (magic '${magic.replace(/[^\x20-\x7e]/g, '?')}', expected '${SNAPSHOT_MAGIC}')`);
  const h = new Reader(bytes.subarray(0, HEADER_SIZE), 'the header');
  h.bytes(8);
  const major = h.u16();
  const minor = h.u16();
  const count = h.u32();
  const fileLen = h.u64();
  h.u32();
  const hcrc = h.u32();
  if (crc32(bytes.subarray(0, 28)) !== hcrc) throw new SnapshotFormatError('bytes: header checksum mismatch');
  if (major !== SNAPSHOT_MAJOR) throw new SnapshotFormatError(`bytes: snapshot format version ${major}.${minor} is not supported (this reader knows ${SNAPSHOT_MAJOR}.x)`);
  if (fileLen !== BigInt(bytes.length)) throw new SnapshotFormatError(`bytes: the header says ${fileLen} bytes, got ${bytes.length} (truncated or padded)`);
  const r = new Reader(bytes.subarray(HEADER_SIZE), 'the section list');
  let meta: { source?: unknown; ipaSize?: unknown; vcpus?: unknown; machine?: unknown } | undefined;
  const vcpus: SnapshotVcpu[] = [];
  let gic: SnapshotGic | undefined;
  const memory: SnapshotRam[] = [];
  const devices: SnapshotDevice[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < count; i++) {
    const tag = String.fromCharCode(...r.bytes(4));
    r.u32(); // section version
    const len = r.len('section length');
    const crc = r.u32();
    r.u32();
    const payload = r.bytes(len);
    r.pad8();
    const what = `section ${i} (${tag.trim()})`;
    if (crc32(payload) !== crc) throw new SnapshotFormatError(`bytes: ${what}: checksum mismatch`);
    switch (tag) {
      case 'META':
        if (meta !== undefined) throw new SnapshotFormatError(`bytes: ${what}: a second META section`);
        try {
          meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as typeof meta;
        } catch (e) {
          throw new SnapshotFormatError(`bytes: ${what}: not UTF-8 JSON (${(e as Error).message})`);
        }
        if (meta === null || typeof meta !== 'object') throw new SnapshotFormatError(`bytes: ${what}: not a JSON object`);
        break;
      case 'VCPU':
        vcpus.push(decodeVcpu(payload, what));
        break;
      case 'VGIC':
        if (gic !== undefined) throw new SnapshotFormatError(`bytes: ${what}: a second VGIC section`);
        gic = decodeGic(payload, what);
        break;
      case 'RAM ':
        memory.push(decodeRam(payload, what));
        break;
      case 'DEV ':
        devices.push(decodeDevice(payload, what));
        break;
      default:
        unknown.push(tag);
    }
  }
  r.end();
  if (meta === undefined) throw new SnapshotFormatError('bytes: no META section');
  const source = meta.source;
  if (source !== 'kvm' && source !== 'soft') throw new SnapshotFormatError(`bytes: META.source must be 'kvm' or 'soft', got ${JSON.stringify(source)}`);
  if (meta.vcpus !== vcpus.length) throw new SnapshotFormatError(`bytes: META says ${String(meta.vcpus)} vCPUs, found ${vcpus.length} VCPU sections`);
  const ipa = meta.ipaSize;
  if (ipa !== null && ipa !== undefined && (typeof ipa !== 'number' || !Number.isInteger(ipa))) throw new SnapshotFormatError('bytes: META.ipaSize must be an integer or null');
  return {
    version: { major, minor },
    source,
    ipaSize: typeof ipa === 'number' ? ipa : undefined,
    machine: meta.machine ?? undefined,
    vcpus,
    gic,
    memory,
    devices,
    unknownSections: unknown,
  };
}
