import PaygentWire

/// Hostile-input checks for any message type in one call (after NIO's
/// `ByteToMessageDecoderVerifier` and swift-protobuf's fuzz rule): given a valid encoding, every
/// strict prefix must be `truncated`, a trailing byte `trailingBytes`, and each of a bounded number
/// of seeded mutations (flipped bits, random bytes, cuts, inserted garbage, deleted runs) must
/// decode to a value that encodes again, or fail with a `WireError`. A crash fails the test run.
public enum WireVerifier {
    /// The problems found; empty when the decoder held.
    public static func problems<T: Codable>(_ type: T.Type, _ value: T, mutations: Int = 300, seed: UInt64 = 0x5EED) -> [String] {
        guard let bytes = try? BinaryEncoder().encode(value) else { return ["\(type) does not encode"] }
        return problems(name: "\(type)", bytes: bytes, mutations: mutations, seed: seed) { bytes in
            try BinaryEncoder().encode(try BinaryDecoder().decode(T.self, from: bytes))
        }
    }

    /// The same checks through `roundTrip`, which decodes bytes as the message's type and encodes
    /// the value again.
    public static func problems(
        name: String, bytes: [UInt8], mutations: Int = 300, seed: UInt64 = 0x5EED, roundTrip: ([UInt8]) throws -> [UInt8]
    ) -> [String] {
        var problems: [String] = []
        func kind(_ input: [UInt8]) -> WireError.Kind? {
            do {
                _ = try roundTrip(input)
                return nil
            } catch let error as WireError {
                return error.kind
            } catch {
                problems.append("\(name): an error that is not a WireError: \(error)")
                return nil
            }
        }
        for length in 0..<bytes.count {
            let got = kind(Array(bytes.prefix(length)))
            if got != .truncated { problems.append("\(name): the \(length)-byte prefix gave \(got.map { "\($0)" } ?? "a value"), not truncated") }
        }
        let trailing = kind(bytes + [0])
        if trailing != .trailingBytes { problems.append("\(name): a trailing byte gave \(trailing.map { "\($0)" } ?? "a value"), not trailingBytes") }
        var random = SeededRandom(seed: seed)
        for _ in 0..<mutations where !bytes.isEmpty {
            var mutated = bytes
            switch random.next() % 5 {
            case 0:
                let index = Int(random.next() % UInt64(mutated.count))
                mutated[index] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
            case 1:
                mutated[Int(random.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: random.next())
            case 2:
                mutated = Array(mutated.prefix(Int(random.next() % UInt64(mutated.count))))
            case 3:
                let index = Int(random.next() % UInt64(mutated.count + 1))
                mutated.insert(contentsOf: (0..<(1 + random.next() % 8)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: index)
            default:
                let index = Int(random.next() % UInt64(mutated.count))
                mutated.removeSubrange(index..<(index + min(mutated.count - index, 1 + Int(random.next() % 6))))
            }
            _ = kind(mutated)
        }
        return problems
    }
}

/// SplitMix64: a small seeded generator, so that mutations are the same on every run (and a
/// failing one can be replayed).
public struct SeededRandom {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
