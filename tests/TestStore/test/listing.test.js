'use strict';
// ListObjectsV2 in the test store, checked with the official clients: a real S3Client (ListObjectsV2Command,
// forcePathStyle) and ali-oss listV2 page through 2,500 objects; presigned list URLs (getSignedUrl,
// signatureUrlV4) list in each dialect; tampered signatures, bad tokens and bad arguments are refused;
// hostile keys come back intact with encoding-type=url; the batch admin route fills a bucket.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { S3Client, ListObjectsV2Command } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
const OSS = require('ali-oss');
const { startServer, request, splitUrl, admin, xmlCode, tamper } = require('./helpers');
const { encodeToken } = require('../lib/listing');

const warn = console.warn;
console.warn = (...a) => { if (!/refreshSTSToken/.test(String(a[0]))) warn(...a); };

const BIG = 'bigbucket';
const SMALL = 'smallbucket';
const CRED = { accessKeyId: 'test-access-key-id', accessKeySecret: 'fake-secret/+=' };
const COUNT = 2500;

// nginx-s3-gateway-style hostile names, plus what XML 1.0 can't carry (U+0001) and an RTL override.
const HOSTILE = [
  'hostile/<script>alert(1)</script>.txt',
  'hostile/quote"apos\'amp&lt.txt',
  'hostile/a+b c.txt',
  'hostile/%41%2F.txt',
  'hostile/ctrl\u0001char.txt',
  'hostile/rtl\u202egnp.exe',
  'hostile/报告 2024.pdf',
  'hostile/emoji 😀.png',
  'hostile/sub dir/x.txt',
];
// What a delimiter listing of hostile/ holds: files directly under it and the common prefixes below it.
const HOSTILE_FILES = HOSTILE.filter((k) => !k.slice('hostile/'.length).includes('/')).sort();
const HOSTILE_DIRS = [...new Set(HOSTILE.filter((k) => !HOSTILE_FILES.includes(k)).map((k) => k.slice(0, k.indexOf('/', 8) + 1)))].sort();
const bigKeys = Array.from({ length: COUNT }, (_, i) => `big/${String(i).padStart(5, '0')}-${i % 7 === 0 ? 'ü' : 'a'}.bin`);

let srv;
let api;
let s3;
let oss;

const xmlValues = (xml, tag) => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
const unXml = (s) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]);
/** encoding-type=url values: '+' can only be a space there (a literal '+' is %2B in both dialects). */
const urlDecode = (s) => decodeURIComponent(unXml(s).replace(/\+/g, ' '));

async function presignedS3(input) {
  const client = new S3Client({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${srv.port}`, forcePathStyle: true,
    credentials: { accessKeyId: CRED.accessKeyId, secretAccessKey: CRED.accessKeySecret },
  });
  return getSignedUrl(client, new ListObjectsV2Command(input), { expiresIn: 300 });
}

async function presignedOss(bucket, queries, method = 'GET') {
  const client = new OSS({
    region: 'oss-cn-hangzhou', endpoint: `http://localhost:${srv.port}`, sldEnable: true, bucket,
    accessKeyId: CRED.accessKeyId, accessKeySecret: CRED.accessKeySecret,
  });
  return client.signatureUrlV4(method, 300, { queries }, '');
}

const get = (url, method = 'GET') => request(srv.port, { ...splitUrl(url), method });

/** The hostile/ listing decodes back to the keys; the same URL with one signature character changed is 403. */
async function assertHostileListingAndTamperRefused(url, xml, keys) {
  assert.deepEqual(keys.map(urlDecode).sort(), HOSTILE_FILES);
  assert.deepEqual(xmlValues(xml, 'Prefix').slice(1).map(urlDecode).sort(), HOSTILE_DIRS);
  const bad = await request(srv.port, { ...splitUrl(url), target: tamper(splitUrl(url).target) });
  assert.equal(bad.status, 403);
  assert.equal(xmlCode(bad.body), 'SignatureDoesNotMatch');
}

