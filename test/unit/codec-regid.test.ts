/**
 * arm64 register ids: decode(encode(x)) = x over the whole field space of every id kind, malformed ids rejected
 * with the bad field named, name round trips, and the examples from the issue and the api doc.
 */
import fc from 'fast-check';
import {
  ARM64_CORE_FIELDS, FIRMWARE_BITMAP_REGS, FIRMWARE_REGS, KVM_REG_ARM64_SVE_VLS, KVM_TIMER_IDS, RegIdError, SYSREG_ROWS,
  arm64CoreId, arm64SysregId, arm64SysregIdByName, armCoreId, armCp15Id, armCp15Id64, armVfpControlId, armVfpDId,
  ccsidrId, decodeRegId, firmwareBitmapId, firmwareId, formatRegId, parseRegName, regId, regName, sveFfrId, svePId,
  sveZId, type DecodedRegId,
} from '../../lib/codec';

/** Rebuilds an id from its decoded fields with the codec's constructors (the inverse of decodeRegId). */
function reencode(d: DecodedRegId): bigint {
  switch (d.kind) {
    case 'core':
      return d.arch === 'arm64' ? arm64CoreId(d.name as string) : armCoreId(d.name as string);
    case 'sysreg':
      return arm64SysregId(d.encoding.op0, d.encoding.op1, d.encoding.crn, d.encoding.crm, d.encoding.op2);
    case 'demux':
      return ccsidrId(d.csselr, d.arch);
    case 'firmware':
      return firmwareId(d.index, d.arch);
    case 'firmware-bitmap':
      return firmwareBitmapId(d.index);
    case 'sve':
      return d.sve === 'z' ? sveZId(d.n, d.slice) : d.sve === 'p' ? svePId(d.n, d.slice) : d.sve === 'ffr' ? sveFfrId(d.slice) : KVM_REG_ARM64_SVE_VLS;
    case 'cp': {
      if (d.coproc === 15) return d.is64 ? armCp15Id64(d.crm, d.opc1) : armCp15Id(d.crn, d.crm, d.opc1, d.opc2);
      // cp14 has no constructor: build it from the same layout
      const low = d.is64 ? (d.crm << 7) | (d.opc1 << 3) : (d.crn << 11) | (d.crm << 7) | (d.opc1 << 3) | d.opc2;
      return 0x4000000000000000n | (d.is64 ? 0x0030000000000000n : 0x0020000000000000n) | (14n << 16n) | BigInt(low);
    }
    case 'vfp':
      return d.regno < 32 ? armVfpDId(d.regno) : 0x4020000000120000n | BigInt(d.regno);
  }
}

