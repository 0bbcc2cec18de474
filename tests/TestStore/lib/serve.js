'use strict';
// The start-up protocol shared by the test store and the credential fakes: listen on 127.0.0.1, print exactly one
// line {"port":N} on stdout, exit on stdin EOF (the test host died or disposed us), SIGTERM or SIGINT.

/**
 * Run `server` on 127.0.0.1:`port`. `name` prefixes stderr lines; `onStop` runs before exit (clean-up).
 * Exit code 1 when it cannot listen.
 */
function serveOnLoopback(server, { port, name, stdinWatch = true, onStop = () => {} }) {
  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    onStop();
    process.exit(code);
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  if (stdinWatch) {
    // The test host keeps our stdin open; when it dies the pipe closes and we go too.
    process.stdin.on('end', () => stop(0));
    process.stdin.on('close', () => stop(0));
    process.stdin.on('error', () => stop(0));
    process.stdin.resume();
  }

  // A bug in one request must not kill the process under a running test suite: log and go on.
  process.on('uncaughtException', (e) => {
    process.stderr.write(`${name}: uncaught: ${e && e.stack ? e.stack : e}\n`);
  });

  server.on('error', (e) => {
    process.stderr.write(`${name}: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });
}

module.exports = { serveOnLoopback };
