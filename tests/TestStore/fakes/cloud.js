#!/usr/bin/env node
'use strict';
// Local fakes of the cloud credential services for the gateway tests. Listens on 127.0.0.1 only.
//
//   node fakes/cloud.js --kind KIND --port 0 [--store http://127.0.0.1:STOREPORT] --config-json JSON
//
// KIND: ecs-metadata | alibaba-sts | credentials-uri | imds | container | aws-sts. Prints exactly one line to
// stdout once listening: {"port":NNNNN}. Diagnostics go to stderr (never secrets). Exits when stdin closes
// (unless --no-stdin-watch), on SIGTERM and on SIGINT. Exit code 1: cannot listen; 2: bad arguments or config.
// See ../README.md ("Credential fakes") for the endpoints, the failure modes and the admin API under /__fake/.

const http = require('node:http');
const { normaliseFakeConfig, createFakeState, createFakeHandler } = require('./common');
const { ecsMetadataKind, imdsKind, credentialsUriKind, containerKind } = require('./metadata');
const { alibabaStsKind } = require('./alibaba-sts');
const { awsStsKind } = require('./aws-sts');
const { serveOnLoopback } = require('../lib/serve');

const KINDS = {
  'ecs-metadata': ecsMetadataKind,
  'alibaba-sts': alibabaStsKind,
  'credentials-uri': credentialsUriKind,
  imds: imdsKind,
  container: containerKind,
  'aws-sts': awsStsKind,
};

function parseArgs(argv) {
  const args = { kind: null, port: 0, store: null, configJson: null, stdinWatch: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--kind') args.kind = next();
    else if (a === '--port') args.port = Number(next());
    else if (a === '--store') args.store = next();
    else if (a === '--config-json') args.configJson = next();
    else if (a === '--no-stdin-watch') args.stdinWatch = false;
    else throw new Error(`unknown argument: ${a}`);
  }
  if (!Object.prototype.hasOwnProperty.call(KINDS, args.kind || '')) {
    throw new Error(`--kind must be one of ${Object.keys(KINDS).join(', ')}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('bad --port');
  if (args.store !== null) {
    let u;
    try {
      u = new URL(args.store);
    } catch {
      throw new Error('--store must be an http URL such as http://127.0.0.1:PORT');
    }
    if (u.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
      throw new Error('--store must be an http URL on 127.0.0.1 (the test store)');
    }
  }
  return args;
}

/** Build a fake: { fake (its state), handler (the HTTP request handler) }. */
function createFake(kind, rawConfig, { storeUrl = null } = {}) {
  const config = normaliseFakeConfig(rawConfig);
  const fake = createFakeState(config, { storeUrl });
  fake.kind = KINDS[kind](fake);
  return { fake, handler: createFakeHandler(fake) };
}

function main() {
  let args;
  let built;
  try {
    args = parseArgs(process.argv.slice(2));
    built = createFake(args.kind, args.configJson ? JSON.parse(args.configJson) : {}, { storeUrl: args.store });
  } catch (e) {
    process.stderr.write(`fake: ${e.message}\n`);
    process.exit(2);
  }
  const server = http.createServer({ keepAlive: true }, (req, res) => { built.handler(req, res); });
  serveOnLoopback(server, { port: args.port, name: `fake ${args.kind}`, stdinWatch: args.stdinWatch });
}

if (require.main === module) main();

module.exports = { createFake, KINDS };
