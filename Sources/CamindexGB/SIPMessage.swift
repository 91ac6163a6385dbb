import CamindexCore
import COsip2
import Foundation

/// A SIP request or response as camindex reads it, parsed by libosip2's parser; the pointers
/// live only inside `parse`.
public struct SIPMessage: Sendable {
    public var method: String?
    public var requestURI: String?
    public var status: Int?
    public var vias: [String] = []
    public var from = "", to = "", callID = "", cseq = ""
    public var cseqNumber = 0
    public var cseqMethod = ""
    /// The user part of From's URI: the sender's GB/T 28181 ID.
    public var fromUser: String?
    public var toTag: String?
    public var contact: String?
    public var expires: Int?
    public var authorization: DigestCredentials?
    public var contentType: String?
    public var body: [UInt8] = []

    public var isRequest: Bool { method != nil }

    private static let parserReady: Bool = parser_init() == 0

    /// Parses one datagram or framed TCP message; the error names what was wrong, not the bytes.
    public static func parse(_ bytes: [UInt8]) throws(CamindexError) -> SIPMessage {
        guard parserReady else { throw .runtime("libosip2's parser did not start", code: .gbInvalid, value: "") }
        var raw: UnsafeMutablePointer<osip_message_t>?
        guard osip_message_init(&raw) == 0, let msg = raw else { throw .runtime("out of memory parsing SIP", code: .gbInvalid, value: "") }
        defer { osip_message_free(msg) }
        let rc = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { osip_message_parse(msg, $0, buf.count) }
        }
        guard rc == 0 else { throw .usage("not a SIP message libosip2 can parse (\(bytes.count) bytes)", code: .gbInvalid, value: "") }
        var m = SIPMessage()
        let s = msg.pointee
        m.method = s.sip_method.map { String(cString: $0) }
        if let uri = s.req_uri { m.requestURI = Self.string(uri, osip_uri_to_str) }
        m.status = s.sip_method == nil ? Int(s.status_code) : nil
        var i: Int32 = 0
        while let via = camindex_osip_via(msg, i) {
            if let v = Self.string(via, osip_via_to_str) { m.vias.append(v) }
            i += 1
        }
        guard let from = s.from, let to = s.to, let callID = s.call_id, let cseq = s.cseq, !m.vias.isEmpty else {
            throw .usage("a SIP message without From, To, Call-ID, CSeq or Via", code: .gbInvalid, value: "")
        }
        m.from = Self.string(from, osip_from_to_str) ?? ""
        m.to = Self.string(to, osip_to_to_str) ?? ""
        m.callID = Self.string(callID, osip_call_id_to_str) ?? ""
        m.cseq = Self.string(cseq, osip_cseq_to_str) ?? ""
        m.cseqNumber = cseq.pointee.number.flatMap { Int(String(cString: $0)) } ?? 0
        m.cseqMethod = cseq.pointee.method.map { String(cString: $0) } ?? ""
        m.fromUser = from.pointee.url?.pointee.username.map { String(cString: $0) }
        m.toTag = camindex_osip_to_tag(to).map { String(cString: $0) }
        if let contact = camindex_osip_contact(msg) { m.contact = Self.string(contact, osip_contact_to_str) }
        // The Expires header, else the Contact's expires parameter (RFC 3261 10.2.1.1).
        m.expires = camindex_osip_header(msg, "expires").flatMap { Int(String(cString: $0).trimmingCharacters(in: .whitespaces)) }
            ?? m.contact.flatMap(Self.contactExpires)
        if let auth = camindex_osip_authorization(msg) {
            let a = auth.pointee
            func v(_ p: UnsafeMutablePointer<CChar>?) -> String? { p.map { DigestCredentials.unquote(String(cString: $0)) } }
            m.authorization = DigestCredentials(username: v(a.username) ?? "", realm: v(a.realm) ?? "", nonce: v(a.nonce) ?? "",
                                                uri: v(a.uri) ?? "", response: v(a.response) ?? "", algorithm: v(a.algorithm),
                                                qop: v(a.message_qop), nc: v(a.nonce_count), cnonce: v(a.cnonce))
        }
        if let ct = s.content_type, let type = ct.pointee.type {
            m.contentType = String(cString: type) + (ct.pointee.subtype.map { "/" + String(cString: $0) } ?? "")
        }
        if let body = camindex_osip_body(msg), let bytes = body.pointee.body {
            m.body = bytes.withMemoryRebound(to: UInt8.self, capacity: body.pointee.length) { Array(UnsafeBufferPointer(start: $0, count: body.pointee.length)) }
        }
        return m
    }

    static func contactExpires(_ contact: String) -> Int? {
        guard let r = contact.range(of: #";\s*expires\s*=\s*([0-9]+)"#, options: [.regularExpression, .caseInsensitive]) else { return nil }
        return Int(contact[r].split(separator: "=").last?.trimmingCharacters(in: .whitespaces) ?? "")
    }

    private static func string<T>(_ p: UnsafeMutablePointer<T>, _ render: (UnsafePointer<T>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32) -> String? {
        var out: UnsafeMutablePointer<CChar>?
        guard render(UnsafePointer(p), &out) == 0, let out else { return nil }
        defer { camindex_osip_free(out) }
        return String(cString: out)
    }

    /// A response to this request: its Via, From, Call-ID and CSeq, To with `toTag` when it had
    /// none, then `headers` and the body.
    public func response(_ status: Int, _ phrase: String, toTag tag: String, headers: [(String, String)] = [],
                         contentType: String? = nil, body: [UInt8] = []) -> [UInt8] {
        var lines = ["SIP/2.0 \(status) \(phrase)"]
        lines += vias.map { "Via: " + $0 }
        lines.append("From: " + from)
        lines.append("To: " + to + (toTag == nil ? ";tag=" + tag : ""))
        lines.append("Call-ID: " + callID)
        lines.append("CSeq: " + cseq)
        lines.append("User-Agent: camindex")
        lines += headers.map { "\($0.0): \($0.1)" }
        if let contentType { lines.append("Content-Type: " + contentType) }
        lines.append("Content-Length: \(body.count)")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }
}

