/** kvm-arm codec: pure TypeScript, no I/O. Register ids, irq fields, device addresses, VGIC attrs, KVM ABI. */
export * from './regid';
export * from './irq';
export * from './vgic';
export * from './abi';
export * from './structs';
export * from './psci';
export { SYSREG_ROWS, type SysregRow } from './sysreg-names';
