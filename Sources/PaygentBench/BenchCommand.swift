import ArgumentParser

/// `paygent-bench`: the speed targets, one subcommand per area. Each prints a table, measures
/// its baseline in the same run, and ends with one `target <name>: ... PASS|FAIL` line per target.
public struct BenchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "paygent-bench",
        abstract: "Measure Paygent against its speed targets (run with `swift run -c release`).",
        discussion: "Machines are noisy: compare the ratios to the baselines measured in the same run, not absolute times.",
        subcommands: [WireBench.self, RPCBench.self, CryptoBench.self, PaymentsBench.self, RegistryBench.self, VVSBench.self, MoonlanderBench.self, AgentBench.self]
    )

    public init() {}
}

/// Runs the targets' verdicts and sets the exit status: 0 when all pass.
struct Verdicts {
    private(set) var lines: [String] = []
    private(set) var failed = false

    /// `target <name>: <measured> (goal <goal>) PASS|FAIL`
    mutating func add(_ name: String, measured: String, goal: String, pass: Bool) {
        lines.append("target \(name): \(measured) (goal \(goal)) \(pass ? "PASS" : "FAIL")")
        if !pass { failed = true }
    }

    func print() {
        for line in lines { Swift.print(line) }
    }
}

/// Percentiles of a sample, in the sample's unit.
struct Percentiles {
    let p50: Double
    let p99: Double
    let mean: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        func at(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
        }
        p50 = at(0.5)
        p99 = at(0.99)
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    }
}

extension Duration {
    /// The duration in seconds, for rates and latencies (`* 1e6` for µs).
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

func format(_ value: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func leftPad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

/// Latency percentiles (µs) and rate (calls/s) of a run of calls.
struct CallTimings {
    var p50: Double
    var p99: Double
    var rate: Double

    /// `depth` workers call back to back, `requests` in all, after a warm-up of up to 100 calls
    /// (numbered from 1,000,000 so they differ from the measured ones).
    static func measure(requests: Int, depth: Int, warmUp: Int = 100, _ call: @escaping @Sendable (Int) async throws -> Void) async throws -> CallTimings {
        for index in 0..<min(warmUp, requests) { try await call(1_000_000 + index) }
        let perWorker = max(1, requests / depth)
        let start = ContinuousClock.now
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<depth {
                group.addTask {
                    var latencies: [Double] = []
                    for index in 0..<perWorker {
                        let t0 = ContinuousClock.now
                        try await call(worker * perWorker + index)
                        latencies.append((ContinuousClock.now - t0).inSeconds * 1e6)
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let percentiles = Percentiles(samples)
        return CallTimings(p50: percentiles.p50, p99: percentiles.p99, rate: Double(samples.count) / (ContinuousClock.now - start).inSeconds)
    }
}
