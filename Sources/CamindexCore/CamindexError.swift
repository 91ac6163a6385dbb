/// An error a user can act on. `usage` errors are bad input (exit 2), `runtime` ones are
/// failures while doing the work (exit 1). The message names the input and where it was;
/// `code` is stable for scripts and tests, `value` is the offending input when there is one.
/// Two errors are equal when their codes are: tests match a code, not a sentence.
public struct CamindexError: Error, Hashable, CustomStringConvertible, Sendable {
    public enum Kind: Hashable, Sendable { case usage, runtime }

    /// A stable dotted name: `region.unknown`, `store.missing`, `time.invalid`.
    public struct Code: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }
        public var description: String { rawValue }

        /// Bad input without a more specific code.
        public static let invalidArgument: Code = "argument.invalid"
        /// A failure without a more specific code.
        public static let failed: Code = "runtime.failed"

        public static let regionInvalid: Code = "region.invalid"
        public static let regionUnknown: Code = "region.unknown"
        public static let regionAmbiguous: Code = "region.ambiguous"
        public static let regionExists: Code = "region.exists"
        public static let regionParentMissing: Code = "region.parent_missing"
        /// A province or city code given to a county store, which holds one county.
        public static let regionAboveCounty: Code = "region.above_county"
        public static let cameraInvalid: Code = "camera.invalid"
        public static let cameraUnknown: Code = "camera.unknown"
        public static let cameraExists: Code = "camera.exists"
        public static let timeInvalid: Code = "time.invalid"
        public static let nameInvalid: Code = "name.invalid"
        public static let nameDuplicate: Code = "name.duplicate"
        public static let rangeEmpty: Code = "range.empty"
        public static let zoneUnknown: Code = "zone.unknown"
        public static let coordinateInvalid: Code = "coordinate.invalid"
        public static let urlInvalid: Code = "url.invalid"
        public static let thresholdInvalid: Code = "threshold.invalid"
        public static let inventoryInvalid: Code = "inventory.invalid"
        public static let footageNone: Code = "footage.none"
        public static let qualityThresholdInvalid: Code = "quality.threshold_invalid"
        public static let thumbnailNone: Code = "thumbnail.none"
        public static let storeMissing: Code = "store.missing"
        public static let storeNewer: Code = "store.newer"
        public static let storeDamaged: Code = "store.damaged"
        public static let storeFailed: Code = "store.failed"
        public static let storeReadOnly: Code = "store.read_only"
        /// A write command given a province's PostgreSQL URL: the province is written only by publishing.
        public static let storeProvinceReadOnly: Code = "store.province_read_only"
        public static let provinceFailed: Code = "province.failed"
        /// The province's server cannot be reached (refused, no route, timed out, unknown host).
        public static let provinceUnreachable: Code = "province.unreachable"
        /// The province's server refused the user or password.
        public static let provinceAuthFailed: Code = "province.auth_failed"
        /// TLS with the province's server failed: not offered, or its certificate not trusted.
        public static let provinceTLS: Code = "province.tls"
        public static let publishCounty: Code = "publish.county"
        public static let daemonRunning: Code = "daemon.running"
        public static let outputFailed: Code = "output.failed"
    }

    public var kind: Kind
    public var code: Code
    public var message: String
    public var value: String?

    public init(_ kind: Kind, _ message: String, code: Code? = nil, value: String? = nil) {
        self.kind = kind
        self.code = code ?? (kind == .usage ? .invalidArgument : .failed)
        self.message = message
        self.value = value
    }

    public static func usage(_ message: String, code: Code = .invalidArgument, value: String? = nil) -> CamindexError {
        .init(.usage, message, code: code, value: value)
    }

    public static func runtime(_ message: String, code: Code = .failed, value: String? = nil) -> CamindexError {
        .init(.runtime, message, code: code, value: value)
    }

    public var description: String { message }

    public static func == (a: CamindexError, b: CamindexError) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
