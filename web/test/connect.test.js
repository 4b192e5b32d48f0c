// How the client tells connection problems apart, in a real browser:
// a page of another origin (served here) reaches a real agent, with and
// without Chrome's Local Network Access permission. Chromium treats the
// page as a public site with --ip-address-space-overrides, so its requests
// to the loopback agent need the permission (headless denies the prompt).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { startAgent, freePort, repoRoot } from '../testing/agent.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const PAGE = `<!doctype html><meta charset="utf-8"><title>integrator page</title>
<script type="module">
import { IdAgent, localNetworkPermission } from '/client/idagent.js';
window.tryAgent = async (url) => {
  const agent = new IdAgent({ url, reconnect: false, client: 'connect-test' });
  try {
    const hello = await agent.connect();
    const readers = await agent.readers();
    agent.close();
    return { ok: true, protocol: hello.protocol, readers: readers.length, permission: await localNetworkPermission() };
  } catch (err) {
    return { ok: false, code: err.code, retryable: err.retryable, message: err.message, permission: await localNetworkPermission() };
  }
};
window.ready = true;
</script>`;

// A web server of an integrator: the page above and the client modules.
function pageServer() {
  const srv = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    if (p === '/') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(PAGE);
      return;
    }
    const m = /^\/client\/([a-z]+\.js)$/.exec(p);
    if (m) {
      try {
        const body = readFileSync(path.join(repoRoot, 'web', 'client', m[1]));
        res.setHeader('Content-Type', 'text/javascript');
        res.end(body);
        return;
      } catch {
        // fall through
      }
    }
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

let allowed; // page server whose origin the agent allows
let stranger; // page server whose origin it does not
let agent;

before(async () => {
  allowed = await pageServer();
  stranger = await pageServer();
  agent = await startAgent({ config: { origins: [{ origin: `http://127.0.0.1:${allowed.address().port}` }] } });
});

after(async () => {
  allowed?.close();
  stranger?.close();
  await agent?.stop();
});

async function withPage(server, { publicPage = false, grant = false } = {}, fn) {
  const port = server.address().port;
  const args = publicPage ? [...FLAGS, `--ip-address-space-overrides=127.0.0.1:${port}=public`] : FLAGS;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  try {
    const context = await browser.newContext();
    if (grant) await context.grantPermissions(['local-network-access']);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => window.ready === true);
    return await fn((url) => page.evaluate((u) => window.tryAgent(u), url));
  } finally {
    await browser.close();
  }
}

test('a page of an allowed origin connects; another origin gets ORIGIN_NOT_ALLOWED; nothing listening is AGENT_NOT_RUNNING', async () => {
  const nothing = `http://127.0.0.1:${await freePort()}`;
  await withPage(allowed, {}, async (tryAgent) => {
    const ok = await tryAgent(agent.url);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.protocol, 1);
    assert.ok(ok.readers >= 1);
    const down = await tryAgent(nothing);
    assert.equal(down.code, 'AGENT_NOT_RUNNING', JSON.stringify(down));
    assert.equal(down.retryable, true);
    assert.match(down.message, /not running/);
  });
  await withPage(stranger, {}, async (tryAgent) => {
    const refused = await tryAgent(agent.url);
    assert.equal(refused.code, 'ORIGIN_NOT_ALLOWED', JSON.stringify(refused));
    assert.equal(refused.retryable, false);
    assert.ok(refused.message.includes(`http://127.0.0.1:${stranger.address().port}`), 'the message names the origin to allow');
  });
});

test('something that answers without allowing the origin (no CORS header) is ORIGIN_NOT_ALLOWED, not "not running"', async () => {
  // An older agent, or another program on the port: it answers, but the
  // browser hides the answer from the page.
  const other = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ agent: 'idagent', protocol: [1] }));
  });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  try {
    await withPage(allowed, {}, async (tryAgent) => {
      const hidden = await tryAgent(`http://127.0.0.1:${other.address().port}`);
      assert.equal(hidden.code, 'ORIGIN_NOT_ALLOWED', JSON.stringify(hidden));
      assert.match(hidden.message, /does not allow this page's origin/);
    });
  } finally {
    other.close();
  }
});

test('a public page without the Local Network Access permission gets PERMISSION_DENIED, not "not running"', async () => {
  await withPage(allowed, { publicPage: true }, async (tryAgent) => {
    const denied = await tryAgent(agent.url);
    assert.equal(denied.code, 'PERMISSION_DENIED', JSON.stringify(denied));
    assert.equal(denied.permission, 'denied');
    assert.equal(denied.retryable, false);
    assert.match(denied.message, /Local Network Access/);
  });
});

test('a public page with the permission granted connects', async () => {
  await withPage(allowed, { publicPage: true, grant: true }, async (tryAgent) => {
    const ok = await tryAgent(agent.url);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.permission, 'granted');
  });
});
