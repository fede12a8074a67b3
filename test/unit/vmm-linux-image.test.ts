/** arm64 Linux Image header parsing and boot placement (lib/vmm/linux.ts), per Documentation/arm64/booting. */
import { isArm64Image, parseArm64ImageHeader, layoutLinux, type Arm64ImageHeader } from '../../lib/vmm/linux';

function header(o: { textOffset?: bigint; imageSize?: bigint; flags?: bigint; magic?: number; length?: number } = {}): Uint8Array {
  const b = new Uint8Array(o.length ?? 4096);
  const d = new DataView(b.buffer);
  d.setUint32(0, 0x91005a4d, true); // code0: "MZ" + add (as the real Image starts)
  d.setUint32(4, 0x14000000, true); // code1: b
  if (b.length >= 64) {
    d.setBigUint64(8, o.textOffset ?? 0n, true);
    d.setBigUint64(16, o.imageSize ?? 0x2000000n, true);
    d.setBigUint64(24, o.flags ?? 0xan, true); // LE, 4K pages, anywhere
    d.setUint32(0x38, o.magic ?? 0x644d5241, true);
  }
  return b;
}

const MiB = 0x100000n;

describe('parseArm64ImageHeader', () => {
  test('reads text_offset, image_size and the flags', () => {
    const h = parseArm64ImageHeader(header({ textOffset: 0x80000n, imageSize: 0x2345000n, flags: 0x2n }));
    expect(h).toEqual({ textOffset: 0x80000n, imageSize: 0x2345000n, flags: 2n, bigEndian: false, pageSize: 4096, anywhere: false });
    expect(parseArm64ImageHeader(header({ flags: 0xen })).pageSize).toBe(65536);
    expect(parseArm64ImageHeader(header({ flags: 0x4n })).pageSize).toBe(16384);
    expect(parseArm64ImageHeader(header({ flags: 0x8n }))).toMatchObject({ pageSize: 0, anywhere: true });
  });

  test('image_size 0 is a pre-3.17 kernel: text_offset 0x80000, the size is the file length', () => {
    const img = header({ textOffset: 0x1234000n, imageSize: 0n, length: 8192 });
    expect(parseArm64ImageHeader(img)).toMatchObject({ textOffset: 0x80000n, imageSize: 8192n });
  });

  test('short, magic-less, big-endian and impossible headers are RangeErrors naming image', () => {
    expect(() => parseArm64ImageHeader(header({ length: 63 }))).toThrow(/^image: 63 bytes is shorter than the 64-byte/);
    expect(() => parseArm64ImageHeader(new Uint8Array(0))).toThrow(RangeError);
    expect(() => parseArm64ImageHeader(header({ magic: 0x464c457f }))).toThrow(/^image: no arm64 Image magic/);
    expect(() => parseArm64ImageHeader(header({ flags: 1n }))).toThrow(/^image: a big-endian kernel/);
    expect(() => parseArm64ImageHeader(header({ textOffset: 0x200000n }))).toThrow(/^image: text_offset 0x200000/);
    expect(() => parseArm64ImageHeader(header({ textOffset: 0x80010n }))).toThrow(/^image: text_offset/);
    expect(() => parseArm64ImageHeader(header({ imageSize: 100n }))).toThrow(/^image: image_size 0x64 is smaller than the file/);
    expect(() => parseArm64ImageHeader('Image' as unknown as Uint8Array)).toThrow(TypeError);
  });

  test('isArm64Image: the magic at 0x38 only', () => {
    expect(isArm64Image(header())).toBe(true);
    expect(isArm64Image(header({ magic: 0 }))).toBe(false);
    expect(isArm64Image(header({ length: 60 }))).toBe(false);
  });
});

describe('layoutLinux', () => {
  const h = (textOffset: bigint, imageSize: bigint): Arm64ImageHeader => ({ textOffset, imageSize, flags: 0xan, bigEndian: false, pageSize: 4096, anywhere: true });
  const ram = { ramBase: 0x40000000n, ramSize: 256n * MiB };

  test('kernel at the 2 MiB-aligned RAM base + text_offset; DTB in the last 2 MiB region; initrd below it', () => {
    const l = layoutLinux({ ...ram, header: h(0n, 0x2380000n), dtbSize: 0x1000, initrdSize: 0x1c3001 });
    expect(l.kernel).toBe(0x40000000n);
    expect(l.kernelEnd).toBe(0x42380000n);
    expect(l.dtb).toBe(0x4fe00000n);
    expect(l.dtb % 8n).toBe(0n);
    expect(l.initrd).toEqual({ start: (0x4fe00000n - 0x1c3001n) & ~0xfffn, end: ((0x4fe00000n - 0x1c3001n) & ~0xfffn) + 0x1c3001n });
    expect(l.initrd!.end).toBeLessThanOrEqual(l.dtb);
    expect(l.initrd!.start).toBeGreaterThanOrEqual(l.kernelEnd);
    const old = layoutLinux({ ...ram, header: h(0x80000n, 0x100000n), dtbSize: 100 });
    expect(old.kernel).toBe(0x40080000n);
    expect(old.initrd).toBeUndefined();
  });

  test('a RAM base that is not 2 MiB-aligned: the next aligned base', () => {
    expect(layoutLinux({ ramBase: 0x40001000n, ramSize: 64n * MiB, header: h(0x80000n, MiB), dtbSize: 64 }).kernel).toBe(0x40280000n);
  });

  test('the DTB never shares a 2 MiB region with the kernel; too little RAM is a RangeError naming ramSize', () => {
    // kernel 0..5 MiB: regions 0-2, 2-4, 4-6 are the kernel's; 8 MiB of RAM leaves 6-8 for the DTB
    expect(layoutLinux({ ...ram, ramSize: 8n * MiB, header: h(0n, 5n * MiB), dtbSize: 64 }).dtb).toBe(0x40600000n);
    expect(() => layoutLinux({ ...ram, ramSize: 6n * MiB, header: h(0n, 5n * MiB), dtbSize: 64 })).toThrow(/^ramSize: 6 MiB of RAM cannot hold the kernel/);
    expect(() => layoutLinux({ ...ram, ramSize: 8n * MiB, header: h(0n, 5n * MiB), dtbSize: 64, initrdSize: 2 * 0x100000 })).toThrow(/^ramSize: .*the initrd \(2097152 bytes\)/);
  });

  test('bad sizes are RangeErrors naming the argument', () => {
    expect(() => layoutLinux({ ...ram, header: h(0n, MiB), dtbSize: 0 })).toThrow(/^dtbSize/);
    expect(() => layoutLinux({ ...ram, header: h(0n, MiB), dtbSize: 0x200001 })).toThrow(/^dtbSize: the DTB must be 1\.\.2 MiB/);
    expect(() => layoutLinux({ ...ram, header: h(0n, MiB), dtbSize: 64, initrdSize: -1 })).toThrow(/^initrdSize/);
    expect(() => layoutLinux({ ...ram, ramSize: 0n, header: h(0n, MiB), dtbSize: 64 })).toThrow(/^ramSize/);
  });
});
