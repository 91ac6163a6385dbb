import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key a county's store signs its export manifests with (Ed25519): a file beside the
/// store, `STORE.signing-key`, mode 0600, made on first need. Its private half is never
/// printed, logged or put in a message; its public half is what `export verify`, `export key`
/// and `GET /api/v1/signing-key` show.
public struct ManifestSigningKey: Sendable {
    public static let algorithm = "Ed25519"
    public static let fileSuffix = ".signing-key"

    // The key's 32 bytes (the Crypto key type is not Sendable); made into one to sign.
    private let raw: Data
    private var privateKey: Curve25519.Signing.PrivateKey {
        // Checked when it was read or made.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    public var publicKey: ManifestPublicKey { ManifestPublicKey(privateKey.publicKey) }

    /// A new key, kept nowhere (tests; `loadOrCreate` keeps the one it makes).
    public static func generate() -> ManifestSigningKey { ManifestSigningKey(privateKey: .init()) }

    private init(privateKey: Curve25519.Signing.PrivateKey) { raw = privateKey.rawRepresentation }

    /// Where the key of the store at `store` is kept.
    public static func path(forStore store: String) -> String { store + fileSuffix }

    public func sign(_ data: Data) throws -> Data {
        do { return try privateKey.signature(for: data) } catch {
            throw CamindexError.runtime("cannot sign: \(error)", code: .failed)
        }
    }

    /// The key kept at `path`; nil when there is no file. Refused when the file is not a
    /// regular file, is readable or writable by group or others, or does not hold a key.
    public static func load(path: String) throws -> ManifestSigningKey? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return nil }
            throw CamindexError.runtime(e == ELOOP
                ? "the signing key \(path) is a symbolic link: refusing to use it; keep the key as a plain file (mode 0600) beside the store"
                : "cannot read the signing key \(path): \(String(cString: strerror(e)))", code: .fileUnreadable, value: path)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw CamindexError.runtime("the signing key \(path) is not a regular file: refusing to use it", code: .fileUnreadable, value: path)
        }
        let mode = st.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw CamindexError.runtime("the signing key \(path) is open to group or others (mode 0\(String(mode, radix: 8))): refusing to use a key others may have read; 'chmod 600 \(path)' if nobody did, else remove it (a new key is made; exports signed by the old one still verify against its public key)",
                                        code: .fileUnreadable, value: path)
        }
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                throw CamindexError.runtime("cannot read the signing key \(path): \(String(cString: strerror(errno)))", code: .fileUnreadable, value: path)
            }
            if n == 0 || bytes.count > 64 << 10 { break }
            bytes += block[..<n]
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count == 1, let raw = Data(base64Encoded: lines[0]), raw.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw CamindexError.runtime("the signing key \(path) does not hold an Ed25519 key camindex wrote: refusing to use it", code: .fileUnreadable, value: path)
        }
        return ManifestSigningKey(privateKey: key)
    }

    /// The key kept at `path`, made when there is none: written whole to a temporary file
    /// (0600) and linked to its name, so that a reader never sees half a key and two processes
    /// making one at once both end with the one linked first (a rename would let the second
    /// replace the key the first already signed with). Run as root, the file is given to the
    /// owner of `owner` (the store), who runs the server.
    public static func loadOrCreate(path: String, owner: String? = nil) throws -> ManifestSigningKey {
        if let key = try load(path: path) { return key }
        let key = generate()
        let dir = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var template = Array("\(dir)/.\((path as NSString).lastPathComponent).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        func failed(_ what: String) -> CamindexError {
            .runtime("cannot make the signing key \(path): \(what)", code: .outputFailed, value: path)
        }
        guard fd >= 0 else { throw failed(String(cString: strerror(errno))) }
        let temp = String(cString: template)
        defer { unlink(temp) }
        let text = Array("# camindex: the Ed25519 key this store signs export manifests with (private: keep it mode 0600)\n\(key.raw.base64EncodedString())\n".utf8)
        var ok = fchmod(fd, 0o600) == 0
        ok = ok && text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.count
        if ok, geteuid() == 0, let owner {
            var st = stat()
            if stat(owner, &st) == 0 { _ = fchown(fd, st.st_uid, st.st_gid) }
        }
        ok = ok && fsync(fd) == 0
        let e = errno
        close(fd)
        guard ok else { throw failed(String(cString: strerror(e))) }
        if link(temp, path) != 0 {
            let e = errno
            guard e == EEXIST else { throw failed(String(cString: strerror(e))) }
            // Another process made it first: its key is the store's.
            guard let theirs = try load(path: path) else { throw failed("it vanished while it was made") }
            return theirs
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
        return key
    }
}

