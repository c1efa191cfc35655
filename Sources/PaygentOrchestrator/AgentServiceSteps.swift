import BigInt
import Foundation
import PaygentCommands
import PaygentMoney
import PaygentMoonlanderAPI
import PaygentOrchestratorAPI
import PaygentPaymentsAPI
import PaygentRegistryAPI
import PaygentVVSAPI
import PaygentWire

/// Steps that call the registry and payments.
extension StepContext {
    /// Finds the service a payment or subscription goes to: by URL, by name, by words of its
    /// description or category, or the one paid last ("pay the same service again"). A payee that
    /// no service matches but a wallet is named after is paid by a transfer.
    mutating func findService(_ calls: inout [ToolCall]) async throws -> String {
        let clients = agent.tools
        if intent.intent == .serviceDiscovery {
            let reply = try await clients.call(RegistryMethod.discover, DiscoverRequest(query: intent.query, limit: 10), step: todo.step, log: &calls)
            guard !reply.services.isEmpty else { return "no services match '\(intent.query ?? "")'" }
            let lines = reply.services.map {
                "\($0.name) [\($0.category)] \($0.price.formatted(decimals: $0.decimals)) \($0.token)/\($0.unit ?? "call") — \($0.url)"
            }
            return "\(reply.total) service\(reply.total == 1 ? "" : "s"): " + lines.joined(separator: "; ")
        }
        var found: ServiceEntry?
        if intent.fromMemory == "last_service" {
            guard let id = session.memory["last_service"] else { throw StepFailure("no service paid yet in this session to pay again") }
            found = try await clients.call(RegistryMethod.show, ServiceShowRequest(id: id), step: todo.step, log: &calls)
        } else if let url = intent.url {
            let reply = try await agent.discover(DiscoverRequest(limit: 100), step: todo.step, log: &calls)
            found = reply.services.first { $0.url == url }
            guard found != nil else { throw StepFailure("no service at \(url) in the registry; `paygent services add` registers one") }
        } else if let words = intent.service {
            let byWords = try await agent.discover(DiscoverRequest(query: words, limit: 20), step: todo.step, log: &calls)
            // A payment goes to a service priced per call; a subscription to one priced by the period.
            let wanted: PricingModel = intent.intent == .subscribe ? .subscription : .payPerCall
            found = byWords.services.first { $0.name.caseInsensitiveCompare(words) == .orderedSame }
                ?? byWords.services.first { $0.pricing == wanted } ?? byWords.services.first
            if found == nil {
                let byCategory = try await agent.discover(
                    DiscoverRequest(category: words.replacingOccurrences(of: " ", with: "-"), limit: 20), step: todo.step, log: &calls)
                found = byCategory.services.first { $0.pricing == wanted } ?? byCategory.services.first
            }
            if found == nil, intent.intent == .payment {
                let wallets = try await clients.call(PaymentsMethod.walletList, WalletListRequest(), step: todo.step, log: &calls).wallets
                if let payee = wallets.first(where: { $0.name.caseInsensitiveCompare(words) == .orderedSame }) {
                    self["payee.address"] = payee.address
                    if let next = Planner.plan(command: "", intents: intents).todos.first(where: { $0.intentIndex == todo.intentIndex && $0.costBearing }) {
                        retool[next.step] = ("payments.wallet_transfer", "send \(intent.amount ?? "") \(intent.token ?? "") to the wallet '\(payee.name)' (\(payee.address))")
                    }
                    return "no service named '\(words)'; '\(payee.name)' is a wallet at \(payee.address), paid by a transfer"
                }
            }
            guard found != nil else {
                throw StepFailure("no service in the registry matches '\(words)'; `paygent run \"find services\"` lists them")
            }
        }
        guard let service = found else { throw StepFailure("no service to pay") }
        self["service.id"] = service.id
        self["service.name"] = service.name
        self["service.url"] = service.url
        self["service.method"] = service.method
        self["service.price"] = service.price.baseUnits.description
        self["service.token"] = service.token
        self["service.payTo"] = service.payTo
        return "\(service.name) (\(service.id)) at \(service.url): \(service.price.formatted(decimals: service.decimals)) \(service.token) per \(service.unit ?? "call"), reputation \(String(format: "%.2f", service.reputation))"
    }

