#!/usr/bin/env node
'use strict';
// `npm run bench [-- --json] [-- --only codec,native,soft]`: runs every benchmark suite and prints one table
// (or, with --json, one JSON object with the same figures). Suites are TypeScript modules under bench/, compiled
// here with tsc into dist-bench/. Each exports `run(options) → Promise<{ title, rows: [{ name, value, unit, note? }] }>`.
// Ratios are measured side by side in one run; absolute numbers on shared machines are noise.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice(7).split(',') : undefined;

try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.bench.json')], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
} catch (e) {
  // tsc still emits on type errors; report them and go on (npm test's typecheck is where they fail the build)
  process.stderr.write(`bench: warning: type errors while compiling the benchmarks:\n${String(e.stdout || '').slice(0, 2000)}\n`);
}
const dir = path.join(root, 'dist-bench', 'bench');
const suites = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort() : [];

(async () => {
  const out = {};
  for (const file of suites) {
    const name = file.replace(/\.js$/, '');
    if (only && !only.includes(name)) continue;
    const mod = require(path.join(dir, file));
    if (typeof mod.run !== 'function') continue;
    if (!json) process.stderr.write(`bench: ${name} ...\n`);
    try {
      const res = await mod.run({ json });
      out[name] = res;
      if (!json) {
        console.log(`\n${res.title}`);
        for (const r of res.rows) {
          const v = typeof r.value === 'number' ? (Math.abs(r.value) >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toPrecision(4)) : String(r.value);
          console.log(`  ${r.name.padEnd(52)} ${v.padStart(14)} ${r.unit ?? ''}${r.note ? `   (${r.note})` : ''}`);
        }
      }
    } catch (e) {
      out[name] = { error: String(e && e.message ? e.message : e) };
      if (!json) console.log(`\n${name}: FAILED: ${e && e.message ? e.message : e}`);
      process.exitCode = 1;
    }
  }
  if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
})();
