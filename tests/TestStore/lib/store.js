'use strict';
// On-disk object store. Each object lives at <data>/buckets/<bucket>/<sha256(bucket "/" key)>
// with a JSON sidecar <same>.json, so any key (1,000 bytes, `a//b`, `%bad%`, emoji...) maps to
// a safe file name. Uploads are streamed to a temp file (hashing on the fly) and renamed.

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const crypto = require('node:crypto');
const { pipeline } = require('node:stream/promises');
const { Transform } = require('node:stream');
const { Crc64 } = require('./crc64');

// S3/OSS-style bucket names; anything else can never exist (and so is never a file path).
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

class ObjectStore {
  constructor(dataDir) {
    this.dataDir = path.resolve(dataDir);
    this.bucketsDir = path.join(this.dataDir, 'buckets');
    this.tmpDir = path.join(this.dataDir, 'tmp');
    this.buckets = new Set();
    // bucket -> { byKey: Map(key -> meta), sorted: [{ key, keyBuf, meta }] | null }: the listing index,
    // kept in step with put/delete; `sorted` (UTF-8 byte order) is rebuilt on the first list after a change.
    this.index = new Map();
  }

  async init(initialBuckets = []) {
    await fsp.mkdir(this.bucketsDir, { recursive: true });
    await fsp.mkdir(this.tmpDir, { recursive: true });
    for (const name of await fsp.readdir(this.bucketsDir)) {
      if (!BUCKET_RE.test(name)) continue;
      this.buckets.add(name);
      const dir = path.join(this.bucketsDir, name);
      for (const f of await fsp.readdir(dir)) {
        if (!/^[0-9a-f]{64}\.json$/.test(f)) continue;
        const meta = JSON.parse(await fsp.readFile(path.join(dir, f), 'utf8'));
        this.bucketIndex(name).byKey.set(meta.key, meta);
      }
    }
    for (const b of initialBuckets) await this.createBucket(b);
  }

  static isValidBucketName(b) {
    return typeof b === 'string' && BUCKET_RE.test(b);
  }

  static isValidKey(k) {
    return typeof k === 'string' && k.length > 0 && Buffer.byteLength(k, 'utf8') <= MAX_KEY_BYTES;
  }

  bucketIndex(b) {
    let ix = this.index.get(b);
    if (!ix) {
      ix = { byKey: new Map(), sorted: null };
      this.index.set(b, ix);
    }
    return ix;
  }

  /** Every object of a bucket as [{ key, keyBuf, meta }], sorted by the UTF-8 bytes of the key (as S3/OSS list). */
  list(b) {
    const ix = this.bucketIndex(b);
    if (!ix.sorted) {
      ix.sorted = [...ix.byKey.values()].map((meta) => ({ key: meta.key, keyBuf: Buffer.from(meta.key, 'utf8'), meta }))
        .sort((x, y) => Buffer.compare(x.keyBuf, y.keyBuf));
    }
    return ix.sorted;
  }

  hasBucket(b) {
    return this.buckets.has(b);
  }

  async createBucket(b) {
    if (!ObjectStore.isValidBucketName(b)) throw new Error(`invalid bucket name: ${b}`);
    await fsp.mkdir(path.join(this.bucketsDir, b), { recursive: true });
    this.buckets.add(b);
  }

  /** Directory and file name (relative, for `send`) of an object. */
  locate(bucket, key) {
    const id = crypto.createHash('sha256').update(`${bucket}/${key}`, 'utf8').digest('hex');
    return { dir: path.join(this.bucketsDir, bucket), id };
  }

  /** Stream `body` into the store. meta: { contentType, cacheControl, contentDisposition, contentEncoding } */
  async put(bucket, key, body, meta, nowMs) {
    await this.createBucket(bucket);
    const { dir, id } = this.locate(bucket, key);
    const tmp = path.join(this.tmpDir, `${id}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`);
    const md5 = crypto.createHash('md5');
    const crc = new Crc64();
    let size = 0;
    const hasher = new Transform({
      transform(chunk, _enc, cb) {
        md5.update(chunk);
        crc.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(body, hasher, fs.createWriteStream(tmp));
      const mtime = new Date(Math.floor(nowMs / 1000) * 1000);
      await fsp.utimes(tmp, mtime, mtime);
      const sidecar = {
        bucket,
        key,
        size,
        contentType: meta.contentType || 'application/octet-stream',
        cacheControl: meta.cacheControl || null,
        contentDisposition: meta.contentDisposition || null,
        contentEncoding: meta.contentEncoding || null,
        md5: md5.digest('hex'),
        crc64ecma: crc.digest(),
        lastModified: mtime.toISOString(),
      };
      await fsp.rename(tmp, path.join(dir, id));
      const sidecarTmp = `${tmp}.json`;
      await fsp.writeFile(sidecarTmp, JSON.stringify(sidecar, null, 1));
      await fsp.rename(sidecarTmp, path.join(dir, `${id}.json`));
      const ix = this.bucketIndex(bucket);
      ix.byKey.set(key, sidecar);
      ix.sorted = null;
      return sidecar;
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  /** -> { meta, dir, id } or null */
  async get(bucket, key) {
    if (!this.hasBucket(bucket)) return null;
    const { dir, id } = this.locate(bucket, key);
    try {
      const meta = JSON.parse(await fsp.readFile(path.join(dir, `${id}.json`), 'utf8'));
      return { meta, dir, id };
    } catch (e) {
      if (e.code === 'ENOENT') return null;
      throw e;
    }
  }

  async delete(bucket, key) {
    if (!this.hasBucket(bucket)) return false;
    const { dir, id } = this.locate(bucket, key);
    const existed = fs.existsSync(path.join(dir, `${id}.json`));
    await fsp.rm(path.join(dir, `${id}.json`), { force: true });
    await fsp.rm(path.join(dir, id), { force: true });
    const ix = this.bucketIndex(bucket);
    if (ix.byKey.delete(key)) ix.sorted = null;
    return existed;
  }
}

module.exports = { ObjectStore };
