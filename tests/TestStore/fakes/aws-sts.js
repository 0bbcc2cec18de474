'use strict';
// AWS STS (Query API, Version 2011-06-15): AssumeRoleWithWebIdentity (unsigned) and AssumeRole, whose SigV4
// Authorization header is checked by recomputing it with @smithy/signature-v4 over the request as received
// (the headers it names, the raw path, the query and the body) against the config's baseCredentials.

const crypto = require('node:crypto');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');
const { safeEqual, xmlEscape, parseIsoBasic, hostWithoutPort } = require('../lib/util');
const { sendBody, resetConnection, readCallParams } = require('./common');
const { AWS_ACCOUNT } = require('./metadata');

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SKEW_MS = 15 * 60 * 1000;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

const ROLE_ID = 'AROAFAKEROLEID000000'; // shaped like a role id, plainly fake

function awsStsKind(fake) {
  const { config } = fake.state;
  const requestId = () => crypto.randomUUID();
  // Sends the service's XML error; returns true ("answered") so that checks can stop the request.
  const error = (res, status, code, message) => {
    const type = status >= 500 ? 'Receiver' : 'Sender';
    sendBody(res, status, 'text/xml',
      `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${xmlEscape(code)}</Code>\n` +
      `    <Message>${xmlEscape(message)}</Message>\n  </Error>\n  <RequestId>${requestId()}</RequestId>\n</ErrorResponse>\n`);
    return true;
  };
  const validation = (res, field) => error(res, 400, 'ValidationError',
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  const STATUS_ERRORS = {
    500: ['InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'],
    503: ['ServiceUnavailable', 'Service is unable to handle request.'],
  };
  const statusError = (res, status) => {
    const [code, message] = STATUS_ERRORS[status] || [`FakeStatus${status}`, `Injected status ${status}.`];
    return error(res, status, code, message);
  };

  /** Check the SigV4 Authorization header of AssumeRole; null when good, else true (the error was sent). */
  async function checkSignature(req, res, rawPath, queryPairs, body) {
    const auth = req.headers.authorization;
    if (auth === undefined) return error(res, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const m = AUTH.exec(auth);
    if (!m) {
      return error(res, 400, 'IncompleteSignature',
        "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, AWS4-HMAC-SHA256 only.");
    }
    const [, credential, signedHeaderList, signature] = m;
    const scope = credential.split('/');
    if (scope.length !== 5 || scope[4] !== 'aws4_request') {
      return error(res, 400, 'IncompleteSignature', 'Credential should be <key id>/<date>/<region>/sts/aws4_request.');
    }
    const [accessKeyId, scopeDate, region, service] = scope;
    if (service !== 'sts') return error(res, 403, 'SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'.");
    if (region !== config.region) {
      return error(res, 403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${region}'.`);
    }
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) {
      return error(res, 400, 'IncompleteSignature', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    const amzDate = req.headers['x-amz-date'];
    if (amzDate === undefined || !signedHeaders.includes('x-amz-date')) {
      return error(res, 400, 'IncompleteSignature', "Authorization header requires existence of a signed 'X-Amz-Date' header.");
    }
    const dateMs = parseIsoBasic(amzDate);
    if (Number.isNaN(dateMs)) return error(res, 400, 'IncompleteSignature', 'X-Amz-Date must be yyyyMMddTHHmmssZ.');
    if (scopeDate !== amzDate.slice(0, 8)) {
      return error(res, 403, 'SignatureDoesNotMatch', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'`);
    }
    const t = fake.now();
    if (t - dateMs > SKEW_MS) return error(res, 403, 'SignatureDoesNotMatch', `Signature expired: ${amzDate} is now earlier than 15 minutes ago.`);
    if (dateMs - t > SKEW_MS) return error(res, 403, 'SignatureDoesNotMatch', `Signature not yet current: ${amzDate} is more than 15 minutes ahead.`);
    const base = config.baseCredentials.find((c) => c.accessKeyId === accessKeyId);
    if (!base) return error(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');

    const headers = {};
    for (const h of signedHeaders) {
      if (req.headers[h] === undefined) {
        return error(res, 403, 'SignatureDoesNotMatch', `The signed header '${h}' is not in the request.`);
      }
      headers[h] = String(req.headers[h]);
    }
    // The signer takes the payload hash from x-amz-content-sha256 when present: it must be the body's, or a signed
    // hash would vouch for any body.
    const contentSha = req.headers['x-amz-content-sha256'];
    if (contentSha !== undefined && contentSha !== crypto.createHash('sha256').update(body).digest('hex')) {
      return error(res, 403, 'SignatureDoesNotMatch', 'The provided x-amz-content-sha256 header does not match the SHA-256 of the body.');
    }
    const query = {};
    for (const [k, v] of queryPairs) query[k] = Object.prototype.hasOwnProperty.call(query, k) ? [].concat(query[k], v) : v;
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey: base.accessKeySecret },
      region,
      service: 'sts',
      sha256: Sha256,
      applyChecksum: false,
    });
    const signedRequest = await signer.sign(
      { method: req.method, protocol: 'http:', hostname: hostWithoutPort(req.headers.host), path: rawPath, query, headers, body },
      { signingDate: new Date(dateMs), signingRegion: region, signingService: 'sts', signableHeaders: new Set(signedHeaders) },
    );
    const expected = AUTH.exec(signedRequest.headers.authorization);
    if (!expected || expected[2] !== signedHeaderList || !safeEqual(expected[3], signature)) {
      return error(res, 403, 'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    }
    return null;
  }

  async function handle(req, res, entry) {
    const method = req.method;
    if (method !== 'GET' && method !== 'POST') return error(res, 405, 'InvalidHttpMethod', `The HTTP method ${method} is not supported.`);
    const call = await readCallParams(req, entry, ['RoleArn', 'RoleSessionName', 'DurationSeconds', 'ExternalId', 'Version']);
    if (call.problem === 'content-type') {
      return error(res, 400, 'InvalidParameterValue', 'The request body must be application/x-www-form-urlencoded.');
    }
    if (call.problem === 'encoding') return error(res, 400, 'MalformedQueryString', 'The request has a malformed percent-encoding.');
    const { rawPath, queryPairs, params, body } = call;
    const { action } = entry;
    if (action === 'AssumeRoleWithWebIdentity') entry.webIdentityToken = params.WebIdentityToken ?? null;

    if (action === null) return error(res, 400, 'MissingAction', 'Missing Action');
    if (action !== 'AssumeRole' && action !== 'AssumeRoleWithWebIdentity' || params.Version !== '2011-06-15') {
      return error(res, 400, 'InvalidAction', `Could not find operation ${action} for version ${params.Version ?? 'NO_VERSION_SPECIFIED'}`);
    }
    if (action === 'AssumeRole' && await checkSignature(req, res, rawPath, queryPairs, body)) return undefined;

    if (!params.RoleArn) return validation(res, 'roleArn');
    if (!params.RoleSessionName) return validation(res, 'roleSessionName');
    if (action === 'AssumeRoleWithWebIdentity' && !params.WebIdentityToken) return validation(res, 'webIdentityToken');
    const arn = ROLE_ARN.exec(params.RoleArn);
    if (!arn) return error(res, 400, 'ValidationError', `${params.RoleArn} is invalid`);
    if (!SESSION_NAME.test(params.RoleSessionName)) {
      return error(res, 400, 'ValidationError',
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    }
    let seconds = null;
    if (params.DurationSeconds !== undefined) {
      seconds = /^\d{1,6}$/.test(params.DurationSeconds) ? Number(params.DurationSeconds) : NaN;
      if (!(seconds >= 900 && seconds <= 43200)) {
        return error(res, 400, 'ValidationError',
          "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
      }
    }
    if (params.ExternalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(params.ExternalId)) {
      return error(res, 400, 'ValidationError',
        "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:/-]*");
    }
    if (arn[3] !== config.roleName) {
      return error(res, 403, 'AccessDenied', `Not authorized to perform sts:${action} on resource: ${params.RoleArn}`);
    }
    if (action === 'AssumeRoleWithWebIdentity' && config.acceptedTokens !== null && !config.acceptedTokens.includes(params.WebIdentityToken)) {
      return error(res, 400, 'InvalidIdentityToken', 'The web identity token that was passed could not be validated by AWS.');
    }

    const m = fake.takeMode();
    if (m.mode === 'reset') return resetConnection(req);
    if (m.mode === 'unavailable') return statusError(res, 503);
    if (m.mode === 'status') return statusError(res, m.status);
    if (m.mode === 'malformed') return sendBody(res, 200, 'text/xml', '{"this": "is not XML"');
    let credentials;
    if (m.mode === 'no-keys') {
      credentials = `      <Expiration>${new Date(fake.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>\n`;
    } else {
      const creds = await fake.issue({ expired: m.mode === 'expired', lifeSeconds: seconds });
      entry.issuedAccessKeyId = creds.accessKeyId;
      credentials =
        `      <AccessKeyId>${xmlEscape(creds.accessKeyId)}</AccessKeyId>\n` +
        `      <SecretAccessKey>${xmlEscape(creds.accessKeySecret)}</SecretAccessKey>\n` +
        `      <SessionToken>${xmlEscape(creds.securityToken)}</SessionToken>\n` +
        `      <Expiration>${creds.expiration}</Expiration>\n`;
    }
    const session = xmlEscape(params.RoleSessionName);
    const extra = action === 'AssumeRoleWithWebIdentity'
      ? '    <SubjectFromWebIdentityToken>system:serviceaccount:default:fake</SubjectFromWebIdentityToken>\n' +
        '    <Audience>sts.amazonaws.com</Audience>\n    <Provider>oidc.fake.invalid</Provider>\n'
      : '';
    const xml =
      `<${action}Response xmlns="${NS}">\n  <${action}Result>\n${extra}` +
      `    <AssumedRoleUser>\n      <AssumedRoleId>${ROLE_ID}:${session}</AssumedRoleId>\n` +
      `      <Arn>arn:aws:sts::${arn[1] || AWS_ACCOUNT}:assumed-role/${xmlEscape(arn[3])}/${session}</Arn>\n    </AssumedRoleUser>\n` +
      `    <Credentials>\n${credentials}    </Credentials>\n  </${action}Result>\n` +
      `  <ResponseMetadata>\n    <RequestId>${requestId()}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`;
    return sendBody(res, 200, 'text/xml', xml);
  }

  return { name: 'aws-sts', hasCode: false, handle };
}

module.exports = { awsStsKind };
