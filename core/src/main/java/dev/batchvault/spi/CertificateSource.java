package dev.batchvault.spi;

import java.util.Optional;

/**
 * A place where a node keeps its pool certificate: a directory Azure Batch writes, the Key Vault
 * VM extension's store, the Windows certificate store. Implementations are found with
 * {@link java.util.ServiceLoader}: list them in
 * {@code META-INF/services/dev.batchvault.spi.CertificateSource}; they need a public no-argument
 * constructor.
 *
 * <p>The explicit file from configuration ({@code certificate-path}) is always tried first, by
 * core itself; service-loaded sources are tried in the order of {@link #priority()}.
 */
public interface CertificateSource {

    /** @return a short name for messages, such as "Batch certificate directory" */
    String name();

    /**
     * Lower runs earlier. Sources that read files Azure Batch writes for the task use 100; broader
     * searches use larger numbers.
     *
     * @return the order of this source among the others
     */
    default int priority() {
        return 100;
    }

    /**
     * Looks for the certificate the query describes.
     *
     * @param query what to look for
     * @param log where to record each location searched and what was there
     * @return the certificate, or empty when this source does not have it
     * @throws dev.batchvault.CertificateUnusableException when the certificate is here but cannot be used (wrong
     *     password, unreadable, no key); the search goes on at the next source and, if nothing else
     *     has it, this exception is what the user gets
     */
    Optional<PoolCertificate> find(CertificateQuery query, SearchLog log);
}
