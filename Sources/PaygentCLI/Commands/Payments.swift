import ArgumentParser
import Foundation
import PaygentPaymentsAPI

struct Payments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The x402 payments the service's wallets made: list, show, stats.",
        subcommands: [List.self, Show.self, Stats.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List payments, newest first.")

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("pending, confirmed or failed.", valueName: "status")) var status: String?
        @Option(help: ArgumentHelp("Wallet name.", valueName: "name")) var wallet: String?
        @Option(help: ArgumentHelp("Part of the service (host and path).", valueName: "text")) var service: String?
        @Option(help: ArgumentHelp("Only since this many hours ago.", valueName: "hours")) var hours: Double?
        @Option(help: ArgumentHelp("How many.", valueName: "n")) var limit: Int = 20
        @Option(help: ArgumentHelp("Skip this many (next page).", valueName: "n")) var offset: Int = 0
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let status, !["pending", "confirmed", "failed"].contains(status) {
                throw ValidationError("status is pending, confirmed or failed")
            }
        }

        func run() async throws {
            let request = PaymentListRequest(
                status: status, wallet: wallet, service: service, since: hours.map { Date().addingTimeInterval(-$0 * 3600) },
                limit: limit, offset: offset)
            try await ServiceCall(config: try global.load(), service: .payments).show(PaymentsMethod.paymentList, request, json: json) { reply in
                Self.printTable(reply)
            }
        }

        static func printTable(_ reply: PaymentListReply) {
            let style = Style.forStandardOutput()
            var table = Table(headers: ["ID", "TIME (UTC)", "WALLET", "SERVICE", "AMOUNT", "STATUS", "LATENCY", "TX"])
            for p in reply.payments {
                table.rows.append([
                    String(p.id.prefix(8)), p.startedAt.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).dateTimeSeparator(.space)),
                    p.wallet, p.service, "\(p.amount.formatted(decimals: p.token.decimals, minimumFractionDigits: 2)) \(p.token.symbol)",
                    p.status, p.latencyMillis.map { String(format: "%.0f ms", $0) } ?? "-",
                    p.transaction.map { $0.count > 14 ? "\($0.prefix(10))…" : $0 } ?? "-",
                ])
            }
            print(table.render(style: style) { row, column, text in
                column == 5 ? (reply.payments[row].status == "confirmed" ? style.green(text) : reply.payments[row].status == "failed" ? style.red(text) : text) : text
            })
            print(style.dim("\(reply.payments.count) of \(reply.total)"))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one payment.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Payment id (from `paygent payments list`).", valueName: "id")) var id: String
        func run() async throws {
            let entry: PaymentEntry = try await ServiceCall(config: try global.load(), service: .payments).call(
                PaymentsMethod.paymentShow, PaymentShowRequest(id: id))
            try printJSON(entry)
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count, success rate, volume per token, mean and p95 latency.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .payments).show(
                PaymentsMethod.paymentStats, PaymentStatsRequest(), json: json, human: Self.printStats)
        }

        static func printStats(_ stats: PaymentStats) {
            print("payments       \(stats.count) (\(stats.confirmed) confirmed, \(stats.failed) failed)")
            print("success rate   \(String(format: "%.1f%%", stats.successRate * 100))")
            for volume in stats.volume {
                print("volume         \(volume.amount.formatted(decimals: volume.token.decimals, minimumFractionDigits: 2)) \(volume.token.symbol)")
            }
            print("latency        mean \(String(format: "%.1f", stats.meanLatencyMillis)) ms, p95 \(String(format: "%.1f", stats.p95LatencyMillis)) ms")
        }
    }
}
