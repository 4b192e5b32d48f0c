// The client against a real `idagent run --simulate` (built once per test
// run by testing/run.js, or here with go build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocket } from 'ws';

import { IdAgent, IdAgentError, ErrorCode, parseQR } from '../idagent.js';
import { startAgent, freePort, genuineVerdict, DESK_ORIGIN, HOTEL_ORIGIN, HOTEL_FIELDS } from '../../testing/agent.js';

// A browser page of a given origin: its fetch and WebSocket send Origin.
function asOrigin(origin) {
  class OriginWebSocket extends WebSocket {
    constructor(url) {
      super(url, { origin });
    }
  }
  const originFetch = (url, init = {}) => fetch(url, { ...init, headers: { ...(init.headers ?? {}), Origin: origin } });
  return { WebSocket: OriginWebSocket, fetch: originFetch };
}

let agent;
const clients = [];

function client(opts = {}) {
  const c = new IdAgent({ url: agent.url, client: 'node-test', ...asOrigin(DESK_ORIGIN), minDelayMs: 100, maxDelayMs: 1000, ...opts });
  clients.push(c);
  return c;
}

function once(c, name, pred = () => true, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = c.on(name, (d) => {
      if (!pred(d)) return;
      clearTimeout(timer);
      off();
      resolve(d);
    });
  });
}

// The key a desk types for a simulated card: the full MRZ opens every
// profile through BAC.
const mrzKey = (card) => ({ mrz: card.mrz });

