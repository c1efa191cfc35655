import Hummingbird
import HummingbirdCore
import NIOCore

/// How long Paygent's HTTP servers (the facilitator API, the sample paid API) keep a connection
/// that sends nothing: an idle keep-alive connection, or one that stopped half-way through its
/// request head, is closed after this, so connections held open cannot pile up.
public enum HTTPServerTimeouts {
    public static let idle: TimeAmount = .seconds(10)

    /// An HTTP/1.1 server with the idle timeout, for `Application(router:server:)`.
    public static var server: HTTPServerBuilder {
        .http1(configuration: HTTP1Channel.Configuration(idleTimeout: idle))
    }
}