describe('arm64 core registers', () => {
  it("the api doc's PC id: '0x6030 0000 0010 0040 PC 64 regs.pc'", () => {
    // Documentation/virt/kvm/api.rst, arm64 core/FP-SIMD register table
    expect(arm64CoreId('pc')).toBe(BigInt('0x6030' + '0000' + '0010' + '0040'));
    expect(decodeRegId(0x6030000000100040n)).toMatchObject({ arch: 'arm64', kind: 'core', name: 'pc', bytes: 8, index: 0x40 });
    expect(regName(0x6030000000100040n)).toBe('pc');
  });

  it.each(ARM64_CORE_FIELDS.map((f) => [f.name, f] as const))('%s: decode(encode) and the kvm_regs layout', (name, f) => {
    const id = arm64CoreId(name);
    const d = decodeRegId(id);
    expect(d).toMatchObject({ kind: 'core', arch: 'arm64', name, index: f.offset / 4, bytes: f.bytes });
    expect(parseRegName(name)).toBe(id);
    expect(parseRegName(name.toUpperCase())).toBe(id);
    expect(formatRegId(id)).toBe(`arm64 core ${name} u${f.bytes * 8}`);
  });

  it('every index that does not start a kvm_regs field is rejected as a bad core index', () => {
    const starts = new Set(ARM64_CORE_FIELDS.map((f) => f.offset / 4));
    let rejected = 0;
    for (let i = 0; i < 0x200; i++) {
      if (starts.has(i)) continue;
      const id = 0x6030000000100000n | BigInt(i);
      expect(() => decodeRegId(id)).toThrow(RegIdError);
      try {
        decodeRegId(id);
      } catch (e) {
        expect((e as RegIdError).field).toBe('core index');
      }
      rejected++;
    }
    expect(rejected).toBe(0x200 - ARM64_CORE_FIELDS.length);
  });

  it('a core id with the wrong size is rejected naming the size', () => {
    // pc as u32, v0 as u64, fpsr as u64
    for (const id of [0x6020000000100040n, 0x6030000000100054n, 0x60300000001000d4n]) {
      expect(() => decodeRegId(id)).toThrow(expect.objectContaining({ field: 'size' }));
    }
  });

  it('aliases', () => {
    expect(parseRegName('lr')).toBe(arm64CoreId('x30'));
    expect(parseRegName('fp')).toBe(arm64CoreId('x29'));
    expect(parseRegName('spsr[3]')).toBe(arm64CoreId('spsr_irq'));
    expect(parseRegName('cpsr')).toBe(arm64CoreId('pstate'));
    expect(() => arm64CoreId('x31')).toThrow(RangeError);
    expect(() => arm64CoreId('xzr')).toThrow(/name: 'xzr'/);
  });
});

