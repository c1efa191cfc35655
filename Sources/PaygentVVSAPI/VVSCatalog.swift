import PaygentWire

/// The vvs service's methods and events (VVS Finance swaps, liquidity and farms). Only the common `health` and
/// `logs.recent` so far; each method is declared here as it is built.
public enum VVSCatalog {
    public static let catalog = ServiceCatalog(service: "vvs", methods: [], events: [])
}
