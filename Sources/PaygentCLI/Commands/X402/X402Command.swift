import ArgumentParser
import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentX402
import PaygentMoney

/// `paygent x402`: tools for people who build or debug x402 services, like foundry's `cast`.
struct X402: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "x402",
        abstract: "Decode, verify and sign x402 payment headers offline.",
        discussion: "Works with both protocol versions: v2 PAYMENT-SIGNATURE / PAYMENT-REQUIRED headers and v1 X-PAYMENT headers with JSON 402 bodies.",
        subcommands: [Decode.self, Verify.self, Sign.self]
    )
}

/// A payment header laid out field by field.
struct DecodedPayment: Encodable {
    var version: Int
    var scheme: String
    var network: String
    var chainId: UInt64?
    var networkName: String?
    var asset: String?
    var token: String?
    var from: String
    var to: String
    var value: String
    var valueHuman: String?
    var validAfter: String
    var validAfterDate: String?
    var validBefore: String
    var validBeforeDate: String?
    var nonce: String
    var signature: String?
    var signer: String?
    var signerMatchesFrom: Bool
    var signerError: String?

    init(_ payment: AnyPaymentPayload, domainHint offers: [Offer]) {
        let exact = payment.exact
        let a = exact.authorization
        version = payment.version
        scheme = payment.scheme
        network = payment.network
        let parsedNetwork = Network(payment.network)
        chainId = parsedNetwork?.chainID
        networkName = parsedNetwork?.displayName
        from = a.from
        to = a.to
        value = a.value
        validAfter = a.validAfter
        validBefore = a.validBefore
        nonce = a.nonce
        signature = exact.signature
        validAfterDate = Self.date(a.validAfter)
        validBeforeDate = Self.date(a.validBefore)

        // The token's EIP-712 domain: from the payment (v2), the given requirements, or the known assets.
        var assetText: String?
        var name: String?
        var domainVersion: String?
        if case .v2(let v2) = payment {
            assetText = v2.accepted.asset
            name = v2.accepted.extra?["name"]
            domainVersion = v2.accepted.extra?["version"]
        } else if let offer = offers.first(where: { Network($0.network) == parsedNetwork }) {
            assetText = offer.asset
            name = offer.extra?["name"]
            domainVersion = offer.extra?["version"]
        } else if let parsedNetwork, let known = KnownAsset.usdc.first(where: { $0.network == parsedNetwork }) {
            assetText = known.address.eip55
            name = known.domainName
            domainVersion = known.domainVersion
        }
        asset = assetText
        let known = parsedNetwork.flatMap { network in assetText.flatMap { KnownAsset.lookup(network: network, address: $0) } }
        token = known?.symbol
        if let known, let units = try? Amount(baseUnitsString: a.value) {
            valueHuman = "\(units.formatted(decimals: known.decimals, minimumFractionDigits: 2)) \(known.symbol)"
        }

        signerMatchesFrom = false
        do {
            guard let parsedNetwork, let assetText, let name, let domainVersion else {
                throw X402DecodingError("the token's EIP-712 domain is unknown; pass --requirements")
            }
            guard let signatureText = exact.signature else { throw X402DecodingError("no signature") }
            let transfer = TransferWithAuthorization(
                from: try Address(a.from), to: try Address(a.to), value: try Self.number(a.value, "value"),
                validAfter: try Self.number(a.validAfter, "validAfter"), validBefore: try Self.number(a.validBefore, "validBefore"),
                nonce: try Self.bytes32(a.nonce))
            let domain = TokenDomain(
                name: name, version: domainVersion, chainID: BigUInt(parsedNetwork.chainID), verifyingContract: try Address(assetText))
            let recovered = try transfer.signer(of: try Signature(hex: signatureText), domain: domain)
            signer = recovered.eip55
            signerMatchesFrom = recovered == (try Address(a.from))
        } catch {
            signerError = "\(error)"
        }
    }

    static func number(_ text: String, _ field: String) throws -> BigUInt {
        guard let value = BigUInt(text, radix: 10) else { throw X402DecodingError("\(field) '\(text)' is not a number") }
        return value
    }

    static func bytes32(_ text: String) throws -> [UInt8] {
        try HexField.bytes(text, count: 32, what: "nonce")
    }


    static func date(_ seconds: String) -> String? {
        guard let value = Double(seconds) else { return nil }
        if value == 0 { return "any time" }
        return Date(timeIntervalSince1970: value).formatted(.iso8601)
    }

    func render(style: Style) -> String {
        var rows: [(String, String)] = [
            ("version", "x402 v\(version)"),
            ("scheme", scheme),
            ("network", [network, chainId.map { "chain \($0)" }, networkName].compactMap { $0 }.joined(separator: " · ")),
            ("asset", [asset, token].compactMap { $0 }.joined(separator: " ") + (asset == nil ? "unknown" : "")),
            ("from", from),
            ("to", to),
            ("value", valueHuman.map { "\(value) base units (\($0))" } ?? "\(value) base units"),
            ("valid after", "\(validAfter) (\(validAfterDate ?? "?"))"),
            ("valid before", "\(validBefore) (\(validBeforeDate ?? "?"))"),
            ("nonce", nonce),
        ]
        if let signer {
            rows.append(("signer", signer))
            rows.append(("signer = from", signerMatchesFrom ? style.green("yes") : style.red("NO")))
        } else {
            rows.append(("signer", style.red("not recovered: \(signerError ?? "unknown")")))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "\($0.0.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.1)" }.joined(separator: "\n")
    }
}
