#!/usr/bin/env node
'use strict';
// Generates the EXTRA golden vectors in ../vectors-extra/{oss-v4,oss-v1,s3-v4}.json and the bucket-level
// ListObjectsV2 vectors in ../../PresignGateway.Signing.Tests/Vectors/list-{oss-v4,oss-v1,s3-v4}.json with the
// official SDKs, in the same schema as shared/vectors/*.json (list cases: key "", operation "ListObjectsV2"):
//   OSS V4 : ali-oss signatureUrlV4(method, expires, { queries }, key), Date frozen at signTime
//   OSS V1 : ali-oss signatureUrl(key, { expires, method, process, response, subResource }), Date frozen
//   S3     : @aws-sdk/s3-request-presigner getSignedUrl(client, Get/HeadObjectCommand, { expiresIn, signingDate })
//            in the "classic" and "sdk-default" profiles (see the shared notes); ListObjectsV2Command for listings
//   Lists  : OSS V4 signatureUrlV4(..., objectName ''); OSS V1 signatureUrl('', { subResource: continuation-token })
//            with the unsigned list parameters appended to the URL as ali-oss listV2 sends them (V1 signs only
//            sub-resources); S3 ListObjectsV2Command. Continuation tokens are real test-store tokens (lib/listing.js).
// canonicalRequest / stringToSign are captured from the SDK helpers while they run. Every case
// is then re-derived from its "input" alone by the small implementation of signing.md at the
// bottom of this file; a case whose SDK output differs from the spec is an error (nothing is
// written), so an SDK quirk can never slip into the vectors.
//
//   node tools/make-vectors.js            (writes vectors-extra/*.json; deterministic)

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const FakeTimers = require('@sinonjs/fake-timers');
const OSS = require('ali-oss');
const ossSign = require('ali-oss/lib/common/signUtils');
const { S3Client, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
const { SignatureV4 } = require('@smithy/signature-v4');
const { encodeToken } = require('../lib/listing');

const OUT_DIR = path.join(__dirname, '..', 'vectors-extra');
const LIST_OUT_DIR = path.join(__dirname, '..', '..', 'PresignGateway.Signing.Tests', 'Vectors');
const version = (pkg) => JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;

// ---------------------------------------------------------------------------------------------
// inputs (all credentials are fake)
// ---------------------------------------------------------------------------------------------

const OSS_CRED = { accessKeyId: 'fake-oss-extra-key-0001', accessKeySecret: 'ExtraSecret/+=~!*()0001' };
const OSS_STS = {
  accessKeyId: 'fake-oss-extra-sts-key-0002',
  accessKeySecret: 'ExtraStsSecret00000000000000000000000002',
  securityToken: 'CAIS+EXTRA/token+with/slashes==TESTONLY/0123456789+abcdefghijklmnopqrstuvwxyz==',
};
const S3_CRED = { accessKeyId: 'fake-s3-extra-key-0001', accessKeySecret: 'extra/Secret+Key=0001~testonly000000000' };
const S3_STS = {
  accessKeyId: 'fake-s3-extra-sts-key-0002',
  accessKeySecret: 'extraStsSecret2000000000000000000000000',
  securityToken: 'IQoJb3JpZ2luX2VjEXTRA//////////wEaCXVzLWVhc3QtMSJHMEUCIQDEXTRA+token/with+slashes==TESTONLY0123456789+/=',
};

const KEY_1000_ASCII = `long/${'x'.repeat(995)}`; // 1,000 bytes
const KEY_1000_CJK = `${'长'.repeat(333)}z`; // 333 x 3 + 1 = 1,000 bytes
const K = {
  longAscii: KEY_1000_ASCII,
  longCjk: KEY_1000_CJK,
  slashes: 'a//b///c',
  spaces: ' leading and trailing ',
  badPercent: '%bad%name%',
  eqAt: 'a=b@c',
  quoteParen: "'(1).txt",
  plus: 'plus+plus.txt',
  cyrillic: 'Привет/мир файл.txt',
  cjk: '报告/2024年度报告 最终版.pdf',
  emoji: 'emoji/😀🎉 party 👨‍👩‍👧.png',
  dots: 'dots/./and/../segments.txt',
  subDelims: "sub-delims!$&'()*+,;=.txt",
  brackets: 'brackets[]{}|^`\\.txt',
  tilde: 'tilde~under_score-dash.txt',
  trailingSlash: 'folder/with/trailing/slash/',
  queryLike: 'q?x=1&y=2#frag.txt',
  twoSpaces: 'two  spaces.txt',
};
for (const k of Object.values(K)) {
  if (/[\u0000-\u001f\u007f]/.test(k)) throw new Error('control characters are not allowed in keys');
}
if (Buffer.byteLength(KEY_1000_ASCII) !== 1000 || Buffer.byteLength(KEY_1000_CJK) !== 1000) throw new Error('1000-byte keys');

const T0 = '2024-03-15T08:30:00Z';
const T_MIDNIGHT = '2025-12-31T23:59:59Z'; // last second of a UTC day (date part must not roll)
const T_LEAP = '2024-02-29T12:00:00Z';
const DISP_UTF8 = "attachment; filename=\"report.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202024.pdf";
const DISP_RAW_UTF8 = 'attachment; filename="报告 Привет 😀.pdf"';
const PROCESS = 'image/resize,m_fill,w_100,h_100/format,webp';
const OSS_VERSION = 'CAEQmgEYgYDA6Ia5_hkiIDZjZmFlYjAzNTFmODQ1ZDNiYzk4MDY4MDRmZDRhYWE0';
const S3_VERSION = '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo/=';

// OSS endpoints: [endpoint, addressingStyle, region, bucket]
const OSS_HZ = ['https://oss-cn-hangzhou.aliyuncs.com', 'virtual-hosted', 'cn-hangzhou', 'extra-bucket'];
const OSS_HZ_HTTP = ['http://oss-cn-hangzhou.aliyuncs.com', 'virtual-hosted', 'cn-hangzhou', 'extra-bucket'];
const OSS_PATH = ['https://oss-cn-hangzhou.aliyuncs.com', 'path', 'cn-hangzhou', 'extra-bucket'];
const OSS_CNAME = ['https://files.example.net', 'cname', 'cn-hangzhou', 'extra-bucket'];
const OSS_EU = ['https://oss-eu-central-1.aliyuncs.com', 'virtual-hosted', 'eu-central-1', 'extra-eu-bucket'];
const OSS_PORT = ['http://oss.local.test:9000', 'virtual-hosted', 'cn-shanghai', 'extra-bucket'];

/** OSS case list, shared by V4 and V1: [name, endpointSpec, key, opts] */
const OSS_CASES = [
  ['long-key-1000-bytes-ascii', OSS_HZ, K.longAscii, {}],
  ['long-key-1000-bytes-cjk', OSS_HZ, K.longCjk, {}],
  ['empty-segments', OSS_HZ, K.slashes, {}],
  ['empty-segments-path-style', OSS_PATH, K.slashes, {}],
  ['leading-trailing-spaces', OSS_HZ, K.spaces, {}],
  ['two-spaces', OSS_HZ_HTTP, K.twoSpaces, {}],
  ['percent-signs', OSS_HZ, K.badPercent, {}],
  ['equals-at', OSS_HZ, K.eqAt, {}],
  ['quote-parens', OSS_HZ, K.quoteParen, {}],
  ['plus', OSS_CNAME, K.plus, {}],
  ['cyrillic', OSS_HZ, K.cyrillic, {}],
  ['cjk-cname-disposition-utf8', OSS_CNAME, K.cjk, { query: { 'response-content-disposition': DISP_UTF8 } }],
  ['emoji-zwj', OSS_HZ, K.emoji, {}],
  ['dot-segments', OSS_HZ, K.dots, {}],
  ['sub-delims', OSS_HZ, K.subDelims, {}],
  ['brackets-braces-pipe-caret-backtick-backslash', OSS_HZ, K.brackets, {}],
  ['tilde-underscore-dash', OSS_PATH, K.tilde, {}],
  ['trailing-slash', OSS_HZ, K.trailingSlash, {}],
  ['query-like-key', OSS_CNAME, K.queryLike, {}],
  ['disposition-raw-utf8-value', OSS_HZ, K.cjk, { query: { 'response-content-disposition': DISP_RAW_UTF8 } }],
  ['process-and-version', OSS_HZ, K.emoji, { query: { versionId: OSS_VERSION, 'x-oss-process': PROCESS } }],
  ['sts-overrides', OSS_HZ, K.spaces, {
    creds: OSS_STS,
    query: { 'response-cache-control': 'no-cache', 'response-content-disposition': DISP_UTF8, 'response-content-type': 'application/pdf' },
  }],
  ['sts-path-style', OSS_PATH, K.plus, { creds: OSS_STS }],
  ['sts-cname-version', OSS_CNAME, K.cyrillic, { creds: OSS_STS, query: { versionId: OSS_VERSION } }],
  ['expires-1s', OSS_HZ, K.plus, { expires: 1 }],
  ['expires-60s-midnight', OSS_HZ, K.slashes, { expires: 60, signTime: T_MIDNIGHT }],
  ['expires-43200s-leap-day', OSS_EU, K.cjk, { expires: 43200, signTime: T_LEAP }],
  ['expires-604800s', OSS_HZ, K.quoteParen, { expires: 604800 }],
  ['endpoint-with-port', OSS_PORT, K.twoSpaces, {}],
  ['head-method', OSS_HZ, K.emoji, { method: 'HEAD' }],
  ['head-method-sts-cname', OSS_CNAME, K.longCjk, { method: 'HEAD', creds: OSS_STS }],
];

// S3: [name, profile, clientSpec, key, opts]; clientSpec = { region, endpoint?, forcePathStyle?, useGlobalEndpoint? }
const S3_USE1 = { region: 'us-east-1' };
const S3_LOCAL_IP = { region: 'us-east-1', endpoint: 'http://127.0.0.1:4568', forcePathStyle: true };
const S3_LOCALHOST = { region: 'us-east-1', endpoint: 'http://localhost:4568' };
const S3_EU_PATH = { region: 'eu-central-1', forcePathStyle: true };
const S3_CUSTOM = { region: 'us-east-1', endpoint: 'https://objects.example.com:9443', forcePathStyle: true };
const S3_CASES = [
  ['long-key-1000-bytes-ascii', 'classic', S3_USE1, K.longAscii, {}],
  ['long-key-1000-bytes-cjk', 'classic', S3_LOCAL_IP, K.longCjk, {}],
  ['empty-segments', 'classic', S3_USE1, K.slashes, {}],
  ['empty-segments-path-local', 'sdk-default', S3_LOCAL_IP, K.slashes, {}],
  ['leading-trailing-spaces', 'classic', S3_LOCALHOST, K.spaces, {}],
  ['two-spaces', 'classic', S3_USE1, K.twoSpaces, {}],
  ['percent-signs', 'classic', S3_LOCAL_IP, K.badPercent, {}],
  ['equals-at', 'classic', S3_USE1, K.eqAt, {}],
  ['quote-parens', 'classic', S3_USE1, K.quoteParen, {}],
  ['plus', 'sdk-default', S3_USE1, K.plus, {}],
  ['cyrillic', 'classic', S3_EU_PATH, K.cyrillic, {}],
  ['cjk-disposition-utf8', 'classic', S3_USE1, K.cjk, { cmd: { ResponseContentDisposition: DISP_UTF8 } }],
  ['emoji-zwj', 'classic', S3_LOCAL_IP, K.emoji, {}],
  ['dot-segments', 'classic', S3_LOCAL_IP, K.dots, {}],
  ['sub-delims', 'classic', S3_USE1, K.subDelims, {}],
  ['brackets-braces-pipe-caret-backtick-backslash', 'classic', S3_USE1, K.brackets, {}],
  ['tilde-underscore-dash', 'classic', S3_CUSTOM, K.tilde, {}],
  ['trailing-slash', 'classic', S3_USE1, K.trailingSlash, {}],
  ['query-like-key', 'classic', S3_LOCALHOST, K.queryLike, {}],
  ['disposition-raw-utf8-value', 'classic', S3_LOCAL_IP, K.cjk, { cmd: { ResponseContentDisposition: DISP_RAW_UTF8 } }],
  ['version-and-overrides', 'classic', S3_USE1, K.emoji, {
    cmd: { VersionId: S3_VERSION, ResponseCacheControl: 'no-cache', ResponseContentLanguage: 'zh-CN', ResponseContentType: 'application/pdf' },
  }],
  ['sts-overrides', 'classic', S3_USE1, K.spaces, { creds: S3_STS, cmd: { ResponseContentDisposition: DISP_UTF8 } }],
  ['sts-path-local-sdk-default', 'sdk-default', S3_LOCAL_IP, K.plus, { creds: S3_STS, cmd: { VersionId: S3_VERSION } }],
  ['expires-1s', 'classic', S3_USE1, K.plus, { expires: 1 }],
  ['expires-60s-midnight', 'classic', S3_LOCAL_IP, K.slashes, { expires: 60, signTime: T_MIDNIGHT }],
  ['expires-43200s-leap-day', 'classic', S3_EU_PATH, K.cjk, { expires: 43200, signTime: T_LEAP }],
  ['expires-604800s', 'classic', S3_USE1, K.quoteParen, { expires: 604800 }],
  ['dotted-bucket-https', 'classic', S3_USE1, K.twoSpaces, { bucket: 'extra.dotted.bucket', comment: 'dotted bucket name over https: the SDK switches to path style by itself' }],
  ['head-method', 'classic', S3_USE1, K.emoji, { method: 'HEAD' }],
  ['head-method-sdk-default-local', 'sdk-default', S3_LOCAL_IP, K.longCjk, { method: 'HEAD' }],
  ['head-method-sts-virtual-local', 'classic', S3_LOCALHOST, K.cyrillic, { method: 'HEAD', creds: S3_STS }],
];

// ---------------------------------------------------------------------------------------------
// bucket-level ListObjectsV2 cases
// ---------------------------------------------------------------------------------------------

/** The query PresignGateway.Signing's ListObjectsQuery.ForDirectoryPage builds, in its order. */
function directoryPage(prefix, maxKeys, continuationToken) {
  const q = { 'list-type': '2' };
  if (prefix) q.prefix = prefix;
  Object.assign(q, { delimiter: '/', 'max-keys': String(maxKeys), 'encoding-type': 'url' });
  if (continuationToken) q['continuation-token'] = continuationToken;
  return { query: q, directoryPage: { prefix, maxKeys, continuationToken: continuationToken || null } };
}

/** A real store token resuming after a key under releases/; for S3 one whose base64 has '+' or '/' and '='. */
function tokenFor(bucket, dialect) {
  for (let n = 0; n < 1000; n++) {
    const t = encodeToken(bucket, `releases/v${n}.tar.gz`, dialect);
    if (dialect === 'oss' || (/[+/]/.test(t) && t.endsWith('='))) return t;
  }
  throw new Error('no token with + / =');
}

const OSS_TOKEN = tokenFor('extra-bucket', 'oss');
const LP = { ascii: 'releases/', cjk: '报告/2024 年度+final/', cyrillic: 'Привет мир/', plusSpace: 'a+b c/' };
const OSS_LIST_CASES = [
  ['root-first-page', OSS_HZ, directoryPage('', 1000)],
  ['prefix-first-page', OSS_HZ, directoryPage(LP.ascii, 1000)],
  ['prefix-path-style', OSS_PATH, directoryPage(LP.ascii, 1000)],
  ['prefix-cname', OSS_CNAME, directoryPage(LP.ascii, 100)],
  ['cjk-space-plus-prefix', OSS_HZ, directoryPage(LP.cjk, 1000)],
  ['cyrillic-prefix-path-style', OSS_PATH, directoryPage(LP.cyrillic, 500)],
  ['continuation-token', OSS_HZ, directoryPage(LP.ascii, 2, OSS_TOKEN)],
  ['continuation-token-path-style', OSS_PATH, directoryPage(LP.ascii, 2, OSS_TOKEN)],
  ['sts-continuation-token-cname', OSS_CNAME, directoryPage(LP.ascii, 2, OSS_TOKEN), { creds: OSS_STS }],
  ['sts-root', OSS_HZ, directoryPage('', 1000), { creds: OSS_STS }],
  ['max-keys-1-http', OSS_HZ_HTTP, directoryPage(LP.ascii, 1)],
  ['endpoint-with-port-plus-space', OSS_PORT, directoryPage(LP.plusSpace, 10)],
  ['expires-60s-midnight', OSS_HZ, directoryPage(LP.ascii, 1000), { expires: 60, signTime: T_MIDNIGHT }],
  ['start-after-without-delimiter', OSS_HZ, { query: { 'list-type': '2', prefix: LP.ascii, 'start-after': 'releases/v1.tar.gz', 'max-keys': '10' } }],
];

const S3_TOKEN = tokenFor('extra-bucket', 's3');
const S3_DOTTED_TOKEN = tokenFor('extra.dotted.bucket', 's3');
/** ListObjectsV2Command input for a directory page (the SDK's own parameter names). */
function s3DirectoryPage(prefix, maxKeys, token) {
  const cmd = { Delimiter: '/', MaxKeys: maxKeys, EncodingType: 'url' };
  if (prefix) cmd.Prefix = prefix;
  if (token) cmd.ContinuationToken = token;
  return { cmd, directoryPage: { prefix, maxKeys, continuationToken: token || null } };
}
const S3_LIST_CASES = [
  ['root-first-page', 'classic', S3_USE1, s3DirectoryPage('', 1000)],
  ['prefix-virtual', 'classic', S3_USE1, s3DirectoryPage(LP.ascii, 1000)],
  ['prefix-path-style', 'classic', S3_EU_PATH, s3DirectoryPage(LP.ascii, 1000)],
  ['prefix-path-local-sdk-default', 'sdk-default', S3_LOCAL_IP, s3DirectoryPage(LP.ascii, 1000)],
  ['cjk-space-plus-prefix', 'classic', S3_USE1, s3DirectoryPage(LP.cjk, 1000)],
  ['cyrillic-prefix-localhost', 'classic', S3_LOCALHOST, s3DirectoryPage(LP.cyrillic, 500)],
  ['continuation-token', 'classic', S3_USE1, s3DirectoryPage(LP.ascii, 2, S3_TOKEN)],
  ['continuation-token-path-local', 'classic', S3_LOCAL_IP, s3DirectoryPage(LP.ascii, 2, S3_TOKEN)],
  ['sts-continuation-token', 'classic', S3_USE1, s3DirectoryPage(LP.ascii, 2, S3_TOKEN), { creds: S3_STS }],
  ['custom-endpoint-plus-space', 'classic', S3_CUSTOM, s3DirectoryPage(LP.plusSpace, 10)],
  ['expires-60s-midnight', 'classic', S3_USE1, s3DirectoryPage(LP.ascii, 1000), { expires: 60, signTime: T_MIDNIGHT }],
  ['empty-prefix-value', 'classic', S3_USE1, { cmd: { Prefix: '', MaxKeys: 1000 } }],
  ['start-after-without-delimiter', 'classic', S3_USE1, { cmd: { Prefix: LP.ascii, StartAfter: 'releases/v1.tar.gz', MaxKeys: 10 } }],
  ['dotted-bucket-https', 'classic', S3_USE1, s3DirectoryPage(LP.ascii, 2, S3_DOTTED_TOKEN), { bucket: 'extra.dotted.bucket', comment: 'dotted bucket name over https: the SDK switches to path style by itself' }],
];

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/** Run fn with only Date faked at signTime (like the shared vectors were made). */
async function withFrozenDate(signTime, fn) {
  const clock = FakeTimers.install({ now: Date.parse(signTime), toFake: ['Date'] });
  try {
    return await fn();
  } finally {
    clock.uninstall();
  }
}

/** Capture the return values of some module functions / prototype methods during fn. */
async function capture(target, names, fn) {
  const got = {};
  const orig = {};
  for (const n of names) {
    orig[n] = target[n];
    target[n] = function captured(...a) {
      const r = orig[n].apply(this, a);
      if (r && typeof r.then === 'function') return r.then((v) => (got[n] = v));
      got[n] = r;
      return r;
    };
  }
  try {
    const result = await fn();
    return { result, got };
  } finally {
    for (const n of names) target[n] = orig[n];
  }
}

function splitUrl(url) {
  const m = /^([a-z]+):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?$/i.exec(url);
  if (!m) throw new Error(`cannot split ${url}`);
  return { scheme: m[1], host: m[2], path: m[3], rawQuery: m[4] || '' };
}

function decodedPairs(rawQuery) {
  return rawQuery.split('&').filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    const d = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
    return i < 0 ? [d(p), ''] : [d(p.slice(0, i)), d(p.slice(i + 1))];
  });
}

