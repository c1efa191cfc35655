import ArgumentParser
import Foundation
import PaygentPaymentsAPI

struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch a URL like curl, paying an x402 402 from a wallet within a maximum.",
        discussion: "Example: paygent fetch http://127.0.0.1:8402/prices --max 0.10 --wallet agent. The payments service signs the payment with the wallet's key (within its daily limit) and prints the body, then the receipt: amount, payee, transaction hash, latency. A resource that takes subscriptions (x402 sign-in-with-x) is asked with a signed proof instead when the wallet holds an active subscription to it (`paygent subscriptions`); an ended subscription is an error unless --pay-per-call. Exits 0 for a 2xx answer."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The URL.", valueName: "url"))
    var url: String

    @Option(help: ArgumentHelp("The most to pay, in human units of --token.", valueName: "amount"))
    var max: String = "0"

    @Option(help: ArgumentHelp("The wallet that pays (name or address).", valueName: "wallet"))
    var wallet: String

    @Option(help: ArgumentHelp("The token --max is in.", valueName: "symbol"))
    var token: String = "USDC"

    @Option(name: .customShort("X"), help: ArgumentHelp("Method: GET or POST.", valueName: "method"))
    var method: String = "GET"

    @Option(name: .customShort("d"), help: ArgumentHelp("Body to POST (JSON).", valueName: "data"))
    var data: String?

    @Option(help: ArgumentHelp("Seconds the whole fetch may take, payment included.", valueName: "seconds"))
    var timeout: Double = 30

    @Flag(
        name: .customLong("pay-per-call"),
        help: "When the resource takes subscriptions and the wallet's has ended (or is refused), pay per call instead of failing.")
    var payPerCall = false

    @Flag(help: "Print JSON (the body base64) instead of the body and a receipt.")
    var json = false

    func validate() throws {
        guard timeout.isFinite, timeout >= 1, timeout <= 600 else { throw ValidationError("--timeout is 1 to 600 seconds") }
    }

    func run() async throws {
        // The service ends the fetch (and settles or cancels its payment) within --timeout; the
        // call waits a little longer, so the answer always arrives.
        let reply: FetchReply = try await ServiceCall(config: try global.load(), service: .payments).call(
            PaymentsMethod.fetch,
            FetchRequest(
                url: url, method: method.uppercased(), body: data.map { Data($0.utf8) }, wallet: wallet, maxAmount: max,
                token: token.uppercased(), timeoutSeconds: timeout, payPerCallFallback: payPerCall ? true : nil),
            idempotencyKey: "fetch-\(UUID().uuidString)", deadline: .milliseconds(Int64(timeout * 1000) + 3000))
        if json {
            try printJSON(reply)
        } else {
            print(String(decoding: reply.body, as: UTF8.self))
            let style = Style.forStandardOutput()
            var lines = ["HTTP \(reply.status) in \(String(format: "%.1f", reply.latencyMillis)) ms"]
            if let payment = reply.payment {
                lines.append("paid \(payment.amount.formatted(decimals: payment.token.decimals, minimumFractionDigits: 2)) \(payment.token.symbol) to \(payment.payTo) on \(payment.network)")
                lines.append(payment.settled ? "tx \(payment.transaction)" : style.red("not settled: \(payment.error ?? "unknown")"))
            } else if let subscription = reply.subscription {
                lines.append("no payment: served on subscription \(subscription) (sign-in-with-x)")
            } else {
                lines.append("no payment needed")
            }
            var text = lines.map { style.dim($0) }
            if let problem = reply.problem { text.append(style.red(problem)) }
            FileHandle.standardError.write(Data((text.joined(separator: "\n") + "\n").utf8))
        }
        if !(200..<300).contains(reply.status) || reply.problem != nil { throw ExitCode(1) }
    }
}
