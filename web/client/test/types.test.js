// The TypeScript declarations compile (strict) and describe how the README
// uses the client; the published package holds exactly the run-time files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
