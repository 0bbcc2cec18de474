'use strict';
// Test helpers: start the store as a child process (exactly like the C# fixtures do), talk to
// it over 127.0.0.1 with node:http, and split SDK URLs without any URL normalisation.

const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');

const SERVER = path.join(__dirname, '..', 'server.js');

/**
 * Spawn `node ARGS` (server.js or fakes/cloud.js, which both print {"port":N} as their first line once listening) and
 * resolve { port, proc, stop, stdout, stderr } then. A failed start rejects with an Error carrying the exit `code` and
 * the `stderr`. stop() closes stdin (the documented way to stop either), waits for the exit, then runs `onStopped`.
 */
function spawnUntilPort(args, { label, timeoutMs = 15000, onStopped = () => {} }) {
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start: ${stderr}`)), timeoutMs);
    proc.on('exit', (code) => { clearTimeout(timer); reject(Object.assign(new Error(`${label} exited early (${code}): ${stderr}`), { code, stderr })); });
    proc.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const { port } = JSON.parse(out.slice(0, nl));
      proc.removeAllListeners('exit');
      const stop = () => new Promise((res) => {
        if (proc.exitCode !== null) { onStopped(); res(); return; }
        proc.once('exit', () => { onStopped(); res(); });
        proc.stdin.end();
      });
      resolve({ port, proc, stop, stdout: () => out, stderr: () => stderr });
    });
  });
}

/** Start server.js with --port 0; resolves once it printed {"port":N}. */
async function startServer(config, { timeoutMs = 15000 } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-store-selftest-'));
  const removeData = () => fs.rmSync(dataDir, { recursive: true, force: true });
  try {
    const started = await spawnUntilPort(
      [SERVER, '--port', '0', '--data', dataDir, '--config-json', JSON.stringify(config)],
      { label: 'server', timeoutMs, onStopped: removeData });
    return { ...started, dataDir };
  } catch (err) {
    removeData();
    throw err;
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/**
 * One HTTP request to 127.0.0.1:port. `target` is sent verbatim as the request target; `host`
 * becomes the Host header (virtual-hosted / cname). Resolves { status, headers, body } or, when
 * the connection breaks, { error, status?, headers?, body? } with what arrived.
 */
function request(port, { method = 'GET', target, host, headers = {}, body, noAgent = false }) {
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path: target, agent: noAgent ? false : agent,
      headers: { Host: host || `127.0.0.1:${port}`, ...headers },
    });
    let res = null;
    const chunks = [];
    const done = (extra) => resolve({
      status: res && res.statusCode, headers: res && res.headers, body: Buffer.concat(chunks), ...extra,
    });
    req.on('response', (r) => {
      res = r;
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => (r.complete ? done({}) : done({ error: 'incomplete' })));
      r.on('aborted', () => done({ error: 'aborted' }));
      r.on('error', (e) => done({ error: e.code || e.message }));
    });
    req.on('error', (e) => done({ error: e.code || e.message }));
    req.setTimeout(60000, () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** "scheme://host[:port]/path?query" -> { host, target } without touching the encoding. */
function splitUrl(url) {
  const m = /^[a-z]+:\/\/([^/?#]+)(.*)$/i.exec(url);
  if (!m) throw new Error(`not an absolute URL: ${url}`);
  return { host: m[1], target: m[2] || '/' };
}

/** Admin API client. */
function admin(port) {
  const json = async (method, target, obj) => {
    const r = await request(port, { method, target, body: obj === undefined ? undefined : JSON.stringify(obj), headers: obj === undefined ? {} : { 'Content-Type': 'application/json' } });
    return { status: r.status, json: r.body.length ? JSON.parse(r.body.toString('utf8')) : null };
  };
  return {
    put: async (bucket, key, body, headers = {}) => {
      const r = await request(port, {
        method: 'PUT',
        target: `/__store/objects?bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(key)}`,
        headers, body,
      });
      if (r.status !== 200) throw new Error(`upload failed ${r.status} ${r.body}`);
      return JSON.parse(r.body.toString('utf8'));
    },
    del: (bucket, key) => request(port, { method: 'DELETE', target: `/__store/objects?bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(key)}` }),
    requests: async () => (await json('GET', '/__store/requests')).json,
    clearRequests: () => json('DELETE', '/__store/requests'),
    fault: (f) => json('POST', '/__store/faults', f),
    clearFaults: () => json('DELETE', '/__store/faults'),
    clock: (c) => json('PUT', '/__store/clock', c),
    reset: () => json('POST', '/__store/reset'),
    health: () => json('GET', '/__store/health'),
  };
}

/** Change one character of the signature parameter (any scheme), keeping its shape. */
function tamper(target) {
  const out = target.replace(/([?&](?:X-Amz-Signature|x-oss-signature|Signature)=)([^&]*)/, (_, name, v) => {
    const d = decodeURIComponent(v);
    const i = d.search(/[A-Za-z0-9]/);
    const c = d[i];
    const nc = /[0-9]/.test(c) ? (c === '0' ? '1' : '0') : (c === 'a' ? 'b' : 'a');
    return name + encodeURIComponent(d.slice(0, i) + nc + d.slice(i + 1));
  });
  if (out === target) throw new Error('no signature to tamper with');
  return out;
}

/** <Code> of an XML error body. */
function xmlCode(body) {
  const m = /<Code>([^<]*)<\/Code>/.exec(body.toString('utf8'));
  return m ? m[1] : null;
}

module.exports = { spawnUntilPort, startServer, request, splitUrl, admin, xmlCode, tamper, agent };
