// A backend between the desk page and the verification service, in Node
// (>= 20, no dependencies): docs/VERIFIER.md walks through it.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const verifier = process.env.VERIFIER_URL ?? 'http://127.0.0.1:8080';
const key = process.env.VERIFIER_KEY; // this backend's API key at the verifier
const acceptTest = process.env.ACCEPT_TEST_ANCHORS === '1'; // simulator cards: demonstrations only

async function call(path, body) {
  const res = await fetch(verifier + path, { method: 'POST', body: JSON.stringify(body),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  if (!res.ok) throw new Error(`verifier ${path}: HTTP ${res.status}`);
  return res.json();
}

http.createServer(async (req, res) => {
  const reply = (status, data) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
  try {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method === 'POST' && req.url === '/checkin/start') {
      const transaction = randomUUID(); // your own check-in's id
      const { challenge } = await call('/v1/challenges', { transaction });
      return reply(200, { transaction, challenge });
    }
    if (req.method === 'POST' && req.url === '/checkin/finish') {
      const { transaction, challenge, evidence } = JSON.parse(body);
      const v = await call('/v1/verify', { transaction, challenge, evidence });
      if (v.verdict !== 'PASS' || (v.testAnchor && !acceptTest)) {
        return reply(403, { verdict: v.verdict, reasons: v.checks.filter((c) => ['FAIL', 'UNKNOWN', 'WARN'].includes(c.status)).map((c) => c.reason) });
      }
      return reply(200, { fields: v.fields }); // the verifier's fields, never the browser's
    }
    reply(404, { error: 'not found' });
  } catch (err) {
    reply(502, { error: err.message });
  }
}).listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
