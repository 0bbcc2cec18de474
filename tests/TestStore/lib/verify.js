'use strict';
// Query-string signature verification for the three schemes. All signature maths comes from
// the official SDK packages:
//   S3 SigV4  -> @smithy/signature-v4 SignatureV4#presign (+ @aws-crypto/sha256-js)
//   OSS V4    -> ali-oss lib/common/signUtils getCanonicalRequest / getStringToSign / getSignatureV4
//   OSS V1    -> ali-oss lib/common/signUtils buildCanonicalString / computeSignature
// We only decode the request, pick the inputs the SDK needs, and compare the result.
// The one deviation (documented in README.md): ali-oss sorts the V4 canonical query by raw
// name with localeCompare; signing.md (and OSS) sort by the *encoded* name, ordinal. We let
// the SDK build the canonical query and then re-sort its `&`-separated items.

const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');
const ossSign = require('ali-oss/lib/common/signUtils');
const { safeEqual, parseIsoBasic } = require('./util');

const SKEW_MS = 15 * 60 * 1000; // allowed "signed in the future" window (OSS documents 15 min)
const MAX_EXPIRES = 604800;

// OSS V1 sub-resources that are part of CanonicalizedResource (signing.md §2.3); plus any x-oss-*.
const OSS_V1_SUBRESOURCES = new Set([
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete',
  'append', 'tagging', 'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position',
  'img', 'style', 'styleName', 'replication', 'replicationProgress', 'replicationLocation',
  'cname', 'bucketInfo', 'comp', 'qos', 'live', 'status', 'vod', 'startTime', 'endTime',
  'symlink', 'x-oss-process', 'response-content-type', 'response-content-language',
  'response-expires', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'udf', 'udfName', 'udfImage', 'udfId', 'udfImageDesc',
  'udfApplication', 'udfApplicationLog', 'restore', 'callback', 'callback-var', 'policy',
  'stat', 'encryption', 'versions', 'versioning', 'versionId', 'requestPayment',
  'x-oss-request-payer', 'sequential', 'inventory', 'inventoryId', 'continuation-token',
  'asyncFetch', 'worm', 'wormId', 'wormExtend', 'x-oss-traffic-limit', 'regionList',
]);

const S3_AUTH_PARAMS = new Set([
  'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
  'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token',
]);

/** Which query-auth scheme does this request use? null = unsigned. */
function detectScheme(q) {
  const found = [];
  if ('X-Amz-Algorithm' in q || 'X-Amz-Signature' in q || 'X-Amz-Credential' in q) found.push('s3-v4');
  if ('x-oss-signature-version' in q || 'x-oss-signature' in q || 'x-oss-credential' in q) found.push('oss-v4');
  if ('OSSAccessKeyId' in q || ('Signature' in q && 'Expires' in q)) found.push('oss-v1');
  if (found.length > 1) return 'ambiguous';
  return found[0] || null;
}

const dialectOf = (scheme) => (scheme && scheme.startsWith('s3') ? 's3' : 'oss');

function fail(scheme, status, code, message, extra = {}) {
  return { ok: false, scheme, dialect: dialectOf(scheme), status, code, message, extra };
}

function regionAllowed(list, region) {
  return !list || list.length === 0 || list.includes(region);
}

