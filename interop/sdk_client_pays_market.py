"""The official x402 SDK (PyPI `x402`) pays Paygent's sample API through Paygent's facilitator.

Run with the services up (`paygent up --detach`), a funded key, and the market's URL:
    python3 interop/sdk_client_pays_market.py <market-url> <0x private key>
Exits 0 when the SDK's payment is accepted (HTTP 200 with a successful PAYMENT-RESPONSE).
"""

import base64
import json
import sys

from eth_account import Account
from x402 import x402ClientSync
from x402.http.clients import x402_requests
from x402.mechanisms.evm.exact.register import register_exact_evm_client


def main() -> int:
    url, key = sys.argv[1], sys.argv[2]
    account = Account.from_key(key)
    client = x402ClientSync()
    # The SDK pays only its default assets unless told otherwise; the local chain's USDC is the
    # Cronos testnet token, which is not in its table.
    client.set_spend_controls({"allowed_assets": True})
    register_exact_evm_client(client, account, networks="eip155:338")
    session = x402_requests(client)
    response = session.get(url)
    settlement = response.headers.get("PAYMENT-RESPONSE")
    decoded = json.loads(base64.b64decode(settlement)) if settlement else None
    print(json.dumps({"status": response.status_code, "settlement": decoded, "payer": account.address}))
    return 0 if response.status_code == 200 and decoded and decoded.get("success") else 1


if __name__ == "__main__":
    sys.exit(main())
