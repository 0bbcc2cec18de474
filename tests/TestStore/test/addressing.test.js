'use strict';
// Host-based bucket resolution: which bucket and key the store takes from the Host header and the
// raw path (cname -> <bucket>.<base> -> path style), and that a virtual-hosted signature binds the
// bucket of the Host (OSS signs /<bucket>/<key>, S3 signs the host header). The gateway's
// virtual-hosted tests rely on both: they sign for <bucket>.localhost:PORT.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
const OSS = require('ali-oss');
const { startServer, request, splitUrl, admin, xmlCode } = require('./helpers');

const CRED = { accessKeyId: 'TESTAKID00000001', accessKeySecret: 'test/Secret+key=1~' };
const BUCKETS = ['vbucket', 'other-bucket', 'my.dotted.bucket', 'ossbucket', 's3bucket', 'pbucket', 'cnamebucket'];

let srv;
let port;
let api;

before(async () => {
  srv = await startServer({
    credentials: [CRED],
    // As the C# fixture: plain 'localhost' is a custom domain, its subdomains are buckets.
    virtualHostBases: ['localhost', 'aliyuncs.com', 'oss-cn-hangzhou.aliyuncs.com', 's3.us-east-1.amazonaws.com'],
    cname: { localhost: 'cnamebucket', 'files.localhost': 'cnamebucket' },
    buckets: BUCKETS,
  });
  port = srv.port;
  api = admin(port);
});

after(async () => {
  if (srv) await srv.stop();
});

/** Sends an unsigned GET with this Host and raw target; returns the store's record of it. */
async function routed(host, target) {
  await api.clearRequests();
  await request(port, { host, target });
  const log = await api.requests();
  assert.equal(log.length, 1, `one recorded request for ${host} ${target}`);
  return log[0];
}

describe('bucket from the Host header', () => {
  const cases = [
    // [what, host (PORT is replaced), raw target, addressing, bucket, key]
    ['bucket.base:port', 'vbucket.localhost:PORT', '/a/b.txt', 'virtual-hosted', 'vbucket', 'a/b.txt'],
    ['upper-case host', 'VBucket.LocalHost:PORT', '/a.txt', 'virtual-hosted', 'vbucket', 'a.txt'],
    ['no port', 'vbucket.localhost', '/a.txt', 'virtual-hosted', 'vbucket', 'a.txt'],
    ['dotted bucket (S3 rules)', 'my.dotted.bucket.localhost:PORT', '/a.txt', 'virtual-hosted', 'my.dotted.bucket', 'a.txt'],
    ['longest base first (OSS)', 'ossbucket.oss-cn-hangzhou.aliyuncs.com', '/a.txt', 'virtual-hosted', 'ossbucket', 'a.txt'],
    ['longest base first (S3)', 's3bucket.s3.us-east-1.amazonaws.com', '/a.txt', 'virtual-hosted', 's3bucket', 'a.txt'],
    ['a bucket-like first segment is part of the key', 'vbucket.localhost:PORT', '/pbucket/k.txt', 'virtual-hosted', 'vbucket', 'pbucket/k.txt'],
    ['key decoded exactly once', 'vbucket.localhost:PORT', '/a%2Fb%2B%252F+c.txt', 'virtual-hosted', 'vbucket', 'a/b+%2F+c.txt'],
    ['the base itself is the custom domain', 'localhost:PORT', '/a.txt', 'cname', 'cnamebucket', 'a.txt'],
    ['a cname entry wins over the base rule', 'files.localhost:PORT', '/a.txt', 'cname', 'cnamebucket', 'a.txt'],
    ['empty bucket label is path style', '.localhost:PORT', '/pbucket/a.txt', 'path', 'pbucket', 'a.txt'],
    ['IP host is path style', '127.0.0.1:PORT', '/pbucket/a.txt', 'path', 'pbucket', 'a.txt'],
    ['unknown host is path style', 'example.test:PORT', '/pbucket/a.txt', 'path', 'pbucket', 'a.txt'],
  ];
  for (const [what, host, target, addressing, bucket, key] of cases) {
    it(what, async () => {
      const e = await routed(host.replace('PORT', String(port)), target);
      assert.equal(e.addressing, addressing);
      assert.equal(e.bucket, bucket);
      assert.equal(e.key, key);
      assert.equal(e.url, target);
    });
  }

  it('a bucket host that names no bucket -> 404 NoSuchBucket naming it', async () => {
    const r = await request(port, { host: `nosuchbucket.localhost:${port}`, target: '/a.txt' });
    assert.equal(r.status, 404);
    assert.equal(xmlCode(r.body), 'NoSuchBucket');
    assert.match(r.body.toString(), /<BucketName>nosuchbucket<\/BucketName>/);
  });
});

describe('a virtual-hosted signature binds the bucket of the Host (SDK-presigned)', () => {
  const key = 'dir/plus+plus (1).txt';
  const body = Buffer.from('virtual-hosted\n');
  before(async () => {
    for (const b of ['vbucket', 'other-bucket']) await api.put(b, key, body);
  });

  const s3 = async () => splitUrl(await getSignedUrl(new S3Client({
    region: 'us-east-1',
    endpoint: `http://localhost:${port}`,
    forcePathStyle: false,
    credentials: { accessKeyId: CRED.accessKeyId, secretAccessKey: CRED.accessKeySecret },
  }), new GetObjectCommand({ Bucket: 'vbucket', Key: key }), { expiresIn: 300 }));
  const oss = () => new OSS({
    region: 'oss-cn-hangzhou', endpoint: `http://localhost:${port}`, bucket: 'vbucket', ...CRED,
  });
  const schemes = [
    ['s3-v4', s3],
    ['oss-v4', async () => splitUrl(await oss().signatureUrlV4('GET', 300, {}, key))],
    ['oss-v1', async () => splitUrl(oss().signatureUrl(key, { expires: 300 }))],
  ];

  for (const [scheme, sign] of schemes) {
    it(`${scheme}: accepted on the bucket host it was signed for`, async () => {
      const u = await sign();
      assert.equal(u.host, `vbucket.localhost:${port}`, 'the SDK signed a virtual-hosted URL');
      assert.ok(!u.target.startsWith('/vbucket/'), 'no bucket in the path');
      await api.clearRequests();
      const r = await request(port, u);
      assert.equal(r.status, 200, String(r.body));
      assert.deepEqual(r.body, body);
      const [e] = await api.requests();
      assert.equal(e.addressing, 'virtual-hosted');
      assert.equal(e.bucket, 'vbucket');
      assert.equal(e.auth, scheme);
    });

    it(`${scheme}: refused on another bucket's host`, async () => {
      const u = await sign();
      const r = await request(port, { ...u, host: `other-bucket.localhost:${port}` });
      assert.equal(r.status, 403);
      assert.equal(xmlCode(r.body), 'SignatureDoesNotMatch');
    });

    // S3 signs the host header; OSS signs /<bucket>/<key> whatever the addressing, as the services do.
    it(`${scheme}: path style on the endpoint host is ${scheme === 's3-v4' ? 'refused' : 'the same resource'}`, async () => {
      const u = await sign();
      const r = await request(port, { host: `127.0.0.1:${port}`, target: `/vbucket${u.target}` });
      if (scheme === 's3-v4') {
        assert.equal(r.status, 403);
        assert.equal(xmlCode(r.body), 'SignatureDoesNotMatch');
      } else {
        assert.equal(r.status, 200, String(r.body));
      }
    });
  }
});
