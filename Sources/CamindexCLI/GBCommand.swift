import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct GBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gb",
        abstract: "GB/T 28181 devices and lower platforms registered with the daemon's --sip.",
        subcommands: [Devices.self, Catalog.self, Password.self]
    )

    struct Devices: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "List the devices and platforms that registered: online or not, why, their last catalog.",
            discussion: """
                A device is offline after three missed keepalives, when its registration expires, \
                or when it unregisters; the reason is kept.

                  camindex gb devices
                  camindex gb devices --format json
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "table or json.") var format: TableOrJSON = .table

        func run() throws {
            let devices = try global.service(.read).gbDevices()
            let zone = try Zones.named(Zones.defaultIdentifier)
            if format == .json { return try Output.json(devices.map { GBDeviceJSON($0, zone: zone) }) }
            if devices.isEmpty { print("no GB/T 28181 device has registered (is the daemon running with --sip?)"); return }
            print(Output.table(header: ["DEVICE", "STATE", "SINCE", "ADDRESS", "LAST KEEPALIVE", "CATALOG", "CLOCK"], rows: devices.map { d in
                [d.id, d.online ? "online" : "offline" + (d.reason.map { " (\($0))" } ?? ""), TimeFormat.rfc3339(d.since, in: zone), d.address,
                 d.presence.lastKeepalive.map { TimeFormat.rfc3339($0, in: zone) } ?? "-",
                 d.catalogAt.map { "\(d.catalogReceived ?? 0) of \(d.catalogExpected ?? 0) items, \(TimeFormat.rfc3339($0, in: zone))" } ?? "-",
                 d.clockOffsetMs.map { String(format: "%+.1f s", Double($0) / 1000) } ?? "-"]
            }))
        }
    }

    struct Catalog: AsyncParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Ask a device for its catalog now, or list where the registry and the catalogs disagree.",
            discussion: """
                With DEVICE the running daemon (--sip, on this store) asks the device for its \
                catalog now, as it does at each registration, and this prints what the catalog \
                changed in the registry. A catalog that does not all come within the daemon's \
                --sip-catalog-timeout is applied as far as it came and disables nothing.

                With --diff nothing is asked: it lists, for DEVICE's cameras or every device's, \
                the fields on which the registry and the last catalog disagree (name, region, \
                position). Where an inventory file registered a camera its fields win; the \
                catalog's are kept beside them.

                  camindex gb catalog 62072300001180000001
                  camindex gb catalog 62072300001180000001 --format json
                  camindex gb catalog --diff
                  camindex gb catalog 62072300001180000001 --diff --format json
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The device's or lower platform's 20-digit ID.") var device: String?
        @Flag(help: "List where the registry and the catalogs disagree; ask nothing.") var diff = false
        @Option(help: ArgumentHelp("How long to wait for the daemon and the device.", valueName: "seconds")) var wait: Double = 45
        @Option(help: "table or json.") var format: TableOrJSON = .table

        func validate() throws {
            if device == nil && !diff { throw ValidationError("give the DEVICE to ask, or --diff to list the differences") }
            try Durations.check(wait, "--wait", max: 600)
        }

        func run() async throws {
            if diff { return try differences() }
            let service = try global.service(.write)
            let asked = try service.gbAskCatalog(device: device!)
            let clock = ContinuousClock(), start = clock.now
            var request = asked
            while request.doneAt == nil, clock.now - start < .milliseconds(Int64(wait * 1000)) {
                try await Task.sleep(for: .milliseconds(200))
                request = try service.gbRequest(id: asked.id) ?? request
            }
            guard let outcome = request.outcome, request.doneAt != nil else {
                let why = request.takenAt == nil
                    ? "no daemon with --sip took the request in \(TextFormat.duration(ms: Int64(wait * 1000))): is 'camindex daemon --sip …' running on this store?"
                    : "the daemon asked \(asked.device); its catalog did not come within \(TextFormat.duration(ms: Int64(wait * 1000)))"
                throw CamindexError.runtime("gb catalog \(asked.device): " + why, code: .gbTimeout, value: asked.device)
            }
            if let error = outcome.error {
                throw CamindexError.runtime("gb catalog \(asked.device): \(error)",
                                            code: outcome.errorCode.flatMap(CamindexError.Code.init(rawValue:)) ?? .gbTimeout, value: asked.device)
            }
            if format == .json { return try Output.json(GBCatalogOutcomeJSON(request, outcome)) }
            for c in outcome.changes {
                let what: String = switch c.kind {
                case .regionAdded: "region added"
                case .regionRenamed: "region renamed"
                case .cameraAdded: "camera added"
                case .cameraUpdated: "camera updated"
                case .cameraDisabled: "camera disabled"
                }
                print("\(what): \(c.subject) \(c.detail)")
            }
            for id in outcome.unplaced { print("unplaced (only the county's CivilCode): \(id)") }
            print("\(asked.device): \(outcome.received) of \(outcome.expected) items, \(outcome.channels) channels, "
                  + (outcome.changes.isEmpty ? "no changes" : "\(outcome.changes.count) changes")
                  + (outcome.timedOut ? " (incomplete: the rest did not come in time; nothing disabled)" : ""))
        }

        private func differences() throws {
            let found = try global.service(.read).gbCatalogDifferences(device: device)
            if format == .json { return try Output.json(found.map(GBCatalogDifferenceJSON.init)) }
            if found.isEmpty { print("the registry and the catalogs agree" + (device.map { " for \($0)" } ?? "")); return }
            print(Output.table(header: ["CAMERA", "FIELD", "REGISTRY", "CATALOG"],
                               rows: found.map { [$0.cameraID, $0.field, $0.registry ?? "-", $0.catalog ?? "-"] }))
        }
    }

    struct Password: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Give one device or lower platform its own SIP password (else the county's --sip-password-file).",
            discussion: """
                The password is read from the first line of --password-file (never from the \
                command line, where ps shows it) and kept as the digest's HA1 for the realm of \
                --sip-id, the daemon's SIP ID (its first 10 digits).

                  camindex gb password 62072300001180000001 --sip-id 62072300002000000001 --password-file nvr-1.pw
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The device's or platform's 20-digit ID.") var device: String
        @Option(name: .customLong("sip-id"), help: ArgumentHelp("The daemon's --sip-id.", valueName: "id")) var sipID: String
        @Option(name: .customLong("password-file"), help: ArgumentHelp("A file whose first line is the password.", valueName: "file"))
        var passwordFile: String

        func validate() throws {
            guard (try? CameraID(sipID))?.gb28181?.typeCode == "200" else {
                throw CamindexError.usage("--sip-id: 20 digits of type 200 (signalling server), as 62072300002000000001", value: sipID)
            }
        }

        func run() throws {
            try global.service(.create).gbSetPassword(device: device, realm: String(sipID.prefix(10)), password: try DaemonCommand.password(passwordFile, option: "--password-file"))
            print("\(device): its own SIP password is set (realm \(sipID.prefix(10)))")
        }
    }
}