/// The public half of a signing key, as it is shown and compared.
public struct ManifestPublicKey: Sendable, Hashable {
    /// The 32 bytes of the Ed25519 public key.
    public let raw: Data

    init(_ key: Curve25519.Signing.PublicKey) { raw = key.rawRepresentation }

    public init(raw: Data) throws {
        guard raw.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw CamindexError.usage("not an Ed25519 public key: it has 32 bytes (44 characters of base64)", value: raw.base64EncodedString())
        }
        self.raw = raw
    }

    /// A key as it is handed on: its base64, or what holds it — the JSON of
    /// `GET /api/v1/signing-key`, `export key --format json` or a `manifest.json.sig`.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var base64 = trimmed
        if trimmed.hasPrefix("{"), let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
           let key = object["public_key"] as? String {
            base64 = key
        }
        guard let raw = Data(base64Encoded: base64) else {
            throw CamindexError.usage("not an Ed25519 public key in base64: \(Names.printable(String(trimmed.prefix(80))))", value: String(trimmed.prefix(80)))
        }
        try self.init(raw: raw)
    }

    public var base64: String { raw.base64EncodedString() }

    /// The first 16 hex digits of the SHA-256 of the raw key: short enough to read out.
    public var keyID: String { String(SHA256Hex.of(raw).prefix(16)) }

    public func verifies(_ signature: Data, of data: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: data)
    }
}

/// `manifest.json.sig`: a detached Ed25519 signature over the exact bytes of a file of the
/// export (its manifest), with the public key that makes it. Whether that key is the county's
/// is for the reader to check against a key obtained separately (`export verify --public-key`).
public struct ManifestSignature: Codable, Sendable, Hashable {
    public var algorithm: String
    public var public_key: String
    public var key_id: String
    public var signed_file: String
    public var signature: String
    /// When it was signed (not itself signed: the manifest says when the export was made).
    public var signed_at: String

    public static func sign(_ data: Data, file: String, with key: ManifestSigningKey, at: String) throws -> ManifestSignature {
        let publicKey = key.publicKey
        return ManifestSignature(algorithm: ManifestSigningKey.algorithm, public_key: publicKey.base64, key_id: publicKey.keyID,
                                 signed_file: file, signature: try key.sign(data).base64EncodedString(), signed_at: at)
    }

    /// What the signature says of `data`: nil when it verifies, else why not.
    public func problem(with data: Data) -> String? {
        guard algorithm == ManifestSigningKey.algorithm else { return "the algorithm is '\(Names.printable(algorithm))', not Ed25519" }
        guard let key = try? ManifestPublicKey(parsing: public_key) else { return "its public key is not an Ed25519 key" }
        guard key.keyID == key_id else { return "its key_id \(Names.printable(key_id)) is not its public key's (\(key.keyID))" }
        guard let sig = Data(base64Encoded: signature), sig.count == 64 else { return "the signature is not 64 bytes of base64" }
        guard key.verifies(sig, of: data) else { return "the signature does not match the bytes of \(Names.printable(signed_file)): it was changed after it was signed" }
        return nil
    }

    /// The signer's public key, when it is one.
    public var publicKey: ManifestPublicKey? { try? ManifestPublicKey(parsing: public_key) }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
