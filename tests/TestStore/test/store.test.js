'use strict';
// Self-test of the store: URLs are presigned with the official SDKs (@aws-sdk/s3-request-presigner
// + @aws-sdk/client-s3, ali-oss signatureUrlV4 / signatureUrl) and fetched over 127.0.0.1.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { S3Client, GetObjectCommand, HeadObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
const OSS = require('ali-oss');

// ali-oss warns on every STS client that it has no refreshSTSToken; expected here.
const warn = console.warn;
console.warn = (...a) => { if (!/refreshSTSToken/.test(String(a[0]))) warn(...a); };
const { startServer, request, splitUrl, admin, xmlCode, tamper } = require('./helpers');

const BUCKET = 'testbucket';
const CNAME = 'static.test';
const CRED = { accessKeyId: 'TESTAKID00000001', accessKeySecret: 'test/Secret+key=1~' };
const STS = { accessKeyId: 'STS.TESTAKID0002', accessKeySecret: 'sts/secret+2', securityToken: 'CAIS+sts/token==' };
const UNKNOWN = { accessKeyId: 'NOSUCHKEYID00000', accessKeySecret: 'whatever' };

const HOSTILE_KEYS = [
  'plus+plus.txt',
  "'(1).txt",
  'a=b@c',
  '%bad%name%',
  'two  spaces.txt',
  '报告/2024年度报告.pdf',
  'Привет.txt',
  'emoji/😀🎉 party.png',
  ' leading and trailing ',
  'a//b',
  'dots/./x/../y.txt',
  `long/${'k'.repeat(995)}`, // 1,000 bytes
];

const content = (key) => Buffer.from(`content of ${JSON.stringify(key)}\n`, 'utf8');
const md5 = (b) => crypto.createHash('md5').update(b).digest('hex');

let srv;
let port;
let api;

// -- signing with the official SDKs ---------------------------------------------------------------

function s3Client(creds, style) {
  return new S3Client({
    region: 'us-east-1',
    endpoint: style === 'virtual-hosted' ? `http://localhost:${port}` : `http://127.0.0.1:${port}`,
    forcePathStyle: style !== 'virtual-hosted',
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.accessKeySecret, sessionToken: creds.securityToken },
  });
}

async function s3Url(key, { style = 'path', method = 'GET', expiresIn = 300, creds = CRED, extra = {}, signingDate } = {}) {
  const Cmd = method === 'HEAD' ? HeadObjectCommand : GetObjectCommand;
  const url = await getSignedUrl(s3Client(creds, style), new Cmd({ Bucket: BUCKET, Key: key, ...extra }), { expiresIn, signingDate });
  return splitUrl(url);
}

function ossClient(creds, style) {
  const opts = {
    region: 'oss-cn-hangzhou',
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    stsToken: creds.securityToken,
    bucket: BUCKET,
  };
  // ali-oss refuses/mangles IP endpoints, so use host names and send them to 127.0.0.1 ourselves.
  if (style === 'cname') Object.assign(opts, { endpoint: `http://${CNAME}:${port}`, cname: true });
  else if (style === 'path') Object.assign(opts, { endpoint: `http://localhost:${port}`, sldEnable: true });
  else opts.endpoint = `http://localhost:${port}`; // virtual-hosted: testbucket.localhost:PORT
  return new OSS(opts);
}

async function ossV4Url(key, { style = 'cname', method = 'GET', expires = 300, creds = CRED, queries = {} } = {}) {
  return splitUrl(await ossClient(creds, style).signatureUrlV4(method, expires, { queries }, key));
}

function ossV1Url(key, { style = 'cname', method = 'GET', expires = 300, creds = CRED, options = {} } = {}) {
  return splitUrl(ossClient(creds, style).signatureUrl(key, { expires, method, ...options }));
}

