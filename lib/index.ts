/**
 * kvm-arm: write ARM virtual machine monitors in TypeScript.
 *
 *   import { open } from 'kvm-arm';
 *   const hv = open();                 // real /dev/kvm on arm64 Linux, the software backend elsewhere
 *   const vm = hv.createVm();
 *
 * See README.md for the whole tour.
 */
export * from './codec';
export * from './errors';
export type * from './backend';
export { open, backendChoice } from './open';
