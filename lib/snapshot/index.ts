/**
 * VM snapshots: capture a whole VM through the backend interfaces, write it in the versioned binary format of
 * docs/snapshot-format.md, restore it into a fresh VM of either backend.
 */
export {
  captureVm,
  restoreVm,
  SnapshotRestoreError,
  type VmParts,
  type CaptureOptions,
  type RestoreOptions,
  type RestoredVm,
  type RestoreWarning,
  type RestoreWarningKind,
} from './vm';
export {
  encodeSnapshot,
  decodeSnapshot,
  crc32,
  SnapshotFormatError,
  SNAPSHOT_MAGIC,
  SNAPSHOT_MAJOR,
  SNAPSHOT_MINOR,
  type VmSnapshot,
  type SnapshotVcpu,
  type SnapshotReg,
  type SnapshotGic,
  type SnapshotGicReg,
  type SnapshotRam,
  type SnapshotDevice,
} from './format';
export { gicSavePlan, gicRestorePlan, SAVED_DIST_REGS, SAVED_CPU_REGS } from './vgic';
