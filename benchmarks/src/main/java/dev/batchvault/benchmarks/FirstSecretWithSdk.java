package dev.batchvault.benchmarks;

import com.azure.identity.ClientCertificateCredential;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;

/**
 * The baseline: a plain azure-identity + SecretClient program as the SDK samples write it (default
 * transport, which is Netty), reading the same secret with the same certificate.
 */
public final class FirstSecretWithSdk {
    private FirstSecretWithSdk() {
    }

    public static void main(String[] args) {
        String name = args[0];
        ClientCertificateCredential credential = new ClientCertificateCredentialBuilder()
                .tenantId(System.getenv("BATCHVAULT_TENANT_ID"))
                .clientId(System.getenv("BATCHVAULT_CLIENT_ID"))
                .pfxCertificate(System.getenv("BATCHVAULT_CERTIFICATE_PATH"))
                .clientCertificatePassword("")
                .authorityHost(System.getenv("BATCHVAULT_AUTHORITY_HOST"))
                .disableInstanceDiscovery()
                .build();
        SecretClient client = new SecretClientBuilder()
                .vaultUrl(System.getenv("BATCHVAULT_VAULT_URL"))
                .credential(credential)
                .disableChallengeResourceVerification() // the emulator is on localhost
                .buildClient();
        System.out.println(client.getSecret(name).getValue().length());
    }
}
