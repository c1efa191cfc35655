import ArgumentParser
import Foundation
import PaygentRegistryAPI
import PaygentRuntime

/// `paygent services`: the registry's catalog of paid services.
struct Services: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find paid services, see their prices, and (as the administrator) register them.",
        subcommands: [Discover.self, Show.self, Pricing.self, Add.self, Register.self, Update.self, Remove.self])

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find services by words and filters.",
            discussion: "Example: paygent services discover market --max-price 0.5 --sort price. Every word must appear in a service's name, description or category.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Words to look for.", valueName: "query")) var query: [String] = []
        @Option(help: "Only this category (market-data, news, weather, inference, …).") var category: String?
        @Option(name: .customLong("min-price"), help: ArgumentHelp("Lowest price, human units.", valueName: "amount")) var minPrice: String?
        @Option(name: .customLong("max-price"), help: ArgumentHelp("Highest price, human units.", valueName: "amount")) var maxPrice: String?
        @Option(name: .customLong("min-reputation"), help: ArgumentHelp("Lowest reputation, 0 to 5.", valueName: "n")) var minReputation: Double?
        @Flag(help: "Only services usable as MCP tools.") var mcp = false
        @Option(help: "pay-per-call, metered or subscription.") var pricing: String?
        @Option(help: "eip155:<chain id> or a v1 network name.") var network: String?
        @Option(help: "relevance, price, reputation, calls or latency.") var sort: String?
        @Option(help: "Services per page, 1 to 100.") var limit: Int = 20
        @Option(help: "Skip this many (next page).") var offset: Int = 0
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let pricing, PricingModel(rawValue: pricing) == nil { throw ValidationError("pricing is pay-per-call, metered or subscription") }
            if let sort, DiscoverySort(rawValue: sort) == nil { throw ValidationError("sort is relevance, price, reputation, calls or latency") }
        }

        func run() async throws {
            let request = DiscoverRequest(
                query: query.isEmpty ? nil : query.joined(separator: " "), category: category, minPrice: minPrice, maxPrice: maxPrice,
                minReputation: minReputation, mcpCompatible: mcp ? true : nil, pricing: pricing.flatMap(PricingModel.init),
                network: network, sort: sort.flatMap(DiscoverySort.init), limit: limit, offset: offset)
            try await ServiceCall(config: try global.load(), service: .registry).show(RegistryMethod.discover, request, json: json) { reply in
                var table = Table(headers: ["ID", "NAME", "CATEGORY", "PRICE", "REPUTATION", "CALLS", "URL"])
                for service in reply.services {
                    table.rows.append([
                        service.id, service.name, service.category, Services.price(service), String(format: "%.1f", service.reputation),
                        "\(service.totalCalls)", service.url,
                    ])
                }
                print(reply.services.isEmpty ? "no services match" : table.render(style: Style.forStandardOutput()))
                print(Style.forStandardOutput().dim("\(reply.offset + 1)–\(reply.offset + reply.services.count) of \(reply.total)"))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one service (as JSON).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Service id (from `paygent services discover`).", valueName: "id")) var id: String
        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .registry).show(
                RegistryMethod.show, ServiceShowRequest(id: id), json: true) { _ in }
        }
    }

    struct Pricing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A service's current price; for a metered one, what a number of units costs.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Service id.", valueName: "id")) var id: String
        @Option(help: "Units to price (metered services).") var units: Int?
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            try await ServiceCall(config: try global.load(), service: .registry).show(
                RegistryMethod.pricing, PricingRequest(id: id, units: units), json: json
            ) { reply in
                let price = "\(reply.price.formatted(decimals: reply.decimals, minimumFractionDigits: 2)) \(reply.token)"
                switch reply.pricing {
                case .payPerCall: print("\(price) per call")
                case .metered: print("\(price) per \(reply.unit ?? "unit")")
                case .subscription: print("\(price) per \((reply.periodSeconds ?? 0) / 86_400) days")
                }
                if let units = reply.units, let total = reply.total {
                    print("\(units) units: \(total.formatted(decimals: reply.decimals, minimumFractionDigits: 2)) \(reply.token)")
                }
            }
        }
    }

    /// A service's fields as an administrator gives them.
    struct FieldOptions: ParsableArguments {
        @Option(help: "Name, 1 to 100 characters.") var name: String
        @Option(help: "What it does.") var description: String = ""
        @Option(help: "Category: lower-case words joined by '-' (market-data).") var category: String
        @Option(help: "The resource's http(s) URL.") var url: String
        @Option(help: "GET or POST.") var method: String = "GET"
        @Option(help: "pay-per-call, metered or subscription.") var pricing: String = "pay-per-call"
        @Option(help: ArgumentHelp("Price in human units (per call, unit or period).", valueName: "amount")) var price: String
        @Option(help: "Token symbol.") var token: String = "USDC"
        @Option(help: "Metered: what one unit is ('1k tokens').") var unit: String?
        @Option(name: .customLong("period-days"), help: ArgumentHelp("Subscription: the period in days.", valueName: "days")) var periodDays: Int?
        @Option(help: "eip155:<chain id> or a v1 network name.") var network: String = "eip155:338"
        @Option(name: .customLong("pay-to"), help: ArgumentHelp("The address paid.", valueName: "address")) var payTo: String
        @Flag(help: "Usable as an MCP tool.") var mcp = false

        func validate() throws {
            if PricingModel(rawValue: pricing) == nil { throw ValidationError("pricing is pay-per-call, metered or subscription") }
        }

        var fields: ServiceFields {
            ServiceFields(
                name: name, description: description, category: category, url: url, method: method,
                pricing: PricingModel(rawValue: pricing) ?? .payPerCall, price: price, token: token.uppercased(), unit: unit,
                periodSeconds: periodDays.map { $0 * 86_400 }, network: network, payTo: payTo, mcpCompatible: mcp)
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a service to the catalog (administrator).",
            discussion: "Uses the registry's admin token from <data>/registry/admin.token. Every field is checked; a refusal names the field.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var service: FieldOptions
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let config = try global.load()
            try await ServiceCall(config: config, service: .registry).show(
                RegistryMethod.register, RegisterServiceRequest(adminToken: try Services.adminToken(config), service: service.fields),
                json: json, idempotencyKey: "register-\(UUID().uuidString)"
            ) { entry in print("\(Style.forStandardOutput().green("registered")) \(entry.id) \(entry.name) at \(Services.price(entry))") }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a service from its own 402 answer (administrator).",
            discussion: "Example: paygent services add http://127.0.0.1:8402/prices --category market-data. The registry asks the URL without paying and registers the price, token, network and pay-to it asks for, with its Bazaar description when the 402 has one. A URL that does not answer 402 is refused with what it answered.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The paid resource's URL.", valueName: "url")) var url: String
        @Option(help: "A name (default: the 402's description, else host and path).") var name: String?
        @Option(help: "A category (default: uncategorized).") var category: String?
        @Option(help: "A description (default: the 402's).") var description: String?
        @Option(help: "GET or POST.") var method: String = "GET"
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let config = try global.load()
            try await ServiceCall(config: config, service: .registry).show(
                RegistryMethod.add,
                AddServiceRequest(
                    adminToken: try Services.adminToken(config), url: url, method: method, name: name, category: category,
                    description: description),
                json: json, idempotencyKey: "add-\(UUID().uuidString)"
            ) { entry in print("\(Style.forStandardOutput().green("registered")) \(entry.id) \(entry.name) at \(Services.price(entry)) on \(entry.network), paid to \(entry.payTo)") }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace a service's fields (administrator); its id, reputation and counts stay.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Service id.", valueName: "id")) var id: String
        @OptionGroup var service: FieldOptions
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let config = try global.load()
            try await ServiceCall(config: config, service: .registry).show(
                RegistryMethod.update, UpdateServiceRequest(adminToken: try Services.adminToken(config), id: id, service: service.fields),
                json: json, idempotencyKey: "update-\(UUID().uuidString)"
            ) { entry in print("\(Style.forStandardOutput().green("updated")) \(entry.id) \(entry.name) at \(Services.price(entry))") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a service from the catalog (administrator).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Service id.", valueName: "id")) var id: String
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let config = try global.load()
            try await ServiceCall(config: config, service: .registry).show(
                RegistryMethod.remove, RemoveServiceRequest(adminToken: try Services.adminToken(config), id: id), json: json,
                idempotencyKey: "remove-\(id)"
            ) { reply in print("\(Style.forStandardOutput().green("removed")) \(reply.removed.id) \(reply.removed.name)") }
        }
    }

    static func price(_ service: ServiceEntry) -> String {
        let amount = "\(service.price.formatted(decimals: service.decimals, minimumFractionDigits: 2)) \(service.token)"
        switch service.pricing {
        case .payPerCall: return amount
        case .metered: return "\(amount)/\(service.unit ?? "unit")"
        case .subscription: return "\(amount)/\((service.periodSeconds ?? 0) / 86_400)d"
        }
    }

    /// The registry's admin token, readable by the deployment's owner only.
    static func adminToken(_ config: PaygentConfig) throws -> String {
        let path = (config.serviceDirectory(.registry) as NSString).appendingPathComponent("admin.token")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError(
                "cannot read the registry's admin token at \(path): only the user who started the deployment can (start the registry once to make it)",
                code: .permissionDenied)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
