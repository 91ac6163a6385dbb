/// A camera's identifier: a 20-digit GB/T 28181 device ID, or a local slug.
public struct CameraID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws(CamindexError) {
        if text.isEmpty { throw .usage("empty camera ID", code: .cameraInvalid) }
        let allDigits = text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        if allDigits {
            guard text.utf8.count == 20 else {
                throw .usage("invalid camera ID '\(text)': a GB/T 28181 ID has 20 digits, this has \(text.utf8.count)", code: .cameraInvalid)
            }
        } else {
            // 18–22 characters, all but one or two of them digits: a GB/T 28181 ID with a typo,
            // not a slug someone chose.
            let digits = text.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }.count
            if (18...22).contains(text.utf8.count), digits >= text.utf8.count - 2 {
                throw .usage("invalid camera ID '\(text)': it looks like a GB/T 28181 ID but is not 20 digits "
                             + "(\(text.utf8.count) characters, \(text.utf8.count - digits) not a digit)", code: .cameraInvalid, value: text)
            }
            let allowed = text.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                    || c == 0x2D || c == 0x5F || c == 0x2E
            }
            guard allowed, text.utf8.count <= 64, let first = text.utf8.first,
                  first != 0x2D, first != 0x2E
            else {
                throw .usage("invalid camera ID '\(text)': use 20 digits (GB/T 28181) or a slug of letters, digits, '-', '_', '.' (at most 64, not starting with '-' or '.')", code: .cameraInvalid)
            }
        }
        rawValue = text
    }

    /// The GB/T 28181 fields, for 20-digit IDs.
    public var gb28181: GB28181Fields? {
        rawValue.utf8.count == 20 && rawValue.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            ? GB28181Fields(rawValue) : nil
    }

    /// When this is a GB/T 28181 ID whose centre code names another county than `regionCode`'s,
    /// a sentence saying so.
    public func countyMismatch(regionCode: String) -> String? {
        guard let gb = gb28181, regionCode.count >= 6, gb.countyCode != String(regionCode.prefix(6)) else { return nil }
        return "camera \(rawValue): its GB/T 28181 centre code \(gb.centerCode) names county \(gb.countyCode), but its region \(regionCode) is in county \(regionCode.prefix(6))"
    }

    public var description: String { rawValue }
    public static func < (a: CameraID, b: CameraID) -> Bool { a.rawValue < b.rawValue }
}

/// The parts of a 20-digit GB/T 28181 device ID.
public struct GB28181Fields: Hashable, Sendable {
    /// Digits 1-8: province, city, county, base unit.
    public let centerCode: String
    /// Digits 9-10: industry (00 road, 01 community, 04 traffic, 05 checkpoint, ...).
    public let industryCode: String
    /// Digits 11-13: device type (131 camera, 132 IPC, 118 NVR, ...).
    public let typeCode: String
    /// Digit 14: network (0/1 police video network, 5 police information, 6 e-gov, 7 Internet).
    public let networkCode: String
    public let serial: String

    init(_ id: String) {
        let d = Array(id)
        centerCode = String(d[0..<8])
        industryCode = String(d[8..<10])
        typeCode = String(d[10..<13])
        networkCode = String(d[13])
        serial = String(d[14..<20])
    }

    /// The county part of the center code, comparable with a region code.
    public var countyCode: String { String(centerCode.prefix(6)) }

    public var typeName: String {
        switch typeCode {
        case "111": "DVR"
        case "112": "video server"
        case "113": "encoder"
        case "114": "decoder"
        case "115": "video switching matrix"
        case "116": "audio switching matrix"
        case "117": "alarm controller"
        case "118": "NVR"
        case "130": "audio output device"
        case "131": "camera"
        case "132": "IPC"
        case "133": "display"
        case "134": "alarm input"
        case "135": "alarm output"
        case "136": "audio input"
        case "137": "audio output"
        case "138": "mobile transmitter"
        case "200": "central signalling server"
        case "215": "business group"
        case "216": "virtual organisation"
        case "501": "O&M platform"
        default: "type \(typeCode)"
        }
    }

    /// 131 and 132 are cameras; other types (NVRs, servers) are accepted but worth a warning.
    public var isCamera: Bool { typeCode == "131" || typeCode == "132" }
}
