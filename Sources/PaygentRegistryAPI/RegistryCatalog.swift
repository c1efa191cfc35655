import PaygentWire

/// The registry service's methods and events (the service catalog, discovery, pricing and reputation). Only the common `health` and
/// `logs.recent` so far; each method is declared here as it is built.
public enum RegistryCatalog {
    public static let catalog = ServiceCatalog(service: "registry", methods: [], events: [])
}
