import CamindexCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A MANSCDP body (GB/T 28181's XML): decoded by its declaration (GB2312 and GBK are read as
/// GB18030, their superset), parsed into elements.
public struct MANSCDP: Sendable {
    public struct Element: Sendable {
        public var name: String
        public var text = ""
        public var attributes: [String: String] = [:]
        public var children: [Element] = []

        public func child(_ name: String) -> Element? { children.first { $0.name.caseInsensitiveCompare(name) == .orderedSame } }
        public func value(_ name: String) -> String? {
            child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Query, Response, Notify or Control.
    public var root: Element
    public var cmdType: String? { root.value("CmdType") }
    public var sn: Int? { root.value("SN").flatMap { Int($0) } }
    public var deviceID: String? { root.value("DeviceID") }

    public static func parse(_ body: [UInt8]) throws(CamindexError) -> MANSCDP {
        let text = try decode(body)
        // The declaration names the bytes' encoding, which they no longer are in.
        let utf8 = Array(text.replacingOccurrences(of: #"<\?xml[^>]*\?>"#, with: #"<?xml version="1.0" encoding="UTF-8"?>"#, options: .regularExpression).utf8)
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(utf8))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let why = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "no root element"
            throw .usage("malformed MANSCDP XML (line \(parser.lineNumber)): \(why)", code: .gbInvalid, value: "")
        }
        return MANSCDP(root: root)
    }

    /// The body as text, by the encoding its XML declaration names (UTF-8 when it names none).
    static func decode(_ body: [UInt8]) throws(CamindexError) -> String {
        let head = String(decoding: body.prefix(200), as: UTF8.self).lowercased()
        var encoding = "utf-8"
        if let r = head.range(of: #"encoding\s*=\s*["']([^"']+)["']"#, options: .regularExpression) {
            encoding = head[r].split(whereSeparator: { $0 == "\"" || $0 == "'" }).dropFirst().first.map(String.init) ?? "utf-8"
        }
        switch encoding {
        case "utf-8", "utf8":
            guard let s = String(validating: body, as: UTF8.self) else { throw .usage("MANSCDP body declared UTF-8 is not UTF-8", code: .gbInvalid, value: "") }
            return s
        case "gb2312", "gbk", "gb18030", "cp936", "euc-cn":
            return try iconv(body, from: "GB18030")
        default:
            throw .usage("MANSCDP body in an encoding camindex does not read: \(encoding)", code: .gbInvalid, value: encoding)
        }
    }

    static func iconv(_ bytes: [UInt8], from encoding: String) throws(CamindexError) -> String {
        let cd = iconv_open("UTF-8", encoding)
        guard cd != iconv_t(bitPattern: -1) else { throw .runtime("iconv cannot read \(encoding)", code: .gbInvalid, value: encoding) }
        defer { iconv_close(cd) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 16)
        let ok = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress, outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress
                var inLeft = inBuf.count, outLeft = outBuf.count
                let rc = Glibc.iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return rc == -1 ? nil : outBuf.count - outLeft
            }
        }
        guard let n = ok else { throw .usage("MANSCDP body is not valid \(encoding == "GB18030" ? "GB2312/GBK" : encoding)", code: .gbInvalid, value: encoding) }
        return String(decoding: output.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The items of a Catalog response packet.
    public var catalogItems: [GBCatalogItem] {
        (root.child("DeviceList")?.children ?? []).filter { $0.name.caseInsensitiveCompare("Item") == .orderedSame }.compactMap { e in
            guard let id = e.value("DeviceID") else { return nil }
            return GBCatalogItem(id: id, name: e.value("Name") ?? "", manufacturer: e.value("Manufacturer"), model: e.value("Model"),
                                 civilCode: e.value("CivilCode"), parentID: e.value("ParentID").flatMap { $0 == id ? nil : $0 },
                                 longitude: e.value("Longitude").flatMap(Double.init).flatMap { $0 == 0 ? nil : $0 },
                                 latitude: e.value("Latitude").flatMap(Double.init).flatMap { $0 == 0 ? nil : $0 },
                                 status: e.value("Status"))
        }
    }

    public var sumNum: Int? { root.value("SumNum").flatMap { Int($0) } }

    /// A query camindex sends (ASCII, so valid in the GB2312 its peers expect).
    public static func query(_ cmdType: String, sn: Int, deviceID: String) -> [UInt8] {
        Array("""
            <?xml version="1.0" encoding="GB2312"?>\r
            <Query>\r
            <CmdType>\(cmdType)</CmdType>\r
            <SN>\(sn)</SN>\r
            <DeviceID>\(deviceID)</DeviceID>\r
            </Query>\r

            """.utf8)
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        var root: Element?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            stack.append(Element(name: name, attributes: attributes))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard let done = stack.popLast() else { return }
            if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
        }
    }
}
