#!/usr/bin/env bash
# Coinshard demo: a local Litecoin regtest chain indexed into SQLite, then queried through the CLI.
#
#   ./scripts/demo.sh            run the demo and stop everything at the end
#   ./scripts/demo.sh --keep     leave litecoind and coinshard running (the script prints how to stop them)
#
# Installs Debian's litecoind when missing. Everything listens on loopback only; all state lives in
# .tmp/demo (removed at the start of each run).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
keep=0
[ "${1:-}" = "--keep" ] && keep=1

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is required and is not on PATH" >&2
  exit 1
fi
if ! command -v litecoind >/dev/null 2>&1; then
  say "installing litecoind (Debian package)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq litecoind >/dev/null
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

demo="$root/.tmp/demo"
rm -rf "$demo"
mkdir -p "$demo/litecoind" "$demo/coinshard"
rpc_port=$(free_port); p2p_port=$(free_port); electrum_port=$(free_port); admin_port=$(free_port)

cleanup() {
  if [ "$keep" -eq 0 ]; then
    [ -n "${coinshard_pid:-}" ] && kill "$coinshard_pid" 2>/dev/null && wait "$coinshard_pid" 2>/dev/null || true
    litecoin-cli -regtest -datadir="$demo/litecoind" -rpcport="$rpc_port" stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

say "starting litecoind -regtest (RPC 127.0.0.1:$rpc_port)"
litecoind -regtest -daemon -datadir="$demo/litecoind" -rpcport="$rpc_port" -port="$p2p_port" \
  -rpcbind=127.0.0.1 -rpcallowip=127.0.0.1 -listen=0 -dnsseed=0 -discover=0 -rest=1 -fallbackfee=0.0002 >/dev/null
cli() { litecoin-cli -regtest -datadir="$demo/litecoind" -rpcport="$rpc_port" "$@"; }
for _ in $(seq 1 100); do cli getblockcount >/dev/null 2>&1 && break; sleep 0.2; done
cli createwallet demo >/dev/null

say "mining 150 blocks and making some transactions"
miner=$(cli getnewaddress miner bech32)
cli generatetoaddress 150 "$miner" >/dev/null
alice=$(cli getnewaddress alice bech32)
bob=$(cli getnewaddress bob legacy)
carol=$(cli getnewaddress carol p2sh-segwit)
cli sendtoaddress "$alice" 1.5 >/dev/null
cli sendtoaddress "$alice" 0.25 >/dev/null
cli sendmany "" "{\"$bob\":2,\"$carol\":3.125}" >/dev/null
cli generatetoaddress 1 "$miner" >/dev/null
cli sendtoaddress "$bob" 0.5 >/dev/null
cli generatetoaddress 2 "$miner" >/dev/null
echo "alice $alice, bob $bob, carol $carol; tip $(cli getblockcount)"

say "building coinshard"
dotnet build src/Cli -c Release --verbosity quiet -nologo >/dev/null
coinshard() { dotnet "$root/src/Cli/bin/Release/net10.0/coinshard.dll" "$@"; }

say "coinshard run (SQLite in $demo/coinshard, Electrum TCP 127.0.0.1:$electrum_port, admin 127.0.0.1:$admin_port)"
# Started directly (not through the function) so that $! is the process itself and cleanup can stop it.
dotnet "$root/src/Cli/bin/Release/net10.0/coinshard.dll" run --data-dir "$demo/coinshard" --network litecoin-regtest \
  --rpc-url "http://127.0.0.1:$rpc_port/" --rpc-cookie "$demo/litecoind/regtest/.cookie" \
  --electrum-tcp-port "$electrum_port" --admin-port "$admin_port" \
  --set Coinshard:Currencies:litecoin:Electrum:BindAddress=127.0.0.1 \
  --set Coinshard:Currencies:litecoin:Electrum:Tls:Port=0 \
  --set Coinshard:Currencies:litecoin:Electrum:WebSocket:Port=0 \
  --set Coinshard:Currencies:litecoin:Electrum:SecureWebSocket:Port=0 \
  >"$demo/coinshard.log" 2>&1 &
coinshard_pid=$!
admin=(--admin "http://127.0.0.1:$admin_port" --data-dir "$demo/coinshard")
for _ in $(seq 1 150); do
  if coinshard status "${admin[@]}" --json 2>/dev/null | grep -q '"state":"following"'; then break; fi
  kill -0 "$coinshard_pid" 2>/dev/null || { cat "$demo/coinshard.log"; echo "error: coinshard stopped" >&2; exit 1; }
  sleep 0.2
done

say "coinshard status"
coinshard status "${admin[@]}"
say "coinshard balance $alice --coin ltc"
coinshard balance "$alice" --coin ltc "${admin[@]}"
say "coinshard utxos $bob --coin ltc"
coinshard utxos "$bob" --coin ltc "${admin[@]}"
say "the node's own view (scantxoutset) of bob's address, for comparison"
cli scantxoutset start "[\"addr($bob)\"]" | grep -E '"(txid|vout|amount|height|total_amount)"'

say "log of coinshard run"
cat "$demo/coinshard.log"
if [ "$keep" -eq 1 ]; then
  say "still running: coinshard (pid $coinshard_pid), litecoind (datadir $demo/litecoind)"
  echo "stop with: kill $coinshard_pid; litecoin-cli -regtest -datadir=$demo/litecoind -rpcport=$rpc_port stop"
fi
