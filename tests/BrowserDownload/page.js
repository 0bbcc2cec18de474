#!/usr/bin/env node
'use strict';
// Makes headless Debian Chromium open one URL as a page, the way a person does, and reports what it shows.
//
//   node page.js --url URL [--timeout-ms 30000] [--screenshot FILE.png]
//
// Success: one line of JSON on stdout, exit 0:
//   {"status":404,"contentType":"text/html; charset=utf-8","lang":"en","title":"...","text":"...",
//    "bodyFontFamily":"...","consoleErrors":["..."],"requests":["http://..."]}
// `text` is document.body.innerText (what a person reads), `consoleErrors` holds the browser's console errors
// (a Content-Security-Policy violation shows up there), `requests` every URL the page asked for, `links` every
// link's href and shown text, `tableHeaders` the text of every <th>. With --screenshot, a full-page PNG is saved there.
// Failure: one line on stderr ("browser-page: ..."), exit 1. Same browser and flags as download.js (see README.md).

const { launchOneShot } = require('./chromium');


function parseArgs(argv) {
  const opts = { url: null, timeoutMs: 30000, screenshot: null };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline !== undefined ? inline : argv[++i];
    if (name === '--url') opts.url = value;
    else if (name === '--timeout-ms') opts.timeoutMs = Number(value);
    else if (name === '--screenshot') opts.screenshot = value;
    else throw new Error(`unknown argument ${JSON.stringify(argv[i])}`);
  }
  if (!opts.url || !/^https?:\/\//.test(opts.url)) throw new Error('--url http(s)://... is required');
  if (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 1000 || opts.timeoutMs > 600000) throw new Error('--timeout-ms must be 1000 to 600000');
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let browser;
  try {
    browser = await launchOneShot('page', opts.timeoutMs);
    const { page } = browser;
    const consoleErrors = [];
    const requests = [];
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('request', (request) => requests.push(request.url()));
    const response = await page.goto(opts.url, { waitUntil: 'load' });
    const shown = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      title: document.title,
      text: document.body ? document.body.innerText : '',
      bodyFontFamily: document.body ? getComputedStyle(document.body).fontFamily : '',
      links: Array.from(document.querySelectorAll('a')).map((a) => ({ href: a.getAttribute('href'), text: a.textContent })),
      tableHeaders: Array.from(document.querySelectorAll('th')).map((th) => th.textContent),
    }));
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: true });
    const result = { status: response.status(), contentType: response.headers()['content-type'] || '', ...shown, consoleErrors, requests };
    await browser.close();
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch (err) {
    if (browser) await browser.close();
    process.stderr.write(`browser-page: ${String(err.message).split('\n')[0]}\n`, () => process.exit(1));
  }
}

main().catch((err) => process.stderr.write(`browser-page: ${String(err && err.message).split('\n')[0]}\n`, () => process.exit(1)));
