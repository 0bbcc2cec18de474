'use strict';
// Self-test of the credential fakes (fakes/cloud.js) and of the store's temporary credentials: every kind issues
// keys that the store accepts at once for a presigned download (signed by the official SDKs) and refuses after
// their expiry; the fakes are strict about tokens, Authorization and STS signatures; every failure mode and the
// admin API work. The real SDK clients (AWS IMDS / container providers, the AWS STS client, Alibaba's POP core
// client) are used against the fakes where one exists for a plain-HTTP endpoint.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
const OSS = require('ali-oss');
const kitx = require('kitx');
const OpenApiUtil = require('@alicloud/openapi-util').default;
const RPCClient = require('@alicloud/pop-core').RPCClient;
const { STSClient, AssumeRoleCommand, AssumeRoleWithWebIdentityCommand } = require('@aws-sdk/nested-clients/sts');
const { fromInstanceMetadata } = require('@smithy/credential-provider-imds');
const { fromHttp } = require('@aws-sdk/credential-provider-http');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

const warn = console.warn;
console.warn = (...a) => { if (!/refreshSTSToken/.test(String(a[0]))) warn(...a); };
const { startServer, request, splitUrl, admin, xmlCode } = require('./helpers');
const { startFake, fakeAdmin } = require('./fake-helpers');
const { expectedSignature, stringToSignOf } = require('../fakes/alibaba-sts');

const BUCKET = 'fakesbucket';
const CNAME = 'oss.fakes.test';
const KEY = 'dir/plus+name (1).txt';
const BODY = Buffer.from('temporary credentials work\n');
const BASE = { accessKeyId: 'fake-base-key-id', accessKeySecret: 'fake-base/secret+1=' };
const ALI_ROLE_ARN = 'acs:ram::1234567890123456:role/fake-role';
const OIDC_PROVIDER_ARN = 'acs:ram::1234567890123456:oidc-provider/fake-ack';
const AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/fake-role';
const CONTAINER_TOKEN = 'fake-container-authorization-token';
const KINDS = ['ecs-metadata', 'credentials-uri', 'alibaba-sts', 'imds', 'container', 'aws-sts'];

let store;
let storeApi;
const fakes = {};

before(async () => {
  store = await startServer({ credentials: [], cname: { [CNAME]: BUCKET }, buckets: [BUCKET] });
  storeApi = admin(store.port);
  await storeApi.put(BUCKET, KEY, BODY, { 'Content-Type': 'text/plain' });
  const storeUrl = `http://127.0.0.1:${store.port}`;
  await Promise.all(KINDS.map(async (kind) => {
    const config = { baseCredentials: [BASE], authorizationToken: kind === 'container' ? CONTAINER_TOKEN : undefined };
    const f = await startFake(kind, config, { store: storeUrl });
    fakes[kind] = { ...f, api: fakeAdmin(f.port) };
  }));
});

after(async () => {
  await Promise.all(Object.values(fakes).map((f) => f.stop()));
  if (store) await store.stop();
});

afterEach(async () => {
  await storeApi.clock({ offsetSeconds: 0 });
  for (const f of Object.values(fakes)) {
    await f.api.mode({ mode: 'ok' });
    await f.api.ttl(3600);
    await f.api.clock({ offsetSeconds: 0 });
  }
});

// -- downloads signed by the SDKs -------------------------------------------------------------------------------

async function ossDownload(creds, { version = 'v4', expires = 3600 } = {}) {
  const client = new OSS({
    region: 'oss-cn-hangzhou', endpoint: `http://${CNAME}:${store.port}`, cname: true, bucket: BUCKET,
    accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, stsToken: creds.securityToken,
  });
  const url = version === 'v4' ? await client.signatureUrlV4('GET', expires, {}, KEY) : client.signatureUrl(KEY, { expires });
  return request(store.port, splitUrl(url));
}

