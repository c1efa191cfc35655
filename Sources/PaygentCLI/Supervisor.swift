import Foundation
import PaygentPaymentsAPI
import PaygentRuntime

/// Starts service executables as child processes and stops them by pid.
struct Supervisor {
    let config: PaygentConfig
    let configFile: String?

    /// The folder holding the service executables: `$PAYGENT_BIN_DIR`, else the folder of the
    /// running `paygent` binary.
    static func binaryDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["PAYGENT_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent()
    }

    func logFile(_ service: ServiceName) -> String {
        logFile(named: service.rawValue)
    }

    func logFile(named name: String) -> String {
        (config.logDirectory as NSString).appendingPathComponent("\(name).log")
    }

    func pidFile(_ service: ServiceName) -> String {
        pidFile(named: service.rawValue)
    }

    func pidFile(named name: String) -> String {
        (config.runDirectory as NSString).appendingPathComponent("\(name).pid")
    }

    /// Starts one service; its stdout and stderr go to `<data>/logs/<service>.log`.
    func launch(_ service: ServiceName) throws -> Process {
        try launch(executable: service.executable, logName: service.rawValue)
    }

    /// Starts an executable from the binary directory, logging to `<data>/logs/<logName>.log`.
    func launch(executable name: String, logName: String) throws -> Process {
        let executable = Self.binaryDirectory().appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw SupervisorError("cannot find \(name) in \(executable.deletingLastPathComponent().path); build it with `swift build` or set PAYGENT_BIN_DIR")
        }
        try FileManager.default.createDirectory(atPath: config.logDirectory, withIntermediateDirectories: true)
        let logPath = (config.logDirectory as NSString).appendingPathComponent("\(logName).log")
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw SupervisorError("cannot write \(logPath)")
        }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = executable
        process.arguments = configFile.map { ["--config", $0] } ?? []
        var environment = ProcessInfo.processInfo.environment
        environment["PAYGENT_HOME"] = config.dataDirectory
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    func writePid(_ service: ServiceName, _ pid: Int32) throws {
        try writePid(named: service.rawValue, pid)
    }

    func writePid(named name: String, _ pid: Int32) throws {
        try FileManager.default.createDirectory(atPath: config.runDirectory, withIntermediateDirectories: true)
        try "\(pid)\n".write(toFile: pidFile(named: name), atomically: true, encoding: .utf8)
    }

    /// The pid recorded for a service, if that process still runs that service.
    func recordedPid(_ service: ServiceName) -> Int32? {
        recordedPid(named: service.rawValue, executable: service.executable)
    }

    func recordedPid(named name: String, executable: String) -> Int32? {
        guard let text = try? String(contentsOfFile: pidFile(named: name), encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        return Self.isRunning(pid, executable: executable) ? pid : nil
    }

    func removePid(_ service: ServiceName) {
        removePid(named: service.rawValue)
    }

    func removePid(named name: String) {
        try? FileManager.default.removeItem(atPath: pidFile(named: name))
    }

    /// True if `pid` is alive and (when given) runs `executable`, so a recycled pid is never
    /// mistaken for our service.
    static func isRunning(_ pid: Int32, executable: String? = nil) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let executable else { return true }
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return true }
        let first = cmdline.split(separator: 0).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        if first.hasSuffix(executable) { return true }
        // A zombie has an empty command line; it is not running.
        return false
    }

    /// Sends SIGTERM, waits up to `grace` for the process to go, then SIGKILL.
    /// Returns true if it stopped on SIGTERM.
    @discardableResult
    static func stop(pid: Int32, executable: String, grace: Duration = .seconds(10), process: Process? = nil) async -> Bool {
        guard isRunning(pid, executable: executable) else { return true }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if let process, !process.isRunning { return true }
            if process == nil && !isRunning(pid, executable: executable) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        if let process {
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        return false
    }

    /// The last lines of a service's log, to explain a failed start.
    func logTail(_ service: ServiceName, lines: Int = 8) -> String {
        logTail(named: service.rawValue, lines: lines)
    }

    func logTail(named name: String, lines: Int = 8) -> String {
        guard let text = try? String(contentsOfFile: logFile(named: name), encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

struct SupervisorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
