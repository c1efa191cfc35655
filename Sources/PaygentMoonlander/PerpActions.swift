import BigInt
import Foundation
import Logging
import PaygentLedgerAccounts
import PaygentMoonlanderAPI
import PaygentPaymentsAPI
import PaygentServiceKit
import PaygentWire

/// Opening, closing, collateral and triggers. Each is checked as far as it can be before the
/// wallet signs anything, then priced and settled in the desk's queue on the oracle's price at
/// that moment. Writes sent under an idempotency key get their id from it and are answered from
/// the record when sent again, even after a restart.
extension PerpDesk {
    func open(_ request: OpenRequest, key: String?) async throws -> PositionReply {
        let id = IdempotentWrites.id(prefix: "pos", method: MoonlanderMethod.open.name, key: key, randomBytes: { random.bytes(6) })
        let fingerprint = try IdempotentWrites.fingerprint(request)
        if let replayed = try IdempotentWrites.replay(try store.recorded(id: id), request: fingerprint, as: PositionReply.self) { return replayed }
        let vault = try ready().vaultAddress
        let spec = try Self.market(request.market)
        guard let side = PerpMath.Side(rawValue: request.side.lowercased()) else {
            throw PaygentError(.badRequest, "side is '\(request.side)'; it must be long or short; nothing moved")
        }
        guard (1...spec.terms.maxLeverage).contains(request.leverage) else {
            throw PaygentError(.badRequest, "leverage \(request.leverage)× is outside 1–\(spec.terms.maxLeverage)× for \(spec.symbol); nothing moved")
        }
        let deposit = try Self.usdc(request.collateral, field: "collateral")
        guard deposit >= spec.minCollateral else {
            throw PaygentError(
                .badRequest, "collateral \(Self.usdcText(deposit)) USDC is below \(spec.symbol)'s minimum of \(Self.usdcText(spec.minCollateral)) USDC; nothing moved")
        }
        let stop = try request.stopLoss.map { text throws(PaygentError) in try Self.price(text, field: "stop-loss") }
        let take = try request.takeProfit.map { text throws(PaygentError) in try Self.price(text, field: "take-profit") }
        try checkRoom(spec, side: side, size: deposit * BigUInt(request.leverage), deposit: deposit, state: try ready())
        let current = try prices.fresh(spec.symbol, now: time.now())
        try Self.checkTriggers(side, stopLoss: stop, takeProfit: take, price: current.price)

        let authorization = try await payments.call(
            PaymentsMethod.walletAuthorize,
            WalletAuthorizeRequest(wallet: request.wallet, to: vault, token: Self.collateralToken, amount: Self.usdcText(deposit), validSeconds: 60),
            deadline: .seconds(10), idempotencyKey: "moonlander-\(id)-in")
        guard authorization.to.lowercased() == vault.lowercased(), authorization.value.baseUnits == deposit,
            authorization.token.lowercased() == (try tokens.all()[Self.collateralToken]?.address.lowercased())
        else {
            throw PaygentError(.internal, "the wallet's authorization is not for the collateral asked; refused, nothing moved")
        }
        guard active.withLock({ $0.insert(id).inserted }) else {
            throw PaygentError(.unavailable, "an open under this idempotency key is on its way; try again shortly")
        }
        defer { _ = active.withLock { $0.remove(id) } }
        let priced: Priced = try await run {
            if let replayed = try IdempotentWrites.replay(try store.recorded(id: id), request: fingerprint, as: PositionReply.self) { return .replayed(replayed) }
            let now = time.now()
            let price = try prices.fresh(spec.symbol, now: now).price
            try Self.checkTriggers(side, stopLoss: stop, takeProfit: take, price: price)
            let opened: (position: PerpMath.Position, fees: BigUInt)
            do {
                opened = try PerpMath.open(side, deposit: deposit, leverage: request.leverage, price: price, market: spec.terms)
            } catch {
                throw PaygentError(.badRequest, "collateral \(Self.usdcText(deposit)) USDC does not cover the opening fees; nothing moved")
            }
            try Self.checkStopBeforeLiquidation(opened.position, stopLoss: stop, market: spec.terms)
            try checkRoom(spec, side: side, size: opened.position.size, deposit: deposit, state: try ready())
            let record = PositionRecord(
                id: id, wallet: authorization.from.lowercased(), market: spec.symbol, state: .open, position: opened.position, stopLoss: stop,
                takeProfit: take, openedAt: now)
            let reply = PositionReply(
                action: .open, position: info(record, mark: price), price: PerpFormat.price(price), fees: Self.amount(opened.fees),
                moved: Self.amount(deposit), realizedPnl: "0", transactions: [])
            let effect = PerpEffect(
                positions: [record], openInterest: [OpenInterestChange(market: spec.symbol, side: side, added: opened.position.size, removed: 0)],
                vaultIn: deposit)
            reserve(record, deposit: deposit)
            return .priced(
                OpenBlocks.Member(
                    row: PerpStore.BlockMember(id: id, key: key, effect: effect, request: fingerprint, reply: try IdempotentWrites.encode(reply)),
                    transfer: authorization, position: record, deposit: deposit), reply)
        }
        switch priced {
        case .replayed(let reply):
            return reply
        case .priced(let member, var reply):
            switch await blocks.submit(member) {
            case .success(let transaction):
                reply.transactions = [transaction]
                publisher.publish(MoonlanderEvent.opened, reply)
                log("position opened", reply)
                return reply
            case .failure(let error):
                throw error
            }
        }
    }