describe('arm64 system registers', () => {
  it('SCTLR_EL1 is 0x603000000013c080', () => {
    expect(parseRegName('SCTLR_EL1')).toBe(0x603000000013c080n);
    expect(arm64SysregIdByName('sctlr_el1')).toBe(0x603000000013c080n);
    expect(decodeRegId(0x603000000013c080n)).toMatchObject({ kind: 'sysreg', name: 'SCTLR_EL1', encoding: { op0: 3, op1: 0, crn: 1, crm: 0, op2: 0 } });
    expect(formatRegId(0x603000000013c080n)).toBe('arm64 sysreg SCTLR_EL1 (3,0,1,0,0) u64');
  });

  it('decode(encode) over the whole (op0, op1, CRn, CRm, op2) space: all 65536 encodings', () => {
    let n = 0;
    for (let op0 = 0; op0 < 4; op0++)
      for (let op1 = 0; op1 < 8; op1++)
        for (let crn = 0; crn < 16; crn++)
          for (let crm = 0; crm < 16; crm++)
            for (let op2 = 0; op2 < 8; op2++) {
              const id = arm64SysregId(op0, op1, crn, crm, op2);
              const d = decodeRegId(id);
              if (d.kind !== 'sysreg') throw new Error(`not a sysreg: ${id}`);
              const e = d.encoding;
              if (e.op0 !== op0 || e.op1 !== op1 || e.crn !== crn || e.crm !== crm || e.op2 !== op2) throw new Error(`bad round trip (${op0},${op1},${crn},${crm},${op2})`);
              if (reencode(d) !== id) throw new Error(`reencode ${id}`);
              // the generic name always parses back to the same id
              if (parseRegName(`S${op0}_${op1}_C${crn}_C${crm}_${op2}`) !== id) throw new Error(`generic name (${op0},${op1},${crn},${crm},${op2})`);
              n++;
            }
    expect(n).toBe(65536);
  });

  /** System registers that KVM exposes as core registers: parseRegName gives the core id. */
  const CORE_VIEW: Record<string, string> = {
    SPSR_EL1: 'spsr_el1', ELR_EL1: 'elr_el1', SP_EL1: 'sp_el1', SP_EL0: 'sp', FPSR: 'fpsr', FPCR: 'fpcr',
    SPSR_ABT: 'spsr_abt', SPSR_UND: 'spsr_und', SPSR_IRQ: 'spsr_irq', SPSR_FIQ: 'spsr_fiq',
  };

  it('every named system register: parseRegName(name) and the decoded name round-trip', () => {
    const timerEncodings = new Set(Object.values(KVM_TIMER_IDS).map((t) => arm64SysregId(t.enc.op0, t.enc.op1, t.enc.crn, t.enc.crm, t.enc.op2)));
    for (const [name, op0, op1, crn, crm, op2, alt] of SYSREG_ROWS) {
      const id = arm64SysregId(op0, op1, crn, crm, op2);
      const d = decodeRegId(id);
      if (timerEncodings.has(id)) continue; // checked below: the name decoded there is KVM's
      expect(d.name).toBe(name);
      expect([name, arm64SysregIdByName(name)]).toEqual([name, id]);
      const parsed = parseRegName(name);
      if (CORE_VIEW[name] !== undefined) {
        // KVM exposes these through struct kvm_regs, so the name means the core register
        expect([name, parsed]).toEqual([name, arm64CoreId(CORE_VIEW[name] as string)]);
      } else {
        expect([name, parsed]).toEqual([name, id]);
      }
      if (alt !== undefined) expect(parseRegName(alt)).toBe(id);
    }
  });

  it('pins the kernel\'s swapped TIMER_CNT / TIMER_CVAL encodings', () => {
    // asm/kvm.h: KVM_REG_ARM_TIMER_CVAL ARM64_SYS_REG(3, 3, 14, 0, 2); KVM_REG_ARM_TIMER_CNT ARM64_SYS_REG(3, 3, 14, 3, 2)
    expect(arm64SysregIdByName('KVM_REG_ARM_TIMER_CNT')).toBe(0x603000000013df1an);
    expect(arm64SysregIdByName('KVM_REG_ARM_TIMER_CVAL')).toBe(0x603000000013df02n);
    expect(arm64SysregIdByName('KVM_REG_ARM_TIMER_CTL')).toBe(0x603000000013df19n);
    // asking by the architectural name gives the id that accesses that register through ONE_REG
    expect(parseRegName('CNTVCT_EL0')).toBe(0x603000000013df1an);
    expect(parseRegName('CNTV_CVAL_EL0')).toBe(0x603000000013df02n);
    expect(decodeRegId(0x603000000013df1an)).toMatchObject({ name: 'KVM_REG_ARM_TIMER_CNT', holds: 'CNTVCT_EL0', encoding: { op0: 3, op1: 3, crn: 14, crm: 3, op2: 2 } });
    expect(decodeRegId(0x603000000013df02n)).toMatchObject({ name: 'KVM_REG_ARM_TIMER_CVAL', holds: 'CNTV_CVAL_EL0', encoding: { crm: 0, op2: 2 } });
    expect(formatRegId(0x603000000013df1an)).toBe('arm64 sysreg KVM_REG_ARM_TIMER_CNT (3,3,14,3,2) u64 [holds CNTVCT_EL0]');
    for (const name of Object.keys(KVM_TIMER_IDS)) expect(regName(parseRegName(name))).toBe(name);
  });

  it('bad fields and sizes', () => {
    expect(() => arm64SysregId(4, 0, 0, 0, 0)).toThrow(/op0/);
    expect(() => arm64SysregId(0, 8, 0, 0, 0)).toThrow(/op1/);
    expect(() => arm64SysregId(0, 0, 16, 0, 0)).toThrow(/crn/);
    expect(() => arm64SysregId(0, 0, 0, -1, 0)).toThrow(/crm/);
    expect(() => arm64SysregId(0, 0, 0, 0, 1.5)).toThrow(/op2/);
    expect(() => decodeRegId(0x602000000013c080n)).toThrow(expect.objectContaining({ field: 'size' }));
    expect(() => parseRegName('NOT_A_REG_EL1')).toThrow(/name: 'NOT_A_REG_EL1'/);
    expect(() => parseRegName('S3_0_C16_C0_0')).toThrow(RangeError);
  });
});