// YYMMDD of the MRZ → the ISO date the agent sends.
function isoFromMRZ(yymmdd, id12) {
  const century = id12 && /^[2-3]$/.test(id12[3]) ? '20' : '19';
  return `${century}${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

before(async () => {
  agent = await startAgent();
});

after(async () => {
  for (const c of clients) c.close();
  await agent?.stop();
});

test('hello negotiates protocol 1 and reports the simulator', async () => {
  const c = client();
  const states = [];
  c.on('state', (s) => states.push(s.state));
  const hello = await c.connect();
  assert.equal(hello.agent, 'idagent');
  assert.equal(hello.protocol, 1);
  assert.equal(hello.simulate, true);
  assert.ok(hello.capabilities.includes('sim'), 'capability sim');
  assert.ok(hello.capabilities.includes('read'), 'capability read');
  assert.equal(c.state, 'open');
  assert.deepEqual(states, ['connecting', 'open']);
  assert.equal(c.health.agent, 'idagent');
  assert.ok(c.health.protocol.includes(1));
  assert.equal(c.info, hello);
});

test('readers() lists the simulated reader; card events follow sim.insert and sim.remove', async () => {
  const c = client();
  await c.connect();
  const readers = await c.readers();
  assert.ok(readers.length >= 1, 'at least one simulated reader');
  assert.equal(typeof readers[0].name, 'string');
  assert.ok(c.readerState.some((r) => r.name === readers[0].name), 'reader.added announced on connect');

  const inserted = once(c, 'card.inserted');
  const card = await c.simInsert({ profile: 'cccd', seed: 11 });
  assert.equal(typeof card.reader, 'string');
  const ev = await inserted;
  assert.equal(ev.reader, card.reader);
  assert.equal(c.readerState.find((r) => r.name === card.reader).cardPresent, true);
  assert.ok(!JSON.stringify(ev).includes(card.id12), 'card events carry no personal data');

  const removed = once(c, 'card.removed');
  await c.simRemove(card.reader);
  assert.equal((await removed).reader, card.reader);
  assert.equal(c.readerState.find((r) => r.name === card.reader).cardPresent, false);
});

test('read() resolves with the verified identity, photo and checks, with progress, identity and photo callbacks in order', async () => {
  const c = client();
  await c.connect();
  const card = await c.simInsert({ profile: 'cccd', seed: 7 });
  const order = [];
  let lastPercent = -1;
  let identity;
  const res = await c.read({
    access: mrzKey(card),
    photo: true,
    onProgress: (p) => {
      assert.ok(p.percent >= lastPercent, 'percent never decreases');
      lastPercent = p.percent;
      if (order.at(-1) !== 'progress') order.push('progress');
    },
    onIdentity: (id) => {
      identity = id;
      order.push('identity');
    },
    onPhoto: (ph) => {
      assert.equal(ph.mime, 'image/jpeg');
      order.push('photo');
    },
  });
  assert.ok(order.indexOf('identity') >= 0 && order.indexOf('identity') < order.indexOf('photo'), `identity before photo: ${order}`);
  assert.equal(identity.fields.idNumber, card.id12);
  assert.equal(res.fields.idNumber, card.id12);
  assert.equal(res.fields.dateOfBirth, isoFromMRZ(card.dateOfBirth, card.id12));
  assert.equal(res.fields.documentNumber, card.documentNumber);
  assert.ok(res.fields.fullName && res.fields.fullName.length > 3);
  assert.equal(res.document.issuingState, 'VNM');
  // Every check passes (genuineVerdict throws otherwise), and the verdict
  // says so.
  assert.equal(res.verification.overall, genuineVerdict(res), JSON.stringify(res.verification.checks));
  assert.equal(res.verification.testAnchor, true);
  for (const name of ['sod.signature', 'ds.chain', 'dg.hash.DG1', 'dg.hash.DG2', 'dg.hash.DG13', 'active.authentication']) {
    assert.ok(res.verification.checks.some((ch) => ch.name === name), `check ${name} is reported`);
  }
  assert.ok(res.photo && res.photo.base64.startsWith('/9j/'), 'the photo is a JPEG');
  assert.equal(typeof res.readId, 'string');
  await c.simRemove(card.reader);
});

test('a read can be iterated event by event', async () => {
  const c = client();
  await c.connect();
  const card = await c.simInsert({ profile: 'cccd', seed: 8 });
  const types = [];
  let result;
  for await (const ev of c.read({ access: mrzKey(card), photo: true })) {
    types.push(ev.type);
    if (ev.type === 'result') result = ev.data;
  }
  assert.equal(types.at(-1), 'result');
  assert.ok(types.includes('progress') && types.includes('identity') && types.includes('photo'), types.join(','));
  assert.equal(result.fields.idNumber, card.id12);
  assert.ok(result.photo);
  await c.simRemove(card.reader);
});

test('a tampered card (dg13-edited) reads but fails verification on DG13', async () => {
  const c = client();
  await c.connect();
  const card = await c.simInsert({ profile: 'cccd', tamper: 'dg13-edited', seed: 9 });
  const res = await c.read({ access: mrzKey(card), photo: true });
  await c.simRemove(card.reader);
  assert.equal(res.verification.overall, 'FAIL');
  const dg13 = res.verification.checks.find((ch) => ch.name === 'dg.hash.DG13');
  assert.equal(dg13?.status, 'FAIL');
});

test('the 12-digit number opens a 2021 card and a PACE-only 2024 card (PACE with the CAN it gives)', async () => {
  const c = client();
  await c.connect();
  for (const profile of ['cccd', 'cccd2024']) {
    const card = await c.simInsert({ profile, seed: 14 });
    try {
      const res = await c.read({ access: { id12: card.id12 } });
      assert.equal(res.fields.idNumber, card.id12);
      assert.match(res.document.access, /^PACE/);
      assert.equal(res.verification.overall, genuineVerdict(res));
    } finally {
      await c.simRemove(card.reader);
    }
  }
});

test('a wrong key fails with ACCESS_DENIED, not retryable', async () => {
  const c = client();
  await c.connect();
  const card = await c.simInsert({ profile: 'cccd', seed: 10 });
  const wrong = { documentNumber: card.documentNumber, dateOfBirth: card.dateOfBirth, dateOfExpiry: card.dateOfExpiry === '010101' ? '020202' : '010101' };
  await assert.rejects(c.read({ access: wrong }), (err) => {
    assert.ok(err instanceof IdAgentError);
    assert.equal(err.code, ErrorCode.ACCESS_DENIED);
    assert.equal(err.retryable, false);
    assert.equal(typeof err.readId, 'string');
    return true;
  });
  await c.simRemove(card.reader);
});

test('a malformed key is refused with BAD_REQUEST by read.start', async () => {
  const c = client();
  await c.connect();
  await assert.rejects(c.read({ access: { can: '12' } }), (err) => err.code === ErrorCode.BAD_REQUEST && err.retryable === false);
});

test('cancel() ends a read that waits for a card with CANCELLED; so does an AbortSignal', async () => {
  const c = client();
  await c.connect();
  const readers = await c.readers();
  for (const r of readers) if (r.cardPresent) await c.simRemove(r.name);
  const phases = [];
  const op = c.read({ access: { can: '123456' }, reader: readers[0].name, onProgress: (p) => phases.push(p.phase) });
  const readId = await op.started;
  assert.equal(typeof readId, 'string');
  assert.equal(op.readId, readId);
  await op.cancel();
  await assert.rejects(op, (err) => err.code === ErrorCode.CANCELLED);
  assert.equal(op.done, true);

  const ac = new AbortController();
  const op2 = c.read({ access: { can: '123456' }, reader: readers[0].name, signal: ac.signal });
  await op2.started;
  ac.abort();
  await assert.rejects(op2, (err) => err.code === ErrorCode.CANCELLED);
});

test('an origin outside the allowlist gets ORIGIN_NOT_ALLOWED from /v1/health, before any WebSocket', async () => {
  let sockets = 0;
  class CountingWS extends WebSocket {
    constructor(url) {
      super(url, { origin: 'https://evil.example' });
      sockets++;
    }
  }
  const evil = asOrigin('https://evil.example');
  const c = client({ ...evil, WebSocket: CountingWS, reconnect: false });
  await assert.rejects(c.connect(), (err) => {
    assert.equal(err.code, ErrorCode.ORIGIN_NOT_ALLOWED);
    assert.equal(err.status, 403);
    assert.equal(err.retryable, false);
    assert.match(err.message, /origins/);
    return true;
  });
  assert.equal(sockets, 0);
  assert.equal(c.state, 'closed');
});

test('the hotel origin receives only its fields and no photo', async () => {
  const c = client(asOrigin(HOTEL_ORIGIN));
  const hello = await c.connect();
  assert.equal(hello.policy.photo, false);
  const card = await c.simInsert({ profile: 'cccd', seed: 12 });
  let photos = 0;
  const res = await c.read({ access: mrzKey(card), photo: true, onPhoto: () => photos++ });
  for (const k of Object.keys(res.fields)) assert.ok(HOTEL_FIELDS.includes(k), `field ${k} is outside the hotel policy`);
  assert.ok(res.withheld.includes('ethnicity') || res.withheld.includes('placeOfOrigin'), `withheld: ${res.withheld}`);
  assert.equal(photos, 0);
  assert.equal(res.photo, null);
  await c.simRemove(card.reader);
});

test('nothing listening gives AGENT_NOT_RUNNING, retried with growing, jittered delays', async () => {
  const port = await freePort();
  const c = new IdAgent({ url: `http://127.0.0.1:${port}`, minDelayMs: 40, maxDelayMs: 200 });
  clients.push(c);
  const delays = [];
  const done = new Promise((resolve) => {
    c.on('state', (s) => {
      if (s.retryInMs !== undefined) delays.push(s.retryInMs);
      if (delays.length === 5) resolve();
    });
  });
  await assert.rejects(c.connect(), (err) => {
    assert.equal(err.code, ErrorCode.AGENT_NOT_RUNNING);
    assert.equal(err.retryable, true);
    assert.match(err.message, /not running/);
    return true;
  });
  await done;
  c.close();
  const caps = [40, 80, 160, 200, 200];
  delays.forEach((d, i) => assert.ok(d >= caps[i] / 2 && d <= caps[i], `delay ${i} = ${d}, want ${caps[i] / 2}..${caps[i]}`));
  assert.equal(c.state, 'closed');
  await assert.rejects(c.readers(), (err) => err.code === ErrorCode.CLOSED);
});

