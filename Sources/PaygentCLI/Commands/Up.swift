import ArgumentParser
import Foundation
import PaygentAPI
import PaygentRuntime
import PaygentTransport

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start every Paygent service locally.",
        discussion: """
            Starts each service as a child process on the configured endpoints, waits until each answers `health`, and prints where each listens. Without --detach it stays in the foreground and stops them all on Ctrl-C or SIGTERM; with --detach it leaves them running (pids in <data>/run) for `paygent down` to stop.

            Each service's output goes to <data>/logs/<service>.log; `paygent logs --follow` shows them all live.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Leave the services running in the background and return.")
    var detach = false

    @Option(help: ArgumentHelp("Seconds to wait for every service to answer health.", valueName: "seconds"))
    var timeout: Double = 30

    func run() async throws {
        let config = try global.load()
        let style = Style.forStandardOutput()
        let supervisor = Supervisor(config: config, configFile: global.config)
        let context = ZMQContext()
        let probe = HealthProbe(config: config, context: context)

        // Refuse to start a second copy over one that is already answering.
        let existing = await probe.check(ServiceName.startOrder, deadline: .milliseconds(300))
        let running = ServiceName.startOrder.filter { (try? existing[$0]?.get()) != nil }
        if !running.isEmpty {
            throw ValidationError("already running: \(running.map(\.rawValue).joined(separator: ", ")); see `paygent status`, or stop them with `paygent down`")
        }

        // Signals are caught from here on, so a Ctrl-C during start-up still stops the children.
        let termination = TerminationSignal()
        var children: [(ServiceName, Process)] = []
        var market: Process?
        do {
            for service in ServiceName.startOrder {
                children.append((service, try supervisor.launch(service)))
            }
            try await waitUntilHealthy(children, probe: probe, supervisor: supervisor)
            // The sample paid API, once the facilitator it settles through is up.
            try await waitForHTTP(config.facilitatorHTTP, what: "the facilitator HTTP API (payments)", timeout: timeout)
            market = try supervisor.launch(executable: Self.market, logName: "market")
            try await waitForHTTP(config.marketHTTP, what: Self.market, timeout: timeout, process: market)
        } catch {
            if let market { await Self.stop(market, Self.market) }
            await stopAll(children)
            throw error
        }

        let health = await probe.check(ServiceName.startOrder)
        var table = Table(headers: ["SERVICE", "PID", "RPC", "PUB"])
        for (service, process) in children {
            let reply = try? health[service]?.get()
            table.rows.append([
                service.rawValue, "\(process.processIdentifier)",
                reply?.rpcEndpoint ?? config.endpoints(service).rpc, reply?.pubEndpoint ?? config.endpoints(service).pub,
            ])
        }
        print(table.render(style: style) { _, column, text in column == 0 ? style.service(text) : text })
        print("facilitator (x402 HTTP): \(config.facilitatorURL)   sample paid API: \(config.marketURL)/prices (pid \(market?.processIdentifier ?? 0))")
        print("data: \(config.dataDirectory)   logs: \(config.logDirectory)")

        if detach {
            for (service, process) in children {
                try supervisor.writePid(service, process.processIdentifier)
            }
            if let market { try supervisor.writePid(named: "market", market.processIdentifier) }
            print(style.green("all services up") + " (detached; stop with `paygent down`)")
            return
        }
        print(style.green("all services up") + "; Ctrl-C stops them. In another terminal: `paygent logs --follow`")
        flushStandardOutput()

        let watched = Children(list: children)
        let exited = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                _ = await termination.wait()
                return nil
            }
            group.addTask {
                while !Task.isCancelled {
                    if let gone = watched.list.first(where: { !$0.1.isRunning }) { return gone.0.rawValue }
                    try? await Task.sleep(for: .milliseconds(200))
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let exited {
            writeError("\(exited) exited unexpectedly; stopping the others. Its log:\n\(supervisor.logTail(ServiceName(rawValue: exited)!))")
        }
        print("stopping…")
        flushStandardOutput()
        if let market { await Self.stop(market, Self.market) }
        await stopAll(children)
        print("stopped")
        if exited != nil { throw ExitCode(1) }
    }

    private func waitUntilHealthy(_ children: [(ServiceName, Process)], probe: HealthProbe, supervisor: Supervisor) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var pending = Set(children.map(\.0))
        while !pending.isEmpty {
            for (service, process) in children where pending.contains(service) && !process.isRunning {
                throw SupervisorError("\(service.executable) exited during start-up (status \(process.terminationStatus)). Its log:\n\(supervisor.logTail(service))")
            }
            let results = await probe.check(Array(pending), deadline: .milliseconds(500))
            for (service, result) in results where (try? result.get()) != nil {
                pending.remove(service)
            }
            if pending.isEmpty { break }
            guard ContinuousClock.now < deadline else {
                throw SupervisorError("not healthy after \(timeout)s: \(pending.map(\.rawValue).sorted().joined(separator: ", ")); see \(supervisor.config.logDirectory)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static let market = "paygent-market"

    static func stop(_ process: Process, _ executable: String) async {
        _ = await Supervisor.stop(pid: process.processIdentifier, executable: executable, process: process)
    }

    /// Waits until `hostPort` accepts connections.
    private func waitForHTTP(_ hostPort: String, what: String, timeout: Double, process: Process? = nil) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while !LoopbackTCP.reachable(hostPort) {
            if let process, !process.isRunning {
                throw SupervisorError("\(what) exited during start-up; see its log in the logs directory")
            }
            guard ContinuousClock.now < deadline else { throw SupervisorError("\(what) is not listening on \(hostPort) after \(timeout)s") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Stops in reverse start order, each with SIGTERM then SIGKILL after a grace period.
    private func stopAll(_ children: [(ServiceName, Process)]) async {
        for (service, process) in children.reversed() where process.isRunning {
            let clean = await Supervisor.stop(pid: process.processIdentifier, executable: service.executable, process: process)
            if !clean { writeError("\(service.rawValue) did not stop on SIGTERM; killed") }
        }
    }
}

/// Child processes, watched from another task. `@unchecked`: `Process.isRunning` is safe to
/// read from any thread, and nothing else is touched there.
private struct Children: @unchecked Sendable {
    let list: [(ServiceName, Process)]
}

func flushStandardOutput() {
    fflush(nil)
}
