import Foundation
import Yams

/// One inventory file under `Cameras/`: the regions it declares and the cameras it lists.
/// The format is documented in `Cameras/README.md`.
public struct InventoryFile: Sendable {
    public struct RegionEntry: Sendable, Hashable {
        public var code: RegionCode
        public var name: String
        public var line: Int
    }

    public struct CameraEntry: Sendable, Hashable {
        public var id: CameraID
        public var name: String
        /// A region code or an exact region name, resolved against the store on import.
        public var region: String
        public var url: StreamURL?
        /// As written; relative paths are resolved by the importer.
        public var recordings: String?
        public var coordinate: Coordinate?
        public var timezone: String
        public var pathPattern: String?
        public var pathTimezone: String?
        /// Picture-quality thresholds that differ from the defaults (`PictureThresholds.names`).
        public var qualityThresholds: [String: Double] = [:]
        public var line: Int
    }

    public var path: String
    public var regions: [RegionEntry]
    public var cameras: [CameraEntry]

    public init(path: String, regions: [RegionEntry], cameras: [CameraEntry]) {
        self.path = path
        self.regions = regions
        self.cameras = cameras
    }

    /// Parses an inventory file's text. Every error names `path`, the line and the field.
    public static func parse(_ text: String, path: String) throws(CamindexError) -> InventoryFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .usage("\(path): \(Self.describe(error))", code: .inventoryInvalid)
        } catch {
            throw .usage("\(path): not valid YAML: \(error)", code: .inventoryInvalid)
        }
        guard let root else { return InventoryFile(path: path, regions: [], cameras: []) }
        let reader = Reader(path: path)
        let top = try reader.mapping(root, "top level", allowed: ["regions", "cameras", "defaults"])

        var defaults = (timezone: Zones.defaultIdentifier, pathPattern: String?.none, pathTimezone: String?.none)
        if let node = top["defaults"] {
            let d = try reader.mapping(node, "defaults", allowed: ["timezone", "path_pattern", "path_timezone"])
            if let tz = try reader.optionalString(d, "timezone", in: "defaults") {
                try reader.checkZone(tz, d["timezone"]!, "defaults.timezone")
                defaults.timezone = tz
            }
            defaults.pathPattern = try reader.optionalString(d, "path_pattern", in: "defaults")
            defaults.pathTimezone = try reader.optionalString(d, "path_timezone", in: "defaults")
        }

        var regions: [RegionEntry] = []
        for (node, _) in try reader.sequence(top["regions"], "regions") {
            let m = try reader.mapping(node, "region", allowed: ["code", "name"])
            let codeText = try reader.string(m, "code", in: "region", at: node)
            let code: RegionCode
            do { code = try RegionCode(codeText) } catch { throw reader.error(m["code"]!, "region field 'code'", error.message) }
            let name = try reader.name(m, in: "region \(codeText)", at: node)
            regions.append(RegionEntry(code: code, name: name, line: reader.line(node)))
        }

        var cameras: [CameraEntry] = []
        var seen: [CameraID: Int] = [:]
        for (node, _) in try reader.sequence(top["cameras"], "cameras") {
            let m = try reader.mapping(node, "camera", allowed: [
                "id", "name", "region", "url", "recordings", "lat", "lon", "timezone", "path_pattern", "path_timezone",
                "quality_thresholds",
            ])
            let idText = try reader.string(m, "id", in: "camera", at: node)
            let id: CameraID
            do { id = try CameraID(idText) } catch { throw reader.error(m["id"]!, "camera field 'id'", error.message) }
            let what = "camera \(idText)"
            if let earlier = seen[id] {
                throw reader.error(node, "\(what) field 'id'", "duplicate camera ID (first listed at line \(earlier))")
            }
            seen[id] = reader.line(node)
            let name = try reader.name(m, in: what, at: node)
            let region = try reader.string(m, "region", in: what, at: node)
            var url: StreamURL?
            if let u = try reader.optionalString(m, "url", in: what) {
                do { url = try StreamURL(u) } catch { throw reader.error(m["url"]!, "\(what) field 'url'", error.message) }
            }
            let lat = try reader.optionalDouble(m, "lat", in: what)
            let lon = try reader.optionalDouble(m, "lon", in: what)
            var coordinate: Coordinate?
            switch (lat, lon) {
            case let (lat?, lon?):
                do { coordinate = try Coordinate(lat: lat, lon: lon) } catch { throw reader.error(m["lat"]!, "\(what) field 'lat'/'lon'", error.message) }
            case (nil, nil): break
            default: throw reader.error(node, "\(what) field '\(lat == nil ? "lat" : "lon")'", "lat and lon go together")
            }
            let timezone = try reader.optionalString(m, "timezone", in: what) ?? defaults.timezone
            if let n = m["timezone"] { try reader.checkZone(timezone, n, "\(what) field 'timezone'") }
            let pattern = try reader.optionalString(m, "path_pattern", in: what) ?? defaults.pathPattern
            if let pattern {
                do { _ = try PathTimestamp(pattern: pattern) } catch {
                    throw reader.error(m["path_pattern"] ?? node, "\(what) field 'path_pattern'", error.message)
                }
            }
            let pathTimezone = try reader.optionalString(m, "path_timezone", in: what) ?? defaults.pathTimezone
            if let pathTimezone { try reader.checkZone(pathTimezone, m["path_timezone"] ?? node, "\(what) field 'path_timezone'") }
            var thresholds: [String: Double] = [:]
            if let t = m["quality_thresholds"] {
                let field = "\(what) field 'quality_thresholds'"
                let map = try reader.mapping(t, field, allowed: Set(PictureThresholds.names))
                var check = PictureThresholds()
                for (name, node) in map {
                    guard case let .scalar(v) = node, let value = Double(v.string) else { throw reader.error(node, field, "\(name): expected a number") }
                    do { try check.set(name, value) } catch { throw reader.error(node, field, error.message) }
                    thresholds[name] = value
                }
            }
            cameras.append(CameraEntry(
                id: id, name: name, region: region, url: url,
                recordings: try reader.optionalString(m, "recordings", in: what),
                coordinate: coordinate, timezone: timezone, pathPattern: pattern, pathTimezone: pathTimezone,
                qualityThresholds: thresholds, line: reader.line(node)))
        }
        return InventoryFile(path: path, regions: regions, cameras: cameras)
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _):
            "line \(mark.line), column \(mark.column): not valid YAML: \(Names.printable(problem))"
        case let .duplicatedKeysInMapping(duplicates, context):
            // The mark is the first of the repeated keys.
            "line \(context.mark.line): field\(duplicates.count == 1 ? "" : "s") "
                + duplicates.map { "'\(Names.printable($0))'" }.joined(separator: ", ") + " given twice"
        default:
            // The text may hold the file's raw bytes: shown escaped, one line.
            "not valid YAML: " + String(Names.printable("\(error)").prefix(300))
        }
    }
}