    /// An open ready for its block, or the answer recorded for its key.
    enum Priced: Sendable {
        case priced(OpenBlocks.Member, PositionReply)
        case replayed(PositionReply)
    }

    func close(_ request: CloseRequest, key: String?) async throws -> PositionReply {
        let id = IdempotentWrites.id(prefix: "act", method: MoonlanderMethod.close.name, key: key, randomBytes: { random.bytes(6) })
        let fingerprint = try IdempotentWrites.fingerprint(request)
        if let replayed = try IdempotentWrites.replay(try store.recorded(id: id), request: fingerprint, as: PositionReply.self) { return replayed }
        try ready()
        let size = try request.size.map { text throws(PaygentError) in try Self.usdc(text, field: "size") }
        let wallet = try await walletAddress(request.wallet)
        return try await run {
            if let replayed = try IdempotentWrites.replay(try store.recorded(id: id), request: fingerprint, as: PositionReply.self) { return replayed }
            let record = try owned(request.position, by: wallet)
            let price = try prices.fresh(record.market, now: time.now()).price
            if let size, size > record.position.size {
                throw PaygentError(
                    .badRequest, "size \(Self.usdcText(size)) USDC is more than the position's \(Self.usdcText(record.position.size)); nothing moved")
            }
            let reply = try await closePosition(record, at: price, size: size, action: .close, id: id, key: key, request: fingerprint)
            publisher.publish(MoonlanderEvent.closed, reply)
            log("position closed", reply)
            return reply
        }
    }

