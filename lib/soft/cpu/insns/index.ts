/**
 * The instruction table: every group's rows, in one list. To add a group, export `rows` from
 * `insns/<group>.ts` and add one import + one spread line below (order inside the list does not matter:
 * the decoder orders rows by specificity and `prio`).
 */
import type { Row } from '../decoder';
import { rows as branchRows } from './branch';
import { rows as systemRows } from './system';
import { rows as dpImmRows } from './dp-imm';
import { rows as dpRegRows } from './dp-reg';
import { rows as ldstRows } from './ldst';
import { rows as fpsimdRows } from './fpsimd';
import { rows as fpsimdLdstRows } from './fpsimd-ldst';
import { rows as fpsimdVecRows } from './fpsimd-vec';

export const ALL_ROWS: readonly Row[] = [
  ...branchRows,
  ...systemRows,
  ...dpImmRows,
  ...dpRegRows,
  ...ldstRows,
  ...fpsimdRows,
  ...fpsimdLdstRows,
  ...fpsimdVecRows,
];
