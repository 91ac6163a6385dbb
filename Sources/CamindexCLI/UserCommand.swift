import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Keep the users of the HTTP API: police, technicians, township officers, admins.",
        discussion: """
            Users live in the store the server reads. A role says what a user may do: police see \
            regions, cameras, footage, keyframes, thumbnails and export; technicians the same but \
            export, plus health, status, check results and probe history; officers regions, \
            cameras, health and reports; admins users and the audit trail. --region limits a user \
            to the cameras under those regions. Passwords are read from standard input or a file, \
            never from the command line, and kept only as scrypt hashes; every change is an \
            audit row.

              printf '%s\\n' "$PASSWORD" | camindex user add zhang.wei --role police --region 沙河镇 --password-stdin
              camindex user list
            """,
        subcommands: [Add.self, List.self, Passwd.self, Disable.self, Enable.self, Remove.self, Token.self]
    )
}

/// Where a password comes from: never an argument, which `ps` and shell history would show.
struct PasswordSource: ParsableArguments {
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
    @Option(help: ArgumentHelp("Read the password from the first line of this file.", valueName: "file")) var passwordFile: String?

    func validate() throws {
        guard passwordStdin != (passwordFile != nil) else {
            throw ValidationError("give the password with --password-stdin or --password-file FILE (one of them)")
        }
    }

    func read() throws -> String {
        let text: String
        if let passwordFile {
            do { text = try String(contentsOfFile: passwordFile, encoding: .utf8) } catch {
                throw CamindexError.runtime("cannot read the password file \(passwordFile): \(ErrorText.of(error))", code: .fileUnreadable, value: passwordFile)
            }
        } else {
            text = Swift.readLine(strippingNewline: true) ?? ""
        }
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
    }
}

extension UserCommand {
    struct Add: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Add a user with a role, and optionally limited to regions.",
            discussion: """
                  camindex user add zhang.wei --role police --region 620723100 --password-file /root/zhang.pw
                  printf '%s\\n' "$PASSWORD" | camindex user add admin --role admin --password-stdin
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user name: letters, digits, '.', '_', '-', '@'.") var name: String
        @Option(help: "police, technician, officer or admin.") var role: String
        @Option(parsing: .singleValue, help: ArgumentHelp("Limit the user to the cameras under this region (code or exact name); repeat for more.", valueName: "region"))
        var region: [String] = []
        @OptionGroup var password: PasswordSource

        func run() throws {
            let user = try global.service(.write).addUser(name: name, role: role, regions: region, password: try password.read())
            print("added user \(user.name): \(user.role.rawValue), \(user.regions.isEmpty ? "all regions" : "regions " + user.regions.joined(separator: " "))")
        }
    }

    struct List: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "List the users, their roles and regions (never a password).",
            discussion: """
                  camindex user list
                  camindex user list --format json
                """
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "table or json.") var format: TableOrJSON = .table

        func run() throws {
            let users = try global.service(.read).users()
            let zone = TimeZone(identifier: Zones.defaultIdentifier)!
            switch format {
            case .json:
                struct Item: Encodable {
                    var name, role: String
                    var regions: [String]
                    var disabled: Bool
                    var created_at, password_changed_at: String
                }
                try Output.json(users.map {
                    Item(name: $0.name, role: $0.role.rawValue, regions: $0.regions, disabled: $0.disabled,
                         created_at: TimeFormat.rfc3339($0.createdAt, in: zone), password_changed_at: TimeFormat.rfc3339($0.passwordChangedAt, in: zone))
                })
            case .table:
                guard !users.isEmpty else { return print("no users: add one with 'camindex user add NAME --role ROLE --password-stdin'") }
                print(Output.table(header: ["NAME", "ROLE", "REGIONS", "STATE", "CREATED"], rows: users.map {
                    [$0.name, $0.role.rawValue, $0.regions.isEmpty ? "all" : $0.regions.joined(separator: " "), $0.disabled ? "disabled" : "enabled",
                     TimeFormat.rfc3339($0.createdAt, in: zone)]
                }))
            }
        }
    }

    struct Passwd: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password.",
            discussion: "  printf '%s\\n' \"$NEW\" | camindex user passwd zhang.wei --password-stdin"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user name.") var name: String
        @OptionGroup var password: PasswordSource

        func run() throws {
            try global.service(.write).setPassword(user: name, password: try password.read())
            print("password of \(name) changed")
        }
    }

    struct Disable: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Disable a user: they cannot sign in, and their tokens are revoked.",
            discussion: "  camindex user disable zhang.wei"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user name.") var name: String

        func run() throws {
            try global.service(.write).setUserDisabled(name, true)
            print("user \(name) disabled, its tokens revoked")
        }
    }

    struct Enable: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled user again.",
            discussion: "  camindex user enable zhang.wei"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user name.") var name: String

        func run() throws {
            try global.service(.write).setUserDisabled(name, false)
            print("user \(name) enabled")
        }
    }

    struct Remove: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user and their tokens (their audit rows stay).",
            discussion: "  camindex user remove zhang.wei"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user name.") var name: String

        func run() throws {
            try global.service(.write).removeUser(name)
            print("user \(name) removed")
        }
    }

    struct Token: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Issue a bearer token for scripts (shown once; the store keeps only its hash).",
            discussion: """
                The token is printed once, on standard output, and cannot be shown again: keep it \
                where the script reads it. It ends when it expires, or when the user is disabled \
                or removed.

                  camindex user token platform-sync --expires 90 > /etc/camindex/token && chmod 600 /etc/camindex/token
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user name.") var name: String
        @Option(parsing: .unconditional, help: ArgumentHelp("Days the token is valid (1–3650; default: no expiry).", valueName: "days"))
        var expires: Int?

        func run() throws {
            let (token, info) = try global.service(.write).issueToken(user: name, days: expires)
            print(token)
            let until = info.expiresAt.map { "expires " + TimeFormat.rfc3339($0, in: TimeZone(identifier: Zones.defaultIdentifier)!) } ?? "no expiry"
            FileHandle.standardError.write(Data("camindex: token \(info.id) for \(name), \(until): shown once, keep it now\n".utf8))
        }
    }
}
