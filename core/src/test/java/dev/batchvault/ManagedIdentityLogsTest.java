package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.microsoft.aad.msal4j.ImdsEndpointOverride;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.Imds;
import dev.batchvault.emulator.ManagedIdentity;
import dev.batchvault.emulator.Vault;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;

/**
 * What a host at INFO sees when the managed identity is refused. This path stays on azure-identity
 * (and MSAL4J underneath), which log the refusal themselves inside the token request; the lines are
 * checked exactly, so that a change in them is noticed and core/README's "Logging" kept true.
 */
@Isolated
class ManagedIdentityLogsTest {
    private static final String TENANT = ManagedIdentityTest.TENANT;
    static AzureEmulator azure;
    static Vault vault;
    static Imds imds;
    static ImdsEndpointOverride endpoint;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        vault = azure.createVault("milogs", TENANT);
        vault.setSecret("batchAdminPass", "identity-read-value");
        imds = azure.imds();
        endpoint = ImdsEndpointOverride.set(imds.endpoint());
    }

    @AfterAll
    static void stop() {
        endpoint.close();
        azure.close();
    }

    @Test
    void aRefusedIdentityLogsBatchVaultsLineAndTheSdksOwn() {
        ManagedIdentity identity = azure.tenant(TENANT).userAssignedIdentity("id-" + UUID.randomUUID());
        vault.grant(identity.principalId(), "get"); // granted, but not assigned to the node
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        Level before = root.getLevel();
        root.setLevel(Level.INFO);
        captured.start();
        root.addAppender(captured);
        try (BatchVault bv = BatchVault.builder().vaultUrl(vault.url()).sslContext(azure.sslContext())
                .managedIdentityClientId(identity.clientId()).build()) {
            assertThatThrownBy(() -> bv.get("batchAdminPass")).isInstanceOf(AuthenticationRefusedException.class);
        } finally {
            root.detachAppender(captured);
            captured.stop();
            root.setLevel(before);
        }
        List<ILoggingEvent> events = captured.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .filter(e -> !e.getLoggerName().startsWith("dev.batchvault.emulator"))
                .collect(Collectors.toList());
        // Above INFO: MSAL4J's ERROR and WARN, azure-identity's ERROR, written inside the token request
        // (no public option of either turns them off), then BatchVault's one line.
        assertThat(events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getLevel() + " " + e.getLoggerName()))
                .containsExactly("ERROR com.microsoft.aad.msal4j.IMDSManagedIdentitySource",
                        "WARN com.microsoft.aad.msal4j.ManagedIdentityApplication",
                        "ERROR com.azure.identity.ManagedIdentityCredential",
                        "WARN dev.batchvault.SecretCache");
        // At INFO, only the identity libraries' notes on how they reach IMDS (none from BatchVault or azure-core).
        assertThat(events.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getLoggerName))
                .allSatisfy(name -> assertThat(name).matches("com\\.azure\\.identity\\..*|com\\.microsoft\\.aad\\.msal4j\\..*"));
    }
}
