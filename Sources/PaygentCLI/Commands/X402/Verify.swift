import ArgumentParser
import Foundation
import PaygentX402

extension X402 {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the exact-scheme verification rules on a payment header, offline.",
            discussion: "Checks scheme, network, token domain, recipient, amount, time window and signature, in the official facilitator's order and with its reason strings. Nonce history and balances need the ledger and are not checked here. Prints 'valid' or the reason; exits 0 only when valid."
        )

        @Option(help: ArgumentHelp("Payment requirements: a JSON file (v1 or v2 402 body, or one requirements object), a base64 PAYMENT-REQUIRED value, or - for standard input.", valueName: "file"))
        var requirements: String

        @Option(help: ArgumentHelp("The payment header value (PAYMENT-SIGNATURE or X-PAYMENT), or - for standard input.", valueName: "value"))
        var header: String

        @Option(help: ArgumentHelp("The time to verify at, in Unix seconds (default: now).", valueName: "unix"))
        var now: UInt64?

        @Flag(help: "Print the facilitator's VerifyResponse JSON.")
        var json = false

        func validate() throws {
            if requirements == "-" && header == "-" {
                throw ValidationError("only one of --requirements and --header can read standard input")
            }
        }

        func run() async throws {
            let offers = try loadOffers(requirements)
            let payment: AnyPaymentPayload
            do {
                payment = try HeaderCodec.decodePayment(try readArgument(header))
            } catch {
                throw CLIError("not an x402 payment header: \(error)")
            }
            let at = now ?? UInt64(Date().timeIntervalSince1970)
            let style = Style.forStandardOutput()
            guard let offer = Self.match(payment, offers) else {
                if json {
                    try printJSON(VerifyResponse(isValid: false, invalidReason: "no_matching_requirements", invalidMessage: "No matching payment requirements"))
                } else {
                    print(style.red("invalid") + ": No matching payment requirements (the payment's scheme and network match no offer)")
                }
                throw ExitCode(1)
            }
            let result = ExactVerifier.verify(payment, against: offer, now: at)
            if json {
                try printJSON(result.response)
            } else if result.isValid {
                print(style.green("valid") + "  payer \(result.payer?.eip55 ?? "?")")
            } else {
                print(style.red("invalid") + ": \(result.reason!.rawValue)\n  \(result.message)")
            }
            if !result.isValid { throw ExitCode(1) }
        }

        /// The offer a payment answers: same scheme and network (and asset, in v2).
        static func match(_ payment: AnyPaymentPayload, _ offers: [Offer]) -> Offer? {
            let candidates = offers.filter { offer in
                offer.scheme == payment.scheme && (offer.network == payment.network || Network(offer.network) == Network(payment.network))
            }
            if case .v2(let v2) = payment {
                return candidates.first { $0.asset.lowercased() == v2.accepted.asset.lowercased() } ?? candidates.first
            }
            return candidates.first
        }
    }
}
