import ArgumentParser
import CamindexCore
import Foundation

/// `--date/--timezone` as the query, keyframe and export commands take them.
struct TimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Date for times given as HH:MM: YYYY-MM-DD, today or yesterday (default today).
        """, valueName: "date"))
    var date: String?
    @Option(help: ArgumentHelp("""
        Zone for times without an offset (default: the cameras' zone, Asia/Shanghai).
        """, valueName: "tz"))
    var timezone: String?

    init() {}

    func validate() throws {
        if let timezone { _ = try Zones.named(timezone) }
    }
}
