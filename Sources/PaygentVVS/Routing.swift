import BigInt
import Synchronization

/// A pool as routing sees it: its two tokens (sorted, as the factory sorts them) and reserves.
public struct PoolReserves: Sendable, Hashable {
    public var id: String
    public var token0: String
    public var token1: String
    public var reserve0: BigUInt
    public var reserve1: BigUInt

    public init(id: String, token0: String, token1: String, reserve0: BigUInt, reserve1: BigUInt) {
        (self.id, self.token0, self.token1, self.reserve0, self.reserve1) = (id, token0, token1, reserve0, reserve1)
    }

    /// The other token of the pair, if `token` is one of them.
    public func other(_ token: String) -> String? {
        token == token0 ? token1 : token == token1 ? token0 : nil
    }

    /// (reserve of `tokenIn`, reserve of the other token).
    public func reserves(in tokenIn: String) -> (BigUInt, BigUInt) {
        tokenIn == token0 ? (reserve0, reserve1) : (reserve1, reserve0)
    }
}

/// A swap path through one to three pools, and the amount at each step (`amounts.first` goes in,
/// `amounts.last` comes out).
public struct SwapRoute: Sendable, Equatable {
    public var pools: [String]
    /// Tokens from the input to the output, one more than `pools`.
    public var tokens: [String]
    public var amounts: [BigUInt]

    public var amountIn: BigUInt { amounts.first ?? 0 }
    public var amountOut: BigUInt { amounts.last ?? 0 }
}

/// The best route between two tokens over a set of pools, as a router that tries every simple
/// path of up to `maxHops` pools would find it: for an exact input, the most output; for an exact
/// output, the least input. Ties go to fewer hops, then to the path whose pool ids sort first.
public struct Router: Sendable {
    public static let maxHops = 3
    let pools: [PoolReserves]
    private let byToken: [String: [Int]]
    private let pathCache: PathCache?
    /// The pools' ids and pairs in order: what the paths depend on.
    private let topology: [String]

    /// - Parameter pathCache: keeps the paths between two tokens across routers over the same
    ///   pools (a new router is built for every new set of reserves).
    public init(pools: [PoolReserves], pathCache: PathCache? = nil) {
        self.pools = pools
        self.pathCache = pathCache
        topology = pools.map { "\($0.id) \($0.token0) \($0.token1)" }
        var byToken: [String: [Int]] = [:]
        for (index, pool) in pools.enumerated() {
            byToken[pool.token0, default: []].append(index)
            byToken[pool.token1, default: []].append(index)
        }
        self.byToken = byToken
    }

    /// Every simple path (no token twice) from `from` to `to` through at most `maxHops` pools,
    /// as pool indices.
    func paths(from: String, to: String, maxHops: Int) -> [[Int]] {
        var found: [[Int]] = []
        var path: [Int] = []
        var visited: Set<String> = [from]
        func walk(_ token: String) {
            guard path.count < maxHops else { return }
            for index in byToken[token] ?? [] {
                guard let next = pools[index].other(token), !visited.contains(next) else { continue }
                path.append(index)
                if next == to {
                    found.append(path)
                } else {
                    visited.insert(next)
                    walk(next)
                    visited.remove(next)
                }
                path.removeLast()
            }
        }
        walk(from)
        return found
    }

    private func cachedPaths(from: String, to: String, maxHops: Int) -> [[Int]] {
        guard let pathCache else { return paths(from: from, to: to, maxHops: maxHops) }
        return pathCache.paths(topology: topology, key: "\(from) \(to) \(maxHops)") { paths(from: from, to: to, maxHops: maxHops) }
    }

    /// The route giving the most of `to` for `amountIn` of `from`; nil when no path can.
    public func bestExactInput(_ amountIn: BigUInt, from: String, to: String, maxHops: Int = Router.maxHops) -> SwapRoute? {
        var best: SwapRoute?
        for path in cachedPaths(from: from, to: to, maxHops: maxHops) {
            guard let route = try? forward(amountIn, from: from, path: path) else { continue }
            if best.map({ Self.better(route, than: $0, by: route.amountOut > $0.amountOut, tie: route.amountOut == $0.amountOut) }) ?? true {
                best = route
            }
        }
        return best
    }

    /// The route needing the least of `from` to receive `amountOut` of `to`; nil when no path can.
    public func bestExactOutput(_ amountOut: BigUInt, from: String, to: String, maxHops: Int = Router.maxHops) -> SwapRoute? {
        var best: SwapRoute?
        for path in cachedPaths(from: from, to: to, maxHops: maxHops) {
            guard let route = try? backward(amountOut, from: from, path: path) else { continue }
            if best.map({ Self.better(route, than: $0, by: route.amountIn < $0.amountIn, tie: route.amountIn == $0.amountIn) }) ?? true {
                best = route
            }
        }
        return best
    }

    /// The amounts along `path` for an exact input (`getAmountsOut`).
    public func forward(_ amountIn: BigUInt, from: String, path: [Int]) throws(ConstantProduct.Failure) -> SwapRoute {
        var token = from
        var route = SwapRoute(pools: [], tokens: [from], amounts: [amountIn])
        for index in path {
            let pool = pools[index]
            guard let next = pool.other(token) else { throw .insufficientLiquidity }
            let (reserveIn, reserveOut) = pool.reserves(in: token)
            let out = try ConstantProduct.amountOut(route.amountOut, reserveIn: reserveIn, reserveOut: reserveOut)
            guard out > 0 else { throw .insufficientOutputAmount }
            route.pools.append(pool.id)
            route.tokens.append(next)
            route.amounts.append(out)
            token = next
        }
        return route
    }

    /// The amounts along `path` for an exact output (`getAmountsIn`), worked back from the end.
    public func backward(_ amountOut: BigUInt, from: String, path: [Int]) throws(ConstantProduct.Failure) -> SwapRoute {
        var tokens = [from]
        for index in path {
            guard let next = pools[index].other(tokens.last!) else { throw .insufficientLiquidity }
            tokens.append(next)
        }
        var amounts = [amountOut]
        for (step, index) in path.enumerated().reversed() {
            let (reserveIn, reserveOut) = pools[index].reserves(in: tokens[step])
            amounts.insert(try ConstantProduct.amountIn(amounts[0], reserveIn: reserveIn, reserveOut: reserveOut), at: 0)
        }
        return SwapRoute(pools: path.map { pools[$0].id }, tokens: tokens, amounts: amounts)
    }

    private static func better(_ route: SwapRoute, than best: SwapRoute, by strictly: Bool, tie: Bool) -> Bool {
        if strictly { return true }
        guard tie else { return false }
        if route.pools.count != best.pools.count { return route.pools.count < best.pools.count }
        return route.pools.lexicographicallyPrecedes(best.pools)
    }
}

/// The simple paths between two tokens, which depend only on which pools exist, kept across
/// routers: a swap changes reserves, not the pools, so the next router finds its paths here.
public final class PathCache: Sendable {
    private let state = Mutex<(topology: [String], paths: [String: [[Int]]])>(([], [:]))

    public init() {}

    func paths(topology: [String], key: String, compute: () -> [[Int]]) -> [[Int]] {
        let cached = state.withLock { $0.topology == topology ? $0.paths[key] : nil }
        if let cached { return cached }
        let computed = compute()
        state.withLock { state in
            if state.topology != topology { state = (topology, [:]) }
            state.paths[key] = computed
        }
        return computed
    }
}
