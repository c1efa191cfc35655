import ArgumentParser
import Foundation
import PaygentWire

/// A representative payment message: what a settle request or payment record carries.
struct BenchPayment: Codable, Equatable {
    var id: UUID
    var from: String
    var to: String
    var value: UInt64
    var token: String
    var network: String
    var validAfter: UInt64
    var validBefore: UInt64
    var nonce: Data
    var signature: Data
    var resource: String
    var createdAt: Date
    var idempotencyKey: String
    var memo: String?

    static let sample = BenchPayment(
        id: UUID(uuidString: "0B8E9F3C-2D4A-4C6B-9E1F-7A8B9C0D1E2F")!,
        from: "0x857b06519E91e3A54538791bDbb0E22373e36b66",
        to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
        value: 100_000, token: "USDC", network: "eip155:338",
        validAfter: 1_764_115_140, validBefore: 1_764_115_800,
        nonce: Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }),
        signature: Data((0..<65).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }),
        resource: "http://127.0.0.1:8402/market/prices",
        createdAt: Date(timeIntervalSince1970: 1_764_115_200.25),
        idempotencyKey: "fetch-0b8e9f3c", memo: "market data")
}

struct WireBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Encode+decode of a payment message: our binary codec against Foundation JSON.")

    @Option(help: "Round trips per measurement round.")
    var iterations = 50_000

    @Option(help: "Rounds; the median round counts.")
    var rounds = 5

    func run() throws {
        let message = BenchPayment.sample
        let binary = try measure("binary (paygent)") {
            let bytes = try BinaryEncoder().encode(message)
            return (try BinaryDecoder().decode(BenchPayment.self, from: bytes), bytes.count)
        }
        let json = try measure("JSON (Foundation)") {
            let data = try JSONEncoder().encode(message)
            return (try JSONDecoder().decode(BenchPayment.self, from: data), data.count)
        }

        print("wire: encode+decode of a 14-field payment message, \(iterations) round trips x \(rounds) rounds (median)")
        print("")
        print("\(pad("codec", 20)) \(leftPad("size (B)", 9)) \(leftPad("round trip (µs)", 16)) \(leftPad("round trips/s", 14))")
        for result in [binary, json] {
            print("\(pad(result.name, 20)) \(leftPad("\(result.size)", 9)) \(leftPad(format(result.micros, 2), 16)) \(leftPad(format(1e6 / result.micros, 0), 14))")
        }
        let speedup = json.micros / binary.micros
        print("")
        print("binary is \(format(speedup))x faster and \(format(Double(json.size) / Double(binary.size)))x smaller than JSON")
        var verdicts = Verdicts()
        verdicts.add("wire-vs-json", measured: "\(format(speedup))x faster", goal: "≥ 10x", pass: speedup >= 10)
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }

    struct Result {
        let name: String
        let size: Int
        let micros: Double
    }

    private func measure(_ name: String, _ roundTrip: () throws -> (BenchPayment, Int)) throws -> Result {
        let (decoded, size) = try roundTrip()
        guard decoded == BenchPayment.sample else {
            throw ValidationError("\(name) did not round-trip the message")
        }
        for _ in 0..<min(iterations, 1000) { _ = try roundTrip() }
        var perRound: [Double] = []
        for _ in 0..<max(1, rounds) {
            let start = ContinuousClock.now
            for _ in 0..<iterations { _ = try roundTrip() }
            perRound.append((ContinuousClock.now - start).inSeconds * 1e6 / Double(iterations))
        }
        return Result(name: name, size: size, micros: Percentiles(perRound).p50)
    }
}