    mutating func fetch(_ calls: inout [ToolCall]) async throws -> String {
        let costs = try checkedCosts()
        guard let url = self["service.url"] ?? intent.url, let cost = costs.first else { throw StepFailure("no service to pay was found") }
        let request = FetchRequest(
            url: url, method: self["service.method"] ?? "GET", wallet: wallet, maxAmount: self["max"] ?? cost.amount.formatted(decimals: cost.decimals),
            token: cost.token)
        let reply = try await fetchOnce(request, &calls)
        if let payment = reply.payment, payment.settled {
            let paid = payment.amount
            let usd = cost.amount.baseUnits == 0 ? BigUInt(0) : cost.usd.baseUnits * paid.baseUnits / cost.amount.baseUnits
            spent.append(PricedCost(token: cost.token, decimals: cost.decimals, amount: paid, usd: SpendCheck.amount(usd), rate: cost.rate))
            self["transactions"] = payment.transaction
            self["payer"] = payment.payer
        } else if let payment = reply.payment {
            throw StepFailure("the payment was not settled: \(payment.error ?? "no reason given"); nothing was spent")
        }
        if let id = self["service.id"] { memory["last_service"] = id }
        guard (200..<300).contains(reply.status) else {
            throw StepFailure("\(url) answered HTTP \(reply.status)\(reply.problem.map { ": \($0)" } ?? "")")
        }
        let body = String(decoding: reply.body.prefix(160), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        let paid = reply.payment.map { "paid \($0.amount.formatted(decimals: $0.token.decimals)) \($0.token.symbol) to \($0.payTo)" }
            ?? reply.subscription.map { "served under subscription \($0)" } ?? "nothing to pay"
        return "\(paid); HTTP \(reply.status) from \(url): \(body)\(reply.body.count > 160 ? "…" : "")"
    }

    /// Sends the fetch under the step's key. After a crash the step is sent again: while the first
    /// call is still paying, the payments service refuses a second payment under the key
    /// (`conflict`) and then answers the first call's reply; the step waits for that answer, for as
    /// long as a fetch may take, rather than fail or pay again.
    func fetchOnce(_ request: FetchRequest, _ calls: inout [ToolCall]) async throws -> FetchReply {
        let started = agent.time.elapsed()
        let logged: (FetchReply) -> String = { reply in
            ToolClients.json(
                FetchLogEntry(
                    status: reply.status, contentType: reply.contentType, bodyBytes: reply.body.count, payment: reply.payment, problem: reply.problem,
                    subscription: reply.subscription))
        }
        while true {
            let outcome: Result<FetchReply, PaygentError>
            do {
                outcome = .success(
                    try await agent.tools.call(PaymentsMethod.fetch, request, step: todo.step, key: key, deadline: .seconds(40), log: &calls, logged: logged))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let reply):
                return reply
            case .failure(let error) where error.code != .conflict:
                throw error
            case .failure:
                guard agent.time.elapsed() - started < .seconds(45) else {
                    throw StepFailure(
                        "the payment of this step was made before a restart and its answer is lost; nothing was paid again. `paygent payments list` shows it")
                }
                try await agent.time.clock.sleep(for: .milliseconds(500))
            }
        }
    }

    mutating func transfer(_ calls: inout [ToolCall]) async throws -> String {
        let costs = try checkedCosts()
        guard let cost = costs.first, let to = intent.recipient ?? self["payee.address"] else { throw StepFailure("no recipient") }
        let receipt = try await agent.tools.call(
            PaymentsMethod.walletTransfer,
            WalletTransferRequest(wallet: wallet, to: to, token: cost.token, amount: cost.amount.formatted(decimals: cost.decimals)), step: todo.step, key: key,
            log: &calls)
        spent.append(cost)
        self["transactions"] = receipt.transactions.map(\.hash).joined(separator: ",")
        self["payer"] = receipt.transactions.first?.from
        return "sent \(cost.amount.formatted(decimals: cost.decimals)) \(cost.token) to \(to)"
    }

