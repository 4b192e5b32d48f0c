// "First page in five minutes" of the README, done as a newcomer does it:
// the configuration and the page are taken from the README as written,
// the agent runs as `./scripts/run --config my-config.json` runs it (a
// simulated CCCD inserted at start, its ID12 printed), the page is served
// by a static web server on an allowed origin and imports the client from
// the agent, and typing the printed ID12 fills the five fields. Only the
// ports change (free ones instead of 8000 and 20606).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { startAgent, freePort, repoRoot } from '../testing/agent.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.join(repoRoot, 'artifacts', 'screenshots');
const STEP = 20000;

// The section's code blocks, in order, by language.
function readmeBlocks() {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('## First page in five minutes');
  assert.ok(start >= 0, 'README.md has a "First page in five minutes" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = {};
  for (const m of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) (blocks[m[1]] ??= []).push(m[2]);
  return blocks;
}

let agent;
let server;
let browser;
let pagePort;

before(async () => {
  const blocks = readmeBlocks();
  const config = JSON.parse(blocks.json[0]);
  const runLine = blocks.sh.find((b) => b.includes('./scripts/run'));
  assert.match(runLine, /--config my-config\.json/);
  pagePort = await freePort();
  const agentPort = await freePort();
  // The README's origin, on this test's port.
  assert.equal(config.origins[0].origin, 'http://localhost:8000');
  config.origins[0].origin = `http://localhost:${pagePort}`;
  // As scripts/run starts it: simulated readers, a CCCD inserted at start.
  agent = await startAgent({ port: agentPort, config: { origins: config.origins }, args: ['--sim-card', 'cccd'] });
  const html = blocks.html[0].replaceAll('127.0.0.1:20606', `127.0.0.1:${agentPort}`);
  const lines = html.trimEnd().split('\n').length;
  assert.ok(lines <= 21, `the page is ${lines} lines: the README promises about 20`);
  // A static web server, as `python3 -m http.server` is: index.html at /.
  server = http.createServer((req, res) => {
    if (new URL(req.url, 'http://x').pathname !== '/') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(html);
  });
  await new Promise((resolve) => server.listen(pagePort, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage',
      // Chrome resolves localhost itself; make it this server's address.
      `--host-resolver-rules=MAP localhost 127.0.0.1`],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
  await agent?.stop();
});

test('a page written from the README alone, on an allowed origin, fills five fields from a simulated card', async () => {
  const id12 = /ID12 (\d{12})/.exec(agent.output)?.[1];
  assert.ok(id12, `the agent printed the card's ID12:\n${agent.output}`);
  assert.match(agent.output, new RegExp(`allowed web origins \\(.*\\): http://localhost:${pagePort}`), 'start-up lists the allowed origin');
  const page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://localhost:${pagePort}/`);
  await page.locator('#key').fill(id12);
  await page.locator('#key').press('Enter');
  await page.waitForFunction(() => !['', 'Reading…'].includes(document.getElementById('verdict').textContent), null, { timeout: STEP });
  const got = await page.evaluate(() => Object.fromEntries(['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence']
    .map((f) => [f, document.getElementById(f).value])));
  assert.equal(await page.locator('#verdict').textContent(), 'Valid (test card)');
  assert.equal(got.idNumber, id12);
  for (const [f, v] of Object.entries(got)) assert.ok(v.length > 0, `${f} is filled`);
  assert.match(got.dateOfBirth, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(got.sex, /^[MFX]$/);
  await page.screenshot({ path: path.join(SHOTS, '19-readme-page.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the same page at 127.0.0.1 is another origin: refused, in words, and the agent logs why', async () => {
  const page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The client module itself is refused to this origin (no CORS): the
  // import fails and the page cannot even start.
  await page.goto(`http://127.0.0.1:${pagePort}/`);
  await page.waitForFunction(() => document.readyState === 'complete', null, { timeout: STEP });
  const state = await page.evaluate(async (url) => {
    const res = await fetch(url).then((r) => r.status, () => 'blocked');
    return { res };
  }, `http://127.0.0.1:${agent.port}/v1/health`);
  assert.equal(state.res, 403, 'health answers 403 to a refused origin');
  await page.screenshot({ path: path.join(SHOTS, '20-readme-page-refused-origin.png') });
  await page.close();
  const refusal = agent.output.split('\n').find((l) => l.includes('origin refused') && l.includes(`http://127.0.0.1:${pagePort}`));
  assert.ok(refusal, `the agent logged the refused origin:\n${agent.output}`);
  assert.match(refusal, /localhost and 127\.0\.0\.1 are different origins/);
});
