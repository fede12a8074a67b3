#!/usr/bin/env node
'use strict';
// Standalone differential run of the A64 interpreter against qemu-aarch64 (or native arm64):
//   node scripts/oracle.js [--count N] [--seed S] [--class NAME[,NAME...]] [--batch B] [--list] [--keep K]
// Classes default to every class the interpreter's decoder table registers. Exit status 1 on any mismatch.
require('./oracle-ts.js');
const { CLASSES, classByName } = require('../test/oracle/a64-gen.ts');
const { classStatus, formatSummary, loadDecoder, runOracle } = require('../test/oracle/a64-diff.ts');
const { oracleUnavailable } = require('../test/oracle/a64-qemu.ts');

function parse(argv) {
  const o = { count: 100000, seed: (Date.now() & 0x7fffffff) >>> 0, classes: undefined, batch: 20000, list: false, keep: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new RangeError(`${a} needs a value`);
      return v;
    };
    const int = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`${a}: not a non-negative integer: ${v}`);
      return n;
    };
    if (a === '--count') o.count = int(val());
    else if (a === '--seed') o.seed = int(val()) >>> 0;
    else if (a === '--class') o.classes = val().split(',');
    else if (a === '--batch') o.batch = Math.max(1, int(val()));
    else if (a === '--keep') o.keep = int(val());
    else if (a === '--list') o.list = true;
    else if (a === '--json') o.json = val();
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/oracle.js [--count N] [--seed S] [--class NAME[,NAME]] [--batch B] [--keep K] [--list] [--json FILE]');
      process.exit(0);
    } else throw new RangeError(`unknown argument ${a}`);
  }
  return o;
}

async function main() {
  const o = parse(process.argv.slice(2));
  const why = oracleUnavailable();
  if (why) { console.error(`oracle unavailable: ${why}`); process.exit(2); }
  const dec = loadDecoder();
  const status = typeof dec === 'string' ? undefined : classStatus(dec);
  if (o.list || !o.classes) {
    if (!status) console.log(`decoder: ${dec}`);
    for (const c of CLASSES) {
      const s = status && status.find((x) => x.cls === c);
      console.log(`${c.name.padEnd(14)} ${c.group.padEnd(7)} ${s ? (s.enabled ? 'run ' : 'skip') : '    '} ${s ? s.reason : ''}`);
    }
    if (o.list) return;
  }
  const classes = o.classes ? o.classes.map(classByName) : (status || []).filter((s) => s.enabled).map((s) => s.cls);
  if (classes.length === 0) { console.error('no class to run'); process.exit(2); }
  console.log(`seed ${o.seed}, ${o.count} snippets over ${classes.length} classes, batches of ${o.batch}`);
  const res = await runOracle({ count: o.count, seed: o.seed, classes, batch: o.batch, keep: o.keep, log: (s) => process.stderr.write(s + '\n') });
  for (const d of res.details) console.log(d + '\n');
  console.log(formatSummary(res));
  if (o.json) {
    const perClass = {};
    for (const [name, c] of res.perClass) perClass[name] = { count: c.count, mismatches: c.mismatches, unimplemented: c.unimplemented };
    require('node:fs').writeFileSync(o.json, JSON.stringify({ seed: o.seed, total: res.total, mismatches: res.mismatches, seconds: res.seconds, perClass }, null, 1));
  }
  process.exit(res.mismatches ? 1 : 0);
}

main().catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(2); });
