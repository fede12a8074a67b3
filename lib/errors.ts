/**
 * Errors thrown by kvm-arm.
 *
 * A failed system call (or the soft backend's emulation of one) is a {@link KvmError}: it carries the
 * errno name in `code` (as Node's own `ErrnoException` does), the numeric `errno`, the `syscall`, the ioctl
 * name and a short context (usually what the call was about, e.g. the register name), and its message reads
 * `ioctl KVM_SET_ONE_REG EINVAL (x0)`.
 *
 * Bad arguments are caught before any syscall and raise `TypeError` / `RangeError` naming the argument.
 */

/** Linux errno values (asm-generic/errno-base.h, errno.h) for the codes KVM returns. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  ENOPKG: 65,
  EOPNOTSUPP: 95,
} as const;

export type ErrnoCode = keyof typeof ERRNO;

const ERRNO_NAMES = new Map<number, ErrnoCode>(
  (Object.entries(ERRNO) as [ErrnoCode, number][]).map(([k, v]) => [v, k]),
);

/** The errno name for a number, e.g. 22 → 'EINVAL'; unknown numbers give `E<n>`. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

export interface KvmErrorOptions {
  /** The system call that failed, e.g. 'ioctl', 'open', 'mmap'. */
  syscall: string;
  /** The ioctl request name, e.g. 'KVM_SET_ONE_REG' (ioctls only). */
  ioctl?: string;
  /** What the call was about, e.g. a register name or a slot number. */
  context?: string;
  /** Where the call was made: 'kvm' or 'soft'. */
  backend?: 'kvm' | 'soft';
}

/** A failed KVM system call (real or emulated). */
export class KvmError extends Error {
  override readonly name = 'KvmError';
  /** errno name, e.g. 'EINVAL'. */
  readonly code: string;
  /** errno number, e.g. 22. */
  readonly errno: number;
  readonly syscall: string;
  readonly ioctl: string | undefined;
  readonly context: string | undefined;
  readonly backend: 'kvm' | 'soft' | undefined;

  constructor(code: ErrnoCode | number, options: KvmErrorOptions) {
    const errno = typeof code === 'number' ? code : ERRNO[code];
    const name = typeof code === 'number' ? errnoName(code) : code;
    const what = options.ioctl !== undefined ? `${options.syscall} ${options.ioctl}` : options.syscall;
    super(`${what} ${name}${options.context !== undefined ? ` (${options.context})` : ''}`);
    this.code = name;
    this.errno = errno;
    this.syscall = options.syscall;
    this.ioctl = options.ioctl;
    this.context = options.context;
    this.backend = options.backend;
  }
}

/** Thrown when an object (hypervisor, VM, vCPU, device, memory) is used after close(). */
export function closedError(what: string, ioctl?: string): KvmError {
  return new KvmError('EBADF', { syscall: 'ioctl', ...(ioctl !== undefined ? { ioctl } : {}), context: `${what} is closed` });
}
