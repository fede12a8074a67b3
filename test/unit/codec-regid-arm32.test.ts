/**
 * 32-bit ARM register ids. The arch/arm uapi headers are gone since Linux 5.7, so these are checked against the
 * bit patterns of the api.txt seed (/work/shared/seeds, KVM_SET_ONE_REG), with the prefixes corrected:
 *
 *   core          0x4020 0000 0010 <index into the kvm_regs struct:16>
 *   CP15 32-bit   0x4020 0000 000F <zero:1> <crn:4> <crm:4> <opc1:4> <opc2:3>
 *   CP15 64-bit   0x4030 0000 000F <zero:1> <zero:4> <crm:4> <opc1:4> <zero:3>
 *   CCSIDR        0x4020 0000 0011 00 <csselr:8>
 *   VFP D reg     0x4030 0000 0012 0 <regno:12>
 *   VFP control   0x4020 0000 0012 1 <regno:12>
 *
 * The seed prints 0x4002 / 0x4003: those are rejected with a hint naming the id probably meant.
 */
import fc from 'fast-check';
import {
  ARM32_CORE_REGS, ARM_CP15_NAMES, ARM_VFP_CONTROL, KVM_REG_ARM_32_CRN_MASK, KVM_REG_ARM_32_CRN_SHIFT, KVM_REG_ARM_32_OPC2_MASK,
  KVM_REG_ARM_CRM_MASK, KVM_REG_ARM_CRM_SHIFT, KVM_REG_ARM_OPC1_MASK, KVM_REG_ARM_OPC1_SHIFT, KVM_REG_ARM_VFP,
  KVM_REG_ARM_VFP_FPEXC, KVM_REG_ARM_VFP_FPINST, KVM_REG_ARM_VFP_FPINST2, KVM_REG_ARM_VFP_FPSCR, KVM_REG_ARM_VFP_FPSID,
  KVM_REG_ARM_VFP_MVFR0, KVM_REG_ARM_VFP_MVFR1, KVM_REG_ARM_VFP_MASK, KVM_REG_ARM_VFP_BASE_REG, RegIdError,
  armCoreId, armCp15Id, armCp15Id64, armVfpControlId, armVfpDId, ccsidrId, decodeRegId, formatRegId, parseRegName, regName,
} from '../../lib/codec';

/** Builds an id from the seed's pattern text: hex digits and <name:bits> fields, most significant first. */
function fromPattern(pattern: string, fields: Record<string, number>): bigint {
  let v = 0n;
  let bits = 0;
  for (const tok of pattern.trim().split(/\s+/)) {
    const f = /^<(\w+):(\d+)>$/.exec(tok);
    if (f) {
      const name = f[1] as string;
      const width = Number(f[2]);
      const val = name === 'zero' ? 0 : fields[name];
      if (val === undefined) throw new Error(`no value for ${name}`);
      if (val >= 2 ** width) throw new Error(`${name} does not fit ${width} bits`);
      v = (v << BigInt(width)) | BigInt(val);
      bits += width;
    } else {
      v = (v << BigInt(tok.length * 4)) | BigInt(`0x${tok}`);
      bits += tok.length * 4;
    }
  }
  if (bits !== 64) throw new Error(`pattern '${pattern}' has ${bits} bits`);
  return v;
}

const CORE = '4020 0000 0010 <index:16>';
const CP15_32 = '4020 0000 000F <zero:1> <crn:4> <crm:4> <opc1:4> <opc2:3>';
const CP15_64 = '4030 0000 000F <zero:1> <zero:4> <crm:4> <opc1:4> <zero:3>';
const CCSIDR = '4020 0000 0011 00 <csselr:8>';
const VFP_D = '4030 0000 0012 0 <regno:12>';
const VFP_CTRL = '4020 0000 0012 1 <regno:12>';

