'use strict';
// Small helpers shared by the server and the verifiers: strict percent-decoding,
// raw request-target splitting, query parsing, XML error bodies.

const crypto = require('node:crypto');

class DecodeError extends Error {}

/**
 * Percent-decode exactly once. Invalid escapes (`%zz`, a lone `%`) and byte sequences that
 * are not UTF-8 throw DecodeError (the caller answers 400 InvalidURI).
 * `plusIsSpace` is for query components, where the stores read a raw `+` as a space.
 */
function strictDecode(s, plusIsSpace = false) {
  if (plusIsSpace) s = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(s);
  } catch {
    throw new DecodeError(`invalid percent-encoding: ${s.length > 80 ? s.slice(0, 80) + '...' : s}`);
  }
}

/**
 * Split `req.url` (the raw request target) into raw path and raw query, without any
 * normalisation. Absolute-form targets (`GET http://host/p`) are reduced to their path.
 */
function splitTarget(target) {
  let t = target;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t);
  if (abs) t = t.slice(abs[0].length) || '/';
  const q = t.indexOf('?');
  return q < 0 ? { rawPath: t, rawQuery: null } : { rawPath: t.slice(0, q), rawQuery: t.slice(q + 1) };
}

/** Parse a raw query into [[name, value]] with decoded names/values, in wire order. */
function parseQuery(rawQuery) {
  const pairs = [];
  if (!rawQuery) return pairs;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = strictDecode(eq < 0 ? part : part.slice(0, eq), true);
    const value = eq < 0 ? '' : strictDecode(part.slice(eq + 1), true);
    pairs.push([name, value]);
  }
  return pairs;
}

/** First value per name (Object.create(null) so names like __proto__ are harmless). */
function firstValues(pairs) {
  const m = Object.create(null);
  for (const [k, v] of pairs) if (!(k in m)) m[k] = v;
  return m;
}

function xmlEscape(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

/** Constant-time string comparison (false on length mismatch). */
function safeEqual(a, b) {
  const ba = Buffer.from(String(a), 'utf8');
  const bb = Buffer.from(String(b), 'utf8');
  if (ba.length !== bb.length) return false;
  return crypto.timingSafeEqual(ba, bb);
}

/** Request ids shaped like the real ones: OSS 24 hex chars, S3 16 hex chars. */
function newRequestId(dialect) {
  return crypto.randomBytes(dialect === 'oss' ? 12 : 8).toString('hex').toUpperCase();
}

/** Host header without the port (handles [v6]:port); lowercased. */
function hostWithoutPort(host) {
  const h = String(host || '').trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** yyyyMMdd'T'HHmmss'Z' -> epoch ms, or NaN. */
function parseIsoBasic(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(s || ''));
  if (!m) return NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  // reject rollovers such as month 13 or 25:00
  const back = new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return back === s ? ms : NaN;
}

module.exports = {
  DecodeError,
  strictDecode,
  splitTarget,
  parseQuery,
  firstValues,
  xmlEscape,
  safeEqual,
  newRequestId,
  hostWithoutPort,
  parseIsoBasic,
};
