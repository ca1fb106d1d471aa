#!/usr/bin/env bash
# Regenerates the Litecoin regtest fixtures in this folder (developer tool, run by hand, not by CI).
#
# Starts litecoind -regtest with a fresh temporary datadir on loopback-only, unusual ports, builds a
# chain that exercises every address type the wallet offers plus MWEB (peg-in at activation, the
# activation block with the first HogEx, MWEB-to-MWEB, peg-outs), and saves selected blocks
# (raw hex + verbose JSON), MWEB transactions taken from the mempool before they were mined, and
# chain.json (height/hash/txid of everything saved). The node is stopped and the datadir removed on
# exit. Keys are random, so every run produces different bytes (same structure, same heights).
#
# Usage: ./generate.sh [output-dir]   (default: the folder holding this script)
# Needs: litecoind and litecoin-cli (Litecoin Core v0.21.2.1 was used), python3.
set -euo pipefail

OUT="$(cd "${1:-$(dirname "$0")}" && pwd)"
PORT=39444
RPCPORT=39443
RPCUSER=fixtures
RPCPASS=fixtures-regtest-only
MWEB_ACTIVATION=432   # regtest: BIP9 deployment "mweb" becomes active at this height

DATADIR="$(mktemp -d /tmp/ltc-regtest-fixtures.XXXXXX)"
WORK="$DATADIR/work"
mkdir -p "$WORK"
NODE_PID=""

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

cli() {
    litecoin-cli -regtest -datadir="$DATADIR" -rpcconnect=127.0.0.1 -rpcport="$RPCPORT" \
        -rpcuser="$RPCUSER" -rpcpassword="$RPCPASS" "$@"
}
w()  { cli -rpcwallet=w "$@"; }    # main wallet: mines, holds canonical coins
mw() { cli -rpcwallet=mw "$@"; }   # holds only MWEB coins, so its sends are MWEB-to-MWEB or peg-outs
sw() { cli -rpcwallet=sw "$@"; }   # holds only bech32 coins, so its peg-in has witness inputs (flag 0x09)
lw() { cli -rpcwallet=lw "$@"; }   # holds only a p2pkh coin, so its peg-in has no witness (flag 0x08)

# json <expr>: evaluate a python expression over stdin parsed as JSON (bound to j)
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

log() { echo "[generate] $*" >&2; }

litecoind -regtest -datadir="$DATADIR" -port="$PORT" -rpcport="$RPCPORT" -listen=0 \
    -rpcbind=127.0.0.1 -rpcallowip=127.0.0.1 -dnsseed=0 -discover=0 -upnp=0 \
    -rest -txindex -fallbackfee=0.0001 -server -rpcuser="$RPCUSER" -rpcpassword="$RPCPASS" \
    -printtoconsole=0 &
NODE_PID=$!
for _ in $(seq 60); do
    kill -0 "$NODE_PID" 2>/dev/null || { log "litecoind exited during start-up"; exit 1; }
    cli getblockcount >/dev/null 2>&1 && break
    sleep 1
done
cli getblockcount >/dev/null
VERSION="$(litecoind -version | head -n 1)"   # e.g. "Litecoin Core version v0.21.2.1-g<commit>"
log "node up: $VERSION"

cli createwallet w >/dev/null
cli createwallet mw >/dev/null
cli createwallet sw >/dev/null
cli createwallet lw >/dev/null

MINER="$(w getnewaddress miner legacy)"
mine() { w generatetoaddress "$1" "$MINER" >/dev/null; }
height() { cli getblockcount; }

RECORDS="$WORK/records.tsv"   # kind \t label \t height \t hash-or-txid \t extra
: > "$RECORDS"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RECORDS"; }

# Transaction notes: label -> txid, mined height filled in later from the node.
note_tx() { record tx "$1" "" "$2" "${3:-}"; }

save_block() { # save_block <height> <label>
    local h="$1" hash
    hash="$(cli getblockhash "$h")"
    cli getblock "$hash" 0 | tr -d '\n' > "$OUT/block-$h.hex"
    cli getblock "$hash" 2 > "$OUT/block-$h.json"
    record block "$2" "$h" "$hash" "block-$h"
    log "saved block $h ($2)"
}

save_mempool() { # save_mempool <label> <txid>: must still be unconfirmed
    local label="$1" txid="$2"
    cli getmempoolentry "$txid" >/dev/null   # fails loudly if it is not in the mempool
    cli getrawtransaction "$txid" | tr -d '\n' > "$OUT/mempool-$label.hex"
    cli getrawtransaction "$txid" true > "$OUT/mempool-$label.json"
    record mempool "$label" "" "$txid" "mempool-$label"
    log "saved mempool tx $label ($txid)"
}

