import Foundation

/// Any error as one line a person reads: a `CamindexError`'s message, a lower layer's through
/// its catalogue entry, a Foundation error as the system's own words for its cause (never a
/// `NSCocoaErrorDomain … UserInfo={…}` dump).
public enum ErrorText {
    public static func of(_ error: any Error) -> String {
        switch error {
        case let e as CamindexError: return e.message
        case let e as any CamindexErrorConvertible: return e.camindexError.message
        default:
            let ns = error as NSError
            if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                return String(cString: strerror(Int32(underlying.code)))
            }
            if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
            if ns.domain == NSCocoaErrorDomain {
                switch ns.code {
                case NSFileWriteOutOfSpaceError: return String(cString: strerror(ENOSPC))
                case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return String(cString: strerror(ENOENT))
                case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return String(cString: strerror(EACCES))
                case NSFileWriteVolumeReadOnlyError: return String(cString: strerror(EROFS))
                default: return ns.localizedDescription
                }
            }
            return ns.localizedDescription
        }
    }

    /// The device was full (ENOSPC however Foundation wrapped it).
    public static func isNoSpace(_ error: any Error) -> Bool {
        if error is CamindexError { return false }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileWriteOutOfSpaceError { return true }
        if ns.domain == NSPOSIXErrorDomain, ns.code == Int(ENOSPC) { return true }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return underlying.domain == NSPOSIXErrorDomain && underlying.code == Int(ENOSPC) }
        return false
    }
}
