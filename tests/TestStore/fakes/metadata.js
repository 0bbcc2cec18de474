'use strict';
// The HTTP credential endpoints: Alibaba ECS instance metadata (hardened mode only), AWS IMDSv2, Alibaba's
// ALIBABA_CLOUD_CREDENTIALS_URI endpoint and the AWS container endpoint (ECS task role, EKS Pod Identity).
// Each answers a credential document with freshly issued temporary keys, one set per document request.

const crypto = require('node:crypto');
const { sendBody, sendJson, resetConnection, isoSeconds } = require('./common');

const MAX_TOKEN_TTL = 21600;
const AWS_ACCOUNT = '123456789012'; // the account id of the AWS documentation examples

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a bad escape names no role: 404 below
  }
}

/** The metadata services answer errors with a small HTML page. */
function htmlError(res, status, extraHeaders = {}) {
  const title = `${status} - ${require('node:http').STATUS_CODES[status] || 'Error'}`;
  const body = `<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html>\n<html><head><title>${title}</title></head>` +
    `<body><h1>${title}</h1></body></html>\n`;
  sendBody(res, status, 'text/html', body, extraHeaders);
}

const MALFORMED = '<html><body>this is not a credentials document {</body></html>';

/**
 * Shared by the four kinds: apply the failure mode, issue and render a document. `render(creds, variant, now)` returns
 * the JSON object for variant 'ok' | 'no-keys' | 'code-failure'. Returns nothing; the answer is sent.
 */
async function answerDocument(fake, req, res, entry, { render, error }) {
  const m = fake.takeMode();
  if (m.mode === 'reset') return resetConnection(req);
  if (m.mode === 'unavailable') return error(res, 503);
  if (m.mode === 'status') return error(res, m.status);
  if (m.mode === 'malformed') return sendBody(res, 200, 'application/json', MALFORMED);
  if (m.mode === 'no-keys') return sendJson(res, 200, render(null, 'no-keys', fake.now()));
  const codeFailure = m.mode === 'code-failure';
  const creds = await fake.issue({ expired: m.mode === 'expired', register: !codeFailure });
  if (!codeFailure) entry.issuedAccessKeyId = creds.accessKeyId;
  return sendJson(res, 200, render(creds, codeFailure ? 'code-failure' : 'ok', fake.now()));
}

/**
 * Token-protected metadata service (ECS hardened mode, IMDSv2): PUT /latest/api/token, then GETs with the token.
 * `spec`: { name, tokenHeader, ttlHeader, credentialsPath, render }.
 */
function tokenMetadataKind(fake, spec) {
  const tokens = new Map(); // token -> expiry (ms)
  const error = (res, status) => htmlError(res, status);

  function liveToken(req) {
    const t = req.headers[spec.tokenHeader];
    if (typeof t !== 'string' || t === '') return false;
    const expiry = tokens.get(t);
    if (expiry === undefined) return false;
    if (fake.now() >= expiry) {
      tokens.delete(t);
      return false;
    }
    return true;
  }

  async function handle(req, res, entry) {
    const path = entry.path;
    if (path === '/latest/api/token') {
      entry.action = 'token';
      if (req.method !== 'PUT') return error(res, 405);
      const m = fake.takeMode({ tokenRequest: true });
      if (m.mode === 'reset') return resetConnection(req);
      if (m.mode === 'unavailable') return error(res, 503);
      // IMDS refuses a token PUT that went through a proxy (X-Forwarded-For), so that a forwarded request can't get one.
      if (req.headers['x-forwarded-for'] !== undefined) return error(res, 403);
      const ttlText = req.headers[spec.ttlHeader];
      if (ttlText === undefined || !/^\d{1,6}$/.test(ttlText) || Number(ttlText) < 1 || Number(ttlText) > MAX_TOKEN_TTL) {
        return error(res, 400);
      }
      const token = `fake-metadata-token-${crypto.randomBytes(24).toString('base64url')}`;
      tokens.set(token, fake.now() + Number(ttlText) * 1000);
      return sendBody(res, 200, 'text/plain', token, { [spec.ttlHeader]: ttlText });
    }
    if (path !== spec.credentialsPath && path !== spec.credentialsPath.slice(0, -1) && !path.startsWith(spec.credentialsPath)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return error(res, 405);
      return liveToken(req) ? error(res, 404) : error(res, 401);
    }
    const role = path.startsWith(spec.credentialsPath) ? safeDecode(path.slice(spec.credentialsPath.length)) : '';
    entry.action = role === '' ? 'list-roles' : 'credentials';
    if (req.method !== 'GET') return error(res, 405);
    if (role === '') {
      const m = fake.takeMode({ tokenRequest: true });
      if (m.mode === 'reset') return resetConnection(req);
      if (m.mode === 'unavailable') return error(res, 503);
      if (!liveToken(req)) return error(res, 401);
      return sendBody(res, 200, 'text/plain', fake.state.config.roleName);
    }
    if (!liveToken(req)) return error(res, 401);
    if (role !== fake.state.config.roleName) return error(res, 404);
    return answerDocument(fake, req, res, entry, { render: spec.render, error });
  }

  return { name: spec.name, hasCode: true, handle };
}

