'use strict';
// Golden vectors: the store's verifier must accept every SDK-made URL in the golden vectors of the
// signing tests (tests/PresignGateway.Signing.Tests/Vectors) and in vectors-extra/*.json (tools/make-vectors.js),
// with its clock set to the case's signTime and the case's host mapped to its bucket.
// A tampered signature must be refused.

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

function loadAll() {
  const sets = [];
  for (const [label, dir] of SOURCES) {
    for (const f of FILES) {
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
          if (method === 'GET') assert.equal(r.body.toString(), `vector object ${c.input.bucket}\n${c.input.key}`);
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
