#!/usr/bin/env bash
# Regenerates the Litecoin regtest UTXO snapshot fixture in this folder (developer tool, run by hand,
# not by CI).
#
# Starts litecoind -regtest with a fresh temporary datadir on loopback-only, unusual ports, plays a
# seeded random scenario of a few hundred blocks (coinbases and sends to every script kind: p2pkh,
# p2sh-p2wpkh, p2wpkh, multisig as p2sh/p2sh-p2wsh/p2wsh, bare multisig, p2tr, p2pk compressed and
# uncompressed with both y parities, an uncompressed "key" that is not on the curve, hybrid keys,
# future witness versions, anyone-can-spend and other nonstandard scripts, zero-value outputs,
# spends of earlier coins), goes past MWEB activation (height 432) with peg-ins and peg-outs, and then
# saves:
#   utxo.dat             `dumptxoutset` output (the file under test)
#   dumptxoutset.json    the RPC's answer
#   gettxoutsetinfo.json the node's totals at the same tip
#   coins.json           every unspent coin, derived independently by walking every block
#                        (getblock verbosity 2) and checked here against gettxout, one by one
#   gettxout-sample.json the node's raw gettxout answers for a sample covering every script kind
# The node is stopped and the datadir removed on exit. Keys are random, so every run writes
# different bytes (same structure).
#
# Usage: ./generate.sh [output-dir] (default: the folder holding this script); SEED=n to vary.
# Needs: litecoind and litecoin-cli (Litecoin Core v0.21.2.1 was used), python3.
set -euo pipefail

OUT="$(cd "${1:-$(dirname "$0")}" && pwd)"
PORT=39544
RPCPORT=39543
RPCUSER=snapshot
RPCPASS=snapshot-regtest-only
DATADIR="$(mktemp -d /tmp/ltc-regtest-snapshot.XXXXXX)"
NODE_PID=""

cli() {
    litecoin-cli -regtest -datadir="$DATADIR" -rpcconnect=127.0.0.1 -rpcport="$RPCPORT" \
        -rpcuser="$RPCUSER" -rpcpassword="$RPCPASS" "$@"
}
cleanup() {
    local rc=$?
    if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
        cli stop >/dev/null 2>&1 || kill "$NODE_PID" 2>/dev/null || true
        wait "$NODE_PID" 2>/dev/null || true
    fi
    rm -rf "$DATADIR"
    exit $rc
}
trap cleanup EXIT

# -acceptnonstdtxn and -dustrelayfee=0 let the wallet pay nonstandard and zero-value outputs.
litecoind -regtest -datadir="$DATADIR" -port="$PORT" -rpcport="$RPCPORT" -listen=0 \
    -rpcbind=127.0.0.1 -rpcallowip=127.0.0.1 -dnsseed=0 -discover=0 -upnp=0 \
    -fallbackfee=0.0001 -acceptnonstdtxn=1 -dustrelayfee=0 -server \
    -rpcuser="$RPCUSER" -rpcpassword="$RPCPASS" -printtoconsole=0 &
NODE_PID=$!
for _ in $(seq 60); do
    kill -0 "$NODE_PID" 2>/dev/null || { echo "litecoind exited during start-up" >&2; exit 1; }
    cli getblockcount >/dev/null 2>&1 && break
    sleep 1
done
cli getblockcount >/dev/null

export OUT DATADIR RPCPORT RPCUSER RPCPASS
export NODE_VERSION="$(litecoind -version | head -n 1)"
python3 "$(dirname "$0")/scenario.py"
