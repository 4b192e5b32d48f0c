// Runs the web tests: builds the agent once, then node's test runner over
// the given paths (default: the client tests and the browser tests).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildAgent } from './agent.js';

// Directories expand to their *.test.js files (not helpers beside them).
function testFiles(p) {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(p, f));
}

const started = Date.now();
const bin = buildAgent();
const args = process.argv.slice(2);
const files = (args.length ? args : ['client/test', 'test']).flatMap(testFiles);
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, IDAGENT_BIN: bin },
});
console.error(`web tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(res.status ?? 1);