rm -f "$OUT"/block-*.hex "$OUT"/block-*.json "$OUT"/mempool-*.hex "$OUT"/mempool-*.json "$OUT/chain.json"

# ---- 1. coinbase maturity -----------------------------------------------------------------------
# 110 blocks: the coinbases of blocks 1..10 are mature (100 confirmations) once the tip is 110.
mine 110
log "height $(height), mature balance $(w getbalance)"

# ---- 2. every address type the wallet offers (+ multisig wrappers, + an external taproot output) ---
LEG="$(w getnewaddress legacy legacy)"
P2SHWPKH="$(w getnewaddress p2sh-segwit p2sh-segwit)"
WPKH="$(w getnewaddress bech32 bech32)"
PK1="$(w getaddressinfo "$(w getnewaddress)" | json "j['pubkey']")"
PK2="$(w getaddressinfo "$(w getnewaddress)" | json "j['pubkey']")"
PK3="$(w getaddressinfo "$(w getnewaddress)" | json "j['pubkey']")"
MS_P2SH="$(w addmultisigaddress 2 "[\"$PK1\",\"$PK2\",\"$PK3\"]" ms-legacy legacy | json "j['address']")"
MS_P2SHWSH="$(w addmultisigaddress 2 "[\"$PK1\",\"$PK2\",\"$PK3\"]" ms-p2sh-segwit p2sh-segwit | json "j['address']")"
MS_WSH="$(w addmultisigaddress 2 "[\"$PK1\",\"$PK2\",\"$PK3\"]" ms-bech32 bech32 | json "j['address']")"
# This wallet has no bech32m/taproot address type (only legacy, p2sh-segwit, bech32, mweb), but the
# node validates and pays to witness v1. Output key: the BIP341 NUMS point H (provably unspendable).
TR="$(python3 - <<'PY'
CH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
def polymod(v):
    g = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]; c = 1
    for x in v:
        b = c >> 25; c = (c & 0x1ffffff) << 5 ^ x
        for i in range(5): c ^= g[i] if (b >> i) & 1 else 0
    return c
def to5(d):
    acc = bits = 0; r = []
    for x in d:
        acc = (acc << 8) | x; bits += 8
        while bits >= 5: bits -= 5; r.append((acc >> bits) & 31)
    if bits: r.append((acc << (5 - bits)) & 31)
    return r
hrp = "rltc"
data = [1] + to5(bytes.fromhex("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"))
exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
p = polymod(exp + data + [0] * 6) ^ 0x2bc830a3   # bech32m constant
print(hrp + "1" + "".join(CH[x] for x in data + [(p >> 5 * (5 - i)) & 31 for i in range(6)]))
PY
)"
[[ "$(cli validateaddress "$TR" | json "j['isvalid'] and j['witness_version']")" == "1" ]]

# vout_of <txid> <address>: index of the output paying <address>
vout_of() {
    cli getrawtransaction "$1" true \
        | json "[o['n'] for o in j['vout'] if o['scriptPubKey'].get('addresses')==['$2']][0]"
}
# lock <txid> <vout>: keep the wallet's coin selection away from an output we spend by hand later
lock() { w lockunspent false "[{\"txid\":\"$1\",\"vout\":$2}]" >/dev/null; }
# send_signed <raw-hex>: sign with wallet w, broadcast, print the txid (fails unless fully signed)
send_signed() {
    local signed
    signed="$(w signrawtransactionwithwallet "$1" | json "j['hex'] if j['complete'] else sys.exit('incomplete signature')")"
    cli sendrawtransaction "$signed"
}

declare -A FUND   # kind -> txid:vout:amount
for pair in "legacy:$LEG:1.0" "p2sh-segwit:$P2SHWPKH:1.1" "bech32:$WPKH:1.2" "multisig-p2sh:$MS_P2SH:1.3" \
            "multisig-p2sh-p2wsh:$MS_P2SHWSH:1.4" "multisig-p2wsh:$MS_WSH:1.5" "p2tr:$TR:0.5"; do
    IFS=: read -r kind addr amount <<< "$pair"
    txid="$(w sendtoaddress "$addr" "$amount")"
    vout="$(vout_of "$txid" "$addr")"
    [[ "$kind" == p2tr ]] || lock "$txid" "$vout"
    FUND[$kind]="$txid:$vout:$amount"
    note_tx "fund-$kind" "$txid" "$addr"
done
mine 1
H_TYPES="$(height)"

