import Foundation
import PaygentCrypto
import PaygentRuntime
import PaygentVVSAPI
import PaygentWire

/// A reply that lists the ledger transactions of its batch, filled in once the batch settles.
protocol SettledReply: Codable {
    var transactions: [String] { get set }
}

extension SwapReply: SettledReply {}
extension LiquidityReply: SettledReply {}
extension FarmReply: SettledReply {}

/// Writes that survive a crash once: a swap, deposit, withdrawal or farm operation sent under an
/// idempotency key gets its id from the key, and its request and reply are recorded with its
/// batch. The RPC server remembers replies only while it runs; a client that sends the same key
/// again after the service restarted (the CLI does, after a dropped connection) is answered from
/// the record instead of moving funds a second time.
enum IdempotentWrites {
    /// `prefix_` and 8 bytes of keccak256(method ‖ 0 ‖ key), or 6 random bytes without a key.
    static func id(prefix: String, method: String, key: String?, random: RandomSource) -> String {
        guard let key else { return prefix + "_" + Hex.encode(random.bytes(6)) }
        return prefix + "_" + Hex.encode(Array(Keccak256.hash(Array(method.utf8) + [0] + Array(key.utf8)).prefix(8)))
    }

    /// The request as recorded: JSON with sorted keys, so the same request gives the same bytes.
    static func fingerprint<Request: Encodable>(_ request: Request) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(request)
    }

    static func encode<Reply: Encodable>(_ reply: Reply) throws -> Data {
        try fingerprint(reply)
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

    /// The answer to a write already recorded under this id: its reply once settled, its refusal
    /// if it failed; `conflict` when the key came with another request. Nil when nothing is
    /// recorded (the write may go ahead).
    static func replay<Reply: SettledReply>(_ recorded: RecordedWrite?, request: Data, as: Reply.Type) throws -> Reply? {
        guard let recorded else { return nil }
        guard recorded.request == request else {
            throw PaygentError(.conflict, "this idempotency key was used for another request; use a new key for a new one")
        }
        switch recorded.state {
        case "settled":
            guard let data = recorded.reply else { throw PaygentError(.internal, "a settled write has no recorded reply") }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            var reply = try decoder.decode(Reply.self, from: data)
            reply.transactions = recorded.transactions
            return reply
        case "failed":
            throw PaygentError(.failedPrecondition, "this request was already refused, nothing moved: \(recorded.error ?? "no reason recorded")")
        default:
            throw PaygentError(.unavailable, "this request was sent and its outcome is not known yet; try again shortly")
        }
    }
}
