import CFFmpeg
import Synchronization

/// The deadline FFmpeg polls through its interrupt callback while it blocks in I/O.
/// It must outlive the format context that points at it; `InputFile` holds it.
final class Interrupt: Sendable {
    let deadline: ContinuousClock.Instant
    private let cancelled = Atomic<Bool>(false)

    init(timeout: Duration) {
        deadline = ContinuousClock.now.advanced(by: timeout)
    }

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Checked hundreds of times a second: keep it cheap.
    var shouldStop: Bool {
        cancelled.load(ordering: .relaxed) || ContinuousClock.now >= deadline
    }

    var expired: Bool { ContinuousClock.now >= deadline }

    var callback: AVIOInterruptCB {
        AVIOInterruptCB(callback: interruptCallback, opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}

private let interruptCallback: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { opaque in
    guard let opaque else { return 0 }
    return Unmanaged<Interrupt>.fromOpaque(opaque).takeUnretainedValue().shouldStop ? 1 : 0
}