    func collateral(_ request: CollateralRequest, key: String?) async throws -> PositionReply {
        let id = IdempotentWrites.id(prefix: "act", method: MoonlanderMethod.collateral.name, key: key, randomBytes: { random.bytes(6) })
        let fingerprint = try IdempotentWrites.fingerprint(request)
        if let replayed = try IdempotentWrites.replay(try store.recorded(id: id), request: fingerprint, as: PositionReply.self) { return replayed }
        let vault = try ready().vaultAddress
        let amount = try Self.usdc(request.amount, field: "amount")
        let wallet = try await walletAddress(request.wallet)
        _ = try owned(request.position, by: wallet)
        let deposit: SignedTransferMessage? =
            request.change == .add
            ? try await payments.call(
                PaymentsMethod.walletAuthorize,
                WalletAuthorizeRequest(wallet: wallet, to: vault, token: Self.collateralToken, amount: Self.usdcText(amount), validSeconds: 60),
                deadline: .seconds(10), idempotencyKey: "moonlander-\(id)-in") : nil
        if let deposit, deposit.value.baseUnits != amount || deposit.to.lowercased() != vault.lowercased() {
            throw PaygentError(.internal, "the wallet's authorization is not for the collateral asked; refused, nothing moved")
        }
        return try await run {
            if let replayed = try IdempotentWrites.replay(try store.recorded(id: id), request: fingerprint, as: PositionReply.self) { return replayed }
            var record = try owned(request.position, by: wallet)
            let spec = try Self.market(record.market)
            let price = try prices.fresh(record.market, now: time.now()).price
            let batch: SettleRequest
            var effect = PerpEffect(positions: [])
            if let deposit {
                record.position.collateral += amount
                batch = SettleRequest(transfers: [deposit])
                effect.vaultIn = amount
            } else {
                guard amount < record.position.collateral else {
                    throw PaygentError(
                        .failedPrecondition,
                        "removing \(Self.usdcText(amount)) USDC would leave no collateral (the position holds \(Self.usdcText(record.position.collateral))); close it instead, nothing moved")
                }
                record.position.collateral -= amount
                guard record.position.collateral >= spec.minCollateral else {
                    throw PaygentError(
                        .failedPrecondition,
                        "removing \(Self.usdcText(amount)) USDC would leave \(Self.usdcText(record.position.collateral)) USDC of collateral, below \(spec.symbol)'s minimum of \(Self.usdcText(spec.minCollateral)) USDC; nothing moved")
                }
                // The limit is on margin without unrealized profit: a profit may still vanish.
                let margin = PerpMath.marginWithoutProfit(record.position, at: price)
                guard margin * BigUInt(spec.terms.maxLeverage) >= record.position.size, !PerpMath.isLiquidatable(record.position, at: price, market: spec.terms)
                else {
                    throw PaygentError(
                        .failedPrecondition,
                        "removing \(Self.usdcText(amount)) USDC would take the position past \(spec.symbol)'s \(spec.terms.maxLeverage)× leverage limit at \(PerpFormat.price(price)) (unrealized profit does not count); nothing moved")
                }
                batch = SettleRequest(transfers: [
                    try AccountSigner(tokens: tokens, random: random).transfer(
                        from: try vaultKey, token: Self.collateralToken, amount: amount, to: record.wallet, validBefore: AccountSigner.validBefore(time.now()))
                ])
                effect.vaultOut = amount
            }
            effect.positions = [record]
            var reply = PositionReply(
                action: request.change == .add ? .addCollateral : .removeCollateral, position: info(record, mark: price), price: PerpFormat.price(price),
                fees: .zero, moved: Self.amount(amount), realizedPnl: "0", transactions: [])
            reply.transactions = try await settle(
                id: id, kind: "collateral", position: record.id, key: key, batch: batch,
                effect: effect, request: fingerprint, reply: try IdempotentWrites.encode(reply))
            return reply
        }
    }

    func triggers(_ request: TriggersRequest) async throws -> PositionReply {
        try ready()
        let wallet = try await walletAddress(request.wallet)
        return try await run {
            var record = try owned(request.position, by: wallet)
            record.stopLoss = try Self.trigger(request.stopLoss, field: "stop-loss", current: record.stopLoss)
            record.takeProfit = try Self.trigger(request.takeProfit, field: "take-profit", current: record.takeProfit)
            let price = try prices.fresh(record.market, now: time.now()).price
            try Self.checkTriggers(record.position.side, stopLoss: record.stopLoss, takeProfit: record.takeProfit, price: price)
            try Self.checkStopBeforeLiquidation(record.position, stopLoss: record.stopLoss, market: try Self.market(record.market).terms)
            let effect = PerpEffect(positions: [record])
            try store.apply(effect)
            absorb(effect)
            return PositionReply(
                action: .triggers, position: info(record, mark: price), price: PerpFormat.price(price), fees: .zero, moved: .zero, realizedPnl: "0",
                transactions: [])
        }
    }

    // MARK: closing

