import CamindexCore
import Foundation

/// The page's files as the server gives them: bytes, type, and an ETag so that a browser
/// asks again cheaply.
public struct WebAsset: Sendable {
    public let bytes: [UInt8]
    public let contentType: String
    public let etag: String

    init(bytes: [UInt8], contentType: String) {
        self.bytes = bytes
        self.contentType = contentType
        etag = "\"" + String(SHA256Hex.of(Data(bytes)).prefix(20)) + "\""
    }
}

public enum WebAssets {
    /// The files under `/assets/`, by name, with their types; `index.html` is the page at `/`.
    static let table: [(name: String, bytes: [UInt8], type: String)] = [
        ("index.html", PackageResources.index_html, "text/html; charset=utf-8"),
        ("app.js", PackageResources.app_js, "text/javascript; charset=utf-8"),
        ("app.css", PackageResources.app_css, "text/css; charset=utf-8"),
        ("leaflet.js", PackageResources.leaflet_js, "text/javascript; charset=utf-8"),
        ("leaflet.css", PackageResources.leaflet_css, "text/css; charset=utf-8"),
        ("leaflet.LICENSE.txt", PackageResources.leaflet_LICENSE_txt, "text/plain; charset=utf-8"),
    ]

    static let built: [String: WebAsset] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, WebAsset(bytes: $0.bytes, contentType: $0.type)) })

    /// `CAMINDEX_WEB_ASSETS=DIR` serves the files of DIR (Sources/CamindexWeb/Assets) instead,
    /// read at each request: for work on the page without a rebuild.
    static let override = ProcessInfo.processInfo.environment["CAMINDEX_WEB_ASSETS"].flatMap { $0.isEmpty ? nil : $0 }

    public static func named(_ name: String) -> WebAsset? {
        guard let type = table.first(where: { $0.name == name })?.type else { return nil }
        if let dir = override {
            guard let data = FileManager.default.contents(atPath: dir + "/" + name) else { return nil }
            return WebAsset(bytes: [UInt8](data), contentType: type)
        }
        return built[name]
    }
}