describe('32-bit ARM ids against the api.txt bit patterns', () => {
  it('core registers: every index of the 32-bit struct kvm_regs', () => {
    expect(ARM32_CORE_REGS).toHaveLength(38); // uregs[18] + svc/abt/und/irq 3 each + fiq 8
    ARM32_CORE_REGS.forEach((name, index) => {
      const id = fromPattern(CORE, { index });
      expect(armCoreId(name)).toBe(id);
      expect(decodeRegId(id)).toMatchObject({ arch: 'arm', kind: 'core', index, name, bytes: 4 });
      expect(parseRegName(name, 'arm')).toBe(id);
    });
    expect(armCoreId('pc')).toBe(0x402000000010000fn);
    expect(parseRegName('r15', 'arm')).toBe(armCoreId('pc'));
    expect(parseRegName('sp', 'arm')).toBe(armCoreId('sp_usr'));
    expect(() => decodeRegId(fromPattern(CORE, { index: 38 }))).toThrow(expect.objectContaining({ field: 'core index' }));
  });

  it('0x40200000000f0800 is CP15 c1/c0/0/0 SCTLR', () => {
    expect(fromPattern(CP15_32, { crn: 1, crm: 0, opc1: 0, opc2: 0 })).toBe(0x40200000000f0800n);
    expect(decodeRegId(0x40200000000f0800n)).toMatchObject({ arch: 'arm', kind: 'cp', coproc: 15, crn: 1, crm: 0, opc1: 0, opc2: 0, is64: false, name: 'SCTLR', bytes: 4 });
    expect(formatRegId(0x40200000000f0800n)).toBe('arm cp15 SCTLR c1/c0/0/0 u32');
    expect(parseRegName('SCTLR', 'arm')).toBe(0x40200000000f0800n);
    expect(parseRegName('p15:c1/c0/0/0', 'arm')).toBe(0x40200000000f0800n);
  });

  it('CP15 32-bit: the whole (crn, crm, opc1, opc2) space', () => {
    let n = 0;
    for (let crn = 0; crn < 16; crn++)
      for (let crm = 0; crm < 16; crm++)
        for (let opc1 = 0; opc1 < 16; opc1++)
          for (let opc2 = 0; opc2 < 8; opc2++) {
            const id = fromPattern(CP15_32, { crn, crm, opc1, opc2 });
            if (armCp15Id(crn, crm, opc1, opc2) !== id) throw new Error(`encode c${crn}/c${crm}/${opc1}/${opc2}`);
            const d = decodeRegId(id);
            if (d.kind !== 'cp' || d.is64 || d.crn !== crn || d.crm !== crm || d.opc1 !== opc1 || d.opc2 !== opc2) throw new Error(`decode ${id}`);
            if (parseRegName(`p15:c${crn}/c${crm}/${opc1}/${opc2}`, 'arm') !== id) throw new Error(`parse ${id}`);
            n++;
          }
    expect(n).toBe(32768);
    // the codec's field constants describe the same layout
    expect(KVM_REG_ARM_32_CRN_MASK).toBe(0xfn << KVM_REG_ARM_32_CRN_SHIFT);
    expect(KVM_REG_ARM_CRM_MASK).toBe(0xfn << KVM_REG_ARM_CRM_SHIFT);
    expect(KVM_REG_ARM_OPC1_MASK).toBe(0xfn << KVM_REG_ARM_OPC1_SHIFT);
    expect(KVM_REG_ARM_32_OPC2_MASK).toBe(0x7n);
    expect([KVM_REG_ARM_32_CRN_SHIFT, KVM_REG_ARM_CRM_SHIFT, KVM_REG_ARM_OPC1_SHIFT]).toEqual([11n, 7n, 3n]);
  });

  it('CP15 64-bit: every (crm, opc1); nonzero crn/opc2 bits rejected', () => {
    for (let crm = 0; crm < 16; crm++)
      for (let opc1 = 0; opc1 < 16; opc1++) {
        const id = fromPattern(CP15_64, { crm, opc1 });
        expect(armCp15Id64(crm, opc1)).toBe(id);
        expect(decodeRegId(id)).toMatchObject({ kind: 'cp', is64: true, crm, opc1, bytes: 8 });
        expect(parseRegName(`p15:64:c${crm}/${opc1}`, 'arm')).toBe(id);
      }
    expect(parseRegName('TTBR0_64', 'arm')).toBe(fromPattern(CP15_64, { crm: 2, opc1: 0 }));
    expect(parseRegName('TTBR0', 'arm')).toBe(fromPattern(CP15_32, { crn: 2, crm: 0, opc1: 0, opc2: 0 }));
    expect(() => decodeRegId(fromPattern(CP15_64, { crm: 2, opc1: 0 }) | 0x1n)).toThrow(expect.objectContaining({ field: 'reserved bits' }));
    expect(() => decodeRegId(fromPattern(CP15_64, { crm: 2, opc1: 0 }) | 0x800n)).toThrow(expect.objectContaining({ field: 'reserved bits' }));
    expect(() => decodeRegId(fromPattern(CP15_32, { crn: 1, crm: 0, opc1: 0, opc2: 0 }) | 0x8000n)).toThrow(expect.objectContaining({ field: 'reserved bits' }));
  });

  it('every CP15 name in the table round-trips', () => {
    for (const [key, name] of Object.entries(ARM_CP15_NAMES)) {
      const id = key.startsWith('64:') ? parseRegName(`${name}_64`, 'arm') : parseRegName(name, 'arm');
      const d = decodeRegId(id);
      expect(d.name).toBe(name);
      expect(d.kind === 'cp' && (d.is64 ? `64:${d.crm}/${d.opc1}` : `${d.crn}/${d.crm}/${d.opc1}/${d.opc2}`)).toBe(key);
    }
  });

  it('CCSIDR demux: every CSSELR value', () => {
    for (let csselr = 0; csselr < 256; csselr++) {
      const id = fromPattern(CCSIDR, { csselr });
      expect(ccsidrId(csselr, 'arm')).toBe(id);
      expect(decodeRegId(id)).toMatchObject({ arch: 'arm', kind: 'demux', csselr, bytes: 4 });
    }
  });

  it('VFP: d0–d31 and the control registers', () => {
    for (let regno = 0; regno < 32; regno++) {
      const id = fromPattern(VFP_D, { regno });
      expect(armVfpDId(regno)).toBe(id);
      expect(decodeRegId(id)).toMatchObject({ kind: 'vfp', regno, name: `d${regno}`, bytes: 8 });
      expect(parseRegName(`d${regno}`, 'arm')).toBe(id);
    }
    expect(() => armVfpDId(32)).toThrow(RangeError);
    expect(() => decodeRegId(fromPattern(VFP_D, { regno: 32 }))).toThrow(expect.objectContaining({ field: 'VFP register number' }));
    const ctrl: Record<string, bigint> = {
      FPSID: KVM_REG_ARM_VFP_FPSID, FPSCR: KVM_REG_ARM_VFP_FPSCR, MVFR1: KVM_REG_ARM_VFP_MVFR1, MVFR0: KVM_REG_ARM_VFP_MVFR0,
      FPEXC: KVM_REG_ARM_VFP_FPEXC, FPINST: KVM_REG_ARM_VFP_FPINST, FPINST2: KVM_REG_ARM_VFP_FPINST2,
    };
    expect(Object.keys(ARM_VFP_CONTROL).sort()).toEqual(Object.keys(ctrl).sort());
    for (const [name, regnoWithFlag] of Object.entries(ctrl)) {
      // the control-register flag is the top nibble's 1 in "0012 1 <regno:12>"
      const id = fromPattern(VFP_CTRL, { regno: Number(regnoWithFlag & 0xfffn) });
      expect(armVfpControlId(name)).toBe(id);
      expect(regName(id)).toBe(name);
      expect(parseRegName(name.toLowerCase(), 'arm')).toBe(id);
      expect(id & KVM_REG_ARM_VFP_MASK).toBe(regnoWithFlag);
    }
    expect(KVM_REG_ARM_VFP).toBe(0x12n << 16n);
    expect(KVM_REG_ARM_VFP_BASE_REG).toBe(0n);
    // a VFP control register named as a u64 is the wrong size
    expect(() => decodeRegId(fromPattern(VFP_CTRL, { regno: 1 }) | 0x0010000000000000n)).toThrow(expect.objectContaining({ field: 'size' }));
  });
});

