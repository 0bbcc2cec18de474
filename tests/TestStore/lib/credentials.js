'use strict';
// Temporary credentials in the test store: the admin route POST /__store/credentials registers a key pair that
// requires one security token and expires at a given time (store clock), as STS-issued keys do. The credential
// fakes (fakes/cloud.js --store URL) register every set they hand out through it.

/**
 * Validate the body of POST /__store/credentials. Returns { credential } or { error } (a message that says
 * what to fix). `expiration` is ISO-8601 or Unix seconds; it is required, because a temporary key without an
 * end is a static key (put those in the config's `credentials`).
 */
function parseCredentialBody(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { error: 'body must be a JSON object' };
  const { accessKeyId, accessKeySecret, securityToken, expiration } = body;
  if (typeof accessKeyId !== 'string' || accessKeyId === '') return { error: 'accessKeyId must be a non-empty string' };
  if (typeof accessKeySecret !== 'string' || accessKeySecret === '') return { error: 'accessKeySecret must be a non-empty string' };
  if (typeof securityToken !== 'string' || securityToken === '') {
    return { error: 'securityToken must be a non-empty string (temporary credentials always carry one)' };
  }
  const expirationMs = parseExpiration(expiration);
  if (Number.isNaN(expirationMs)) return { error: 'expiration must be an ISO-8601 time or Unix seconds' };
  return { credential: { accessKeyId, accessKeySecret, securityToken, expirationMs } };
}

function parseExpiration(v) {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v === 'string' && v !== '') return Date.parse(v);
  return NaN;
}

/**
 * The services' answer to a URL signed with temporary keys whose token has expired, or null while they live.
 * S3: 400 ExpiredToken. OSS: 403 SecurityTokenExpired with EC 0002-00000007 (OSS's error-centre entry for
 * "the STS temporary access credentials included in the request have expired").
 */
function expiredCredentialFailure(scheme, credential, nowMs) {
  if (credential.expirationMs === undefined || credential.expirationMs === null || nowMs < credential.expirationMs) return null;
  const extra = { Expiration: new Date(credential.expirationMs).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  if (scheme === 's3-v4') {
    return { ok: false, scheme, dialect: 's3', status: 400, code: 'ExpiredToken', message: 'The provided token has expired.', extra };
  }
  return {
    ok: false, scheme, dialect: 'oss', status: 403, code: 'SecurityTokenExpired',
    message: 'The security token you provided has expired.', extra, ec: '0002-00000007',
  };
}

/** The key id a query-signed request names (whatever its scheme, signed well or not) and whether it sent a token. */
function signedWith(q) {
  if (!q) return { accessKeyId: null, hasSecurityToken: false };
  const credential = q['X-Amz-Credential'] ?? q['x-oss-credential'];
  const accessKeyId = credential !== undefined ? credential.split('/')[0] : (q.OSSAccessKeyId ?? null);
  const hasSecurityToken = 'X-Amz-Security-Token' in q || 'x-oss-security-token' in q || 'security-token' in q;
  return { accessKeyId: accessKeyId || null, hasSecurityToken };
}

module.exports = { parseCredentialBody, expiredCredentialFailure, signedWith };
