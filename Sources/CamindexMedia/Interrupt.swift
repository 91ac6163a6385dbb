import CFFmpeg
import CamindexCore

/// The deadline FFmpeg polls through its interrupt callback while it blocks in I/O.
/// It must outlive the format context that points at it; `InputFile` holds it.
final class Interrupt: Sendable {
    let deadline: ContinuousClock.Instant
    let cancel: CancelFlag?

    init(timeout: Duration, cancel: CancelFlag? = nil) {
        deadline = ContinuousClock.now.advanced(by: timeout)
        self.cancel = cancel
    }

    /// Checked hundreds of times a second: keep it cheap.
    var shouldStop: Bool {
        (cancel?.isCancelled ?? false) || ContinuousClock.now >= deadline
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
