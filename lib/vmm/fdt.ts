/**
 * A flattened device tree (DTB, version 17) writer: build a tree of nodes and properties, get the blob.
 * Layout (devicetree spec v0.4 ch. 5): header, memory reservation block, structure block, strings block.
 */

export type FdtValue =
  /** empty property (e.g. `interrupt-controller`) */
  | null
  /** a string */
  | string
  /** a string list */
  | readonly string[]
  /** raw bytes */
  | Uint8Array
  /** cells: u32 values (numbers) or u64 values as two cells (bigints) */
  | { readonly cells: readonly (number | bigint)[] };

export interface FdtNode {
  readonly name: string;
  readonly props?: ReadonlyArray<readonly [string, FdtValue]>;
  readonly children?: readonly FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;

/** `<a b c>` with u32 cells; bigints take two cells (high, low). */
export const cells = (...v: (number | bigint)[]): FdtValue => ({ cells: v });

function encodeValue(v: FdtValue, where: string): Uint8Array {
  if (v === null) return new Uint8Array(0);
  if (typeof v === 'string') return new TextEncoder().encode(v + '\0');
  if (Array.isArray(v)) return new TextEncoder().encode((v as readonly string[]).map((s) => s + '\0').join(''));
  if (v instanceof Uint8Array) return v;
  const c = (v as { cells: readonly (number | bigint)[] }).cells;
  const words: number[] = [];
  for (const x of c) {
    if (typeof x === 'bigint') {
      if (x < 0n || x > 0xffffffffffffffffn) throw new RangeError(`${where}: cell ${x} is not a u64`);
      words.push(Number(x >> 32n), Number(x & 0xffffffffn));
    } else {
      if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`${where}: cell ${x} is not a u32`);
      words.push(x);
    }
  }
  const b = new Uint8Array(words.length * 4);
  const d = new DataView(b.buffer);
  words.forEach((w, i) => d.setUint32(i * 4, w, false));
  return b;
}

/** Encodes a tree (its root's name must be '') into a DTB blob. `reserve`: memory reservation entries. */
export function encodeFdt(root: FdtNode, options: { reserve?: ReadonlyArray<readonly [bigint, bigint]>; bootCpuid?: number } = {}): Uint8Array {
  if (root.name !== '') throw new RangeError("root: the root node's name must be ''");
  const struct: number[] = [];
  const strings: number[] = [];
  const stringOff = new Map<string, number>();
  const enc = new TextEncoder();
  const u32 = (v: number): void => void struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const pad = (): void => {
    while (struct.length % 4) struct.push(0);
  };
  const walk = (n: FdtNode, path: string): void => {
    if (n !== root && (n.name.length === 0 || /[\0/]/.test(n.name))) throw new RangeError(`node name '${n.name}' under '${path}' is invalid`);
    u32(FDT_BEGIN_NODE);
    struct.push(...enc.encode(n.name), 0);
    pad();
    const seen = new Set<string>();
    for (const [name, value] of n.props ?? []) {
      if (seen.has(name)) throw new RangeError(`property '${name}' appears twice in '${path}'`);
      seen.add(name);
      const v = encodeValue(value, `${path}${path.endsWith('/') ? '' : '/'}${n.name}:${name}`);
      let off = stringOff.get(name);
      if (off === undefined) {
        off = strings.length;
        stringOff.set(name, off);
        strings.push(...enc.encode(name), 0);
      }
      u32(FDT_PROP);
      u32(v.length);
      u32(off);
      struct.push(...v);
      pad();
    }
    for (const c of n.children ?? []) walk(c, n === root ? '/' : `${path}${path.endsWith('/') ? '' : '/'}${n.name}`);
    u32(FDT_END_NODE);
  };
  walk(root, '/');
  u32(FDT_END);
  const reserve = options.reserve ?? [];
  const offRsv = 40;
  const rsvSize = (reserve.length + 1) * 16;
  const offStruct = offRsv + rsvSize;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array((total + 7) & ~7);
  const d = new DataView(out.buffer);
  const hdr = [FDT_MAGIC, out.length, offStruct, offStrings, offRsv, 17, 16, options.bootCpuid ?? 0, strings.length, struct.length];
  hdr.forEach((v, i) => d.setUint32(i * 4, v, false));
  reserve.forEach(([addr, size], i) => {
    d.setBigUint64(offRsv + i * 16, addr, false);
    d.setBigUint64(offRsv + i * 16 + 8, size, false);
  });
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}
