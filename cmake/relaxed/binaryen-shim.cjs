// Runs a tool of npm's binaryen (node_modules/binaryen) for Emscripten 3.1.6, translating what
// changed since the binaryen it expects (105-108):
//  - the name mapping that --minify-imports* prints is JSON now ({"imports": [[module, name, new]],
//    "exports": [[name, new]]}); emcc 3.1.6 parses lines "name => new".
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const [tool, ...args] = process.argv.slice(2);
const bin = path.join(__dirname, '..', '..', 'node_modules', 'binaryen', 'bin', tool);
const minify = args.some(a => a.startsWith('--minify-imports'));
const r = spawnSync(process.execPath, [bin, ...args], { stdio: ['inherit', minify ? 'pipe' : 'inherit', 'inherit'],
  maxBuffer: 1 << 30 });
if (r.error) { console.error(`binaryen-shim: ${bin}: ${r.error.message}`); process.exit(1); }
if (minify && r.status === 0) {
  const out = r.stdout.toString();
  const start = out.indexOf('{');
  if (start < 0) { process.stdout.write(out); process.exit(0); }
  const map = JSON.parse(out.slice(start));
  const lines = [];
  for (const [, name, to] of map.imports || []) lines.push(`${name} => ${to}`);
  for (const [name, to] of map.exports || []) lines.push(`${name} => ${to}`);
  process.stdout.write(out.slice(0, start) + lines.join('\n') + '\n');
}
process.exit(r.status ?? 1);