describe('demux, firmware, firmware bitmap and SVE ids', () => {
  it('CCSIDR demux: every CSSELR value, both architectures', () => {
    for (const arch of ['arm64', 'arm'] as const) {
      for (let csselr = 0; csselr < 256; csselr++) {
        const id = ccsidrId(csselr, arch);
        const d = decodeRegId(id);
        expect(d.kind === 'demux' && d.csselr === csselr && d.arch === arch && d.bytes === 4).toBe(true);
        expect(reencode(d)).toBe(id);
        expect(parseRegName(`ccsidr:${csselr}`, arch)).toBe(id);
      }
    }
    expect(ccsidrId(0)).toBe(0x6020000000110000n);
    expect(() => decodeRegId(0x6020000000110100n)).toThrow(expect.objectContaining({ field: 'demux id' }));
    expect(() => ccsidrId(256)).toThrow(/csselr/);
  });

  it('firmware and firmware-bitmap ids: every index', () => {
    for (let i = 0; i <= 0xffff; i++) {
      const fw = firmwareId(i);
      const d = decodeRegId(fw);
      if (d.kind !== 'firmware' || d.index !== i || reencode(d) !== fw) throw new Error(`fw ${i}`);
      const bm = firmwareBitmapId(i);
      const e = decodeRegId(bm);
      if (e.kind !== 'firmware-bitmap' || e.index !== i || reencode(e) !== bm) throw new Error(`bmap ${i}`);
      const a = firmwareId(i, 'arm');
      const f = decodeRegId(a);
      if (f.kind !== 'firmware' || f.arch !== 'arm' || reencode(f) !== a) throw new Error(`arm fw ${i}`);
    }
    FIRMWARE_REGS.forEach((n, i) => {
      expect(parseRegName(n)).toBe(firmwareId(i));
      expect(parseRegName(`KVM_REG_ARM_${n}`)).toBe(firmwareId(i));
      expect(regName(firmwareId(i))).toBe(`KVM_REG_ARM_${n}`);
    });
    FIRMWARE_BITMAP_REGS.forEach((n, i) => {
      expect(parseRegName(n)).toBe(firmwareBitmapId(i));
      expect(regName(firmwareBitmapId(i))).toBe(`KVM_REG_ARM_${n}`);
    });
    expect(parseRegName('PSCI_VERSION')).toBe(0x6030000000140000n);
  });

  it('SVE Z, P, FFR slices and VLS: every n and slice', () => {
    for (let slice = 0; slice < 32; slice++) {
      for (let n = 0; n < 32; n++) {
        const z = sveZId(n, slice);
        expect(decodeRegId(z)).toMatchObject({ kind: 'sve', sve: 'z', n, slice, bytes: 256 });
        expect(reencode(decodeRegId(z))).toBe(z);
        expect(parseRegName(slice ? `z${n}[${slice}]` : `z${n}`)).toBe(z);
        if (n < 16) {
          const p = svePId(n, slice);
          expect(decodeRegId(p)).toMatchObject({ kind: 'sve', sve: 'p', n, slice, bytes: 32 });
          expect(parseRegName(regName(p))).toBe(p);
        }
      }
      const f = sveFfrId(slice);
      expect(decodeRegId(f)).toMatchObject({ kind: 'sve', sve: 'ffr', slice, bytes: 32 });
      expect(parseRegName(regName(f))).toBe(f);
    }
    expect(decodeRegId(KVM_REG_ARM64_SVE_VLS)).toMatchObject({ kind: 'sve', sve: 'vls', bytes: 64 });
    expect(parseRegName('vls')).toBe(KVM_REG_ARM64_SVE_VLS);
    expect(() => sveZId(32)).toThrow(/n:/);
    expect(() => svePId(16)).toThrow(/n:/);
    expect(() => sveFfrId(32)).toThrow(/slice/);
    // P block with bit 9 set, FFR with an n field, a hole between blocks
    for (const low of [0x600n + 0x20n, 0x800n, 0xfffen]) {
      expect(() => decodeRegId(0x6050000000150000n | low)).toThrow(expect.objectContaining({ field: 'SVE register field' }));
    }
  });
});

