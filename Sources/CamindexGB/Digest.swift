import CamindexCore
import Foundation

/// The Authorization header of a REGISTER (RFC 2617 digest, as GB/T 28181 asks: MD5, with or
/// without qop=auth).
public struct DigestCredentials: Sendable, Hashable {
    public var username, realm, nonce, uri, response: String
    public var algorithm, qop, nc, cnonce: String?

    public init(username: String, realm: String, nonce: String, uri: String, response: String,
                algorithm: String? = nil, qop: String? = nil, nc: String? = nil, cnonce: String? = nil) {
        self.username = username; self.realm = realm; self.nonce = nonce; self.uri = uri; self.response = response
        self.algorithm = algorithm; self.qop = qop; self.nc = nc; self.cnonce = cnonce
    }

    static func unquote(_ s: String) -> String {
        s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"") ? String(s.dropFirst().dropLast()) : s
    }

    /// The response a peer knowing `password` computes for `method`.
    public func expectedResponse(method: String, password: String) -> String {
        expectedResponse(method: method, ha1: GBDigest.ha1(user: username, realm: realm, password: password))
    }

    public func expectedResponse(method: String, ha1: String) -> String {
        let ha2 = Self.md5("\(method):\(uri)")
        if let qop, qop.lowercased() == "auth" {
            return Self.md5("\(ha1):\(nonce):\(nc ?? ""):\(cnonce ?? ""):\(qop):\(ha2)")
        }
        return Self.md5("\(ha1):\(nonce):\(ha2)")
    }

    /// Whether the response proves `password`, compared in constant time.
    public func verifies(method: String, password: String) -> Bool {
        verifies(method: method, ha1: GBDigest.ha1(user: username, realm: realm, password: password))
    }

    /// The same with the HA1 kept for the device.
    public func verifies(method: String, ha1: String) -> Bool {
        guard algorithm.map({ $0.uppercased() == "MD5" }) ?? true else { return false }
        let want = Array(expectedResponse(method: method, ha1: ha1).utf8), got = Array(response.lowercased().utf8)
        guard want.count == got.count else { return false }
        return zip(want, got).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func md5(_ s: String) -> String { GBDigest.md5(s) }
}