    /// Subscribes, counting only the periods this call paid: a subscription already paid up is
    /// answered as it is, with nothing charged.
    mutating func subscribe(_ calls: inout [ToolCall]) async throws -> String {
        let costs = try checkedCosts()
        guard let id = self["service.id"], let cost = costs.first else { throw StepFailure("no service to subscribe to was found") }
        let held = try await agent.tools.call(RegistryMethod.subscriptions, SubscriptionListRequest(wallet: wallet), step: todo.step, log: &calls)
            .subscriptions.filter { $0.serviceId == id }
        let subscription = try await agent.tools.call(
            RegistryMethod.subscribe, SubscribeRequest(serviceId: id, wallet: wallet, autoRenew: false), step: todo.step, key: key, log: &calls)
        let before = held.first { $0.id == subscription.id }?.payments.count ?? 0
        let paid = subscription.payments.dropFirst(before)
        let name = self["service.name"] ?? id
        guard !paid.isEmpty else {
            return "already subscribed to \(name) (\(subscription.id)) until \(subscription.expiresAt?.formatted(.iso8601) ?? "its period ends"); nothing paid"
        }
        let amount = SpendCheck.amount(paid.reduce(BigUInt(0)) { $0 + $1.amount.baseUnits })
        let usd = cost.amount.baseUnits == 0 ? BigUInt(0) : cost.usd.baseUnits * amount.baseUnits / cost.amount.baseUnits
        spent.append(PricedCost(token: cost.token, decimals: cost.decimals, amount: amount, usd: SpendCheck.amount(usd), rate: cost.rate))
        self["transactions"] = paid.map(\.transaction).joined(separator: ",")
        return "subscribed to \(name) as \(subscription.id), paid \(amount.formatted(decimals: cost.decimals)) \(cost.token) until \(subscription.expiresAt?.formatted(.iso8601) ?? "?")"
    }

    func verifySettlement(_ calls: inout [ToolCall]) async throws -> String {
        let hashes = (self["transactions"] ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
        guard !hashes.isEmpty else { return "nothing to verify: no payment was needed" }
        let owner = try await agent.address(of: wallet, step: todo.step, calls: &calls)
        // The settlement is among the wallet's newest entries unless others settled meanwhile.
        var history = try await agent.tools.call(
            PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: owner, limit: 10), step: todo.step, log: &calls).transactions
        if !hashes.allSatisfy({ hash in history.contains { $0.hash == hash } }) {
            history = try await agent.tools.call(
                PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: owner, limit: 500), step: todo.step, log: &calls).transactions
        }
        var found: [String] = []
        for hash in hashes {
            guard let entry = history.first(where: { $0.hash == hash }) else {
                throw StepFailure("transaction \(hash) is not among the wallet's recent ledger entries")
            }
            found.append("\(entry.hash.prefix(12))… (#\(entry.sequence))")
        }
        return "settled on the ledger: " + found.joined(separator: ", ")
    }

    func history(_ calls: inout [ToolCall]) throws -> String {
        let now = agent.time.now()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let since: Date? =
            switch intent.period {
            case "all": nil
            case "week": now.addingTimeInterval(-7 * 86_400)
            default: calendar.startOfDay(for: now)
            }
        let executions = try agent.store.executions(session: session.id).filter { since == nil || $0.startedAt >= since! }
        var byToken: [String: (Int, BigUInt, BigUInt)] = [:]
        for cost in executions.flatMap(\.costs) {
            let entry = byToken[cost.token] ?? (cost.decimals, 0, 0)
            byToken[cost.token] = (entry.0, entry.1 + cost.amount.baseUnits, entry.2 + cost.usd.baseUnits)
        }
        let total = byToken.values.reduce(BigUInt(0)) { $0 + $1.2 }
        let when = intent.period == "all" ? "in total" : intent.period == "week" ? "in the last 7 days" : "today (UTC)"
        let parts = byToken.keys.sorted().map { token in
            let (decimals, amount, usd) = byToken[token]!
            return "\(SpendCheck.tokens(amount, decimals, token)) (\(SpendCheck.usd(SpendCheck.amount(usd))))"
        }
        let text = parts.isEmpty ? "nothing spent \(when)" : "spent \(when): \(parts.joined(separator: ", ")); total \(SpendCheck.usd(SpendCheck.amount(total)))"
        let result = "\(text) over \(executions.count) command\(executions.count == 1 ? "" : "s")"
        local(&calls, arguments: ["session": session.id, "period": intent.period ?? "today"], result: result)
        return result
    }
}

/// A paid response as the log keeps it: its size, not its body.
struct FetchLogEntry: Encodable {
    let status: Int
    let contentType: String?
    let bodyBytes: Int
    let payment: PaymentRecord?
    let problem: String?
    let subscription: String?
}
