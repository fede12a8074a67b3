/** Guest image loaders: ELF64 (AArch64, little-endian; PT_LOAD segments at their physical addresses) and raw. */

export interface LoadedImage {
  entry: bigint;
  /** [start, end) guest-physical ranges written */
  ranges: Array<readonly [bigint, bigint]>;
}

/** Something that accepts bytes at a guest-physical address (throws RangeError outside RAM). */
export type GuestWriter = (gpa: bigint, bytes: Uint8Array) => void;

export function isElf(image: Uint8Array): boolean {
  return image.length >= 4 && image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46;
}

export function loadElf(image: Uint8Array, write: GuestWriter): LoadedImage {
  const d = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image.length < 64 || !isElf(image)) throw new RangeError('image: not an ELF file');
  if (image[4] !== 2) throw new RangeError('image: not a 64-bit ELF (ELFCLASS64)');
  if (image[5] !== 1) throw new RangeError('image: not a little-endian ELF');
  const machine = d.getUint16(18, true);
  if (machine !== 183) throw new RangeError(`image: ELF machine ${machine} is not AArch64 (183)`);
  const entry = d.getBigUint64(24, true);
  const phoff = Number(d.getBigUint64(32, true));
  const phentsize = d.getUint16(54, true);
  const phnum = d.getUint16(56, true);
  if (phentsize < 56 || phoff + phnum * phentsize > image.length) throw new RangeError('image: program headers outside the file');
  const ranges: Array<readonly [bigint, bigint]> = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (d.getUint32(o, true) !== 1) continue; // PT_LOAD
    const off = Number(d.getBigUint64(o + 8, true));
    const paddr = d.getBigUint64(o + 24, true);
    const filesz = Number(d.getBigUint64(o + 32, true));
    const memsz = Number(d.getBigUint64(o + 40, true));
    if (memsz === 0) continue;
    if (off + filesz > image.length || filesz > memsz) throw new RangeError(`image: segment ${i} extends past the end of the file`);
    const seg = new Uint8Array(memsz);
    seg.set(image.subarray(off, off + filesz));
    write(paddr, seg);
    ranges.push([paddr, paddr + BigInt(memsz)]);
  }
  if (ranges.length === 0) throw new RangeError('image: the ELF file has no PT_LOAD segment');
  return { entry, ranges };
}

export function loadRaw(image: Uint8Array, addr: bigint, write: GuestWriter): LoadedImage {
  write(addr, image);
  return { entry: addr, ranges: [[addr, addr + BigInt(image.length)]] };
}