async function s3Download(creds, { expiresIn = 3600 } = {}) {
  const client = new S3Client({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${store.port}`, forcePathStyle: true,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.accessKeySecret, sessionToken: creds.securityToken },
  });
  return request(store.port, splitUrl(await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), { expiresIn })));
}

const PROVIDER = {
  'ecs-metadata': 'oss', 'credentials-uri': 'oss', 'alibaba-sts': 'oss', imds: 's3', container: 's3', 'aws-sts': 's3',
};
const download = (kind, creds) => (PROVIDER[kind] === 'oss' ? ossDownload(creds) : s3Download(creds));

/** The store accepts the keys now and refuses them once its clock passed their Expiration. */
async function assertWorksThenExpires(kind, creds) {
  const ok = await download(kind, creds);
  assert.equal(ok.status, 200, `${kind}: download with fresh keys; body: ${ok.body}`);
  assert.deepEqual(ok.body, BODY);
  const entries = await storeApi.requests();
  const last = entries[entries.length - 1];
  assert.equal(last.accessKeyId, creds.accessKeyId, 'store records the key id');
  assert.equal(last.hasSecurityToken, true, 'store records that a token came');

  await storeApi.clock({ now: new Date(Date.parse(creds.expiration) + 1000).toISOString() });
  const late = await download(kind, creds);
  if (PROVIDER[kind] === 'oss') {
    assert.equal(late.status, 403, `${kind}: after expiry; body: ${late.body}`);
    assert.equal(xmlCode(late.body), 'SecurityTokenExpired');
    assert.equal(late.headers['x-oss-ec'], '0002-00000007');
  } else {
    assert.equal(late.status, 400, `${kind}: after expiry; body: ${late.body}`);
    assert.equal(xmlCode(late.body), 'ExpiredToken');
  }
}

// -- the raw protocols ----------------------------------------------------------------------------------------

const json = (r) => JSON.parse(r.body.toString('utf8'));
const xmlField = (body, name) => {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body.toString('utf8'));
  return m ? m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'") : null;
};

const METADATA = {
  'ecs-metadata': { token: 'x-aliyun-ecs-metadata-token', ttl: 'x-aliyun-ecs-metadata-token-ttl-seconds', creds: '/latest/meta-data/ram/security-credentials/' },
  imds: { token: 'x-aws-ec2-metadata-token', ttl: 'x-aws-ec2-metadata-token-ttl-seconds', creds: '/latest/meta-data/iam/security-credentials/' },
};

async function metadataToken(kind, ttl = '300') {
  const r = await request(fakes[kind].port, { method: 'PUT', target: '/latest/api/token', headers: { [METADATA[kind].ttl]: ttl } });
  return r;
}

/** Percent-encoding of the Alibaba RPC signature, written here independently of the SDK helper. */
const rpcEncode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function rpcSign(params, method, secret) {
  const canonical = Object.keys(params).sort().map((k) => `${rpcEncode(k)}=${rpcEncode(params[k])}`).join('&');
  return crypto.createHmac('sha1', `${secret}&`).update(`${method}&%2F&${rpcEncode(canonical)}`).digest('base64');
}

function aliParams(action, extra = {}) {
  const p = {
    Action: action, Version: '2015-04-01', Format: 'JSON', RoleArn: ALI_ROLE_ARN, RoleSessionName: 'presign-gateway', ...extra,
  };
  if (action === 'AssumeRole') {
    Object.assign(p, {
      AccessKeyId: BASE.accessKeyId, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: crypto.randomUUID(),
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), ...extra,
    });
  }
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k]; // { Name: undefined } leaves Name out
  return p;
}

function aliPost(params, { secret = BASE.accessKeySecret, sign = params.Action === 'AssumeRole', method = 'POST' } = {}) {
  const all = sign ? { ...params, Signature: rpcSign(params, method, secret) } : params;
  const form = Object.entries(all).map(([k, v]) => `${rpcEncode(k)}=${rpcEncode(v)}`).join('&');
  if (method === 'GET') return request(fakes['alibaba-sts'].port, { method, target: `/?${form}` });
  return request(fakes['alibaba-sts'].port, {
    method, target: '/', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}

const form = (o) => Object.entries(o).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

function awsWebIdentity(token = 'fake-web-identity-token.eyJzdWIiOiJmYWtlIn0') {
  return request(fakes['aws-sts'].port, {
    method: 'POST', target: '/',
    body: form({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: AWS_ROLE_ARN, RoleSessionName: 'presign-gateway', WebIdentityToken: token }),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });
}

/** An AssumeRole POST signed with SigV4 by @smithy/signature-v4 (as the AWS SDKs sign it); `tamper` edits it after. */
async function awsAssumeRole({ creds = BASE, region = 'us-east-1', body = null, tamperBody = null, applyChecksum = true } = {}) {
  const port = fakes['aws-sts'].port;
  const payload = body ?? form({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: AWS_ROLE_ARN, RoleSessionName: 'presign-gateway' });
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.accessKeySecret }, region, service: 'sts', sha256: Sha256, applyChecksum,
  });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/', query: {},
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: payload,
  });
  const headers = { ...signed.headers };
  delete headers.host;
  return request(port, { method: 'POST', target: '/', body: tamperBody ?? payload, headers });
}

/**
 * Each kind's whole protocol, as a client does it: { r (the final answer), creds (normalised, when 200 and parseable) }.
 */
const FETCH = {
  'ecs-metadata': () => fetchMetadata('ecs-metadata'),
  imds: () => fetchMetadata('imds'),
  'credentials-uri': async () => docResult(await request(fakes['credentials-uri'].port, { target: '/any/path?x=1' })),
  container: async () => docResult(await request(fakes.container.port, { target: '/v2/credentials/fake', headers: { Authorization: CONTAINER_TOKEN } })),
  'alibaba-sts': async () => docResult(await aliPost(aliParams('AssumeRole'))),
  'aws-sts': async () => docResult(await awsWebIdentity(), 'xml'),
};

async function fetchMetadata(kind) {
  const port = fakes[kind].port;
  const t = await metadataToken(kind);
  if (t.status !== 200) return { r: t, creds: null };
  const token = t.body.toString('utf8');
  const list = await request(port, { target: METADATA[kind].creds, headers: { [METADATA[kind].token]: token } });
  if (list.status !== 200) return { r: list, creds: null };
  const role = list.body.toString('utf8').split('\n')[0];
  return docResult(await request(port, { target: METADATA[kind].creds + role, headers: { [METADATA[kind].token]: token } }));
}

/** Normalise a credential document (JSON of any kind, or the AWS STS XML) to { accessKeyId, ... , code }. */
function docResult(r, format = 'json') {
  if (r.status !== 200) return { r, creds: null };
  if (format === 'xml') {
    const body = r.body.toString('utf8');
    if (!body.startsWith('<')) return { r, creds: null, malformed: true };
    return {
      r,
      creds: {
        accessKeyId: xmlField(body, 'AccessKeyId'), accessKeySecret: xmlField(body, 'SecretAccessKey'),
        securityToken: xmlField(body, 'SessionToken'), expiration: xmlField(body, 'Expiration'), code: null,
      },
    };
  }
  let d;
  try {
    d = json(r);
  } catch {
    return { r, creds: null, malformed: true };
  }
  const c = d.Credentials ?? d;
  return {
    r,
    creds: {
      accessKeyId: c.AccessKeyId ?? null,
      accessKeySecret: c.AccessKeySecret ?? c.SecretAccessKey ?? null,
      securityToken: c.SecurityToken ?? c.Token ?? null,
      expiration: c.Expiration ?? null,
      code: d.Code ?? null,
    },
  };
}

// -- tests ------------------------------------------------------------------------------------------------------

describe('Alibaba RPC signature (the function the alibaba-sts fake checks with)', () => {
  it('the HMAC-SHA1 primitive gives the credentials-java vector signString("abc~!@#", "sk#$!~~~")', () => {
    // kitx.sha1 is what @alicloud/openapi-util getRPCSignature (and @alicloud/credentials) sign with.
    assert.equal(kitx.sha1('abc~!@#', 'sk#$!~~~', 'base64'), '7eV3A584uvdgKVk8Ck8r9ukg1gE=');
  });

  it('getRPCSignature gives the example signature of the Alibaba Cloud API documentation (signature v1)', () => {
    const params = {
      AccessKeyId: 'testid', Action: 'DescribeRegions', Format: 'XML', SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf', SignatureVersion: '1.0', Timestamp: '2016-02-23T12:46:24Z', Version: '2014-05-26',
    };
    assert.equal(expectedSignature(params, 'GET', 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    assert.equal(OpenApiUtil.getRPCSignature(params, 'GET', 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('getRPCSignature = Base64 HMAC-SHA1(secret + "&", METHOD&%2F&percentEncode(sorted query)) on awkward values', () => {
    const params = { RoleSessionName: 'a b+c*d~e', Policy: '{"Statement":[{"Effect":"Allow"}]}', Zed: "it's (1)!", Action: 'AssumeRole' };
    const secret = 'sk#$!~~~';
    assert.equal(expectedSignature(params, 'POST', secret), kitx.sha1(stringToSignOf('POST', params), `${secret}&`, 'base64'));
    assert.equal(expectedSignature(params, 'POST', secret), rpcSign(params, 'POST', secret));
    assert.match(stringToSignOf('POST', params), /^POST&%2F&Action%3DAssumeRole%26Policy%3D/);
  });
});

describe('test store: temporary credentials (POST /__store/credentials)', () => {
  const temp = () => ({
    accessKeyId: `fake-sts-store-${crypto.randomBytes(4).toString('hex')}`, accessKeySecret: 'fake-secret/temp+1',
    securityToken: 'fake+token/store==', expiration: new Date(Date.now() + 600_000).toISOString(),
  });
  const post = (body) => request(store.port, {
    method: 'POST', target: '/__store/credentials', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
  });

  it('refuses a body without a token or with a bad expiration, with a message that says what to fix', async () => {
    const { securityToken, ...noToken } = temp();
    let r = await post(noToken);
    assert.equal(r.status, 400);
    assert.match(json(r).error, /securityToken/);
    r = await post({ ...temp(), expiration: 'tomorrow' });
    assert.equal(r.status, 400);
    assert.match(json(r).error, /expiration/);
    assert.equal(securityToken, 'fake+token/store==');
  });

  for (const [name, fetchIt, expiredStatus, expiredCode] of [
    ['s3-v4', (c) => s3Download(c), 400, 'ExpiredToken'],
    ['oss-v4', (c) => ossDownload(c, { version: 'v4' }), 403, 'SecurityTokenExpired'],
    ['oss-v1', (c) => ossDownload(c, { version: 'v1' }), 403, 'SecurityTokenExpired'],
  ]) {
    it(`${name}: accepted with exactly its token, refused after expiration (store clock)`, async () => {
      const c = temp();
      const reg = await post(c);
      assert.equal(reg.status, 200, String(reg.body));
      assert.equal(json(reg).accessKeyId, c.accessKeyId);
      assert.ok(!reg.body.toString().includes(c.accessKeySecret), 'no secret in the answer');

      const ok = await fetchIt(c);
      assert.equal(ok.status, 200, String(ok.body));
      const wrongToken = await fetchIt({ ...c, securityToken: 'fake+token/other==' });
      assert.equal(wrongToken.status, 403);
      assert.equal(xmlCode(wrongToken.body), name === 's3-v4' ? 'InvalidToken' : 'InvalidSecurityToken');
      const noToken = await fetchIt({ ...c, securityToken: undefined });
      assert.equal(noToken.status, 403, 'a temporary key without its token is refused');
      const entries = await storeApi.requests();
      assert.deepEqual(entries.slice(-3).map((e) => [e.accessKeyId, e.hasSecurityToken]),
        [[c.accessKeyId, true], [c.accessKeyId, true], [c.accessKeyId, false]]);

      await storeApi.clock({ offsetSeconds: 601 });
      const late = await fetchIt(c);
      assert.equal(late.status, expiredStatus, String(late.body));
      assert.equal(xmlCode(late.body), expiredCode);
      if (name !== 's3-v4') assert.equal(late.headers['x-oss-ec'], '0002-00000007');
      assert.equal((await storeApi.requests()).slice(-1)[0].errorCode, expiredCode);
    });
  }
});

describe('every kind: issued keys download at once through the store and stop at their expiry', () => {
  for (const kind of KINDS) {
    it(`${kind} (ttl 60 s via /__fake/ttl)`, async () => {
      const f = fakes[kind];
      assert.equal((await f.api.ttl(60)).status, 200);
      const before = Date.now();
      const { r, creds } = await FETCH[kind]();
      assert.equal(r.status, 200, String(r.body));
      assert.ok(creds.accessKeyId.startsWith('fake-sts-'), creds.accessKeyId);
      const life = Date.parse(creds.expiration) - before;
      assert.ok(life > 55_000 && life <= 61_000, `Expiration ${creds.expiration} is about 60 s away`);
      const issued = await f.api.issued();
      assert.deepEqual(issued[issued.length - 1], { accessKeyId: creds.accessKeyId, expiration: creds.expiration });
      const log = await f.api.requests();
      assert.equal(log[log.length - 1].issuedAccessKeyId, creds.accessKeyId);
      assert.equal(log[log.length - 1].status, 200);
      const adminText = JSON.stringify({ issued, log });
      assert.ok(!adminText.includes(creds.accessKeySecret) && !adminText.includes(creds.securityToken), 'no secret or token in the admin API');
      await assertWorksThenExpires(kind, creds);
    });
  }
});

describe('metadata services: hardened mode, tokens', () => {
  for (const kind of ['ecs-metadata', 'imds']) {
    const m = METADATA[kind];
    it(`${kind}: every GET needs a live token (401 without), the token PUT is strict`, async () => {
      const port = fakes[kind].port;
      assert.equal((await request(port, { target: m.creds })).status, 401, 'no token');
      assert.equal((await request(port, { target: `${m.creds}fake-role` })).status, 401, 'no token');
      assert.equal((await request(port, { target: `${m.creds}fake-role`, headers: { [m.token]: 'fake-not-a-token' } })).status, 401);
      assert.equal((await request(port, { method: 'PUT', target: '/latest/api/token' })).status, 400, 'token PUT without ttl');
      assert.equal((await metadataToken(kind, '21601')).status, 400, 'ttl above 21600');
      assert.equal((await metadataToken(kind, '0')).status, 400, 'ttl 0');
      assert.equal((await request(port, { target: '/latest/api/token', headers: { [m.ttl]: '60' } })).status, 405, 'GET on the token path');
      assert.equal((await request(port, { method: 'PUT', target: '/latest/api/token', headers: { [m.ttl]: '60', 'X-Forwarded-For': '10.0.0.1' } })).status, 403,
        'a token PUT through a proxy');
      const t = await metadataToken(kind, '21600');
      assert.equal(t.status, 200);
      const token = t.body.toString();
      const list = await request(port, { target: m.creds, headers: { [m.token]: token } });
      assert.equal(list.status, 200);
      assert.equal(list.body.toString(), 'fake-role');
      assert.equal((await request(port, { target: `${m.creds}other-role`, headers: { [m.token]: token } })).status, 404, 'unknown role');
      assert.equal((await request(port, { method: 'POST', target: `${m.creds}fake-role`, headers: { [m.token]: token } })).status, 405);
      const log = await fakes[kind].api.requests();
      const last = log[log.length - 1];
      assert.equal(last.headers[m.token], 'present');
      assert.ok(!JSON.stringify(log).includes(token), 'the metadata token is not in the log');
    });
  }

  it('ecs-metadata and imds: a token dies after its ttl', async () => {
    await Promise.all(Object.entries(METADATA).map(async ([kind, m]) => {
      const port = fakes[kind].port;
      const token = (await metadataToken(kind, '1')).body.toString();
      assert.equal((await request(port, { target: m.creds, headers: { [m.token]: token } })).status, 200);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await request(port, { target: m.creds, headers: { [m.token]: token } })).status, 401, kind);
    }));
  });

  it('imds: the AWS SDK instance-metadata provider (IMDSv2 only) gets keys the store accepts', async () => {
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${fakes.imds.port}`;
    try {
      const c = await fromInstanceMetadata({ ec2MetadataV1Disabled: true, maxRetries: 0, timeout: 3000 })();
      const ok = await s3Download({ accessKeyId: c.accessKeyId, accessKeySecret: c.secretAccessKey, securityToken: c.sessionToken });
      assert.equal(ok.status, 200, String(ok.body));
    } finally {
      delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    }
  });

  it('credentials-uri: GET only, any path', async () => {
    const port = fakes['credentials-uri'].port;
    assert.equal((await request(port, { method: 'POST', target: '/' })).status, 405);
    const r = await request(port, { target: '/' });
    assert.equal(r.status, 200);
    assert.equal(json(r).Code, 'Success');
  });
});

