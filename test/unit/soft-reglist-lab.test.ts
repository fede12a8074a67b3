/**
 * The soft backend against the real arm64 KVM captured in the lab (test/fixtures/reglist-cortex-a57.txt:
 * KVM_GET_REG_LIST after KVM_ARM_VCPU_INIT on a cortex-a57 host, kernel 6.1, and every register's value then).
 * The soft vCPU must list exactly the same ids and report the same reset values — except the virtual counter,
 * which is the time since the VM started on both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSoft } from '../../lib/soft';
import { formatRegId, arm64SysregIdByName } from '../../lib/codec';

function readFixture(name: string): Map<bigint, bigint | undefined> {
  const m = new Map<bigint, bigint | undefined>();
  for (const line of fs.readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8').split('\n')) {
    const r = /^(0x[0-9a-f]+)\s+(\S+)/.exec(line);
    if (r) m.set(BigInt(r[1] as string), r[2] === '-' ? undefined : BigInt(r[2] as string));
  }
  return m;
}

const asBig = (v: bigint | Uint8Array): bigint => (typeof v === 'bigint' ? v : BigInt('0x' + (Buffer.from(v).reverse().toString('hex') || '0')));

describe('soft backend vs the lab cortex-a57 KVM', () => {
  const lab = readFixture('reglist-cortex-a57.txt');
  const hv = openSoft();
  const vm = hv.createVm();
  const vcpu = vm.createVcpu(0);
  vcpu.init({ ...vm.preferredTarget(), features: ['psci-0.2'] });
  const soft = vcpu.getRegList();

  it('has the 242-register fixture', () => {
    expect(lab.size).toBe(242);
  });

  it('lists exactly the ids real KVM lists', () => {
    const missing = [...lab.keys()].filter((id) => !soft.includes(id as never)).map(formatRegId);
    const extra = soft.filter((id) => !lab.has(id)).map(formatRegId);
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(soft.length).toBe(lab.size);
  });

  it('reports the same reset values (the virtual counter aside)', () => {
    const timerCnt = arm64SysregIdByName('KVM_REG_ARM_TIMER_CNT');
    const diffs: string[] = [];
    for (const [id, want] of lab) {
      if (want === undefined || id === timerCnt) continue;
      const got = asBig(vcpu.getOneReg(id));
      if (got !== want) diffs.push(`${formatRegId(id)}: soft 0x${got.toString(16)}, KVM 0x${want.toString(16)}`);
    }
    expect(diffs).toEqual([]);
  });
});
