// @idagent/client: the browser (and Node) client of idagent's local
// WebSocket API v1 (docs/PROTOCOL.md).
//
// One IdAgent object keeps one connection to the agent on the desk PC: it
// checks GET /v1/health first (so that Chrome asks its Local Network Access
// question through a fetch, and so that "not running", "not permitted by the
// browser" and "origin not allowed" can be told apart), opens the
// WebSocket, negotiates the protocol with `hello`, and reconnects with
// exponential backoff and jitter whenever the agent goes away.
//
// No dependencies. Nothing here logs: identities are personal data.

import { IdAgentError, ErrorCode } from './errors.js';

export { IdAgentError, ErrorCode } from './errors.js';
export {
  parseQR, looksLikeQR, accessKeyFromInput, looksLikeDocumentNumber, mrzDateFromInput, passportKey,
  isValidID12, id12Info, normalizeDigits, formatDG13Date, parseDG13Date, formatMRZDate, toMRZDate,
} from './cccd.js';

/** Protocol versions this client speaks. */
export const PROTOCOL_VERSIONS = Object.freeze([1]);
/** Version of this client library. */
export const VERSION = '0.1.0';
/**
 * Where the agent listens by default: the agent that served this module
 * when a page imports it from the agent (`…/v1/client/idagent.js`), else
 * http://127.0.0.1:20606.
 */
export const DEFAULT_URL = servingAgent() ?? 'http://127.0.0.1:20606';

function servingAgent() {
  try {
    const u = new URL(import.meta.url);
    if (/^https?:$/.test(u.protocol) && u.pathname.endsWith('/v1/client/idagent.js')) return u.origin;
  } catch {
    // no URL for this module (a bundle): the default address
  }
  return null;
}

const READ_EVENTS = new Set(['read.progress', 'read.identity', 'read.photo', 'read.result', 'read.failed']);

/**
 * The state of the browser's Local Network Access permission for this page
 * (Chrome 142+: `loopback-network`, formerly `local-network-access`):
 * 'granted', 'prompt', 'denied', or 'unsupported' where the browser has no
 * such permission. A page can call this before connecting, to connect only
 * after a click when the state is 'prompt' (Chrome's advice).
 * @returns {Promise<'granted'|'prompt'|'denied'|'unsupported'>}
 */
export async function localNetworkPermission() {
  const perms = globalThis.navigator?.permissions;
  if (!perms || typeof perms.query !== 'function') return 'unsupported';
  for (const name of ['loopback-network', 'local-network-access']) {
    try {
      const st = await perms.query({ name });
      if (st && typeof st.state === 'string') return st.state;
    } catch {
      // This browser does not know the name: try the next one.
    }
  }
  return 'unsupported';
}

/**
 * Builds a `data:` URL from a photo event, for an <img>.
 * @param {{mime: string, base64: string}} photo
 */
export function photoDataURL(photo) {
  if (!photo || typeof photo.base64 !== 'string') return '';
  return `data:${photo.mime || 'image/jpeg'};base64,${photo.base64}`;
}

function pageOrigin() {
  const o = globalThis.location?.origin;
  return typeof o === 'string' && o !== 'null' ? o : null;
}

function isLoopbackHost(host) {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}

// Re-throws an exception of user code outside our dispatch loop, so that it
// is reported but cannot break the connection.
function reportAsync(err) {
  queueMicrotask(() => {
    throw err;
  });
}

function safeCall(fn, ...args) {
  if (typeof fn !== 'function') return;
  try {
    fn(...args);
  } catch (err) {
    reportAsync(err);
  }
}

/**
 * A running read. Await it (it is a thenable) for the final result, iterate
 * it with `for await` for every event, or call `cancel()`.
 */
class ReadOperation {
  #agent;
  #opts;
  #promise;
  #resolve;
  #reject;
  #queue = [];
  #wake = null;
  #finished = false;
  #error = null;
  #cancelWanted = false;
  #photo = null;
  #startedResolve;

  constructor(agent, opts) {
    this.#agent = agent;
    this.#opts = opts;
    /** The agent's id of this read, once `read.start` was answered. */
    this.readId = null;
    this.#promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Callers may use only the iterator: never report an unhandled rejection.
    this.#promise.catch(() => {});
    /** Resolves with the readId when the agent accepted the read. */
    this.started = new Promise((resolve) => {
      this.#startedResolve = resolve;
    });
    this.started.catch(() => {});
  }