describe('container endpoint: Authorization', () => {
  it('401 without Authorization, 403 with a wrong one, 200 with the token', async () => {
    const port = fakes.container.port;
    assert.equal((await request(port, { target: '/v2/credentials/x' })).status, 401);
    assert.equal((await request(port, { target: '/v2/credentials/x', headers: { Authorization: 'fake-other-token' } })).status, 403);
    assert.equal((await request(port, { method: 'PUT', target: '/v2/credentials/x', headers: { Authorization: CONTAINER_TOKEN } })).status, 405);
    const r = await request(port, { target: '/v2/credentials/x', headers: { Authorization: CONTAINER_TOKEN } });
    assert.equal(r.status, 200);
    assert.equal(json(r).RoleArn, AWS_ROLE_ARN);
    const log = await fakes.container.api.requests();
    assert.deepEqual(log.slice(-4).map((e) => [e.headers.authorization, e.status]), [['absent', 401], ['present', 403], ['present', 405], ['present', 200]]);
    assert.ok(!JSON.stringify(log).includes(CONTAINER_TOKEN), 'the Authorization value is not in the log');
  });

  it('the AWS SDK container provider (full URI + authorization token) gets keys the store accepts', async () => {
    const c = await fromHttp({ awsContainerCredentialsFullUri: `http://127.0.0.1:${fakes.container.port}/v1/credentials`, awsContainerAuthorizationToken: CONTAINER_TOKEN })();
    const ok = await s3Download({ accessKeyId: c.accessKeyId, accessKeySecret: c.secretAccessKey, securityToken: c.sessionToken });
    assert.equal(ok.status, 200, String(ok.body));
  });
});