describe('malformed ids', () => {
  const fieldOf = (id: bigint): string => {
    try {
      decodeRegId(id);
    } catch (e) {
      expect(e).toBeInstanceOf(RegIdError);
      expect(e).toBeInstanceOf(RangeError);
      expect((e as RegIdError).name).toBe('RegIdError');
      expect((e as RegIdError).message).toContain(`bad ${(e as RegIdError).field}`);
      return (e as RegIdError).field;
    }
    return 'accepted';
  };

  it('names the bad field', () => {
    expect(fieldOf(0x5030000000100040n)).toBe('architecture');
    expect(fieldOf(0x0000000000000000n)).toBe('architecture');
    expect(fieldOf(0x6090000000100040n)).toBe('size');
    expect(fieldOf(0x60f0000000100040n)).toBe('size');
    expect(fieldOf(0x6030000000170000n)).toBe('coprocessor group');
    expect(fieldOf(0x6030000000120000n)).toBe('coprocessor group'); // VFP is 32-bit ARM only
    expect(fieldOf(0x6030000010100040n)).toBe('reserved bits');
    expect(fieldOf(0x6038000000100040n)).toBe('reserved bits');
    expect(fieldOf(0x60300000001000d8n)).toBe('core index'); // 216: past struct kvm_regs
    expect(fieldOf(0x6030000000100001n)).toBe('core index'); // upper half of x0
    expect(fieldOf(0x6030000000100052n)).toBe('core index'); // the padding after spsr[]
  });

  it('rejects non-u64 input as a bad argument', () => {
    expect(() => decodeRegId(-1n)).toThrow(RangeError);
    expect(() => decodeRegId(1n << 64n)).toThrow(RangeError);
    expect(() => decodeRegId('pc')).toThrow(TypeError);
    expect(() => decodeRegId(2 ** 60)).toThrow(/safe integer/);
    expect(() => regId(0x5030000000100040n)).toThrow(RegIdError);
  });

  it('property: any id either decodes and re-encodes to itself, or is rejected naming a field', () => {
    const fields = new Set(['architecture', 'size', 'coprocessor group', 'reserved bits', 'core index', 'demux id', 'SVE register field', 'VFP register number']);
    const arb = fc
      .record({
        arch: fc.oneof(fc.constantFrom(0x40n, 0x60n), fc.bigInt({ min: 0n, max: 0xffn })),
        size: fc.bigInt({ min: 0n, max: 15n }),
        reserved: fc.oneof({ weight: 4, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }) }),
        group: fc.oneof(fc.constantFrom(0x10n, 0x11n, 0x12n, 0x13n, 0x14n, 0x15n, 0x16n, 14n, 15n), fc.bigInt({ min: 0n, max: 0xfffn })),
        low: fc.oneof(fc.bigInt({ min: 0n, max: 0x3ffn }), fc.bigInt({ min: 0n, max: 0xffffn })),
      })
      .map(({ arch, size, reserved, group, low }) => (arch << 56n) | (size << 52n) | (reserved << 28n) | (group << 16n) | low);
    fc.assert(
      fc.property(arb, (id) => {
        const f = fieldOf(id);
        if (f === 'accepted') return reencode(decodeRegId(id)) === id && decodeRegId(id).id === id;
        return fields.has(f);
      }),
      { numRuns: 5000 },
    );
  });

  it('property: every accepted id formats and, when named, parses back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffn }), fc.constantFrom(0x6030000000130000n, 0x6030000000140000n, 0x6030000000160000n, 0x6020000000110000n), (low, base) => {
        const id = base | low;
        let d: DecodedRegId;
        try {
          d = decodeRegId(id);
        } catch {
          return true;
        }
        expect(formatRegId(id)).toMatch(/^arm64 /);
        if (d.name !== undefined && d.kind !== 'demux') expect(parseRegName(d.name)).toBe(id);
        return true;
      }),
    );
  });
});
