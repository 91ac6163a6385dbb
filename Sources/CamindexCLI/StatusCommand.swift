import ArgumentParser
import CamindexCore
import CamindexStore
import Foundation

struct StatusCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The daemon's heartbeat and last cycle, camera states and index totals.",
        discussion: "A heartbeat older than two probe intervals means the daemon is not running: the index is stale."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "table or json.") var format: OutputFormat = .table

    func run() throws {
        let store = try global.openForReading()
        let now = Instant(ms: Store.nowMs())
        let zone = try Zones.named(Zones.defaultIdentifier)
        let heartbeat = try store.lastHeartbeat()
        let cameras = try store.cameras()
        let live = cameras.filter { $0.url != nil }
        let states = try store.liveStates(cameraIDs: live.map(\.id))
        let online = states.values.filter { $0.state == .online }.count
        let offline = states.values.filter { $0.state == .offline }.count
        let totals = try store.indexTotals()
        if format == .json {
            struct Cycle: Encodable { var started, ended: String; var cameras, probes, probe_failures, files_indexed, files_failed: Int }
            struct Beat: Encodable { var at: String; var age_seconds: Double; var pid: Int; var cycle: Cycle }
            struct Cameras: Encodable { var enabled, with_url, online, offline, unknown: Int }
            struct Index: Encodable { var segments, failed, unverified: Int }
            struct Status: Encodable { var store: String; var heartbeat: Beat?; var cameras: Cameras; var index: Index }
            try Output.json(Status(
                store: store.path ?? "",
                heartbeat: heartbeat.map { h in
                    Beat(at: TimeFormat.rfc3339(h.ended, in: zone), age_seconds: Output.seconds(ms: now.ms - h.ended.ms), pid: h.pid,
                         cycle: Cycle(started: TimeFormat.rfc3339(h.started, in: zone), ended: TimeFormat.rfc3339(h.ended, in: zone),
                                      cameras: h.cameras, probes: h.probes, probe_failures: h.probeFailures,
                                      files_indexed: h.filesIndexed, files_failed: h.filesFailed))
                },
                cameras: Cameras(enabled: cameras.count, with_url: live.count, online: online, offline: offline,
                                 unknown: live.count - online - offline),
                index: Index(segments: totals.segments, failed: totals.failed, unverified: totals.unverified)))
            return
        }
        print("store: \(store.path ?? "")")
        if let h = heartbeat {
            print("daemon: last heartbeat \(TimeFormat.rfc3339(h.ended, in: zone)) (\(Output.duration(ms: now.ms - h.ended.ms)) ago), pid \(h.pid)")
            print("last cycle: \(Output.duration(ms: h.ended.ms - h.started.ms)), \(h.cameras) cameras, \(h.probes) probes (\(h.probeFailures) failed), \(h.filesIndexed) files indexed (\(h.filesFailed) failed)")
        } else {
            print("daemon: no heartbeat: the daemon has never run on this store")
        }
        print("cameras: \(cameras.count) enabled, \(live.count) with a live URL: \(online) online, \(offline) offline, \(live.count - online - offline) not yet probed")
        print("index: \(totals.segments) segments, \(totals.unverified) unverified, \(totals.failed) files failed")
    }
}
