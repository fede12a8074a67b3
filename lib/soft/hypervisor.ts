/**
 * SoftHypervisor: the soft backend's "/dev/kvm": API version, capabilities, VM creation, guest memory.
 */
import type { Hypervisor, CreateVmOptions, GuestMemory, SharedMemoryHandle, KvmCapName } from '../backend';
import { KVM_CAP } from '../codec/abi';
import { KvmError, closedError } from '../errors';
import { SoftGuestMemory } from './memory';
import { SoftVm } from './vm';
import { SoftEventFd } from './eventfd';
import { softCapabilities, SOFT_DEFAULT_IPA, SOFT_IPA_LIMIT } from './caps';
import { defaultCpuFactory, type CpuFactory } from './vcpu';
import { availableParallelism } from 'node:os';

export interface OpenSoftOptions {
  reason?: string;
  /** the interpreter to use (tests); default lib/soft/cpu createCpu */
  cpuFactory?: CpuFactory;
}

export class SoftHypervisor implements Hypervisor {
  readonly backend = 'soft' as const;
  readonly reason: string;
  #closed = false;
  readonly #caps = softCapabilities(availableParallelism());
  readonly #cpuFactory: CpuFactory | undefined;

  constructor(options: OpenSoftOptions = {}) {
    this.reason = options.reason ?? 'requested: backend soft';
    this.#cpuFactory = options.cpuFactory;
  }

  #check(ioctl: string): void {
    if (this.#closed) throw closedError('hypervisor', ioctl);
  }

  apiVersion(): number {
    this.#check('KVM_GET_API_VERSION');
    return 12;
  }

  checkExtension(cap: KvmCapName | number): number {
    this.#check('KVM_CHECK_EXTENSION');
    const nr = typeof cap === 'number' ? cap : KVM_CAP[cap];
    if (nr === undefined || !Number.isInteger(nr)) throw new RangeError(`cap: unknown capability '${String(cap)}'`);
    return this.#caps.get(nr) ?? 0;
  }

  vcpuMmapSize(): number {
    this.#check('KVM_GET_VCPU_MMAP_SIZE');
    return 8192;
  }

  createVm(options: CreateVmOptions = {}): SoftVm {
    this.#check('KVM_CREATE_VM');
    let ipa = SOFT_DEFAULT_IPA;
    if (options.ipaSize !== undefined) {
      if (!Number.isInteger(options.ipaSize) || options.ipaSize < 0 || options.ipaSize > 255) throw new RangeError(`ipaSize: must be 32..52, got ${String(options.ipaSize)}`);
      // kvm_arm_setup_stage2: 0 = default 40; below 32 or above the host limit → EINVAL
      if (options.ipaSize !== 0) {
        if (options.ipaSize < 32 || options.ipaSize > SOFT_IPA_LIMIT) throw new KvmError('EINVAL', { syscall: 'ioctl', ioctl: 'KVM_CREATE_VM', context: `IPA size ${options.ipaSize}`, backend: 'soft' });
        ipa = options.ipaSize;
      }
    }
    return new SoftVm({ ipaSize: ipa, cpuFactory: this.#cpuFactory ?? defaultCpuFactory() });
  }

  allocateMemory(size: number, _options?: { hugePages?: boolean }): GuestMemory {
    this.#check('mmap');
    return new SoftGuestMemory(size);
  }

  openSharedMemory(handle: SharedMemoryHandle): GuestMemory {
    this.#check('mmap');
    return SoftGuestMemory.fromShared(handle);
  }

  /** A soft eventfd for Vm.irqfd / Vm.ioeventfd of this backend's VMs (lib/soft/eventfd.ts). */
  eventfd(initval = 0): SoftEventFd {
    this.#check('eventfd');
    return new SoftEventFd(initval);
  }

  close(): void {
    this.#closed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens the soft backend. */
export function openSoft(options: OpenSoftOptions = {}): SoftHypervisor {
  return new SoftHypervisor(options);
}
