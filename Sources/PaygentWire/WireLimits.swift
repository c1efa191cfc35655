/// Limits the decoder enforces before it trusts any length or count on the wire.
///
/// Every length is checked against the bytes that remain *and* against these limits before
/// anything is allocated, so a forged length can cost at most a comparison. The defaults suit
/// service messages (payments, plans, logs); raise them only for a peer you trust.
public struct WireLimits: Sendable, Equatable {
    /// Largest message body accepted, in bytes.
    public var maxMessageBytes: Int
    /// Deepest nesting of containers (structs, arrays, enums) accepted; guards the stack.
    public var maxDepth: Int
    /// Longest single string or byte blob accepted, in bytes.
    public var maxStringBytes: Int
    /// Most elements in one array or map, and most fields in one struct.
    public var maxCollectionCount: Int

    public init(
        maxMessageBytes: Int = 4 << 20,
        maxDepth: Int = 48,
        maxStringBytes: Int = 1 << 20,
        maxCollectionCount: Int = 100_000
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxCollectionCount = maxCollectionCount
    }

    public static let `default` = WireLimits()
}
