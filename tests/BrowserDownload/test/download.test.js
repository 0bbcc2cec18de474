'use strict';
// Runs download.js as a C# test would (a child process) against a throwaway server on 127.0.0.1.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { start, BODY } = require('./server');

const TOOL = path.join(__dirname, '..', 'download.js');
const RUN_TIMEOUT_MS = 20000;

let server;
let work;

test.before(async () => {
  server = await start();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-download-test-'));
});

test.after(async () => {
  if (server) await server.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// Runs the tool with its own TMPDIR, so we can check that it leaves nothing behind there.
function runTool(args) {
  const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
  return new Promise((resolve) => {
    const started = Date.now();
    execFile(process.execPath, [TOOL, ...args, '--timeout-ms', String(RUN_TIMEOUT_MS)], {
      env: { ...process.env, TMPDIR: tmp },
      timeout: RUN_TIMEOUT_MS + 10000,
      encoding: 'utf8',
    }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
        stdout,
        stderr,
        ms: Date.now() - started,
        leftInTmp: fs.readdirSync(tmp),
      });
    });
  });
}

async function expectDownload(mode, urlPath, expectedName) {
  const out = path.join(work, `out-${mode}-${urlPath.replace(/\W/g, '_')}`);
  const url = server.base + urlPath;
  const before = server.requests.length;
  const r = await runTool(['--url', url, '--out', out, '--mode', mode]);
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^[^\n]+\n$/, 'exactly one line on stdout');
  const result = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(result).sort(), ['bytes', 'path', 'suggestedFilename', 'url']);
  assert.equal(result.suggestedFilename, expectedName);
  assert.equal(result.path, path.join(out, expectedName));
  assert.equal(result.url, url);
  assert.equal(result.bytes, BODY.length);
  assert.deepEqual(fs.readdirSync(out), [expectedName]);
  assert.ok(fs.readFileSync(result.path).equals(BODY), 'saved bytes equal the served bytes');
  assert.deepEqual(r.leftInTmp, [], 'profile and download temp folders removed');
  const hits = server.requests.slice(before).filter((q) => q.path === urlPath);
  assert.equal(hits.length, 1, 'the browser fetched the URL once');
  assert.match(hits[0].headers['user-agent'] || '', /Chrome\//);
  return r;
}

for (const mode of ['link', 'navigate']) {
  test(`${mode}: Content-Disposition filename with a space`, async () => {
    await expectDownload(mode, '/plain.txt', 'report 2024.txt');
  });

  test(`${mode}: filename* (RFC 5987, UTF-8) wins over the ASCII fallback`, async () => {
    await expectDownload(mode, '/utf8', '报告.pdf');
  });
}

// How Chromium names files in less common cases (this pins the behaviour of the Chromium in use).
test('link: only filename*, no plain filename', async () => {
  await expectDownload('link', '/star-only', '报告 final.pdf');
});

test('navigate: characters that are illegal in file names become _', async () => {
  await expectDownload('navigate', '/illegal', 'a_b_c_d_e_f_g_h_i.txt');
});

test('a URL that renders as a page fails fast with one line on stderr', async () => {
  const out = path.join(work, 'out-inline');
  const r = await runTool(['--url', `${server.base}/inline.html`, '--out', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^browser-download: no download: .*HTTP 200 text\/html.*\n$/);
  assert.equal(r.stderr.split('\n').length, 2, 'one line');
  assert.ok(r.ms < RUN_TIMEOUT_MS, `failed before the timeout (${r.ms} ms)`);
  assert.deepEqual(fs.existsSync(out) ? fs.readdirSync(out) : [], []);
  assert.deepEqual(r.leftInTmp, []);
});

test('bad arguments fail with exit 1 and one line on stderr', async () => {
  const r = await runTool(['--url', 'ftp://127.0.0.1/x', '--out', path.join(work, 'never')]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^browser-download: --url must be http or https/);
});