/** The Alibaba credential document (ECS RAM role and ALIBABA_CLOUD_CREDENTIALS_URI). */
function alibabaDocument(creds, variant, t) {
  if (variant === 'no-keys') return { Code: 'Success', Expiration: isoSeconds(t + 3600_000), LastUpdated: isoSeconds(t) };
  return {
    AccessKeyId: creds.accessKeyId,
    AccessKeySecret: creds.accessKeySecret,
    Expiration: creds.expiration,
    SecurityToken: creds.securityToken,
    LastUpdated: creds.lastUpdated,
    Code: variant === 'code-failure' ? 'Failure' : 'Success',
  };
}

function ecsMetadataKind(fake) {
  return tokenMetadataKind(fake, {
    name: 'ecs-metadata',
    tokenHeader: 'x-aliyun-ecs-metadata-token',
    ttlHeader: 'x-aliyun-ecs-metadata-token-ttl-seconds',
    credentialsPath: '/latest/meta-data/ram/security-credentials/',
    render: alibabaDocument,
  });
}

function imdsKind(fake) {
  return tokenMetadataKind(fake, {
    name: 'imds',
    tokenHeader: 'x-aws-ec2-metadata-token',
    ttlHeader: 'x-aws-ec2-metadata-token-ttl-seconds',
    credentialsPath: '/latest/meta-data/iam/security-credentials/',
    render: (creds, variant, t) => {
      if (variant === 'no-keys') {
        return { Code: 'Success', LastUpdated: isoSeconds(t), Type: 'AWS-HMAC', Expiration: isoSeconds(t + 3600_000) };
      }
      return {
        Code: variant === 'code-failure' ? 'Failure' : 'Success',
        LastUpdated: creds.lastUpdated,
        Type: 'AWS-HMAC',
        AccessKeyId: creds.accessKeyId,
        SecretAccessKey: creds.accessKeySecret,
        Token: creds.securityToken,
        Expiration: creds.expiration,
      };
    },
  });
}

/** ALIBABA_CLOUD_CREDENTIALS_URI: GET on any path answers the ECS document; no token. */
function credentialsUriKind(fake) {
  const error = (res, status) => htmlError(res, status);
  return {
    name: 'credentials-uri',
    hasCode: true,
    handle: async (req, res, entry) => {
      entry.action = 'credentials';
      if (req.method !== 'GET') return error(res, 405);
      return answerDocument(fake, req, res, entry, { render: alibabaDocument, error });
    },
  };
}

/**
 * AWS container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI / RELATIVE_URI): GET on any path. With
 * `authorizationToken` configured the Authorization header must carry exactly it: missing -> 401, wrong -> 403.
 */
function containerKind(fake) {
  const { config } = fake.state;
  const error = (res, status, code, message) => sendJson(res, status, {
    code: code || (status === 503 ? 'ServiceUnavailable' : 'InternalServerError'),
    message: message || (status === 503 ? 'The service is unavailable. Retry later.' : 'Internal server error.'),
  });
  const roleArn = `arn:aws:iam::${AWS_ACCOUNT}:role/${config.roleName}`;
  return {
    name: 'container',
    hasCode: false,
    handle: async (req, res, entry) => {
      entry.action = 'credentials';
      if (req.method !== 'GET') return error(res, 405, 'MethodNotAllowed', 'Only GET is supported.');
      if (config.authorizationToken !== null) {
        const auth = req.headers.authorization;
        if (auth === undefined || auth === '') return error(res, 401, 'AccessDeniedException', 'Authorization header is missing.');
        const a = Buffer.from(auth);
        const b = Buffer.from(config.authorizationToken);
        if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
          return error(res, 403, 'AccessDeniedException', 'The authorization token is not valid.');
        }
      }
      return answerDocument(fake, req, res, entry, {
        error,
        render: (creds, variant, t) => (variant === 'no-keys'
          ? { Expiration: isoSeconds(t + 3600_000), RoleArn: roleArn }
          : {
            AccessKeyId: creds.accessKeyId,
            SecretAccessKey: creds.accessKeySecret,
            Token: creds.securityToken,
            Expiration: creds.expiration,
            RoleArn: roleArn,
          }),
      });
    },
  };
}

module.exports = { ecsMetadataKind, imdsKind, credentialsUriKind, containerKind, AWS_ACCOUNT };
