/**
 * KvmDevice: a device fd from KVM_CREATE_DEVICE (api.txt 4.80-4.82; Documentation/virt/kvm/devices/arm-vgic*.txt).
 *
 *   const gic = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
 *   gic.setAttr(KVM_DEV_ARM_VGIC_GRP.ADDR, BigInt(KVM_VGIC_V2_ADDR_TYPE_DIST), 0x0800_0000n);
 */
import type { Device } from '../backend';
import { KVM_IOCTL } from '../codec/abi';
import { hex64 } from '../codec/regid';
import type { NativeFd } from './binding';
import { call, closed } from './errors';

export class KvmDevice implements Device {
  readonly backend = 'kvm' as const;
  readonly type: number;
  #fd: NativeFd | null;
  readonly #owner: { childClosed(c: { close(): void }): void };

  /** @internal use KvmVm.createDevice() */
  constructor(fd: NativeFd, type: number, owner: { childClosed(c: { close(): void }): void }) {
    this.#fd = fd;
    this.type = type;
    this.#owner = owner;
  }

  #dev(ioctl: string): NativeFd {
    if (!this.#fd) throw closed('device', ioctl);
    return this.#fd;
  }

  /** The device fd number. */
  get fd(): number {
    return this.#dev('fd').fd;
  }

  /**
   * KVM_SET_DEVICE_ATTR (api.txt 4.81): writes a u64 (bigint) or u32 (number) attribute value.
   *
   *   gic.setAttr(KVM_DEV_ARM_VGIC_GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
   */
  setAttr(group: number, attr: bigint, value: bigint | number): void {
    const v = new Uint8Array(8);
    const d = new DataView(v.buffer);
    if (typeof value === 'bigint') {
      if (value < 0n || value > 0xffffffffffffffffn) throw new RangeError(`value: must be a u64, got ${value}`);
      d.setBigUint64(0, value, true);
    } else {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`value: a number value must be a u32, got ${value}`);
      d.setUint32(0, value, true);
    }
    this.#attr('KVM_SET_DEVICE_ATTR', group, attr, v);
  }

  /**
   * KVM_GET_DEVICE_ATTR (api.txt 4.82): reads `bytes` (4 or 8, default 8) of an attribute.
   *
   *   const ctlr = gic.getAttr(KVM_DEV_ARM_VGIC_GRP.DIST_REGS, 0n, 4);
   */
  getAttr(group: number, attr: bigint, bytes: 4 | 8 = 8): bigint {
    if (bytes !== 4 && bytes !== 8) throw new RangeError(`bytes: must be 4 or 8, got ${String(bytes)}`);
    const v = new Uint8Array(8);
    this.#attr('KVM_GET_DEVICE_ATTR', group, attr, v);
    const d = new DataView(v.buffer);
    return bytes === 4 ? BigInt(d.getUint32(0, true)) : d.getBigUint64(0, true);
  }

  /** KVM_HAS_DEVICE_ATTR (api.txt 4.83): true when supported, false on ENXIO; other errors throw. */
  hasAttr(group: number, attr: bigint): boolean {
    try {
      this.#attr('KVM_HAS_DEVICE_ATTR', group, attr, new Uint8Array(8));
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'ENXIO') return false;
      throw e;
    }
  }

  #attr(ioctl: 'KVM_SET_DEVICE_ATTR' | 'KVM_GET_DEVICE_ATTR' | 'KVM_HAS_DEVICE_ATTR', group: number, attr: bigint, value: Uint8Array): void {
    if (!Number.isInteger(group) || group < 0 || group > 0xffffffff) throw new RangeError(`group: must be a u32, got ${group}`);
    if (typeof attr !== 'bigint') throw new TypeError('attr: expected a bigint');
    if (attr < 0n || attr > 0xffffffffffffffffn) throw new RangeError(`attr: must be a u64, got ${attr}`);
    const fd = this.#dev(ioctl);
    call(ioctl, `group ${group} attr ${hex64(attr)}`, () => fd.deviceAttr(KVM_IOCTL[ioctl], 0, group, attr, value));
  }

  get closed(): boolean {
    return this.#fd === null;
  }
  close(): void {
    if (!this.#fd) return;
    this.#fd.close();
    this.#fd = null;
    this.#owner.childClosed(this);
  }
  [Symbol.dispose](): void {
    this.close();
  }
}
