import ArgumentParser
import Foundation
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import Synchronization

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start every Paygent service locally (whatever is not running yet).",
        discussion: """
            Starts each service that does not answer yet as a child process on the configured endpoints, then the sample paid API, waits until each answers, and prints where each listens. Services already running are left alone, so after a crash `paygent up --detach` brings back only what is missing.

            Without --detach it stays in the foreground: a service that exits unexpectedly is restarted, with a growing pause between attempts (1 s doubling to 30 s), and Ctrl-C or SIGTERM stops everything it started. With --detach it leaves them running (pids in <data>/run) for `paygent down` to stop.

            Each service's output goes to <data>/logs/<service>.log; `paygent logs --follow` shows them all live.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Leave the services running in the background and return.")
    var detach = false

    @Option(help: ArgumentHelp("Seconds to wait for each service to answer health.", valueName: "seconds"))
    var timeout: Double = 30

    static let market = "paygent-market"

    func run() async throws {
        let config = try global.load()
        let style = Style.forStandardOutput()
        let launcher = Launcher(config: config, configFile: global.config, context: ZMQContext(), timeout: .milliseconds(Int(timeout * 1000)))
        let running = await launcher.running()
        let missing = Component.all.filter { running[$0] == nil }
        if !running.isEmpty {
            let names = Component.all.filter { running[$0] != nil }.map(\.name)
            print(missing.isEmpty ? "already running: \(names.joined(separator: ", "))" : "already running, left as they are: \(names.joined(separator: ", "))")
        }
        guard !missing.isEmpty else {
            await printTable(launcher, style: style)
            return
        }

        // Signals are caught from here on, so a Ctrl-C during start-up still stops the children.
        let termination = TerminationSignal()
        let children = ChildTable()
        do {
            for component in missing {
                children.set(component, try await launcher.start(component))
            }
        } catch {
            await stopAll(children, launcher)
            throw error
        }
        await printTable(launcher, style: style)
        print("data: \(config.dataDirectory)   logs: \(config.logDirectory)")

        if detach {
            for (component, process) in children.all {
                try launcher.supervisor.writePid(named: component.name, process.processIdentifier)
            }
            print(style.green("all services up") + " (detached; stop with `paygent down`)")
            return
        }
        print(style.green("all services up") + "; Ctrl-C stops them. In another terminal: `paygent logs --follow`")
        flushStandardOutput()

        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await termination.wait() }
            group.addTask { await supervise(children, launcher) }
            _ = await group.next()
            group.cancelAll()
        }
        print("stopping…")
        flushStandardOutput()
        await stopAll(children, launcher)
        print("stopped")
    }

    /// Restarts a child that exits, pausing 1 s before the first attempt and doubling the pause
    /// (up to 30 s) while it keeps failing; a child that then runs for a minute starts over at 1 s.
    private func supervise(_ children: ChildTable, _ launcher: Launcher) async {
        var backoff: [Component: Duration] = [:]
        var startedAt: [Component: ContinuousClock.Instant] = [:]
        while !Task.isCancelled {
            for (component, process) in children.all where !process.isRunning {
                if let since = startedAt[component], ContinuousClock.now - since > .seconds(60) { backoff[component] = nil }
                let pause = backoff[component] ?? .seconds(1)
                writeError("\(component.name) exited unexpectedly (status \(process.terminationStatus)); restarting in \(pause.components.seconds) s. Its log:\n\(launcher.supervisor.logTail(named: component.name, lines: 4))")
                try? await Task.sleep(for: pause)
                guard !Task.isCancelled else { return }
                backoff[component] = min(pause * 2, .seconds(30))
                do {
                    children.set(component, try await launcher.start(component))
                    startedAt[component] = ContinuousClock.now
                    writeError("\(component.name) restarted (pid \(children.process(component)?.processIdentifier ?? 0))")
                } catch {
                    writeError("\(component.name) did not restart: \(error)")
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func printTable(_ launcher: Launcher, style: Style) async {
        let config = launcher.config
        let health = await launcher.probe.check(ServiceName.startOrder)
        var table = Table(headers: ["SERVICE", "PID", "RPC", "PUB"])
        for service in ServiceName.startOrder {
            let reply = try? health[service]?.get()
            table.rows.append([
                service.rawValue, reply.map { "\($0.pid)" } ?? "-",
                reply?.rpcEndpoint ?? config.endpoints(service).rpc, reply?.pubEndpoint ?? config.endpoints(service).pub,
            ])
        }
        print(table.render(style: style) { _, column, text in column == 0 ? style.service(text) : text })
        print("facilitator (x402 HTTP): \(config.facilitatorURL)   sample paid API: \(config.marketURL)/prices")
    }

    /// Stops in reverse start order, each with SIGTERM then SIGKILL after a grace period.
    private func stopAll(_ children: ChildTable, _ launcher: Launcher) async {
        for component in Component.all.reversed() {
            guard let process = children.process(component), process.isRunning else { continue }
            let clean = await Supervisor.stop(pid: process.processIdentifier, executable: component.executable, process: process)
            if !clean { writeError("\(component.name) did not stop on SIGTERM; killed") }
        }
    }
}

/// The children `up` started, replaced when one is restarted. `@unchecked`: `Process` is not
/// `Sendable`, but it is only read (`isRunning`, its pid) outside the lock.
final class ChildTable: @unchecked Sendable {
    private let table = Mutex<[Component: Process]>([:])

    func set(_ component: Component, _ process: Process) { table.withLock { $0[component] = process } }
    func process(_ component: Component) -> Process? { table.withLock { $0[component] } }

    /// In start order.
    var all: [(Component, Process)] {
        table.withLock { table in Component.all.compactMap { component in table[component].map { (component, $0) } } }
    }
}

func flushStandardOutput() {
    fflush(nil)
}
