#!/usr/bin/env node
'use strict';
// Makes headless Debian Chromium download one URL the way a user does, and saves the file
// under the name Chromium chose (from Content-Disposition, else from the URL).
//
//   node download.js --url URL --out DIR [--timeout-ms 30000] [--mode link|navigate]
//
// Success: exactly one line of JSON on stdout, exit 0:
//   {"suggestedFilename":"...","path":"/abs/DIR/name","bytes":N,"url":"..."}
// Failure: one line on stderr ("browser-download: ..."), exit 1.
// See README.md for the flags and why.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { LAUNCH_ARGS, chromiumPath } = require('./chromium');

const DEFAULT_TIMEOUT_MS = 30000;
// After the page shows that the URL rendered as a document instead of downloading,
// how long to still wait for a download event before giving up.
const NOT_A_DOWNLOAD_GRACE_MS = 1500;


class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { url: null, out: null, timeoutMs: DEFAULT_TIMEOUT_MS, mode: 'link' };
  const known = { '--url': 'url', '--out': 'out', '--timeout-ms': 'timeoutMs', '--mode': 'mode' };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '-h' || arg === '--help') {
      throw new UsageError('usage: node download.js --url URL --out DIR [--timeout-ms 30000] [--mode link|navigate]');
    }
    const key = known[arg];
    if (!key) throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      value = argv[++i];
    }
    opts[key] = value;
  }
  if (!opts.url) throw new UsageError('--url is required');
  if (!opts.out) throw new UsageError('--out is required');
  let parsed;
  try {
    parsed = new URL(opts.url);
  } catch {
    throw new UsageError(`--url is not a valid URL: ${opts.url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url must be http or https, got ${parsed.protocol}`);
  }
  if (opts.mode !== 'link' && opts.mode !== 'navigate') {
    throw new UsageError(`--mode must be link or navigate, got ${JSON.stringify(opts.mode)}`);
  }
  const t = typeof opts.timeoutMs === 'number' ? opts.timeoutMs : Number(opts.timeoutMs);
  if (!Number.isInteger(t) || t < 1000 || t > 600000) {
    throw new UsageError(`--timeout-ms must be an integer from 1000 to 600000, got ${opts.timeoutMs}`);
  }
  opts.timeoutMs = t;
  opts.out = path.resolve(opts.out);
  return opts;
}

function escapeHtmlAttr(s) {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function oneLine(s) {
  return String(s).replace(/\s*\n\s*/g, ' | ').replace(/\s+/g, ' ').trim();
}

// Rejects when the deadline passes or when `abort` is signalled (SIGTERM etc.).
function bounded(promise, deadline, what, abortSignal) {
  return new Promise((resolve, reject) => {
    const ms = Math.max(0, deadline - Date.now());
    const timer = setTimeout(() => reject(new Error(`timed out ${what}`)), ms);
    const onAbort = () => reject(abortSignal.reason);
    if (abortSignal) {
      if (abortSignal.aborted) onAbort();
      abortSignal.addEventListener('abort', onAbort, { once: true });
    }
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      if (abortSignal) abortSignal.removeEventListener('abort', onAbort);
    });
  });
}

