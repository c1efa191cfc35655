import ArgumentParser
import Foundation
import Logging
import PaygentTransport
import PaygentWire

struct BenchEcho: Codable, Sendable {
    var payload: Data
}

struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "RPC round trips over tcp loopback and ipc, against the bare libzmq ping-pong.",
        discussion: "The baseline is ../shared/bench/zmq-pingpong (compiled with cc), run over the same transports in the same run, one process with two threads as here.")

    @Option(help: "Measured calls per case.")
    var calls = 20_000

    @Option(help: "Calls before measuring.")
    var warmup = 2_000

    @Option(help: "Calls in flight for the pipelined case.")
    var inflight = 32

    @Option(help: "Path to the bare ping-pong script (default: shared/bench/zmq-pingpong beside the repository).")
    var pingpong: String?

    func run() async throws {
        let baseline = runBaseline()
        // Each side owns its own context, as separate services would (and as the baseline does).
        let serverContext = ZMQContext()
        let clientContext = ZMQContext()
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let ipcPath = "/tmp/paygent-bench-\(getpid()).ipc"
        defer { unlink(ipcPath) }

        var rows: [Row] = []
        for (transport, endpoint) in [("tcp", "tcp://127.0.0.1:*"), ("ipc", "ipc://\(ipcPath)")] {
            let server = RPCServer(endpoint: endpoint, serviceName: "bench", context: serverContext, logger: logger)
            server.register("echo") { (request: BenchEcho, _) in request }
            let bound = try server.start()
            let client = try RPCClient(endpoint: bound, serviceName: "bench", context: clientContext)
            for depth in [1, inflight] {
                let bare = baseline?.first { $0.transport == transport && $0.inflight == depth }
                let pooled = try await measure(client: client, depth: depth)
                rows.append(Row(transport: transport, inflight: depth, onClientThread: false, ours: pooled, bare: bare))
                let onThread = try await measure(client: client, depth: depth, onClientThread: true)
                rows.append(Row(transport: transport, inflight: depth, onClientThread: true, ours: onThread, bare: bare))
            }
            client.close()
            await server.shutdown(grace: .seconds(1))
        }

        print("rpc: \(calls) calls per case after \(warmup) warm-up, 64-byte payload; bare = libzmq C ping-pong, same transports")
        print("callers: pool = tasks on the shared concurrency pool (the default); client = tasks on the client's own thread (RPCClient.executor)")
        print("")
        print("\(pad("transport", 9)) \(pad("callers", 7)) \(leftPad("in flight", 9)) \(leftPad("p50 µs", 8)) \(leftPad("p99 µs", 8)) \(leftPad("calls/s", 9))   \(leftPad("bare p50", 9)) \(leftPad("bare p99", 9)) \(leftPad("bare rt/s", 10))")
        for row in rows {
            let bare = row.bare
            print("\(pad(row.transport, 9)) \(pad(row.onClientThread ? "client" : "pool", 7)) \(leftPad("\(row.inflight)", 9)) \(leftPad(format(row.ours.p50), 8)) \(leftPad(format(row.ours.p99), 8)) \(leftPad(format(row.ours.rate, 0), 9))   \(leftPad(bare.map { format($0.p50) } ?? "-", 9)) \(leftPad(bare.map { format($0.p99) } ?? "-", 9)) \(leftPad(bare.map { format($0.rate, 0) } ?? "-", 10))")
        }
        if baseline == nil {
            print("")
            print("baseline unavailable: the bare ping-pong could not be run (see above)")
        }

        // Targets are judged on the default way of calling (from the shared pool).
        var verdicts = Verdicts()
        for row in rows where !row.onClientThread {
            guard let bare = row.bare else {
                verdicts.add("rpc-\(row.transport)-\(row.inflight == 1 ? "p50" : "throughput")", measured: "no baseline", goal: "a baseline in the same run", pass: false)
                continue
            }
            if row.inflight == 1 {
                let ratio = row.ours.p50 / bare.p50
                verdicts.add("rpc-\(row.transport)-p50", measured: "\(format(ratio, 2))x bare (\(format(row.ours.p50)) vs \(format(bare.p50)) µs)", goal: "≤ 1.5x", pass: ratio <= 1.5)
            } else {
                let ratio = row.ours.rate / bare.rate
                verdicts.add("rpc-\(row.transport)-throughput-\(row.inflight)", measured: "\(format(ratio, 2))x bare (\(format(row.ours.rate, 0)) vs \(format(bare.rate, 0))/s)", goal: "≥ 0.5x", pass: ratio >= 0.5)
            }
        }
        print("")
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }

    struct Measured {
        var p50: Double
        var p99: Double
        var rate: Double
    }

    struct Row {
        var transport: String
        var inflight: Int
        var onClientThread: Bool
        var ours: Measured
        var bare: BareResult?
    }

    struct BareResult {
        var transport: String
        var inflight: Int
        var p50: Double
        var p99: Double
        var rate: Double
    }

    /// `depth` workers call back to back; each call's latency is recorded.
    private func measure(client: RPCClient, depth: Int, onClientThread: Bool = false) async throws -> Measured {
        let preferred: (any TaskExecutor)? = onClientThread ? client.executor : nil
        let request = BenchEcho(payload: Data(repeating: 0x61, count: 64))
        let perWorkerWarmup = max(1, warmup / depth)
        let perWorker = max(1, calls / depth)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<depth {
                group.addTask(executorPreference: preferred) {
                    for _ in 0..<perWorkerWarmup { let _: BenchEcho = try await client.call("echo", request) }
                }
            }
            try await group.waitForAll()
        }
        let start = ContinuousClock.now
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<depth {
                group.addTask(executorPreference: preferred) {
                    var latencies: [Double] = []
                    latencies.reserveCapacity(perWorker)
                    for _ in 0..<perWorker {
                        let t0 = ContinuousClock.now
                        let _: BenchEcho = try await client.call("echo", request)
                        latencies.append((ContinuousClock.now - t0).inSeconds * 1e6)
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let seconds = (ContinuousClock.now - start).inSeconds
        let percentiles = Percentiles(samples)
        return Measured(p50: percentiles.p50, p99: percentiles.p99, rate: Double(samples.count) / seconds)
    }

    /// Runs the bare ping-pong and parses its lines; nil if it cannot run.
    private func runBaseline() -> [BareResult]? {
        let candidates: [String] = [
            pingpong,
            FileManager.default.currentDirectoryPath + "/../shared/bench/zmq-pingpong",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/bench/zmq-pingpong").path,
        ].compactMap { (path: String?) in path }
        guard let script = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            FileHandle.standardError.write(Data("bare ping-pong not found (tried \(candidates.joined(separator: ", "))); pass --pingpong\n".utf8))
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        let port = 20000 + Int(getpid() % 20000)
        process.arguments = ["--n", "\(calls)", "--warmup", "\(warmup)", "--inflight", "\(inflight)", "--port", "\(port)"]
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            FileHandle.standardError.write(Data("cannot run \(script): \(error)\n".utf8))
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var results: [BareResult] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            var fields: [String: String] = [:]
            for pair in line.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            guard let transport = fields["transport"], let depth = fields["inflight"].flatMap(Int.init),
                let p50 = fields["p50_us"].flatMap(Double.init), let p99 = fields["p99_us"].flatMap(Double.init),
                let rate = fields["rps"].flatMap(Double.init)
            else { continue }
            results.append(BareResult(transport: transport, inflight: depth, p50: p50, p99: p99, rate: rate))
        }
        return results.isEmpty ? nil : results
    }
}
