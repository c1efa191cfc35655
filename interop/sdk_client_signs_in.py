"""The official x402 SDK (PyPI `x402`, its sign-in-with-x extension) signs in to Paygent's
sample API's /feed with a wallet that holds a subscription, and is served without paying.

Run with the services up, the key's wallet subscribed to the feed (`paygent subscriptions
subscribe svc_000000000007 --wallet <its wallet>`), and the feed's URL:
    python3 interop/sdk_client_signs_in.py <feed-url> <0x private key>
Exits 0 when the SDK's proof is served (HTTP 200, no PAYMENT-RESPONSE) and the same proof sent
again is refused (402).
"""

import asyncio
import base64
import json
import sys

import requests
from eth_account import Account
from x402.extensions.sign_in_with_x.client import create_siwx_payload
from x402.extensions.sign_in_with_x.encode import encode_siwx_header


def main() -> int:
    url, key = sys.argv[1], sys.argv[2]
    account = Account.from_key(key)
    challenge = requests.get(url, timeout=10)
    if challenge.status_code != 402:
        print(f"expected 402 from {url}, got {challenge.status_code}")
        return 1
    required = json.loads(base64.b64decode(challenge.headers["PAYMENT-REQUIRED"]))
    declared = required["extensions"]["sign-in-with-x"]
    chain = next(c for c in declared["supportedChains"] if c["chainId"] == "eip155:338")
    info = dict(declared["info"], chainId=chain["chainId"], type=chain["type"])
    header = encode_siwx_header(asyncio.run(create_siwx_payload(info, account, url)))
    served = requests.get(url, headers={"SIGN-IN-WITH-X": header}, timeout=10)
    replayed = requests.get(url, headers={"SIGN-IN-WITH-X": header}, timeout=10)
    print(json.dumps({
        "signer": account.address, "served": served.status_code, "paid": "PAYMENT-RESPONSE" in served.headers,
        "replayed": replayed.status_code, "body": served.text[:120],
    }))
    ok = served.status_code == 200 and "PAYMENT-RESPONSE" not in served.headers and replayed.status_code == 402
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
