#!/usr/bin/env python3
"""The scenario behind the Litecoin regtest snapshot fixture; run by generate.sh (which starts the node).

Plays a seeded random chain against a running litecoind -regtest, calls dumptxoutset and writes the
expectations beside the file. Every expectation is derived without the file: coins.json comes from
walking every block and is checked coin by coin against gettxout, and its totals against
gettxoutsetinfo.
"""
import base64
import json
import os
import random
import re
import urllib.request
from decimal import Decimal

OUT = os.environ["OUT"]
SEED = int(os.environ.get("SEED", "20240521"))
MWEB_ACTIVATION = 432
COIN = 100_000_000
rng = random.Random(SEED)

_auth = base64.b64encode(f"{os.environ['RPCUSER']}:{os.environ['RPCPASS']}".encode()).decode()
_id = 0


def rpc(method, *params, wallet=None):
    global _id
    _id += 1
    url = f"http://127.0.0.1:{os.environ['RPCPORT']}/" + (f"wallet/{wallet}" if wallet else "")
    body = json.dumps({"jsonrpc": "1.0", "id": _id, "method": method, "params": list(params)}).encode()
    request = urllib.request.Request(url, body, {"Authorization": "Basic " + _auth, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            answer = json.loads(response.read(), parse_float=Decimal)
    except urllib.error.HTTPError as e:
        answer = json.loads(e.read(), parse_float=Decimal)
    if answer.get("error"):
        raise RuntimeError(f"{method}{params}: {answer['error']}")
    return answer["result"]


def w(method, *params):
    return rpc(method, *params, wallet="w")


def mw(method, *params):
    return rpc(method, *params, wallet="mw")


def log(*args):
    print("[snapshot]", *args, flush=True)


def coins(sats):
    return f"{sats // COIN}.{sats % COIN:08d}"


def sats(amount):
    return int(Decimal(amount) * COIN)


def compact_size(n):
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def random_amount():
    """Mostly arbitrary satoshi amounts, some round ones (they compress differently)."""
    roll = rng.random()
    if roll < 0.3:
        return rng.randint(1, 9) * 10 ** rng.randint(4, 8)
    if roll < 0.4:
        return rng.randint(546, 100_000)
    return rng.randint(100_000, 3 * COIN)


# ---- well-known public keys (no private keys needed: these outputs stay unspent) ---------------------
G_X = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
G_Y = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"          # even
GENESIS_KEY = ("04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61de"    # Bitcoin's genesis
               "b649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f")  # output key: odd y
NUMS_X = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"        # BIP341's H

rpc("createwallet", "w")
rpc("createwallet", "mw")


def wallet_pubkey():
    return w("getaddressinfo", w("getnewaddress", "", "legacy"))["pubkey"]


def custom_script(kind):
    """Output scripts the wallet cannot make by address: each exercises one compression case."""
    if kind == "p2pk-compressed":
        key = bytes.fromhex(wallet_pubkey())
        return bytes([33]) + key + b"\xac"
    if kind == "p2pk-uncompressed-odd":
        return b"\x41" + bytes.fromhex(GENESIS_KEY) + b"\xac"
    if kind == "p2pk-uncompressed-even":
        return b"\x41\x04" + bytes.fromhex(G_X + G_Y) + b"\xac"
    if kind == "p2pk-uncompressed-off-curve":   # not a valid key: Core stores it raw
        y = bytearray.fromhex(G_Y)
        y[-1] ^= 1
        return b"\x41\x04" + bytes.fromhex(G_X) + bytes(y) + b"\xac"
    if kind == "p2pk-hybrid":                   # 0x06/0x07 prefix: stored raw
        return b"\x41\x06" + bytes.fromhex(G_X + G_Y) + b"\xac"
    if kind == "p2pk-compressed-bad-x":         # x >= p: Core still compresses it (no check for 02/03)
        return b"\x21\x02" + b"\xff" * 32 + b"\xac"
    if kind == "bare-multisig":
        return b"\x51\x21" + bytes.fromhex(wallet_pubkey()) + b"\x21" + bytes.fromhex(wallet_pubkey()) + b"\x52\xae"
    if kind == "p2tr":
        return b"\x51\x20" + bytes.fromhex(NUMS_X)
    if kind == "witness-v2":
        return b"\x52\x10" + rng.randbytes(16)
    if kind == "anyone-can-spend":
        return b"\x51"
    if kind == "nonstandard":
        body = rng.randbytes(rng.randint(1, 90))
        return (b"\x75" if body[0] == 0x6A else b"") + body  # never OP_RETURN-first (that is unspendable)
    if kind == "long":                          # > 121 bytes: two-byte nSize
        return b"\x4c" + bytes([130]) + rng.randbytes(130) + b"\x75\x51"
    raise ValueError(kind)


CUSTOM_KINDS = ["p2pk-compressed", "p2pk-uncompressed-odd", "p2pk-uncompressed-even", "p2pk-uncompressed-off-curve",
                "p2pk-hybrid", "p2pk-compressed-bad-x", "bare-multisig", "p2tr", "witness-v2", "anyone-can-spend",
                "nonstandard", "long"]


def send_custom(outputs):
    """Pays arbitrary (value, script) outputs from wallet w: fundrawtransaction over a zero-input tx."""
    raw = bytearray((2).to_bytes(4, "little")) + b"\x00" + compact_size(len(outputs))
    for value, script in outputs:
        raw += value.to_bytes(8, "little") + compact_size(len(script)) + script
    raw += bytes(4)
    funded = w("fundrawtransaction", raw.hex())["hex"]
    signed = w("signrawtransactionwithwallet", funded)
    assert signed["complete"], signed
    return rpc("sendrawtransaction", signed["hex"], 0)


MULTISIG = {}


def multisig_address(kind):
    if kind not in MULTISIG:
        keys = [wallet_pubkey() for _ in range(3)]
        MULTISIG[kind] = w("addmultisigaddress", 2, keys, "ms-" + kind, kind)["address"]
    return MULTISIG[kind]


def random_action():
    roll = rng.random()
    if roll < 0.45:
        kind = rng.choice(["legacy", "p2sh-segwit", "bech32", "bech32", "legacy"])
        w("sendtoaddress", w("getnewaddress", "", kind), coins(random_amount()))
    elif roll < 0.6:
        recipients = {}
        for _ in range(rng.randint(2, 8)):
            recipients[w("getnewaddress", "", rng.choice(["legacy", "p2sh-segwit", "bech32"]))] = coins(random_amount())
        w("sendmany", "", recipients)
    elif roll < 0.7:
        w("sendtoaddress", multisig_address(rng.choice(["legacy", "p2sh-segwit", "bech32"])), coins(random_amount()))
    else:
        outputs = []
        for _ in range(rng.randint(1, 3)):
            value = 0 if rng.random() < 0.1 else random_amount()
            outputs.append((value, custom_script(rng.choice(CUSTOM_KINDS))))
        send_custom(outputs)


def mine_one():
    """One block, paid to a random kind of coinbase output (address types, P2PK of both forms, raw)."""
    roll = rng.random()
    if roll < 0.55:
        w("generatetoaddress", 1, w("getnewaddress", "", rng.choice(["legacy", "p2sh-segwit", "bech32"])))
    else:
        descriptor = rng.choice([f"pk({wallet_pubkey()})", f"pk({GENESIS_KEY})", f"pk(04{G_X}{G_Y})", "raw(51)",
                                 f"raw(5120{NUMS_X})"])
        rpc("generatetodescriptor", 1, descriptor)


def height():
    return rpc("getblockcount")


# ---- the chain -------------------------------------------------------------------------------------
w("generatetoaddress", 101, w("getnewaddress", "", "legacy"))
for kind in CUSTOM_KINDS:   # every custom kind at least once
    send_custom([(random_amount(), custom_script(kind))])
send_custom([(0, custom_script("anyone-can-spend")), (0, custom_script("nonstandard"))])
mine_one()
while height() < MWEB_ACTIVATION - 1:
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        random_action()
    mine_one()
log("height", height(), "before MWEB activation")

# Peg-in at the activation block (it cannot be mined without one), then peg-outs paid by HogEx outputs.
w("sendtoaddress", mw("getnewaddress", "", "mweb"), "20.0")
mine_one()
assert height() == MWEB_ACTIVATION
mine_one()
for kind in ["bech32", "legacy", "p2sh-segwit"]:
    mw("sendtoaddress", w("getnewaddress", "pegout", kind), coins(random_amount()))
    mine_one()
w("sendtoaddress", mw("getnewaddress", "", "mweb"), "1.5")  # a later peg-in
for _ in range(8):
    for _ in range(rng.choice([0, 1, 2])):
        random_action()
    mine_one()
# Near the tip, so that they are still unspent: every multisig wrapper, and one transaction with more
# than 128 outputs (output indexes whose VARINT key in the chainstate takes two bytes).
for kind in ["legacy", "p2sh-segwit", "bech32"]:
    w("sendtoaddress", multisig_address(kind), coins(random_amount()))
w("sendmany", "", {w("getnewaddress", "", rng.choice(["legacy", "p2sh-segwit", "bech32"])): coins(random_amount())
                   for _ in range(140)})
mine_one()
tip_height = height()
tip_hash = rpc("getbestblockhash")
log("tip", tip_height, tip_hash)

# ---- the UTXO set by walking every block (independent of dumptxoutset) -------------------------------
utxo = {}
for h in range(1, tip_height + 1):  # genesis outputs are never added to the UTXO set
    block = rpc("getblock", rpc("getblockhash", h), 2)
    txs = block["tx"]
    for i, tx in enumerate(txs):
        hogex = (h >= MWEB_ACTIVATION and i == len(txs) - 1 and i > 0
                 and tx["vout"] and tx["vout"][0]["scriptPubKey"]["type"] == "witness_mweb_hogaddr")
        for vin in tx["vin"]:
            if "coinbase" in vin or vin.get("ismweb"):
                continue
            del utxo[(vin["txid"], vin["vout"])]
        for out in tx["vout"]:
            if out.get("ismweb"):
                continue
            script = out["scriptPubKey"]["hex"]
            if script.startswith("6a") or len(script) > 20_000:  # unspendable: never in the UTXO set
                continue
            utxo[(tx["txid"], out["n"])] = {
                "txid": tx["txid"], "vout": out["n"], "value": sats(out["value"]), "script": script,
                "height": h, "coinbase": i == 0, "pegout": bool(hogex and out["n"] >= 1),
            }

info = rpc("gettxoutsetinfo")
assert info["height"] == tip_height and info["bestblock"] == tip_hash, info
assert info["txouts"] == len(utxo), (info["txouts"], len(utxo))
assert sats(info["total_amount"]) == sum(c["value"] for c in utxo.values())
for coin in utxo.values():
    got = rpc("gettxout", coin["txid"], coin["vout"], False)
    assert got is not None, coin
    assert sats(got["value"]) == coin["value"] and got["scriptPubKey"]["hex"] == coin["script"], (coin, got)
    assert got["coinbase"] == coin["coinbase"] and tip_height - got["confirmations"] + 1 == coin["height"], (coin, got)
log(len(utxo), "coins, all matching gettxout")


def kind_of(script):
    s = bytes.fromhex(script)
    if len(s) == 25 and s[:3] == b"\x76\xa9\x14" and s[23:] == b"\x88\xac":
        return "p2pkh"
    if len(s) == 23 and s[:2] == b"\xa9\x14" and s[22] == 0x87:
        return "p2sh"
    if len(s) == 22 and s[:2] == b"\x00\x14":
        return "p2wpkh"
    if len(s) == 34 and s[:2] == b"\x00\x20":
        return "p2wsh"
    if len(s) == 34 and s[:2] == b"\x51\x20":
        return "p2tr"
    if len(s) == 34 and s[:2] == b"\x58\x20":
        return "hogaddr"
    if len(s) == 35 and s[0] == 33 and s[-1] == 0xAC:
        return "p2pk-compressed" + ("-bad-x" if s[2:34] == b"\xff" * 32 else "")
    if len(s) == 67 and s[0] == 65 and s[-1] == 0xAC:
        return {4: "p2pk-uncompressed", 6: "p2pk-hybrid", 7: "p2pk-hybrid"}.get(s[1], "p2pk-other") + \
            ("-off-curve" if s[1] == 4 and s[34:66].hex() not in (G_Y, GENESIS_KEY[66:]) else "")
    return "other"


sample = []
by_kind = {}
for coin in sorted(utxo.values(), key=lambda c: (c["height"], c["txid"], c["vout"])):
    key = (kind_of(coin["script"]), coin["coinbase"], coin["pegout"], coin["value"] == 0)
    if by_kind.get(key, 0) < 2:
        by_kind[key] = by_kind.get(key, 0) + 1
        sample.append({"txid": coin["txid"], "vout": coin["vout"], "kind": key[0],
                       "gettxout": rpc("gettxout", coin["txid"], coin["vout"], False)})
log(len(sample), "sampled coins, kinds:", sorted({s["kind"] for s in sample}))

# ---- the snapshot ------------------------------------------------------------------------------------
path = os.path.join(OUT, "utxo.dat")
if os.path.exists(path):
    os.remove(path)
dump = rpc("dumptxoutset", path)
assert dump["coins_written"] == len(utxo) and dump["base_hash"] == tip_hash, dump
assert rpc("getbestblockhash") == tip_hash
dump["path"] = "utxo.dat"   # the node's absolute path means nothing elsewhere


def write_json(name, value):
    """Writes node answers with their amounts exactly as the node printed them (Decimal, not float)."""
    def mark(v):
        if isinstance(v, Decimal):
            return f"@@{v}@@"
        if isinstance(v, dict):
            return {k: mark(x) for k, x in v.items()}
        if isinstance(v, list):
            return [mark(x) for x in v]
        return v
    text = re.sub(r'"@@([-0-9.Ee+]+)@@"', r"\1", json.dumps(mark(value), indent=2))
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text + "\n")


write_json("dumptxoutset.json", dump)
write_json("gettxoutsetinfo.json", info)
write_json("getchaintxstats.json", rpc("getchaintxstats", 1))
write_json("gettxout-sample.json", sample)
with open(os.path.join(OUT, "coins.json"), "w") as f:   # one coin a line, in chainstate order
    header = {"node": os.environ.get("NODE_VERSION", ""), "network": "litecoin-regtest", "seed": SEED,
              "base_height": tip_height, "base_hash": tip_hash, "coin_count": len(utxo),
              "total_amount": sum(c["value"] for c in utxo.values()),
              "fields": ["txid", "vout", "value", "script", "height", "coinbase", "pegout"]}
    f.write(json.dumps(header)[:-1] + ', "coins": [\n')
    ordered = sorted(utxo.values(), key=lambda c: (bytes.fromhex(c["txid"])[::-1], c["vout"]))
    f.write(",\n".join(json.dumps([c[k] for k in header["fields"]]) for c in ordered))
    f.write("\n]}\n")
log("wrote", path, os.path.getsize(path), "bytes")
