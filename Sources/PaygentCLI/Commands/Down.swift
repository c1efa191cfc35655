import ArgumentParser
import Foundation
import PaygentPaymentsAPI
import PaygentRuntime

struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the services started with `paygent up --detach`.",
        discussion: "Sends SIGTERM to each recorded pid (in reverse start order), waits for a graceful stop, and kills what does not stop in time."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Seconds to wait for each service before SIGKILL.", valueName: "seconds"))
    var grace: Double = 10

    func run() async throws {
        let config = try global.load()
        let supervisor = Supervisor(config: config, configFile: global.config)
        let style = Style.forStandardOutput()
        var stopped = 0
        if let pid = supervisor.recordedPid(named: "market", executable: Up.market) {
            let clean = await Supervisor.stop(pid: pid, executable: Up.market, grace: .milliseconds(Int(grace * 1000)))
            print("market stopped (pid \(pid)\(clean ? "" : ", killed"))")
            stopped += 1
        }
        supervisor.removePid(named: "market")
        for service in ServiceName.startOrder.reversed() {
            guard let pid = supervisor.recordedPid(service) else {
                supervisor.removePid(service)
                continue
            }
            let clean = await Supervisor.stop(pid: pid, executable: service.executable, grace: .milliseconds(Int(grace * 1000)))
            supervisor.removePid(service)
            stopped += 1
            print("\(style.service(service.rawValue)) stopped (pid \(pid)\(clean ? "" : ", killed after \(grace)s"))")
        }
        print(stopped == 0 ? "nothing to stop: no service recorded in \(config.runDirectory)" : "all stopped")
    }
}
