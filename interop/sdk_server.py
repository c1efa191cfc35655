"""A resource server built with the official x402 SDK (Flask middleware), pointed at Paygent's
facilitator, for Paygent's client to pay.

    python3 interop/sdk_server.py <port> <facilitator-url> <pay-to address>
Serves GET /weather at 0.01 USDC (local chain / Cronos testnet devUSDC.e) on 127.0.0.1:<port>.
"""

import sys

from flask import Flask, jsonify
from x402.http import FacilitatorConfig, HTTPFacilitatorClientSync, PaymentOption
from x402.http.middleware.flask import payment_middleware
from x402.http.types import RouteConfig
from x402.mechanisms.evm.exact.register import register_exact_evm_server
from x402.schemas import AssetAmount
from x402.server import x402ResourceServerSync

USDC = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0"


def main() -> None:
    port, facilitator_url, pay_to = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = Flask(__name__)

    @app.get("/weather")
    def weather():
        return jsonify({"city": "Singapore", "forecast": "thunderstorms", "celsius": 31})

    server = x402ResourceServerSync(HTTPFacilitatorClientSync(FacilitatorConfig(url=facilitator_url)))
    register_exact_evm_server(server, networks="eip155:338")
    routes = {
        "GET /weather": RouteConfig(
            accepts=PaymentOption(
                scheme="exact", pay_to=pay_to, network="eip155:338", max_timeout_seconds=300,
                price=AssetAmount(amount="10000", asset=USDC, extra={"name": "Bridged USDC (Stargate)", "version": "1"}),
            ),
            description="SDK weather",
        )
    }
    payment_middleware(app, routes, server)
    app.run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
