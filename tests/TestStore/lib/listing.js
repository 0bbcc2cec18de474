'use strict';
// ListObjectsV2 (list-type=2) and HeadBucket for the test store, in the dialect of the request's signature
// (S3 or OSS XML), plus the batch upload admin route. server.js routes a signed, verified request on the bucket
// itself (key "") here; signature checks stay in verify.js (OSS V1 signs continuation-token as a sub-resource).
//
// Continuation tokens are opaque: version byte, a 16-byte synthetic IV (HMAC of bucket and key) and the last
// listed key encrypted with AES-256-CTR under that IV. Deterministic, so tools/make-vectors.js can put a valid
// token into a golden vector; a token the store did not issue (or one for another bucket) fails its MAC -> 400.

const crypto = require('node:crypto');
const { Readable } = require('node:stream');
const { xmlEscape } = require('./util');

const TOKEN_VERSION = 1;
// Fixed test-only keys: tokens must survive a store restart and be reproducible by the vector tool.
const TOKEN_MAC_KEY = Buffer.from('presign-gateway test store continuation token mac');
const TOKEN_ENC_KEY = crypto.createHash('sha256').update('presign-gateway test store continuation token enc').digest();
const MAX_TOKEN_CHARS = 4096;
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** The opaque token that resumes a listing of `bucket` after `key`. S3: base64 (+ / =); OSS: base64url. */
function encodeToken(bucket, key, dialect) {
  const plain = Buffer.from(key, 'utf8');
  const iv = crypto.createHmac('sha256', TOKEN_MAC_KEY).update(`${bucket}\0`).update(plain).digest().subarray(0, 16);
  const cipher = crypto.createCipheriv('aes-256-ctr', TOKEN_ENC_KEY, iv);
  const raw = Buffer.concat([Buffer.from([TOKEN_VERSION]), iv, cipher.update(plain), cipher.final()]);
  return raw.toString(dialect === 'oss' ? 'base64url' : 'base64');
}

/** -> the key the token resumes after, or null when the store did not issue it for this bucket. */
function decodeToken(bucket, token) {
  if (typeof token !== 'string' || token.length < 24 || token.length > MAX_TOKEN_CHARS) return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) && !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const raw = Buffer.from(token, token.includes('-') || token.includes('_') ? 'base64url' : 'base64');
  if (raw.length < 17 || raw[0] !== TOKEN_VERSION) return null;
  const iv = raw.subarray(1, 17);
  const decipher = crypto.createDecipheriv('aes-256-ctr', TOKEN_ENC_KEY, iv);
  const plain = Buffer.concat([decipher.update(raw.subarray(17)), decipher.final()]);
  const mac = crypto.createHmac('sha256', TOKEN_MAC_KEY).update(`${bucket}\0`).update(plain).digest().subarray(0, 16);
  if (!crypto.timingSafeEqual(mac, iv)) return null;
  const key = plain.toString('utf8');
  return Buffer.from(key, 'utf8').equals(plain) ? key : null;
}

// encoding-type=url. S3 (as its s3-tests expect): RFC 3986 percent-encoding, '/' left as is, space %20.
// OSS: form encoding (space '+', '/' %2F), which its SDKs undo with QueryUnescape. Either way a literal '+'
// in a key is %2B, so a client that decodes '+' as a space reads both correctly.
const rfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const ENCODERS = {
  s3: (s) => rfc3986(s).replace(/%2F/g, '/'),
  oss: (s) => rfc3986(s).replace(/%2A/g, '*').replace(/%20/g, '+'),
};

/** First index in sorted `entries` whose key bytes compare >= (or > when `strict`) to `bound`. */
function lowerBound(entries, bound, strict) {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = Buffer.compare(entries[mid].keyBuf, bound);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One page. entries: [{ key, keyBuf, meta }] sorted by UTF-8 bytes. Each common prefix counts as one entry
 * toward maxKeys, like the services. -> { contents, prefixes, truncated, lastKey } (lastKey: the last key the
 * page covered, a common prefix's last key included, so the next page never repeats it).
 */
function listPage(entries, { prefix, delimiter, maxKeys, after }) {
  const prefixBuf = Buffer.from(prefix, 'utf8');
  let i = lowerBound(entries, prefixBuf, false);
  if (after !== null) i = Math.max(i, lowerBound(entries, Buffer.from(after, 'utf8'), true));
  const contents = [];
  const prefixes = [];
  let lastKey = null;
  let truncated = false;
  while (i < entries.length && entries[i].key.startsWith(prefix)) {
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = maxKeys > 0;
      break;
    }
    const e = entries[i];
    const cut = delimiter ? e.key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const common = e.key.slice(0, cut + delimiter.length);
      prefixes.push(common);
      while (i < entries.length && entries[i].key.startsWith(common)) i++;
      lastKey = entries[i - 1].key;
      continue;
    }
    contents.push(e);
    lastKey = e.key;
    i++;
  }
  return { contents, prefixes, truncated, lastKey };
}

