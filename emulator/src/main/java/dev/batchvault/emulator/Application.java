package dev.batchvault.emulator;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An application registration and its service principal, with the certificates it may sign with. */
public final class Application {
    private final String clientId;
    private final String tenantId;
    private final String principalObjectId;
    private final CopyOnWriteArrayList<X509Certificate> certificates = new CopyOnWriteArrayList<>();

    Application(String clientId, String tenantId, String principalObjectId) {
        this.clientId = clientId;
        this.tenantId = tenantId;
        this.principalObjectId = principalObjectId;
    }

    /** @return the application (client) id */
    public String clientId() {
        return clientId;
    }

    /** @return the tenant it lives in */
    public String tenantId() {
        return tenantId;
    }

    /** @return the object id of its service principal, the {@code oid} of its tokens */
    public String principalObjectId() {
        return principalObjectId;
    }

    /**
     * Adds a key credential, as {@code New-AzADAppCredential -CertValue} does.
     *
     * @param certificate the public certificate
     * @return this application
     */
    public Application registerCertificate(X509Certificate certificate) {
        certificates.addIfAbsent(java.util.Objects.requireNonNull(certificate, "certificate"));
        return this;
    }

    /**
     * Removes a key credential.
     *
     * @param certificate the certificate to remove
     * @return this application
     */
    public Application removeCertificate(X509Certificate certificate) {
        certificates.remove(certificate);
        return this;
    }

    List<X509Certificate> certificates() {
        return certificates;
    }

    @Override
    public String toString() {
        return "Application{" + clientId + ", tenant " + tenantId + ", principal " + principalObjectId + ", "
                + certificates.size() + " certificate(s)}";
    }
}
