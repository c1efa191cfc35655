/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01 … 0x80), not NIST SHA3-256
/// (0x06). Rate 136 bytes, capacity 512 bits, 32-byte digest.
public enum Keccak256 {
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var sponge = Sponge()
        sponge.absorb(bytes)
        return sponge.finish()
    }

    public static func hash(_ text: String) -> [UInt8] {
        hash(text.utf8)
    }

    /// The absorbing state; feed it in pieces with `absorb`, then `finish` once.
    public struct Sponge {
        private var state = [UInt64](repeating: 0, count: 25)
        private var buffer = [UInt8]()
        static let rate = 136

        public init() {
            buffer.reserveCapacity(Self.rate)
        }

        public mutating func absorb(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                buffer.append(byte)
                if buffer.count == Self.rate {
                    absorbBlock()
                }
            }
        }

        public mutating func finish() -> [UInt8] {
            var block = buffer
            block.append(0x01)
            while block.count < Self.rate { block.append(0) }
            block[Self.rate - 1] |= 0x80
            buffer = block
            absorbBlock()
            var out = [UInt8]()
            out.reserveCapacity(32)
            for lane in state.prefix(4) {
                for shift in stride(from: 0, to: 64, by: 8) {
                    out.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift)))
                }
            }
            return out
        }

        private mutating func absorbBlock() {
            for lane in 0..<(Self.rate / 8) {
                var word: UInt64 = 0
                for byte in 0..<8 {
                    word |= UInt64(buffer[lane * 8 + byte]) << UInt64(8 * byte)
                }
                state[lane] ^= word
            }
            buffer.removeAll(keepingCapacity: true)
            Self.permute(&state)
        }

        private static let roundConstants: [UInt64] = [
            0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
            0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
            0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
            0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
            0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
            0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
        ]

        /// Rotation offsets, indexed by lane x + 5y.
        private static let rotations: [UInt64] = [
            0, 1, 62, 28, 27,
            36, 44, 6, 55, 20,
            3, 10, 43, 25, 39,
            41, 45, 15, 21, 8,
            18, 2, 61, 56, 14,
        ]

        @inline(__always)
        private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
            n == 0 ? x : (x << n) | (x >> (64 - n))
        }

        /// Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι.
        static func permute(_ a: inout [UInt64]) {
            var c = [UInt64](repeating: 0, count: 5)
            var b = [UInt64](repeating: 0, count: 25)
            for round in 0..<24 {
                for x in 0..<5 {
                    c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20]
                }
                for x in 0..<5 {
                    let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                    for y in stride(from: 0, to: 25, by: 5) {
                        a[x + y] ^= d
                    }
                }
                for x in 0..<5 {
                    for y in 0..<5 {
                        let index = x + 5 * y
                        b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[index], rotations[index])
                    }
                }
                for y in stride(from: 0, to: 25, by: 5) {
                    for x in 0..<5 {
                        a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y])
                    }
                }
                a[0] ^= roundConstants[round]
            }
        }
    }
}
