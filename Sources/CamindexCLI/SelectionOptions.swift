import ArgumentParser
import CamindexCore
import CamindexService

/// Which cameras: by region, by ID, or by distance from a point (query and export).
struct SelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Region code or exact name.", valueName: "region")) var region: String?
    @Option(help: ArgumentHelp("Camera ID (repeatable).", valueName: "id")) var camera: [String] = []
    @Option(help: ArgumentHelp("Cameras within --radius of this point.", valueName: "lat,lon")) var near: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Metres from --near.", valueName: "meters")) var radius: Double?

    func validate() throws {
        let selectors = [region != nil, !camera.isEmpty, near != nil].filter { $0 }.count
        guard selectors == 1 else {
            throw CamindexError.usage("say which cameras with exactly one of --region, --camera or --near (with --radius)")
        }
        if let near {
            guard let radius else { throw CamindexError.usage("--near needs --radius METERS") }
            guard radius > 0, radius.isFinite else { throw CamindexError.usage("--radius must be a positive number of metres") }
            _ = try Coordinate(parsing: near)
        } else if radius != nil {
            throw CamindexError.usage("--radius goes with --near")
        }
    }

    func selector() throws -> CameraSelector {
        if let region { return .region(region) }
        if let near, let radius { return .near(try Coordinate(parsing: near), radiusM: radius) }
        return .cameras(camera)
    }
}