# ---- 3. spends from every (spendable) address type + sendmany with many outputs ------------------
for kind in legacy p2sh-segwit bech32 multisig-p2sh multisig-p2sh-p2wsh multisig-p2wsh; do
    IFS=: read -r txid vout amount <<< "${FUND[$kind]}"
    raw="$(w createrawtransaction "[{\"txid\":\"$txid\",\"vout\":$vout}]" \
        "{\"$(w getnewaddress "spent-$kind" bech32)\":$(python3 -c "print('%.8f' % ($amount - 0.0001))")}")"
    txid="$(send_signed "$raw")"
    note_tx "spend-$kind" "$txid"
done
MANY="{"
for i in $(seq 1 12); do
    for t in legacy p2sh-segwit bech32; do
        MANY+="\"$(w getnewaddress "many-$t" "$t")\": 0.0$((i + 10)),"
    done
done
MANY+="\"$TR\": 0.07}"
txid="$(w sendmany "" "$MANY")"
note_tx sendmany "$txid"
mine 1
H_MANY="$(height)"

# ---- 4. in-block chain, OP_RETURN, funding the segwit-only wallet --------------------------------
PARENT_ADDR="$(w getnewaddress chain bech32)"
PARENT="$(w sendtoaddress "$PARENT_ADDR" 2.0)"
note_tx chain-parent "$PARENT"
PVOUT="$(vout_of "$PARENT" "$PARENT_ADDR")"
lock "$PARENT" "$PVOUT"
txid="$(send_signed "$(w createrawtransaction "[{\"txid\":\"$PARENT\",\"vout\":$PVOUT}]" \
    "{\"$(w getnewaddress chain-child legacy)\":1.9999}")")"
note_tx chain-child "$txid"
raw="$(w createrawtransaction "[]" '{"data":"636f696e73686172642072656774657374206669787475726573"}')"  # "coinshard regtest fixtures"
txid="$(send_signed "$(w fundrawtransaction "$raw" | json "j['hex']")")"
note_tx op-return "$txid"
txid="$(w sendtoaddress "$(sw getnewaddress "" bech32)" 5.0)"
note_tx fund-sw "$txid"
txid="$(w sendtoaddress "$(lw getnewaddress "" legacy)" 4.0)"
note_tx fund-lw "$txid"
mine 1
H_CHAIN="$(height)"

# ---- 5. up to the block before MWEB activation ---------------------------------------------------
mine $((MWEB_ACTIVATION - 1 - $(height)))
[[ "$(height)" == "$((MWEB_ACTIVATION - 1))" ]]

# ---- 6. peg-in in the mempool, then the activation block (first HogEx) ---------------------------
MW_ADDR="$(mw getnewaddress "" mweb)"
PEGIN="$(lw sendtoaddress "$MW_ADDR" 3.0)"
note_tx pegin "$PEGIN"
save_mempool pegin "$PEGIN"
mine 1
H_ACT="$(height)"
[[ "$H_ACT" == "$MWEB_ACTIVATION" ]]
# The activation block's last transaction is the first HogEx (output 0 pays witness v8, the HogAddr).
cli getblock "$(cli getblockhash "$H_ACT")" 2 | json "j['tx'][-1]['vout'][0]['scriptPubKey']['type']" | grep -qx witness_mweb_hogaddr

# ---- 7. MWEB-to-MWEB (mw -> w's MWEB address) ----------------------------------------------------
MWEBTX="$(mw sendtoaddress "$(w getnewaddress "" mweb)" 1.0)"
note_tx mweb-to-mweb "$MWEBTX"
save_mempool mweb "$MWEBTX"
mine 1
H_MWEB="$(height)"

# ---- 8. peg-out (mw -> canonical bech32 address of w) --------------------------------------------
PEGOUT_ADDR="$(w getnewaddress pegout bech32)"
PEGOUT="$(mw sendtoaddress "$PEGOUT_ADDR" 0.5)"
note_tx pegout "$PEGOUT" "$PEGOUT_ADDR"
save_mempool pegout "$PEGOUT"
mine 1
H_PEGOUT="$(height)"
# The peg-out is paid by the HogEx of the same block.
cli getblock "$(cli getblockhash "$H_PEGOUT")" 2 \
    | json "any(o['scriptPubKey'].get('addresses')==['$PEGOUT_ADDR'] for o in j['tx'][-1]['vout'])" | grep -qx True

# ---- 9. a mixed block: segwit peg-in (flag 0x09), two peg-outs, a canonical send ----------
PEGIN_SW="$(sw sendtoaddress "$(mw getnewaddress "" mweb)" 2.0)"
note_tx pegin-segwit "$PEGIN_SW"
save_mempool pegin-segwit "$PEGIN_SW"
# The wallet cannot put two peg-outs in one kernel (sendmany with two canonical recipients fails with
# "Insufficient funds"), so: two peg-out transactions, the second spending the first's unconfirmed
# MWEB change (both land in the same extension block: an MWEB output created and spent in one block).
PEGOUT_P2PKH="$(mw sendtoaddress "$(w getnewaddress pegout-p2pkh legacy)" 0.2)"
note_tx pegout-p2pkh "$PEGOUT_P2PKH"
save_mempool pegout-p2pkh "$PEGOUT_P2PKH"
PEGOUT_P2SH="$(mw sendtoaddress "$(w getnewaddress pegout-p2sh p2sh-segwit)" 0.3)"
note_tx pegout-p2sh-chained "$PEGOUT_P2SH"
save_mempool pegout-p2sh-chained "$PEGOUT_P2SH"
txid="$(w sendtoaddress "$(w getnewaddress "" legacy)" 1.0)"
note_tx canonical "$txid"
mine 1
H_MIXED="$(height)"

# ---- 10. an MWEB-era block with an empty extension block, and a few more --------------------------
mine 1
H_EMPTY="$(height)"
[[ "$(cli getblock "$(cli getblockhash "$H_EMPTY")" 1 | json "j['nTx']")" == "2" ]]   # coinbase + HogEx
mine 2

# ---- save -----------------------------------------------------------------------------------------
save_block "$H_TYPES"  "pre-MWEB: coinbase maturity, sends to every address type (p2pkh, p2sh-p2wpkh, p2wpkh, p2sh/p2sh-p2wsh/p2wsh 2-of-3 multisig, p2tr)"
save_block "$H_MANY"   "pre-MWEB: sendmany with 37 outputs (+ change); spends from p2pkh, p2sh-p2wpkh, p2wpkh and the three multisig kinds"
save_block "$H_CHAIN"  "pre-MWEB: tx spending an output created in the same block; OP_RETURN output; funding of the sw/lw wallets"
save_block "$H_ACT"    "MWEB activation: first HogEx, first peg-in (p2pkh input; flag 0x08 in its mempool form)"
save_block "$H_MWEB"   "MWEB-to-MWEB transaction (only in the extension block)"
save_block "$H_PEGOUT" "peg-out kernel; its output is paid by this block's HogEx"
save_block "$H_MIXED"  "peg-in with a p2wpkh input (flag 0x09 in its mempool form), two peg-outs (the second spends the first's MWEB change in the same block), a canonical send"
save_block "$H_EMPTY"  "MWEB era, empty extension block (coinbase + HogEx only)"

python3 - "$RECORDS" "$OUT/chain.json" "$VERSION" "$(height)" "$(cli getbestblockhash)" "$MWEB_ACTIVATION" <<'PY' > "$WORK/txids"
import json, sys
records, out, version, tip_h, tip_hash, act = sys.argv[1:]
blocks, mempool, txs = [], [], []
for line in open(records):
    kind, label, h, ident, extra = line.rstrip("\n").split("\t")
    if kind == "block":
        blocks.append({"height": int(h), "hash": ident, "label": label, "files": [extra + ".hex", extra + ".json"]})
    elif kind == "mempool":
        mempool.append({"label": label, "txid": ident, "files": [extra + ".hex", extra + ".json"]})
    else:
        txs.append({"label": label, "txid": ident, **({"address": extra} if extra else {})})
json.dump({"node": version, "network": "regtest", "mweb_activation_height": int(act),
           "tip": {"height": int(tip_h), "hash": tip_hash},
           "blocks": blocks, "mempool": mempool, "transactions": txs}, open(out, "w"), indent=2)
for t in txs: print(t["txid"])
PY
# Fill in where each noted transaction was mined (also proves every one of them confirmed). The wallet
# is asked, not the txindex: an MWEB-only transaction is not in any block's canonical tx list.
while read -r txid; do
    for wal in w mw sw lw; do
        if bh="$(cli -rpcwallet=$wal gettransaction "$txid" 2>/dev/null | json "j['blockheight']" 2>/dev/null)"; then
            printf '%s\t%s\n' "$txid" "$bh"; break
        fi
    done
done < "$WORK/txids" > "$WORK/mined.tsv"
python3 - "$OUT/chain.json" "$WORK/mined.tsv" <<'PY2'
import json, sys
path, mined = sys.argv[1:]
heights = dict(line.split() for line in open(mined))
c = json.load(open(path))
for t in c["transactions"]:
    t["height"] = int(heights[t["txid"]])
for m in c["mempool"]:
    m["mined_in_height"] = next(t["height"] for t in c["transactions"] if t["txid"] == m["txid"])
with open(path, "w") as f:
    json.dump(c, f, indent=2); f.write("\n")
PY2
log "done: tip $(height); files in $OUT"
