import Foundation
import PaygentRuntime
import PaygentTransport
import PaygentWire

/// A throwaway deployment for tests: a temporary data directory, ipc endpoints inside it (so
/// tests never collide on ports), and a config file naming them.
public struct TestDeployment: Sendable {
    public let directory: String
    public let config: PaygentConfig
    public let configFile: String

    /// - Parameters:
    ///   - defaultEndpoints: the endpoints a deployment gets with no configuration (ipc sockets in
    ///     `<data>/run/sockets`), instead of sockets beside the config file.
    ///   - settings: service settings (section, key, value) written into the configuration.
    public init(defaultEndpoints: Bool = false, settings: [(section: String, key: String, value: String)] = []) throws {
        let base = FileManager.default.temporaryDirectory.path
        let directory = (base as NSString).appendingPathComponent("pgt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var services: [ServiceName: ServiceEndpoints] = [:]
        for service in ServiceName.allCases {
            services[service] = ServiceEndpoints(
                rpc: "ipc://\(directory)/\(service.rawValue).rpc", pub: "ipc://\(directory)/\(service.rawValue).pub")
        }
        var config = defaultEndpoints
            ? PaygentConfig.defaults(home: directory) : PaygentConfig(dataDirectory: directory, logLevel: .debug, services: services)
        config.logLevel = .debug
        // The HTTP front doors of the payments service and the sample API, on ports of their own.
        config.set("payments", "facilitatorHTTP", "127.0.0.1:\(freePort())")
        config.set("market", "http", "127.0.0.1:\(freePort())")
        for setting in settings { config.set(setting.section, setting.key, setting.value) }
        self.config = config
        configFile = (directory as NSString).appendingPathComponent("config.json")
        try config.fileJSON().write(toFile: configFile, atomically: true, encoding: .utf8)
        self.directory = directory
    }

    /// Environment for child processes: this deployment's home and config.
    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PAYGENT_HOME"] = directory
        environment["PAYGENT_CONFIG"] = configFile
        environment["NO_COLOR"] = "1"
        // Test wallets use a light scrypt setting; production keystores keep the standard one.
        environment["PAYGENT_KEYSTORE_STRENGTH"] = "light"
        return environment
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Where the built executables are: `$PAYGENT_BIN_DIR`, else beside the running test binary
/// (SwiftPM puts test bundles and executables in one folder).
public enum BuiltProducts {
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["PAYGENT_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // On Linux the test binary is `<bin>/paygentPackageTests.xctest`; on macOS it sits inside a bundle.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("paygent").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }

    public static func executable(_ name: String) -> URL {
        directory.appendingPathComponent(name)
    }
}

/// A child process started from a built executable, stopped by pid.
public final class ChildProcess: @unchecked Sendable {
    public let process: Process
    public let name: String
    public let outputFile: String

    /// Starts `executable` with `arguments`; stdout and stderr go to a file in `deployment`.
    public init(_ executable: String, _ arguments: [String] = [], deployment: TestDeployment, tag: String? = nil) throws {
        name = tag ?? executable
        outputFile = (deployment.directory as NSString).appendingPathComponent("\(name)-\(UUID().uuidString.prefix(4)).out")
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        let output = FileHandle(forWritingAtPath: outputFile)!
        process = Process()
        process.executableURL = BuiltProducts.executable(executable)
        process.arguments = arguments
        process.environment = deployment.environment
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Waits up to `timeout` for the process to exit; returns its status, or nil if still running.
    public func waitForExit(timeout: Duration = .seconds(10)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it has not gone within `grace`.
    public func stop(grace: Duration = .seconds(5)) async {
        guard process.isRunning else { return }
        signal(SIGTERM)
        if await waitForExit(timeout: grace) == nil {
            signal(SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }

    public var output: String {
        (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
    }
}

/// Starts a service executable and waits until it answers `health`.
public func startService(
    _ service: ServiceName, deployment: TestDeployment, context: ZMQContext, timeout: Duration = .seconds(20)
) async throws -> ChildProcess {
    let child = try ChildProcess(service.executable, deployment: deployment, tag: service.rawValue)
    try await waitUntilHealthy(service, deployment: deployment, context: context, child: child, timeout: timeout)
    return child
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `health` until it answers, the child exits, or `timeout` passes.
public func waitUntilHealthy(
    _ service: ServiceName, deployment: TestDeployment, context: ZMQContext, child: ChildProcess,
    timeout: Duration = .seconds(20)
) async throws {
    var options = RPCClientOptions()
    options.connectWait = .milliseconds(300)
    let client = try RPCClient(
        endpoint: deployment.config.endpoints(service).rpc, serviceName: service.rawValue, context: context,
        options: options)
    defer { client.close() }
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        guard child.isRunning else {
            throw TestFailure("\(service.rawValue) exited during start-up:\n\(child.output)")
        }
        if (try? await client.call(CommonMethod.health, HealthRequest(), deadline: .milliseconds(500))) != nil {
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("\(service.rawValue) did not answer health within \(timeout):\n\(child.output)")
}

/// A TCP port nobody listens on right now.
public func freePort() -> Int { LoopbackTCP.freePort() }
