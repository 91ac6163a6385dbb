/// An error a user can act on. `usage` errors are bad input (exit 2), `runtime` ones are
/// failures while doing the work (exit 1). The message names the input and where it was;
/// `code` is stable for scripts and tests, `value` is the offending input when there is one.
/// Two errors are equal when their codes are: tests match a code, not a sentence.
public struct CamindexError: Error, Hashable, CustomStringConvertible, Sendable {
    public enum Kind: Hashable, Sendable { case usage, runtime }

    /// The closed catalogue of stable dotted names (`region.unknown`, `store.missing`): the
    /// code is printed with every message (`error[store.missing]: …`) for scripts to match.
    /// A new failure gets a case here, never a string made on the spot.
    public enum Code: String, CaseIterable, Hashable, Sendable {
        /// Bad input without a more specific code (options that contradict each other, a
        /// value out of range).
        case invalidArgument = "argument.invalid"
        /// A failure without a more specific code.
        case failed = "runtime.failed"

        case regionInvalid = "region.invalid"
        case regionUnknown = "region.unknown"
        case regionAmbiguous = "region.ambiguous"
        case regionExists = "region.exists"
        case regionParentMissing = "region.parent_missing"
        /// A province or city code given to a county store, which holds one county.
        case regionAboveCounty = "region.above_county"
        case cameraInvalid = "camera.invalid"
        case cameraUnknown = "camera.unknown"
        case cameraExists = "camera.exists"
        /// The camera has no live URL to probe.
        case cameraNoURL = "camera.no_url"
        /// The camera has no recordings directory to index or check.
        case cameraNoRecordings = "camera.no_recordings"
        case timeInvalid = "time.invalid"
        case nameInvalid = "name.invalid"
        case nameDuplicate = "name.duplicate"
        /// A --reason that is blank or too long.
        case reasonInvalid = "reason.invalid"
        /// A user name or role that cannot be accepted.
        case userInvalid = "user.invalid"
        case userUnknown = "user.unknown"
        case userExists = "user.exists"
        /// A password too short, blank or not one line.
        case passwordInvalid = "password.invalid"
        /// The caller's role does not allow the use case asked for.
        case authForbidden = "auth.forbidden"
        /// A wrong user name or password, or an unknown, expired or revoked session or token.
        case authFailed = "auth.failed"
        /// Too many failed sign-ins for one name: refused for a while.
        case authLocked = "auth.locked"
        /// An HTTP request without a session or token, where one is needed.
        case authRequired = "auth.required"
        /// A state-changing HTTP request from another origin, or without the session's CSRF token.
        case authCSRF = "auth.csrf"
        /// A footage or export request from a user without a reason, where the county requires one.
        case auditReasonRequired = "audit.reason_required"
        /// An HTTP route or method the API does not have.
        case routeUnknown = "route.unknown"
        /// An export job (or a file of it) that does not exist for the caller.
        case exportUnknown = "export.unknown"
        /// A Range header that does not fit the file.
        case rangeUnsatisfiable = "range.unsatisfiable"
        case rangeEmpty = "range.empty"
        case zoneUnknown = "zone.unknown"
        case coordinateInvalid = "coordinate.invalid"
        case urlInvalid = "url.invalid"
        case pathPatternInvalid = "path_pattern.invalid"
        case thresholdInvalid = "threshold.invalid"
        case inventoryInvalid = "inventory.invalid"
        case footageNone = "footage.none"
        case qualityThresholdInvalid = "quality.threshold_invalid"
        case thumbnailNone = "thumbnail.none"
        /// Some files could not be indexed (the rest were).
        case indexFailed = "index.failed"
        case storeMissing = "store.missing"
        case storeNewer = "store.newer"
        /// Not a camindex store, or its pages, rows or keyframe blobs are damaged.
        case storeDamaged = "store.damaged"
        case storeFailed = "store.failed"
        case storeReadOnly = "store.read_only"
        /// The device holding the store is full.
        case storeNoSpace = "store.no_space"
        /// A write command given a province's PostgreSQL URL: the province is written only by publishing.
        case storeProvinceReadOnly = "store.province_read_only"
        case provinceFailed = "province.failed"
        /// The province's server cannot be reached (refused, no route, timed out, unknown host).
        case provinceUnreachable = "province.unreachable"
        /// The province's server refused the user or password.
        case provinceAuthFailed = "province.auth_failed"
        /// TLS with the province's server failed: not offered, or its certificate not trusted.
        case provinceTLS = "province.tls"
        /// A statement on the province waited past lock_timeout or ran past statement_timeout.
        case provinceTimeout = "province.timeout"
        case publishCounty = "publish.county"
        /// A SIP message or MANSCDP body from a GB/T 28181 peer that cannot be read.
        case gbInvalid = "gb.invalid"
        /// The SIP listener cannot start (address in use, bad --sip address, no password file).
        case gbListen = "gb.listen"
        /// A device that never registered with the store's daemon.
        case gbUnknown = "gb.unknown"
        /// An on-demand catalog nobody answered: no daemon with --sip took it, or the device was silent.
        case gbTimeout = "gb.timeout"
        /// Another daemon holds the store's daemon lock.
        case daemonRunning = "daemon.running"
        /// The daemon lock file cannot be opened or locked.
        case daemonLock = "daemon.lock"
        case outputFailed = "output.failed"
        /// A file to read (to hash it, to diagnose it) cannot be read.
        case fileUnreadable = "file.unreadable"
        case exportReasonRequired = "export.reason_required"
        /// A clip or manifest is already in --output (no --force).
        case exportExists = "export.exists"
        /// Another export is writing into the same --output (it holds the directory's lock).
        case exportBusy = "export.busy"
        /// The device holding --output has no room for the export's manifests.
        case exportNoSpace = "export.no_space"
        /// A name that would leave the export directory.
        case exportPathEscape = "export.path_escape"
        /// --output inside a camera's recordings directory: the clips would be indexed as footage.
        case exportOutputInRecordings = "export.output_in_recordings"
        case exportNoManifest = "export.no_manifest"
        case exportBadManifest = "export.bad_manifest"
        /// Some cameras could not be exported (the others were).
        case exportFailed = "export.failed"
        /// The export was stopped (a signal) before every camera was done.
        case exportInterrupted = "export.interrupted"
        /// `export verify` found clips changed or missing.
        case exportChanged = "export.changed"
        /// `audit verify` found the hash chain broken.
        case auditBroken = "audit.broken"
        case mediaTimeout = "media.timeout"
        case mediaNotFound = "media.not_found"
        case mediaInvalidData = "media.invalid_data"
        case mediaNoVideo = "media.no_video"
        case mediaIO = "media.io"
        case mediaMismatch = "media.mismatch"
        case mediaOther = "media.other"
        /// No keyframe of the file could be decoded to a picture.
        case mediaNoPicture = "media.no_picture"
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

/// An error of another layer (FFmpeg's, a server's) that knows its place in the catalogue, so
/// that a front end prints its code without importing that layer.
public protocol CamindexErrorConvertible: Error {
    var camindexError: CamindexError { get }
}
