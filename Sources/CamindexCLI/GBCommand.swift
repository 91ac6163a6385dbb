import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct GBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gb",
        abstract: "GB/T 28181 devices and lower platforms registered with the daemon's --sip.",
        subcommands: [Devices.self, Password.self]
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
            print(Output.table(header: ["DEVICE", "STATE", "SINCE", "ADDRESS", "LAST KEEPALIVE", "CATALOG"], rows: devices.map { d in
                [d.id, d.online ? "online" : "offline" + (d.reason.map { " (\($0))" } ?? ""), TimeFormat.rfc3339(d.since, in: zone), d.address,
                 d.presence.lastKeepalive.map { TimeFormat.rfc3339($0, in: zone) } ?? "-",
                 d.catalogAt.map { "\(d.catalogReceived ?? 0) of \(d.catalogExpected ?? 0) items, \(TimeFormat.rfc3339($0, in: zone))" } ?? "-"]
            }))
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
