#!/usr/bin/env node
'use strict';
/*
 * The host side of the guests cross-backend check (issue 5), run by `ci/arm64-lab.sh test` before the lab guest:
 * builds test/guests/*.S (build.sh, needs aarch64-linux-gnu-as/ld) into OUTDIR (default ci/.out/guests), runs every
 * case of test/guests/lab-cases.json with `node bin/kvm-arm.js run --backend soft ARGS IMAGE`, and writes
 * OUTDIR/soft-record.json: per case the image (path from the project root + sha256), the args, the exit status,
 * stdout and stderr. test/arm64/guests.test.ts runs the same images with --backend kvm in the lab and compares.
 *
 * A failed build does not stop the tier: it is written into the record (buildError) and the guest test fails with
 * it, so CI (which has the cross binutils) can never pass without the comparison. Exit 2 only for bad usage or
 * when the record cannot be written.
 *
 * usage: node test/guests/record-soft.js [OUTDIR]
 */
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const args = process.argv.slice(2);
if (args.length > 1 || (args[0] !== undefined && args[0].startsWith('-'))) {
  console.error('usage: node test/guests/record-soft.js [OUTDIR]');
  process.exit(2);
}
const out = path.resolve(args[0] ?? path.join(root, 'ci', '.out', 'guests'));
const recordPath = path.join(out, 'soft-record.json');
const { cases } = JSON.parse(fs.readFileSync(path.join(__dirname, 'lab-cases.json'), 'utf8'));
const log = (m) => console.error(`record-soft: ${m}`);
const rel = (p) => path.relative(root, p).split(path.sep).join('/');

fs.mkdirSync(out, { recursive: true });
fs.rmSync(recordPath, { force: true }); // never leave an older record behind if this run fails

const record = { by: 'test/guests/record-soft.js', node: process.version, host: `${process.platform}-${process.arch}`, buildError: null, cases: {} };
for (const c of cases) if (c.guest !== undefined) fs.rmSync(path.join(out, `${c.guest}.elf`), { force: true }); // no stale images
const b = spawnSync('sh', [path.join(__dirname, 'build.sh'), out], { encoding: 'utf8' });
if (b.error || b.status !== 0) {
  record.buildError = `test/guests/build.sh ${rel(out)} failed (${b.error ? b.error.message : `exit ${b.status}`}): ${(b.stderr || '').trim().slice(0, 2000)}`;
  log(`ERROR: ${record.buildError}`);
}
for (const c of cases) {
  const image = c.guest !== undefined ? path.join(out, `${c.guest}.elf`) : path.join(root, c.image);
  if (!fs.existsSync(image)) {
    record.cases[c.name] = { image: rel(image), args: c.args, error: `no image ${rel(image)}${record.buildError ? ' (the build failed)' : ''}` };
    log(`${c.name}: no image ${rel(image)}`);
    continue;
  }
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'kvm-arm.js'), 'run', '--backend', 'soft', ...c.args, image], {
    cwd: root,
    encoding: 'latin1',
    timeout: 600_000,
    maxBuffer: 16 << 20,
  });
  const sha256 = createHash('sha256').update(fs.readFileSync(image)).digest('hex');
  if (r.error) {
    record.cases[c.name] = { image: rel(image), sha256, args: c.args, error: `spawning kvm-arm failed: ${r.error.message}` };
    log(`${c.name}: ${r.error.message}`);
    continue;
  }
  record.cases[c.name] = { image: rel(image), sha256, args: c.args, status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  log(`${c.name}: kvm-arm run --backend soft ${c.args.join(' ')} ${rel(image)} -> exit ${r.status}, ${r.stdout.length} bytes of output`);
}
try {
  fs.writeFileSync(`${recordPath}.tmp`, JSON.stringify(record, null, 1) + '\n');
  fs.renameSync(`${recordPath}.tmp`, recordPath);
} catch (e) {
  log(`cannot write ${recordPath}: ${e.message}`);
  process.exit(2);
}
log(`wrote ${rel(recordPath)}`);