    /// Closes all of `record` (or `size` of it) at `price`: PnL and the closing fees realized, the
    /// rest of its margin paid by the vault to the wallet (nothing moves when nothing is left).
    func closePosition(
        _ record: PositionRecord, at price: BigUInt, size: BigUInt?, action: PositionReply.Action, id: String, key: String?, request: Data?
    ) async throws -> PositionReply {
        let spec = try Self.market(record.market)
        let now = time.now()
        var after = record
        let closing: PerpMath.Position
        if let size, size < record.position.size {
            let parts = PerpMath.split(record.position, closing: size)
            guard parts.remaining.collateral >= spec.minCollateral else {
                throw PaygentError(
                    .failedPrecondition,
                    "closing \(Self.usdcText(size)) USDC of size would leave \(Self.usdcText(parts.remaining.collateral)) USDC of collateral, below \(spec.symbol)'s minimum of \(Self.usdcText(spec.minCollateral)) USDC; close it all instead, nothing moved")
            }
            (closing, after.position) = (parts.closing, parts.remaining)
        } else {
            closing = record.position
            after.state = .closed
            (after.closedAt, after.closePrice, after.closeReason) = (now, price, action == .close ? "user" : action.rawValue)
        }
        let (payout, fees) = PerpMath.close(closing, at: price, market: spec.terms)
        let pnl = PerpMath.pnl(closing, at: price)
        after.payout += payout
        (after.realizedProfit, after.realizedPnl) = PerpMath.add((after.realizedProfit, after.realizedPnl), pnl)
        let batch = payout > 0
            ? SettleRequest(transfers: [
                try AccountSigner(tokens: tokens, random: random).transfer(
                    from: try vaultKey, token: Self.collateralToken, amount: payout, to: record.wallet, validBefore: AccountSigner.validBefore(now))
            ]) : nil
        var reply = PositionReply(
            action: action, position: info(after, mark: price), price: PerpFormat.price(price), fees: Self.amount(fees), moved: Self.amount(payout),
            realizedPnl: PerpFormat.signed(profit: pnl.profit, pnl.amount), carriedFees: Self.amount(closing.accruedFees),
            fundingReceived: Self.amount(closing.fundingReceived), transactions: [])
        reply.transactions = try await settle(
            id: id, kind: action.rawValue, position: record.id, key: key, batch: batch,
            effect: PerpEffect(
                positions: [after], openInterest: [OpenInterestChange(market: record.market, side: closing.side, added: 0, removed: closing.size)],
                vaultOut: payout),
            request: request,
            reply: try IdempotentWrites.encode(reply))
        return reply
    }

    /// Liquidates `record` at `price`: nothing is paid; what margin it had left stays in the vault.
    func liquidate(_ record: PositionRecord, at price: BigUInt, id: String) async throws -> PositionReply {
        let now = time.now()
        var after = record
        after.state = .liquidated
        (after.closedAt, after.closePrice, after.closeReason) = (now, price, "liquidation")
        let pnl = PerpMath.pnl(record.position, at: price)
        (after.realizedProfit, after.realizedPnl) = PerpMath.add((after.realizedProfit, after.realizedPnl), pnl)
        let reply = PositionReply(
            action: .liquidation, position: info(after, mark: price), price: PerpFormat.price(price), fees: .zero, moved: .zero,
            realizedPnl: PerpFormat.signed(profit: pnl.profit, pnl.amount), carriedFees: Self.amount(record.position.accruedFees),
            fundingReceived: Self.amount(record.position.fundingReceived), transactions: [])
        _ = try await settle(
            id: id, kind: "liquidation", position: record.id, key: nil, batch: nil,
            effect: PerpEffect(
                positions: [after],
                openInterest: [OpenInterestChange(market: record.market, side: record.position.side, added: 0, removed: record.position.size)]),
            request: nil, reply: nil)
        return reply
    }

    /// One line per position event, with its numbers (no wallet key or signature ever).
    func log(_ message: Logger.Message, _ reply: PositionReply) {
        logger.info(message, metadata: [
            "moonlander.position": "\(reply.position.id)", "moonlander.market": "\(reply.position.market)", "moonlander.side": "\(reply.position.side)",
            "moonlander.size": "\(reply.position.size)", "moonlander.price": "\(reply.price)", "moonlander.moved": "\(reply.moved)",
            "moonlander.pnl": "\(reply.realizedPnl)",
        ])
    }