before(async () => {
  srv = await startServer({ credentials: [CRED], headerAuth: true });
  api = admin(srv.port);
  const batch = async (bucket, items) => {
    const r = await request(srv.port, {
      method: 'POST', target: `/__store/objects:batch?bucket=${bucket}`,
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(items),
    });
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual(JSON.parse(r.body.toString()), { count: items.length });
  };
  await batch(BIG, [...bigKeys.map((key, i) => ({ key, size: i % 5 })), ...HOSTILE.map((key) => ({ key, body: key }))]);
  await batch(SMALL, [
    { key: 'a.txt', body: 'a' }, { key: 'dir/b.txt', size: 3 }, { key: 'dir/c.txt', body: 'c', contentType: 'text/plain' },
    { key: 'dir/sub/d.txt', body: 'd' }, { key: 'e/f.txt', body: 'f' }, { key: 'z.txt', body: 'z' },
  ]);
  s3 = new S3Client({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${srv.port}`, forcePathStyle: true,
    credentials: { accessKeyId: CRED.accessKeyId, secretAccessKey: CRED.accessKeySecret },
  });
  oss = new OSS({
    region: 'oss-cn-hangzhou', endpoint: `http://localhost:${srv.port}`, sldEnable: true, bucket: BIG,
    accessKeyId: CRED.accessKeyId, accessKeySecret: CRED.accessKeySecret,
  });
});

after(async () => {
  if (srv) await srv.stop();
});

describe('official clients page through 2,500 objects', () => {
  it('S3Client ListObjectsV2Command: every key once, in UTF-8 byte order, 1,000 per page', async () => {
    const seen = [];
    let token;
    let pages = 0;
    do {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: BIG, Prefix: 'big/', MaxKeys: 1000, ContinuationToken: token }));
      pages++;
      assert.equal(out.KeyCount, (out.Contents || []).length);
      for (const o of out.Contents) {
        seen.push(o.Key);
        assert.match(o.ETag, /^"[0-9a-f]{32}"$/);
        assert.match(o.LastModified.toISOString(), /Z$/);
        assert.equal(o.StorageClass, 'STANDARD');
      }
      token = out.NextContinuationToken;
      assert.equal(out.IsTruncated, token !== undefined);
      if (token) assert.ok(!token.includes('big/'), 'the token is opaque, not the raw key');
    } while (token && pages < 10);
    assert.equal(pages, 3);
    const expected = [...bigKeys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(seen, expected);
  });

  it('ali-oss listV2: every key once across pages of 1,000 (continuation-token signed as a V1 sub-resource)', async () => {
    const seen = [];
    let token;
    let pages = 0;
    do {
      const out = await oss.listV2({ prefix: 'big/', 'max-keys': 1000, 'continuation-token': token });
      pages++;
      assert.equal(Number(out.keyCount), out.objects.length);
      for (const o of out.objects) {
        seen.push(o.name);
        assert.equal(o.type, 'Normal');
      }
      token = out.nextContinuationToken;
      assert.equal(out.isTruncated, Boolean(token));
    } while (token && pages < 10);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, COUNT);
    assert.deepEqual(new Set(seen), new Set(bigKeys));
  });

  it('with a delimiter each common prefix counts as one entry and is never repeated on the next page', async () => {
    const entries = [];
    let token;
    let pages = 0;
    do {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: SMALL, Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
      pages++;
      assert.ok(out.KeyCount <= 2);
      entries.push(...(out.CommonPrefixes || []).map((p) => p.Prefix), ...(out.Contents || []).map((c) => c.Key));
      token = out.NextContinuationToken;
    } while (token && pages < 10);
    assert.deepEqual(entries.sort(), ['a.txt', 'dir/', 'e/', 'z.txt']);
    const dir = await s3.send(new ListObjectsV2Command({ Bucket: SMALL, Prefix: 'dir/', Delimiter: '/' }));
    assert.deepEqual(dir.Contents.map((c) => [c.Key, c.Size]), [['dir/b.txt', 3], ['dir/c.txt', 1]]);
    assert.deepEqual(dir.CommonPrefixes.map((p) => p.Prefix), ['dir/sub/']);
  });
});

