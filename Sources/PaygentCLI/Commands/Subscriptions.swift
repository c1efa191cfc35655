import ArgumentParser
import Foundation
import PaygentRegistryAPI

/// `paygent subscriptions`: subscriptions to subscription-priced services, kept by the registry
/// and paid from a wallet of the payments service.
struct Subscriptions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Subscribe a wallet to a subscription-priced service, list subscriptions, cancel one.",
        discussion: """
            A subscription pays one period at once (a transfer from the wallet to the service's pay-to, within the wallet's \
            daily limit). While it is active, `paygent fetch` with that wallet signs in to the service (x402 sign-in-with-x) \
            instead of paying per call.
            """,
        subcommands: [List.self, Subscribe.self, Cancel.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscriptions, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only this wallet's (name or address).", valueName: "wallet")) var wallet: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .registry).show(
                RegistryMethod.subscriptions, SubscriptionListRequest(wallet: wallet), json: json
            ) { reply in
                guard !reply.subscriptions.isEmpty else { return print("no subscriptions") }
                var table = Table(headers: ["ID", "SERVICE", "WALLET", "STATUS", "UNTIL", "RENEWS", "PRICE", "PAID"])
                for subscription in reply.subscriptions {
                    table.rows.append([
                        subscription.id, "\(subscription.serviceName) (\(subscription.serviceId))", subscription.wallet,
                        subscription.status.rawValue, Subscriptions.date(subscription.expiresAt), subscription.autoRenew ? "yes" : "no",
                        Subscriptions.price(subscription), "\(subscription.payments.count)",
                    ])
                }
                let style = Style.forStandardOutput()
                print(table.render(style: style))
                for subscription in reply.subscriptions {
                    if let problem = subscription.problem { print(style.red("\(subscription.id): \(problem)")) }
                }
            }
        }
    }

    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Subscribe a wallet to a service (pays the first period now), or renew an ended subscription.",
            discussion: "Example: paygent subscriptions subscribe svc_000000000007 --wallet agent --auto-renew")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Service id (from `paygent services discover --pricing subscription`).", valueName: "service"))
        var service: String
        @Option(help: ArgumentHelp("The wallet that pays (name or address).", valueName: "wallet")) var wallet: String
        @Flag(name: .customLong("auto-renew"), help: "Pay each next period when the current one ends.") var autoRenew = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .registry).show(
                RegistryMethod.subscribe, SubscribeRequest(serviceId: service, wallet: wallet, autoRenew: autoRenew), json: json,
                idempotencyKey: "subscribe-\(UUID().uuidString)"
            ) { subscription in
                print("\(subscription.id): \(subscription.serviceName), \(subscription.status.rawValue) until \(Subscriptions.date(subscription.expiresAt))")
                if let payment = subscription.payments.last {
                    print(Style.forStandardOutput().dim(
                        "paid \(payment.amount.formatted(decimals: subscription.decimals, minimumFractionDigits: 2)) \(subscription.token) "
                            + "to \(subscription.payTo), tx \(payment.transaction)"))
                }
                print(Style.forStandardOutput().dim(subscription.autoRenew ? "renews automatically" : "does not renew (subscribe again when it ends)"))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a subscription renewing; it is served until its paid period ends.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Subscription id (from `paygent subscriptions list`).", valueName: "id")) var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .registry).show(
                RegistryMethod.cancelSubscription, CancelSubscriptionRequest(id: id), json: json
            ) { subscription in
                print("\(subscription.id): cancelled; served until \(Subscriptions.date(subscription.expiresAt)), not renewed")
            }
        }
    }

    static func date(_ date: Date?) -> String {
        date.map { $0.formatted(.iso8601) } ?? "-"
    }

    static func price(_ subscription: Subscription) -> String {
        let days = subscription.periodSeconds % 86_400 == 0 ? "\(subscription.periodSeconds / 86_400)d" : "\(subscription.periodSeconds)s"
        return "\(subscription.price.formatted(decimals: subscription.decimals, minimumFractionDigits: 2)) \(subscription.token)/\(days)"
    }
}
