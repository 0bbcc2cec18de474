'use strict';
// Golden vectors: the store's verifier must accept every SDK-made URL in the golden vectors of the
// signing tests (tests/PresignGateway.Signing.Tests/Vectors) and in vectors-extra/*.json (tools/make-vectors.js),
// with its clock set to the case's signTime and the case's host mapped to its bucket.
// A tampered signature must be refused. The bucket-level ListObjectsV2 vectors (list-*.json) must list (200, in
// the dialect of the signature) and be refused when tampered with, like the object ones.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, request, splitUrl, admin, xmlCode, tamper } = require('./helpers');

const SOURCES = [
  ['shared', path.join(__dirname, '..', '..', 'PresignGateway.Signing.Tests', 'Vectors')],
  ['extra', path.join(__dirname, '..', 'vectors-extra')],
];
const FILES = ['oss-v4.json', 'oss-v1.json', 's3-v4.json'];
const LIST_FILES = ['list-oss-v4.json', 'list-oss-v1.json', 'list-s3-v4.json'];

function loadAll() {
  const sets = [];
  for (const [label, dir] of SOURCES) {
    for (const f of label === 'shared' ? [...FILES, ...LIST_FILES] : FILES) {
      const p = path.join(dir, f);
      if (fs.existsSync(p)) sets.push({ label: `${label}/${f}`, doc: JSON.parse(fs.readFileSync(p, 'utf8')) });
    }
  }
  return sets;
}

const endpointHost = (endpoint) => splitUrl(endpoint).host.replace(/:\d+$/, '').toLowerCase();

/** A store config under which every case's host/bucket mapping works. */
function configFor(sets) {
  const creds = new Map();
  const bases = new Set();
  const cname = {};
  const buckets = new Set();
  for (const { doc } of sets) {
    for (const c of doc.cases) {
      const i = c.input;
      const prev = creds.get(i.accessKeyId);
      if (prev && (prev.accessKeySecret !== i.accessKeySecret || prev.securityToken !== i.securityToken)) {
        throw new Error(`vectors disagree about credential ${i.accessKeyId}`);
      }
      creds.set(i.accessKeyId, { accessKeyId: i.accessKeyId, accessKeySecret: i.accessKeySecret, securityToken: i.securityToken });
      buckets.add(i.bucket);
      if (i.addressingStyle === 'virtual-hosted') bases.add(endpointHost(i.endpoint));
      if (i.addressingStyle === 'cname') {
        const h = endpointHost(i.endpoint);
        if (cname[h] && cname[h] !== i.bucket) throw new Error(`cname ${h} used for two buckets`);
        cname[h] = i.bucket;
      }
    }
  }
  return { credentials: [...creds.values()], virtualHostBases: [...bases], cname, buckets: [...buckets] };
}


const sets = loadAll();
let srv;
let api;

before(async () => {
  srv = await startServer(configFor(sets));
  api = admin(srv.port);
  const seen = new Set();
  for (const { doc } of sets) {
    for (const c of doc.cases) {
      if (c.operation === 'ListObjectsV2') {
        // Something under each listed prefix, beside it and after the vectors' continuation tokens.
        const p = c.input.query.prefix || '';
        for (const k of [`${p}v0.tar.gz`, `${p}v999.tar.gz`, `${p}sub/x.txt`, `beside-${c.input.bucket}.txt`]) {
          const id = `${c.input.bucket}\n${k}`;
          if (!seen.has(id)) {
            seen.add(id);
            await api.put(c.input.bucket, k, Buffer.from('listed'));
          }
        }
        continue;
      }
      const id = `${c.input.bucket}\n${c.input.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      await api.put(c.input.bucket, c.input.key, Buffer.from(`vector object ${id}`));
    }
  }
});

after(async () => {
  if (srv) await srv.stop();
});

for (const { label, doc } of sets) {
  describe(`${label} (${doc.generatedBy})`, () => {
    for (const c of doc.cases) {
      it(c.name, async () => {
        const method = c.method || 'GET';
        const u = splitUrl(c.expected.url);
        await api.clock({ now: c.input.signTime });
        try {
          const r = await request(srv.port, { ...u, method });
          assert.equal(r.status, 200, `${c.name}: ${r.status} ${r.error || ""} ${r.body} ${srv.stderr()}`);
          if (c.operation === 'ListObjectsV2') {
            const xml = r.body.toString();
            const dialect = doc.provider.startsWith('s3') ? 's3' : 'oss';
            assert.match(xml, dialect === 's3' ? /<ListBucketResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/ : /<ListBucketResult>/);
            assert.ok(Number(/<KeyCount>(\d+)<\/KeyCount>/.exec(xml)[1]) >= 1, xml);
            if (c.input.query.prefix) assert.doesNotMatch(xml, /beside-/, 'the prefix limits the listing');
          } else if (method === 'GET') assert.equal(r.body.toString(), `vector object ${c.input.bucket}\n${c.input.key}`);
          const bad = await request(srv.port, { ...u, method, target: tamper(u.target) });
          assert.equal(bad.status, 403);
          if (method === 'GET') assert.equal(xmlCode(bad.body), 'SignatureDoesNotMatch');
        } finally {
          await api.clock({ offsetSeconds: 0 });
        }
      });
    }
  });
}
