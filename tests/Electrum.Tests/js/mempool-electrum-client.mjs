// Driver for @mempool/electrum-client (TCP and TLS; it has no WebSocket transport).
// Its batch API is used for get_balance. Quirk: it resolves `result || message`, so a null result (the status of
// a scripthash without history) arrives as the whole response object; that is mapped back to null here.
import { createRequire } from 'node:module';
import { run } from './conformance.mjs';

const require = createRequire(import.meta.url);
const ElectrumClient = require('@mempool/electrum-client');

const unwrap = (value) => (value && typeof value === 'object' && !Array.isArray(value) && 'jsonrpc' in value && 'id' in value ? value.result ?? null : value);

await run({
  async connect(config) {
    const client = new ElectrumClient(config.port, config.host, config.transport, undefined, { onLog: (text) => process.stderr.write(`${text}\n`), onError: (e) => process.stderr.write(`error: ${e}\n`), onClose: () => process.stderr.write('closed\n') });
    // maxRetry 0 and no callback: no reconnection when the test closes the connection.
    await client.initElectrum({ client: 'coinshard-conformance', version: config.version }, { retryPeriod: 100000, maxRetry: 0, pingPeriod: 100000, callback: () => {} });
    return {
      negotiated: client.versionInfo,
      request: async (method, ...params) => unwrap(await client.request(method, params)),
      batch: async (method, list) => (await client.requestBatch(method, list)).map((r) => ({ param: r.param, result: r.result, error: r.error ?? null })),
      subscribe: async (method, ...params) => unwrap(await client.request(method, params)),
      onNotification: (callback) => {
        for (const method of ['blockchain.headers.subscribe', 'blockchain.scripthash.subscribe']) {
          client.subscribe.on(method, (params) => callback(method, params));
        }
      },
      close: async () => client.close(),
    };
  },
});
