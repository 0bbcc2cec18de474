'use strict';
// 100 MiB object: uploaded and downloaded as streams; the store must not buffer it in memory.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const crypto = require('node:crypto');
const { Readable } = require('node:stream');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
const { startServer, splitUrl, admin } = require('./helpers');

const SIZE = 100 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const CRED = { accessKeyId: 'BIGAKID000000001', accessKeySecret: 'big-secret' };

let srv;
before(async () => { srv = await startServer({ credentials: [CRED], buckets: ['bigbucket'] }); });
after(async () => { if (srv) await srv.stop(); });

/** Deterministic pseudo-random chunks (so the download can be checked without keeping them). */
function* chunks() {
  for (let i = 0; i < SIZE / CHUNK; i++) {
    yield crypto.createHash('sha256').update(String(i)).digest().toString('hex').repeat(CHUNK / 64).slice(0, CHUNK);
  }
}

it('streams a 100 MiB object in and out without buffering it', { timeout: 120000 }, async () => {
  const api = admin(srv.port);
  const rss0 = (await api.health()).json.rssBytes;
  const expected = crypto.createHash('md5');
  for (const c of chunks()) expected.update(c);
  const md5 = expected.digest('hex');

  // upload as a stream
  const meta = await new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, method: 'PUT', path: '/__store/objects?bucket=bigbucket&key=big%2Ffile.bin',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': SIZE },
    }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(body))));
    });
    req.on('error', reject);
    Readable.from(chunks()).pipe(req);
  });
  assert.equal(meta.size, SIZE);
  assert.equal(meta.md5, md5);

  // download through a presigned URL, hashing as it arrives
  const client = new S3Client({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${srv.port}`, forcePathStyle: true,
    credentials: { accessKeyId: CRED.accessKeyId, secretAccessKey: CRED.accessKeySecret },
  });
  const { target } = splitUrl(await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bigbucket', Key: 'big/file.bin' }), { expiresIn: 600 }));
  let peakRss = 0;
  const got = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: srv.port, path: target }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-length'], String(SIZE));
      const h = crypto.createHash('md5');
      let n = 0;
      let polls = 0;
      res.on('data', (d) => {
        h.update(d);
        n += d.length;
        // sample the store's memory a few times while the body is flowing
        if (n > (polls + 1) * 20 * CHUNK) {
          polls++;
          api.health().then((x) => { peakRss = Math.max(peakRss, x.json.rssBytes); }, () => {});
        }
      });
      res.on('end', () => resolve({ n, md5: h.digest('hex') }));
      res.on('error', reject);
    }).on('error', reject);
  });
  assert.equal(got.n, SIZE);
  assert.equal(got.md5, md5);
  const rss1 = Math.max(peakRss, (await api.health()).json.rssBytes);
  assert.ok(rss1 - rss0 < 80 * 1024 * 1024, `store RSS grew by ${((rss1 - rss0) / 1048576).toFixed(1)} MiB`);
});
