/// camindex's version, written into export manifests and shown by `camindex --version`.
public enum CamindexVersion {
    public static let current = "0.4.0"
}
