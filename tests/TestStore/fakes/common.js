'use strict';
// What every credential fake shares: the config, issuing and registering temporary credentials, the failure
// modes, the request log and the admin API under /__fake/. The kinds (metadata.js, alibaba-sts.js, aws-sts.js)
// only speak their service's protocol. See README.md ("Credential fakes").

const crypto = require('node:crypto');
const http = require('node:http');
const { parseQuery, DecodeError } = require('../lib/util');

const MODES = ['ok', 'unavailable', 'status', 'malformed', 'no-keys', 'code-failure', 'expired', 'reset'];

// Headers whose presence (never their value: tokens, signatures) is recorded in /__fake/requests.
const PRESENCE_HEADERS = ['authorization', 'x-aliyun-ecs-metadata-token', 'x-aws-ec2-metadata-token', 'x-amz-security-token',
  'x-forwarded-for'];
// Headers recorded with their value (no secret in any of them).
const VALUE_HEADERS = ['x-aliyun-ecs-metadata-token-ttl-seconds', 'x-aws-ec2-metadata-token-ttl-seconds', 'content-type',
  'user-agent', 'x-amz-date'];

class FakeConfigError extends Error {}

function normaliseFakeConfig(raw = {}) {
  const problems = [];
  const ttlSeconds = raw.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) problems.push('ttlSeconds must be a positive integer');
  const base = raw.baseCredentials ?? [];
  if (!Array.isArray(base) || base.some((c) => !c || typeof c.accessKeyId !== 'string' || typeof c.accessKeySecret !== 'string')) {
    problems.push('baseCredentials must be an array of {accessKeyId, accessKeySecret} strings');
  }
  const acceptedTokens = raw.acceptedTokens ?? null;
  if (acceptedTokens !== null && !(Array.isArray(acceptedTokens) && acceptedTokens.every((t) => typeof t === 'string'))) {
    problems.push('acceptedTokens must be an array of strings (or absent: any non-empty token is accepted)');
  }
  for (const k of ['roleName', 'authorizationToken', 'region', 'keyPrefix']) {
    if (raw[k] !== undefined && (typeof raw[k] !== 'string' || raw[k] === '')) problems.push(`${k} must be a non-empty string`);
  }
  if (problems.length) throw new FakeConfigError(problems.join('; '));
  return {
    ttlSeconds,
    roleName: raw.roleName ?? 'fake-role',
    baseCredentials: base.map((c) => ({ accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret })),
    authorizationToken: raw.authorizationToken ?? null,
    region: raw.region ?? 'us-east-1',
    keyPrefix: raw.keyPrefix ?? 'fake-sts-',
    acceptedTokens,
  };
}

/** ISO-8601 without milliseconds, as the services write Expiration. */
const isoSeconds = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function randomId(bytes = 8) {
  return crypto.randomBytes(bytes).toString('hex').toUpperCase();
}

