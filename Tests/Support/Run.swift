import Foundation

extension Footage {
    /// Runs a command and returns its exit status (its output is discarded): for commands
    /// expected to fail.
    public static func runStatus(_ tool: String, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}

extension Process {
    /// Runs this process to its end and returns its exit status and output; both pipes are read
    /// while it runs, so a chatty command cannot fill one and stall.
    public func runCollectingOutput() throws -> CLI.Result {
        let out = Pipe(), err = Pipe()
        standardOutput = out
        standardError = err
        try run()
        let errData = Mutexed<Data>(Data())
        let reader = Thread { errData.value = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        waitUntilExit()
        while !errData.done { usleep(1000) }
        return CLI.Result(status: terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData.value, as: UTF8.self))
    }
}
