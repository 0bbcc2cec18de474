'use strict';
// Start a credential fake (fakes/cloud.js) as a child process, exactly as the C# fixtures do, and talk to its
// admin API.

const path = require('node:path');
const { request, spawnUntilPort } = require('./helpers');

const CLOUD = path.join(__dirname, '..', 'fakes', 'cloud.js');

/** Start `cloud.js --kind KIND --port 0`; resolves { port, proc, stop, stderr } once it printed {"port":N}. */
function startFake(kind, config = {}, { store = null, extraArgs = [] } = {}) {
  const args = [CLOUD, '--kind', kind, '--port', '0', '--config-json', JSON.stringify(config), ...extraArgs];
  if (store) args.push('--store', store);
  return spawnUntilPort(args, { label: `fake ${kind}` });
}

/** Admin client of a fake. */
function fakeAdmin(port) {
  const json = async (method, target, obj) => {
    const r = await request(port, {
      method, target, body: obj === undefined ? undefined : JSON.stringify(obj),
      headers: obj === undefined ? {} : { 'Content-Type': 'application/json' },
    });
    return { status: r.status, json: r.body.length ? JSON.parse(r.body.toString('utf8')) : null, text: r.body.toString('utf8') };
  };
  return {
    requests: async () => (await json('GET', '/__fake/requests')).json,
    clearRequests: () => json('DELETE', '/__fake/requests'),
    issued: async () => (await json('GET', '/__fake/issued')).json,
    mode: (m) => json('PUT', '/__fake/mode', m),
    ttl: (ttlSeconds) => json('PUT', '/__fake/ttl', { ttlSeconds }),
    clock: (c) => json('PUT', '/__fake/clock', c),
  };
}

module.exports = { startFake, fakeAdmin, CLOUD };
