import Glibc

// Output goes through write(2) on the descriptor, never through C's buffered stdout: nothing is
// lost when a later step fails, and no C global is shared between tasks.

/// Whether a file descriptor is a terminal (colour, progress).
func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// Writes all of `text` to a file descriptor.
func writeAll(_ text: String, to fd: Int32) { writeAll(Array(text.utf8), to: fd) }

/// Writes all of `bytes` to a file descriptor: short writes are continued, interrupted ones retried.
func writeAll(_ bytes: [UInt8], to fd: Int32) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}
