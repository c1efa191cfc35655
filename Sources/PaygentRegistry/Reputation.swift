import Foundation

/// A payment that finished, as the registry counts it.
struct FinishedPayment: Sendable, Equatable {
    let id: String
    let url: String
    let settled: Bool
    let latencyMillis: Double?
    let startedAt: Date
}

enum PaymentOutcome: Equatable {
    case applied([String])
    case duplicate
    case unmatched
}

/// How real payments move a service's figures (`protocol/services/registry.md`, Reputation).
///
/// With n = settled + failed payments and s = settled / n, the reputation is
/// `2.5 + (5·s − 2.5) · n / (n + 10)`: a new service sits at the middle of the scale, and each
/// payment pulls it toward 5·s, the more so the more payments there are (ten payments move it
/// half-way). The success rate is s (1 before any payment); the latency is the median of the
/// latest 101 settled payments' latencies.
enum Reputation {
    static let prior = 2.5
    static let weight = 10.0
    static let latencyWindow = 101

    static func successRate(settled: Int, failed: Int) -> Double {
        settled + failed == 0 ? 1 : Double(settled) / Double(settled + failed)
    }

    static func score(settled: Int, failed: Int) -> Double {
        let n = Double(settled + failed)
        return prior + (5 * successRate(settled: settled, failed: failed) - prior) * n / (n + weight)
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
