'use strict';
// Alibaba Cloud STS (RPC style, Version 2015-04-01): AssumeRole, signed with base keys (HMAC-SHA1, SignatureVersion
// 1.0), and AssumeRoleWithOIDC (anonymous). The signature is computed by the official Tea OpenAPI helper,
// @alicloud/openapi-util getRPCSignature (stringToSign = METHOD&%2F&percentEncode(sorted canonical query),
// key = secret + "&", Base64 HMAC-SHA1 through kitx.sha1, the primitive of the credentials-java vector).

const crypto = require('node:crypto');
const OpenApiUtil = require('@alicloud/openapi-util').default;
const { safeEqual } = require('../lib/util');
const { sendBody, sendJson, resetConnection, readCallParams } = require('./common');

const ACCOUNT = '1234567890123456'; // a made-up Alibaba Cloud account id
const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;
const ROLE_ARN = /^acs:ram::(\d+):role\/([^/]+)$/i;
const OIDC_PROVIDER_ARN = /^acs:ram::(\d+):oidc-provider\/([^/]+)$/i;
const SESSION_NAME = /^[\w.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** A policy is a JSON object with a Statement array (the grammar check, as far as a fake needs it). */
function isPolicyDocument(text) {
  try {
    const p = JSON.parse(text);
    return p !== null && typeof p === 'object' && Array.isArray(p.Statement);
  } catch {
    return false;
  }
}

/** The percent-encoding of the RPC signature (RFC 3986, upper-case hex); only for the error message's string to sign. */
function percentEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function stringToSignOf(method, params) {
  const canonical = Object.keys(params).sort().map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`).join('&');
  return `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

/** The official helper: the expected Signature of `params` (all parameters but Signature) for this method and secret. */
function expectedSignature(params, method, secret) {
  return OpenApiUtil.getRPCSignature(params, method, secret);
}

function alibabaStsKind(fake) {
  const { config } = fake.state;
  const usedNonces = new Map(); // nonce -> time, for SignatureNonceUsed (kept 15 min)

  const requestId = () => crypto.randomUUID().toUpperCase();
  // Sends the service's JSON error; returns true ("answered") so that checks can stop the request.
  const error = (res, status, code, message) => {
    sendJson(res, status, {
      RequestId: requestId(), HostId: 'sts.aliyuncs.com', Code: code, Message: message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}`,
    });
    return true;
  };
  const STATUS_ERRORS = {
    500: ['InternalError', 'The request processing has failed due to some unknown error, exception or failure.'],
    503: ['ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'],
  };
  const statusError = (res, status) => {
    const [code, message] = STATUS_ERRORS[status] || [`Fake.Status${status}`, `Injected status ${status}.`];
    return error(res, status, code, message);
  };
  const missing = (res, name) => error(res, 400, `Missing${name}`, `${name} is mandatory for this action.`);

  function checkNonce(nonce) {
    const t = fake.now();
    for (const [n, at] of usedNonces) if (t - at > TIMESTAMP_WINDOW_MS) usedNonces.delete(n);
    if (usedNonces.has(nonce)) return false;
    usedNonces.set(nonce, t);
    return true;
  }

  /** Common checks and the signature of AssumeRole; null when good, else true (the error was sent). */
  function checkSigned(req, res, params, method) {
    if (params.SignatureMethod === undefined) return missing(res, 'SignatureMethod');
    if (params.SignatureMethod !== 'HMAC-SHA1') {
      return error(res, 400, 'InvalidParameter.SignatureMethod', `Specified signature method "${params.SignatureMethod}" is not supported.`);
    }
    if (params.SignatureVersion === undefined) return missing(res, 'SignatureVersion');
    if (params.SignatureVersion !== '1.0') {
      return error(res, 400, 'InvalidParameter.SignatureVersion', `Specified signature version "${params.SignatureVersion}" is not supported.`);
    }
    if (params.SignatureNonce === undefined || params.SignatureNonce === '') return missing(res, 'SignatureNonce');
    if (params.Timestamp === undefined) return missing(res, 'Timestamp');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(params.Timestamp) || Number.isNaN(Date.parse(params.Timestamp))) {
      return error(res, 400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    if (Math.abs(fake.now() - Date.parse(params.Timestamp)) > TIMESTAMP_WINDOW_MS) {
      return error(res, 400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    if (params.AccessKeyId === undefined || params.AccessKeyId === '') return missing(res, 'AccessKeyId');
    if (params.Signature === undefined || params.Signature === '') return missing(res, 'Signature');
    const base = config.baseCredentials.find((c) => c.accessKeyId === params.AccessKeyId);
    if (!base) return error(res, 404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const { Signature: provided, ...signed } = params;
    const expected = expectedSignature(signed, method, base.accessKeySecret);
    if (!safeEqual(expected, provided)) {
      // The real message carries the server's string to sign (the SDKs print it); it holds no secret.
      return error(res, 400, 'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSignOf(method, signed)}`);
    }
    if (!checkNonce(params.SignatureNonce)) {
      return error(res, 400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
    return null;
  }

  /** RoleArn, RoleSessionName, DurationSeconds (and the role's existence); returns { roleName, seconds } or sends. */
  function checkRole(res, params) {
    if (!params.RoleArn) return { sent: missing(res, 'RoleArn') };
    const arn = ROLE_ARN.exec(params.RoleArn);
    if (!arn) return { sent: error(res, 400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrong.') };
    if (!params.RoleSessionName) return { sent: missing(res, 'RoleSessionName') };
    if (!SESSION_NAME.test(params.RoleSessionName)) {
      return { sent: error(res, 400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrong.') };
    }
    let seconds = null;
    if (params.DurationSeconds !== undefined) {
      seconds = /^\d{1,6}$/.test(params.DurationSeconds) ? Number(params.DurationSeconds) : NaN;
      if (!(seconds >= 900 && seconds <= 43200)) {
        return { sent: error(res, 400, 'InvalidParameter.DurationSeconds', 'The Min/Max value of DurationSeconds is 15min/12hr.') };
      }
    }
    if (params.ExternalId !== undefined && !EXTERNAL_ID.test(params.ExternalId)) {
      return { sent: error(res, 400, 'InvalidParameter.ExternalId', 'The parameter ExternalId is wrong.') };
    }
    if (params.Policy !== undefined && !isPolicyDocument(params.Policy)) {
      return { sent: error(res, 400, 'InvalidParameter.PolicyGrammar', 'The parameter Policy has not passed grammar check.') };
    }
    if (arn[2].toLowerCase() !== config.roleName.toLowerCase()) {
      return { sent: error(res, 404, 'EntityNotExist.Role', `The role not exists: ${params.RoleArn}.`) };
    }
    return { roleName: arn[2], accountId: arn[1], seconds };
  }

  async function handle(req, res, entry) {
    const method = req.method;
    if (method !== 'GET' && method !== 'POST') {
      return error(res, 405, 'UnsupportedHTTPMethod', `The HTTP method ${method} is not supported; use GET or POST.`);
    }
    // RPC style: parameters in the query and, for POST, in a form body; the SDKs send every one in the body.
    const call = await readCallParams(req, entry, ['RoleArn', 'RoleSessionName', 'DurationSeconds', 'ExternalId', 'Policy',
      'OIDCProviderArn', 'AccessKeyId', 'Version', 'Format', 'SignatureMethod', 'SignatureVersion']);
    if (call.problem === 'content-type') {
      return error(res, 400, 'InvalidParameter.ContentType', 'A POST body must be application/x-www-form-urlencoded.');
    }
    if (call.problem === 'encoding') return error(res, 400, 'InvalidParameter', 'The request has a malformed percent-encoding.');
    const { params } = call;
    const { action } = entry;
    if (action === 'AssumeRoleWithOIDC') entry.oidcToken = params.OIDCToken ?? null;

    if (action === null) return missing(res, 'Action');
    if (params.Version === undefined) return missing(res, 'Version');
    if (action !== 'AssumeRole' && action !== 'AssumeRoleWithOIDC') {
      return error(res, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    }
    if (params.Version !== '2015-04-01') {
      return error(res, 400, 'InvalidVersion', `Specified parameter Version "${params.Version}" is not valid.`);
    }
    if (params.Format !== 'JSON') {
      // Without Format=JSON the service answers XML, which a JSON client cannot read: catch that here.
      return error(res, 400, 'InvalidParameter.Format', 'Send Format=JSON (the service answers XML without it).');
    }
    if (action === 'AssumeRole') {
      if (checkSigned(req, res, params, method)) return undefined;
    }
    const role = checkRole(res, params);
    if (role.sent) return undefined;
    if (action === 'AssumeRoleWithOIDC') {
      if (!params.OIDCProviderArn) return missing(res, 'OIDCProviderArn');
      if (!OIDC_PROVIDER_ARN.test(params.OIDCProviderArn)) {
        return error(res, 400, 'InvalidParameter.OIDCProviderArn', 'The parameter OIDCProviderArn is wrong.');
      }
      if (!params.OIDCToken) return missing(res, 'OIDCToken');
      if (config.acceptedTokens !== null && !config.acceptedTokens.includes(params.OIDCToken)) {
        return error(res, 400, 'AuthenticationFail.OIDCToken.Invalid', 'The OIDC token is invalid or has expired.');
      }
    }

    const m = fake.takeMode();
    if (m.mode === 'reset') return resetConnection(req);
    if (m.mode === 'unavailable') return statusError(res, 503);
    if (m.mode === 'status') return statusError(res, m.status);
    if (m.mode === 'malformed') return sendBody(res, 200, 'application/json', '<html><body>this is not JSON {</body></html>');
    const user = {
      AssumedRoleId: `3${ACCOUNT.slice(0, 17)}:${params.RoleSessionName}`,
      Arn: `acs:ram::${role.accountId}:role/${role.roleName.toLowerCase()}/${params.RoleSessionName}`,
    };
    const answer = { RequestId: requestId(), AssumedRoleUser: user };
    if (action === 'AssumeRoleWithOIDC') {
      answer.OIDCTokenInfo = { Subject: 'system:serviceaccount:default:fake', Issuer: 'https://oidc.fake.invalid', ClientIds: 'sts.aliyuncs.com' };
    }
    if (m.mode === 'no-keys') {
      answer.Credentials = { Expiration: new Date(fake.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
      return sendJson(res, 200, answer);
    }
    const creds = await fake.issue({ expired: m.mode === 'expired', lifeSeconds: role.seconds });
    entry.issuedAccessKeyId = creds.accessKeyId;
    answer.Credentials = {
      SecurityToken: creds.securityToken,
      AccessKeyId: creds.accessKeyId,
      AccessKeySecret: creds.accessKeySecret,
      Expiration: creds.expiration,
    };
    return sendJson(res, 200, answer);
  }

  return { name: 'alibaba-sts', hasCode: false, handle };
}

module.exports = { alibabaStsKind, expectedSignature, stringToSignOf };