const SCHEMES = [
  ['s3-v4 path', (k, o = {}) => s3Url(k, { style: 'path', ...o })],
  ['s3-v4 virtual-hosted', (k, o = {}) => s3Url(k, { style: 'virtual-hosted', ...o })],
  ['oss-v4 cname', (k, o = {}) => ossV4Url(k, { style: 'cname', ...o })],
  ['oss-v4 virtual-hosted', (k, o = {}) => ossV4Url(k, { style: 'virtual-hosted', ...o })],
  ['oss-v4 path', (k, o = {}) => ossV4Url(k, { style: 'path', ...o })],
  ['oss-v1 cname', (k, o = {}) => ossV1Url(k, { style: 'cname', ...o })],
  ['oss-v1 virtual-hosted', (k, o = {}) => ossV1Url(k, { style: 'virtual-hosted', ...o })],
  ['oss-v1 path', (k, o = {}) => ossV1Url(k, { style: 'path', ...o })],
];


function assertXmlError(r, status, code, requestIdHeader) {
  assert.equal(r.status, status, `status; body: ${r.body}`);
  assert.equal(xmlCode(r.body), code, `code; body: ${r.body}`);
  assert.match(r.headers['content-type'], /xml/);
  assert.ok(r.headers.date, 'Date header');
  assert.ok(r.headers[requestIdHeader], requestIdHeader);
}

const ridHeader = (name) => (name.startsWith('s3') ? 'x-amz-request-id' : 'x-oss-request-id');

before(async () => {
  srv = await startServer({
    credentials: [CRED, STS],
    regions: { oss: ['cn-hangzhou'], s3: ['us-east-1'] },
    virtualHostBases: ['localhost'],
    cname: { [CNAME]: BUCKET },
    buckets: [BUCKET, 'emptybucket'],
  });
  port = srv.port;
  api = admin(port);
  for (const k of HOSTILE_KEYS) await api.put(BUCKET, k, content(k), { 'Content-Type': 'text/plain; charset=utf-8' });
});

after(async () => {
  if (srv) await srv.stop();
});

describe('start-up protocol', () => {
  it('printed exactly one JSON line on stdout and answers health', async () => {
    assert.match(srv.stdout(), /^\{"port":\d+\}\n$/);
    const h = await api.health();
    assert.equal(h.status, 200);
    assert.equal(h.json.ok, true);
  });
});

describe('hostile keys, every scheme and addressing style (SDK-presigned)', () => {
  for (const [name, sign] of SCHEMES) {
    it(name, async () => {
      for (const key of HOSTILE_KEYS) {
        const u = await sign(key);
        const r = await request(port, u);
        assert.equal(r.status, 200, `${name} ${JSON.stringify(key)} -> ${r.status} ${r.body}`);
        assert.deepEqual(r.body, content(key), `bytes of ${JSON.stringify(key)}`);
        assert.equal(r.headers['content-length'], String(content(key).length));
        assert.equal(r.headers['accept-ranges'], 'bytes');
        assert.equal(r.headers.etag, `"${md5(content(key))}"`);
        assert.ok(r.headers['last-modified']);
        assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
        if (name.startsWith('s3')) {
          assert.ok(r.headers['x-amz-request-id'] && r.headers['x-amz-id-2']);
        } else {
          assert.ok(r.headers['x-oss-request-id'] && r.headers['x-oss-hash-crc64ecma']);
        }
      }
    });
  }

  it('HEAD presigned for HEAD: same headers as GET, no body (all schemes)', async () => {
    const key = 'emoji/😀🎉 party.png';
    for (const [name, sign] of SCHEMES) {
      const get = await request(port, await sign(key));
      const u = await sign(key, { method: 'HEAD' });
      const head = await request(port, { ...u, method: 'HEAD' });
      assert.equal(head.status, 200, `${name}: ${head.status}`);
      assert.equal(head.body.length, 0);
      for (const h of ['content-length', 'etag', 'last-modified', 'content-type', 'accept-ranges']) {
        assert.equal(head.headers[h], get.headers[h], `${name} ${h}`);
      }
    }
  });
});