/** Shared time checks for the V4 schemes. */
function checkWindow(scheme, nowMs, dateMs, expires, extraName) {
  if (nowMs > dateMs + expires * 1000) {
    return fail(scheme, 403, 'AccessDenied', scheme === 's3-v4' ? 'Request has expired' : 'Request has expired.', {
      [extraName]: String(expires),
      Expires: new Date(dateMs + expires * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  if (dateMs - nowMs > SKEW_MS) {
    return fail(scheme, 403, 'AccessDenied', scheme === 's3-v4' ? 'Request is not yet valid' : 'Request is not yet valid.', {
      RequestTime: new Date(dateMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  return null;
}

function parseExpires(v) {
  return /^\d{1,7}$/.test(v || '') ? Number(v) : NaN;
}

// ---------------------------------------------------------------------------------------------
// S3 SigV4 query auth
// ---------------------------------------------------------------------------------------------
async function verifyS3(ctx) {
  const S = 's3-v4';
  const { q, pairs, headers, nowMs, config } = ctx;
  if (q['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') {
    return fail(S, 400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  for (const p of ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
    if (!(p in q)) {
      return fail(S, 400, 'AuthorizationQueryParametersError',
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
    }
  }
  if (headers.authorization !== undefined) {
    return fail(S, 400, 'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
  }
  const cred = q['X-Amz-Credential'].split('/');
  if (cred.length !== 5 || cred[3] !== 's3' || cred[4] !== 'aws4_request') {
    return fail(S, 400, 'AuthorizationQueryParametersError',
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, credDate, region] = cred;
  const longDate = q['X-Amz-Date'];
  const dateMs = parseIsoBasic(longDate);
  if (Number.isNaN(dateMs)) {
    return fail(S, 400, 'AuthorizationQueryParametersError', 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  }
  if (credDate !== longDate.slice(0, 8)) {
    return fail(S, 400, 'AuthorizationQueryParametersError',
      `Invalid credential date "${credDate}". This date is not the same as X-Amz-Date: "${longDate.slice(0, 8)}".`);
  }
  const expires = parseExpires(q['X-Amz-Expires']);
  if (Number.isNaN(expires) || expires < 1 || expires > MAX_EXPIRES) {
    return fail(S, 400, 'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800 and more than 0');
  }
  if (!regionAllowed(config.regions.s3, region)) {
    return fail(S, 400, 'AuthorizationQueryParametersError',
      `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${config.regions.s3[0]}'`,
      { Region: config.regions.s3[0] });
  }
  const c = config.findCredential(accessKeyId);
  if (!c) {
    return fail(S, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: accessKeyId });
  }
  const token = q['X-Amz-Security-Token'];
  if (c.securityToken !== undefined && c.securityToken !== null && !safeEqual(token ?? '', c.securityToken)) {
    return fail(S, 403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  }
  const late = checkWindow(S, nowMs, dateMs, expires, 'X-Amz-Expires');
  if (late) return late;

  const signedHeaders = q['X-Amz-SignedHeaders'].split(';').filter(Boolean);
  if (!signedHeaders.includes('host')) {
    return fail(S, 400, 'AuthorizationQueryParametersError', 'X-Amz-SignedHeaders must include host');
  }

  // Rebuild the request the client signed: the signed headers exactly as received, the query
  // without the auth parameters (presign() adds those back from its options), the raw path.
  const reqHeaders = {};
  for (const h of signedHeaders) if (headers[h] !== undefined) reqHeaders[h] = String(headers[h]);
  const unsignable = new Set();
  if (!signedHeaders.includes('x-amz-content-sha256')) {
    // presign() takes the payload hash from this header; query auth always uses UNSIGNED-PAYLOAD.
    reqHeaders['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    unsignable.add('x-amz-content-sha256');
  }
  const query = {};
  for (const [k, v] of pairs) {
    if (S3_AUTH_PARAMS.has(k)) continue;
    if (Object.prototype.hasOwnProperty.call(query, k)) query[k] = [].concat(query[k], v);
    else query[k] = v;
  }

  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: c.accessKeySecret, sessionToken: token || undefined },
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false, // S3: the canonical URI is the path exactly as sent (no normalising, no double encoding)
    applyChecksum: false,
  });
  // Capture the intermediates for the error body (they contain no secret).
  let canonicalRequest = null;
  let stringToSign = null;
  const origCR = signer.createCanonicalRequest.bind(signer);
  signer.createCanonicalRequest = (...a) => (canonicalRequest = origCR(...a));
  const origSTS = signer.createStringToSign.bind(signer);
  signer.createStringToSign = async (...a) => (stringToSign = await origSTS(...a));

  const presigned = await signer.presign(
    { method: ctx.method, protocol: 'http:', hostname: ctx.hostname, path: ctx.rawPath, query, headers: reqHeaders },
    {
      signingDate: new Date(dateMs),
      expiresIn: expires,
      signingRegion: region,
      signingService: 's3',
      unsignableHeaders: unsignable,
      unhoistableHeaders: new Set(Object.keys(reqHeaders)),
      signableHeaders: new Set(signedHeaders),
    },
  );
  if (!safeEqual(presigned.query['X-Amz-Signature'], q['X-Amz-Signature'])) {
    return fail(S, 403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: accessKeyId, StringToSign: stringToSign, CanonicalRequest: canonicalRequest });
  }
  return { ok: true, scheme: S, dialect: 's3', accessKeyId };
}

// ---------------------------------------------------------------------------------------------
// OSS V4 query auth
// ---------------------------------------------------------------------------------------------

/**
 * ali-oss's getCanonicalRequest sorts the query by raw name with localeCompare. Re-sort its
 * already-encoded `name[=value]` items by encoded name, ordinal (signing.md §1.5 step 3).
 */
function resortCanonicalQuery(line) {
  if (!line) return line;
  const name = (item) => { const i = item.indexOf('='); return i < 0 ? item : item.slice(0, i); };
  return line.split('&').sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0)).join('&');
}

function ossV4Intermediates({ method, headers, pairs, bucket, key, region, product, longDate, additionalHeaders }) {
  // Empty values are passed as null: with ali-oss's strictNullHandling they become a bare
  // `name` (signing.md), whereas '' would give `name=`.
  const queries = {};
  for (const [k, v] of pairs) {
    if (k === 'x-oss-signature' || Object.prototype.hasOwnProperty.call(queries, k)) continue; // first value wins
    queries[k] = v === '' ? null : v;
  }
  const cr = ossSign.getCanonicalRequest(method, { headers, queries }, bucket, key, additionalHeaders);
  const lines = cr.split('\n');
  lines[2] = resortCanonicalQuery(lines[2]);
  const canonicalRequest = lines.join('\n');
  const stringToSign = ossSign.getStringToSign(region, longDate, canonicalRequest, product);
  return { canonicalRequest, stringToSign };
}

async function verifyOssV4(ctx) {
  const S = 'oss-v4';
  const { q, pairs, headers, nowMs, config } = ctx;
  if (q['x-oss-signature-version'] !== 'OSS4-HMAC-SHA256') {
    return fail(S, 400, 'InvalidArgument', 'x-oss-signature-version must be OSS4-HMAC-SHA256.');
  }
  for (const p of ['x-oss-credential', 'x-oss-date', 'x-oss-expires', 'x-oss-signature']) {
    if (!(p in q)) return fail(S, 400, 'InvalidArgument', `Missing required query parameter ${p}.`);
  }
  const cred = q['x-oss-credential'].split('/');
  if (cred.length !== 5 || !['oss', 'oss-cloudbox'].includes(cred[3]) || cred[4] !== 'aliyun_v4_request') {
    return fail(S, 400, 'InvalidArgument', 'Invalid credential in x-oss-credential.');
  }
  const [accessKeyId, credDate, region, product] = cred;
  const longDate = q['x-oss-date'];
  const dateMs = parseIsoBasic(longDate);
  if (Number.isNaN(dateMs)) return fail(S, 400, 'InvalidArgument', 'Invalid x-oss-date.');
  if (credDate !== longDate.slice(0, 8)) {
    return fail(S, 400, 'InvalidArgument', 'The date in x-oss-credential does not match x-oss-date.');
  }
  const expires = parseExpires(q['x-oss-expires']);
  if (Number.isNaN(expires) || expires < 1 || expires > MAX_EXPIRES) {
    return fail(S, 400, 'InvalidArgument', 'x-oss-expires should be in [1, 604800].');
  }
  if (!regionAllowed(config.regions.oss, region)) {
    return fail(S, 400, 'InvalidArgument', `Invalid signing region '${region}' in x-oss-credential.`);
  }
  const c = config.findCredential(accessKeyId);
  if (!c) {
    return fail(S, 403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.',
      { OSSAccessKeyId: accessKeyId });
  }
  if (c.securityToken !== undefined && c.securityToken !== null && !safeEqual(q['x-oss-security-token'] ?? '', c.securityToken)) {
    return fail(S, 403, 'InvalidSecurityToken', 'The security token you provided is invalid.');
  }
  const late = checkWindow(S, nowMs, dateMs, expires, 'x-oss-expires');
  if (late) return late;

  const additionalHeaders = (q['x-oss-additional-headers'] || '').split(';').filter(Boolean);
  let inter;
  try {
    inter = ossV4Intermediates({
      method: ctx.method, headers, pairs, bucket: ctx.bucket, key: ctx.key, region, product, longDate, additionalHeaders,
    });
  } catch (e) {
    // getCanonicalRequest throws when an additional header is missing from the request
    return fail(S, 403, 'SignatureDoesNotMatch', String(e.message || e), { OSSAccessKeyId: accessKeyId });
  }
  const expected = ossSign.getSignatureV4(c.accessKeySecret, longDate.slice(0, 8), region, inter.stringToSign, product);
  if (!safeEqual(expected, q['x-oss-signature'])) {
    return fail(S, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      OSSAccessKeyId: accessKeyId, CanonicalRequest: inter.canonicalRequest, StringToSign: inter.stringToSign,
    });
  }
  return { ok: true, scheme: S, dialect: 'oss', accessKeyId };
}

// ---------------------------------------------------------------------------------------------
// OSS V1 query auth
// ---------------------------------------------------------------------------------------------
function ossV1StringToSign({ method, headers, pairs, bucket, key, expires }) {
  const parameters = {};
  for (const [k, v] of pairs) {
    if (!(OSS_V1_SUBRESOURCES.has(k) || k.startsWith('x-oss-'))) continue;
    if (Object.prototype.hasOwnProperty.call(parameters, k)) continue; // first value wins
    parameters[k] = v; // raw, decoded value; '' is written as a bare name by the SDK
  }
  // Resource uses the RAW key, bucket always included (signing.md §2.3).
  return ossSign.buildCanonicalString(method, `/${bucket}/${key}`, { headers, parameters }, expires);
}

async function verifyOssV1(ctx) {
  const S = 'oss-v1';
  const { q, pairs, headers, nowMs, config } = ctx;
  for (const p of ['OSSAccessKeyId', 'Expires', 'Signature']) {
    if (!(p in q)) return fail(S, 403, 'AccessDenied', `Missing required query parameter ${p}.`);
  }
  const expiresStr = q.Expires;
  if (!/^\d{1,12}$/.test(expiresStr)) return fail(S, 403, 'AccessDenied', 'Invalid Expires.');
  const c = config.findCredential(q.OSSAccessKeyId);
  if (!c) {
    return fail(S, 403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.',
      { OSSAccessKeyId: q.OSSAccessKeyId });
  }
  if (c.securityToken !== undefined && c.securityToken !== null && !safeEqual(q['security-token'] ?? '', c.securityToken)) {
    return fail(S, 403, 'InvalidSecurityToken', 'The security token you provided is invalid.');
  }
  if (Math.floor(nowMs / 1000) > Number(expiresStr)) {
    return fail(S, 403, 'AccessDenied', 'Request has expired.', {
      Expires: new Date(Number(expiresStr) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  const stringToSign = ossV1StringToSign({
    method: ctx.method, headers, pairs, bucket: ctx.bucket, key: ctx.key, expires: expiresStr,
  });
  const expected = ossSign.computeSignature(c.accessKeySecret, stringToSign);
  if (!safeEqual(expected, q.Signature)) {
    return fail(S, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      OSSAccessKeyId: q.OSSAccessKeyId, StringToSign: stringToSign,
    });
  }
  return { ok: true, scheme: S, dialect: 'oss', accessKeyId: q.OSSAccessKeyId };
}

// ---------------------------------------------------------------------------------------------
// Header auth (config.headerAuth only): lets the SDK clients themselves (S3Client, ali-oss) talk to the store in
// its self-tests. Off by default: the gateway must send query-signed (presigned) requests.
// ---------------------------------------------------------------------------------------------

function headerDateMs(v) {
  const basic = parseIsoBasic(v);
  return Number.isNaN(basic) ? Date.parse(v || '') : basic;
}

function checkHeaderDate(scheme, nowMs, dateMs) {
  if (Number.isNaN(dateMs)) return fail(scheme, 403, 'AccessDenied', 'The request has no valid date.');
  if (Math.abs(nowMs - dateMs) > SKEW_MS) {
    return fail(scheme, 403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }
  return null;
}

async function verifyS3Header(ctx) {
  const S = 's3-v4-header';
  const { headers, pairs, nowMs, config } = ctx;
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(headers.authorization);
  const cred = m ? m[1].split('/') : [];
  if (cred.length !== 5 || cred[3] !== 's3' || cred[4] !== 'aws4_request') {
    return fail(S, 400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.');
  }
  const [accessKeyId, , region] = cred;
  const dateMs = parseIsoBasic(headers['x-amz-date']);
  const late = checkHeaderDate(S, nowMs, dateMs);
  if (late) return late;
  const c = config.findCredential(accessKeyId);
  if (!c) return fail(S, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const token = headers['x-amz-security-token'];
  if (c.securityToken !== undefined && c.securityToken !== null && !safeEqual(token ?? '', c.securityToken)) {
    return fail(S, 403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  }
  const signedHeaders = m[2].split(';');
  const reqHeaders = {};
  for (const h of signedHeaders) if (headers[h] !== undefined) reqHeaders[h] = String(headers[h]);
  const query = {};
  for (const [k, v] of pairs) query[k] = Object.prototype.hasOwnProperty.call(query, k) ? [].concat(query[k], v) : v;
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: c.accessKeySecret, sessionToken: token || undefined },
    region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: ctx.method, protocol: 'http:', hostname: ctx.hostname, path: ctx.rawPath, query, headers: reqHeaders },
    { signingDate: new Date(dateMs), signingRegion: region, signingService: 's3', signableHeaders: new Set(signedHeaders) },
  );
  const got = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization);
  if (!got || !safeEqual(got[1], m[3])) {
    return fail(S, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return { ok: true, scheme: S, dialect: 's3', accessKeyId };
}

async function verifyOssV1Header(ctx) {
  const S = 'oss-v1-header';
  const { headers, pairs, nowMs, config } = ctx;
  const m = /^OSS ([^:]+):(.+)$/.exec(headers.authorization);
  if (!m) return fail(S, 400, 'InvalidArgument', 'Authorization header is invalid.');
  const late = checkHeaderDate(S, nowMs, headerDateMs(headers['x-oss-date'] || headers.date));
  if (late) return late;
  const c = config.findCredential(m[1]);
  if (!c) return fail(S, 403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
  if (c.securityToken !== undefined && c.securityToken !== null && !safeEqual(headers['x-oss-security-token'] ?? '', c.securityToken)) {
    return fail(S, 403, 'InvalidSecurityToken', 'The security token you provided is invalid.');
  }
  const parameters = {};
  for (const [k, v] of pairs) {
    if ((OSS_V1_SUBRESOURCES.has(k) || k.startsWith('x-oss-')) && !(k in parameters)) parameters[k] = v === '' ? null : v;
  }
  const stringToSign = ossSign.buildCanonicalString(ctx.method, `/${ctx.bucket}/${ctx.key}`, { headers, parameters });
  if (!safeEqual(ossSign.computeSignature(c.accessKeySecret, stringToSign), m[2])) {
    return fail(S, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return { ok: true, scheme: S, dialect: 'oss', accessKeyId: m[1] };
}

/**
 * Verify a request. ctx: { method, hostname, rawPath, pairs, q, headers, bucket, key, nowMs, config }
 * Returns { ok, scheme, dialect, ... } ; unsigned requests -> { ok:false, scheme:null, code:'AccessDenied' }.
 */
async function verifyRequest(ctx) {
  const scheme = detectScheme(ctx.q);
  switch (scheme) {
    case 's3-v4': return verifyS3(ctx);
    case 'oss-v4': return verifyOssV4(ctx);
    case 'oss-v1': return verifyOssV1(ctx);
    case 'ambiguous':
      return { ok: false, scheme: null, dialect: null, status: 400, code: 'InvalidArgument',
        message: 'Only one authentication mechanism is allowed per request.', extra: {} };
    default:
      if (ctx.config.headerAuth && typeof ctx.headers.authorization === 'string') {
        if (ctx.headers.authorization.startsWith('AWS4-HMAC-SHA256 ')) return verifyS3Header(ctx);
        if (ctx.headers.authorization.startsWith('OSS ')) return verifyOssV1Header(ctx);
      }
      return { ok: false, scheme: null, dialect: null, status: 403, code: 'AccessDenied',
        message: 'Access Denied', extra: {} };
  }
}

module.exports = { verifyRequest, detectScheme, dialectOf, ossV4Intermediates, ossV1StringToSign, resortCanonicalQuery };
