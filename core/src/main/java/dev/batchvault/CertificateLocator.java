package dev.batchvault;

import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.internal.CertificateFiles;
import dev.batchvault.spi.CertificateQuery;
import dev.batchvault.spi.CertificateSource;
import dev.batchvault.spi.PoolCertificate;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the pool certificate: the configured file first, then every {@link CertificateSource} on
 * the class path, and checks that it is valid now.
 */
final class CertificateLocator {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateLocator.class);
    private static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private final List<CertificateSource> sources;
    private final Clock clock;
    private final ProcessWide process;

    CertificateLocator(List<CertificateSource> sources, Clock clock, ProcessWide process) {
        this.sources = sources.stream().sorted(Comparator.comparingInt(CertificateSource::priority))
                .collect(Collectors.toList());
        this.clock = clock;
        this.process = process;
    }

    static CertificateLocator withInstalledSources(ProcessWide process) {
        List<CertificateSource> found = new ArrayList<>();
        ServiceLoader.load(CertificateSource.class, CertificateLocator.class.getClassLoader()).forEach(found::add);
        return new CertificateLocator(found, Clock.systemUTC(), process);
    }

    PoolCertificate locate(Config config) {
        if (config.certificatePath != null) {
            return fromFile(config);
        }
        List<String> searched = new ArrayList<>();
        searched.add(Config.CERTIFICATE_PATH + ": not set");
        CertificateQuery query = new CertificateQuery(config.thumbprint, config.settings::raw);
        CertificateUnusableException firstProblem = null;
        for (CertificateSource source : sources) {
            Optional<PoolCertificate> found;
            try {
                found = source.find(query, (location, finding) -> searched.add(source.name() + ": " + location
                        + ": " + finding));
            } catch (CertificateUnusableException e) {
                searched.add(source.name() + ": " + e.location() + ": " + e.reason());
                firstProblem = firstProblem == null ? e : firstProblem;
                continue;
            }
            if (found.isPresent()) {
                try {
                    return valid(found.get());
                } catch (CertificateUnusableException e) {
                    searched.add(source.name() + ": " + e.location() + ": " + e.reason());
                    firstProblem = firstProblem == null ? e : firstProblem;
                }
            }
        }
        if (firstProblem != null) {
            throw firstProblem;
        }
        String sourceNames = sources.isEmpty() ? "none"
                : sources.stream().map(CertificateSource::name).collect(Collectors.joining(", "));
        throw new CertificateNotFoundException("No certificate with thumbprint " + config.thumbprint
                + " was found. Searched:\n  - " + String.join("\n  - ", searched) + "\nCertificate sources installed: "
                + sourceNames + ". Check that the pool references the certificate (and that this task's user can see "
                + "it), add a store module for this node (batchvault-linux-store, batchvault-windows-store), or set "
                + Config.CERTIFICATE_PATH + " (" + Settings.ways(Config.CERTIFICATE_PATH) + ") to the .pfx or .pem file.",
                searched);
    }

    private PoolCertificate fromFile(Config config) {
        if (!Files.exists(config.certificatePath)) {
            List<String> searched = List.of(config.certificatePath + ": no such file");
            throw new CertificateNotFoundException("The certificate file " + config.certificatePath + " (from "
                    + config.settings.origin(Settings.CERTIFICATE_PATH) + ") does not exist. Check the path, or unset "
                    + Config.CERTIFICATE_PATH + " and set " + Config.CERTIFICATE_THUMBPRINT
                    + " to let BatchVault find the pool certificate itself.", searched);
        }
        PoolCertificate certificate = CertificateFiles.read(config.certificatePath, config.certificatePasswordFile);
        if (config.thumbprint != null && !config.thumbprint.equals(certificate.thumbprint())) {
            throw new CertificateUnusableException(Reason.THUMBPRINT_MISMATCH, certificate.location(), "The certificate in "
                    + certificate.location() + " has thumbprint " + certificate.thumbprint() + ", but "
                    + Config.CERTIFICATE_THUMBPRINT + " is " + config.thumbprint + ". Point "
                    + Config.CERTIFICATE_PATH + " at the right file or correct the thumbprint.", null);
        }
        return valid(certificate);
    }

    private PoolCertificate valid(PoolCertificate certificate) {
        X509Certificate c = certificate.certificate();
        Instant now = clock.instant();
        Instant notBefore = c.getNotBefore().toInstant();
        Instant notAfter = c.getNotAfter().toInstant();
        if (now.isAfter(notAfter)) {
            throw new CertificateUnusableException(Reason.EXPIRED, certificate.location(), "The certificate "
                    + certificate.thumbprint() + " in " + certificate.location() + " expired on " + notAfter
                    + " (valid from " + notBefore + "; now " + now + "). Entra ID refuses expired certificates: "
                    + "create a new one, register it on the application and put it on the pool.", null);
        }
        if (now.isBefore(notBefore)) {
            throw new CertificateUnusableException(Reason.NOT_YET_VALID, certificate.location(), "The certificate "
                    + certificate.thumbprint() + " in " + certificate.location() + " is not valid before " + notBefore
                    + " (valid until " + notAfter + "; now " + now + "). Check the node's clock, or wait.", null);
        }
        if (now.plus(EXPIRY_WARNING).isAfter(notAfter) && process.firstExpiryWarning(certificate.thumbprint())) {
            LOG.warn("The certificate {} in {} expires on {}: renew it and put the new one on the pool.",
                    certificate.thumbprint(), certificate.location(), notAfter);
        }
        LOG.debug("Using certificate {}", certificate);
        return certificate;
    }
}