describe('alibaba-sts: AssumeRole signature and form, AssumeRoleWithOIDC', () => {
  const code = (r) => json(r).Code;

  it('the official POP core client (POST and GET) is accepted and gets keys the store accepts', async () => {
    const client = new RPCClient({ endpoint: `http://127.0.0.1:${fakes['alibaba-sts'].port}`, apiVersion: '2015-04-01', ...BASE });
    for (const method of ['POST', 'GET']) {
      const answer = await client.request('AssumeRole', { RoleArn: ALI_ROLE_ARN, RoleSessionName: 'presign-gateway', DurationSeconds: 900 }, { method });
      assert.ok(answer.RequestId && answer.AssumedRoleUser.Arn.endsWith('/presign-gateway'));
      const c = answer.Credentials;
      const life = Date.parse(c.Expiration) - Date.now();
      assert.ok(life > 890_000 && life <= 901_000, `DurationSeconds 900 caps the life: ${c.Expiration}`);
      const ok = await ossDownload({ accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken });
      assert.equal(ok.status, 200, String(ok.body));
    }
    const log = await fakes['alibaba-sts'].api.requests();
    assert.deepEqual(log.slice(-2).map((e) => [e.method, e.action, e.params.RoleSessionName, e.params.DurationSeconds, e.status]),
      [['POST', 'AssumeRole', 'presign-gateway', '900', 200], ['GET', 'AssumeRole', 'presign-gateway', '900', 200]]);
  });

  it('a tampered parameter, a wrong secret, an unknown key, a reused nonce, an old timestamp are refused', async () => {
    const good = aliParams('AssumeRole');
    const signature = rpcSign(good, 'POST', BASE.accessKeySecret);
    const tampered = await aliPost({ ...good, Signature: signature, RoleSessionName: 'other-session' }, { sign: false });
    assert.equal(tampered.status, 400);
    assert.equal(code(tampered), 'SignatureDoesNotMatch');
    assert.match(json(tampered).Message, /server string to sign is:POST&%2F&AccessKeyId%3D/);

    const wrongSecret = await aliPost(aliParams('AssumeRole'), { secret: 'fake-wrong-secret' });
    assert.equal([wrongSecret.status, code(wrongSecret)].join(' '), '400 SignatureDoesNotMatch');
    const getSignedForPost = await aliPost({ ...good, SignatureNonce: crypto.randomUUID() }, { method: 'GET', sign: false });
    assert.equal(getSignedForPost.status, 400, 'missing Signature');
    const unknown = await aliPost(aliParams('AssumeRole', { AccessKeyId: 'fake-unknown-key-id' }));
    assert.equal([unknown.status, code(unknown)].join(' '), '404 InvalidAccessKeyId.NotFound');

    const once = aliParams('AssumeRole');
    assert.equal((await aliPost(once)).status, 200);
    const again = await aliPost(once);
    assert.equal([again.status, code(again)].join(' '), '400 SignatureNonceUsed');

    const old = await aliPost(aliParams('AssumeRole', { Timestamp: new Date(Date.now() - 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    assert.equal([old.status, code(old)].join(' '), '400 InvalidTimeStamp.Expired');
    const sha256 = await aliPost(aliParams('AssumeRole', { SignatureMethod: 'HMAC-SHA256' }));
    assert.equal(sha256.status, 400);
    const version = await aliPost(aliParams('AssumeRole', { SignatureVersion: '2.0' }));
    assert.equal(version.status, 400);
  });

  it('the form: unknown role, bad RoleArn, missing RoleSessionName, DurationSeconds, Action, Version, method', async () => {
    const cases = [
      [{ RoleArn: 'acs:ram::1234567890123456:role/other-role' }, 404, 'EntityNotExist.Role'],
      [{ RoleArn: 'arn:aws:iam::123456789012:role/fake-role' }, 400, 'InvalidParameter.RoleArn'],
      [{ RoleSessionName: '' }, 400, 'MissingRoleSessionName'],
      [{ RoleSessionName: 'bad name!' }, 400, 'InvalidParameter.RoleSessionName'],
      [{ DurationSeconds: '899' }, 400, 'InvalidParameter.DurationSeconds'],
      [{ Version: '2014-01-01' }, 400, 'InvalidVersion'],
      [{ Format: 'XML' }, 400, 'InvalidParameter.Format'],
      [{ Format: undefined }, 400, 'InvalidParameter.Format'],
      [{ ExternalId: 'a' }, 400, 'InvalidParameter.ExternalId'],
      [{ Policy: '{"Version":"1"' }, 400, 'InvalidParameter.PolicyGrammar'],
      [{ ExternalId: 'fake-external-id', Policy: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}]}' }, 200, undefined],
    ];
    for (const [extra, status, c] of cases) {
      const r = await aliPost(aliParams('AssumeRole', extra));
      assert.equal(`${r.status} ${code(r)}`, `${status} ${c}`, JSON.stringify(extra));
    }
    const action = await aliPost(aliParams('GetCallerIdentity'), { sign: false });
    assert.equal(`${action.status} ${code(action)}`, '404 InvalidAction.NotFound');
    const put = await request(fakes['alibaba-sts'].port, { method: 'PUT', target: '/' });
    assert.equal(put.status, 405);
    const jsonBody = await request(fakes['alibaba-sts'].port, { method: 'POST', target: '/', body: '{"Action":"AssumeRole"}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(`${jsonBody.status} ${code(jsonBody)}`, '400 InvalidParameter.ContentType');
    const badEscape = await request(fakes['alibaba-sts'].port, { target: '/?Action=AssumeRole&RoleArn=%zz' });
    assert.equal(`${badEscape.status} ${code(badEscape)}`, '400 InvalidParameter');
  });

  it('AssumeRoleWithOIDC: unsigned, checks its form, logs the token it received', async () => {
    const token = 'fake-oidc-token.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ';
    const r = await aliPost(aliParams('AssumeRoleWithOIDC', { OIDCProviderArn: OIDC_PROVIDER_ARN, OIDCToken: token }));
    assert.equal(r.status, 200, String(r.body));
    const c = json(r).Credentials;
    assert.equal((await ossDownload({ accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken })).status, 200);
    const log = await fakes['alibaba-sts'].api.requests();
    const last = log[log.length - 1];
    assert.equal(last.action, 'AssumeRoleWithOIDC');
    assert.equal(last.oidcToken, token);
    assert.equal(last.params.OIDCProviderArn, OIDC_PROVIDER_ARN);
    assert.equal(last.issuedAccessKeyId, c.AccessKeyId);

    const noToken = await aliPost(aliParams('AssumeRoleWithOIDC', { OIDCProviderArn: OIDC_PROVIDER_ARN }));
    assert.equal(`${noToken.status} ${code(noToken)}`, '400 MissingOIDCToken');
    const noProvider = await aliPost(aliParams('AssumeRoleWithOIDC', { OIDCToken: token }));
    assert.equal(`${noProvider.status} ${code(noProvider)}`, '400 MissingOIDCProviderArn');
    const badRole = await aliPost(aliParams('AssumeRoleWithOIDC', { OIDCProviderArn: OIDC_PROVIDER_ARN, OIDCToken: token, RoleArn: 'acs:ram::1:role/nope' }));
    assert.equal(`${badRole.status} ${code(badRole)}`, '404 EntityNotExist.Role');
  });
});

describe('aws-sts: AssumeRole (SigV4) and AssumeRoleWithWebIdentity', () => {
  const sts = (creds = BASE) => new STSClient({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${fakes['aws-sts'].port}`, maxAttempts: 1,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.accessKeySecret },
  });

  it('the AWS SDK STS client: AssumeRole and AssumeRoleWithWebIdentity get keys the store accepts', async () => {
    const a = await sts().send(new AssumeRoleCommand({ RoleArn: AWS_ROLE_ARN, RoleSessionName: 'presign-gateway', DurationSeconds: 900 }));
    assert.ok(a.AssumedRoleUser.Arn.endsWith('assumed-role/fake-role/presign-gateway'));
    let ok = await s3Download({ accessKeyId: a.Credentials.AccessKeyId, accessKeySecret: a.Credentials.SecretAccessKey, securityToken: a.Credentials.SessionToken });
    assert.equal(ok.status, 200, String(ok.body));
    const w = await sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: AWS_ROLE_ARN, RoleSessionName: 'irsa', WebIdentityToken: 'fake-jwt-from-sdk' }));
    ok = await s3Download({ accessKeyId: w.Credentials.AccessKeyId, accessKeySecret: w.Credentials.SecretAccessKey, securityToken: w.Credentials.SessionToken });
    assert.equal(ok.status, 200, String(ok.body));
    const log = await fakes['aws-sts'].api.requests();
    const [ar, wi] = log.slice(-2);
    assert.deepEqual([ar.action, ar.headers.authorization, ar.params.DurationSeconds, ar.status], ['AssumeRole', 'present', '900', 200]);
    assert.deepEqual([wi.action, wi.webIdentityToken, wi.params.RoleSessionName, wi.status], ['AssumeRoleWithWebIdentity', 'fake-jwt-from-sdk', 'irsa', 200]);
  });

  it('SigV4: good, tampered body, wrong secret, unknown key, no Authorization, wrong region', async () => {
    const tamperBody = form({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: AWS_ROLE_ARN, RoleSessionName: 'presign-gatewaY' });
    for (const applyChecksum of [true, false]) { // with and without a signed x-amz-content-sha256 header
      assert.equal((await awsAssumeRole({ applyChecksum })).status, 200);
      const tampered = await awsAssumeRole({ tamperBody, applyChecksum });
      assert.equal(`${tampered.status} ${xmlCode(tampered.body)}`, '403 SignatureDoesNotMatch', `applyChecksum ${applyChecksum}`);
    }
    const wrong = await awsAssumeRole({ creds: { ...BASE, accessKeySecret: 'fake-wrong-secret' } });
    assert.equal(`${wrong.status} ${xmlCode(wrong.body)}`, '403 SignatureDoesNotMatch');
    const unknown = await awsAssumeRole({ creds: { accessKeyId: 'fake-unknown-key-id', accessKeySecret: 'x' } });
    assert.equal(`${unknown.status} ${xmlCode(unknown.body)}`, '403 InvalidClientTokenId');
    const region = await awsAssumeRole({ region: 'eu-west-1' });
    assert.equal(`${region.status} ${xmlCode(region.body)}`, '403 SignatureDoesNotMatch');
    const unsigned = await request(fakes['aws-sts'].port, {
      method: 'POST', target: '/', body: form({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: AWS_ROLE_ARN, RoleSessionName: 'x1' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(`${unsigned.status} ${xmlCode(unsigned.body)}`, '403 MissingAuthenticationToken');
    assert.match(unsigned.body.toString(), /^<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>/);
  });

  it('the form: unknown role, bad ARN, missing fields, DurationSeconds, Action, Version', async () => {
    const sign = (o) => awsAssumeRole({ body: form({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: AWS_ROLE_ARN, RoleSessionName: 'presign-gateway', ...o }) });
    const cases = [
      [{ RoleArn: 'arn:aws:iam::123456789012:role/other-role' }, 403, 'AccessDenied'],
      [{ RoleArn: 'acs:ram::1:role/fake-role' }, 400, 'ValidationError'],
      [{ RoleSessionName: '' }, 400, 'ValidationError'],
      [{ DurationSeconds: '43201' }, 400, 'ValidationError'],
      [{ ExternalId: 'a' }, 400, 'ValidationError'],
      [{ Version: '2011-06-14' }, 400, 'InvalidAction'],
      [{ Action: 'GetCallerIdentity' }, 400, 'InvalidAction'],
    ];
    for (const [extra, status, c] of cases) {
      const r = await sign(extra);
      assert.equal(`${r.status} ${xmlCode(r.body)}`, `${status} ${c}`, JSON.stringify(extra));
    }
    const noToken = await request(fakes['aws-sts'].port, {
      method: 'POST', target: '/', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: AWS_ROLE_ARN, RoleSessionName: 'x1' }),
    });
    assert.equal(`${noToken.status} ${xmlCode(noToken.body)}`, '400 ValidationError');
    assert.equal((await request(fakes['aws-sts'].port, { method: 'DELETE', target: '/' })).status, 405);
    const badEscape = await request(fakes['aws-sts'].port, { target: '/?Action=AssumeRoleWithWebIdentity&RoleArn=%zz' });
    assert.equal(`${badEscape.status} ${xmlCode(badEscape.body)}`, '400 MalformedQueryString');
  });

  it('acceptedTokens: a web identity token that is not listed is refused with InvalidIdentityToken', async () => {
    const f = await startFake('aws-sts', { acceptedTokens: ['fake-good-jwt'] });
    try {
      const post = (token) => request(f.port, {
        method: 'POST', target: '/', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: AWS_ROLE_ARN, RoleSessionName: 'x1', WebIdentityToken: token }),
      });
      assert.equal((await post('fake-good-jwt')).status, 200);
      const bad = await post('fake-old-jwt');
      assert.equal(`${bad.status} ${xmlCode(bad.body)}`, '400 InvalidIdentityToken');
    } finally {
      await f.stop();
    }
  });
});

describe('failure modes (PUT /__fake/mode) on every kind', () => {
  const EXPECT = {
    unavailable: ({ r }) => assert.equal(r.status, 503),
    status: ({ r }) => assert.equal(r.status, 502),
    malformed: ({ r, malformed }) => { assert.equal(r.status, 200); assert.equal(malformed, true); },
    'no-keys': ({ r, creds }) => {
      assert.equal(r.status, 200);
      assert.equal(creds.accessKeyId, null);
      assert.equal(creds.accessKeySecret, null);
    },
    'code-failure': ({ r, creds }) => { assert.equal(r.status, 200); assert.equal(creds.code, 'Failure'); },
    expired: ({ r, creds }) => { assert.equal(r.status, 200); assert.ok(Date.parse(creds.expiration) < Date.now(), creds.expiration); },
    reset: ({ r }) => { assert.ok(r.error, 'connection reset'); assert.ok(!r.status); },
    ok: ({ r, creds }) => { assert.equal(r.status, 200); assert.ok(creds.accessKeyId); },
  };
  const HAS_CODE = new Set(['ecs-metadata', 'credentials-uri', 'imds']);

  for (const kind of KINDS) {
    it(`${kind}: ${Object.keys(EXPECT).join(', ')}; times; a bad mode is refused`, async () => {
      const api = fakes[kind].api;
      for (const mode of Object.keys(EXPECT)) {
        const set = await api.mode({ mode, status: mode === 'status' ? 502 : undefined });
        if (mode === 'code-failure' && !HAS_CODE.has(kind)) {
          assert.equal(set.status, 400, `${kind} has no Code field`);
          continue;
        }
        assert.equal(set.status, 200, set.text);
        const result = await FETCH[kind]();
        EXPECT[mode](result);
        if (mode === 'expired' || mode === 'code-failure') {
          // Expired keys are registered (the store says ExpiredToken); a Failure document's keys never work.
          const d = await download(kind, result.creds);
          assert.equal(d.status, mode === 'expired' ? (PROVIDER[kind] === 'oss' ? 403 : 400) : 403, String(d.body));
          assert.equal(xmlCode(d.body), mode === 'expired' ? (PROVIDER[kind] === 'oss' ? 'SecurityTokenExpired' : 'ExpiredToken') : 'InvalidAccessKeyId');
        }
      }
      assert.equal((await api.mode({ mode: 'unavailable', times: 1 })).status, 200);
      assert.equal((await FETCH[kind]()).r.status, 503, 'the first request after times:1');
      assert.equal((await FETCH[kind]()).r.status, 200, 'then ok again');
      assert.equal((await api.mode({ mode: 'broken' })).status, 400);
      assert.equal((await api.mode({ mode: 'status', status: 200 })).status, 400);
      const log = await api.requests();
      assert.ok(log.some((e) => e.status === null), 'a reset request is logged with status null');
    });
  }

  for (const kind of ['ecs-metadata', 'imds']) {
    it(`${kind}: reset and unavailable hit the token PUT too`, async () => {
      await fakes[kind].api.mode({ mode: 'unavailable' });
      assert.equal((await metadataToken(kind)).status, 503);
      await fakes[kind].api.mode({ mode: 'reset' });
      assert.ok((await metadataToken(kind)).error);
      await fakes[kind].api.mode({ mode: 'malformed' });
      assert.equal((await metadataToken(kind)).status, 200, 'malformed applies to the document only');
    });
  }

  it('/__fake/clock moves Expiration and the STS time checks', async () => {
    const set = await fakes['credentials-uri'].api.clock({ now: '2030-01-01T00:00:00Z' });
    assert.equal(set.status, 200);
    assert.match(set.json.now, /^2030-01-01T00:00:0/);
    const { creds } = await FETCH['credentials-uri']();
    const fromJan = Date.parse(creds.expiration) - Date.parse('2030-01-01T00:00:00Z');
    assert.ok(fromJan >= 3599_000 && fromJan <= 3605_000, creds.expiration);
    await fakes['alibaba-sts'].api.clock({ offsetSeconds: 3600 });
    const r = await aliPost(aliParams('AssumeRole'));
    assert.equal(`${r.status} ${json(r).Code}`, '400 InvalidTimeStamp.Expired', 'a Timestamp of real now is an hour old for the fake');
    assert.equal((await fakes.imds.api.clock({ later: 1 })).status, 400);
  });

  it('/__fake/requests can be cleared; /__fake/ttl refuses a bad value', async () => {
    const api = fakes.container.api;
    assert.equal((await api.clearRequests()).status, 204);
    assert.deepEqual(await api.requests(), []);
    assert.equal((await api.ttl(0)).status, 400);
  });
});

describe('cloud.js CLI', () => {
  it('a bad kind or config exits 2 with a message; stdin EOF stops it', async () => {
    await assert.rejects(startFake('gcp-metadata'), (e) => e.code === 2 && /--kind must be one of/.test(e.stderr));
    await assert.rejects(startFake('imds', { ttlSeconds: -1 }), (e) => e.code === 2 && /ttlSeconds/.test(e.stderr));
    await assert.rejects(startFake('imds', {}, { store: 'http://example.invalid:1' }), (e) => e.code === 2 && /127\.0\.0\.1/.test(e.stderr));
    const f = await startFake('imds');
    assert.match(f.stdout(), /^\{"port":\d+\}\n$/);
    const exited = new Promise((r) => f.proc.once('exit', (code) => r(code)));
    f.proc.stdin.end();
    assert.equal(await exited, 0);
  });
});
