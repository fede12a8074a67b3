/**
 * Guest RAM of the soft backend: a SharedArrayBuffer, so the same memory can be opened on worker threads
 * (`share()` → a structured-cloneable handle → `SoftGuestMemory.fromShared`).
 */
import type { GuestMemory, SharedMemoryHandle } from '../backend';
import { closedError } from '../errors';
import { isSab } from './shared';

/** The soft backend's page size (KVM arm64 with 4 KiB pages, as in the lab). */
export const SOFT_PAGE_SIZE = 4096;
/** Largest guest memory one SharedArrayBuffer may hold here (V8's limit for a typed array view). */
export const SOFT_MAX_MEMORY = 2 ** 32;

export class SoftGuestMemory implements GuestMemory {
  readonly size: number;
  readonly buffer: SharedArrayBuffer;
  #bytes: Uint8Array | null;

  constructor(sizeOrBuffer: number | SharedArrayBuffer) {
    if (typeof sizeOrBuffer === 'number') {
      const size = sizeOrBuffer;
      if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`size: must be a positive integer, got ${String(size)}`);
      if (size % SOFT_PAGE_SIZE !== 0) throw new RangeError(`size: must be a multiple of the page size (${SOFT_PAGE_SIZE}), got ${size}`);
      if (size > SOFT_MAX_MEMORY) throw new RangeError(`size: at most ${SOFT_MAX_MEMORY} bytes, got ${size}`);
      this.buffer = new SharedArrayBuffer(size);
    } else {
      if (!isSab(sizeOrBuffer)) throw new TypeError('buffer: expected a SharedArrayBuffer');
      if (sizeOrBuffer.byteLength === 0 || sizeOrBuffer.byteLength % SOFT_PAGE_SIZE !== 0) {
        throw new RangeError(`buffer: its size must be a positive multiple of ${SOFT_PAGE_SIZE}, got ${sizeOrBuffer.byteLength}`);
      }
      this.buffer = sizeOrBuffer;
    }
    this.size = this.buffer.byteLength;
    this.#bytes = new Uint8Array(this.buffer);
  }

  /** Opens memory shared from another thread. */
  static fromShared(handle: SharedMemoryHandle): SoftGuestMemory {
    if (handle === null || typeof handle !== 'object' || handle.backend !== 'soft') throw new TypeError("handle: expected a { backend: 'soft', buffer } handle");
    return new SoftGuestMemory(handle.buffer);
  }

  get closed(): boolean {
    return this.#bytes === null;
  }

  get bytes(): Uint8Array {
    if (this.#bytes === null) throw closedError('guest memory');
    return this.#bytes;
  }

  share(): SharedMemoryHandle {
    if (this.#bytes === null) throw closedError('guest memory');
    return { backend: 'soft', buffer: this.buffer };
  }

  close(): void {
    this.#bytes = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
