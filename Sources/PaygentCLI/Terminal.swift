import PaygentWire
import Foundation
import PaygentPaymentsAPI
import PaygentRuntime

/// ANSI styling, on only when writing to a terminal (and `NO_COLOR` is unset).
struct Style: Sendable {
    let enabled: Bool

    static func forStandardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        Style(enabled: isatty(STDOUT_FILENO) != 0 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb")
    }

    private func wrap(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func bold(_ text: String) -> String { wrap(text, "1") }
    func dim(_ text: String) -> String { wrap(text, "2") }
    func red(_ text: String) -> String { wrap(text, "31") }
    func green(_ text: String) -> String { wrap(text, "32") }
    func yellow(_ text: String) -> String { wrap(text, "33") }
    func blue(_ text: String) -> String { wrap(text, "34") }
    func cyan(_ text: String) -> String { wrap(text, "36") }

    func level(_ level: LogLevel, _ text: String) -> String {
        switch level {
        case .trace, .debug: dim(text)
        case .info: green(text)
        case .notice: blue(text)
        case .warning: yellow(text)
        case .error: red(text)
        case .critical: wrap(text, "1;31")
        }
    }

    /// A stable color per service name, so a busy log reads by color.
    func service(_ name: String) -> String {
        let codes = ["36", "35", "34", "33", "32", "96", "95"]
        let index = name.unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) & 0xFFFF } % codes.count
        return wrap(name, codes[index])
    }
}

/// A plain text table: columns padded to their widest cell; styling is applied after padding
/// so escape codes do not skew the widths.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    func render(style: Style, styleCell: (Int, Int, String) -> String = { _, _, text in text }) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }
        let last = headers.count - 1
        var lines = [headers.enumerated().map { style.bold($0 == last ? $1 : pad($1, widths[$0])) }.joined(separator: "  ")]
        for (rowIndex, row) in rows.enumerated() {
            let cells = row.enumerated().map { column, cell in
                styleCell(rowIndex, column, column == row.count - 1 ? cell : pad(cell, widths[column]))
            }
            lines.append(cells.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}

func writeError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Durations for people: `45s`, `12m 03s`, `3h 04m`, `2d 05h`.
func humanDuration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded(.down))
    if total < 60 { return "\(total)s" }
    if total < 3600 { return String(format: "%dm %02ds", total / 60, total % 60) }
    if total < 86400 { return String(format: "%dh %02dm", total / 3600, (total % 3600) / 60) }
    return String(format: "%dd %02dh", total / 86400, (total % 86400) / 3600)
}

/// A failure of the work itself (unreadable file, a service's refusal), as opposed to bad
/// arguments: printed as `Error: <message>` without the usage text (with `--json`, as
/// `{"error": {"code", "message"}}` on standard output), with one of the documented exit statuses.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    /// The service's error code, when a service refused.
    let code: ErrorCode?
    let exitStatus: Int32

    init(_ description: String, code: ErrorCode? = nil, exitStatus: Int32 = ExitStatus.failed) {
        self.description = description
        self.code = code
        self.exitStatus = exitStatus
    }
}

/// The exit statuses of every `paygent` command (also in `paygent --help`).
enum ExitStatus {
    /// The request was made and refused, or its outcome was a failure (the message and, with
    /// `--json`, the error code say which).
    static let failed: Int32 = 1
    /// Bad arguments (ArgumentParser's usage error).
    static let usage: Int32 = 64
    /// The service could not be reached: not running, or its socket is not ours to use.
    static let unreachable: Int32 = 69
    /// The service did not answer within the deadline; it may still be working.
    static let timedOut: Int32 = 75

    static let help = """
        EXIT STATUS: 0 success; 1 refused or failed (see the message; --json prints {"error": {"code", "message"}}); \
        64 bad arguments; 69 a service could not be reached; 75 a service did not answer in time.
        """
}