/// Walks a composed YAML tree, turning every surprise into an error with file and line.
private struct Reader {
    let path: String

    func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    func error(_ node: Node, _ field: String, _ message: String) -> CamindexError {
        .usage("\(path):\(line(node)): \(field): \(message)", code: .inventoryInvalid, value: path)
    }

    func mapping(_ node: Node, _ what: String, allowed: Set<String>) throws(CamindexError) -> [String: Node] {
        guard case let .mapping(mapping) = node else { throw error(node, what, "expected a mapping of fields") }
        var out: [String: Node] = [:]
        for (key, value) in mapping {
            guard let k = key.string else { throw error(key, what, "field names must be plain text") }
            guard allowed.contains(k) else {
                throw error(key, what, "unknown field '\(k)'; known fields: \(allowed.sorted().joined(separator: ", "))")
            }
            if out[k] != nil { throw error(key, what, "field '\(k)' given twice") }
            out[k] = value
        }
        return out
    }

    func sequence(_ node: Node?, _ what: String) throws(CamindexError) -> [(Node, Int)] {
        guard let node else { return [] }
        if case let .scalar(s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return [] }
        guard case let .sequence(seq) = node else { throw error(node, what, "expected a list") }
        return seq.enumerated().map { ($1, $0) }
    }

    func string(_ m: [String: Node], _ key: String, in what: String, at owner: Node) throws(CamindexError) -> String {
        guard let node = m[key] else { throw error(owner, what, "missing field '\(key)'") }
        guard case let .scalar(s) = node, !s.string.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw error(node, "\(what) field '\(key)'", "expected a non-empty value")
        }
        return s.string.trimmingCharacters(in: .whitespaces)
    }

    /// A region's or camera's `name`: one line, at most `Names.maxLength` characters.
    func name(_ m: [String: Node], in what: String, at owner: Node) throws(CamindexError) -> String {
        let text = try string(m, "name", in: what, at: owner)
        do { return try Names.validate(text, what: "name") } catch { throw self.error(m["name"]!, "\(what) field 'name'", error.message) }
    }

    func optionalString(_ m: [String: Node], _ key: String, in what: String) throws(CamindexError) -> String? {
        guard let node = m[key] else { return nil }
        guard case let .scalar(s) = node else { throw error(node, "\(what) field '\(key)'", "expected a value, not a list or mapping") }
        let v = s.string.trimmingCharacters(in: .whitespaces)
        return v.isEmpty || v == "~" || v == "null" ? nil : v
    }

    func optionalDouble(_ m: [String: Node], _ key: String, in what: String) throws(CamindexError) -> Double? {
        guard let text = try optionalString(m, key, in: what) else { return nil }
        guard let v = Double(text), v.isFinite else {
            throw error(m[key]!, "\(what) field '\(key)'", "expected a number in decimal degrees, got '\(text)'")
        }
        return v
    }

    func checkZone(_ name: String, _ node: Node, _ field: String) throws(CamindexError) {
        do { _ = try Zones.named(name) } catch { throw self.error(node, field, error.message) }
    }
}

/// One change an inventory import makes (or would make, with `--dry-run`).
public struct InventoryChange: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        case regionAdded = "region_added", regionRenamed = "region_renamed"
        case cameraAdded = "camera_added", cameraUpdated = "camera_updated", cameraDisabled = "camera_disabled"
    }

    public var kind: Kind
    /// Region code or camera ID.
    public var subject: String
    public var detail: String
    /// Where it came from: `file:line`.
    public var location: String?

    public init(kind: Kind, subject: String, detail: String, location: String?) {
        self.kind = kind
        self.subject = subject
        self.detail = detail
        self.location = location
    }
}