describe("the seed's misprinted 0x4002 / 0x4003 prefixes", () => {
  const hint = (id: bigint): RegIdError => {
    try {
      decodeRegId(id);
    } catch (e) {
      return e as RegIdError;
    }
    throw new Error(`accepted ${id.toString(16)}`);
  };

  it('0x4002… (u32 kinds) is rejected with the 0x4020… id as the hint', () => {
    const seedSctlr = 0x40020000000f0800n; // what the seed's "0x4002 0000 000F ..." gives for SCTLR
    const e = hint(seedSctlr);
    expect(e).toBeInstanceOf(RegIdError);
    expect(e.field).toBe('reserved bits');
    expect(e.probablyMeant).toBe(0x40200000000f0800n);
    expect(e.message).toContain('did you mean 0x40200000000f0800?');
    expect(hint(0x400200000010000fn).probablyMeant).toBe(armCoreId('pc'));
    expect(hint(0x4002000000121001n).probablyMeant).toBe(armVfpControlId('FPSCR'));
  });

  it('0x4003… (u64 kinds) is rejected with the 0x4030… id as the hint', () => {
    const e = hint(0x40030000000f0100n); // TTBR0 64-bit as the seed prints it
    expect(e.probablyMeant).toBe(armCp15Id64(2, 0));
    expect(hint(0x4003000000120005n).probablyMeant).toBe(armVfpDId(5));
  });

  it('property: every seed-style id hints at exactly the corrected pattern', () => {
    fc.assert(
      fc.property(fc.constantFrom(2n, 3n), fc.constantFrom(0x0fn, 0x10n, 0x11n, 0x12n), fc.bigInt({ min: 0n, max: 0xffffn }), (nib, group, low) => {
        const seed = 0x4000000000000000n | (nib << 48n) | (group << 16n) | low;
        const e = hint(seed);
        return e.field === 'reserved bits' && e.probablyMeant === (0x4000000000000000n | (nib << 52n) | (group << 16n) | low);
      }),
    );
  });
});
