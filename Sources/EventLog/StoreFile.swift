#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EventStore {
    /// The first 16 bytes of every SQLite database file.
    static let fileHeader = Array("SQLite format 3\0".utf8)

    /// True when `path` is an SQLite database, an event store, rather than a trace:
    /// told by its header, whatever its name.
    public static func isStoreFile(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: fileHeader.count)
        return read(fd, &bytes, bytes.count) == bytes.count && bytes == fileHeader
    }
}
