#!/usr/bin/env node
'use strict';
// Local OSS/S3-like object store for the PresignGateway tests. Listens on 127.0.0.1 only.
//
//   node server.js --port 0 --data DIR --config FILE.json      (or --config-json '{...}')
//
// Prints exactly one line to stdout once listening: {"port":NNNNN}. Everything else goes to
// stderr. Exits when stdin closes (unless --no-stdin-watch), on SIGTERM and on SIGINT.
// See README.md for the config, the addressing rules and the admin API under /__store/.

const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const send = require('send');
const { ObjectStore } = require('./lib/store');
const { verifyRequest, detectScheme, dialectOf } = require('./lib/verify');
const listing = require('./lib/listing');
const {
  DecodeError, strictDecode, splitTarget, parseQuery, firstValues, xmlEscape, newRequestId, hostWithoutPort,
} = require('./lib/util');

// ---------------------------------------------------------------------------------------------
// configuration
// ---------------------------------------------------------------------------------------------

function normaliseConfig(raw = {}) {
  const lower = (o) => Object.fromEntries(Object.entries(o || {}).map(([k, v]) => [String(k).toLowerCase(), v]));
  const bases = raw.virtualHostBases || raw.baseHosts || (raw.baseHost ? [raw.baseHost] : ['localhost']);
  const credentials = (raw.credentials || []).map((c) => ({
    accessKeyId: String(c.accessKeyId),
    accessKeySecret: String(c.accessKeySecret),
    securityToken: c.securityToken == null ? undefined : String(c.securityToken),
  }));
  const byId = new Map(credentials.map((c) => [c.accessKeyId, c]));
  return {
    credentials,
    findCredential: (id) => byId.get(id),
    regions: { oss: (raw.regions && raw.regions.oss) || [], s3: (raw.regions && raw.regions.s3) || [] },
    // longest first, so "s3.us-east-1.amazonaws.com" wins over "amazonaws.com"
    virtualHostBases: bases.map((b) => hostWithoutPort(b)).sort((a, b) => b.length - a.length),
    cname: lower(raw.cname),
    defaultBucket: raw.defaultBucket || null,
    buckets: raw.buckets || [],
    dialect: raw.dialect === 'oss' ? 'oss' : 's3', // error dialect for requests that carry no signature
    headerAuth: raw.headerAuth === true, // also accept Authorization-header signatures (SDK self-tests only)
    keepAliveTimeoutMs: raw.keepAliveTimeoutMs || 30000,
    maxRecordedRequests: raw.maxRecordedRequests || 10000,
  };
}

