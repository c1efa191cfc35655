import ArgumentParser
import Foundation
import PaygentPaymentsAPI
import PaygentTransport

struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restart one service (or all of them) in the background.",
        discussion: """
            Stops the service if it runs (SIGTERM, then SIGKILL after --grace), starts it again detached and waits until it answers. Without SERVICE, restarts every service and the sample paid API. SERVICE is one of: \(Component.all.map(\.name).joined(separator: ", ")).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The service to restart (default: all).", valueName: "service"))
    var service: String?

    @Option(help: ArgumentHelp("Seconds to wait for a graceful stop before SIGKILL.", valueName: "seconds"))
    var grace: Double = 10

    @Option(help: ArgumentHelp("Seconds to wait for each service to answer after it starts.", valueName: "seconds"))
    var timeout: Double = 30

    func validate() throws {
        if let service, Component(name: service) == nil {
            throw ValidationError("no service '\(service)'; one of: \(Component.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let config = try global.load()
        let style = Style.forStandardOutput()
        let launcher = Launcher(config: config, configFile: global.config, context: ZMQContext(), timeout: .milliseconds(Int(timeout * 1000)))
        let targets = service.flatMap(Component.init(name:)).map { [$0] } ?? Component.all
        let running = await launcher.running()
        for component in targets.reversed() {
            let pid = launcher.supervisor.recordedPid(named: component.name, executable: component.executable) ?? running[component] ?? 0
            guard pid > 0 else { continue }
            let clean = await launcher.stop(component, pid: pid, grace: .milliseconds(Int(grace * 1000)))
            print("\(style.service(component.name)) stopped (pid \(pid)\(clean ? "" : ", killed"))")
        }
        for component in targets {
            let process = try await launcher.start(component)
            try launcher.supervisor.writePid(named: component.name, process.processIdentifier)
            print("\(style.service(component.name)) started (pid \(process.processIdentifier))")
        }
        print(style.green("restarted") + " (detached; stop with `paygent down`)")
    }
}
