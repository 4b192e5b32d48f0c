// The TypeScript declarations compile (strict) and describe how the README
// uses the client; the published package holds exactly the run-time files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const clientDir = path.resolve(here, '..');

test('idagent.d.ts, cccd.d.ts and messages.d.ts type-check a desk written against them', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // As Node resolves the package (the strictest: bundlers accept the same).
  for (const [module, resolution] of [['nodenext', 'nodenext']]) {
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipDefaultLibCheck', '--target', 'es2022', '--module', module,
        '--moduleResolution', resolution, '--lib', 'es2022,dom,dom.iterable', path.join(here, 'types', 'usage.ts')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      assert.fail(`tsc (${resolution}):\n${err.stdout}${err.stderr}`);
    }
  }
});

test('the npm package holds the modules, their types and the README, nothing else', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: clientDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [pkg] = JSON.parse(out);
  const files = pkg.files.map((f) => f.path).sort();
  assert.deepEqual(files, ['README.md', 'cccd.d.ts', 'cccd.js', 'errors.js', 'idagent.d.ts', 'idagent.js', 'messages.d.ts', 'messages.js', 'package.json', 'words.js']);
  assert.equal(pkg.name, '@idagent/client');
  assert.equal(pkg.version, '0.1.0');
});

test('the README documents every export and every public member of IdAgent', async () => {
  const readme = readFileSync(path.join(clientDir, 'README.md'), 'utf8');
  const names = new Set();
  for (const mod of ['idagent.js', 'messages.js']) {
    for (const name of Object.keys(await import(path.join(clientDir, mod)))) names.add(name);
  }
  const src = readFileSync(path.join(clientDir, 'idagent.js'), 'utf8');
  const body = src.slice(src.indexOf('export class IdAgent'));
  for (const m of body.matchAll(/^ {2}(?:async |get )?([a-z][A-Za-z]*)\(/gm)) {
    if (m[1] !== 'constructor' && !m[1].startsWith('_')) names.add(m[1]);
  }
  assert.ok(names.has('simInsert') && names.has('simRemove') && names.has('readers'), [...names].join(' '));
  const missing = [...names].filter((n) => !readme.includes(`\`${n}`) && !readme.includes(`${n}(`));
  assert.deepEqual(missing, [], 'exports or methods the README does not name');
});
