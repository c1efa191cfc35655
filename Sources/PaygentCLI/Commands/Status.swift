import ArgumentParser
import Foundation
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each service's health.",
        discussion: "Asks every configured service for `health`. Exits 0 when all answer, 1 when any does not."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// One row of `status --json`.
    struct Row: Encodable {
        var service: String
        var state: String
        var rpcEndpoint: String
        var pubEndpoint: String
        var pid: Int32?
        var version: String?
        var uptimeSeconds: Double?
        var requests: Int?
        var errors: Int?
        var error: String?
        /// For the HTTP front doors (facilitator, sample API): their base URL.
        var url: String?
    }

    func run() async throws {
        let config = try global.load()
        let context = ZMQContext()
        let results = await HealthProbe(config: config, context: context).check(ServiceName.startOrder)
        var rows: [Row] = []
        for service in ServiceName.startOrder {
            let endpoints = config.endpoints(service)
            switch results[service]! {
            case .success(let health):
                rows.append(Row(
                    service: service.rawValue, state: "up", rpcEndpoint: health.rpcEndpoint,
                    pubEndpoint: health.pubEndpoint, pid: health.pid, version: health.version,
                    uptimeSeconds: (health.uptimeSeconds * 1000).rounded() / 1000,
                    requests: health.requestsServed, errors: health.errors))
            case .failure(let error):
                rows.append(Row(
                    service: service.rawValue, state: "down", rpcEndpoint: endpoints.rpc, pubEndpoint: endpoints.pub,
                    error: error.message))
            }
        }
        // The HTTP front doors: the facilitator inside payments, and the sample paid API.
        let http = [("facilitator", config.facilitatorHTTP, config.facilitatorURL), ("market", config.marketHTTP, config.marketURL)]
        var httpRows: [Row] = []
        for (name, hostPort, url) in http {
            httpRows.append(Row(
                service: name, state: LoopbackTCP.reachable(hostPort) ? "up" : "down", rpcEndpoint: "", pubEndpoint: "", url: url))
        }
        if json {
            rows += httpRows
            try printJSON(rows)
        } else {
            let style = Style.forStandardOutput()
            var table = Table(headers: ["SERVICE", "STATE", "PID", "VERSION", "UPTIME", "REQUESTS", "ERRORS", "RPC", "PUB"])
            for row in rows {
                table.rows.append([
                    row.service, row.state, row.pid.map(String.init) ?? "-", row.version ?? "-",
                    row.uptimeSeconds.map(humanDuration) ?? "-", row.requests.map(String.init) ?? "-",
                    row.errors.map(String.init) ?? "-", row.rpcEndpoint, row.pubEndpoint,
                ])
            }
            print(table.render(style: style) { row, column, text in
                switch column {
                case 0: style.service(text)
                case 1: rows[row].state == "up" ? style.green(text) : style.red(text)
                default: text
                }
            })
            for row in httpRows {
                print("\(style.service(row.service)) \(row.state == "up" ? style.green("up") : style.red("down")) \(row.url ?? "")")
            }
            let down = rows.filter { $0.state != "up" }
            if !down.isEmpty {
                print(style.dim("\(down.count) of \(rows.count) down; start them with `paygent up`"))
            }
        }
        if rows.contains(where: { $0.state != "up" }) { throw ExitCode(1) }
    }
}
