import PaygentMoonlanderAPI
import PaygentServiceKit
import PaygentTransport
import PaygentWire

/// The moonlander methods, each a thin call into the desk.
struct MoonlanderHandlers: HandlerGroup {
    let desk: PerpDesk
    let source: any PriceSource

    func register(on server: RPCServer) {
        server.register(MoonlanderMethod.markets) { _, _ in try desk.markets() }
        server.register(MoonlanderMethod.funding) { request, _ in try desk.funding(request) }
        server.register(MoonlanderMethod.positions) { request, _ in try await desk.positions(request) }
        server.register(MoonlanderMethod.open) { request, context in try await desk.open(request, key: context.idempotencyKey) }
        server.register(MoonlanderMethod.close) { request, context in try await desk.close(request, key: context.idempotencyKey) }
        server.register(MoonlanderMethod.collateral) { request, context in try await desk.collateral(request, key: context.idempotencyKey) }
        server.register(MoonlanderMethod.triggers) { request, _ in try await desk.triggers(request) }
        server.register(MoonlanderMethod.priceSet) { request, _ in
            try desk.ready()
            let spec = try PerpDesk.market(request.market)
            let price = try PerpDesk.price(request.price, field: "price")
            try desk.store.setAdminPrice(spec.symbol, price)
            source.set(spec.symbol, price: price)
            return await desk.tick(spec.symbol, OraclePrice(price: price, confidence: 0, publishTime: desk.time.now()))
        }
    }
}
