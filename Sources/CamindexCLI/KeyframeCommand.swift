import ArgumentParser
import CamindexCore
import CamindexStore
import Foundation

struct KeyframeCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "keyframe",
        abstract: "Where a player must start to show a moment: the file and the keyframe at or before it.",
        discussion: """
            camindex keyframe --camera 62072300001320000001 --at '2026-11-20 14:03:27'

            OFFSET is seconds from the start of the file, as `ffmpeg -ss OFFSET -i FILE` takes it.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Camera ID.", valueName: "id")) var camera: String
    @Option(help: ArgumentHelp("The moment to show.", valueName: "time")) var at: String
    @OptionGroup var time: TimeOptions
    @Option(help: "table or json.") var format: OutputFormat = .table

    func run() throws {
        let store = try global.openForReading()
        let cam = try store.requireCamera(id: camera)
        let zone = try time.timezone.map { try Zones.named($0) } ?? cam.zone
        let moment = try time.instant(at, option: "--at", zone: zone)
        let (before, next) = try store.keyframes(cameraID: cam.id, at: moment)
        guard let before else {
            let nearby = try store.windows(cameraID: cam.id, range: Interval(moment - 3_600_000, moment + 3_600_000))
            let hint = nearby.isEmpty ? "no footage within an hour of it"
                : "footage nearby: " + nearby.map { "\(TimeFormat.rfc3339($0.interval.start, in: cam.zone))–\(TimeFormat.rfc3339($0.interval.end, in: cam.zone))" }.joined(separator: ", ")
            throw CamindexError.runtime("camera \(cam.id) has no indexed footage at \(TimeFormat.rfc3339(moment, in: cam.zone)); \(hint)")
        }
        let z = cam.zone
        if format == .json {
            struct Key: Encodable { var file, time: String; var offset_seconds, pts_seconds: Double }
            struct Result: Encodable { var camera, at: String; var keyframe: Key; var next: Key? }
            func key(_ k: KeyframeLocation) -> Key {
                Key(file: k.path, time: TimeFormat.rfc3339(k.time, in: z), offset_seconds: Output.seconds(ms: k.offsetMs),
                    pts_seconds: Output.seconds(ms: k.ptsMs))
            }
            try Output.json(Result(camera: cam.id, at: TimeFormat.rfc3339(moment, in: z), keyframe: key(before), next: next.map(key)))
            return
        }
        var rows = [["at or before", TimeFormat.rfc3339(before.time, in: z), String(Output.seconds(ms: before.offsetMs)), before.path]]
        if let next { rows.append(["next", TimeFormat.rfc3339(next.time, in: z), String(Output.seconds(ms: next.offsetMs)), next.path]) }
        print("\(cam.id) \(cam.name) at \(TimeFormat.rfc3339(moment, in: z))")
        print(Output.table(header: ["KEYFRAME", "TIME", "OFFSET", "FILE"], rows: rows, rightAligned: [2]))
    }
}
