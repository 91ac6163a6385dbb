import ArgumentParser

extension Bench {
    /// Parses and runs a subcommand, async ones through their `run() async`. (From main.swift's
    /// top-level code, `Bench.main()` ran async subcommands' default synchronous `run()`, which
    /// prints their help.)
    static func execute() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
