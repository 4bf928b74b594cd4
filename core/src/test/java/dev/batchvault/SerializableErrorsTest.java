package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.SecretAttributes;
import dev.batchvault.emulator.SelfSignedCertificate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each exception type, produced for real against the emulator, serialises (as anything that
 * ships exceptions by reflection would) to bytes holding no token, no assertion, no secret value
 * and no password; it keeps status, error code and request ids as plain values, and no azure-core
 * HTTP object anywhere in its cause chain.
 */
class SerializableErrorsTest extends WithFixture {
    private static final String VALUE = "s3cr3t-canary-value";
    private static final String[] FORBIDDEN = {"eyJ", "Bearer ", "bearer ", "client_assertion", VALUE, "pfx-pass",
        "hunter2"};

    @BeforeAll
    static void storeTheSecret() {
        fixture.vault.setSecret("canary", VALUE);
        fixture.vault.setSecret("switchedOff", VALUE, SecretAttributes.defaults().enabled(false));
    }

    @Test
    void everyTypeSerialisesWithoutSecrets() throws Exception {
        List<BatchVaultException> produced = new ArrayList<>();
        try (BatchVault vault = fixture.builder().build()) {
            vault.get("canary"); // a token is issued and cached: the failures below happen with it in hand
            SecretNotFoundException notFound = catchThrowableOfType(SecretNotFoundException.class, () -> vault.get("missing"));
            assertThat(notFound.httpStatus()).isEqualTo(404);
            assertThat(notFound.serviceErrorCode()).isEqualTo("SecretNotFound");
            assertThat(notFound.requestId()).isNotNull();
            produced.add(notFound);
            SecretDisabledException disabled = catchThrowableOfType(SecretDisabledException.class, () -> vault.get("switchedOff"));
            assertThat(disabled.httpStatus()).isEqualTo(403);
            produced.add(disabled);
            produced.add(catchThrowableOfType(InvalidSecretNameException.class, () -> vault.get(VALUE + "_\n")));
        }
        try (BatchVault vault = fixture.builder().callDeadline(Duration.ofSeconds(3)).build()) {
            fixture.vault.inject(Fault.status(500));
            try {
                VaultUnavailableException unavailable = catchThrowableOfType(VaultUnavailableException.class, () -> vault.get("canary"));
                assertThat(unavailable.httpStatus()).isEqualTo(500);
                produced.add(unavailable);
            } finally {
                fixture.vault.clearFaults();
            }
        }
        String stranger = UUID.randomUUID().toString();
        fixture.emulator.tenant(Fixture.TENANT).application(stranger).registerCertificate(fixture.certificate.certificate());
        try (BatchVault vault = fixture.builder().clientId(stranger).build()) {
            AccessDeniedException denied = catchThrowableOfType(AccessDeniedException.class, () -> vault.get("canary"));
            assertThat(denied.httpStatus()).isEqualTo(403);
            produced.add(denied);
        }
        SelfSignedCertificate unregistered = SelfSignedCertificate.create("CN=unregistered");
        Path pem = unregistered.writePem(dir.resolve("unregistered.pem"));
        try (BatchVault vault = fixture.builder().certificatePath(pem).build()) {
            AuthenticationRefusedException refused = catchThrowableOfType(AuthenticationRefusedException.class, () -> vault.get("canary"));
            assertThat(refused.errorCode()).isEqualTo("AADSTS700027");
            produced.add(refused);
        }
        produced.add(catchThrowableOfType(InvalidConfigurationException.class, () -> fixture.builder()
                .vaultUrl("https://admin:hunter2@poolvault.vault.azure.net").build()));
        Path wrong = Files.writeString(dir.resolve("wrong.pw"), "pfx-pass-not\n");
        produced.add(catchThrowableOfType(CertificateUnusableException.class, () -> fixture.builder().certificatePasswordFile(wrong).build()));
        produced.add(catchThrowableOfType(CertificateNotFoundException.class, () -> BatchVault.builder().vaultUrl(fixture.vault.url())
                .tenantId(Fixture.TENANT).clientId(Fixture.CLIENT).certificateThumbprint(fixture.certificate.thumbprint())
                .build()));
        int port = java.net.URI.create(fixture.vault.url()).getPort();
        try (BatchVault untrusted = fixture.builder().vaultUrl("https://127.0.0.3:" + port).build()) {
            produced.add(catchThrowableOfType(UntrustedServerException.class, () -> untrusted.get("canary")));
        }

        assertThat(produced).extracting(e -> e.getClass().getSimpleName()).containsExactlyInAnyOrder(
                "SecretNotFoundException", "SecretDisabledException", "InvalidSecretNameException",
                "VaultUnavailableException", "AccessDeniedException", "AuthenticationRefusedException",
                "InvalidConfigurationException", "CertificateUnusableException", "CertificateNotFoundException",
                "UntrustedServerException");
        for (BatchVaultException e : produced) {
            byte[] bytes = serialise(e);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            for (String forbidden : FORBIDDEN) {
                assertThat(text).as("%s serialised", e.getClass().getSimpleName()).doesNotContain(forbidden);
            }
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                assertThat(t.getClass().getName()).as("cause of %s", e.getClass().getSimpleName())
                        .matches("(dev\\.batchvault|java|javax)\\..*");
            }
            BatchVaultException back = deserialise(bytes);
            assertThat(back).isInstanceOf(e.getClass()).hasMessage(e.getMessage());
            assertThat(back.httpStatus()).isEqualTo(e.httpStatus());
            assertThat(back.requestId()).isEqualTo(e.requestId());
        }
    }

    @Test
    void redactionCoversTokensAssertionsAndForms() {
        assertThat(SanitizedCause.redact("Authorization: Bearer abc.def-ghi and eyJhbGciOi.eyJzdWIi.c2ln "
                + "client_assertion=xyz&grant_type=client_credentials {\"access_token\":\"tok\"}"))
                .doesNotContain("abc.def-ghi", "eyJ", "xyz", "tok\"")
                .contains("grant_type=client_credentials");
    }

    private static byte[] serialise(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static BatchVaultException deserialise(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (BatchVaultException) in.readObject();
        }
    }
}
