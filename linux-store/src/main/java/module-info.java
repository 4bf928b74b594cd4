/**
 * Finds the pool certificate on Linux nodes: the Batch certificate directory, the Key Vault VM
 * extension's store and configured directories. It has no API of its own: core finds its sources
 * through {@link java.util.ServiceLoader}.
 *
 * @provides dev.batchvault.spi.CertificateSource
 */
// slf4j-api 1.7 (the line azure-core uses) is an automatic module; 2.x is a named one. Either serves.
@SuppressWarnings("requires-automatic")
module dev.batchvault.linux {
    requires dev.batchvault;
    requires org.slf4j;

    provides dev.batchvault.spi.CertificateSource with
            dev.batchvault.linux.BatchCertificateDirectory,
            dev.batchvault.linux.KeyVaultExtensionStore,
            dev.batchvault.linux.ConfiguredDirectories;
}
