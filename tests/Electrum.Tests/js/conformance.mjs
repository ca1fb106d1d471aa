// Shared flow of the conformance drivers: one real npm Electrum client, driven against a live Coinshard gateway.
// The C# test (EndToEnd/NpmClientTests.cs) passes a JSON config as the only argument, reads one JSON line per
// event from stdout, and compares every answer with the node:
//   {"results": {...}}             every request below, once subscriptions are in place
//   {"notification": {method, params}}   each notification received afterwards
// It then triggers a mempool payment and a block, and writes "done" on stdin to end the run.
// Anything that goes wrong prints {"error": "..."} and exits with code 1.
import { createInterface } from 'node:readline';

export async function run(adapter) {
  const config = JSON.parse(process.argv[2]);
  const out = (value) => process.stdout.write(JSON.stringify(value) + '\n');
  const fail = (error) => {
    out({ error: String(error && error.stack ? error.stack : error) });
    process.exit(1);
  };
  process.on('unhandledRejection', fail);
  process.on('uncaughtException', fail);
  const timer = setTimeout(() => fail('the run took longer than 60 s'), 60_000);

  try {
    const client = await adapter.connect(config);
    const r = { version: client.negotiated };
    client.onNotification((method, params) => {
      process.stderr.write(`${new Date().toISOString()} notification ${method}\n`);
      out({ notification: { method, params } });
    });

    r.features = await client.request('server.features');
    r.banner = await client.request('server.banner');
    r.ping = await client.request('server.ping');
    r.header = await client.request('blockchain.block.header', config.height);
    r.headers = await client.request('blockchain.block.headers', config.height - 2, 3);
    r.estimatefee = await client.request('blockchain.estimatefee', 2);
    if (config.version !== '1.6') {
      r.relayfee = await client.request('blockchain.relayfee'); // removed in 1.6
    }
    r.tx = await client.request('blockchain.transaction.get', config.txid);
    r.merkle = await client.request('blockchain.transaction.get_merkle', config.txid, config.height);
    r.balances = {};
    r.unspent = {};
    r.history = {};
    for (const sh of config.scripthashes) {
      r.balances[sh] = await client.request('blockchain.scripthash.get_balance', sh);
      r.unspent[sh] = await client.request('blockchain.scripthash.listunspent', sh);
      r.history[sh] = await client.request('blockchain.scripthash.get_history', sh);
    }
    r.batch = client.batch ? await client.batch('blockchain.scripthash.get_balance', config.scripthashes) : null;
    r.tip = await client.subscribe('blockchain.headers.subscribe');
    r.watchStatus = await client.subscribe('blockchain.scripthash.subscribe', config.watch);
    out({ results: r });
    process.stderr.write(`${new Date().toISOString()} results sent\n`);

    const stdin = createInterface({ input: process.stdin });
    for await (const line of stdin) {
      if (line.trim() === 'done') {
        break;
      }
    }
    clearTimeout(timer);
    await client.close();
    process.exit(0);
  } catch (error) {
    fail(error);
  }
}
