import PaygentWire

/// Replies remembered by idempotency key, so that a retried request gets the first answer
/// instead of being applied again (the zguide's "idempotent services" pattern).
///
/// It lives in the server's memory and covers retries while the process runs. A service whose
/// effects must survive a crash (a payment) also keeps the key in its own database.
struct IdempotencyCache {
    struct Stored {
        var kind: MessageKind
        var errorCode: ErrorCode?
        var errorMessage: String?
        var body: [UInt8]
        var at: UInt64
        /// `fingerprint` of the request body the key was first used with.
        var requestFingerprint: Int
    }

    private var replies: [String: Stored] = [:]
    private var order: [String] = []
    private var head = 0
    let capacity: Int
    let ttlNanos: UInt64

    init(capacity: Int = 10_000, ttlSeconds: UInt64 = 900) {
        self.capacity = capacity
        ttlNanos = ttlSeconds * 1_000_000_000
    }

    static func key(method: String, idempotencyKey: String) -> String {
        method + "\u{0}" + idempotencyKey
    }

    /// Tells request bodies apart within this process (SipHash with the process's random seed).
    static func fingerprint(_ body: [UInt8]) -> Int {
        var hasher = Hasher()
        body.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    func lookup(_ key: String, now: UInt64) -> Stored? {
        guard let stored = replies[key], now - stored.at < ttlNanos else { return nil }
        return stored
    }

    /// Remembers a reply, evicting the oldest when full.
    mutating func store(_ key: String, _ reply: Stored) {
        if replies.updateValue(reply, forKey: key) == nil {
            order.append(key)
        }
        while replies.count > capacity, head < order.count {
            replies.removeValue(forKey: order[head])
            head += 1
        }
        if head > 4096 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    /// Errors worth remembering are answers; transient ones are not, so a retry can succeed.
    static func isCacheable(_ code: ErrorCode?) -> Bool {
        guard let code else { return true }
        return ![ErrorCode.unavailable, .deadlineExceeded, .cancelled, .internal].contains(code)
    }
}
