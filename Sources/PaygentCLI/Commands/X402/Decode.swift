import ArgumentParser
import Foundation
import PaygentX402

extension X402 {
    struct Decode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a payment header field by field, with the signer it recovers to.",
            discussion: "Takes the value of a PAYMENT-SIGNATURE (v2) or X-PAYMENT (v1) header, or - to read it from standard input. Exits 0 only when the signature recovers to the authorization's from."
        )

        @Argument(help: ArgumentHelp("The header value (base64 JSON), or - for standard input.", valueName: "header"))
        var header: String

        @Option(help: ArgumentHelp("Requirements (JSON file) for the token's EIP-712 domain, needed for v1 headers of unknown tokens.", valueName: "file"))
        var requirements: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let value = try readArgument(header)
            let payment: AnyPaymentPayload
            do {
                payment = try HeaderCodec.decodePayment(value)
            } catch {
                throw CLIError("not an x402 payment header: \(error)")
            }
            let offers = try requirements.map { try loadOffers($0) } ?? []
            let decoded = DecodedPayment(payment, domainHint: offers)
            if json {
                try printJSON(decoded)
            } else {
                print(decoded.render(style: Style.forStandardOutput()))
            }
            if !decoded.signerMatchesFrom { throw ExitCode(1) }
        }
    }
}
