// The backend round trip of docs/VERIFIER.md, for real: `idagent verifier`
// (simulator anchors allowed), `idagent run --simulate`, the documented
// Node backend (verifier/examples/backend.mjs), and this client's
// readForBackend as the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';

import { IdAgent, IdAgentError, ErrorCode } from '../idagent.js';
import { startAgent, buildAgent, freePort, repoRoot, DESK_ORIGIN } from '../../testing/agent.js';

const KEY = 'shop-key-0123456789abcdef';
const procs = [];
let agent;
let backend;

// serve starts a process and waits until url answers.
async function serve(cmd, args, env, url) {
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (b) => { output += b; });
  proc.stderr.on('data', (b) => { output += b; });
  procs.push(proc);
  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${cmd} exited (${proc.exitCode}):\n${output}`);
    try {
      await fetch(url);
      return proc;
    } catch {
      if (Date.now() > deadline) throw new Error(`${cmd} did not serve ${url} within 30 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

before(async () => {
  agent = await startAgent({ config: { origins: [{ origin: DESK_ORIGIN, fields: ['all'], photo: false, evidence: true }] } });
  const dir = mkdtempSync(path.join(tmpdir(), 'idagent-verifier-'));
  const cfg = path.join(dir, 'verifier.json');
  writeFileSync(cfg, JSON.stringify({ trust: [], callers: [{ name: 'shop', apiKeys: [KEY], fields: ['all'] }] }));
  const vport = await freePort();
  await serve(buildAgent(), ['verifier', '--listen', `127.0.0.1:${vport}`, '--config', cfg, '--allow-test-anchors'], {}, `http://127.0.0.1:${vport}/healthz`);
  const bport = await freePort();
  backend = `http://127.0.0.1:${bport}`;
  await serve(process.execPath, [path.join(repoRoot, 'verifier/examples/backend.mjs')],
    { VERIFIER_URL: `http://127.0.0.1:${vport}`, VERIFIER_KEY: KEY, ACCEPT_TEST_ANCHORS: '1', PORT: String(bport) }, backend);
});

after(async () => {
  for (const p of procs) p.kill('SIGTERM');
  await agent?.stop();
});

function page() {
  class OriginWebSocket extends WebSocket {
    constructor(url) {
      super(url, { origin: DESK_ORIGIN });
    }
  }
  return new IdAgent({ url: agent.url, client: 'backend-test', WebSocket: OriginWebSocket,
    fetch: (url, init = {}) => fetch(url, { ...init, headers: { ...(init.headers ?? {}), Origin: DESK_ORIGIN } }) });
}

const post = async (p, body) => {
  const res = await fetch(backend + p, { method: 'POST', body: JSON.stringify(body ?? {}) });
  return { status: res.status, body: await res.json() };
};

test('challenge → page → agent → chip → evidence → verifier → fields, and a replay refused', async () => {
  const c = page();
  try {
    const card = await c.simInsert({ profile: 'cccd', seed: 90 });
    const start = await post('/checkin/start');
    assert.equal(start.status, 200);
    const read = await c.readForBackend(start.body.challenge, { access: { mrz: card.mrz } });
    assert.equal(read.challenge, start.body.challenge);
    assert.ok(read.evidence.sod && read.evidence.desk, 'evidence with the desk observations');
    const finish = await post('/checkin/finish', { transaction: start.body.transaction, challenge: read.challenge, evidence: read.evidence });
    assert.equal(finish.status, 200, JSON.stringify(finish.body));
    assert.equal(finish.body.fields.idNumber, card.id12);

    const replay = await post('/checkin/finish', { transaction: start.body.transaction, challenge: read.challenge, evidence: read.evidence });
    assert.equal(replay.status, 403);
    assert.deepEqual(replay.body.reasons, ['CHALLENGE_USED']);
  } finally {
    c.close();
  }
});

test('a forged card fails at the backend, whatever the page shows', async () => {
  const c = page();
  try {
    const card = await c.simInsert({ profile: 'cccd', seed: 91, tamper: 'dg13-edited' });
    const start = await post('/checkin/start');
    const read = await c.readForBackend(start.body.challenge, { access: { mrz: card.mrz } });
    const finish = await post('/checkin/finish', { transaction: start.body.transaction, challenge: read.challenge, evidence: read.evidence });
    assert.equal(finish.status, 403);
    assert.equal(finish.body.verdict, 'FAIL');
    assert.ok(finish.body.reasons.includes('HASH_MISMATCH'), JSON.stringify(finish.body));
  } finally {
    c.close();
  }
});

test('readForBackend refuses a challenge that is not base64 of 8 bytes', async () => {
  const c = page();
  try {
    await assert.rejects(c.readForBackend('abc', { access: { can: '123456' } }),
      (err) => err instanceof IdAgentError && err.code === ErrorCode.BAD_REQUEST);
  } finally {
    c.close();
  }
});