// ---------------------------------------------------------------------------------------------
// generators
// ---------------------------------------------------------------------------------------------

function ossClient([endpoint, style, region, bucket], creds) {
  const opts = {
    region: `oss-${region}`, endpoint, bucket,
    accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret,
  };
  if (creds.securityToken) opts.stsToken = creds.securityToken;
  if (style === 'cname') opts.cname = true;
  if (style === 'path') opts.sldEnable = true;
  return { client: new OSS(opts), clientOptions: Object.fromEntries(Object.entries(opts).filter(([k]) => !/^access|stsToken/.test(k))) };
}

function ossInput([endpoint, style, region, bucket], key, opts, creds) {
  const input = { accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret };
  if (creds.securityToken) input.securityToken = creds.securityToken;
  Object.assign(input, {
    region, endpoint, bucket, key, addressingStyle: style,
    signTime: opts.signTime || T0, expiresSeconds: opts.expires || 3600, query: opts.query || {},
  });
  return input;
}

async function makeOssV4([name, ep, key, opts]) {
  const creds = opts.creds || OSS_CRED;
  const input = ossInput(ep, key, opts, creds);
  const method = opts.method || 'GET';
  const { client, clientOptions } = ossClient(ep, creds);
  const { result: url, got } = await withFrozenDate(input.signTime, () =>
    capture(ossSign, ['getCanonicalRequest', 'getStringToSign'], () =>
      client.signatureUrlV4(method, input.expiresSeconds, { queries: { ...input.query } }, key)));
  const signature = /[?&]x-oss-signature=([0-9a-f]{64})/.exec(url)[1];
  const c = {
    name, input,
    expected: {
      url, signature,
      canonicalRequest: got.getCanonicalRequest, stringToSign: got.getStringToSign,
      intermediatesSource: 'captured from ali-oss lib/common/signUtils getCanonicalRequest()/getStringToSign() during the SDK call; independently re-derived and matched',
    },
    sdkCall: { method: `signatureUrlV4('${method}', ${input.expiresSeconds}, { queries }, key)`, clientOptions, frozenClock: input.signTime },
  };
  if (method !== 'GET') c.method = method;
  spec.checkOssV4(c);
  return c;
}