    // MARK: checks

    /// The wallet's open position `id`; the same answer for one that is not there and one that is
    /// someone else's, so ids cannot be probed.
    func owned(_ id: String, by wallet: String) throws -> PositionRecord {
        if let record = state.withLock({ $0.open[id] }) {
            guard record.wallet == wallet else { throw PaygentError(.notFound, "no position \(id) of wallet \(wallet)") }
            return record
        }
        guard let record = try store.position(id), record.wallet == wallet else {
            throw PaygentError(.notFound, "no position \(id) of wallet \(wallet)")
        }
        throw PaygentError(.failedPrecondition, "position \(id) is already \(record.state.rawValue); nothing moved")
    }

    func marketState(_ symbol: String, _ state: Snapshot) throws -> MarketState {
        guard let market = state.markets[symbol] else { throw PaygentError(.internal, "no state recorded for market \(symbol)") }
        return market
    }

    /// Each side's open-interest cap, and the vault's liquidity: what it could owe every open
    /// position (collateral, funding received and a profit up to the size) must stay within its
    /// balance.
    func checkRoom(_ spec: MarketSpec, side: PerpMath.Side, size: BigUInt, deposit: BigUInt, state: Snapshot) throws {
        let market = try marketState(spec.symbol, state)
        let cap = spec.maxOpenInterest(vaultSeed: state.vaultSeed)
        let current = (side == .long ? market.longOpenInterest : market.shortOpenInterest)
            + (state.reserved.openInterest[Reserved.key(spec.symbol, side)] ?? 0)
        guard current + size <= cap else {
            throw PaygentError(
                .failedPrecondition,
                "\(spec.symbol) \(side.rawValue) open interest would reach \(Self.usdcText(current + size)) USDC, above its cap of \(Self.usdcText(cap)); nothing moved")
        }
        guard state.liability + state.reserved.liability + deposit + size <= state.vaultBalance + state.reserved.vault + deposit else {
            throw PaygentError(.failedPrecondition, "the vault's liquidity cannot cover another \(Self.usdcText(size)) USDC of size now; nothing moved")
        }
    }

    /// A trigger as a request changes it: absent keeps `current`, `none` clears it.
    static func trigger(_ text: String?, field: String, current: BigUInt?) throws(PaygentError) -> BigUInt? {
        guard let text else { return current }
        return text.lowercased() == "none" ? nil : try price(text, field: field)
    }

    /// A stop-loss the liquidation price would always beat never fires: refused.
    static func checkStopBeforeLiquidation(_ position: PerpMath.Position, stopLoss: BigUInt?, market: PerpMath.Market) throws(PaygentError) {
        guard let stopLoss, let liquidation = PerpMath.liquidationPrice(position, market: market) else { return }
        let beyond = position.side == .long ? stopLoss <= liquidation : stopLoss >= liquidation
        guard !beyond else {
            throw PaygentError(
                .badRequest,
                "the stop-loss \(PerpFormat.price(stopLoss)) is past the liquidation price \(PerpFormat.price(liquidation)): it would never fire; nothing moved")
        }
    }

    /// A long's stop-loss below the price and take-profit above it; a short's the other way.
    static func checkTriggers(_ side: PerpMath.Side, stopLoss: BigUInt?, takeProfit: BigUInt?, price: BigUInt) throws(PaygentError) {
        let now = PerpFormat.price(price)
        switch side {
        case .long:
            if let stopLoss, stopLoss >= price { throw PaygentError(.badRequest, "a long's stop-loss must be below the price (\(now)); nothing moved") }
            if let takeProfit, takeProfit <= price { throw PaygentError(.badRequest, "a long's take-profit must be above the price (\(now)); nothing moved") }
        case .short:
            if let stopLoss, stopLoss <= price { throw PaygentError(.badRequest, "a short's stop-loss must be above the price (\(now)); nothing moved") }
            if let takeProfit, takeProfit >= price { throw PaygentError(.badRequest, "a short's take-profit must be below the price (\(now)); nothing moved") }
        }
    }
}
