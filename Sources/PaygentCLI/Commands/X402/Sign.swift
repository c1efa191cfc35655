import ArgumentParser
import Foundation
import PaygentX402

extension X402 {
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build and sign a payment header for requirements.",
            discussion: "Signs an EIP-3009 transferWithAuthorization for the chosen offer, as the official clients do, and prints the header value to send (PAYMENT-SIGNATURE for v2 requirements, X-PAYMENT for v1)."
        )

        @OptionGroup var key: KeyOptions

        @Option(help: ArgumentHelp("Payment requirements: a JSON file (v1 or v2), a base64 PAYMENT-REQUIRED value, or - for standard input.", valueName: "file"))
        var requirements: String

        @Option(help: ArgumentHelp("Which offer to pay when the requirements list several (from 0).", valueName: "n"))
        var offer: Int = 0

        @Option(help: ArgumentHelp("Sign as of this Unix time (default: now).", valueName: "unix"))
        var now: UInt64?

        @Flag(help: "Print JSON: header name, value and the payment.")
        var json = false

        func run() async throws {
            let offers = try loadOffers(requirements)
            guard offers.indices.contains(offer) else {
                throw ValidationError("--offer \(offer) is out of range; the requirements list \(offers.count) offer(s)")
            }
            let chosen = offers[offer]
            let signingKey = try key.load()
            let payment: AnyPaymentPayload
            do {
                payment = try ExactSigner.pay(chosen, with: signingKey, now: now ?? UInt64(Date().timeIntervalSince1970))
            } catch {
                throw CLIError("cannot sign: \(error)")
            }
            let header = try ExactSigner.header(payment)
            let name = payment.version == 1 ? X402Header.paymentV1 : X402Header.paymentSignature
            if json {
                struct Out: Encodable {
                    var headerName: String
                    var header: String
                    var payer: String
                }
                try printJSON(Out(headerName: name, header: header, payer: signingKey.address.eip55))
            } else {
                print(header)
            }
        }
    }
}