/** Register a temporary key pair with the test store (POST /__store/credentials); rejects unless it answers 200. */
function registerWithStore(storeUrl, creds) {
  const body = JSON.stringify({
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    securityToken: creds.securityToken,
    expiration: creds.expiration,
  });
  const url = new URL('/__store/credentials', storeUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve()
        : reject(new Error(`test store answered ${res.statusCode} to POST /__store/credentials: ${Buffer.concat(chunks)}`))));
      res.on('error', reject);
    });
    req.setTimeout(10000, () => req.destroy(new Error('test store did not answer POST /__store/credentials')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The state of one fake: config, mode, issued credentials, request log. `kind` speaks the protocol; this
 * object gives it `issue`, `takeMode` and the log.
 */
function createFakeState(config, { storeUrl = null } = {}) {
  const state = {
    config,
    clockOffsetMs: 0, // PUT /__fake/clock: Expiration, token lives and the STS time checks follow it

    ttlSeconds: config.ttlSeconds,
    mode: { mode: 'ok', status: 500, remaining: null },
    issued: [],
    requests: [],
    seq: 0,
  };
  const now = () => Date.now() + state.clockOffsetMs;

  /**
   * New temporary credentials. expired: Expiration in the past (mode "expired"); register: false for sets that
   * must never work (mode "code-failure"). `lifeSeconds` caps the life (STS DurationSeconds).
   */
  async function issue({ expired = false, register = true, lifeSeconds = null } = {}) {
    const t = now();
    const life = lifeSeconds === null ? state.ttlSeconds : Math.min(state.ttlSeconds, lifeSeconds);
    const expirationMs = expired ? t - 60_000 : t + life * 1000;
    const creds = {
      accessKeyId: `${config.keyPrefix}${randomId(8)}`,
      accessKeySecret: `fake-secret-${crypto.randomBytes(18).toString('base64url')}`,
      // '+', '/' and '=' on purpose: the token travels in a query string and must be encoded exactly once.
      securityToken: `fake+token/${crypto.randomBytes(32).toString('base64')}`,
      expiration: isoSeconds(expirationMs),
      lastUpdated: isoSeconds(t),
    };
    if (register) {
      if (storeUrl) await registerWithStore(storeUrl, creds);
      state.issued.push({ accessKeyId: creds.accessKeyId, expiration: creds.expiration });
    }
    return creds;
  }

  /** The mode for this credential request (counts down `times`). Token requests only see reset and unavailable. */
  function takeMode({ tokenRequest = false } = {}) {
    const m = state.mode;
    if (m.mode === 'ok') return { mode: 'ok', status: 200 };
    if (tokenRequest && m.mode !== 'reset' && m.mode !== 'unavailable') return { mode: 'ok', status: 200 };
    const taken = { mode: m.mode, status: m.status };
    if (m.remaining !== null && --m.remaining <= 0) state.mode = { mode: 'ok', status: 500, remaining: null };
    return taken;
  }

  function record(req, path) {
    const headers = {};
    for (const h of PRESENCE_HEADERS) headers[h] = req.headers[h] === undefined ? 'absent' : 'present';
    for (const h of VALUE_HEADERS) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
    const entry = {
      seq: ++state.seq,
      time: new Date(now()).toISOString(),
      method: req.method,
      path, // without the query: an RPC-style GET carries its signature there
      action: null,
      headers,
      params: null, // STS: the request's non-secret parameters (RoleArn, RoleSessionName, DurationSeconds, ...)
      issuedAccessKeyId: null,
      status: null, // null when the connection was reset without an answer
    };
    state.requests.push(entry);
    if (state.requests.length > 10000) state.requests.shift();
    return entry;
  }

  return { state, issue, takeMode, record, now };
}

function sendBody(res, status, contentType, body, extraHeaders = {}) {
  res.statusCode = status;
  for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
  if (contentType) res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

const sendJson = (res, status, obj) => sendBody(res, status, obj === undefined ? null : 'application/json',
  obj === undefined ? '' : JSON.stringify(obj));

/** Destroy the connection without an answer (mode "reset"). */
function resetConnection(req) {
  const s = req.socket;
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

function readBody(req, limit = 256 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error('request body too large'), { tooLarge: true }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The parameters of an RPC / Query API call: the query and, for POST, an x-www-form-urlencoded body (first value
 * wins); the action and its non-secret `logged` parameters go into the request log entry. Returns
 * { rawPath, queryPairs, params, body } or { problem: 'content-type' | 'encoding' } for the kind to answer.
 */
async function readCallParams(req, entry, logged) {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  let body = Buffer.alloc(0);
  let queryPairs;
  const pairs = [];
  try {
    queryPairs = parseQuery(q < 0 ? null : req.url.slice(q + 1));
    pairs.push(...queryPairs);
    if (req.method === 'POST') {
      body = await readBody(req);
      if (body.length > 0 && !String(req.headers['content-type'] || '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        return { problem: 'content-type' };
      }
      pairs.push(...parseQuery(body.toString('utf8')));
    }
  } catch (e) {
    if (e instanceof DecodeError) return { problem: 'encoding' };
    throw e;
  }
  const params = {};
  for (const [k, v] of pairs) if (!Object.prototype.hasOwnProperty.call(params, k)) params[k] = v;
  entry.action = params.Action ?? null;
  entry.params = {};
  for (const k of logged) if (params[k] !== undefined) entry.params[k] = params[k];
  return { rawPath, queryPairs, params, body };
}

function clockState(fake) {
  return { now: new Date(fake.now()).toISOString(), offsetSeconds: fake.state.clockOffsetMs / 1000 };
}

/** Admin API (every kind): /__fake/requests, /__fake/mode, /__fake/ttl, /__fake/issued. */
async function handleAdmin(fake, req, res, path) {
  const { state } = fake;
  const op = `${req.method} ${path}`;
  const bad = (msg) => sendJson(res, 400, { error: msg });
  const json = async () => {
    const text = (await readBody(req)).toString('utf8').trim();
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      return null;
    }
  };
  if (op === 'GET /__fake/requests') return sendJson(res, 200, state.requests);
  if (op === 'DELETE /__fake/requests') {
    state.requests = [];
    return sendJson(res, 204);
  }
  if (op === 'GET /__fake/issued') return sendJson(res, 200, state.issued);
  if (op === 'GET /__fake/mode') return sendJson(res, 200, state.mode);
  if (op === 'PUT /__fake/mode') {
    const b = await json();
    if (!b || !MODES.includes(b.mode)) return bad(`mode must be one of ${MODES.join(', ')}`);
    if (b.mode === 'code-failure' && !fake.kind.hasCode) {
      return bad(`mode code-failure needs a document with a Code field (ecs-metadata, credentials-uri, imds), not ${fake.kind.name}`);
    }
    const status = b.status ?? 500;
    if (!(Number.isInteger(status) && status >= 400 && status <= 599)) return bad('status must be an integer from 400 to 599');
    if (b.times !== undefined && b.times !== null && !(Number.isInteger(b.times) && b.times > 0)) return bad('times must be a positive integer');
    state.mode = { mode: b.mode, status, remaining: b.mode === 'ok' ? null : (b.times ?? null) };
    return sendJson(res, 200, state.mode);
  }
  if (op === 'GET /__fake/clock') return sendJson(res, 200, clockState(fake));
  if (op === 'PUT /__fake/clock') {
    const b = await json();
    if (b && b.now !== undefined) {
      const target = typeof b.now === 'number' ? b.now * 1000 : Date.parse(b.now);
      if (Number.isNaN(target)) return bad('now must be an ISO-8601 string or Unix seconds');
      state.clockOffsetMs = target - Date.now();
    } else if (b && Number.isFinite(b.offsetSeconds)) {
      state.clockOffsetMs = b.offsetSeconds * 1000;
    } else {
      return bad('give offsetSeconds (number) or now (ISO-8601 / Unix seconds)');
    }
    return sendJson(res, 200, clockState(fake));
  }
  if (op === 'PUT /__fake/ttl') {
    const b = await json();
    if (!b || !Number.isInteger(b.ttlSeconds) || b.ttlSeconds < 1) return bad('ttlSeconds must be a positive integer');
    state.ttlSeconds = b.ttlSeconds;
    return sendJson(res, 200, { ttlSeconds: state.ttlSeconds });
  }
  return sendJson(res, 404, { error: `no admin route ${op}` });
}

/** The HTTP handler of a fake: admin routes, else the kind's protocol with the request recorded. */
function createFakeHandler(fake) {
  return async (req, res) => {
    const target = req.url;
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    try {
      if (path.startsWith('/__fake/')) return await handleAdmin(fake, req, res, path);
      const entry = fake.record(req, path);
      const origWriteHead = res.writeHead;
      res.writeHead = function writeHead(status, ...rest) {
        entry.status = status;
        return origWriteHead.call(this, status, ...rest);
      };
      return await fake.kind.handle(req, res, entry);
    } catch (e) {
      if (e && e.tooLarge) {
        if (!res.headersSent) sendJson(res, 413, { error: e.message });
        return undefined;
      }
      process.stderr.write(`fake ${fake.kind.name}: internal error: ${e && e.message ? e.message : e}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error of the fake (see its stderr)' });
      else res.destroy();
      return undefined;
    }
  };
}

module.exports = {
  MODES, FakeConfigError, normaliseFakeConfig, createFakeState, createFakeHandler, sendBody, sendJson, resetConnection,
  readBody, readCallParams, isoSeconds, randomId,
};
