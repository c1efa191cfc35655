import Foundation
import PaygentCrypto
import PaygentWire

/// A reply that lists the ledger transactions of its batch, filled in once the batch settles.
public protocol SettledReply: Codable {
    var transactions: [String] { get set }
}

/// A write as recorded: what it was asked, what it answered (its transactions once settled).
public struct RecordedWrite: Sendable {
    /// `pending`, `settled` or `failed`.
    public var state: String
    public var request: Data?
    public var reply: Data?
    public var transactions: [String]
    public var error: String?

    public init(state: String, request: Data?, reply: Data?, transactions: [String], error: String?) {
        (self.state, self.request, self.reply, self.transactions, self.error) = (state, request, reply, transactions, error)
    }
}

/// Writes that survive a crash once: a write that moves funds, sent under an idempotency key,
/// gets its id from the key, and its request and reply are recorded with its ledger batch. The
/// RPC server remembers replies only while it runs; a client that sends the same key again after
/// the service restarted (the CLI does, after a dropped connection) is answered from the record
/// instead of moving funds a second time.
public enum IdempotentWrites {
    /// `prefix_` and 8 bytes of keccak256(method ‖ 0 ‖ key), or 6 random bytes without a key.
    public static func id(prefix: String, method: String, key: String?, randomBytes: () -> [UInt8]) -> String {
        guard let key else { return prefix + "_" + Hex.encode(Array(randomBytes().prefix(6))) }
        return prefix + "_" + Hex.encode(Array(Keccak256.hash(Array(method.utf8) + [0] + Array(key.utf8)).prefix(8)))
    }

    /// The request as recorded: JSON with sorted keys, so the same request gives the same bytes.
    public static func fingerprint<Request: Encodable>(_ request: Request) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(request)
    }

    public static func encode<Reply: Encodable>(_ reply: Reply) throws -> Data {
        try fingerprint(reply)
    }

    public static func decode<Reply: Decodable>(_ type: Reply.Type, from data: Data) throws -> Reply {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(Reply.self, from: data)
    }

    /// The answer to a write already recorded under this id: its reply once settled, its refusal
    /// if it failed; `conflict` when the key came with another request. Nil when nothing is
    /// recorded (the write may go ahead).
    public static func replay<Reply: SettledReply>(_ recorded: RecordedWrite?, request: Data, as: Reply.Type) throws -> Reply? {
        guard let recorded else { return nil }
        guard recorded.request == request else {
            throw PaygentError(.conflict, "this idempotency key was used for another request; use a new key for a new one")
        }
        switch recorded.state {
        case "settled":
            guard let data = recorded.reply else { throw PaygentError(.internal, "a settled write has no recorded reply") }
            var reply = try decode(Reply.self, from: data)
            reply.transactions = recorded.transactions
            return reply
        case "failed":
            throw PaygentError(.failedPrecondition, "this request was already refused, nothing moved: \(recorded.error ?? "no reason recorded")")
        default:
            throw PaygentError(.unavailable, "this request was sent and its outcome is not known yet; try again shortly")
        }
    }
}
