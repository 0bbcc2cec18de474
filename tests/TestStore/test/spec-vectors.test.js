'use strict';
// The OSS SDK test vectors from shared/docs/signing.md §1.9 / §7 (#1-#3, #10, #11), run through the
// store's verifier helpers. #1 catches both ali-oss quirks the store corrects: raw-name
// localeCompare sorting (`+param1`, `|param1`) and `name=` for empty values.

const { it } = require('node:test');
const assert = require('node:assert/strict');
const ossSign = require('ali-oss/lib/common/signUtils');
const { ossV4Intermediates, ossV1StringToSign } = require('../lib/verify');

const HEADERS = { 'x-oss-head1': 'value', abc: 'value', zabc: 'value', xyz: 'value', 'content-type': 'application/octet-stream' };
const PARAMS = [['param1', 'value1'], ['+param1', 'value3'], ['|param1', 'value4'], ['+param2', ''], ['|param2', ''], ['param2', '']];

function v4(longDate, extra, additionalHeaders = []) {
  const pairs = [...PARAMS,
    ['x-oss-credential', `ak/${longDate.slice(0, 8)}/cn-hangzhou/oss/aliyun_v4_request`],
    ['x-oss-date', longDate], ['x-oss-expires', '599'], ['x-oss-signature-version', 'OSS4-HMAC-SHA256'], ...extra];
  const inter = ossV4Intermediates({
    method: 'PUT', headers: HEADERS, pairs, bucket: 'bucket', key: '1234+-/123/1.txt',
    region: 'cn-hangzhou', product: 'oss', longDate, additionalHeaders,
  });
  return { ...inter, signature: ossSign.getSignatureV4('sk', longDate.slice(0, 8), 'cn-hangzhou', inter.stringToSign, 'oss') };
}

it('OSS V4 TestV4AuthQuery (#1)', () => {
  const r = v4('20231217T025437Z', []);
  assert.equal(r.canonicalRequest, [
    'PUT', '/bucket/1234%2B-/123/1.txt',
    '%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T025437Z&x-oss-expires=599&x-oss-signature-version=OSS4-HMAC-SHA256',
    'content-type:application/octet-stream\nx-oss-head1:value\n', '', 'UNSIGNED-PAYLOAD'].join('\n'));
  assert.equal(r.stringToSign.split('\n')[3], '48814c11f278d51662015bf2f896b66ca10b6de0187ed8d952e341bbce0aa336');
  assert.equal(r.signature, 'a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe');
});

it('OSS V4 TestV4AuthQueryToken (#2)', () => {
  assert.equal(v4('20231217T035628Z', [['x-oss-security-token', 'token']]).signature,
    '3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5');
});

it('OSS V4 TestV4AuthQueryWithAdditionalHeaders (#3)', () => {
  assert.equal(v4('20231217T033009Z', [['x-oss-additional-headers', 'abc;zabc']], ['abc', 'zabc']).signature,
    '6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7');
});

it('OSS V1 TestV1AuthQuery (#10, #11)', () => {
  const s1 = ossV1StringToSign({ method: 'GET', headers: {}, pairs: [['versionId', 'versionId']], bucket: 'bucket', key: 'key', expires: '1699807420' });
  assert.equal(s1, 'GET\n\n\n1699807420\n/bucket/key?versionId=versionId');
  assert.equal(ossSign.computeSignature('sk', s1), 'dcLTea+Yh9ApirQ8o8dOPqtvJXQ=');
  const s2 = ossV1StringToSign({ method: 'GET', headers: {}, pairs: [['versionId', 'versionId'], ['security-token', 'token']], bucket: 'bucket', key: 'key+123', expires: '1699808204' });
  assert.equal(ossSign.computeSignature('sk', s2), 'jzKYRrM5y6Br0dRFPaTGOsbrDhY=');
});

it('OSS V4 canonical query is sorted by encoded name, ordinal (not localeCompare)', () => {
  const pairs = [['alpha', '1'], ['Zeta', '2'], ['b_c', '3'], ['b-c', '4'], ['bc', ''], ['x-oss-date', '20240101T000000Z']];
  const { canonicalRequest } = ossV4Intermediates({
    method: 'GET', headers: {}, pairs, bucket: 'b', key: 'k', region: 'cn-hangzhou', product: 'oss', longDate: '20240101T000000Z', additionalHeaders: [],
  });
  assert.equal(canonicalRequest.split('\n')[2], 'Zeta=2&alpha=1&b-c=4&b_c=3&bc&x-oss-date=20240101T000000Z');
  // the unmodified helper orders these differently (this is the deviation the store corrects)
  const raw = ossSign.getCanonicalRequest('GET', { headers: {}, queries: Object.fromEntries(pairs) }, 'b', 'k');
  assert.notEqual(raw.split('\n')[2], canonicalRequest.split('\n')[2]);
});
