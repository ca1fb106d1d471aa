// Driver for electrum-cash (TCP, TLS, WebSocket and secure WebSocket). It has no batch API (every request is
// its own message), so `batch` is absent. Its WSS transport verifies certificates like a browser: the test runs
// it with NODE_EXTRA_CA_CERTS set to the test certificate. Its subscribe() reports the subscription's answer as
// a first, synthetic notification; the driver returns that answer and forwards only the later notifications.
import { ElectrumClient } from 'electrum-cash';
import { run } from './conformance.mjs';

await run({
  async connect(config) {
    const scheme = config.transport === 'tls' ? 'tcp_tls' : config.transport;
    const client = new ElectrumClient('coinshard-conformance', config.version, config.host, config.port, scheme, 10000);
    let negotiated = null;
    client.connection.on('version', (v) => {
      negotiated = v.error ? { error: v.error } : [v.software, v.protocol];
    });
    // Connection events go to stderr: the C# test shows them when a run fails.
    for (const event of ['connected', 'disconnected']) {
      client.on(event, () => process.stderr.write(`${new Date().toISOString()} ${event}\n`));
    }
    await client.connect();
    let forward = () => {};
    const pending = [];
    client.on('notification', (message) => {
      const key = message.method + JSON.stringify(message.params.slice(0, -1));
      const index = pending.findIndex((p) => p.key === key);
      if (index >= 0) {
        pending.splice(index, 1)[0].resolve(message.params[message.params.length - 1]);
      } else {
        forward(message.method, message.params);
      }
    });
    const request = async (method, ...params) => {
      const result = await client.request(method, ...params);
      if (result instanceof Error) {
        throw result;
      }
      return result;
    };
    return {
      negotiated,
      request,
      subscribe: (method, ...params) =>
        new Promise((resolve, reject) => {
          pending.push({ key: method + JSON.stringify(params), resolve });
          client.subscribe(method, ...params).catch(reject);
        }),
      onNotification: (callback) => {
        forward = callback;
      },
      close: async () => client.disconnect(true),
    };
  },
});
