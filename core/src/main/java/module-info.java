/**
 * BatchVault: Key Vault secrets for code on an Azure Batch node, authenticated by the pool's
 * managed identity or a certificate on the node. {@code dev.batchvault} is the API;
 * {@code dev.batchvault.spi} is where certificate stores plug in, found with
 * {@link java.util.ServiceLoader}.
 *
 * @uses dev.batchvault.spi.CertificateSource
 */
// MSAL4J has no module descriptor, only an Automatic-Module-Name; the Azure SDK requires it the same way.
// The store modules named in the qualified export are built after this one ("module not found").
@SuppressWarnings({"requires-automatic", "module"})
module dev.batchvault {
    // com.azure.core also gives reactor.core and org.slf4j (requires transitive).
    requires com.azure.core;
    requires com.azure.core.http.jdk.httpclient;
    requires com.azure.identity;
    requires com.azure.security.keyvault.secrets;
    requires com.github.benmanes.caffeine;
    requires com.microsoft.aad.msal4j;
    requires java.net.http;
    // NodeFiles opens node files with O_NONBLOCK through libc (a FIFO must never block a read).
    requires com.sun.jna;

    exports dev.batchvault;
    exports dev.batchvault.spi;
    // Not API: the certificate-file reader the store modules share.
    exports dev.batchvault.internal to dev.batchvault.linux, dev.batchvault.windows;
    // JNA implements NodeFiles' libc binding reflectively.
    opens dev.batchvault.internal to com.sun.jna;

    uses dev.batchvault.spi.CertificateSource;
}
