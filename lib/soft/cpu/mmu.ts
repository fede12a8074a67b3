/**
 * Stage-1 translation for the EL1&0 regime (ARMv8.0, VMSAv8-64): TTBR0/TTBR1 by VA[55], TxSZ, 4 KiB / 16 KiB /
 * 64 KiB granules, start level from TxSZ, table/block/page descriptors, hierarchical APTable/UXNTable/
 * PXNTable, AP, UXN/PXN, WXN, the implicit PXN of EL0-writable pages, AF (no hardware update: v8.0), MAIR
 * attributes (Device vs Normal), EPD0/1, TBI0/1, 44-bit PA range (cortex-a57). Descriptors are read from RAM
 * through the PhysBus; a walk outside RAM is a synchronous external abort on the walk.
 *
 * Fault status codes (DFSC/IFSC) are returned with the level: 0b0000LL address size, 0b0001LL translation,
 * 0b0010LL access flag, 0b0011LL permission, 0b0101LL external abort on walk.
 */

import type { Core } from './core';

export const P_R0 = 1;
export const P_W0 = 2;
export const P_X0 = 4;
export const P_R1 = 8;
export const P_W1 = 16;
export const P_X1 = 32;

export interface WalkResult {
  /** -1 success, else the FSC (with the level in bits [1:0]) */
  fault: number;
  level: number;
  /** PA of the 4 KiB page containing the VA */
  pa: number;
  perm: number;
  device: boolean;
  /** log2 of the size of the translation (page or block) that maps the VA; 12 with the MMU off */
  size: number;
}

const TWO32 = 4294967296;
/** cortex-a57: ID_AA64MMFR0_EL1.PARange = 4 → 44 bits */
export const PA_BITS = 44;

function pow2(n: number): number {
  return 2 ** n;
}

