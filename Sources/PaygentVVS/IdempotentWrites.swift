import Foundation
import PaygentRuntime
import PaygentServiceKit
import PaygentVVSAPI

extension SwapReply: SettledReply {}
extension LiquidityReply: SettledReply {}
extension FarmReply: SettledReply {}

extension IdempotentWrites {
    /// A swap's, deposit's, withdrawal's or farm operation's id (from its idempotency key).
    static func id(prefix: String, method: String, key: String?, random: RandomSource) -> String {
        id(prefix: prefix, method: method, key: key, randomBytes: { random.bytes(6) })
    }

    /// A write's id and recorded request, and its recorded answer if it was made before.
    static func begin<Request: Encodable, Reply: SettledReply>(
        _ request: Request, prefix: String, method: String, key: String?, in table: RecordTable, store: PoolStore, random: RandomSource,
        as: Reply.Type
    ) throws -> (id: String, fingerprint: Data, replayed: Reply?) {
        let id = id(prefix: prefix, method: method, key: key, random: random)
        let fingerprint = try fingerprint(request)
        return (id, fingerprint, try replay(try store.recorded(in: table, id: id), request: fingerprint, as: Reply.self))
    }
}
