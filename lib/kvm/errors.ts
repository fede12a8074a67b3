/** Turning native errno errors into KvmError (internal to lib/kvm). */
import { KvmError } from '../errors';

interface NativeErrno {
  errno: number;
  syscall?: string;
}
function isNativeErrno(e: unknown): e is NativeErrno {
  // duck-typed: the addon's errors come from Node's main realm, which is not `Error` of a vm context (jest)
  return typeof e === 'object' && e !== null && typeof (e as Partial<NativeErrno>).errno === 'number' && !(e instanceof KvmError);
}

/** Converts a native errno error into a KvmError; other errors (RangeError, TypeError) pass through. */
export function toKvmError(e: unknown, ioctl: string | undefined, context?: string): unknown {
  if (!isNativeErrno(e)) return e;
  return new KvmError(e.errno, {
    syscall: e.syscall ?? 'ioctl',
    ...(ioctl !== undefined ? { ioctl } : {}),
    ...(context !== undefined ? { context } : {}),
    backend: 'kvm',
  });
}

/** Runs one native call, rethrowing errno failures as KvmError. */
export function call<T>(ioctl: string | undefined, context: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toKvmError(e, ioctl, context);
  }
}

/** The KvmError for a fast call's -errno result (see NativeBinding.ioctlInt); built only on failure. */
export function ioctlFailed(errno: number, ioctl: string, context: string | undefined): KvmError {
  return new KvmError(errno, { syscall: 'ioctl', ioctl, ...(context !== undefined ? { context } : {}), backend: 'kvm' });
}

/** The EBADF a method of a closed object throws (before any syscall). */
export function closed(what: string, ioctl?: string): KvmError {
  return new KvmError('EBADF', { syscall: 'ioctl', ...(ioctl !== undefined ? { ioctl } : {}), context: `${what} is closed`, backend: 'kvm' });
}
