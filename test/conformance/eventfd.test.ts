/**
 * eventfds, irqfd and ioeventfd (api.txt 4.59 KVM_IOEVENTFD, 4.75 KVM_IRQFD): one expectation set for every
 * available backend. The errnos are virt/kvm/eventfd.c's (Linux 6.1), checked in the arm64 lab.
 */
import { code, conformanceBackendNames } from './backends';
import { open } from '../../lib/index';
import type { Hypervisor, Vm, EventFd } from '../../lib/backend';
import { arm64CoreId } from '../../lib/codec/regid';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP as GRP, KVM_DEV_ARM_VGIC_CTRL_INIT, encodeVgicV2Attr } from '../../lib/codec/vgic';

const backends = conformanceBackendNames('eventfd conformance');

/** An fd number that is no open file (nor a soft eventfd). */
const NO_FD = 0x3ffffff0;
const RAM = 0x40000000n;
const DOORBELL = 0x0a000050n;
const ANYLEN = 0x0a000100n;

/** Waits (bounded) for `cond`: real KVM injects irqfd SPIs from a kernel work queue, not in the write(). */
async function eventually(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

describe.each(backends)('eventfd / irqfd / ioeventfd on the %s backend', (backend) => {
  let hv: Hypervisor;
  const open_: Array<{ close(): void }> = [];
  beforeEach(() => {
    hv = open({ backend });
  });
  afterEach(() => {
    for (const o of open_.splice(0).reverse()) o.close();
    hv.close();
  });
  const ev = (init = 0): EventFd => {
    const e = hv.eventfd(init);
    open_.push(e);
    return e;
  };
  const vm = (): Vm => {
    const v = hv.createVm();
    open_.push(v);
    return v;
  };

  test('eventfd: counter adds writes, read returns and clears it, EAGAIN when zero, EBADF after close', () => {
    const e = ev(7);
    expect(e.read()).toBe(7n);
    expect(code(() => e.read())).toBe('EAGAIN');
    e.write(2n);
    e.write(3);
    expect(e.read()).toBe(5n);
    const f = hv.eventfd();
    expect(f.fd).not.toBe(e.fd);
    f.close();
    expect(code(() => f.write(1n))).toBe('EBADF');
    expect(code(() => f.read())).toBe('EBADF');
  });

  test('KVM_IOEVENTFD errnos: bad length, length 0 with datamatch, unknown fd, duplicate, deassign of nothing', () => {
    const v = vm();
    const e = ev();
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: DOORBELL, len: 3 }))).toBe('EINVAL');
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: DOORBELL, len: 0, datamatch: 1n }))).toBe('EINVAL');
    expect(code(() => v.ioeventfd({ fd: NO_FD, addr: DOORBELL, len: 4 }))).toBe('EBADF');
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: 0xfffffffffffffffen, len: 4 }))).toBe('EINVAL'); // addr + len wraps
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: DOORBELL, len: 4, datamatch: 1n }))).toBe('ok');
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: DOORBELL, len: 4, datamatch: 1n }))).toBe('EEXIST');
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: DOORBELL, len: 4, datamatch: 2n }))).toBe('ok'); // another value
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: DOORBELL, len: 4, datamatch: 3n, deassign: true }))).toBe('ENOENT');
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: DOORBELL, len: 4, datamatch: 1n, deassign: true }))).toBe('ok');
    expect(code(() => v.ioeventfd({ fd: e.fd, addr: DOORBELL, len: 4, datamatch: 1n, deassign: true }))).toBe('ENOENT');
  });

  test('KVM_IRQFD errnos: VGIC not initialised (first), unknown fd, the same eventfd twice; deassign of nothing is 0', () => {
    const v = vm();
    v.createVcpu(0);
    const e = ev();
    expect(code(() => v.irqfd({ fd: e.fd, gsi: 5 }))).toBe('EAGAIN'); // no VGIC at all
    const gic = v.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    expect(code(() => v.irqfd({ fd: NO_FD, gsi: 5 }))).toBe('EAGAIN'); // not initialised: checked before the fd
    expect(code(() => v.irqfd({ fd: NO_FD, gsi: 5, deassign: true }))).toBe('EBADF');
    expect(code(() => v.irqfd({ fd: e.fd, gsi: 5, deassign: true }))).toBe('ok');
    gic.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
    expect(code(() => v.irqfd({ fd: NO_FD, gsi: 5 }))).toBe('EBADF');
    expect(code(() => v.irqfd({ fd: e.fd, gsi: 5 }))).toBe('ok');
    expect(code(() => v.irqfd({ fd: e.fd, gsi: 6 }))).toBe('EBUSY');
    expect(code(() => v.irqfd({ fd: e.fd, gsi: 6, deassign: true }))).toBe('ok');
    expect(code(() => v.irqfd({ fd: e.fd, gsi: 5, deassign: true }))).toBe('ok');
    expect(code(() => v.irqfd({ fd: e.fd, gsi: 5 }))).toBe('ok'); // free again
  });

  test('a guest write to an ioeventfd doorbell signals the eventfd instead of exiting; others still exit', () => {
    const v = vm();
    const ram = hv.allocateMemory(0x10000);
    open_.push(ram);
    const code_ = [
      0xd2a14001, // mov  x1, #0x0a000000
      0x91014021, // add  x1, x1, #0x50      DOORBELL
      0xd2800022, // mov  x2, #1
      0xd2800123, // mov  x3, #9
      0xb9000022, // str  w2, [x1]           eventfd a
      0xb9000022, // str  w2, [x1]           eventfd a
      0xb9000023, // str  w3, [x1]           no match: MMIO exit
      0x9102c021, // add  x1, x1, #0xb0      ANYLEN
      0x39000022, // strb w2, [x1]           eventfd b
      0x79000022, // strh w2, [x1]           eventfd b
      0xb9400024, // ldr  w4, [x1]           MMIO exit: reads are never ioeventfds
      0x52800100, // mov  w0, #8
      0x72b08000, // movk w0, #0x8400, lsl #16
      0xd4000002, // hvc  #0                 PSCI SYSTEM_OFF
    ];
    const dv = new DataView(ram.bytes.buffer, ram.bytes.byteOffset);
    code_.forEach((w, i) => dv.setUint32(i * 4, w, true));
    v.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM, memory: ram });
    const a = ev();
    const b = ev();
    v.ioeventfd({ fd: a.fd, addr: DOORBELL, len: 4, datamatch: 1n });
    v.ioeventfd({ fd: b.fd, addr: ANYLEN, len: 0 });
    const cpu = v.createVcpu(0);
    open_.push(cpu);
    cpu.init({ ...v.preferredTarget(), features: ['psci-0.2'] });
    cpu.setOneReg(arm64CoreId('pc'), RAM);
    const e1 = cpu.run();
    expect(e1).toMatchObject({ reason: 'mmio', physAddr: DOORBELL, len: 4, isWrite: true });
    expect(e1.reason === 'mmio' && Array.from(e1.data)).toEqual([9, 0, 0, 0]);
    expect(a.read()).toBe(2n);
    const e2 = cpu.run();
    expect(e2).toMatchObject({ reason: 'mmio', physAddr: ANYLEN, len: 4, isWrite: false });
    expect(b.read()).toBe(2n);
    expect(cpu.run()).toMatchObject({ reason: 'system-event' });
    expect(code(() => a.read())).toBe('EAGAIN');
  });

  test('irqfd: a write raises the SPI: an edge one latches pending, a level one stays high; deassigned, it counts', async () => {
    const v = vm();
    const c = v.createVcpu(0);
    open_.push(c);
    const gic = v.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    gic.setAttr(GRP.ADDR, 0n, 0x08000000n); // KVM_VGIC_V2_ADDR_TYPE_DIST
    gic.setAttr(GRP.ADDR, 1n, 0x08010000n); // KVM_VGIC_V2_ADDR_TYPE_CPU
    c.init({ ...v.preferredTarget(), features: ['psci-0.2'] });
    gic.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
    const dist = (off: number): bigint => encodeVgicV2Attr({ cpu: 0, offset: off });
    // GICD_ICFGR2 (SPIs 32..47, two bits each, bit 1 of a field = edge): SPI 37 (gsi 5) edge, 38 (gsi 6) and the rest level
    gic.setAttr(GRP.DIST_REGS, dist(0xc08), 2n << BigInt((37 - 32) * 2));
    const e = ev();
    v.irqfd({ fd: e.fd, gsi: 5 });
    const pending = (irq: number): boolean => ((gic.getAttr(GRP.DIST_REGS, dist(0x200 + 4 * (irq >> 5)), 4) >> BigInt(irq & 31)) & 1n) === 1n;
    expect(pending(37)).toBe(false);
    e.write(1n);
    expect(await eventually(() => pending(37))).toBe(true);
    expect(code(() => e.read())).toBe('EAGAIN'); // the irqfd consumed the count
    // level-sensitive SPI 38 (gsi 6): arm64 KVM injects level 1 from irqfd_wakeup and never lowers it (no
    // resampler), so it stays pending. (Deassigning waits for an injection still queued: irqfd_shutdown flushes it.)
    const l = ev();
    v.irqfd({ fd: l.fd, gsi: 6 });
    l.write(1n);
    v.irqfd({ fd: l.fd, gsi: 6, deassign: true });
    expect(pending(38)).toBe(true);
    gic.setAttr(GRP.DIST_REGS, dist(0x280 + 4), 1n << 6n); // GICD_ICPENDR1 clears only a latch: the line is high
    expect(pending(38)).toBe(true);
    // deassigned: writes count up in the eventfd again and inject nothing
    v.irqfd({ fd: e.fd, gsi: 5, deassign: true });
    gic.setAttr(GRP.DIST_REGS, dist(0x280 + 4), 1n << 5n); // GICD_ICPENDR1: clear 37
    expect(pending(37)).toBe(false);
    e.write(1n);
    expect(e.read()).toBe(1n);
    expect(pending(37)).toBe(false);
  });

  test('irqfd with a resample fd: the level SPI stays up until the guest deactivates it, then the resample fd fires', async () => {
    const v = vm();
    const ram = hv.allocateMemory(0x10000);
    open_.push(ram);
    // enable the distributor, SPI 37 to CPU 0, the CPU interface (PMR 0xff); then forever: poll GICC_IAR (64Ki
    // times at most, IRQs masked) and report the INTID with a write to 0x0a000000 (1023: nothing came); after a
    // real one, EOI it and report again at 0x0a000004
    const prog = [
      0xd2a10001, // mov  x1, #0x08000000      GICD
      0x91404022, // add  x2, x1, #0x10, lsl #12   GICC
      0x52800023, // mov  w3, #1
      0xb9000023, // str  w3, [x1]             GICD_CTLR
      0x52800403, // mov  w3, #0x20
      0xb9010423, // str  w3, [x1, #0x104]     GICD_ISENABLER1: SPI 37
      0x52800023, // mov  w3, #1
      0x39209423, // strb w3, [x1, #0x825]     GICD_ITARGETSR byte 37: CPU 0
      0xb9000043, // str  w3, [x2]             GICC_CTLR
      0x52801fe3, // mov  w3, #0xff
      0xb9000443, // str  w3, [x2, #4]         GICC_PMR
      0xd2a14005, // mov  x5, #0x0a000000
      0xd2a00026, // loop: mov x6, #0x10000
      0xb9400c44, // poll: ldr w4, [x2, #0xc]  GICC_IAR
      0x12002487, // and  w7, w4, #0x3ff
      0x710ffcff, // cmp  w7, #1023
      0x54000061, // b.ne got
      0xf10004c6, // subs x6, x6, #1
      0x54ffff61, // b.ne poll
      0xb90000a7, // got: str w7, [x5]
      0x710ffcff, // cmp  w7, #1023
      0x54fffee0, // b.eq loop
      0xb9001044, // str  w4, [x2, #0x10]      GICC_EOIR
      0xb90004a7, // str  w7, [x5, #4]
      0x17fffff4, // b    loop
    ];
    const dv = new DataView(ram.bytes.buffer, ram.bytes.byteOffset);
    prog.forEach((w, i) => dv.setUint32(i * 4, w, true));
    v.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM, memory: ram });
    const c = v.createVcpu(0);
    open_.push(c);
    const gic = v.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    gic.setAttr(GRP.ADDR, 0n, 0x08000000n);
    gic.setAttr(GRP.ADDR, 1n, 0x08010000n);
    c.init({ ...v.preferredTarget(), features: ['psci-0.2'] });
    c.setOneReg(arm64CoreId('pc'), RAM);
    gic.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
    const dist = (off: number): bigint => encodeVgicV2Attr({ cpu: 0, offset: off });
    gic.setAttr(GRP.DIST_REGS, dist(0xc08), 0n); // SPIs 32..47 level-sensitive
    const pending = (irq: number): boolean => ((gic.getAttr(GRP.DIST_REGS, dist(0x200 + 4 * (irq >> 5)), 4) >> BigInt(irq & 31)) & 1n) === 1n;
    const e = ev();
    const rs = ev();
    v.irqfd({ fd: e.fd, gsi: 5, resampleFd: rs.fd });
    const report = (): { at: bigint; intid: number } => {
      const x = c.run();
      if (x.reason !== 'mmio' || !x.isWrite) throw new Error(`unexpected exit ${x.reason}`);
      return { at: x.physAddr - 0x0a000000n, intid: new DataView(x.data.buffer, x.data.byteOffset).getUint32(0, true) };
    };
    expect(report()).toEqual({ at: 0n, intid: 1023 }); // nothing yet
    e.write(1n);
    let r = report();
    for (let i = 0; i < 50 && r.intid === 1023; i++) r = report(); // KVM injects from a work queue
    expect(r).toEqual({ at: 0n, intid: 37 }); // acknowledged (active), not yet deactivated
    expect(code(() => rs.read())).toBe('EAGAIN');
    expect(report()).toEqual({ at: 4n, intid: 37 }); // EOI: deactivated → line lowered, resample fd signalled
    expect(rs.read()).toBe(1n);
    expect(pending(37)).toBe(false);
    e.write(1n); // and again
    r = report();
    for (let i = 0; i < 50 && r.intid === 1023; i++) r = report();
    expect(r).toEqual({ at: 0n, intid: 37 });
    expect(report()).toEqual({ at: 4n, intid: 37 });
    expect(rs.read()).toBe(1n);
  });
});
