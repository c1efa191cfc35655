import Foundation
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentWire

/// Which URLs `payments.fetch` may request for a caller: `http` and `https` only, with a host and
/// no credentials in the URL, and never the deployment's own endpoints (the facilitator's HTTP
/// API, a service's tcp socket), whatever the spelling of the host: the host is resolved as the
/// HTTP client will resolve it (so `localhost`, `127.1`, `2130706433` and `[::1]` are the
/// loopback they are) and compared by address and port.
struct FetchTarget: Sendable {
    /// host and port pairs that belong to this deployment.
    let refused: [(host: String, port: Int, what: String)]

    init(config: PaygentConfig) {
        var refused: [(String, Int, String)] = []
        if let (host, port) = Self.hostPort(config.facilitatorHTTP) { refused.append((host, port, "the facilitator's own HTTP API")) }
        for service in ServiceName.allCases {
            let endpoints = config.endpoints(service)
            for endpoint in [endpoints.rpc, endpoints.pub] where endpoint.hasPrefix("tcp://") {
                if let (host, port) = Self.hostPort(String(endpoint.dropFirst(6))) {
                    refused.append((host, port, "the \(service.rawValue) service's socket"))
                }
            }
        }
        self.refused = refused
    }

    /// The URL if a caller may fetch it; else why not.
    func check(_ text: String) throws(PaygentError) -> URL {
        guard let components = URLComponents(string: text), let url = components.url else {
            throw PaygentError(.badRequest, "'\(text)' is not a URL; give an http:// or https:// URL")
        }
        let scheme = components.scheme?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else {
            throw PaygentError(.badRequest, "only http:// and https:// URLs can be fetched, not '\(scheme.isEmpty ? text : scheme + "://")'")
        }
        guard var host = components.host, !host.isEmpty else {
            throw PaygentError(.badRequest, "'\(text)' has no host")
        }
        guard components.user == nil, components.password == nil else {
            throw PaygentError(.badRequest, "a URL with a user name or password in it is refused; send credentials another way")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        let addresses = Self.resolve(host)
        for deployment in refused where deployment.port == port {
            let own = Self.resolve(deployment.host)
            if addresses.contains(where: { $0.isLoopbackOrUnspecified || own.contains($0) }) {
                throw PaygentError(.permissionDenied, "\(text) is \(deployment.what); payments.fetch does not request the deployment's own endpoints")
            }
        }
        return url
    }

    static func hostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host == "*" ? "0.0.0.0" : host, port)
    }

    /// An IPv4 or IPv6 address as bytes.
    struct IPAddress: Hashable {
        let bytes: [UInt8]

        var isLoopbackOrUnspecified: Bool {
            if bytes.count == 4 { return bytes[0] == 127 || bytes.allSatisfy { $0 == 0 } }
            if bytes.dropLast().allSatisfy({ $0 == 0 }) { return bytes.last == 1 || bytes.last == 0 }
            // IPv4-mapped (::ffff:a.b.c.d)
            if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return IPAddress(bytes: Array(bytes.suffix(4))).isLoopbackOrUnspecified
            }
            return false
        }
    }

    /// Every address `host` resolves to (numeric forms included), as getaddrinfo gives them.
    static func resolve(_ host: String) -> Set<IPAddress> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: Set<IPAddress> = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    _ = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        withUnsafeBytes(of: v4.pointee.sin_addr) { found.insert(IPAddress(bytes: Array($0))) }
                    }
                case AF_INET6:
                    _ = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                        withUnsafeBytes(of: v6.pointee.sin6_addr) { found.insert(IPAddress(bytes: Array($0))) }
                    }
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return found
    }
}
