/** The FDT writer and the virt device tree, validated by dtc (skipped with a reason when dtc is missing). */
import { spawnSync } from 'node:child_process';
import { virtFdt } from '../../lib/vmm/virt';
import { encodeFdt, cells } from '../../lib/vmm/fdt';

const haveDtc = spawnSync('sh', ['-c', 'command -v dtc']).status === 0;
const d = haveDtc ? describe : (console.warn('skipped: dtc (device-tree-compiler) is not installed'), describe.skip);

function dts(blob: Uint8Array): string {
  const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', '-'], { input: Buffer.from(blob), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dtc rejected the blob: ${r.stderr}`);
  return r.stdout;
}

d('FDT writer (checked by dtc -I dtb -O dts)', () => {
  test('virt tree: memory, cpus with MPIDRs, psci hvc, GIC, timer PPIs, PL011, chosen', () => {
    const s = dts(virtFdt({ memSize: 128n << 20n, mpidrs: [0x80000000n, 0x80000001n], gic: true, bootargs: 'console=ttyAMA0', initrd: { start: 0x48000000n, end: 0x48100000n } }));
    expect(s).toContain('memory@40000000 {');
    expect(s).toMatch(/reg = <0x00 0x40000000 0x00 0x8000000>;/);
    expect(s).toMatch(/cpu@1 \{[^}]*reg = <0x01>;[^}]*enable-method = "psci";/s);
    expect(s).toMatch(/compatible = "arm,psci-1.0\\0arm,psci-0.2\\0arm,psci";/);
    expect(s).toContain('method = "hvc";');
    expect(s).toMatch(/intc@8000000 \{[^}]*compatible = "arm,cortex-a15-gic";[^}]*reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000>;/s);
    expect(s).toMatch(/interrupts = <0x01 0x0d 0x304 0x01 0x0e 0x304 0x01 0x0b 0x304 0x01 0x0a 0x304>;/);
    expect(s).toMatch(/pl011@9000000 \{[^}]*compatible = "arm,pl011\\0arm,primecell";/s);
    expect(s).toContain('bootargs = "console=ttyAMA0";');
    expect(s).toContain('stdout-path = "/pl011@9000000";');
    expect(s).toMatch(/linux,initrd-start = <0x00 0x48000000>;/);
  });
  test('empty properties, string lists, u64 cells, reservations round-trip', () => {
    const blob = encodeFdt({ name: '', props: [['a', null], ['b', ['x', 'yz']], ['c', cells(1n << 40n, 7)]], children: [{ name: 'n@1' }] }, { reserve: [[0x1000n, 0x2000n]] });
    const s = dts(blob);
    expect(s).toContain('/memreserve/\t0x0000000000001000 0x0000000000002000;');
    expect(s).toMatch(/a;/);
    expect(s).toContain('b = "x\\0yz";');
    expect(s).toContain('c = <0x100 0x00 0x07>;');
    expect(s).toContain('n@1 {');
  });
  test('bad input: duplicate property and bad names are RangeErrors', () => {
    expect(() => encodeFdt({ name: '', props: [['a', null], ['a', null]] })).toThrow(RangeError);
    expect(() => encodeFdt({ name: 'x' })).toThrow(RangeError);
    expect(() => encodeFdt({ name: '', children: [{ name: 'a/b' }] })).toThrow(RangeError);
    expect(() => encodeFdt({ name: '', props: [['c', cells(-1)]] })).toThrow(RangeError);
  });
});
