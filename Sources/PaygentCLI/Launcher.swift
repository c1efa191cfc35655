import Foundation
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport

/// What `paygent up` and `paygent restart` start and stop: the services and the sample paid API
/// (the market), each as a child process, waited for until it answers.
enum Component: Hashable, Sendable, CustomStringConvertible {
    case service(ServiceName)
    case market

    /// Start order: the services (payments first), then the market, which settles through payments.
    static var all: [Component] { ServiceName.startOrder.map(Component.service) + [.market] }

    init?(name: String) {
        if name == "market" {
            self = .market
        } else if let service = ServiceName(rawValue: name) {
            self = .service(service)
        } else {
            return nil
        }
    }

    var name: String {
        switch self {
        case .service(let service): service.rawValue
        case .market: "market"
        }
    }

    var executable: String {
        switch self {
        case .service(let service): service.executable
        case .market: Up.market
        }
    }

    var description: String { name }
}

/// Starts, finds and stops components for one configuration.
struct Launcher {
    let config: PaygentConfig
    let supervisor: Supervisor
    let probe: HealthProbe
    /// How long a component may take to answer after it is started.
    let timeout: Duration

    init(config: PaygentConfig, configFile: String?, context: ZMQContext, timeout: Duration) {
        self.config = config
        supervisor = Supervisor(config: config, configFile: configFile)
        probe = HealthProbe(config: config, context: context)
        self.timeout = timeout
    }

    /// The pid of each component that answers now (services by `health`, the market by its
    /// port and recorded pid; 0 when it answers but its pid is not known).
    func running() async -> [Component: Int32] {
        var found: [Component: Int32] = [:]
        let health = await probe.check(ServiceName.startOrder, deadline: .milliseconds(400))
        for (service, result) in health {
            if let reply = try? result.get() { found[.service(service)] = reply.pid }
        }
        if LoopbackTCP.reachable(config.marketHTTP) {
            found[.market] = supervisor.recordedPid(named: "market", executable: Up.market) ?? 0
        }
        return found
    }

    /// Starts a component and waits until it answers; on failure it is stopped and the error
    /// says why, with the end of its log.
    func start(_ component: Component) async throws -> Process {
        let process = try supervisor.launch(executable: component.executable, logName: component.name)
        do {
            try await waitUntilReady(component, process: process)
        } catch {
            _ = await Supervisor.stop(pid: process.processIdentifier, executable: component.executable, grace: .seconds(3), process: process)
            throw error
        }
        return process
    }

    private func waitUntilReady(_ component: Component, process: Process) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard process.isRunning else {
                throw SupervisorError("\(component.executable) exited during start-up (status \(process.terminationStatus)). Its log:\n\(supervisor.logTail(named: component.name))")
            }
            switch component {
            case .service(let service):
                if (try? await probe.check(service, deadline: .milliseconds(500)).get()) != nil { return }
            case .market:
                if LoopbackTCP.reachable(config.marketHTTP) { return }
            }
            guard ContinuousClock.now < deadline else {
                throw SupervisorError("\(component.name) did not answer within \(timeout); see \(supervisor.logFile(named: component.name))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Stops a component by pid (SIGTERM, then SIGKILL after `grace`); true if it stopped on SIGTERM.
    @discardableResult
    func stop(_ component: Component, pid: Int32, grace: Duration = .seconds(10)) async -> Bool {
        defer { supervisor.removePid(named: component.name) }
        return await Supervisor.stop(pid: pid, executable: component.executable, grace: grace)
    }
}
