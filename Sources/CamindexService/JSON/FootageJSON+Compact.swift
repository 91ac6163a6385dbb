import Foundation

/// The footage answer written straight to compact JSON, byte for byte what `JSONEncoder` with
/// sorted keys and unescaped slashes writes (`FootageJSONTests` holds them equal): the HTTP API
/// answers hundreds of cameras' windows per request, and `Codable`'s intermediate tree was a
/// third of the server's time (BENCHMARKS.md, the HTTP API).
extension FootageJSON {
    public func compactJSON() -> Data {
        var w = CompactJSONWriter()
        w.object { o in
            o.key("cameras") { w in w.array(cameras) { w, item in item.write(&w) } }
            o.key("from") { $0.string(from) }
            o.key("max_gap_seconds") { $0.number(max_gap_seconds) }
            o.key("to") { $0.string(to) }
        }
        return Data(w.bytes)
    }
}

extension FootageJSON.Item {
    fileprivate func write(_ w: inout CompactJSONWriter) {
        w.object { o in
            o.key("coverage") { $0.number(coverage) }
            o.key("covered_seconds") { $0.number(covered_seconds) }
            if let distance_m { o.key("distance_m") { $0.number(distance_m) } }
            o.key("enabled") { $0.bool(enabled) }
            o.key("gaps") { $0.array(gaps) { w, span in span.write(&w) } }
            o.key("id") { $0.string(id) }
            if let live_windows { o.key("live_windows") { $0.array(live_windows) { w, span in span.write(&w) } } }
            o.key("low_confidence") { $0.bool(low_confidence) }
            o.key("name") { $0.string(name) }
            o.key("region") { region.write(&$0) }
            o.key("region_path") { $0.array(region_path) { w, ref in ref.write(&w) } }
            if let time_source { o.key("time_source") { $0.string(time_source) } }
            o.key("timestamps") { $0.string(timestamps) }
            o.key("verified") { $0.bool(verified) }
            o.key("windows") { $0.array(windows) { w, span in span.write(&w) } }
        }
    }
}

extension FootageJSON.Span {
    fileprivate func write(_ w: inout CompactJSONWriter) {
        w.object { o in
            o.key("end") { $0.string(end) }
            o.key("seconds") { $0.number(seconds) }
            if let source { o.key("source") { $0.string(source) } }
            o.key("start") { $0.string(start) }
            if let verified { o.key("verified") { $0.bool(verified) } }
        }
    }
}

extension CameraJSON.RegionRef {
    fileprivate func write(_ w: inout CompactJSONWriter) {
        w.object { o in
            o.key("code") { $0.string(code) }
            o.key("name") { $0.string(name) }
        }
    }
}

/// Compact JSON as Foundation's encoder writes it: `"` `\` and control characters escaped
/// (`\b \f \n \r \t`, else `\u00XX`), `/` and non-ASCII as they are; whole doubles without a
/// fraction. Keys are written in the order given: callers give them sorted.
struct CompactJSONWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(64 * 1024) }

    /// A writer that takes `bytes` over, leaving `[]` behind.
    init(taking bytes: inout [UInt8]) {
        self.bytes = []
        swap(&self.bytes, &bytes)
    }

    struct Object {
        var writer: CompactJSONWriter
        var first = true

        mutating func key(_ name: String, _ value: (inout CompactJSONWriter) -> Void) {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            writer.string(name)
            writer.bytes.append(UInt8(ascii: ":"))
            value(&writer)
        }
    }

    mutating func object(_ body: (inout Object) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        // The bytes move into the object writer and back, never shared: a shared buffer is
        // copied whole at the next append.
        var o = Object(writer: CompactJSONWriter(taking: &bytes))
        body(&o)
        bytes = CompactJSONWriter(taking: &o.writer.bytes).bytes
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func array<T>(_ items: [T], _ each: (inout CompactJSONWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            each(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func bool(_ value: Bool) { bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8)) }

    mutating func number(_ value: Double) {
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
