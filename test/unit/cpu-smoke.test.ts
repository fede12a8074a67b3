import { describeAs, runAsm } from './cpu-harness';

describeAs('smoke', () => {
  test('add and hvc', () => {
    const { m, stop } = runAsm(`
      mov x0, #5
      add x1, x0, #7
      hvc #0x42
    `);
    expect(stop).toEqual({ kind: 'hvc', imm: 0x42 });
    expect(m.cpu.getX(1)).toBe(12n);
  });
});
