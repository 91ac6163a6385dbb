/// A camera's live stream address: RTSP, RTSPS, or HTTP(S) (HLS, HTTP-FLV).
extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

public struct StreamURL: Hashable, Sendable, CustomStringConvertible {
    public static let schemes = ["rtsp", "rtsps", "http", "https"]

    /// The URL as registered, password included. Only the registry and the prober see it.
    public let secret: String

    public init(_ text: String) throws(CamindexError) {
        let shown = Redaction.redactURL(text)
        guard let sep = text.range(of: "://") else {
            throw .usage("invalid stream URL '\(shown)': expected scheme://host/path with scheme \(Self.schemes.joined(separator: ", "))", code: .urlInvalid)
        }
        let scheme = text[..<sep.lowerBound].lowercased()
        guard Self.schemes.contains(scheme) else {
            throw .usage("invalid stream URL '\(shown)': scheme '\(scheme)' is not one of \(Self.schemes.joined(separator: ", "))", code: .urlInvalid)
        }
        let rest = text[sep.upperBound...]
        // RFC 3986: '/', '?' and '#' end the authority, so a password holding one must be
        // percent-encoded; read as given, the rest of it would be taken for the host, port or
        // path (and FFmpeg reads it so too). Said without echoing any of it.
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            if let colon = userinfo.firstIndex(of: ":"), userinfo.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
                let afterColon = userinfo[userinfo.index(after: colon)...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
                if afterColon.isEmpty || !afterColon.allSatisfy(\.isASCIIDigit) {
                    throw .usage("invalid stream URL '\(shown)': what follows 'user:' holds '/', '?' or '#', which end the host part; write them percent-encoded (%2F, %3F, %23)",
                                 code: .urlInvalid, value: shown)
                }
            }
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let host = hostPort.hasPrefix("[")
            ? hostPort.prefix { $0 != "]" }.dropFirst()
            : hostPort.prefix { $0 != ":" }
        guard !host.isEmpty, !text.contains(where: { $0 == " " || $0 == "\n" || $0 == "\t" }) else {
            throw .usage("invalid stream URL '\(shown)': no host, or whitespace in the URL", code: .urlInvalid)
        }
        if hostPort.hasPrefix("[") == false, let colon = hostPort.firstIndex(of: ":") {
            let port = hostPort[hostPort.index(after: colon)...]
            // What follows the last '@' of the authority: never a part of the password (one
            // holding '/', '?' or '#' was refused above).
            guard let p = Int(port), (1...65535).contains(p) else {
                throw .usage("invalid stream URL '\(shown)': bad port '\(port)'", code: .urlInvalid, value: shown)
            }
        }
        secret = text
    }

    /// The URL with its password masked: safe to print, log and return in JSON.
    public var redacted: String { Redaction.redactURL(secret) }
    public var description: String { redacted }
}

/// How RTSP streams are pulled: interleaved over the TCP connection (the default) or UDP.
public enum StreamTransport: String, Sendable, CaseIterable { case tcp, udp }