function makeOssV1([name, ep, key, opts]) {
  const creds = opts.creds || OSS_CRED;
  const input = ossInput(ep, key, opts, creds);
  const method = opts.method || 'GET';
  const { client, clientOptions } = ossClient(ep, creds);
  // map the raw query to signatureUrl's options
  const options = { expires: input.expiresSeconds };
  if (method !== 'GET') options.method = method;
  const unsigned = [];
  for (const [k, v] of Object.entries(input.query)) {
    if (!spec.isOssV1SubResource(k)) unsigned.push([k, v]);
    else if (k === 'x-oss-process') options.process = v;
    else if (k.startsWith('response-')) (options.response = options.response || {})[k.slice(9)] = v;
    else (options.subResource = options.subResource || {})[k] = v;
  }
  const sdkOptions = JSON.parse(JSON.stringify(options));
  return withFrozenDate(input.signTime, () =>
    capture(ossSign, ['buildCanonicalString', 'computeSignature'], () => client.signatureUrl(key, options))).then(({ result: signedUrl, got }) => {
    // Parameters V1 does not sign ride along in the URL, as ali-oss listV2 sends its query beside the signature.
    const url = signedUrl + unsigned.map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('');
    const c = {
      name, input,
      expected: {
        url, signature: got.computeSignature,
        expiresEpoch: Math.floor(Date.parse(input.signTime) / 1000) + input.expiresSeconds,
        canonicalRequest: null, stringToSign: got.buildCanonicalString,
        intermediatesSource: 'stringToSign captured from ali-oss lib/common/signUtils buildCanonicalString() during the SDK call (V1 has no separate canonical request); independently re-derived and matched',
      },
      sdkCall: { method: 'signatureUrl(key, options)', options: sdkOptions, clientOptions, frozenClock: input.signTime },
    };
    if (unsigned.length > 0) c.sdkCall.unsignedQueryAppended = unsigned.map(([k]) => k);
    if (method !== 'GET') c.method = method;
    spec.checkOssV1(c);
    return c;
  });
}

