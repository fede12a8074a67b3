/**
 * The codec's tables against the golden file test/fixtures/kvm-abi-golden.txt, which scripts/golden/generate.js
 * produced from the real arm64 uapi headers (linux-libc-dev-arm64-cross). Runs anywhere: no headers needed.
 *
 * Checked in both directions:
 *  - every value the codec exports (constants, tables, struct sizes, OFFSETS, id constructors) equals the golden
 *    value under its header name;
 *  - every golden fact is checked by some codec value (so the C program and the codec cannot drift apart);
 *  - every exported numeric constant / ALL_CAPS table of lib/codec is either checked here or listed below
 *    with the reason it is not in the arm64 uapi headers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as codec from '../../lib/codec';
import {
  KVM_IOCTL, KVM_CAP, KVM_EXIT, KVM_SYSTEM_EVENT, KVM_INTERNAL_ERROR, KVM_ARM_TARGET, KVM_ARM_VCPU_FEATURE,
  KVM_ARM_VCPU_FINALIZE_FEATURE, KVM_MP_STATE, KVM_MEM, KVM_IRQFD_FLAG, KVM_IOEVENTFD_FLAG, KVM_GUESTDBG, KVM_DEV_TYPE,
  KVM_DEV_ARM_VGIC_GRP, PSCI_FN, KVM_PSCI_FN, PSCI_RET, PSCI_AFFINITY, STRUCT_SIZE, OFFSETS, KVM_TIMER_IDS, ARM64_CORE_FIELDS,
  arm64SysregId, arm64SysregIdByName, arm64CoreId, firmwareId, firmwareBitmapId, sveZId, svePId, sveFfrId, vmTypeIpaSize,
  psciVersion, psci64,
} from '../../lib/codec';

const GOLDEN_PATH = path.join(__dirname, '..', 'fixtures', 'kvm-abi-golden.txt');

function parseGolden(text: string): { header: string[]; facts: Map<string, bigint> } {
  const header: string[] = [];
  const facts = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      header.push(line);
      continue;
    }
    const m = /^(\S+) (-?)(0x[0-9a-f]+|\d+)$/.exec(line);
    if (!m) throw new Error(`golden: malformed line '${line}'`);
    const [, key, neg, digits] = m as unknown as [string, string, string, string];
    if (facts.has(key)) throw new Error(`golden: duplicate ${key}`);
    facts.set(key, neg ? -BigInt(digits) : BigInt(digits));
  }
  return { header, facts };
}

/** Exported codec values that are not in the arm64 uapi headers, and where they are checked instead. */
const NOT_IN_ARM64_UAPI: Record<string, string> = {
  KVM_REG_ARM_VFP: '32-bit ARM (arch/arm uapi removed in 5.7): codec-regid-arm32.test.ts checks the api.txt bit patterns',
  KVM_REG_ARM_32_OPC2_MASK: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_OPC1_MASK: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_OPC1_SHIFT: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_CRM_MASK: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_CRM_SHIFT: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_32_CRN_MASK: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_32_CRN_SHIFT: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_MASK: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_BASE_REG: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_FPSID: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_FPSCR: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_MVFR1: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_MVFR0: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_FPEXC: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_FPINST: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_REG_ARM_VFP_FPINST2: '32-bit ARM, see codec-regid-arm32.test.ts',
  KVM_ARM_PSCI_LATEST: 'kernel-internal (arch/arm64/include/asm/kvm_psci.h), not uapi',
  IRQ_MAX_VCPU: 'derived from the VCPU2/VCPU masks; codec-irq.test.ts checks vcpu 4095 round-trips',
};
/** Exported ALL_CAPS objects that are not ABI tables of the uapi headers. */
const NOT_ABI_TABLES: Record<string, string> = {
  SYSREG_ROWS: 'architectural names from binutils (test/oracle/sysreg-names.test.ts)',
  ARM32_CORE_REGS: '32-bit ARM, see codec-regid-arm32.test.ts',
  ARM_CP15_NAMES: '32-bit ARM CP15 names (architecture, not uapi)',
  ARM_VFP_CONTROL: '32-bit ARM, see codec-regid-arm32.test.ts',
  FIRMWARE_REGS: 'names; their ids are checked as KVM_REG_ARM_FW_REG(n)',
  FIRMWARE_BITMAP_REGS: 'names; their ids are checked as KVM_REG_ARM_FW_FEAT_BMAP_REG(n)',
  GICD_REGS: 'GICv2 architecture register map (GIC spec), not uapi',
  GICC_REGS: 'GICv2 architecture register map (GIC spec), not uapi',
  ARM_CAPS: 'a subset of KVM_CAP, which is checked',
  SMCCC: 'SMCCC ids live in the kernel-internal linux/arm-smccc.h, not uapi',
};
/** Exported constants whose header name differs. */
const ALIASES: Record<string, string> = {
  KVM_REG_ARM_SVE_ZREG_BASE: 'KVM_REG_ARM64_SVE_ZREG_BASE',
  KVM_REG_ARM_SVE_PREG_BASE: 'KVM_REG_ARM64_SVE_PREG_BASE',
  KVM_REG_ARM_SVE_FFR_BASE: 'KVM_REG_ARM64_SVE_FFR_BASE',
  KVM_VGIC_V3_ADDR_TYPE_ITS: 'KVM_VGIC_ITS_ADDR_TYPE',
  ARM64_KVM_REGS_SIZE: 'sizeof(kvm_regs)',
  KVM_ARM_PSCI_0_1: 'PSCI_VERSION(0,1)',
  KVM_ARM_PSCI_0_2: 'PSCI_VERSION(0,2)',
  KVM_ARM_PSCI_1_0: 'PSCI_VERSION(1,0)',
  KVM_ARM_PSCI_1_1: 'PSCI_VERSION(1,1)',
  PSCI_TOS_NOT_PRESENT_MP: 'PSCI_0_2_TOS_MP',
};
for (const n of ['NRBITS', 'TYPEBITS', 'SIZEBITS', 'NRSHIFT', 'TYPESHIFT', 'SIZESHIFT', 'DIRSHIFT', 'NONE', 'WRITE', 'READ']) ALIASES[`IOC_${n}`] = `_IOC_${n}`;

