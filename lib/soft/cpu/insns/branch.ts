/** Branches: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET, ERET. */
import { row, type Row } from '../decoder';
import { condHolds } from '../alu';
import { rz } from '../state';

/** X30 = address of the next instruction */
function link(c: import('../core').Core): void {
  c.x[60] = c.pcLo;
  c.x[61] = c.pcHi;
}

export const rows: Row[] = [
  // B label
  row('B', '0 00101 imm26:26', (c, f) => c.branchRel(((f.imm26 << 6) >> 6) * 4)),
  // BL label
  row('BL', '1 00101 imm26:26', (c, f) => {
    link(c);
    c.branchRel(((f.imm26 << 6) >> 6) * 4);
  }),
  // B.cond label
  row('B_cond', '0101010 0 imm19:19 0 cond:4', (c, f) => {
    if (condHolds(c, f.cond)) c.branchRel(((f.imm19 << 13) >> 13) * 4);
  }),
  // CBZ / CBNZ Rt, label
  row('CBZ', 'sf:1 011010 op:1 imm19:19 rt:5', (c, f) => {
    const s = rz(f.rt) * 2;
    const zero = f.sf ? (c.x[s]! | c.x[s + 1]!) === 0 : c.x[s] === 0;
    if (zero !== (f.op === 1)) c.branchRel(((f.imm19 << 13) >> 13) * 4);
  }),
  // TBZ / TBNZ Rt, #bit, label
  row('TBZ', 'b5:1 011011 op:1 b40:5 imm14:14 rt:5', (c, f) => {
    const s = rz(f.rt) * 2;
    const bit = f.b5 ? (c.x[s + 1]! >>> f.b40) & 1 : (c.x[s]! >>> f.b40) & 1;
    if (bit === f.op) c.branchRel(((f.imm14 << 18) >> 18) * 4);
  }),
  // BR Xn
  row('BR', '1101011 0000 11111 000000 rn:5 00000', (c, f) => {
    const s = rz(f.rn) * 2;
    c.branchTo(c.x[s]!, c.x[s + 1]!);
  }),
  // BLR Xn
  row('BLR', '1101011 0001 11111 000000 rn:5 00000', (c, f) => {
    const s = rz(f.rn) * 2;
    const lo = c.x[s]!;
    const hi = c.x[s + 1]!;
    link(c);
    c.branchTo(lo, hi);
  }),
  // RET {Xn}
  row('RET', '1101011 0010 11111 000000 rn:5 00000', (c, f) => {
    const s = rz(f.rn) * 2;
    c.branchTo(c.x[s]!, c.x[s + 1]!);
  }),
  // ERET
  row('ERET', '1101011 0100 11111 000000 11111 00000', (c) => {
    if (c.el === 0) c.undef();
    c.eret();
  }),
];
