// Starts and stops a real `idagent run --simulate` for the tests.
//
// The binary comes from $IDAGENT_BIN (test/run.js builds it once per test
// run) or is built here with `go build` into a temporary directory.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Origins the test configuration allows, with their policies. */
export const DESK_ORIGIN = 'https://desk.example';
export const HOTEL_ORIGIN = 'https://hotel.example';
export const HOTEL_FIELDS = ['idNumber', 'documentNumber', 'documentType', 'fullName', 'dateOfBirth', 'sex', 'nationality', 'placeOfResidence'];

/** Builds the agent (once per process) and returns the binary's path. */
export function buildAgent() {
  if (process.env.IDAGENT_BIN) return process.env.IDAGENT_BIN;
  if (buildAgent.bin) return buildAgent.bin;
  const dir = mkdtempSync(path.join(tmpdir(), 'idagent-web-'));
  const bin = path.join(dir, process.platform === 'win32' ? 'idagent.exe' : 'idagent');
  execFileSync('go', ['build', '-o', bin, './cmd/idagent'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  buildAgent.bin = bin;
  process.env.IDAGENT_BIN = bin;
  return bin;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function writeConfig(extra) {
  const dir = mkdtempSync(path.join(tmpdir(), 'idagent-web-cfg-'));
  const file = path.join(dir, 'config.json');
  const cfg = {
    origins: [
      { origin: DESK_ORIGIN, fields: ['all'], photo: true },
      { origin: HOTEL_ORIGIN, fields: HOTEL_FIELDS, photo: false },
    ],
    log: { level: 'warn' },
    ...extra,
  };
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

/**
 * A running agent (extra `args` for `idagent run --simulate`, e.g. a link
 * model). `start()` (re)starts it on the same port, `stop()` ends
 * it with SIGTERM (SIGKILL after 5 s), `kill()` with SIGKILL.
 */
export class Agent {
  constructor({ port, config, args = [] } = {}) {
    this.port = port;
    this.extraArgs = args;
    this.configFile = writeConfig(config);
    this.proc = null;
    this.output = '';
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    if (!this.port) this.port = await freePort();
    const bin = buildAgent();
    const args = ['run', '--simulate', '--listen', `127.0.0.1:${this.port}`, '--config', this.configFile, ...this.extraArgs];
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.output = '';
    const keep = (b) => {
      this.output = (this.output + b.toString()).slice(-8000);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    let exited = null;
    proc.once('exit', (code, signal) => {
      exited = { code, signal };
    });
    const deadline = Date.now() + 30000;
    for (;;) {
      if (exited) throw new Error(`idagent run --simulate exited (${exited.code ?? exited.signal}) before serving:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/v1/health`);
        if (res.ok) {
          await res.json();
          return this;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`idagent did not answer /v1/health within 30 s:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  #end(signal) {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      proc.kill(signal);
    });
  }

  stop() {
    return this.#end('SIGTERM');
  }

  kill() {
    return this.#end('SIGKILL');
  }
}

/** Starts an agent on a free port. */
export async function startAgent(opts) {
  const a = new Agent(opts);
  await a.start();
  return a;
}

export function haveBinary(p) {
  return existsSync(p);
}

/**
 * Asserts that a read of a genuine simulated card passed every check that
 * ran (checks the card cannot run are NOT_SUPPORTED or SKIPPED) and returns
 * the verdict it must carry: 'PASS'.
 * @param {{verification: {overall: string, checks: {name: string, status: string, reason: string}[]}}} result
 */
export function genuineVerdict(result) {
  const checks = result.verification.checks;
  if (checks.length === 0) throw new Error('read.result carries no verification checks');
  for (const c of checks) {
    if (!['PASS', 'NOT_SUPPORTED', 'SKIPPED'].includes(c.status)) {
      throw new Error(`check ${c.name} is ${c.status} (${c.reason}) on a genuine simulated card`);
    }
  }
  return 'PASS';
}