function invalid(dialect, argument, s3Message, ossMessage, value) {
  return {
    status: 400, code: 'InvalidArgument', message: dialect === 'oss' ? ossMessage : s3Message,
    extra: { ArgumentName: argument, ArgumentValue: value },
  };
}

/** Query -> listing parameters, or { error } with the service's status, code and message. */
function parseListQuery(q, dialect, bucket) {
  let maxKeys = dialect === 'oss' ? 100 : 1000;
  if (q['max-keys'] !== undefined) {
    const v = q['max-keys'];
    if (!/^\d{1,10}$/.test(v) || Number(v) > 2147483647) {
      return { error: invalid(dialect, 'max-keys', 'Provided max-keys not an integer or within integer range', 'The max-keys is invalid.', v) };
    }
    maxKeys = Number(v);
    if (maxKeys > 1000) {
      // S3 caps silently; OSS refuses a value over 1000.
      if (dialect === 'oss') return { error: invalid(dialect, 'max-keys', '', 'The max-keys must be between 0 and 1000.', v) };
      maxKeys = 1000;
    }
  }
  const encodingType = q['encoding-type'];
  if (encodingType !== undefined && encodingType !== 'url') {
    return { error: invalid(dialect, 'encoding-type', 'Invalid Encoding Method specified in Request', 'The encoding-type is invalid.', encodingType) };
  }
  let after = q['start-after'] ?? null;
  const token = q['continuation-token'];
  if (token !== undefined) {
    const resumeAfter = decodeToken(bucket, token);
    if (resumeAfter === null) {
      return { error: invalid(dialect, 'continuation-token', 'The continuation token provided is incorrect', 'The continuation-token is invalid.', token) };
    }
    after = resumeAfter; // the token wins over start-after, as on S3
  }
  return {
    prefix: q.prefix ?? '',
    delimiter: q.delimiter || '',
    maxKeys,
    encodingType: encodingType ?? null,
    startAfter: q['start-after'] ?? null,
    token: token ?? null,
    after,
  };
}

