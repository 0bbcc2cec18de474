'use strict';
// The one browser and the one set of flags that download.js, page.js and fetch.js launch (see README.md): Debian's
// Chromium, headless, with every background connection off and every host but loopback unresolvable, because this
// machine's network is closed and the tests must never reach beyond 127.0.0.1.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE ::1',
];

/** The browser to launch: BROWSER_DOWNLOAD_CHROMIUM, else Debian's chromium. */
function chromiumPath() {
  return process.env.BROWSER_DOWNLOAD_CHROMIUM || DEFAULT_CHROMIUM;
}

/**
 * Starts the browser on a fresh profile for a one-shot tool (page.js, fetch.js), with a watchdog that removes the profile
 * and exits 1 if the tool outlives its timeout by 2 s. Returns { context, page, close }; close() ends the browser,
 * the watchdog and the profile, and never throws.
 */
async function launchOneShot(tool, timeoutMs) {
  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `browser-${tool}-profile-`));
  const watchdog = setTimeout(() => {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    process.stderr.write(`browser-${tool}: hard timeout\n`, () => process.exit(1));
  }, timeoutMs + 2000);
  let context;
  const close = async () => {
    if (context) await context.close().catch(() => {});
    clearTimeout(watchdog);
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(), headless: true, ignoreDefaultArgs: ['--headless'], args: LAUNCH_ARGS, timeout: timeoutMs,
    });
    context.setDefaultTimeout(timeoutMs);
    const page = context.pages()[0] || (await context.newPage());
    return { context, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

module.exports = { LAUNCH_ARGS, chromiumPath, launchOneShot };