/**
 * Header values known to be wrong in the golden file's header version, with the value the codec uses instead.
 * linux-libc-dev-arm64-cross 6.1.4's linux/psci.h defines PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE as PSCI_0_2_FN(19),
 * the same as MEM_PROTECT; PSCI (DEN0022) gives 0x84000014, and later 6.1 stable headers say PSCI_0_2_FN(20).
 */
const KNOWN_HEADER_BUGS: Record<string, { header: bigint; correct: bigint }> = {
  PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE: { header: 0x84000013n, correct: 0x84000014n },
};

const PSCI_FN_HEADER: Record<keyof typeof PSCI_FN, string> = {
  PSCI_VERSION: 'PSCI_0_2_FN_PSCI_VERSION', CPU_SUSPEND: 'PSCI_0_2_FN_CPU_SUSPEND', CPU_OFF: 'PSCI_0_2_FN_CPU_OFF',
  CPU_ON: 'PSCI_0_2_FN_CPU_ON', AFFINITY_INFO: 'PSCI_0_2_FN_AFFINITY_INFO', MIGRATE: 'PSCI_0_2_FN_MIGRATE',
  MIGRATE_INFO_TYPE: 'PSCI_0_2_FN_MIGRATE_INFO_TYPE', MIGRATE_INFO_UP_CPU: 'PSCI_0_2_FN_MIGRATE_INFO_UP_CPU',
  SYSTEM_OFF: 'PSCI_0_2_FN_SYSTEM_OFF', SYSTEM_RESET: 'PSCI_0_2_FN_SYSTEM_RESET',
  PSCI_FEATURES: 'PSCI_1_0_FN_PSCI_FEATURES', CPU_FREEZE: 'PSCI_1_0_FN_CPU_FREEZE',
  CPU_DEFAULT_SUSPEND: 'PSCI_1_0_FN_CPU_DEFAULT_SUSPEND', NODE_HW_STATE: 'PSCI_1_0_FN_NODE_HW_STATE',
  SYSTEM_SUSPEND: 'PSCI_1_0_FN_SYSTEM_SUSPEND', PSCI_SET_SUSPEND_MODE: 'PSCI_1_0_FN_SET_SUSPEND_MODE',
  PSCI_STAT_RESIDENCY: 'PSCI_1_0_FN_STAT_RESIDENCY', PSCI_STAT_COUNT: 'PSCI_1_0_FN_STAT_COUNT',
  SYSTEM_RESET2: 'PSCI_1_1_FN_SYSTEM_RESET2', MEM_PROTECT: 'PSCI_1_1_FN_MEM_PROTECT',
  MEM_PROTECT_CHECK_RANGE: 'PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE',
};

