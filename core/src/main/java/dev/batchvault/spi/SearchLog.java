package dev.batchvault.spi;

/**
 * Where a {@link CertificateSource} looked and what it found there. When no source finds the
 * certificate, the lines become the "not found" message, so say plainly what was there
 * ("no such directory", "3 files, none with thumbprint ...").
 */
@FunctionalInterface
public interface SearchLog {
    /**
     * Records one location searched.
     *
     * @param location a path, store name or setting that was searched
     * @param finding what was there
     */
    void searched(String location, String finding);
}