// Waits for the download event; fails early (with the HTTP status) when the main frame
// instead committed a document at a non-blank URL, i.e. the response rendered as a page.
function waitForDownload(page, deadline, state) {
  return new Promise((resolve, reject) => {
    let graceTimer = null;
    const cleanup = () => {
      page.off('download', onDownload);
      page.off('framenavigated', onNavigated);
      page.off('response', onResponse);
      page.off('requestfailed', onRequestFailed);
      if (graceTimer) clearTimeout(graceTimer);
    };
    const onDownload = (download) => {
      cleanup();
      resolve(download);
    };
    const onResponse = (response) => {
      try {
        const req = response.request();
        if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
          state.lastNavigation = `HTTP ${response.status()} ${response.headers()['content-type'] || ''}`.trim();
        }
      } catch {
        // the frame may be gone; the status is only for the error message
      }
    };
    const onRequestFailed = (req) => {
      try {
        if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
          const failure = req.failure();
          state.navigationError = failure ? failure.errorText : 'failed';
        }
      } catch {
        // only for the error message
      }
    };
    // Called when the page shows that no download is coming; a download event within the
    // grace period still wins.
    const giveUpSoon = (what) => {
      if (graceTimer) return;
      graceTimer = setTimeout(() => {
        cleanup();
        const details = [state.lastNavigation, state.navigationError].filter(Boolean).join(', ');
        reject(new Error(`no download: ${what()}${details ? ` (${details})` : ''} instead of downloading`));
      }, Math.min(NOT_A_DOWNLOAD_GRACE_MS, Math.max(0, deadline - Date.now())));
    };
    state.giveUpSoon = giveUpSoon;
    const onNavigated = (frame) => {
      if (frame !== page.mainFrame() || frame.url() === 'about:blank') return;
      const url = frame.url();
      giveUpSoon(() => (url.startsWith('chrome-error:')
        ? 'the browser showed its error page'
        : `the browser rendered ${url} as a page`));
    };
    page.on('download', onDownload);
    page.on('framenavigated', onNavigated);
    page.on('response', onResponse);
    page.on('requestfailed', onRequestFailed);
  });
}