interface Check {
  readonly key: string;
  readonly ts: bigint;
  readonly what: string;
}

/** Every codec value with its golden key. Tables are walked in full, so a new entry is checked automatically. */
function codecChecks(): { checks: Check[]; exportsCovered: Set<string> } {
  const checks: Check[] = [];
  const covered = new Set<string>();
  const add = (key: string, ts: bigint | number, what: string): void => {
    checks.push({ key, ts: BigInt(ts), what });
  };
  const table = (name: string, t: Record<string, number | bigint>, keyOf: (k: string) => string): void => {
    covered.add(name);
    for (const [k, v] of Object.entries(t)) add(keyOf(k), v, `${name}.${k}`);
  };

  table('KVM_IOCTL', KVM_IOCTL, (k) => k);
  table('KVM_CAP', KVM_CAP, (k) => `KVM_CAP_${k}`);
  table('KVM_EXIT', KVM_EXIT, (k) => `KVM_EXIT_${k}`);
  table('KVM_SYSTEM_EVENT', KVM_SYSTEM_EVENT, (k) => `KVM_SYSTEM_EVENT_${k}`);
  table('KVM_INTERNAL_ERROR', KVM_INTERNAL_ERROR, (k) => `KVM_INTERNAL_ERROR_${k}`);
  table('KVM_ARM_TARGET', KVM_ARM_TARGET, (k) => `KVM_ARM_TARGET_${k}`);
  table('KVM_ARM_VCPU_FEATURE', KVM_ARM_VCPU_FEATURE, (k) => `KVM_ARM_VCPU_${k.toUpperCase().replace(/[-.]/g, '_')}`);
  table('KVM_ARM_VCPU_FINALIZE_FEATURE', KVM_ARM_VCPU_FINALIZE_FEATURE, (k) => `KVM_ARM_VCPU_${k.toUpperCase()}`);
  table('KVM_MP_STATE', KVM_MP_STATE, (k) => `KVM_MP_STATE_${k}`);
  table('KVM_MEM', KVM_MEM, (k) => `KVM_MEM_${k}`);
  table('KVM_IRQFD_FLAG', KVM_IRQFD_FLAG, (k) => `KVM_IRQFD_FLAG_${k}`);
  table('KVM_IOEVENTFD_FLAG', KVM_IOEVENTFD_FLAG, (k) => `KVM_IOEVENTFD_FLAG_${k}`);
  table('KVM_GUESTDBG', KVM_GUESTDBG, (k) => `KVM_GUESTDBG_${k}`);
  table('KVM_DEV_TYPE', KVM_DEV_TYPE, (k) => `KVM_DEV_TYPE_${k}`);
  table('KVM_DEV_ARM_VGIC_GRP', KVM_DEV_ARM_VGIC_GRP, (k) => `KVM_DEV_ARM_VGIC_GRP_${k}`);
  table('PSCI_FN', PSCI_FN, (k) => PSCI_FN_HEADER[k as keyof typeof PSCI_FN]);
  table('KVM_PSCI_FN', KVM_PSCI_FN, (k) => `KVM_PSCI_FN_${k}`);
  table('PSCI_RET', PSCI_RET, (k) => `PSCI_RET_${k}`);
  table('PSCI_AFFINITY', PSCI_AFFINITY, (k) => `PSCI_0_2_AFFINITY_LEVEL_${k}`);
  table('STRUCT_SIZE', STRUCT_SIZE, (k) => `sizeof(${k})`);
  covered.add('OFFSETS');
  for (const [group, fields] of Object.entries(OFFSETS)) {
    for (const [field, off] of Object.entries(fields as Record<string, number>)) add(`offsetof(${group},${field})`, off, `OFFSETS.${group}.${field}`);
  }
  covered.add('KVM_TIMER_IDS');
  for (const [name, t] of Object.entries(KVM_TIMER_IDS)) {
    add(name, arm64SysregId(t.enc.op0, t.enc.op1, t.enc.crn, t.enc.crm, t.enc.op2), `KVM_TIMER_IDS.${name}`);
    add(name, arm64SysregIdByName(name), `arm64SysregIdByName('${name}')`);
  }
  covered.add('ARM64_CORE_FIELDS');
  for (const f of ARM64_CORE_FIELDS) add(`core(${f.name})`, arm64CoreId(f.name), `arm64CoreId('${f.name}')`);
  for (const fn of ['CPU_SUSPEND', 'CPU_ON', 'AFFINITY_INFO', 'MIGRATE', 'MIGRATE_INFO_UP_CPU'] as const) {
    add(`PSCI_0_2_FN64_${fn}`, psci64(PSCI_FN[fn]), `psci64(PSCI_FN.${fn})`);
  }
  add('PSCI_1_1_FN64_SYSTEM_RESET2', psci64(PSCI_FN.SYSTEM_RESET2), 'psci64(PSCI_FN.SYSTEM_RESET2)');

  // exported scalar constants, by name
  for (const [name, v] of Object.entries(codec)) {
    if (typeof v !== 'number' && typeof v !== 'bigint') continue;
    if (NOT_IN_ARM64_UAPI[name] !== undefined) continue;
    add(ALIASES[name] ?? name, v, name);
    covered.add(name);
  }
  return { checks, exportsCovered: covered };
}

