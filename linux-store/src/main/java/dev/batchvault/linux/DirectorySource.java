package dev.batchvault.linux;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.internal.CertificateFiles;
import dev.batchvault.spi.CertificateQuery;
import dev.batchvault.spi.CertificateSource;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.SearchLog;
import dev.batchvault.spi.Thumbprint;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Searches directories for the certificate, the way Batch and the Key Vault VM extension lay it
 * out: {@code sha1-<thumbprint>.pfx} with its {@code .pfx.pw} password file, and PEM files (key and
 * chain, usually behind a {@code <vault>.<certificate>} symlink) matched by the thumbprint of the
 * certificate inside, never by name alone. Only files whose name or content can match are parsed;
 * the thumbprints found in each file are remembered per (path, size, modification time).
 */
abstract class DirectorySource implements CertificateSource {
    private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);
    /** PEM files are small; anything larger is not a certificate file. */
    private static final long MAX_PEM_BYTES = 1 << 20;
    private static final Map<Path, Scanned> SCANNED = new ConcurrentHashMap<>();

    private final Clock clock;

    DirectorySource(Clock clock) {
        this.clock = clock;
    }

    /** The directories to search, in order, each with a word on where it comes from. */
    abstract List<Directory> directories(CertificateQuery query);

    /** What to tell a user who cannot read one of these directories. */
    abstract String unreadableAdvice();

    @Override
    public Optional<PoolCertificate> find(CertificateQuery query, SearchLog log) {
        Thumbprint wanted = query.thumbprint();
        List<PoolCertificate> matches = new ArrayList<>();
        CertificateUnusableException firstProblem = null;
        Set<Path> seen = new LinkedHashSet<>();
        for (Directory dir : directories(query)) {
            List<Path> candidates;
            try {
                candidates = candidates(dir.path, wanted, log);
            } catch (CertificateUnusableException e) {
                log.searched(dir.describe(), e.getMessage());
                firstProblem = firstProblem == null ? e : firstProblem;
                continue;
            }
            int before = matches.size();
            for (Path candidate : candidates) {
                if (!seen.add(realPath(candidate))) {
                    continue;
                }
                try {
                    PoolCertificate certificate = read(candidate);
                    if (!certificate.thumbprint().equals(wanted)) {
                        LOG.warn("{} is named for certificate {} but holds {}; skipping it", candidate, wanted,
                                certificate.thumbprint());
                        log.searched(candidate.toString(), "named for " + wanted + " but holds "
                                + certificate.thumbprint() + "; skipped");
                        continue;
                    }
                    matches.add(certificate);
                } catch (CertificateUnusableException e) {
                    log.searched(candidate.toString(), e.reason() + ": " + e.getMessage());
                    firstProblem = firstProblem == null ? e : firstProblem;
                }
            }
            if (matches.size() == before && candidates.isEmpty()) {
                log.searched(dir.describe(), "no file for thumbprint " + wanted);
            }
        }
        if (matches.isEmpty()) {
            if (firstProblem != null) {
                throw firstProblem;
            }
            return Optional.empty();
        }
        PoolCertificate chosen = best(matches);
        if (matches.size() > 1) {
            LOG.debug("Certificate {} is in {} places; using {} (valid now, latest notAfter {})", wanted, matches.size(),
                    chosen.location(), chosen.certificate().getNotAfter().toInstant());
        }
        return Optional.of(chosen);
    }

    /** Valid now with the latest notAfter; failing that, the latest notAfter (the locator explains its dates). */
    private PoolCertificate best(List<PoolCertificate> matches) {
        Instant now = clock.instant();
        Comparator<PoolCertificate> byNotAfter = Comparator.comparing(c -> c.certificate().getNotAfter());
        return matches.stream()
                .filter(c -> !now.isBefore(c.certificate().getNotBefore().toInstant())
                        && !now.isAfter(c.certificate().getNotAfter().toInstant()))
                .max(byNotAfter)
                .orElseGet(() -> matches.stream().max(byNotAfter).orElseThrow());
    }

    private List<Path> candidates(Path dir, Thumbprint wanted, SearchLog log) {
        String pfxName = "sha1-" + wanted.hex().toLowerCase(Locale.ROOT) + ".pfx";
        String cerName = "sha1-" + wanted.hex().toLowerCase(Locale.ROOT) + ".cer";
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.equals(pfxName)) {
                    found.add(entry);
                } else if (name.equals(cerName)) {
                    log.searched(entry.toString(), "the public certificate only (.cer): a task cannot sign with it; "
                            + "the pool needs the .pfx (certificate with private key)");
                } else if (!name.endsWith(".pfx") && !name.endsWith(".pw") && !name.endsWith(".cer")
                        && pemThumbprints(entry).contains(wanted)) {
                    found.add(entry);
                }
            }
        } catch (NoSuchFileException e) {
            log.searched(dir.toString(), "no such directory");
            return List.of();
        } catch (AccessDeniedException e) {
            throw new CertificateUnusableException(Reason.UNREADABLE, dir.toString(), "Cannot list " + dir
                    + ": permission denied for user '" + System.getProperty("user.name") + "'. " + unreadableAdvice(), e);
        } catch (NotDirectoryException e) {
            throw new CertificateUnusableException(Reason.UNREADABLE, dir.toString(), "Cannot search " + dir
                    + ": it is not a directory.", e);
        } catch (IOException e) {
            throw new CertificateUnusableException(Reason.UNREADABLE, dir.toString(), "Cannot search " + dir + ": " + e
                    + ".", e);
        }
        return found;
    }

    /** Thumbprints of the certificates in a PEM file, remembered per (path, size, mtime); empty for others. */
    private static List<Thumbprint> pemThumbprints(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class); // follows symlinks
        } catch (IOException e) {
            return List.of(); // a dangling symlink or a file that vanished: nothing to match
        }
        if (!attributes.isRegularFile() || attributes.size() > MAX_PEM_BYTES || attributes.size() == 0) {
            return List.of();
        }
        Path key = file.toAbsolutePath();
        Scanned known = SCANNED.get(key);
        long mtime = attributes.lastModifiedTime().toMillis();
        if (known != null && known.size == attributes.size() && known.mtime == mtime) {
            return known.thumbprints;
        }
        List<Thumbprint> thumbprints;
        try {
            thumbprints = CertificateFiles.thumbprintsInPem(Files.readAllBytes(file));
        } catch (IOException e) {
            // Unreadable: only worth reporting if it could be ours, which cannot be known unread.
            return List.of();
        }
        SCANNED.put(key, new Scanned(attributes.size(), mtime, List.copyOf(thumbprints)));
        return thumbprints;
    }

    private static PoolCertificate read(Path candidate) {
        String name = candidate.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".pfx")) {
            Path passwordFile = candidate.resolveSibling(name + ".pw");
            return CertificateFiles.read(candidate, Files.exists(passwordFile) ? passwordFile : null);
        }
        return CertificateFiles.read(candidate, null);
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** One directory to search and why. */
    static final class Directory {
        final Path path;
        final String origin;

        Directory(Path path, String origin) {
            this.path = path;
            this.origin = origin;
        }

        String describe() {
            return path + " (" + origin + ")";
        }
    }

    private static final class Scanned {
        final long size;
        final long mtime;
        final List<Thumbprint> thumbprints;

        Scanned(long size, long mtime, List<Thumbprint> thumbprints) {
            this.size = size;
            this.mtime = mtime;
            this.thumbprints = thumbprints;
        }
    }
}