describe('signature failures answer like the services', () => {
  const key = 'plus+plus.txt';
  for (const [name, sign] of SCHEMES) {
    it(`${name}: tampered signature -> 403 SignatureDoesNotMatch`, async () => {
      const u = await sign(key);
      const r = await request(port, { ...u, target: tamper(u.target) });
      assertXmlError(r, 403, 'SignatureDoesNotMatch', ridHeader(name));
      assert.ok(!r.body.toString().includes(u.target.slice(-20)), 'no signature echoed');
    });
    it(`${name}: unknown access key id -> 403 InvalidAccessKeyId`, async () => {
      const r = await request(port, await sign(key, { creds: UNKNOWN }));
      assertXmlError(r, 403, 'InvalidAccessKeyId', ridHeader(name));
    });
    it(`${name}: URL for another key -> 403 SignatureDoesNotMatch`, async () => {
      const good = await sign(key);
      const other = await sign('a=b@c');
      const r = await request(port, { ...good, target: other.target.split('?')[0] + '?' + good.target.split('?')[1] });
      assertXmlError(r, 403, 'SignatureDoesNotMatch', ridHeader(name));
    });
    it(`${name}: GET URL used for HEAD -> 403, no body`, async () => {
      const r = await request(port, { ...(await sign(key)), method: 'HEAD' });
      assert.equal(r.status, 403);
      assert.equal(r.body.length, 0);
      assert.ok(r.headers[ridHeader(name)]);
    });
    it(`${name}: STS token checked`, async () => {
      const ok = await request(port, await sign(key, { creds: STS }));
      assert.equal(ok.status, 200, String(ok.body));
      const bad = await request(port, await sign(key, { creds: { ...STS, securityToken: 'CAIS+other/token==' } }));
      assert.equal(bad.status, 403);
      assert.match(xmlCode(bad.body), /^(InvalidToken|InvalidSecurityToken)$/);
    });
    it(`${name}: expired URL -> 403 AccessDenied "Request has expired"`, async () => {
      const u = await sign(key, { expiresIn: 1, expires: 1 });
      await api.clock({ offsetSeconds: 120 });
      try {
        const r = await request(port, u);
        assertXmlError(r, 403, 'AccessDenied', ridHeader(name));
        assert.match(r.body.toString(), /Request has expired/);
        // Date header follows the shifted clock
        assert.ok(Math.abs(Date.parse(r.headers.date) - (Date.now() + 120000)) < 5000);
      } finally {
        await api.clock({ offsetSeconds: 0 });
      }
    });
  }

  it('V4 URLs signed more than 15 min in the future -> 403 "not yet valid"', async () => {
    for (const [name, sign] of SCHEMES.filter(([n]) => !n.startsWith('oss-v1'))) {
      const u = await sign(key);
      await api.clock({ offsetSeconds: -3600 });
      try {
        const r = await request(port, u);
        assertXmlError(r, 403, 'AccessDenied', ridHeader(name));
        assert.match(r.body.toString(), /not yet valid/);
      } finally {
        await api.clock({ offsetSeconds: 0 });
      }
    }
  });

  it('unsigned request -> 403 AccessDenied; HEAD has no body', async () => {
    const r = await request(port, { target: `/${BUCKET}/plus%2Bplus.txt` });
    assert.equal(r.status, 403);
    assert.equal(xmlCode(r.body), 'AccessDenied');
    const h = await request(port, { method: 'HEAD', target: `/${BUCKET}/plus%2Bplus.txt` });
    assert.equal(h.status, 403);
    assert.equal(h.body.length, 0);
  });

  it('S3: client Authorization header next to query auth -> 400', async () => {
    const u = await s3Url('plus+plus.txt');
    const r = await request(port, { ...u, headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(r.status, 400);
    assert.equal(xmlCode(r.body), 'InvalidArgument');
  });

  it('missing key -> 404 NoSuchKey, missing bucket -> 404 NoSuchBucket, bad escape -> 400 InvalidURI', async () => {
    const nk = await request(port, await s3Url('no/such key'));
    assertXmlError(nk, 404, 'NoSuchKey', 'x-amz-request-id');
    const nkOss = await request(port, await ossV4Url('no/such key'));
    assertXmlError(nkOss, 404, 'NoSuchKey', 'x-oss-request-id');
    const nb = await request(port, { target: '/nosuchbucket/x.txt' });
    assert.equal(nb.status, 404);
    assert.equal(xmlCode(nb.body), 'NoSuchBucket');
    const nbv = await request(port, { target: '/x.txt', host: `nosuchbucket.localhost:${port}` });
    assert.equal(xmlCode(nbv.body), 'NoSuchBucket');
    const bad = await request(port, { target: `/${BUCKET}/%zz%bad` });
    assert.equal(bad.status, 400);
    assert.equal(xmlCode(bad.body), 'InvalidURI');
  });
});

describe('ranges, conditionals, overrides', () => {
  const key = 'range/data.bin';
  const data = crypto.randomBytes(1000);
  let etag;
  let lastModified;
  before(async () => {
    const meta = await api.put(BUCKET, key, data, { 'Content-Type': 'application/octet-stream', 'x-store-cache-control': 'max-age=60' });
    etag = `"${meta.md5}"`;
    lastModified = new Date(meta.lastModified).toUTCString();
  });
  const get = async (headers, method = 'GET') => request(port, { ...(await s3Url(key, { method })), method, headers });

  it('full GET with strong ETag and stored Cache-Control', async () => {
    const r = await get({});
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, data);
    assert.equal(r.headers.etag, etag);
    assert.equal(r.headers['cache-control'], 'max-age=60');
    assert.equal(r.headers['last-modified'], lastModified);
  });

  for (const [range, start, end] of [['bytes=0-99', 0, 99], ['bytes=-100', 900, 999], ['bytes=100-', 100, 999], ['bytes=0-0', 0, 0], ['bytes=990-5000', 990, 999]]) {
    it(`Range ${range} -> 206`, async () => {
      const r = await get({ Range: range });
      assert.equal(r.status, 206);
      assert.equal(r.headers['content-range'], `bytes ${start}-${end}/1000`);
      assert.equal(r.headers['content-length'], String(end - start + 1));
      assert.deepEqual(r.body, data.subarray(start, end + 1));
    });
  }

  it('unsatisfiable Range -> 416 with Content-Range: bytes */N', async () => {
    const r = await get({ Range: 'bytes=1000-2000' });
    assert.equal(r.status, 416);
    assert.equal(r.headers['content-range'], 'bytes */1000');
    assert.equal(xmlCode(r.body), 'InvalidRange');
  });

  it('If-Range: matching ETag -> 206, stale ETag -> 200 full', async () => {
    assert.equal((await get({ Range: 'bytes=0-9', 'If-Range': etag })).status, 206);
    const stale = await get({ Range: 'bytes=0-9', 'If-Range': '"0123456789abcdef0123456789abcdef"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.length, 1000);
  });

  it('If-None-Match / If-Modified-Since -> 304; If-Match / If-Unmodified-Since -> 412', async () => {
    assert.equal((await get({ 'If-None-Match': etag })).status, 304);
    assert.equal((await get({ 'If-Modified-Since': new Date(Date.now() + 3600e3).toUTCString() })).status, 304);
    assert.equal((await get({ 'If-None-Match': '"other"' })).status, 200);
    const pm = await get({ 'If-Match': '"other"' });
    assert.equal(pm.status, 412);
    assert.equal(xmlCode(pm.body), 'PreconditionFailed');
    assert.equal((await get({ 'If-Match': etag })).status, 200);
    assert.equal((await get({ 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' })).status, 412);
  });

  it('HEAD with Range / conditionals', async () => {
    const r = await get({ Range: 'bytes=0-99' }, 'HEAD');
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-length'], '100');
    assert.equal(r.body.length, 0);
    assert.equal((await get({ 'If-None-Match': etag }, 'HEAD')).status, 304);
  });

  it('signed response-content-disposition / response-content-type override the headers', async () => {
    const cd = "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202024.pdf";
    const s3 = await request(port, await s3Url(key, { extra: { ResponseContentDisposition: cd, ResponseContentType: 'application/pdf' } }));
    assert.equal(s3.status, 200);
    assert.equal(s3.headers['content-disposition'], cd);
    assert.equal(s3.headers['content-type'], 'application/pdf');
    const v4 = await request(port, await ossV4Url(key, { queries: { 'response-content-disposition': cd } }));
    assert.equal(v4.status, 200, String(v4.body));
    assert.equal(v4.headers['content-disposition'], cd);
    const v1 = await request(port, ossV1Url(key, { options: { response: { 'content-disposition': cd } } }));
    assert.equal(v1.status, 200, String(v1.body));
    assert.equal(v1.headers['content-disposition'], cd);
    // raw UTF-8 in the override: the header carries the UTF-8 bytes
    const raw = 'attachment; filename="报告 Привет 😀.pdf"';
    const u8 = await request(port, await s3Url(key, { extra: { ResponseContentDisposition: raw } }));
    assert.equal(u8.status, 200);
    assert.equal(Buffer.from(u8.headers['content-disposition'], 'latin1').toString('utf8'), raw);
  });

  it('x-oss-hash-crc64ecma is the CRC-64/ECMA of the object', async () => {
    await api.put(BUCKET, 'crc/check.txt', Buffer.from('123456789'));
    const r = await request(port, await ossV4Url('crc/check.txt'));
    assert.equal(r.headers['x-oss-hash-crc64ecma'], '11051210869376104954');
  });
});

describe('faults', () => {
  const key = 'fault/target.bin';
  const data = crypto.randomBytes(256 * 1024);
  before(async () => { await api.put(BUCKET, key, data); });
  after(async () => { await api.clearFaults(); });

  it('status: next N matching requests get the status, then normal service', async () => {
    await api.fault({ match: 'fault/', kind: 'status', status: 503, times: 1 });
    const a = await request(port, await s3Url(key));
    assert.equal(a.status, 503);
    assert.equal(xmlCode(a.body), 'ServiceUnavailable');
    const b = await request(port, await s3Url(key));
    assert.equal(b.status, 200);
  });

  it('faults only hit matching keys', async () => {
    await api.fault({ match: 'fault/', kind: 'status', status: 500, times: 1 });
    assert.equal((await request(port, await s3Url('a=b@c'))).status, 200);
    assert.equal((await request(port, await s3Url(key))).status, 500);
  });

  it('reset-before-headers: connection dropped, no status', async () => {
    await api.fault({ match: key, kind: 'reset-before-headers', times: 1 });
    const r = await request(port, { ...(await ossV4Url(key)), noAgent: true });
    assert.ok(r.error, 'expected a connection error');
    assert.ok(!r.status, 'no status line');
    const last = (await api.requests()).at(-1);
    assert.equal(last.fault, 'reset-before-headers');
    assert.equal(last.status, null);
    assert.equal((await request(port, await ossV4Url(key))).status, 200);
  });

  it('abort-mid-body: 200 + headers, then the body stops halfway', async () => {
    await api.fault({ match: key, kind: 'abort-mid-body', times: 1 });
    const r = await request(port, { ...(await s3Url(key)), noAgent: true });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], String(data.length));
    assert.ok(r.error, 'expected the body to be cut');
    assert.ok(r.body.length < data.length && r.body.length > 0, `got ${r.body.length} bytes`);
    assert.deepEqual(r.body, data.subarray(0, r.body.length));
  });

  it('stall-mid-body: half the body, then silence for delayMs, then the connection drops', async () => {
    await api.fault({ match: key, kind: 'stall-mid-body', delayMs: 600, times: 1 });
    const t0 = Date.now();
    const r = await request(port, { ...(await s3Url(key)), noAgent: true });
    const elapsed = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.ok(r.error, 'expected the body to be cut');
    assert.ok(r.body.length < data.length && r.body.length > 0, `got ${r.body.length} bytes`);
    assert.deepEqual(r.body, data.subarray(0, r.body.length));
    assert.ok(elapsed >= 550, `dropped after ${elapsed} ms, expected a stall of about 600 ms`);
    assert.equal((await api.requests()).at(-1).fault, 'stall-mid-body');
  });

  it('delay-first-byte: response waits delayMs', async () => {
    await api.fault({ match: key, kind: 'delay-first-byte', delayMs: 400, times: 1 });
    const t0 = Date.now();
    const r = await request(port, await ossV1Url(key));
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 380, `took ${Date.now() - t0} ms`);
  });

  it('reject-signature: 403 SignatureDoesNotMatch for a good signature, then OK', async () => {
    await api.fault({ match: key, kind: 'reject-signature', times: 1 });
    const u = await ossV4Url(key);
    const a = await request(port, u);
    assert.equal(a.status, 403);
    assert.equal(xmlCode(a.body), 'SignatureDoesNotMatch');
    assert.equal((await request(port, u)).status, 200);
  });

  it('error: the given status, code, message and EC after a good signature; HEAD gets the header only', async () => {
    await api.fault({ match: key, kind: 'error', status: 403, code: 'AccessDenied', message: 'Access denied by bucket policy.', ec: '0003-00000201', times: 2 });
    const u = await ossV4Url(key);
    const a = await request(port, u);
    assert.equal(a.status, 403);
    assert.equal(xmlCode(a.body), 'AccessDenied');
    assert.match(a.body.toString(), /<Message>Access denied by bucket policy\.<\/Message>/);
    assert.match(a.body.toString(), /<EC>0003-00000201<\/EC>/);
    assert.equal(a.headers['x-oss-ec'], '0003-00000201');
    const h = await request(port, { ...(await ossV4Url(key, { method: 'HEAD' })), method: 'HEAD' });
    assert.equal(h.status, 403);
    assert.equal(h.headers['x-oss-ec'], '0003-00000201');
    assert.equal(h.body.length, 0);
    assert.equal((await request(port, u)).status, 200);
  });

  it('error: a bad signature still wins, and the fault needs a status', async () => {
    await api.fault({ match: key, kind: 'error', status: 403, times: 1 });
    const u = await s3Url(key);
    const bad = { ...u, target: u.target.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=' + '0'.repeat(64)) };
    const r = await request(port, bad);
    assert.equal(r.status, 403);
    assert.equal(xmlCode(r.body), 'SignatureDoesNotMatch');
    assert.equal(r.headers['x-oss-ec'], undefined);
    const refused = await request(port, { method: 'POST', target: '/__store/faults', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'error' }) });
    assert.equal(refused.status, 400);
  });

  it('times omitted = until cleared', async () => {
    await api.fault({ match: key, kind: 'status', status: 500 });
    assert.equal((await request(port, await s3Url(key))).status, 500);
    assert.equal((await request(port, await s3Url(key))).status, 500);
    await api.clearFaults();
    assert.equal((await request(port, await s3Url(key))).status, 200);
  });
});

describe('recording and admin', () => {
  it('records raw target, Host, selected headers and status', async () => {
    await api.clearRequests();
    const u = await ossV4Url('two  spaces.txt', { style: 'virtual-hosted' });
    await request(port, { ...u, headers: { Range: 'bytes=0-3', 'X-Forwarded-For': '203.0.113.9', 'User-Agent': 'selftest/1' } });
    const log = await api.requests();
    assert.equal(log.length, 1);
    const e = log[0];
    assert.equal(e.url, u.target);
    assert.equal(e.host, u.host);
    assert.equal(e.method, 'GET');
    assert.equal(e.status, 206);
    assert.equal(e.headers.range, 'bytes=0-3');
    assert.equal(e.headers['x-forwarded-for'], '203.0.113.9');
    assert.equal(e.headers['user-agent'], 'selftest/1');
    assert.equal(e.key, 'two  spaces.txt');
    assert.equal(e.bucket, BUCKET);
    assert.equal(e.addressing, 'virtual-hosted');
    assert.equal(e.auth, 'oss-v4');
    assert.ok(!Number.isNaN(Date.parse(e.time)));
  });

  it('DELETE object -> then 404 NoSuchKey', async () => {
    await api.put(BUCKET, 'tmp/delete me', Buffer.from('x'));
    assert.equal((await request(port, await s3Url('tmp/delete me'))).status, 200);
    assert.equal((await api.del(BUCKET, 'tmp/delete me')).status, 204);
    assert.equal(xmlCode((await request(port, await s3Url('tmp/delete me'))).body), 'NoSuchKey');
  });

  it('admin rejects bucket names starting with _ and empty keys', async () => {
    const r1 = await request(port, { method: 'PUT', target: '/__store/objects?bucket=_x&key=a', body: 'x' });
    assert.equal(r1.status, 400);
    const r2 = await request(port, { method: 'PUT', target: `/__store/objects?bucket=${BUCKET}&key=`, body: 'x' });
    assert.equal(r2.status, 400);
  });

  it('exits when stdin closes', async () => {
    const s2 = await startServer({ credentials: [CRED] });
    const exited = new Promise((res) => s2.proc.once('exit', (code) => res(code)));
    s2.proc.stdin.end();
    assert.equal(await exited, 0);
    await s2.stop();
  });

  it('exits on SIGTERM', async () => {
    const s2 = await startServer({ credentials: [CRED] });
    const exited = new Promise((res) => s2.proc.once('exit', (code, sig) => res(code ?? sig)));
    s2.proc.kill('SIGTERM');
    assert.equal(await exited, 0);
    await s2.stop();
  });
});

describe('127.0.0.1 without a bucket in the path', () => {
  it('cname mode for 127.0.0.1: every path is a key of the mapped bucket', async () => {
    const s2 = await startServer({ credentials: [CRED], cname: { '127.0.0.1': BUCKET }, buckets: [BUCKET] });
    try {
      await admin(s2.port).put(BUCKET, 'a//b', content('a//b'));
      // ali-oss with an IP endpoint puts the bucket in neither host nor path, and signs /<bucket>/<key>
      const oss = new OSS({ region: 'oss-cn-hangzhou', ...CRED, bucket: BUCKET, endpoint: `http://127.0.0.1:${s2.port}` });
      const u = splitUrl(await oss.signatureUrlV4('GET', 60, { queries: {} }, 'a//b'));
      assert.equal(u.target.split('?')[0], '/a//b');
      const r = await request(s2.port, u);
      assert.equal(r.status, 200, String(r.body));
      assert.deepEqual(r.body, content('a//b'));
    } finally {
      await s2.stop();
    }
  });

  it('defaultBucket: used when the first segment is not a bucket; path style still works', async () => {
    const s2 = await startServer({ credentials: [CRED], defaultBucket: BUCKET, buckets: [BUCKET, 'other'] });
    try {
      const a = admin(s2.port);
      await a.put(BUCKET, 'plus+plus.txt', content('plus+plus.txt'));
      await a.put('other', 'x.txt', content('x.txt'));
      const oss = new OSS({ region: 'oss-cn-hangzhou', ...CRED, bucket: BUCKET, endpoint: `http://127.0.0.1:${s2.port}` });
      const r1 = await request(s2.port, splitUrl(await oss.signatureUrlV4('GET', 60, { queries: {} }, 'plus+plus.txt')));
      assert.equal(r1.status, 200, String(r1.body));
      const c = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${s2.port}`, forcePathStyle: true, credentials: { accessKeyId: CRED.accessKeyId, secretAccessKey: CRED.accessKeySecret } });
      const r2 = await request(s2.port, splitUrl(await getSignedUrl(c, new GetObjectCommand({ Bucket: 'other', Key: 'x.txt' }), { expiresIn: 60 })));
      assert.equal(r2.status, 200, String(r2.body));
      assert.deepEqual(r2.body, content('x.txt'));
    } finally {
      await s2.stop();
    }
  });
});

describe('--config FILE', () => {
  it('reads the config from a file', async () => {
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const { spawn } = require('node:child_process');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-store-cfg-'));
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ credentials: [CRED], buckets: ['cfgbucket'] }));
    const proc = spawn(process.execPath, [path.join(__dirname, '..', 'server.js'), '--port', '0', '--data', dir, '--config', file], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const line = await new Promise((resolve) => { let o = ''; proc.stdout.on('data', (d) => { o += d; if (o.includes('\n')) resolve(o); }); });
      const p = JSON.parse(line).port;
      await admin(p).put('cfgbucket', 'k', Buffer.from('v'));
      const c = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${p}`, forcePathStyle: true, credentials: { accessKeyId: CRED.accessKeyId, secretAccessKey: CRED.accessKeySecret } });
      const r = await request(p, splitUrl(await getSignedUrl(c, new GetObjectCommand({ Bucket: 'cfgbucket', Key: 'k' }), { expiresIn: 60 })));
      assert.equal(r.status, 200);
    } finally {
      const exited = new Promise((res) => proc.once('exit', res));
      proc.stdin.end();
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