describe('presigned list URLs (what the gateway sends)', () => {
  it('sorts by UTF-8 bytes, not UTF-16 units: U+FF21 before an emoji', async () => {
    const keys = ['order/\uFF21', 'order/\u{1F600}', 'order/Z', 'order/a', 'order/\u00e9'];
    const r = await request(srv.port, {
      method: 'POST', target: '/__store/objects:batch?bucket=orderbucket', body: JSON.stringify(keys.map((key) => ({ key }))),
    });
    assert.equal(r.status, 200);
    const xml = (await get(await presignedS3({ Bucket: 'orderbucket', Prefix: 'order/', EncodingType: 'url' }))).body.toString();
    assert.deepEqual(xmlValues(xml, 'Key').map(urlDecode), ['order/Z', 'order/a', 'order/\u00e9', 'order/\uFF21', 'order/\u{1F600}']);
  });

  it('S3 dialect: namespace, fields, url encoding, 200; tampered 403', async () => {
    const url = await presignedS3({ Bucket: BIG, Prefix: 'hostile/', Delimiter: '/', EncodingType: 'url', MaxKeys: 1000 });
    const r = await get(url);
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['content-type'], 'application/xml');
    const xml = r.body.toString();
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListBucketResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/);
    for (const tag of ['Name', 'Prefix', 'KeyCount', 'MaxKeys', 'Delimiter', 'EncodingType', 'IsTruncated']) assert.match(xml, new RegExp(`<${tag}>`), tag);
    assert.equal(xmlValues(xml, 'Prefix')[0], 'hostile/', "S3 leaves '/' unencoded");
    assert.doesNotMatch(xml, /<script>|[\u0001\u202e]/);
    const keys = xmlValues(xml, 'Key');
    assert.ok(keys.includes('hostile/a%2Bb%20c.txt'), keys.join(' '));
    await assertHostileListingAndTamperRefused(url, xml, keys);
  });

  it('OSS dialect: no namespace, Type, KeyCount, form url encoding, 200; tampered 403', async () => {
    const url = await presignedOss(BIG, { 'list-type': 2, prefix: 'hostile/', delimiter: '/', 'max-keys': 1000, 'encoding-type': 'url' });
    const r = await get(url);
    assert.equal(r.status, 200, r.body.toString());
    const xml = r.body.toString();
    assert.match(xml, /<ListBucketResult>\n<Name>bigbucket<\/Name>/);
    assert.match(xml, /<Type>Normal<\/Type>/);
    assert.match(xml, new RegExp(`<KeyCount>${HOSTILE_FILES.length + HOSTILE_DIRS.length}</KeyCount>`));
    assert.equal(xmlValues(xml, 'Prefix')[0], 'hostile%2F');
    const keys = xmlValues(xml, 'Key');
    assert.ok(keys.includes('hostile%2Fa%2Bb+c.txt'), keys.join(' '));
    await assertHostileListingAndTamperRefused(url, xml, keys);
  });

  it('without encoding-type the names are XML-escaped (and U+0001 cannot be carried: it only lists with encoding-type=url)', async () => {
    const r = await get(await presignedS3({ Bucket: BIG, Prefix: 'hostile/<' }));
    assert.equal(r.status, 200);
    assert.deepEqual(xmlValues(r.body.toString(), 'Key'), ['hostile/&lt;script&gt;alert(1)&lt;/script&gt;.txt']);
    const q = await get(await presignedS3({ Bucket: BIG, Prefix: 'hostile/q' }));
    assert.deepEqual(xmlValues(q.body.toString(), 'Key'), ['hostile/quote&quot;apos&apos;amp&amp;lt.txt']);
  });

  it('a continuation token the store did not issue is 400 InvalidArgument in each dialect', async () => {
    const forged = encodeToken(SMALL, 'big/00001-a.bin', 's3'); // a real token, but for another bucket
    for (const token of ['not-a-token', forged, `${encodeToken(BIG, 'big/00001-a.bin', 's3').slice(0, -4)}AAA=`]) {
      const r = await get(await presignedS3({ Bucket: BIG, Prefix: 'big/', ContinuationToken: token }));
      assert.equal(r.status, 400, token);
      assert.equal(xmlCode(r.body), 'InvalidArgument');
      assert.match(r.body.toString(), /The continuation token provided is incorrect/);
    }
    const o = await get(await presignedOss(BIG, { 'list-type': 2, 'continuation-token': 'bm90LWEtdG9rZW4tYXQtYWxsLXJlYWxseQ' }));
    assert.equal(o.status, 400);
    assert.equal(xmlCode(o.body), 'InvalidArgument');
  });

  it('max-keys: S3 defaults to 1,000 and caps above it; OSS defaults to 100 and refuses above 1,000', async () => {
    const s3Default = (await get(await presignedS3({ Bucket: BIG, Prefix: 'big/' }))).body.toString();
    assert.equal(xmlValues(s3Default, 'MaxKeys')[0], '1000');
    assert.equal(xmlValues(s3Default, 'Key').length, 1000);
    const capped = (await get(await presignedS3({ Bucket: BIG, Prefix: 'big/', MaxKeys: 5000 }))).body.toString();
    assert.equal(xmlValues(capped, 'Key').length, 1000);
    const ossDefault = (await get(await presignedOss(BIG, { 'list-type': 2, prefix: 'big/' }))).body.toString();
    assert.equal(xmlValues(ossDefault, 'MaxKeys')[0], '100');
    assert.equal(xmlValues(ossDefault, 'Key').length, 100);
    const tooMany = await get(await presignedOss(BIG, { 'list-type': 2, 'max-keys': 1001 }));
    assert.equal(tooMany.status, 400);
    for (const v of ['-1', 'ten']) {
      const r = await get(await presignedOss(BIG, { 'list-type': 2, 'max-keys': v }));
      assert.equal(r.status, 400, v);
    }
    const zero = (await get(await presignedS3({ Bucket: BIG, MaxKeys: 0 }))).body.toString();
    assert.match(zero, /<KeyCount>0<\/KeyCount>/);
    assert.match(zero, /<IsTruncated>false<\/IsTruncated>/);
  });

  it('encoding-type other than url is 400; a GET on the bucket without list-type=2 is 501', async () => {
    const r = await get(await presignedOss(BIG, { 'list-type': 2, 'encoding-type': 'base64' }));
    assert.equal(r.status, 400);
    const v1 = await get(await presignedOss(BIG, { prefix: 'big/' }));
    assert.equal(v1.status, 501);
  });

  it('start-after lists the keys after it; the token wins over it', async () => {
    const xml = (await get(await presignedS3({ Bucket: SMALL, StartAfter: 'dir/c.txt' }))).body.toString();
    assert.deepEqual(xmlValues(xml, 'Key'), ['dir/sub/d.txt', 'e/f.txt', 'z.txt']);
    assert.equal(xmlValues(xml, 'StartAfter')[0], 'dir/c.txt');
  });

  it('HEAD on the bucket is 200 without a body, 404 for a missing bucket; listings are recorded', async () => {
    const head = await get(await presignedOss(SMALL, {}, 'HEAD'), 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal((await get(await presignedOss(SMALL, {}, 'GET'), 'HEAD')).status, 403, 'a GET signature is no HEAD signature');
    const missing = await get(await presignedOss('nosuchbucket', {}, 'HEAD'), 'HEAD');
    assert.equal(missing.status, 404);
    await api.clearRequests();
    await get(await presignedS3({ Bucket: SMALL, Prefix: 'dir/', Delimiter: '/' }));
    const [entry] = await api.requests();
    assert.equal(entry.key, '');
    assert.equal(entry.operation, 'ListObjectsV2');
    assert.equal(entry.query.prefix, 'dir/');
    assert.equal(entry.auth, 's3-v4');
    assert.equal(entry.status, 200);
  });
});

describe('batch admin route', () => {
  it('creates objects with size x bytes or a body and refuses bad input before writing', async () => {
    const obj = await api.requests(); // warm
    assert.ok(Array.isArray(obj));
    const r = await request(srv.port, { method: 'GET', target: `/__store/objects?bucket=${SMALL}&key=dir%2Fb.txt` });
    assert.equal(JSON.parse(r.body.toString()).size, 3);
    for (const [body, why] of [
      ['{"key":"x"}', 'not an array'],
      ['[{"key":""}]', 'empty key'],
      ['[{"key":"a","size":-1}]', 'negative size'],
      ['[{"key":"a","size":1,"body":"b"}]', 'size and body'],
      ['[{"key":"a","body":5}]', 'body not a string'],
      ['[oops', 'not JSON'],
    ]) {
      const bad = await request(srv.port, { method: 'POST', target: `/__store/objects:batch?bucket=${SMALL}`, body });
      assert.equal(bad.status, 400, why);
    }
    const badBucket = await request(srv.port, { method: 'POST', target: '/__store/objects:batch?bucket=Bad_Bucket', body: '[]' });
    assert.equal(badBucket.status, 400);
  });
});