export function walk(c: Core, lo: number, hi: number, kind: number, el: number, w: WalkResult): void {
  const s = c.sys;
  w.fault = -1;
  w.level = 0;
  w.device = false;
  if (!s.mmuOn) {
    // Flat: PA = VA. Data: Device-nGnRnE; instruction fetch: Normal. VA beyond the PA range: address size fault.
    if (hi >>> (PA_BITS - 32) !== 0) {
      w.fault = 0x00;
      return;
    }
    w.pa = hi * TWO32 + ((lo & 0xfffff000) >>> 0);
    w.perm = P_R0 | P_W0 | P_X0 | P_R1 | P_W1 | P_X1;
    w.device = kind !== 2;
    w.size = 12;
    return;
  }
  const tcrLo = s.tcrLo;
  const tcrHi = s.tcrHi;
  const upper = (hi >>> 23) & 1; // VA[55]
  let tsz: number;
  let epd: number;
  let tbi: number;
  let gbits: number;
  let baseLo: number;
  let baseHi: number;
  if (upper === 0) {
    tsz = tcrLo & 0x3f;
    epd = (tcrLo >>> 7) & 1;
    tbi = (tcrHi >>> 5) & 1; // TCR[37]
    const tg = (tcrLo >>> 14) & 3;
    gbits = tg === 1 ? 16 : tg === 2 ? 14 : 12;
    baseLo = s.ttbr0Lo;
    baseHi = s.ttbr0Hi;
  } else {
    tsz = (tcrLo >>> 16) & 0x3f;
    epd = (tcrLo >>> 23) & 1;
    tbi = (tcrHi >>> 6) & 1; // TCR[38]
    const tg = (tcrLo >>> 30) & 3;
    gbits = tg === 1 ? 14 : tg === 3 ? 16 : 12;
    baseLo = s.ttbr1Lo;
    baseHi = s.ttbr1Hi;
  }
  if (tsz < 16) tsz = 16;
  if (tsz > 39) tsz = 39;
  const inputsize = 64 - tsz;
  // bits [top:inputsize] must all equal VA[55]
  const topBit = tbi ? 55 : 63;
  const want = upper ? 0xffffffff : 0;
  // high word part: bits [topBit-32 : max(inputsize,32)-32]
  {
    const from = Math.max(inputsize, 32) - 32;
    const width = topBit - 32 - from + 1;
    const m = width >= 32 ? 0xffffffff : ((pow2(width) - 1) * pow2(from)) >>> 0;
    if (((hi ^ want) & m) >>> 0 !== 0) {
      w.fault = 0x04;
      return;
    }
    if (inputsize < 32) {
      const ml = (0xffffffff - (pow2(inputsize) - 1)) >>> 0;
      if (((lo ^ want) & ml) >>> 0 !== 0) {
        w.fault = 0x04;
        return;
      }
    }
  }
  if (epd) {
    w.fault = 0x04;
    return;
  }
  const stride = gbits - 3;
  const levels = Math.ceil((inputsize - gbits) / stride);
  let level = 4 - levels;
  // table base: TTBR BADDR[47:1], aligned to 8 bytes at least
  if ((baseHi & 0xffff) >>> (PA_BITS - 32) !== 0) {
    w.fault = 0x00 | level;
    w.level = level;
    return;
  }
  let base = (baseHi & 0xffff) * TWO32 + ((baseLo & 0xfffffff8) >>> 0);
  const va48 = (hi & 0xffff) * TWO32 + (lo >>> 0);
  let apTable = 0;
  let uxnTable = 0;
  let pxnTable = 0;
  for (;;) {
    const lsb = gbits + (3 - level) * stride;
    const width = level === 4 - levels ? inputsize - lsb : stride;
    const idx = Math.floor(va48 / pow2(lsb)) % pow2(width);
    if (level === 4 - levels) {
      // the start table is aligned to its size
      const tsize = pow2(width + 3);
      base = base - (base % tsize);
    }
    const dpa = base + idx * 8;
    w.level = level;
    if (!c.readPhys64(dpa)) {
      w.fault = 0x14 | level;
      return;
    }
    const dlo = c.mlo;
    const dhi = c.mhi;
    if ((dlo & 1) === 0) {
      w.fault = 0x04 | level;
      return;
    }
    if ((dlo & 2) !== 0 && level < 3) {
      // table descriptor
      if ((dhi & 0xffff) >>> (PA_BITS - 32) !== 0) {
        w.fault = 0x00 | level;
        return;
      }
      apTable |= (dhi >>> 29) & 3;
      uxnTable |= (dhi >>> 28) & 1;
      pxnTable |= (dhi >>> 27) & 1;
      const gmask = pow2(gbits) - 1;
      base = (dhi & 0xffff) * TWO32 + (((dlo >>> 0) - ((dlo >>> 0) & gmask)) >>> 0);
      level++;
      continue;
    }
    if ((dlo & 2) === 0) {
      // block: allowed at level 1 and 2 for 4K, level 2 for 16K/64K
      const ok = gbits === 12 ? level === 1 || level === 2 : level === 2;
      if (!ok) {
        w.fault = 0x04 | level;
        return;
      }
    }
    // leaf (block or page)
    if ((dhi & 0xffff) >>> (PA_BITS - 32) !== 0) {
      w.fault = 0x00 | level;
      return;
    }
    if (((dlo >>> 10) & 1) === 0) {
      w.fault = 0x08 | level;
      return;
    }
    const out = (dhi & 0xffff) * TWO32 + (dlo >>> 0);
    const size = pow2(lsb);
    const oa = out - (out % size) + (va48 % size);
    w.pa = oa - (oa % 4096);
    // attributes
    const attrIdx = (dlo >>> 2) & 7;
    const attr = attrIdx < 4 ? (s.mairLo >>> (attrIdx * 8)) & 0xff : (s.mairHi >>> ((attrIdx - 4) * 8)) & 0xff;
    w.device = (attr & 0xf0) === 0;
    // permissions
    let ap = (dlo >>> 6) & 3; // AP[2:1]
    if (apTable & 1) ap &= ~1; // no EL0 access
    if (apTable & 2) ap |= 2; // read-only
    const el0r = (ap & 1) !== 0;
    const wr = (ap & 2) === 0;
    const el0w = el0r && wr;
    let perm = P_R1;
    if (wr) perm |= P_W1;
    if (el0r) perm |= P_R0;
    if (el0w) perm |= P_W0;
    const uxn = ((dhi >>> 22) & 1) | uxnTable;
    const pxn = ((dhi >>> 21) & 1) | pxnTable;
    const wxn = s.wxn && wr;
    if (!uxn && !wxn) perm |= P_X0;
    if (!pxn && !wxn && !el0w) perm |= P_X1;
    w.perm = perm;
    w.size = lsb;
    void el;
    void kind;
    return;
  }
}
