/**
 * The arm64 Linux boot protocol (the kernel's Documentation/arm64/booting.rst): the Image header and where the
 * kernel, the device tree and the initrd go in RAM.
 *
 * Image header (64 bytes, little-endian):
 *   0x00 code0/code1   0x08 text_offset (u64)   0x10 image_size (u64: bytes from the load address the kernel
 *   needs, BSS included)   0x18 flags (u64)   0x20..0x37 reserved   0x38 magic "ARM\x64"   0x3c PE header offset
 * flags: bit 0 big-endian kernel; bits 1-2 page size (0 unspecified, 1 4K, 2 16K, 3 64K); bit 3 placement
 * (0: the 2 MiB-aligned base should be as close as possible to the start of RAM; 1: anywhere in RAM).
 * image_size 0 means a kernel older than 3.17: text_offset is then 0x80000 whatever the field says.
 *
 * Placement rules: the Image at a 2 MiB-aligned base + text_offset, image_size bytes free from there; the DTB on
 * an 8-byte boundary, at most 2 MiB, not in a 2 MiB region the kernel image shares; the initrd within the same
 * 1 GiB-aligned 32 GiB window as the kernel. Registers: x0 = DTB physical address, x1 = x2 = x3 = 0, PC = the
 * Image's first byte, MMU off, EL1h with DAIF masked (what KVM_ARM_VCPU_INIT leaves).
 */

export const ARM64_IMAGE_MAGIC = 0x644d5241; // "ARM\x64" read little-endian
export const ARM64_IMAGE_HEADER_SIZE = 64;
const MiB2 = 0x200000n;
/** the DTB size limit of the boot protocol */
export const DTB_MAX = 0x200000;

export interface Arm64ImageHeader {
  /** bytes from the 2 MiB-aligned base to where the Image goes (0x80000 for image_size 0) */
  textOffset: bigint;
  /** bytes the kernel occupies from its load address (BSS included); the file length when the header gives 0 */
  imageSize: bigint;
  flags: bigint;
  bigEndian: boolean;
  /** 0 unspecified, else 4096, 16384 or 65536 */
  pageSize: number;
  /** flags bit 3: the kernel may sit anywhere in RAM (else as low as possible) */
  anywhere: boolean;
}

/** True when `image` starts with an arm64 Linux Image header (the magic at 0x38). */
export function isArm64Image(image: Uint8Array): boolean {
  return image.length >= ARM64_IMAGE_HEADER_SIZE && image[0x38] === 0x41 && image[0x39] === 0x52 && image[0x3a] === 0x4d && image[0x3b] === 0x64;
}

/** Parses the Image header; RangeError naming `image` for a short file, a missing magic or a header it cannot boot. */
export function parseArm64ImageHeader(image: Uint8Array): Arm64ImageHeader {
  if (!(image instanceof Uint8Array)) throw new TypeError('image: expected a Uint8Array');
  if (image.length < ARM64_IMAGE_HEADER_SIZE) throw new RangeError(`image: ${image.length} bytes is shorter than the 64-byte arm64 Image header`);
  const d = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (d.getUint32(0x38, true) !== ARM64_IMAGE_MAGIC) throw new RangeError(`image: no arm64 Image magic "ARM\\x64" at offset 0x38 (found 0x${d.getUint32(0x38, true).toString(16)})`);
  const rawSize = d.getBigUint64(0x10, true);
  const flags = d.getBigUint64(0x18, true);
  const textOffset = rawSize === 0n ? 0x80000n : d.getBigUint64(0x08, true);
  const bigEndian = (flags & 1n) !== 0n;
  if (bigEndian) throw new RangeError('image: a big-endian kernel (flags bit 0): only little-endian guests are supported');
  const ps = Number((flags >> 1n) & 3n);
  if (textOffset >= MiB2 || textOffset % 4096n !== 0n) throw new RangeError(`image: text_offset 0x${textOffset.toString(16)} is not a page-aligned offset below 2 MiB`);
  const imageSize = rawSize === 0n ? BigInt(image.length) : rawSize;
  if (imageSize < BigInt(image.length)) throw new RangeError(`image: image_size 0x${imageSize.toString(16)} is smaller than the file (${image.length} bytes)`);
  return { textOffset, imageSize, flags, bigEndian, pageSize: ps === 0 ? 0 : [0, 4096, 16384, 65536][ps] as number, anywhere: (flags & 8n) !== 0n };
}

export interface LinuxLayout {
  /** where the Image's first byte goes (= the entry point) */
  kernel: bigint;
  /** end of the kernel's footprint (kernel + image_size) */
  kernelEnd: bigint;
  dtb: bigint;
  initrd?: { start: bigint; end: bigint };
}

/**
 * Where the kernel, DTB and initrd go in RAM [ramBase, ramBase + ramSize): the kernel at the lowest 2 MiB-aligned
 * base + text_offset; the DTB in the last 2 MiB region of RAM (its own region, 8-byte aligned); the initrd just below
 * that region, page-aligned, above the kernel. RangeError naming the argument that does not fit.
 */
export function layoutLinux(o: { ramBase: bigint; ramSize: bigint; header: Arm64ImageHeader; dtbSize: number; initrdSize?: number }): LinuxLayout {
  const { ramBase, ramSize, header } = o;
  if (ramBase < 0n || ramSize <= 0n) throw new RangeError('ramSize: RAM must be non-empty');
  if (!Number.isInteger(o.dtbSize) || o.dtbSize <= 0 || o.dtbSize > DTB_MAX) throw new RangeError(`dtbSize: the DTB must be 1..2 MiB, got ${o.dtbSize}`);
  if (o.initrdSize !== undefined && (!Number.isInteger(o.initrdSize) || o.initrdSize <= 0)) throw new RangeError(`initrdSize: must be a positive integer, got ${o.initrdSize}`);
  const ramEnd = ramBase + ramSize;
  const base = (ramBase + MiB2 - 1n) & ~(MiB2 - 1n);
  const kernel = base + header.textOffset;
  const kernelEnd = kernel + header.imageSize;
  // the DTB's 2 MiB region must be its own: the last whole 2 MiB region of RAM, above the kernel's regions
  const dtbRegion = (ramEnd & ~(MiB2 - 1n)) - MiB2;
  const kernelTopRegion = (kernelEnd + MiB2 - 1n) & ~(MiB2 - 1n);
  const initrdBytes = BigInt(o.initrdSize ?? 0);
  const initrdStart = (dtbRegion - initrdBytes) & ~0xfffn;
  if (dtbRegion < kernelTopRegion || (o.initrdSize !== undefined && initrdStart < kernelEnd)) {
    const need = kernelTopRegion - ramBase + MiB2 + ((initrdBytes + 0xfffn) & ~0xfffn);
    throw new RangeError(`ramSize: ${ramSize / 0x100000n} MiB of RAM cannot hold the kernel (image_size ${header.imageSize} bytes at +0x${(kernel - ramBase).toString(16)})${o.initrdSize !== undefined ? `, the initrd (${o.initrdSize} bytes)` : ''} and the DTB; it needs about ${(need + 0xfffffn) / 0x100000n} MiB`);
  }
  return {
    kernel,
    kernelEnd,
    dtb: dtbRegion,
    ...(o.initrdSize !== undefined ? { initrd: { start: initrdStart, end: initrdStart + initrdBytes } } : {}),
  };
}