/** Golden facts keyed by a macro call: evaluate the codec's constructor with the same arguments. */
function callCheck(key: string): Check | undefined {
  const m = /^([A-Z0-9_]+)\(([^)]*)\)$/.exec(key);
  if (!m) return undefined;
  const fn = m[1] as string;
  const args = (m[2] as string).split(',').map((a) => Number(a));
  const a = (i: number): number => args[i] as number;
  const ts = ((): bigint | number | undefined => {
    switch (fn) {
      case 'ARM64_SYS_REG': return arm64SysregId(a(0), a(1), a(2), a(3), a(4));
      case 'KVM_REG_ARM_FW_REG': return firmwareId(a(0));
      case 'KVM_REG_ARM_FW_FEAT_BMAP_REG': return firmwareBitmapId(a(0));
      case 'KVM_REG_ARM64_SVE_ZREG': return sveZId(a(0), a(1));
      case 'KVM_REG_ARM64_SVE_PREG': return svePId(a(0), a(1));
      case 'KVM_REG_ARM64_SVE_FFR': return sveFfrId(a(0));
      case 'KVM_VM_TYPE_ARM_IPA_SIZE': return vmTypeIpaSize(a(0));
      case 'PSCI_VERSION': return psciVersion(a(0), a(1));
      default: return undefined;
    }
  })();
  return ts === undefined ? undefined : { key, ts: BigInt(ts), what: `${fn}(${m[2]})` };
}

const hex = (v: bigint): string => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

