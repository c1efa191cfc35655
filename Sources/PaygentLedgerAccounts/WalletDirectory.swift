import Foundation
import PaygentPaymentsAPI
import PaygentServiceKit
import PaygentTransport
import PaygentWire

/// A wallet named in a request, as its ledger address: an address is taken as it is, a name is
/// looked up in the payments service's wallets.
public struct WalletDirectory: Sendable {
    let payments: RPCClient

    public init(payments: RPCClient) {
        self.payments = payments
    }

    public func address(of wallet: String) async throws -> String {
        if wallet.hasPrefix("0x") { return try Validate.address(wallet, field: "wallet").eip55 }
        let name = wallet.precomposedStringWithCanonicalMapping
        let wallets = try await payments.call(PaymentsMethod.walletList, WalletListRequest(), deadline: .seconds(10)).wallets
        guard let found = wallets.first(where: { $0.name == name }) else {
            throw PaygentError(.notFound, "no wallet named '\(wallet)'; `paygent wallet list` shows them")
        }
        return found.address
    }
}
