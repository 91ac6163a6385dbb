import CamindexCore
import Foundation

/// The public half of a store's signing key, as `GET /api/v1/signing-key` and
/// `export key --format json` show it.
public struct SigningKeyJSON: Codable, Sendable, Hashable {
    public var algorithm: String
    public var public_key: String
    public var key_id: String

    public init(_ key: ManifestPublicKey) {
        algorithm = ManifestSigningKey.algorithm
        public_key = key.base64
        key_id = key.keyID
    }
}

extension IndexService {
    /// The public key the county store signs its exports' manifests with, the key made on
    /// first need (`STORE.signing-key`, mode 0600). Any signed-in user may see it; a province
    /// has none (exports are a county's).
    public func signingKey() throws -> SigningKeyJSON {
        let store = try countyStore()
        guard let path = store.path else {
            throw CamindexError.runtime("a store in memory has no signing key", code: .outputFailed)
        }
        return SigningKeyJSON(try ManifestSigningKey.loadOrCreate(path: ManifestSigningKey.path(forStore: path), owner: path).publicKey)
    }

    /// `export verify`: every clip re-hashed, the signature checked — against `publicKey` (its
    /// base64, or the JSON of `GET /api/v1/signing-key`) when given, and said whether it is the
    /// key of the store at `store` (when there is a store there; its key file is only read) —
    /// and the extraction record's manifest hash.
    public static func verifyExport(directory: String, publicKey: String?, store: String?) throws -> Exporter.Verification {
        let expected = try publicKey.map { try ManifestPublicKey(parsing: $0) }
        var note: String?
        var storeKey: ManifestPublicKey?
        var storeHasNoKey = false
        if let store, FileManager.default.fileExists(atPath: store) {
            do {
                storeKey = try ManifestSigningKey.load(path: ManifestSigningKey.path(forStore: store))?.publicKey
                if storeKey == nil {
                    storeHasNoKey = true
                    note = "the store \(store) has no signing key yet: the signature is by another store's key"
                }
            } catch let error as CamindexError {
                note = "whether it is the key of the store \(store) is not known: \(error.message)"
            }
        }
        var v = try Exporter.verify(directory: directory, expectedKey: expected, storeKey: storeKey)
        if let note, v.signature != nil {
            if storeHasNoKey { v.signature?.isStoreKey = false }
            v.warnings.append(note)
        }
        return v
    }
}
