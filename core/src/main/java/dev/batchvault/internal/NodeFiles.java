package dev.batchvault.internal;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Not API: used by core and the store modules, may change without notice.
 *
 * <p>Reads small files on the node (certificates, password files) without ever blocking on or
 * reading a special file, and never more than a stated limit.
 *
 * <ul>
 *   <li>Only regular files are read, after following symbolic links: a FIFO, socket, device or
 *       directory is refused with {@link Reason#UNREADABLE}, naming the file and what it is.</li>
 *   <li>The check is made before opening, and again on what was opened. On Linux (x86-64, arm64) and
 *       macOS the file is opened with {@code O_NONBLOCK}, so a FIFO swapped in between the check and
 *       the open cannot block the caller either; the opened descriptor's type and size are then
 *       checked through {@code /proc/self/fd} ({@code /dev/fd} on macOS). Elsewhere (Windows has no
 *       FIFOs in its file systems) the file is opened after the check.</li>
 *   <li>A file larger than the limit is refused with {@link Reason#TOO_LARGE}, naming the file and
 *       the limit, without being read; at most {@code limit + 1} bytes are ever read, so a file that
 *       grows while it is read is refused too.</li>
 * </ul>
 */
public final class NodeFiles {
    /** The most a certificate file (PKCS#12 or PEM with key and chain) may hold: 64 KiB. */
    public static final int MAX_CERTIFICATE_BYTES = 64 * 1024;
    /** The most a password file may hold: 1 KiB. */
    public static final int MAX_PASSWORD_BYTES = 1024;

    private NodeFiles() {
    }

    /**
     * Reads a whole regular file of at most {@code limit} bytes.
     *
     * @param file the file; symbolic links are followed
     * @param limit the most bytes it may hold
     * @return its content
     * @throws CertificateUnusableException {@link Reason#UNREADABLE} if it does not exist, cannot be
     *     read or is not a regular file; {@link Reason#TOO_LARGE} if it holds more than {@code limit} bytes
     */
    public static byte[] read(Path file, int limit) {
        BasicFileAttributes before;
        try {
            before = Files.readAttributes(file, BasicFileAttributes.class); // follows symbolic links
        } catch (NoSuchFileException e) {
            throw new CertificateUnusableException(Reason.UNREADABLE, file.toString(), file + " does not exist.", null);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        checkKindAndSize(file, before, limit);
        return NonBlockingOpen.ENABLED ? NonBlockingOpen.read(file, limit) : readPlain(file, limit);
    }

    private static void checkKindAndSize(Path file, BasicFileAttributes attributes, int limit) {
        if (!attributes.isRegularFile()) {
            String kind = attributes.isDirectory() ? "a directory" : attributes.isOther()
                    ? "a special file (FIFO, socket or device)" : "not a regular file";
            throw new CertificateUnusableException(Reason.UNREADABLE, file.toString(), "Cannot read " + file + ": it is "
                    + kind + ", not a file. Only regular files (or symbolic links to them) are read; point the "
                    + "setting at the certificate file itself.", null);
        }
        if (attributes.size() > limit) {
            throw tooLarge(file, limit);
        }
    }

    private static CertificateUnusableException tooLarge(Path file, int limit) {
        return new CertificateUnusableException(Reason.TOO_LARGE, file.toString(), "Cannot use " + file + ": it holds "
                + "more than " + limit + " bytes, the most a " + (limit == MAX_PASSWORD_BYTES ? "password file"
                : "certificate file") + " may hold (a certificate file is a few KiB, a password file a few dozen "
                + "bytes); it was not read. Check that this is the right file.", null);
    }

    private static byte[] readPlain(Path file, int limit) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] content = in.readNBytes(limit + 1);
            if (content.length > limit) {
                Arrays.fill(content, (byte) 0);
                throw tooLarge(file, limit);
            }
            return content;
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    static CertificateUnusableException unreadable(Path file, IOException e) {
        if (e instanceof AccessDeniedException) {
            return permissionDenied(file, e);
        }
        return new CertificateUnusableException(Reason.UNREADABLE, file.toString(), "Cannot read " + file + ": "
                + e + ".", e);
    }

    private static CertificateUnusableException permissionDenied(Path file, Exception cause) {
        return new CertificateUnusableException(Reason.UNREADABLE, file.toString(), "Cannot read " + file
                + ": permission denied for user '" + System.getProperty("user.name") + "'. Run the task elevated "
                + "(Batch: autoUser with elevationLevel admin) or copy the file to a readable place in an "
                + "elevated start task.", cause);
    }

    /** open(2) with O_NONBLOCK and read(2) through JNA, where the flag values are known. */
    static final class NonBlockingOpen {
        static final boolean ENABLED;
        private static final int FLAGS;
        private static final String FD_DIR;
        private static final LibC LIBC;
        private static final int EACCES = 13;

        static {
            int flags = -1;
            String fdDir = null;
            LibC libc = null;
            try {
                if (Platform.isLinux() && (Platform.isIntel() || Platform.isARM()) && Platform.is64Bit()) {
                    flags = 04000 | 0400 | 02000000; // O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
                    fdDir = "/proc/self/fd/";
                } else if (Platform.isMac()) {
                    flags = 0x4 | 0x20000 | 0x1000000; // O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
                    fdDir = "/dev/fd/";
                }
                if (flags >= 0) {
                    libc = com.sun.jna.Native.load("c", LibC.class);
                }
            } catch (LinkageError e) {
                // No JNA, or no native access (a noexec temporary directory): check, then open.
                libc = null;
            }
            LIBC = libc;
            FLAGS = flags;
            FD_DIR = fdDir;
            ENABLED = libc != null;
        }

        private NonBlockingOpen() {
        }

        static byte[] read(Path file, int limit) {
            int fd = LIBC.open(file.toString(), FLAGS);
            if (fd < 0) {
                int errno = com.sun.jna.Native.getLastError();
                if (errno == EACCES) {
                    throw permissionDenied(file, null);
                }
                throw new CertificateUnusableException(Reason.UNREADABLE, file.toString(), "Cannot read " + file
                        + ": open failed (errno " + errno + ").", null);
            }
            Memory buffer = null;
            try {
                BasicFileAttributes opened;
                try {
                    opened = Files.readAttributes(Path.of(FD_DIR + fd), BasicFileAttributes.class);
                } catch (IOException e) {
                    throw unreadable(file, e);
                }
                checkKindAndSize(file, opened, limit); // what was opened, whatever the path names now
                buffer = new Memory(limit + 1L);
                long total = 0;
                while (total < buffer.size()) {
                    long n = LIBC.read(fd, buffer.share(total), new NativeLong(buffer.size() - total)).longValue();
                    if (n < 0) {
                        throw new CertificateUnusableException(Reason.UNREADABLE, file.toString(), "Cannot read "
                                + file + ": read failed (errno " + com.sun.jna.Native.getLastError() + ").", null);
                    }
                    if (n == 0) {
                        break;
                    }
                    total += n;
                }
                if (total > limit) {
                    throw tooLarge(file, limit);
                }
                return buffer.getByteArray(0, (int) total);
            } finally {
                if (buffer != null) {
                    buffer.clear();
                    buffer.close();
                }
                LIBC.close(fd);
            }
        }
    }

    /** The three libc calls used; names as in libc. */
    interface LibC extends Library {
        int open(String path, int flags);

        NativeLong read(int fd, Pointer buffer, NativeLong count);

        int close(int fd);
    }

}