/** The ListBucketResult document in the dialect's element order and spelling. */
function renderXml(dialect, bucket, p, page) {
  const enc = p.encodingType === 'url' ? ENCODERS[dialect] : (s) => s;
  const el = (name, value) => `<${name}>${xmlEscape(value)}</${name}>`;
  const next = page.truncated ? encodeToken(bucket, page.lastKey, dialect) : null;
  const keyCount = page.contents.length + page.prefixes.length;
  const parts = [];
  if (dialect === 's3') {
    parts.push(`<ListBucketResult xmlns="${S3_NS}">`, el('Name', bucket), el('Prefix', enc(p.prefix)));
    if (p.token !== null) parts.push(el('ContinuationToken', p.token));
    if (next) parts.push(el('NextContinuationToken', next));
    parts.push(el('KeyCount', keyCount), el('MaxKeys', p.maxKeys));
    if (p.delimiter) parts.push(el('Delimiter', enc(p.delimiter)));
    if (p.encodingType) parts.push(el('EncodingType', p.encodingType));
    parts.push(el('IsTruncated', page.truncated));
    if (p.startAfter !== null) parts.push(el('StartAfter', enc(p.startAfter)));
    for (const { key, meta } of page.contents) {
      parts.push('<Contents>', el('Key', enc(key)), el('LastModified', meta.lastModified), el('ETag', `"${meta.md5}"`),
        el('Size', meta.size), el('StorageClass', 'STANDARD'), '</Contents>');
    }
    for (const cp of page.prefixes) parts.push('<CommonPrefixes>', el('Prefix', enc(cp)), '</CommonPrefixes>');
    parts.push('</ListBucketResult>');
    return `<?xml version="1.0" encoding="UTF-8"?>\n${parts.join('')}`;
  }
  // OSS encodes the tokens too (its SDKs unescape them); base64url tokens come out unchanged.
  parts.push('<ListBucketResult>', el('Name', bucket), el('Prefix', enc(p.prefix)));
  if (p.startAfter !== null) parts.push(el('StartAfter', enc(p.startAfter)));
  if (p.token !== null) parts.push(el('ContinuationToken', enc(p.token)));
  parts.push(el('MaxKeys', p.maxKeys));
  if (p.delimiter) parts.push(el('Delimiter', enc(p.delimiter)));
  if (p.encodingType) parts.push(el('EncodingType', p.encodingType));
  parts.push(el('IsTruncated', page.truncated));
  if (next) parts.push(el('NextContinuationToken', enc(next)));
  for (const { key, meta } of page.contents) {
    parts.push('<Contents>', el('Key', enc(key)), el('LastModified', meta.lastModified), el('ETag', `"${meta.md5}"`),
      el('Type', 'Normal'), el('Size', meta.size), el('StorageClass', 'Standard'), '</Contents>');
  }
  for (const cp of page.prefixes) parts.push('<CommonPrefixes>', el('Prefix', enc(cp)), '</CommonPrefixes>');
  parts.push(el('KeyCount', keyCount), '</ListBucketResult>');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${parts.join('\n')}\n`;
}

/**
 * A verified request on the bucket itself. HEAD -> HeadBucket (200, no body); GET with list-type=2 ->
 * ListObjectsV2; any other GET -> 501. `io`: { sendError, setCommonHeaders } from server.js.
 */
function handleBucketRequest(req, res, ctx, { store, bucket, q }, io) {
  const { entry } = ctx;
  if (req.method === 'HEAD') {
    entry.operation = 'HeadBucket';
    io.setCommonHeaders(res, ctx);
    res.statusCode = 200;
    res.end();
    return;
  }
  entry.query = { ...q };
  if (q['list-type'] !== '2') {
    io.sendError(req, res, ctx, 501, 'NotImplemented', 'Only ListObjectsV2 (list-type=2) is supported on a bucket by the test store.');
    return;
  }
  entry.operation = 'ListObjectsV2';
  const p = parseListQuery(q, ctx.dialect, bucket);
  if (p.error) {
    io.sendError(req, res, ctx, p.error.status, p.error.code, p.error.message, p.error.extra);
    return;
  }
  const page = listPage(store.list(bucket), p);
  const body = renderXml(ctx.dialect, bucket, p, page);
  io.setCommonHeaders(res, ctx);
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) reject(new Error(`body larger than ${limit} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const MAX_BATCH = 20000;
const MAX_BATCH_OBJECT_BYTES = 16 * 1024 * 1024;

/**
 * POST /__store/objects:batch?bucket=B with [{ key, size?, body?, contentType? }]: creates the objects
 * (body as UTF-8 text, or `size` bytes of 'x', or empty), 200 { count }. Validates everything before writing.
 */
async function handleBatch(req, res, { store, q, nowMs, isValidBucketName, isValidKey }, sendJson) {
  const bad = (msg) => sendJson(res, 400, { error: msg });
  if (!isValidBucketName(q.bucket)) return bad('query parameter bucket: invalid bucket name');
  let items;
  try {
    items = JSON.parse((await readBody(req, 64 * 1024 * 1024)).toString('utf8'));
  } catch (e) {
    return bad(`body: ${e.message}`);
  }
  if (!Array.isArray(items) || items.length > MAX_BATCH) return bad(`body must be a JSON array of at most ${MAX_BATCH} objects`);
  const objects = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!it || typeof it !== 'object') return bad(`item ${i}: not an object`);
    if (!isValidKey(it.key)) return bad(`item ${i}: key missing, empty or longer than 1024 bytes`);
    if (it.body !== undefined && typeof it.body !== 'string') return bad(`item ${i}: body must be a string`);
    if (it.size !== undefined && !(Number.isInteger(it.size) && it.size >= 0 && it.size <= MAX_BATCH_OBJECT_BYTES)) {
      return bad(`item ${i}: size must be an integer from 0 to ${MAX_BATCH_OBJECT_BYTES}`);
    }
    if (it.body !== undefined && it.size !== undefined) return bad(`item ${i}: give body or size, not both`);
    if (it.contentType !== undefined && typeof it.contentType !== 'string') return bad(`item ${i}: contentType must be a string`);
    const data = it.body !== undefined ? Buffer.from(it.body, 'utf8') : Buffer.alloc(it.size || 0, 'x');
    objects.push({ key: it.key, data, contentType: it.contentType });
  }
  await store.createBucket(q.bucket);
  // A few writes at a time: fast, without thousands of open files.
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const o = objects[next++];
      await store.put(q.bucket, o.key, Readable.from([o.data]), { contentType: o.contentType }, nowMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, objects.length) }, worker));
  return sendJson(res, 200, { count: objects.length });
}

module.exports = { handleBucketRequest, handleBatch, encodeToken, decodeToken, listPage, ENCODERS };
