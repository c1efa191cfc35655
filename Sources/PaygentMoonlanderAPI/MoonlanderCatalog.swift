import PaygentWire

/// The moonlander service's methods and events (Moonlander perpetuals). Only the common `health` and
/// `logs.recent` so far; each method is declared here as it is built.
public enum MoonlanderCatalog {
    public static let catalog = ServiceCatalog(service: "moonlander", methods: [], events: [])
}
