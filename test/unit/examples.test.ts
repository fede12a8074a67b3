/**
 * The README's examples run as written (examples/*.mjs import 'kvm-arm' by name: the package's self-reference,
 * so they need the compiled dist/ that `npm install` builds).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const built = fs.existsSync(path.join(root, 'dist', 'cjs', 'index.js')) && fs.existsSync(path.join(root, 'dist', 'esm', 'index.mjs'));
const d = built ? describe : (console.warn('skipped: README examples: dist/ is not built (npm run compile)'), describe.skip);

d('README examples', () => {
  test('examples/quickstart.mjs: MMIO write, MMIO read answered by the VMM, PSCI SYSTEM_OFF', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'examples', 'quickstart.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^backend: (soft|kvm) /);
    expect(r.stdout).toContain('guest wrote A to 0x9000000');
    expect(r.stdout).toContain('system event: shutdown; w4 = 0x42');
  });
});