test('a denied Local Network Access permission is reported as PERMISSION_DENIED', async () => {
  const port = await freePort();
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: {
      permissions: {
        query: async ({ name }) => {
          if (name === 'loopback-network') return { state: 'denied' };
          throw new TypeError(`unknown permission ${name}`);
        },
      },
    },
  });
  try {
    const c = new IdAgent({ url: `http://127.0.0.1:${port}`, reconnect: false });
    await assert.rejects(c.connect(), (err) => {
      assert.equal(err.code, ErrorCode.PERMISSION_DENIED);
      assert.equal(err.retryable, false);
      assert.match(err.message, /Local Network Access/);
      return true;
    });
  } finally {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete globalThis.navigator;
  }
});

test('an agent speaking only another protocol version gives PROTOCOL_UNSUPPORTED', async () => {
  const srv = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ agent: 'idagent', version: '9.0.0', protocol: [2] }));
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const c = new IdAgent({ url: `http://127.0.0.1:${srv.address().port}`, reconnect: false });
    await assert.rejects(c.connect(), (err) => err.code === ErrorCode.PROTOCOL_UNSUPPORTED);
  } finally {
    srv.close();
  }
});

test('the client reconnects by itself when the agent stops and comes back; a read in flight fails with CONNECTION_LOST', async () => {
  const own = await startAgent();
  try {
    const c = new IdAgent({ url: own.url, ...asOrigin(DESK_ORIGIN), minDelayMs: 100, maxDelayMs: 500 });
    clients.push(c);
    await c.connect();
    const readers = await c.readers();
    const waiting = c.read({ access: { can: '123456' }, reader: readers[0].name });
    await waiting.started;
    const closed = once(c, 'close');
    const reconnecting = once(c, 'state', (s) => s.state === 'reconnecting');
    await own.kill();
    const err = await closed;
    assert.equal(err.code, ErrorCode.CONNECTION_LOST);
    await assert.rejects(waiting, (e) => e.code === ErrorCode.CONNECTION_LOST && e.retryable === true);
    await reconnecting;
    // While it is away, requests fail at once with the reason.
    await assert.rejects(c.readers(), (e) => [ErrorCode.CONNECTION_LOST, ErrorCode.AGENT_NOT_RUNNING].includes(e.code));
    const reopened = once(c, 'open', () => true, 20000);
    await own.start();
    const hello = await reopened;
    assert.equal(hello.protocol, 1);
    assert.equal(c.state, 'open');
    assert.ok((await c.readers()).length >= 1);
    c.close();
  } finally {
    await own.stop();
  }
});

test('parseQR gives a key the agent accepts for a simulated card', async () => {
  const c = client();
  await c.connect();
  const card = await c.simInsert({ profile: 'cccd', seed: 13 });
  const dob = isoFromMRZ(card.dateOfBirth, card.id12);
  const payload = `${card.id12}||Nguyá»…n VÄƒn A|${dob.slice(8, 10)}${dob.slice(5, 7)}${dob.slice(0, 4)}|Nam|HÃ  Ná»™i|`;
  const { access } = parseQR(payload);
  const res = await c.read({ access });
  assert.equal(res.fields.idNumber, card.id12);
  await c.simRemove(card.reader);
});
