package dev.batchvault.setup;

import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.security.keyvault.certificates.CertificateClient;
import com.azure.security.keyvault.certificates.models.CertificateContentType;
import com.azure.security.keyvault.certificates.models.CertificateOperation;
import com.azure.security.keyvault.certificates.models.CertificatePolicy;
import com.azure.security.keyvault.certificates.models.ImportCertificateOptions;
import com.azure.security.keyvault.certificates.models.KeyVaultCertificateWithPolicy;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * Step 1 in the vault: the certificate imported into Key Vault ({@code Import-AzKeyVaultCertificate}) or
 * created there, self-signed ({@code Add-AzKeyVaultCertificate} with a self-issued policy), so that the
 * private key never leaves the vault but for the nodes' Key Vault VM extension. Its secret has content
 * type {@code application/x-pkcs12}, which is what the extension fetches.
 */
final class VaultCertificateStep {
    static final String ROLE = "certificates get and import (or create) in the vault's access policy, or the role "
            + "Key Vault Certificates Officer at the vault";

    private final CertificateClient client;
    private final String name;
    private final GeneratedCertificate imported;
    private final char[] pfxPassword;
    private final String subject;
    private final int validityMonths;
    private final String resource;

    VaultCertificateStep(CertificateClient client, String vaultUrl, String name, GeneratedCertificate imported,
            char[] pfxPassword, String subject, int validityMonths) {
        this.client = client;
        this.name = name;
        this.imported = imported;
        this.pfxPassword = pfxPassword == null ? null : pfxPassword.clone();
        this.subject = subject;
        this.validityMonths = validityMonths;
        this.resource = "certificate '" + name + "' in vault " + vaultUrl;
    }

    static final class Result {
        final StepResult step;
        final X509Certificate certificate;

        Result(StepResult step, X509Certificate certificate) {
            this.step = step;
            this.certificate = certificate;
        }
    }

    Result run(boolean dryRun) {
        KeyVaultCertificateWithPolicy found = Failures.call(Step.VAULT_CERTIFICATE, resource, ROLE, () -> {
            try {
                return client.getCertificate(name);
            } catch (ResourceNotFoundException e) {
                return null;
            }
        });
        X509Certificate current = found == null ? null : x509(found.getCer());
        if (imported == null) {
            if (found != null) {
                return result(Outcome.UNCHANGED, found, current, "created in the vault earlier", dryRun);
            }
            if (dryRun) {
                return new Result(new StepResult(Step.VAULT_CERTIFICATE, resource, Outcome.CREATED, "self-signed, "
                        + subject + ", " + validityMonths + " months, key kept in the vault", true), null);
            }
            CertificatePolicy policy = new CertificatePolicy("Self", subject).setValidityInMonths(validityMonths)
                    .setContentType(CertificateContentType.PKCS12).setKeySize(2048).setExportable(true);
            KeyVaultCertificateWithPolicy made = Failures.call(Step.VAULT_CERTIFICATE, resource, ROLE, () -> {
                SyncPoller<CertificateOperation, KeyVaultCertificateWithPolicy> poller =
                        client.beginCreateCertificate(name, policy);
                PollResponse<CertificateOperation> last = poller.waitForCompletion(Duration.ofMinutes(5));
                if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                    throw new SetupException(Step.VAULT_CERTIFICATE, resource, 0, null, "the vault did not issue the "
                            + "certificate (operation " + last.getStatus() + ")", null);
                }
                return poller.getFinalResult();
            });
            return result(Outcome.CREATED, made, x509(made.getCer()), "self-signed in the vault, " + subject, false);
        }
        String thumbprint = imported.thumbprint();
        if (current != null && GeneratedCertificate.thumbprintOf(current).equalsIgnoreCase(thumbprint)) {
            return result(Outcome.UNCHANGED, found, current, "imported earlier", dryRun);
        }
        Outcome outcome = found == null ? Outcome.CREATED : Outcome.UPDATED;
        String detail = found == null ? "imported" : "imported as a new version (the previous, "
                + GeneratedCertificate.thumbprintOf(current) + ", stays readable by version)";
        if (dryRun) {
            return new Result(new StepResult(Step.VAULT_CERTIFICATE, resource, outcome, detail + ", thumbprint "
                    + thumbprint, true), imported.certificate());
        }
        KeyVaultCertificateWithPolicy made = Failures.call(Step.VAULT_CERTIFICATE, resource, ROLE,
                () -> client.importCertificate(new ImportCertificateOptions(name, imported.pfx(pfxPassword))
                        .setPassword(new String(pfxPassword))
                        .setPolicy(new CertificatePolicy("Unknown", imported.certificate().getSubjectX500Principal()
                                .getName()).setContentType(CertificateContentType.PKCS12).setExportable(true))));
        return result(outcome, made, x509(made.getCer()), detail, false);
    }

    private Result result(Outcome outcome, KeyVaultCertificateWithPolicy c, X509Certificate x509, String detail,
            boolean dryRun) {
        return new Result(new StepResult(Step.VAULT_CERTIFICATE, resource, outcome, detail + ", version "
                + c.getProperties().getVersion() + ", thumbprint " + GeneratedCertificate.thumbprintOf(x509), dryRun),
                x509);
    }

    private X509Certificate x509(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new SetupException(Step.VAULT_CERTIFICATE, resource, 0, null, "the vault answered a certificate "
                    + "that is not X.509 DER", e);
        }
    }

    @Override
    public String toString() {
        return resource;
    }
}
