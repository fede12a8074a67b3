'use strict';
// Lets the standalone oracle scripts load the TypeScript sources of test/oracle and lib/ directly: a require
// hook that transpiles .ts files with the project's own typescript devDependency (no type checking; the
// typecheck is `npm run typecheck`).
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function loadTs(module, filename) {
  const src = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(src, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: true },
  });
  module._compile(out.outputText, filename);
};
