import Foundation
import PaygentRegistryAPI

/// Writes entries straight into a registry's catalog file, for a registry that is not running:
/// bulk loads (the `paygent-bench registry` catalog of 10,000 entries). Entries are stored as
/// given; a running registry checks what it is sent instead.
public enum CatalogImport {
    /// - Parameter directory: the registry's data directory (`<data>/registry`).
    public static func add(_ entries: [ServiceEntry], directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try CatalogStore(directory: directory)
        try store.insert(entries)
    }
}
