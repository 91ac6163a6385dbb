import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct KeyframeCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "keyframe",
        abstract: "Where a player must start to show a moment: the file and the keyframe at or before it.",
        discussion: """
            camindex keyframe --camera 62072300001320000001 --at '2026-11-20 14:03:27'

            OFFSET is seconds from the start of the file, as `ffmpeg -ss OFFSET -i FILE` takes it.
            A moment in a hole of up to 2 s between files (which `query` counts as covered) gets
            the previous file's last keyframe, and the answer says how long the hole is.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Camera ID.", valueName: "id")) var camera: String
    @Option(help: ArgumentHelp("The moment to show.", valueName: "time")) var at: String
    @OptionGroup var time: TimeOptions
    @Option(help: "table or json.") var format: TableOrJSON = .table
    @OptionGroup var audit: AuditOptions

    func run() throws {
        let answer = try global.service(.read).keyframe(cameraID: camera, at: at, date: time.date, timezone: time.timezone, reason: audit.reason)
        let (cam, moment, before, next) = (answer.camera, answer.at, answer.keyframe, answer.next)
        let z = cam.zone
        if format == .json { return try Output.json(KeyframeJSON(answer)) }
        var rows = [["at or before", TimeFormat.rfc3339(before.time, in: z), String(Output.seconds(ms: before.offsetMs)), before.path]]
        if let next { rows.append(["next", TimeFormat.rfc3339(next.time, in: z), String(Output.seconds(ms: next.offsetMs)), next.path]) }
        print("\(cam.id) \(cam.name) at \(TimeFormat.rfc3339(moment, in: z))")
        print(Output.table(header: ["KEYFRAME", "TIME", "OFFSET", "FILE"], rows: rows, rightAligned: [2]))
        if let hole = answer.bridgedHoleMs {
            print("\(TimeFormat.rfc3339(moment, in: z)) falls in a bridged hole of \(hole) ms between files (counted as covered)")
        }
    }
}