async function run(opts, deadline, abortSignal, timings, hold) {
  const t0 = Date.now();
  fs.mkdirSync(opts.out, { recursive: true });
  const { chromium } = require('playwright-core');

  hold.userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-download-profile-'));
  const remaining = () => Math.max(1, deadline - Date.now());
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no browser at ${executablePath} (on Debian: apt-get install -y chromium)`);
  }

  const launching = chromium.launchPersistentContext(hold.userDataDir, {
    executablePath,
    headless: true,
    // Playwright adds a bare --headless for headless: true; the flag list says --headless=new.
    ignoreDefaultArgs: ['--headless'],
    args: LAUNCH_ARGS,
    acceptDownloads: true,
    timeout: remaining(),
    // We handle the signals ourselves, so the profile folder is removed too.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  hold.launching = launching;
  const context = await bounded(launching, deadline, 'launching the browser', abortSignal);
  hold.context = context;
  timings.launchedMs = Date.now() - t0;
  context.setDefaultTimeout(remaining());
  context.setDefaultNavigationTimeout(remaining());

  const page = context.pages()[0] || (await bounded(context.newPage(), deadline, 'opening a page', abortSignal));
  const state = { lastNavigation: null, navigationError: null, giveUpSoon: null };
  const downloadWait = waitForDownload(page, deadline, state);
  downloadWait.catch(() => {}); // observed below; avoid an unhandled rejection if we fail earlier

  let gotoError = null;
  if (opts.mode === 'link') {
    await bounded(page.goto('about:blank'), deadline, 'opening about:blank', abortSignal);
    const html = '<!doctype html><html><head><meta charset="utf-8"><title>download</title></head>' +
      `<body><a id="dl" href="${escapeHtmlAttr(opts.url)}">download</a></body></html>`;
    await bounded(page.setContent(html, { timeout: remaining() }), deadline, 'setting the page content', abortSignal);
    timings.pageReadyMs = Date.now() - t0;
    // noWaitAfter: the click must not wait for a navigation to commit, because a download
    // never commits one (and a slow server would hold the click until the timeout).
    await bounded(page.click('#dl', { timeout: remaining(), noWaitAfter: true }), deadline, 'clicking the link', abortSignal);
  } else {
    timings.pageReadyMs = Date.now() - t0;
    // A response with Content-Disposition: attachment makes goto throw "Download is starting";
    // that is the expected path. Any other outcome is reported only if no download comes.
    page.goto(opts.url, { timeout: remaining() }).then(
      (response) => {
        if (response) state.lastNavigation = `HTTP ${response.status()} ${response.headers()['content-type'] || ''}`.trim();
      },
      (err) => {
        if (/Download is starting/i.test(err.message)) return;
        gotoError = err;
        state.giveUpSoon(() => `navigation failed: ${oneLine(err.message.split('\n')[0])}`);
      });
  }

  let download;
  try {
    download = await bounded(downloadWait, deadline, 'waiting for the download event', abortSignal);
  } catch (err) {
    if (/^timed out/.test(err.message)) {
      const seen = [state.lastNavigation, state.navigationError].filter(Boolean);
      if (gotoError) seen.push(`goto: ${oneLine(gotoError.message.split('\n')[0])}`);
      if (seen.length) throw new Error(`${err.message}; seen so far: ${seen.join(', ')}`);
    }
    throw err;
  }
  timings.downloadStartedMs = Date.now() - t0;

  const suggested = download.suggestedFilename();
  const failure = await bounded(download.failure(), deadline, 'waiting for the download to finish', abortSignal);
  if (failure) {
    throw new Error(`download of ${download.url()} failed in the browser: ${failure} (suggested name ${JSON.stringify(suggested)})`);
  }
  const base = path.basename(suggested || '');
  if (!base || base === '.' || base === '..' || base !== suggested) {
    throw new Error(`unusable suggested file name ${JSON.stringify(suggested)}`);
  }
  const target = path.join(opts.out, base);
  await bounded(download.saveAs(target), deadline, 'saving the download', abortSignal);
  const bytes = fs.statSync(target).size;
  timings.savedMs = Date.now() - t0;
  return { suggestedFilename: suggested, path: target, bytes, url: download.url() };
}

async function closeAll(hold, capMs) {
  const until = Date.now() + capMs;
  let context = hold.context;
  if (!context && hold.launching) {
    // The launch may still complete after we gave up on it; close it then, within the cap.
    context = await bounded(hold.launching, until, 'late launch').catch(() => null);
  }
  if (context) {
    await bounded(context.close(), until, 'closing the browser').catch(() => {});
  }
  if (hold.userDataDir) {
    try {
      fs.rmSync(hold.userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch {
      // best effort; reported nowhere because the result line is already decided
    }
  }
}

function finish(code, line, toStderr) {
  const stream = toStderr ? process.stderr : process.stdout;
  stream.write(line + '\n', () => process.exit(code));
}

async function main() {
  const started = Date.now();
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    finish(1, `browser-download: ${oneLine(err.message)}`, true);
    return;
  }
  // Keep part of the budget for closing the browser, so the whole run fits in --timeout-ms.
  const closeCapMs = Math.min(5000, Math.max(500, Math.floor(opts.timeoutMs * 0.15)));
  const deadline = started + opts.timeoutMs - closeCapMs;

  const hold = { context: null, launching: null, userDataDir: null };
  const controller = new AbortController();
  const onSignal = (sig) => controller.abort(new Error(`interrupted by ${sig}`));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, onSignal);

  // Last resort if closing hangs: exit anyway. Playwright's own exit handler then SIGKILLs the
  // browser's process group; our profile folder is removed here.
  const watchdog = setTimeout(() => {
    if (hold.userDataDir) {
      try { fs.rmSync(hold.userDataDir, { recursive: true, force: true, maxRetries: 3 }); } catch { /* ignore */ }
    }
    finish(1, `browser-download: hard timeout after ${opts.timeoutMs + 2000} ms`, true);
  }, opts.timeoutMs + 2000);

  const timings = {};
  let result = null;
  let error = null;
  try {
    result = await run(opts, deadline, controller.signal, timings, hold);
  } catch (err) {
    error = err;
  }
  await closeAll(hold, closeCapMs + Math.max(0, deadline - Date.now()));
  clearTimeout(watchdog);
  timings.totalMs = Date.now() - started;
  if (process.env.BROWSER_DOWNLOAD_TIMINGS === '1') {
    process.stderr.write(`browser-download timings: ${JSON.stringify(timings)}\n`);
  }
  if (error) {
    const msg = error.message.split('\n')[0];
    finish(1, `browser-download: ${oneLine(msg)} (mode ${opts.mode}, url ${opts.url})`, true);
  } else {
    finish(0, JSON.stringify(result), false);
  }
}

main().catch((err) => finish(1, `browser-download: internal error: ${oneLine(err && err.stack || err)}`, true));
