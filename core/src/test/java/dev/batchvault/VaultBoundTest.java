package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-vault bound is the vault's, not the URL text's or an instance's: instances reading one
 * vault as {@code https://localhost:<port>}, {@code https://LOCALHOST:<port>} and with another
 * bound together keep at most the first instance's bound of requests at the vault. The vault holds
 * every request, so each one that got a permit stays at the vault (in its journal) until the timeout.
 */
class VaultBoundTest extends WithFixture {
    @AfterEach
    void clear() {
        fixture.emulator.clearFaults();
    }

    private static BatchVault.Builder builder(ProcessWide process) {
        return fixture.builder().processWide(process).requestTimeout(Duration.ofSeconds(5))
                .callDeadline(Duration.ofSeconds(10));
    }

    @Test
    void instancesReadingOneVaultShareItsBoundWhateverTheSpelling() throws Exception {
        for (int i = 0; i < 30; i++) {
            fixture.vault.setSecret("bound" + i, "v");
        }
        ProcessWide process = new ProcessWide();
        String lower = fixture.vault.url();
        String upper = lower.replace("localhost", "LOCALHOST");
        List<BatchVault> instances = List.of(
                builder(process).maxConcurrentRequests(8).build(),
                builder(process).vaultUrl(upper).maxConcurrentRequests(8).build(),
                builder(process).maxConcurrentRequests(9).build());
        // Tokens first, so that every request held below is a read holding a permit.
        for (BatchVault vault : instances) {
            vault.get("bound0");
        }
        fixture.vault.journal().clear();
        fixture.vault.inject(Fault.hang());
        ExecutorService callers = Executors.newFixedThreadPool(30);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 1; i < 30; i++) {
                BatchVault vault = instances.get(i % 3);
                String name = "bound" + i;
                calls.add(callers.submit(() -> {
                    try {
                        vault.get(name);
                    } catch (VaultUnavailableException expected) {
                        // the vault hangs
                    }
                }));
            }
            for (int held = 0; held < 8; held++) {
                assertThat(fixture.vault.journal().take(Duration.ofSeconds(30))).as("held request %d", held + 1)
                        .isNotNull();
            }
            // More requests would come now if the bound let them: give them time to, well within the timeout.
            Thread.sleep(1500);
            assertThat(fixture.vault.journal().requests(RecordedRequest::tokenSent)).as("reads at the vault at once")
                    .hasSize(8);
            fixture.emulator.clearFaults();
            for (Future<?> call : calls) {
                call.get(2, TimeUnit.MINUTES);
            }
        } finally {
            callers.shutdownNow();
            instances.forEach(BatchVault::close);
        }
    }
}
