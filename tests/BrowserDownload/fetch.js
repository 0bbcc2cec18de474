#!/usr/bin/env node
'use strict';
// Makes headless Debian Chromium open a page on one origin and, from that page's script, fetch() a URL on another
// origin (a cross-origin read, the case CORS is for), and reports what the script could read.
//
//   node fetch.js --page URL --url URL [--header 'Name: value'] [--timeout-ms 30000]
//
// Success: one line of JSON on stdout, exit 0:
//   {"ok":true,"status":200,"contentDisposition":"attachment; ...","contentLength":"290","bytes":290,"requests":["..."]}
// or, when the browser refused the read (no CORS permission): {"ok":false,"error":"TypeError: Failed to fetch",...}.
// `requests` lists every request the browser made, with its method (a preflight shows as "OPTIONS URL").
// Failure of the tool itself: one line on stderr ("browser-fetch: ..."), exit 1. Same browser and flags as page.js.

const { launchOneShot } = require('./chromium');


function parseArgs(argv) {
  const opts = { page: null, url: null, headers: {}, timeoutMs: 30000 };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline !== undefined ? inline : argv[++i];
    if (name === '--page') opts.page = value;
    else if (name === '--url') opts.url = value;
    else if (name === '--header') {
      const colon = value.indexOf(':');
      if (colon < 1) throw new Error('--header must be "Name: value"');
      opts.headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
    } else if (name === '--timeout-ms') opts.timeoutMs = Number(value);
    else throw new Error(`unknown argument ${JSON.stringify(argv[i])}`);
  }
  for (const key of ['page', 'url']) {
    if (!opts[key] || !/^https?:\/\//.test(opts[key])) throw new Error(`--${key} http(s)://... is required`);
  }
  if (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 1000 || opts.timeoutMs > 600000) throw new Error('--timeout-ms must be 1000 to 600000');
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let browser;
  try {
    browser = await launchOneShot('fetch', opts.timeoutMs);
    const { context, page } = browser;
    const requests = [];
    // Playwright does not report CORS preflights as page requests; the CDP network domain does.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.requestWillBeSent', (e) => requests.push(`${e.request.method} ${e.request.url}`));
    await page.goto(opts.page, { waitUntil: 'load' });
    const read = await page.evaluate(async ({ url, headers }) => {
      try {
        const response = await fetch(url, { headers });
        const body = await response.arrayBuffer();
        return {
          ok: true, status: response.status,
          contentDisposition: response.headers.get('content-disposition'),
          contentLength: response.headers.get('content-length'),
          bytes: body.byteLength,
        };
      } catch (err) {
        return { ok: false, error: String(err) };
      }
    }, { url: opts.url, headers: opts.headers });
    await browser.close();
    process.stdout.write(JSON.stringify({ ...read, requests }) + '\n');
  } catch (err) {
    if (browser) await browser.close();
    process.stderr.write(`browser-fetch: ${String(err.message).split('\n')[0]}\n`, () => process.exit(1));
  }
}

main().catch((err) => process.stderr.write(`browser-fetch: ${String(err && err.message).split('\n')[0]}\n`, () => process.exit(1)));
