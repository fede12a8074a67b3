/**
 * Guest RAM for the kvm backend: an anonymous, page-aligned host mapping (MAP_NORESERVE) made by the addon.
 *
 * The mapping is reference counted in the addon: this object, each re-opening (`openSharedMemory` on another
 * worker, or a VM slot that uses it) and each ArrayBuffer view hold a reference, and the memory is unmapped
 * when the last one goes, so a guest or a view can never reach memory that was handed back to the host.
 */
import type { GuestMemory, SharedMemoryHandle } from '../backend';
import type { NativeBinding, NativeMemory } from './binding';
import { call, closed } from './errors';

export interface AllocateOptions {
  /** true or 'madvise': madvise(MADV_HUGEPAGE) (transparent huge pages); 'hugetlb': MAP_HUGETLB (needs reserved huge pages). */
  hugePages?: boolean | 'madvise' | 'hugetlb';
}

export class KvmGuestMemory implements GuestMemory {
  readonly size: number;
  #native: NativeMemory | null;
  #bytes: Uint8Array | null = null;
  readonly #binding: NativeBinding;

  /** @internal use KvmHypervisor.allocateMemory / openSharedMemory */
  constructor(binding: NativeBinding, native: NativeMemory) {
    this.#binding = binding;
    this.#native = native;
    this.size = native.size;
  }

  /** @internal the native mapping (for KVM_SET_USER_MEMORY_REGION) */
  get native(): NativeMemory {
    if (!this.#native) throw closed('guest memory', 'KVM_SET_USER_MEMORY_REGION');
    return this.#native;
  }

  /** The whole mapping as bytes; the guest sees every write. Throws EBADF after close(). */
  get bytes(): Uint8Array {
    if (!this.#native) throw closed('guest memory');
    this.#bytes ??= new Uint8Array(this.#native.buffer);
    return this.#bytes;
  }

  /** Host virtual address of the mapping. */
  get address(): bigint {
    return this.native.address;
  }

  /**
   * A structured-cloneable handle: post it to a worker and open it there with
   * `openKvm().openSharedMemory(handle)` (no second mmap; the mapping lives while anyone holds it).
   */
  share(): SharedMemoryHandle {
    const n = this.native;
    return { backend: 'kvm', address: n.address, size: n.size, token: n.token };
  }

  /** @internal another reference to the same mapping (a VM slot pins its memory with one) */
  pin(): NativeMemory {
    const n = this.native;
    return call(undefined, 'guest memory', () => this.#binding.openMemory(n.address, n.size, n.token));
  }

  get closed(): boolean {
    return this.#native === null;
  }

  /** Drops this reference: `bytes` is detached; the mapping goes when no VM slot or worker still uses it. */
  close(): void {
    this.#native?.close();
    this.#native = null;
    this.#bytes = null;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}
