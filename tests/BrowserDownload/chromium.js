'use strict';
// The one browser and the one set of flags that download.js, page.js and fetch.js launch (see README.md): Debian's
// Chromium, headless, with every background connection off and every host but loopback unresolvable, because this
// machine's network is closed and the tests must never reach beyond 127.0.0.1.

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

module.exports = { LAUNCH_ARGS, chromiumPath };