  then(onFulfilled, onRejected) {
    return this.#promise.then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.#promise.catch(onRejected);
  }

  finally(onFinally) {
    return this.#promise.finally(onFinally);
  }

  /** Whether the read has ended (result or failure). */
  get done() {
    return this.#finished;
  }

  /**
   * Cancels the read. The read then fails with code CANCELLED (unless it
   * already ended). Resolves when the agent has taken the cancel.
   */
  async cancel() {
    if (this.#finished) return;
    this.#cancelWanted = true;
    if (this.readId === null) return; // sent as soon as the agent answers read.start
    try {
      await this.#agent.request('read.cancel', { readId: this.readId });
    } catch (err) {
      // Already finished (BAD_STATE) or the connection is gone: the read
      // ends by itself either way.
      if (!(err instanceof IdAgentError)) throw err;
    }
  }

  [Symbol.asyncIterator]() {
    return {
      next: async () => {
        for (;;) {
          if (this.#queue.length > 0) return { value: this.#queue.shift(), done: false };
          if (this.#error) throw this.#error;
          if (this.#finished) return { value: undefined, done: true };
          await new Promise((r) => {
            this.#wake = r;
          });
        }
      },
      return: async () => {
        if (!this.#finished) await this.cancel();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  #push(item) {
    this.#queue.push(item);
    this.#wakeUp();
  }

  #wakeUp() {
    const w = this.#wake;
    this.#wake = null;
    if (w) w();
  }

  // Internal: the agent accepted the read.
  _started(readId) {
    this.readId = readId;
    this.#startedResolve(readId);
    if (this.#cancelWanted) this.cancel();
  }

  // Internal: one read.* event for this read.
  _event(name, data) {
    if (this.#finished) return;
    const o = this.#opts;
    switch (name) {
      case 'read.progress':
        this.#push({ type: 'progress', data });
        safeCall(o.onProgress, data);
        break;
      case 'read.identity':
        this.#push({ type: 'identity', data });
        safeCall(o.onIdentity, data);
        break;
      case 'read.photo':
        this.#photo = { mime: data.mime, base64: data.base64 };
        this.#push({ type: 'photo', data });
        safeCall(o.onPhoto, data);
        break;
      case 'read.result': {
        const result = { ...data, photo: this.#photo };
        this.#push({ type: 'result', data: result });
        this.#finish(null, result);
        break;
      }
      case 'read.failed':
        this.#finish(IdAgentError.fromWire(data.error, data.readId));
        break;
      default:
        break;
    }
  }

  // Internal: the read failed without an event (connection lost, refused).
  _fail(err) {
    if (this.#finished) return;
    this.#finish(err);
  }

  #finish(err, result) {
    this.#finished = true;
    this.#agent._forgetRead(this);
    if (err) {
      this.#error = err;
      this.#reject(err);
    } else {
      this.#resolve(result);
    }
    this.#startedResolve(this.readId);
    this.#wakeUp();
  }
}

/**
 * A connection to idagent. See README.md for examples.
 */
export class IdAgent {
  #opts;
  #base;
  #ws = null;
  #state = 'idle';
  #listeners = new Map();
  #pending = new Map();
  #reads = new Map(); // readId → ReadOperation
  #orphans = new Map(); // readId → events that came before read.start's answer
  #nextId = 1;
  #attempt = 0;
  #timer = null;
  #connecting = false;
  #waiters = [];
  #hello = null;
  #health = null;
  #lastError = null;
  #readers = new Map();
  #everOpened = false;
  #gen = 0; // bumped by close(): a stale connection attempt stops

  /**
   * @param {import('./idagent').IdAgentOptions} [opts]
   */
  constructor(opts = {}) {
    const o = {
      url: DEFAULT_URL,
      client: undefined,
      reconnect: true,
      minDelayMs: 500,
      maxDelayMs: 15000,
      healthTimeoutMs: 5000,
      connectTimeoutMs: 10000,
      requestTimeoutMs: 15000,
      WebSocket: undefined,
      fetch: undefined,
      ...opts,
    };
    let url = String(o.url).replace(/\/+$/, '');
    url = url.replace(/^ws:/, 'http:').replace(/^wss:/, 'https:');
    if (!/^https?:\/\/[^/]+$/.test(url)) {
      throw new TypeError('IdAgent: url must be the agent\'s address, like "http://127.0.0.1:20606"');
    }
    this.#base = url;
    this.#opts = o;
  }

  /** The agent's base URL. */
  get url() {
    return this.#base;
  }

  /** 'idle', 'connecting', 'open', 'reconnecting' or 'closed'. */
  get state() {
    return this.#state;
  }

  /** The `hello` answer of the current connection (null when not open). */
  get info() {
    return this.#hello;
  }

  /** The last `/v1/health` answer. */
  get health() {
    return this.#health;
  }

  /** Why the last connection attempt failed or the connection dropped. */
  get lastError() {
    return this.#lastError;
  }

  /**
   * The readers the agent announced on this connection, with whether a card
   * is present. Updated by reader and card events.
   * @returns {{name: string, cardPresent: boolean, atr?: string}[]}
   */
  get readerState() {
    return [...this.#readers.values()].map((r) => ({ ...r }));
  }

  /**
   * Listens to an event: any agent event name (`card.inserted`,
   * `card.removed`, `reader.added`, `reader.removed`), `state` (connection
   * state changes), `open` (connected; the `hello` answer), `close` (the
   * connection dropped; the error) or `event` (every agent event).
   * @returns {() => void} a function that removes the listener
   */
  on(name, fn) {
    if (typeof fn !== 'function') throw new TypeError('IdAgent.on: listener must be a function');
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(fn);
    return () => this.off(name, fn);
  }

  /** Removes a listener added with on(). */
  off(name, fn) {
    this.#listeners.get(name)?.delete(fn);
  }

  #emit(name, ...args) {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) safeCall(fn, ...args);
  }

  #setState(state, extra = {}) {
    this.#state = state;
    this.#emit('state', { state, ...extra });
  }

  /**
   * Connects (if not connected) and resolves with the `hello` answer once
   * the connection is open. Rejects with the first attempt's error
   * (AGENT_NOT_RUNNING, PERMISSION_DENIED, ORIGIN_NOT_ALLOWED, ...); with
   * `reconnect` (the default) the client keeps trying in the background and
   * emits `open` when it gets through.
   * @returns {Promise<object>}
   */
  connect() {
    if (this.#state === 'open') return Promise.resolve(this.#hello);
    const p = new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (this.#state === 'closed' || this.#state === 'idle') {
      this.#attempt = 0;
      this.#setState(this.#everOpened ? 'reconnecting' : 'connecting');
    }
    if (this.#timer !== null) {
      // Waiting to retry: try now, the caller is asking.
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (!this.#connecting) this.#tryConnect();
    return p;
  }

  /**
   * Closes the connection and stops reconnecting. Pending requests and
   * reads fail with CLOSED. connect() may be called again later.
   */
  close() {
    this.#gen++;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const ws = this.#ws;
    this.#ws = null;
    this.#connecting = false;
    const err = new IdAgentError(ErrorCode.CLOSED, 'the connection to the agent was closed by the page');
    this.#dropAll(err);
    for (const w of this.#waiters.splice(0)) w.reject(err);
    if (ws) {
      try {
        ws.close(1000, 'closed by the client');
      } catch {
        // already closing
      }
    }
    this.#hello = null;
    this.#readers.clear();
    if (this.#state !== 'closed') this.#setState('closed');
  }

  async #tryConnect() {
    this.#connecting = true;
    const gen = this.#gen;
    const attemptState = this.#state;
    try {
      const health = await this.#checkHealth();
      if (gen !== this.#gen) return; // close() was called meanwhile
      this.#health = health;
      await this.#openSocket(gen);
    } catch (err) {
      if (gen !== this.#gen) return; // close() was called meanwhile
      this.#connecting = false;
      const e = err instanceof IdAgentError
        ? err
        : new IdAgentError(ErrorCode.CONNECTION_FAILED, `could not connect to the agent at ${this.#base}`, { cause: err });
      this.#lastError = e;
      for (const w of this.#waiters.splice(0)) w.reject(e);
      this.#scheduleRetry(e, attemptState);
    }
  }

  #scheduleRetry(err, prevState) {
    if (!this.#opts.reconnect) {
      this.#setState('closed', { error: err });
      return;
    }
    // Exponential backoff with jitter (half fixed, half random), so that
    // many desks restarting together do not knock in step. Errors that need
    // a person (permission, configuration) retry at the slowest pace.
    const n = this.#attempt++;
    const cap = err.retryable
      ? Math.min(this.#opts.maxDelayMs, this.#opts.minDelayMs * 2 ** Math.min(n, 20))
      : this.#opts.maxDelayMs;
    const wait = Math.round(cap / 2 + Math.random() * (cap / 2));
    const state = this.#everOpened || prevState === 'reconnecting' ? 'reconnecting' : 'connecting';
    this.#setState(state, { error: err, attempt: this.#attempt, retryInMs: wait });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#connecting && this.#state !== 'closed' && this.#state !== 'open') this.#tryConnect();
    }, wait);
  }

  async #checkHealth() {
    const fetchFn = this.#opts.fetch ?? globalThis.fetch?.bind(globalThis);
    if (!fetchFn) throw new IdAgentError(ErrorCode.CONNECTION_FAILED, 'this environment has no fetch(): pass one in the options');
    const url = `${this.#base}/v1/health`;
    // While Chrome shows its Local Network Access question, the fetch waits
    // for the clerk: never time it out then.
    const perm = await localNetworkPermission();
    const timeout = perm === 'prompt' ? 0 : this.#opts.healthTimeoutMs;
    let res;
    try {
      res = await fetchWithTimeout(fetchFn, url, { method: 'GET', cache: 'no-store', credentials: 'omit' }, timeout);
    } catch (err) {
      throw await this.#diagnose(fetchFn, url, err);
    }
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.status === 403) {
      const origin = pageOrigin();
      throw new IdAgentError(ErrorCode.ORIGIN_NOT_ALLOWED,
        `the agent refuses this page's origin${origin ? ` (${origin})` : ''}: an administrator must add it to "origins" in the agent's configuration file and restart the agent`,
        { status: 403 });
    }
    if (res.status === 421) {
      throw new IdAgentError(ErrorCode.HOST_NOT_ALLOWED,
        `the agent refuses the host name of ${this.#base}: use http://127.0.0.1:PORT or http://localhost:PORT, or add the name to "hosts" in the agent's configuration`,
        { status: 421 });
    }
    if (!res.ok || !body || body.agent !== 'idagent') {
      throw new IdAgentError(ErrorCode.CONNECTION_FAILED,
        `${url} answered HTTP ${res.status} and is not idagent: another program may use the agent's port`,
        { status: res.status, retryable: true });
    }
    const protocols = Array.isArray(body.protocol) ? body.protocol : [body.protocol];
    if (!protocols.some((v) => PROTOCOL_VERSIONS.includes(v))) {
      throw new IdAgentError(ErrorCode.PROTOCOL_UNSUPPORTED,
        `the agent speaks protocol ${protocols.join(', ')}, this client ${PROTOCOL_VERSIONS.join(', ')}: update the client or the agent`);
    }
    return body;
  }

  // Tells apart why the health fetch failed: the browser refused the
  // permission, the agent answered without allowing this origin (a CORS
  // failure), or nothing listens.
  async #diagnose(fetchFn, url, err) {
    if (err instanceof IdAgentError) return err;
    const perm = await localNetworkPermission();
    if (perm === 'denied') {
      return new IdAgentError(ErrorCode.PERMISSION_DENIED,
        'the browser blocks this page from reaching the card reader agent on this computer (Local Network Access was denied): click the site settings icon left of the address bar and allow "Local network access" (or "Apps on this device"), then reload; administrators can allow it for all desks with the LocalNetworkAccessAllowedForUrls policy',
        { cause: err });
    }
    if (globalThis.document !== undefined) {
      // An opaque no-cors answer means something listens but did not allow
      // this origin (an agent older than the 403 answer, or another program).
      try {
        await fetchWithTimeout(fetchFn, url, { mode: 'no-cors', cache: 'no-store', credentials: 'omit' }, this.#opts.healthTimeoutMs);
        const origin = pageOrigin();
        return new IdAgentError(ErrorCode.ORIGIN_NOT_ALLOWED,
          `something answers at ${this.#base} but does not allow this page's origin${origin ? ` (${origin})` : ''}: an administrator must add it to "origins" in the agent's configuration file`,
          { cause: err });
      } catch {
        // Nothing answers at all.
      }
    }
    let hint = '';
    const loc = globalThis.location;
    if (loc && globalThis.isSecureContext === false && !isLoopbackHost(loc.hostname)) {
      hint = ' This page is not served over HTTPS: Chrome blocks such pages from reaching the agent, serve it over HTTPS.';
    } else if (loc && loc.protocol === 'https:' && /^http:/.test(this.#base) && /Safari/.test(globalThis.navigator?.userAgent ?? '') && !/Chrome|Chromium|Edg/.test(globalThis.navigator.userAgent)) {
      hint = ' Safari does not let HTTPS pages reach http://127.0.0.1: use Chrome, Edge or Firefox, or open the page from the agent.';
    }
    if (err?.name === 'AbortError' || err?.name === 'TimeoutError') {
      return new IdAgentError(ErrorCode.AGENT_NOT_RUNNING,
        `the card reader agent at ${this.#base} does not answer: restart the idagent service on this computer.${hint}`,
        { cause: err });
    }
    return new IdAgentError(ErrorCode.AGENT_NOT_RUNNING,
      `the card reader agent is not running at ${this.#base}: start the idagent service on this computer (or install it).${hint}`,
      { cause: err });
  }

  #openSocket(gen) {
    return new Promise((resolve, reject) => {
      const WS = this.#opts.WebSocket ?? globalThis.WebSocket;
      if (!WS) {
        reject(new IdAgentError(ErrorCode.CONNECTION_FAILED, 'this environment has no WebSocket: pass one in the options'));
        return;
      }
      const wsUrl = `${this.#base.replace(/^http/, 'ws')}/v1/ws`;
      let ws;
      try {
        ws = new WS(wsUrl);
      } catch (err) {
        reject(new IdAgentError(ErrorCode.CONNECTION_FAILED, `could not open ${wsUrl}`, { cause: err }));
        return;
      }
      this.#ws = ws;
      this.#readers.clear();
      let settled = false;
      const fail = (e) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.#ws === ws) this.#ws = null;
        try {
          ws.close();
        } catch {
          // not open
        }
        reject(e);
      };
      const timer = setTimeout(() => fail(new IdAgentError(ErrorCode.CONNECTION_FAILED,
        `the agent at ${this.#base} answered /v1/health but its WebSocket did not open in time`)), this.#opts.connectTimeoutMs);
      ws.onmessage = (ev) => {
        if (this.#ws !== ws) return;
        this.#onFrame(ev.data);
      };
      ws.onerror = () => {
        // A close event follows with the details.
      };
      ws.onclose = (ev) => {
        if (!settled) {
          fail(new IdAgentError(ErrorCode.CONNECTION_FAILED,
            `the agent at ${this.#base} refused the WebSocket (close code ${ev?.code ?? 'unknown'}): it may have reached its connection limit, or be restarting`));
          return;
        }
        if (this.#ws === ws) this.#onLost(ev);
      };
      ws.onopen = () => {
        const hello = { versions: [...PROTOCOL_VERSIONS] };
        if (this.#opts.client) hello.client = String(this.#opts.client).slice(0, 100);
        this.#send(ws, 'hello', hello, this.#opts.connectTimeoutMs).then((data) => {
          if (settled) return;
          if (gen !== this.#gen) {
            fail(new IdAgentError(ErrorCode.CLOSED, 'closed by the page'));
            return;
          }
          settled = true;
          clearTimeout(timer);
          this.#hello = data;
          this.#connecting = false;
          this.#attempt = 0;
          this.#lastError = null;
          this.#everOpened = true;
          this.#setState('open');
          this.#emit('open', data);
          for (const w of this.#waiters.splice(0)) w.resolve(data);
          resolve(data);
        }, (err) => {
          if (err.code === ErrorCode.BAD_REQUEST) {
            fail(new IdAgentError(ErrorCode.PROTOCOL_UNSUPPORTED,
              `the agent shares no protocol version with this client (${err.message}): update the client or the agent`));
          } else {
            fail(err);
          }
        });
      };
    });
  }

  #onLost(ev) {
    this.#ws = null;
    this.#hello = null;
    this.#readers.clear();
    const err = new IdAgentError(ErrorCode.CONNECTION_LOST,
      `the connection to the card reader agent was lost (close code ${ev?.code ?? 'unknown'}): reconnecting`);
    this.#lastError = err;
    this.#dropAll(err);
    this.#emit('close', err);
    this.#scheduleRetry(err, 'reconnecting');
  }

  #dropAll(err) {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.#pending.clear();
    for (const r of [...this.#reads.values()]) r._fail(err);
    this.#reads.clear();
    this.#orphans.clear();
  }

  #onFrame(raw) {
    let msg;
    try {
      msg = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
    } catch {
      return; // not ours to fix: ignore
    }
    if (!msg || typeof msg !== 'object') return;
    const data = msg.data && typeof msg.data === 'object' ? msg.data : {};
    if (msg.type === 'response') {
      const key = String(msg.id);
      const p = this.#pending.get(key);
      if (!p) return;
      this.#pending.delete(key);
      clearTimeout(p.timer);
      if (msg.error) p.reject(IdAgentError.fromWire(msg.error));
      else p.resolve(data);
      return;
    }
    if (msg.type !== 'event' || typeof msg.name !== 'string') return;
    const name = msg.name;
    if (READ_EVENTS.has(name)) {
      const id = data.readId;
      const op = this.#reads.get(id);
      if (op) {
        op._event(name, data);
      } else if (typeof id === 'string') {
        // The event overtook the answer to read.start: keep it briefly.
        let q = this.#orphans.get(id);
        if (!q) {
          if (this.#orphans.size > 16) this.#orphans.delete(this.#orphans.keys().next().value);
          this.#orphans.set(id, (q = []));
        }
        if (q.length < 64) q.push([name, data]);
      }
    } else {
      this.#trackReaders(name, data);
    }
    this.#emit(name, data, msg);
    this.#emit('event', msg);
  }

  #trackReaders(name, data) {
    const reader = data.reader;
    if (typeof reader !== 'string') return;
    switch (name) {
      case 'reader.added':
        if (!this.#readers.has(reader)) this.#readers.set(reader, { name: reader, cardPresent: false });
        break;
      case 'reader.removed':
        this.#readers.delete(reader);
        break;
      case 'card.inserted':
        this.#readers.set(reader, { name: reader, cardPresent: true, ...(data.atr ? { atr: data.atr } : {}) });
        break;
      case 'card.removed':
        this.#readers.set(reader, { name: reader, cardPresent: false });
        break;
      default:
        break;
    }
  }

  #send(ws, name, data, timeoutMs) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      const timer = timeoutMs > 0 ? setTimeout(() => {
        this.#pending.delete(String(id));
        reject(new IdAgentError(ErrorCode.REQUEST_TIMEOUT, `the agent did not answer ${name} in time`));
      }, timeoutMs) : null;
      this.#pending.set(String(id), { resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ v: 1, type: 'request', name, id, data: data ?? {} }));
      } catch (err) {
        this.#pending.delete(String(id));
        clearTimeout(timer);
        reject(new IdAgentError(ErrorCode.CONNECTION_LOST, 'the connection to the agent is closed', { cause: err }));
      }
    });
  }

  async #ready() {
    if (this.#state === 'open' && this.#ws) return this.#ws;
    if (this.#state === 'idle') {
      await this.connect();
      return this.#ws;
    }
    if (this.#state === 'closed') throw new IdAgentError(ErrorCode.CLOSED, 'the connection to the agent is closed: call connect()');
    if (this.#connecting || !this.#lastError) {
      // An attempt is under way: wait for its outcome.
      await this.connect();
      return this.#ws;
    }
    throw new IdAgentError(this.#lastError.code, this.#lastError.message, { retryable: this.#lastError.retryable, cause: this.#lastError });
  }

  /**
   * Sends any request of the protocol and resolves with its `data` (rejects
   * with an IdAgentError carrying the agent's code).
   * @param {string} name
   * @param {object} [data]
   */
  async request(name, data = {}) {
    const ws = await this.#ready();
    return this.#send(ws, name, data, this.#opts.requestTimeoutMs);
  }

  /** Lists the readers: `[{name, cardPresent, atr?, busy}]`. */
  async readers() {
    const d = await this.request('readers.list', {});
    return Array.isArray(d.readers) ? d.readers : [];
  }

  /**
   * Reads a card. Returns a ReadOperation: await it for the final result
   * (`read.result` data plus `photo`), or iterate it with `for await`.
   * @param {import('./idagent').ReadOptions} opts
   */
  read(opts) {
    if (!opts || typeof opts !== 'object' || !opts.access || typeof opts.access !== 'object') {
      throw new TypeError('IdAgent.read: give {access: {id12} | {can} | {qr} | {mrz} | {documentNumber, dateOfBirth, dateOfExpiry}}');
    }
    const op = new ReadOperation(this, opts);
    const req = { access: opts.access };
    for (const k of ['reader', 'fields', 'photo', 'challenge', 'evidence', 'timeoutMs']) {
      if (opts[k] !== undefined) req[k] = opts[k];
    }
    if (opts.signal) {
      if (opts.signal.aborted) {
        op._fail(new IdAgentError(ErrorCode.CANCELLED, 'the read was cancelled before it started', { retryable: true }));
        return op;
      }
      opts.signal.addEventListener('abort', () => op.cancel(), { once: true });
    }
    this.request('read.start', req).then((d) => {
      const readId = d.readId;
      if (op.done) return;
      this.#reads.set(readId, op);
      op._started(readId);
      const early = this.#orphans.get(readId);
      if (early) {
        this.#orphans.delete(readId);
        for (const [name, data] of early) op._event(name, data);
      }
    }, (err) => op._fail(err));
    return op;
  }

  /**
   * Reads a card for your backend to verify (docs/VERIFIER.md): the read
   * carries `challenge`, the 8 bytes (base64) your backend got from the
   * verification service (`POST /v1/challenges`), and asks for evidence.
   * Resolves with `{challenge, evidence, readId, local}`: post
   * `{challenge, evidence}` to your backend, which passes them to
   * `POST /v1/verify` and takes the fields from its answer. `local` is the
   * desk's own result, for the page to show progress: a backend never
   * trusts it. Other options (`access`, `reader`, `photo`, `timeoutMs`,
   * `signal`, callbacks) are `read()`'s. Rejects like `read()`, and with
   * BAD_REQUEST when the challenge is not base64 of 8 bytes or this origin's
   * policy does not allow evidence.
   * @param {string} challenge
   * @param {import('./idagent').ReadOptions} opts
   */
  async readForBackend(challenge, opts) {
    if (typeof challenge !== 'string' || !/^[A-Za-z0-9+/]{11}=$/.test(challenge)) {
      throw new IdAgentError(ErrorCode.BAD_REQUEST, 'readForBackend: the challenge must be base64 of 8 bytes, as POST /v1/challenges returns it');
    }
    const local = await this.read({ ...opts, challenge, evidence: true });
    if (!local.evidence) {
      throw new IdAgentError(ErrorCode.BAD_REQUEST, 'readForBackend: the agent sent no evidence: this origin\'s policy must allow evidence ("evidence": true with "fields": ["all"])', { readId: local.readId });
    }
    return { challenge, evidence: local.evidence, readId: local.readId, local };
  }

  /** Cancels a read by its id (ReadOperation.cancel() is usually simpler). */
  async cancel(readId) {
    const op = this.#reads.get(readId);
    if (op) return op.cancel();
    await this.request('read.cancel', { readId });
  }

  /**
   * Simulator only (`idagent run --simulate`): inserts a software chip and
   * resolves with its access data `{reader, id12, can, documentNumber,
   * dateOfBirth, dateOfExpiry, mrz}`.
   * @param {{profile?: string, tamper?: string, seed?: number, reader?: string}} [opts]
   */
  simInsert(opts = {}) {
    return this.request('sim.insert', opts);
  }

  /** Simulator only: removes the card from a simulated reader. */
  async simRemove(reader) {
    await this.request('sim.remove', reader ? { reader } : {});
  }

  // Internal: a read ended.
  _forgetRead(op) {
    if (op.readId !== null && this.#reads.get(op.readId) === op) this.#reads.delete(op.readId);
  }
}

async function fetchWithTimeout(fetchFn, url, init, timeoutMs) {
  if (!timeoutMs || typeof AbortController === 'undefined') return fetchFn(url, init);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    return await fetchFn(url, { ...init, signal: ac.signal });
  } finally {
    clearTimeout(timer);
  }
}

