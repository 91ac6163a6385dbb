import CamindexCore
import CamindexService
import CamindexWeb
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What the page is told of the county: its basemap, the cameras' zone, the top region.
public struct PageSettings: Sendable {
    /// How the county's tiles place a coordinate: WGS84, or GCJ-02 (China's offset datum, as
    /// most Chinese map services use).
    public enum Datum: String, Sendable, CaseIterable { case wgs84, gcj02 }

    /// A tile URL with `{z}`, `{x}` and `{y}` (`{s}` for subdomains), e.g. the county's PGIS
    /// server; nil: the cameras on a plain coordinate grid.
    public var tiles: String?
    public var datum: Datum = .wgs84
    public var attribution: String?

    public init(tiles: String? = nil, datum: Datum = .wgs84, attribution: String? = nil) throws {
        if let tiles {
            guard tiles.hasPrefix("http://") || tiles.hasPrefix("https://") || tiles.hasPrefix("/"),
                  tiles.contains("{z}"), tiles.contains("{x}"), tiles.contains("{y}") else {
                throw CamindexError.usage("--tiles \(Names.printable(tiles)): give a tile URL with {z}, {x} and {y}, as http://pgis.county.local/tiles/{z}/{x}/{y}.png", value: tiles)
            }
        }
        self.tiles = tiles
        self.datum = datum
        self.attribution = attribution
    }

    /// The origin the page may load tile images from (the Content-Security-Policy names it).
    var tileOrigin: String? {
        guard let tiles, let scheme = tiles.range(of: "://") else { return nil }
        let rest = tiles[scheme.upperBound...]
        let host = rest.prefix { $0 != "/" }
        // {s} subdomains: the policy allows every subdomain of the host.
        return String(tiles[..<scheme.upperBound]) + host.replacingOccurrences(of: "{s}", with: "*")
    }
}

/// `GET /api/v1/page`: what the page needs before it draws.
struct PageJSON: Encodable {
    struct Top: Encodable { var code, name, level: String }
    var version: String
    var timezone: String
    var top: Top?
    var tiles: String?
    var tiles_datum: String
    var tiles_attribution: String?
    var recording_lag_seconds: Int64
}

extension API {
    /// The page and its files, outside `/api/v1` and the OpenAPI document; open to anyone, as
    /// a sign-in page must be (they hold no data).
    static let pageRoutes: [APIRoute] = [
        APIRoute(.get, "/", pageIndex),
        APIRoute(.get, "/assets/{name}", pageAsset),
    ]

    static func pageIndex(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        try asset("index.html", request)
    }

    static func pageAsset(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        try asset(try context.parameters.require("name"), request)
    }

    static func asset(_ name: String, _ request: Request) throws -> Response {
        guard let asset = WebAssets.named(name) else {
            throw CamindexError.usage("no page file '\(Names.printable(name))'", code: .routeUnknown, value: name)
        }
        // Asked again each time, answered 304 while unchanged: a new camindex is seen at once.
        var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache"]
        if request.headers[.ifNoneMatch] == asset.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    static func page(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        let settings = api.page
        return try await api.answer(request, context) { service, p in
            try p.allow([])
            let top = try service.topRegion()
            return PageJSON(version: CamindexVersion.current, timezone: Zones.defaultIdentifier,
                            top: top.map { PageJSON.Top(code: $0.code, name: $0.name, level: $0.levelLabel) },
                            tiles: settings.tiles, tiles_datum: settings.datum.rawValue, tiles_attribution: settings.attribution,
                            recording_lag_seconds: CameraStates.recordingLagMs / 1000)
        }
    }

    static func states(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow(["region"])
            return CameraStateJSON.list(try service.cameraStates(region: p.string("region")))
        }
    }
}
