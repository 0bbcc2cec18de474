'use strict';
// Throwaway HTTP server for the tests: 127.0.0.1 only, an ephemeral port, fixed answers.
const http = require('node:http');

// Known bytes: every byte value, plus a few CR/LF and NUL runs, so text-mode mangling would show.
const BODY = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\r\n\r\n\0\0line two\n', 'latin1'),
  Buffer.from('报告 report 2024\n', 'utf8'),
]);

const ROUTES = {
  '/plain.txt': { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Disposition': 'attachment; filename="report 2024.txt"' },
  '/utf8': {
    'Content-Type': 'application/pdf',
    'Content-Disposition': "attachment; filename=\"____.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf",
  },
  // Only filename*, no plain filename.
  '/star-only': { 'Content-Type': 'application/octet-stream', 'Content-Disposition': "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20final.pdf" },
  // Characters that are illegal or risky in file names.
  '/illegal': { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="a/b\\\\c:d*e?f<g>h|i.txt"' },
  '/dotdot': { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="../../etc/passwd"' },
  // attachment without a name: the name comes from the URL path.
  '/noname/data.bin': { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment' },
  // No Content-Disposition, octet-stream: downloads, named from the URL.
  '/octet/file.bin': { 'Content-Type': 'application/octet-stream' },
  // Renders as a page: no download.
  '/inline.html': { 'Content-Type': 'text/html; charset=utf-8' },
};

function start() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push({ method: req.method, path: url.pathname, headers: req.headers });
    if (url.pathname === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    if (url.pathname === '/redirect') {
      res.writeHead(302, { Location: '/plain.txt' }).end();
      return;
    }
    if (url.pathname === '/forbidden') {
      res.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Disposition': 'attachment; filename="denied.xml"' });
      res.end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    if (url.pathname === '/slow') {
      const t = setTimeout(() => res.writeHead(200, ROUTES['/plain.txt']).end(BODY), 60000);
      req.on('close', () => clearTimeout(t));
      return;
    }
    const headers = ROUTES[url.pathname];
    if (!headers) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const body = url.pathname === '/inline.html' ? Buffer.from('<!doctype html><title>x</title><p>hello</p>') : BODY;
    res.writeHead(200, { ...headers, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        base: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

module.exports = { start, BODY };

if (require.main === module) {
  start().then((s) => console.log(s.base));
}
