import Foundation

/// Makes ipc endpoints private to the user who runs the service: the directory holding the
/// socket is created with mode 0700 (and, for the deployment's own `run/sockets`, forced back to
/// 0700), so another local user cannot reach the socket to connect to it. A stale socket file
/// left by a killed process is replaced by the bind.
public enum SocketDirectory {
    public static func prepare(_ endpoint: String, config: PaygentConfig) throws(ConfigError) {
        guard endpoint.hasPrefix("ipc://") else { return }
        let path = String(endpoint.dropFirst("ipc://".count))
        guard path.hasPrefix("/") else { return }
        let directory = (path as NSString).deletingLastPathComponent
        let manager = FileManager.default
        do {
            if !manager.fileExists(atPath: directory) {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            if directory == PaygentConfig.socketDirectory(home: config.dataDirectory) {
                try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
            }
        } catch {
            throw ConfigError("cannot prepare the socket directory \(directory): \(error.localizedDescription)")
        }
    }
}