function parseArgs(argv) {
  const args = { port: 0, data: null, config: null, configJson: null, stdinWatch: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--port') args.port = Number(next());
    else if (a === '--data') args.data = next();
    else if (a === '--config') args.config = next();
    else if (a === '--config-json') args.configJson = next();
    else if (a === '--no-stdin-watch') args.stdinWatch = false;
    else throw new Error(`unknown argument: ${a}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('bad --port');
  return args;
}

// ---------------------------------------------------------------------------------------------
// the store
// ---------------------------------------------------------------------------------------------

function createStore(config, dataDir) {
  const store = new ObjectStore(dataDir);
  const state = {
    clock: { offsetMs: 0, frozenAt: null },
    requests: [],
    seq: 0,
    faults: [],
    faultSeq: 0,
  };
  const now = () => (state.clock.frozenAt !== null ? state.clock.frozenAt : Date.now() + state.clock.offsetMs);
  const iso = (ms) => new Date(ms).toISOString();

  // -- responses ------------------------------------------------------------------------------

  function setCommonHeaders(res, ctx) {
    res.setHeader('Date', new Date(now()).toUTCString());
    if (ctx.dialect === 'oss') {
      res.setHeader('Server', 'AliyunOSS');
      res.setHeader('x-oss-request-id', ctx.requestId);
    } else {
      res.setHeader('Server', 'AmazonS3');
      res.setHeader('x-amz-request-id', ctx.requestId);
      res.setHeader('x-amz-id-2', ctx.hostId);
    }
  }

  /**
   * XML error like the real services; HEAD gets the same status and headers, no body. `ec` (OSS's fine-grained
   * error code, e.g. 0003-00000201) goes out as x-oss-ec and as <EC> in the body, as OSS sends it.
   */
  function sendError(req, res, ctx, status, code, message, extra = {}, keepHeaders = {}, ec = null) {
    ctx.entry.errorCode = code;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const h of res.getHeaderNames()) res.removeHeader(h);
    setCommonHeaders(res, ctx);
    for (const [k, v] of Object.entries(keepHeaders)) res.setHeader(k, v);
    if (ec) res.setHeader('x-oss-ec', ec);
    res.statusCode = status;
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const fields = Object.entries(extra)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `  <${k}>${xmlEscape(v)}</${k}>\n`)
      .join('');
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
      `  <Code>${xmlEscape(code)}</Code>\n  <Message>${xmlEscape(message)}</Message>\n` +
      `  <RequestId>${ctx.requestId}</RequestId>\n  <HostId>${xmlEscape(ctx.dialect === 'oss' ? ctx.host : ctx.hostId)}</HostId>\n` +
      fields +
      (ec ? `  <EC>${xmlEscape(ec)}</EC>\n` : '') +
      '</Error>\n';
    res.setHeader('Content-Type', 'application/xml');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }

  function sendJson(res, status, obj) {
    const body = obj === undefined ? '' : JSON.stringify(obj);
    res.statusCode = status;
    if (body) {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(body));
    }
    res.end(body);
  }

  // -- addressing -----------------------------------------------------------------------------

  /**
   * Host header + raw path -> { style, bucket, rawKey }. Never uses DNS; never normalises the path.
   * Order: cname host -> virtual-hosted (<bucket>.<base>) -> path style (/<bucket>/<key>), with
   * the optional defaultBucket when the first segment is not an existing bucket.
   */
  function route(hostHeader, rawPath) {
    const hostLower = String(hostHeader || '').trim().toLowerCase();
    const hostname = hostWithoutPort(hostLower);
    const cnameBucket = config.cname[hostLower] || config.cname[hostname];
    if (cnameBucket) return { style: 'cname', bucket: cnameBucket, rawKey: rawPath.slice(1) };
    for (const base of config.virtualHostBases) {
      if (hostname.length > base.length + 1 && hostname.endsWith(`.${base}`)) {
        return { style: 'virtual-hosted', bucket: hostname.slice(0, -(base.length + 1)), rawKey: rawPath.slice(1) };
      }
    }
    const rest = rawPath.slice(1);
    const slash = rest.indexOf('/');
    const bucket = strictDecode(slash < 0 ? rest : rest.slice(0, slash));
    if (config.defaultBucket && !store.hasBucket(bucket)) {
      return { style: 'default-bucket', bucket: config.defaultBucket, rawKey: rest };
    }
    return { style: 'path', bucket, rawKey: slash < 0 ? '' : rest.slice(slash + 1) };
  }

  // -- faults ---------------------------------------------------------------------------------

  function takeFault(key) {
    const i = state.faults.findIndex((f) => !f.match || key.includes(f.match));
    if (i < 0) return null;
    const f = state.faults[i];
    if (f.remaining !== null && --f.remaining <= 0) state.faults.splice(i, 1);
    return f;
  }

  const STATUS_CODES = {
    500: ['InternalError', 'We encountered an internal error. Please try again.'],
    502: ['BadGateway', 'Bad gateway.'],
    503: ['ServiceUnavailable', 'Please reduce your request rate.'],
    504: ['GatewayTimeout', 'Gateway timeout.'],
    429: ['SlowDown', 'Please reduce your request rate.'],
  };

  // -- recording ------------------------------------------------------------------------------

  const RECORDED_HEADERS = ['range', 'if-range', 'if-match', 'if-none-match', 'if-modified-since',
    'if-unmodified-since', 'accept-encoding', 'user-agent', 'forwarded', 'via', 'connection',
    // The CDN origin secret's header in the gateway tests: it must never reach the store.
    'x-origin-secret'];

  function record(req) {
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (RECORDED_HEADERS.includes(k) || k.startsWith('x-forwarded-')) headers[k] = v;
    }
    const entry = {
      seq: ++state.seq,
      time: iso(now()),
      method: req.method,
      url: req.url, // the raw request target exactly as received
      host: req.headers.host ?? null,
      headers,
      hasAuthorizationHeader: req.headers.authorization !== undefined,
      status: null, // set when the status line is written; stays null on a reset before headers
      bucket: null,
      key: null,
      addressing: null,
      auth: null, // 's3-v4' | 'oss-v4' | 'oss-v1' | null
      errorCode: null,
      fault: null,
      completed: false, // response fully written
      durationMs: null,
    };
    state.requests.push(entry);
    if (state.requests.length > config.maxRecordedRequests) state.requests.shift();
    return entry;
  }

  // -- object requests ------------------------------------------------------------------------

  async function handleObject(req, res, rawPath, rawQuery) {
    const started = Date.now();
    const entry = record(req);
    const origWriteHead = res.writeHead;
    res.writeHead = function writeHead(status, ...rest) {
      entry.status = status;
      return origWriteHead.call(this, status, ...rest);
    };
    res.on('finish', () => { entry.completed = true; });
    res.on('close', () => { entry.durationMs = Date.now() - started; });

    const ctx = { entry, dialect: config.dialect, requestId: null, hostId: null, host: hostWithoutPort(req.headers.host) };
    const invalidUri = () => sendError(req, res, ctx, 400, 'InvalidURI', "Couldn't parse the specified URI.");
    let pairs = null;
    let q = null;
    try {
      pairs = parseQuery(rawQuery);
      q = firstValues(pairs);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
    // Answer in the dialect of the signature scheme (S3 or OSS); unsigned -> config.dialect.
    const scheme = q && detectScheme(q);
    if (scheme && scheme !== 'ambiguous') ctx.dialect = dialectOf(scheme);
    ctx.requestId = newRequestId(ctx.dialect);
    ctx.hostId = crypto.randomBytes(24).toString('base64');
    if (!pairs || !rawPath.startsWith('/')) return invalidUri();

    let r;
    let key;
    try {
      r = route(req.headers.host, rawPath);
      key = strictDecode(r.rawKey); // exactly one percent-decoding; '+' stays '+'
    } catch (e) {
      if (e instanceof DecodeError) return invalidUri();
      throw e;
    }
    Object.assign(entry, { bucket: r.bucket, key, addressing: r.style });

    // Faults are taken (and counted) for every object request that routed, before auth.
    const fault = takeFault(key);
    if (fault) {
      entry.fault = fault.kind;
      if (fault.kind === 'status') {
        const [code, msg] = STATUS_CODES[fault.status] || ['InjectedFault', `Injected status ${fault.status}.`];
        return sendError(req, res, ctx, fault.status, fault.code || code, msg);
      }
      if (fault.kind === 'reset-before-headers') {
        const s = req.socket;
        if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
        else s.destroy();
        return undefined;
      }
      if (fault.kind === 'delay-first-byte') {
        await new Promise((resolve) => {
          const t = setTimeout(resolve, fault.delayMs);
          res.once('close', () => { clearTimeout(t); resolve(); });
        });
        if (res.destroyed || req.socket.destroyed) return undefined;
      }
    }

    if (!store.hasBucket(r.bucket)) {
      return sendError(req, res, ctx, 404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: r.bucket });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(req, res, ctx, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: req.method, ResourceType: 'OBJECT' });
    }

    const v = await verifyRequest({
      method: req.method,
      hostname: ctx.host,
      rawPath,
      pairs,
      q,
      headers: req.headers,
      bucket: r.bucket,
      key,
      nowMs: now(),
      config,
    });
    entry.auth = v.scheme;
    if (v.ok) ctx.dialect = v.dialect; // header auth (config.headerAuth) has no query to tell the dialect by
    if (!v.ok) return sendError(req, res, ctx, v.status, v.code, v.message, v.extra);
    if (fault && fault.kind === 'reject-signature') {
      return sendError(req, res, ctx, 403, 'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
    if (fault && fault.kind === 'error') {
      // After a good signature, like a store that checked it and then refused for another reason (a policy, a key
      // it won't reveal is missing). Status, code, message and OSS's EC are the fault's.
      return sendError(req, res, ctx, fault.status, fault.code || 'AccessDenied', fault.message || 'Access Denied', {}, {}, fault.ec);
    }
    // The bucket itself (key ""): HeadBucket or ListObjectsV2 (lib/listing.js).
    if (key === '') return listing.handleBucketRequest(req, res, ctx, { store, bucket: r.bucket, q }, { sendError, setCommonHeaders });

    const obj = await store.get(r.bucket, key);
    if (!obj) return sendError(req, res, ctx, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    const midBody = fault && (fault.kind === 'abort-mid-body' || fault.kind === 'stall-mid-body') ? fault : null;
    return serveObject(req, res, ctx, obj, q, midBody);
  }

  // response-* overrides (signed query parameters) -> response headers
  const OVERRIDES = {
    'response-content-type': 'Content-Type',
    'response-content-disposition': 'Content-Disposition',
    'response-content-language': 'Content-Language',
    'response-content-encoding': 'Content-Encoding',
    'response-cache-control': 'Cache-Control',
    'response-expires': 'Expires',
  };

  // Header values go out as latin1 strings; this makes the bytes on the wire the UTF-8 bytes of
  // the value (what S3/OSS send for e.g. a raw UTF-8 response-content-disposition).
  const wireValue = (v) => Buffer.from(String(v), 'utf8').toString('latin1');

  function serveObject(req, res, ctx, obj, q, midBodyFault) {
    const { meta } = obj;
    const overrides = [];
    for (const [param, header] of Object.entries(OVERRIDES)) {
      if (!(param in q)) continue;
      if (/[\x00-\x08\x0a-\x1f\x7f]/.test(q[param])) {
        return sendError(req, res, ctx, 400, 'InvalidArgument', `Invalid value for ${param}.`, { ArgumentName: param });
      }
      overrides.push([header, wireValue(q[param])]);
    }
    setCommonHeaders(res, ctx);
    if (ctx.dialect === 'oss') {
      res.setHeader('x-oss-hash-crc64ecma', meta.crc64ecma);
      res.setHeader('x-oss-object-type', 'Normal');
    }
    const stream = send(req, `/${obj.id}`, {
      root: obj.dir,
      etag: false, // we set a strong ETag "<md5>" like OSS/S3 instead of send's weak one
      lastModified: false,
      cacheControl: false,
      acceptRanges: true,
      dotfiles: 'allow',
      index: false,
    });
    stream.on('headers', (r) => {
      r.setHeader('ETag', `"${meta.md5}"`);
      r.setHeader('Last-Modified', new Date(meta.lastModified).toUTCString());
      r.setHeader('Content-Type', meta.contentType);
      if (meta.cacheControl) r.setHeader('Cache-Control', meta.cacheControl);
      if (meta.contentDisposition) r.setHeader('Content-Disposition', meta.contentDisposition);
      if (meta.contentEncoding) r.setHeader('Content-Encoding', meta.contentEncoding);
      for (const [header, value] of overrides) r.setHeader(header, value);
    });
    stream.on('error', (err) => {
      const status = err.status || err.statusCode || 500;
      if (status === 412) return sendError(req, res, ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: req.headers['if-match'] ? 'If-Match' : 'If-Unmodified-Since' });
      if (status === 416) {
        return sendError(req, res, ctx, 416, 'InvalidRange', 'The requested range is not satisfiable',
          { RangeRequested: req.headers.range, ActualObjectSize: meta.size }, { 'Content-Range': `bytes */${meta.size}` });
      }
      if (status === 404) return sendError(req, res, ctx, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: meta.key });
      return sendError(req, res, ctx, 500, 'InternalError', 'We encountered an internal error. Please try again.');
    });
    if (midBodyFault) stream.on('stream', () => cutResponseInHalf(res, midBodyFault.kind === 'stall-mid-body' ? midBodyFault.delayMs : 0));
    stream.pipe(res);
  }

  /**
   * abort-mid-body: send the status line, headers and half the body, then drop the connection.
   * stall-mid-body (stallMs > 0): the same, but the connection stays open and silent for stallMs before it is dropped.
   */
  function cutResponseInHalf(res, stallMs) {
    const limit = Math.floor(Number(res.getHeader('Content-Length') || 0) / 2);
    const destroy = () => res.socket && res.socket.destroy();
    const kill = stallMs > 0
      ? () => { const t = setTimeout(destroy, stallMs); res.once('close', () => clearTimeout(t)); }
      : destroy;
    let sent = 0;
    let cut = false;
    const origWrite = res.write;
    res.write = function write(chunk, encoding, cb) {
      if (cut) return false;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding);
      if (sent + buf.length < limit) {
        sent += buf.length;
        return origWrite.call(this, buf, cb);
      }
      cut = true;
      const part = buf.subarray(0, limit - sent);
      if (part.length > 0) origWrite.call(this, part, () => setImmediate(kill));
      else {
        this.flushHeaders();
        setImmediate(kill);
      }
      return false;
    };
  }

  // -- admin API ------------------------------------------------------------------------------

  function readJson(req, limit = 1 << 20) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      req.on('data', (c) => {
        size += c.length;
        if (size > limit) reject(new Error('body too large'));
        else chunks.push(c);
      });
      req.on('end', () => {
        try {
          const text = Buffer.concat(chunks).toString('utf8').trim();
          resolve(text ? JSON.parse(text) : {});
        } catch (e) {
          reject(e);
        }
      });
      req.on('error', reject);
    });
  }

  async function handleAdmin(req, res, rawPath, rawQuery) {
    const q = firstValues(parseQuery(rawQuery)); // DecodeError -> 400 below
    const m = req.method;
    const op = `${m} ${rawPath}`;
    const bad = (msg) => sendJson(res, 400, { error: msg });

    if (rawPath === '/__store/health' && (m === 'GET' || m === 'HEAD')) {
      return sendJson(res, 200, { ok: true, rssBytes: process.memoryUsage().rss });
    }
    if (rawPath === '/__store/objects') {
      const bucket = q.bucket;
      const key = q.key;
      if (!ObjectStore.isValidBucketName(bucket)) return bad('query parameter bucket: invalid bucket name');
      if (!ObjectStore.isValidKey(key)) return bad('query parameter key: missing, empty or longer than 1024 bytes');
      if (m === 'PUT') {
        const meta = await store.put(bucket, key, req, {
          contentType: req.headers['content-type'],
          cacheControl: req.headers['x-store-cache-control'],
          contentDisposition: req.headers['x-store-content-disposition'],
          contentEncoding: req.headers['x-store-content-encoding'],
        }, now());
        return sendJson(res, 200, meta);
      }
      if (m === 'DELETE') return sendJson(res, (await store.delete(bucket, key)) ? 204 : 404);
      if (m === 'GET') {
        const obj = await store.get(bucket, key);
        return obj ? sendJson(res, 200, obj.meta) : sendJson(res, 404, { error: 'no such object' });
      }
    }
    if (op === 'POST /__store/objects:batch') {
      return listing.handleBatch(req, res, {
        store, q, nowMs: now(), isValidBucketName: ObjectStore.isValidBucketName, isValidKey: ObjectStore.isValidKey,
      }, sendJson);
    }
    if (op === 'PUT /__store/buckets') {
      if (!ObjectStore.isValidBucketName(q.bucket)) return bad('invalid bucket name');
      await store.createBucket(q.bucket);
      return sendJson(res, 200, { bucket: q.bucket });
    }
    if (op === 'GET /__store/requests') return sendJson(res, 200, state.requests);
    if (op === 'DELETE /__store/requests') {
      state.requests = [];
      return sendJson(res, 204);
    }
    if (op === 'POST /__store/faults') {
      const f = await readJson(req);
      const kinds = ['status', 'reset-before-headers', 'abort-mid-body', 'stall-mid-body', 'delay-first-byte', 'reject-signature', 'error'];
      if (!kinds.includes(f.kind)) return bad(`kind must be one of ${kinds.join(', ')}`);
      if (f.kind === 'error' && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599)) return bad('kind error needs a status from 400 to 599');
      if (f.ec !== undefined && f.ec !== null && !/^\d{4}-\d{8}$/.test(String(f.ec))) return bad('ec must look like 0003-00000201');
      if (f.times !== undefined && f.times !== null && !(Number.isInteger(f.times) && f.times > 0)) return bad('times must be a positive integer');
      const fault = {
        id: ++state.faultSeq,
        match: f.match ? String(f.match) : '',
        kind: f.kind,
        status: Number.isInteger(f.status) ? f.status : 503,
        code: f.code ? String(f.code) : null,
        message: f.message ? String(f.message) : null,
        ec: f.ec ? String(f.ec) : null,
        delayMs: Number.isFinite(f.delayMs) ? f.delayMs : 5000,
        remaining: f.times ?? null, // null = until cleared
      };
      state.faults.push(fault);
      return sendJson(res, 200, fault);
    }
    if (op === 'GET /__store/faults') return sendJson(res, 200, state.faults);
    if (op === 'DELETE /__store/faults') {
      state.faults = [];
      return sendJson(res, 204);
    }
    if (op === 'PUT /__store/clock') {
      const c = await readJson(req);
      if (c.now !== undefined) {
        const target = typeof c.now === 'number' ? c.now * 1000 : Date.parse(c.now);
        if (Number.isNaN(target)) return bad('now must be an ISO-8601 string or Unix seconds');
        state.clock.offsetMs = target - Date.now();
      } else if (Number.isFinite(c.offsetSeconds)) {
        state.clock.offsetMs = c.offsetSeconds * 1000;
      } else {
        return bad('give offsetSeconds (number) or now (ISO-8601 / Unix seconds)');
      }
      state.clock.frozenAt = c.freeze ? Date.now() + state.clock.offsetMs : null;
      return sendJson(res, 200, clockState());
    }
    if (op === 'GET /__store/clock') return sendJson(res, 200, clockState());
    if (op === 'POST /__store/reset') {
      state.requests = [];
      state.faults = [];
      state.clock = { offsetMs: 0, frozenAt: null };
      return sendJson(res, 204);
    }
    return sendJson(res, 404, { error: `no admin route ${op}` });
  }

  function clockState() {
    return { now: iso(now()), offsetSeconds: state.clock.offsetMs / 1000, frozen: state.clock.frozenAt !== null };
  }

  // -- entry point ----------------------------------------------------------------------------

  async function handle(req, res) {
    const { rawPath, rawQuery } = splitTarget(req.url);
    try {
      if (rawPath.startsWith('/__store/')) await handleAdmin(req, res, rawPath, rawQuery);
      else await handleObject(req, res, rawPath, rawQuery);
    } catch (e) {
      if (e instanceof DecodeError || e instanceof SyntaxError) {
        if (!res.headersSent) sendJson(res, 400, { error: e.message });
        return;
      }
      process.stderr.write(`test-store: internal error: ${e && e.stack ? e.stack : e}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  }

  return { store, handle, state };
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let raw = {};
  if (args.config) raw = JSON.parse(fs.readFileSync(args.config, 'utf8'));
  if (args.configJson) raw = { ...raw, ...JSON.parse(args.configJson) };
  const config = normaliseConfig(raw);

  let dataDir = args.data;
  let tempData = false;
  if (!dataDir) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-store-'));
    tempData = true;
  }
  const app = createStore(config, dataDir);
  await app.store.init(config.buckets);

  const server = http.createServer({ keepAlive: true }, (req, res) => { app.handle(req, res); });
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 5000;

  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    if (tempData) fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  if (args.stdinWatch) {
    // The test host keeps our stdin open; when it dies the pipe closes and we go too.
    process.stdin.on('end', () => stop(0));
    process.stdin.on('close', () => stop(0));
    process.stdin.on('error', () => stop(0));
    process.stdin.resume();
  }

  // A bug in one request must not kill the store under a running test suite: log and go on.
  process.on('uncaughtException', (e) => {
    process.stderr.write(`test-store: uncaught: ${e && e.stack ? e.stack : e}\n`);
  });

  server.on('error', (e) => {
    process.stderr.write(`test-store: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(args.port, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`test-store: ${e && e.message ? e.message : e}\n`);
    process.exit(2);
  });
}

module.exports = { createStore, normaliseConfig };