/** Mismatches between the codec and a golden map. */
function compareWithGolden(facts: Map<string, bigint>): { mismatches: string[]; unchecked: string[]; missing: string[] } {
  const { checks } = codecChecks();
  const checkedKeys = new Set<string>();
  const mismatches: string[] = [];
  const missing: string[] = [];
  const all = [...checks];
  for (const key of facts.keys()) {
    const c = callCheck(key);
    if (c !== undefined) all.push(c);
  }
  for (const c of all) {
    const g = facts.get(c.key);
    if (g === undefined) {
      missing.push(`${c.what} (${c.key}) is not in the golden file: add it to scripts/golden/abi.c`);
      continue;
    }
    checkedKeys.add(c.key);
    if (g === c.ts) continue;
    const bug = KNOWN_HEADER_BUGS[c.key];
    if (bug !== undefined && g === bug.header && c.ts === bug.correct) continue;
    mismatches.push(`${c.what}: codec ${hex(c.ts)}, headers (${c.key}) ${hex(g)}`);
  }
  const unchecked = [...facts.keys()].filter((k) => !checkedKeys.has(k));
  return { mismatches, unchecked, missing };
}

describe('golden file: lib/codec against the arm64 uapi headers', () => {
  const { header, facts } = parseGolden(fs.readFileSync(GOLDEN_PATH, 'utf8'));

  it('names the header package and version it was generated from', () => {
    expect(header.join('\n')).toMatch(/linux-libc-dev-arm64-cross \d+\.\d+\.\d+\S*/);
    expect(facts.size).toBeGreaterThan(500);
  });

  it('every codec value equals the header value, and every golden fact is checked', () => {
    const { mismatches, unchecked, missing } = compareWithGolden(facts);
    expect(mismatches).toEqual([]);
    expect(missing).toEqual([]);
    expect(unchecked).toEqual([]);
  });

  it('every exported codec constant and ABI table is checked or has a stated reason', () => {
    const { exportsCovered } = codecChecks();
    const unaccounted = Object.entries(codec)
      .filter(([name, v]) => (typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'object' && /^[A-Z][A-Z0-9_]+$/.test(name))))
      .map(([name]) => name)
      .filter((n) => !exportsCovered.has(n) && NOT_IN_ARM64_UAPI[n] === undefined && NOT_ABI_TABLES[n] === undefined);
    expect(unaccounted).toEqual([]);
  });

  it('pins the facts the brief names: PC id, SCTLR_EL1, the swapped timer ids, kvm_run layout', () => {
    expect(facts.get('core(pc)')).toBe(0x6030000000100040n);
    expect(facts.get('ARM64_SYS_REG(3,0,1,0,0)')).toBe(0x603000000013c080n);
    // the kernel's swap: TIMER_CNT carries CNTV_CVAL_EL0's encoding (3,3,14,3,2), TIMER_CVAL CNTVCT_EL0's (3,3,14,0,2)
    expect(facts.get('KVM_REG_ARM_TIMER_CNT')).toBe(arm64SysregId(3, 3, 14, 3, 2));
    expect(facts.get('KVM_REG_ARM_TIMER_CVAL')).toBe(arm64SysregId(3, 3, 14, 0, 2));
    expect(facts.get('offsetof(kvm_run,exit_reason)')).toBe(8n);
    expect(facts.get('offsetof(mmio,data)')).toBe(40n);
  });

  it('the known header bug is what the golden file holds, and the codec keeps the PSCI spec value', () => {
    const g = facts.get('PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE');
    expect([0x84000013n, 0x84000014n]).toContain(g);
    expect(PSCI_FN.MEM_PROTECT_CHECK_RANGE).toBe(0x84000014);
  });

  it('detects a changed value (compareWithGolden is not vacuous)', () => {
    const tampered = new Map(facts);
    tampered.set('KVM_CAP_ONE_REG', 71n);
    tampered.set('offsetof(mmio,len)', 44n);
    tampered.set('extra_fact', 1n);
    tampered.delete('KVM_RUN');
    const r = compareWithGolden(tampered);
    expect(r.mismatches.some((m) => m.includes('KVM_CAP.ONE_REG'))).toBe(true);
    expect(r.mismatches.some((m) => m.includes('OFFSETS.mmio.len'))).toBe(true);
    expect(r.unchecked).toContain('extra_fact');
    expect(r.missing.some((m) => m.includes('KVM_RUN'))).toBe(true);
  });
});