const S3_AUTH = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token']);

async function makeS3([name, profile, spec3, key, opts]) {
  const creds = opts.creds || S3_CRED;
  const bucket = opts.bucket || 'extra-bucket';
  const method = opts.method || 'GET';
  const signTime = opts.signTime || T0;
  const expiresSeconds = opts.expires || 3600;
  const clientConfig = { ...spec3 };
  if (profile === 'classic') Object.assign(clientConfig, { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const client = new S3Client({
    ...clientConfig,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.accessKeySecret, sessionToken: creds.securityToken },
  });
  const presignOptions = { expiresIn: expiresSeconds, signingDate: new Date(signTime) };
  if (profile === 'classic') {
    client.middlewareStack.add((next) => async (args) => {
      if (args.request && args.request.query) delete args.request.query['x-id'];
      return next(args);
    }, { step: 'build', name: 'dropXIdForClassicProfile' });
    presignOptions.unhoistableHeaders = new Set(['x-amz-content-sha256']);
    presignOptions.unsignableHeaders = new Set(['x-amz-content-sha256']);
  }
  const commandInput = opts.list ? { Bucket: bucket, ...(opts.cmd || {}) } : { Bucket: bucket, Key: key, ...(opts.cmd || {}) };
  const Cmd = opts.list ? ListObjectsV2Command : method === 'HEAD' ? HeadObjectCommand : GetObjectCommand;
  const { result: url, got } = await capture(SignatureV4.prototype, ['createCanonicalRequest', 'createStringToSign'], () =>
    getSignedUrl(client, new Cmd(commandInput), presignOptions));
  if (!got.createCanonicalRequest) throw new Error('could not capture the canonical request (signer module mismatch?)');

  const u = splitUrl(url);
  const virtual = u.host.toLowerCase().startsWith(`${bucket}.`);
  const query = {};
  for (const [k, v] of decodedPairs(u.rawQuery)) if (!S3_AUTH.has(k)) query[k] = v;
  const input = { accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret };
  if (creds.securityToken) input.securityToken = creds.securityToken;
  Object.assign(input, {
    region: spec3.region,
    endpoint: `${u.scheme}://${virtual ? u.host.slice(bucket.length + 1) : u.host}`,
    bucket, key, addressingStyle: virtual ? 'virtual-hosted' : 'path',
    signTime, expiresSeconds, query,
  });
  const c = {
    name, profile, input,
    expected: {
      url, signature: /[?&]X-Amz-Signature=([0-9a-f]{64})/.exec(url)[1],
      canonicalRequest: got.createCanonicalRequest, stringToSign: got.createStringToSign,
      intermediatesSource: '@smithy/signature-v4 createCanonicalRequest()/createStringToSign() captured during getSignedUrl; independently re-derived and matched',
    },
    sdkCall: {
      method: `getSignedUrl(client, new ${Cmd.name}(commandInput), { expiresIn, signingDate${profile === 'classic' ? ", unhoistableHeaders: ['x-amz-content-sha256'], unsignableHeaders: ['x-amz-content-sha256'] }) + build-step middleware deleting query 'x-id'" : ' })'}`,
      clientConfig, commandInput,
    },
  };
  if (method !== 'GET') c.method = method;
  if (opts.comment) c.comment = opts.comment;
  spec.checkS3(c);
  return c;
}

// ---------------------------------------------------------------------------------------------
// independent re-derivation from "input" alone, per shared/docs/signing.md (a cross-check only)
// ---------------------------------------------------------------------------------------------

const spec = (() => {
  const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const encPath = (s) => s.split('/').map(enc).join('/');
  const hmac = (alg, key, msg) => crypto.createHmac(alg, key).update(msg, 'utf8').digest();
  const sha256 = (s) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const ymd = (iso) => iso.slice(0, 10).replace(/-/g, '');
  const longDate = (iso) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const must = (c, what, a, b) => {
    if (a !== b) throw new Error(`${c.name}: ${what} differs from signing.md\n  sdk:  ${JSON.stringify(a)}\n  spec: ${JSON.stringify(b)}`);
  };

  function checkOssV4(c) {
    const i = c.input;
    const method = c.method || 'GET';
    const D = ymd(i.signTime);
    const T = longDate(i.signTime);
    const scope = `${D}/${i.region}/oss/aliyun_v4_request`;
    const params = { ...i.query, 'x-oss-credential': `${i.accessKeyId}/${scope}`, 'x-oss-date': T, 'x-oss-expires': String(i.expiresSeconds), 'x-oss-signature-version': 'OSS4-HMAC-SHA256' };
    if (i.securityToken) params['x-oss-security-token'] = i.securityToken;
    const q = Object.entries(params).map(([k, v]) => [enc(k), v === '' ? null : enc(v)])
      .sort((a, b) => cmp(a[0], b[0])).map(([k, v]) => (v === null ? k : `${k}=${v}`)).join('&');
    const cr = [method, encPath(`/${i.bucket}/${i.key}`), q, '', '', 'UNSIGNED-PAYLOAD'].join('\n');
    const sts = ['OSS4-HMAC-SHA256', T, scope, sha256(cr)].join('\n');
    let k = hmac('sha256', `aliyun_v4${i.accessKeySecret}`, D);
    for (const part of [i.region, 'oss', 'aliyun_v4_request']) k = hmac('sha256', k, part);
    must(c, 'canonicalRequest', c.expected.canonicalRequest, cr);
    must(c, 'stringToSign', c.expected.stringToSign, sts);
    must(c, 'signature', c.expected.signature, crypto.createHmac('sha256', k).update(sts).digest('hex'));
    checkUrl(c, 'x-oss-signature', c.expected.signature);
  }

  // The sub-resources that V1 signs (signing.md section 2.3) among the parameters these vectors use; plus any x-oss-*.
  const V1_SUBRESOURCES = new Set(['versionId', 'security-token', 'continuation-token', 'response-content-type',
    'response-content-language', 'response-expires', 'response-cache-control', 'response-content-disposition', 'response-content-encoding']);
  const isOssV1SubResource = (k) => V1_SUBRESOURCES.has(k) || k.startsWith('x-oss-');

  function checkOssV1(c) {
    const i = c.input;
    const expires = Math.floor(Date.parse(i.signTime) / 1000) + i.expiresSeconds;
    const sub = Object.fromEntries(Object.entries(i.query).filter(([k]) => isOssV1SubResource(k)));
    if (i.securityToken) sub['security-token'] = i.securityToken;
    const subs = Object.keys(sub).sort(cmp).map((k) => (sub[k] === '' ? k : `${k}=${sub[k]}`)).join('&');
    const sts = `${c.method || 'GET'}\n\n\n${expires}\n/${i.bucket}/${i.key}${subs ? `?${subs}` : ''}`;
    must(c, 'stringToSign', c.expected.stringToSign, sts);
    must(c, 'signature', c.expected.signature, crypto.createHmac('sha1', i.accessKeySecret).update(sts, 'utf8').digest('base64'));
    must(c, 'expiresEpoch', c.expected.expiresEpoch, expires);
    checkUrl(c, 'Signature', c.expected.signature);
  }

  function checkS3(c) {
    const i = c.input;
    const D = ymd(i.signTime);
    const T = longDate(i.signTime);
    const scope = `${D}/${i.region}/s3/aws4_request`;
    const host = splitUrl(i.endpoint).host;
    const urlHost = i.addressingStyle === 'virtual-hosted' ? `${i.bucket}.${host}` : host;
    const urlPath = i.addressingStyle === 'virtual-hosted' ? `/${encPath(i.key)}` : `/${i.bucket}/${encPath(i.key)}`;
    const params = {
      ...i.query, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': `${i.accessKeyId}/${scope}`, 'X-Amz-Date': T,
      'X-Amz-Expires': String(i.expiresSeconds), 'X-Amz-SignedHeaders': 'host',
    };
    if (i.securityToken) params['X-Amz-Security-Token'] = i.securityToken;
    const q = Object.entries(params).map(([k, v]) => `${enc(k)}=${enc(v)}`).sort(cmp).join('&');
    const cr = [c.method || 'GET', urlPath, q, `host:${urlHost}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
    const sts = ['AWS4-HMAC-SHA256', T, scope, sha256(cr)].join('\n');
    let k = hmac('sha256', `AWS4${i.accessKeySecret}`, D);
    for (const part of [i.region, 's3', 'aws4_request']) k = hmac('sha256', k, part);
    must(c, 'canonicalRequest', c.expected.canonicalRequest, cr);
    must(c, 'stringToSign', c.expected.stringToSign, sts);
    must(c, 'signature', c.expected.signature, crypto.createHmac('sha256', k).update(sts).digest('hex'));
    const u = splitUrl(c.expected.url);
    must(c, 'URL host', u.host, urlHost);
    must(c, 'URL path (decoded)', decodeURIComponent(u.path), decodeURIComponent(urlPath));
    checkUrl(c, 'X-Amz-Signature', c.expected.signature);
  }

  /** URL: host/path must decode to the input; the query (as a set) must hold the signature. */
  function checkUrl(c, sigName, sig) {
    const i = c.input;
    const u = splitUrl(c.expected.url);
    const pairs = decodedPairs(u.rawQuery);
    must(c, 'URL signature', (pairs.find(([k]) => k === sigName) || [])[1], sig);
    if (c.input.addressingStyle !== undefined && !c.expected.url.startsWith(`${splitUrl(i.endpoint).scheme}://`)) {
      throw new Error(`${c.name}: scheme`);
    }
    const key = decodeURIComponent(u.path).replace(i.addressingStyle === 'path' ? `/${i.bucket}/` : '/', '');
    must(c, 'key in URL path', key, i.key);
    for (const [k, v] of Object.entries(i.query)) {
      if (!pairs.some(([pk, pv]) => pk === k && pv === v)) throw new Error(`${c.name}: query ${k} missing from URL`);
    }
  }

  return { checkOssV4, checkOssV1, checkS3, isOssV1SubResource };
})();

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

const COMMON_NOTES =
  'EXTRA set made by tests/TestStore/tools/make-vectors.js (same schema and method as shared/vectors; read the notes there too). ' +
  'Stranger inputs: 1,000-byte keys (ASCII and CJK), empty segments (a//b///c), dot segments (kept, never resolved), leading/trailing/double spaces, ' +
  "literal % signs, = @ ' ( ) ! $ & * + , ; [ ] { } | ^ ` \\ ~ ? # in keys, a trailing '/', Cyrillic, CJK, emoji with ZWJ; no control characters. " +
  'STS tokens with + / =, response-content-disposition with RFC 5987 and with raw UTF-8 values, versionId, expiries 1 s .. 604800 s, a sign time on the ' +
  'last second of a UTC day and on a leap day. Cases with a "method" field are HEAD presigns (absent = GET). Every case was re-derived from "input" alone ' +
  'by the independent signing.md implementation inside make-vectors.js and matched byte for byte (canonical request, string to sign, signature); ' +
  'nothing here was checked against a live service. ';

async function main() {
  // ali-oss warns (console.warn) on every STS client that it has no refreshSTSToken: expected here.
  const warn = console.warn;
  console.warn = (...a) => { if (!/refreshSTSToken/.test(String(a[0]))) warn(...a); };
  const aliOss = version('ali-oss');
  const out = {
    'oss-v4.json': {
      provider: 'oss-v4',
      generatedBy: `ali-oss@${aliOss} (signatureUrlV4)`,
      notes: COMMON_NOTES +
        "ali-oss client.signatureUrlV4(method, expiresSeconds, { queries: input.query }, key), Date frozen at input.signTime (@sinonjs/fake-timers, Date only). Canonical URI '/<bucket>/<key>' for every addressing style; canonical query RFC 3986 encoded and sorted (for every name here localeCompare and ordinal agree; the cross-check enforces ordinal order); no headers signed. URL encoding is ali-oss's (path: encodeURIComponent with '/' kept plus \"'\" as %27; query: querystring.escape, so ! ' ( ) * stay raw); the store decodes before canonicalising. Host rules: virtual-hosted '<bucket>.<endpoint host[:port]>', path (sldEnable) endpoint host with '/<bucket>' first in the path, cname endpoint host as is.",
      cases: [],
    },
    'oss-v1.json': {
      provider: 'oss-v1',
      generatedBy: `ali-oss@${aliOss} (signatureUrl)`,
      notes: COMMON_NOTES +
        "ali-oss client.signatureUrl(key, { expires, method?, process, response, subResource }) with Date frozen at input.signTime; input.query maps to those options (x-oss-process -> process, response-* -> response, others -> subResource). Expires = floor(signTime) + expiresSeconds (expected.expiresEpoch). stringToSign = '<METHOD>\\n\\n\\n<Expires>\\n/<bucket>/<raw key>[?<sub-resources sorted, raw values>]'; the STS token is signed as 'security-token'. Signature = base64(HMAC-SHA1), percent-encoded in the URL.",
      cases: [],
    },
    's3-v4.json': {
      provider: 's3-v4',
      generatedBy: `@aws-sdk/s3-request-presigner@${version('@aws-sdk/s3-request-presigner')} getSignedUrl with @aws-sdk/client-s3@${version('@aws-sdk/client-s3')} (signer @smithy/signature-v4@${version('@smithy/signature-v4')})`,
      notes: COMMON_NOTES +
        "getSignedUrl(client, new GetObjectCommand|HeadObjectCommand(commandInput), { expiresIn, signingDate }) in two profiles: classic (requestChecksumCalculation/responseChecksumValidation WHEN_REQUIRED, build-step middleware deleting 'x-id', unhoistableHeaders/unsignableHeaders {x-amz-content-sha256}) and sdk-default (plain client; the SDK adds X-Amz-Content-Sha256, x-amz-checksum-mode and x-id itself). input.query lists every non-auth query parameter of the URL (user ones and SDK-added ones), raw. Only host is signed (with its port when not the default). URL path = canonical URI: each key segment RFC 3986 encoded, '/' kept, empty and dot segments kept. input.endpoint/addressingStyle describe what the SDK actually produced (127.0.0.1 and dotted buckets over https go path style by themselves).",
      cases: [],
    },
  };
  for (const c of OSS_CASES) {
    out['oss-v4.json'].cases.push(await makeOssV4(c));
    out['oss-v1.json'].cases.push(await makeOssV1(c));
  }
  for (const c of S3_CASES) out['s3-v4.json'].cases.push(await makeS3(c));

  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const [file, doc] of Object.entries(out)) {
    fs.writeFileSync(path.join(OUT_DIR, file), `${JSON.stringify(doc, null, 1)}\n`);
    process.stderr.write(`wrote vectors-extra/${file}: ${doc.cases.length} cases\n`);
  }

  const LIST_NOTES =
    'Bucket-level ListObjectsV2 presigned GETs (operation "ListObjectsV2", input.key ""), made with the same SDK calls and fake credentials as vectors-extra. ' +
    'URL path: "/" (virtual-hosted, cname) or "/<bucket>/" (path style), as the SDKs make it. input.query holds every non-auth parameter of the URL, raw. ' +
    'Cases with a "directoryPage" field use exactly the query that PresignGateway.Signing ListObjectsQuery.ForDirectoryPage(prefix, maxKeys, continuationToken) builds ' +
    '(list-type=2, prefix unless empty, delimiter=/, max-keys, encoding-type=url, continuation-token after the first page). Continuation tokens are real tokens of the ' +
    'test store (tests/TestStore/lib/listing.js encodeToken; S3 ones contain + / =), so the store accepts every URL. Every case was re-derived from "input" alone by ' +
    'the independent signing.md implementation inside make-vectors.js. ';
  const listOut = {
    'list-oss-v4.json': {
      provider: 'oss-v4',
      generatedBy: `ali-oss@${aliOss} (signatureUrlV4 with objectName '')`,
      notes: LIST_NOTES + "ali-oss client.signatureUrlV4('GET', expiresSeconds, { queries: input.query }, ''), Date frozen at input.signTime. Canonical URI '/<bucket>/' for every addressing style; every query parameter is signed.",
      cases: [],
    },
    'list-oss-v1.json': {
      provider: 'oss-v1',
      generatedBy: `ali-oss@${aliOss} (signatureUrl with name '')`,
      notes: LIST_NOTES + "ali-oss client.signatureUrl('', { expires, subResource: { 'continuation-token' } }), Date frozen at input.signTime; V1 signs only sub-resources, so list-type, prefix, delimiter, max-keys, encoding-type and start-after were appended to the SDK's URL unsigned (encodeURIComponent), as ali-oss listV2 sends them beside its signature (sdkCall.unsignedQueryAppended). stringToSign resource '/<bucket>/[?continuation-token=<raw>&security-token=<raw>]'.",
      cases: [],
    },
    'list-s3-v4.json': {
      provider: 's3-v4',
      generatedBy: `@aws-sdk/s3-request-presigner@${version('@aws-sdk/s3-request-presigner')} getSignedUrl(ListObjectsV2Command) with @aws-sdk/client-s3@${version('@aws-sdk/client-s3')} (signer @smithy/signature-v4@${version('@smithy/signature-v4')})`,
      notes: LIST_NOTES + "getSignedUrl(client, new ListObjectsV2Command(commandInput), { expiresIn, signingDate }) in the classic and sdk-default profiles of s3-v4.json (sdk-default adds X-Amz-Content-Sha256 to the query). Canonical URI = URL path; host signed. Prefix '' is sent as 'prefix=' (empty-prefix-value).",
      cases: [],
    },
  };
  const listCase = (c, page) => {
    c.operation = 'ListObjectsV2';
    if (page.directoryPage) c.directoryPage = page.directoryPage;
    return c;
  };
  for (const [name, ep, page, opts = {}] of OSS_LIST_CASES) {
    const args = [name, ep, '', { ...opts, query: page.query }];
    listOut['list-oss-v4.json'].cases.push(listCase(await makeOssV4(args), page));
    listOut['list-oss-v1.json'].cases.push(listCase(await makeOssV1(args), page));
  }
  for (const [name, profile, spec3, page, opts = {}] of S3_LIST_CASES) {
    listOut['list-s3-v4.json'].cases.push(listCase(await makeS3([name, profile, spec3, '', { ...opts, list: true, cmd: page.cmd }]), page));
  }
  for (const [file, doc] of Object.entries(listOut)) {
    fs.writeFileSync(path.join(LIST_OUT_DIR, file), `${JSON.stringify(doc, null, 1)}\n`);
    process.stderr.write(`wrote PresignGateway.Signing.Tests/Vectors/${file}: ${doc.cases.length} cases\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
