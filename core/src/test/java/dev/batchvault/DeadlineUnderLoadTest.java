package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.emulator.Fault;
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
 * The call deadline holds under load: with the vault hanging, every call ends by its deadline plus
 * at most one request timeout, whether it waits for a permit of the per-vault bound, for a retry
 * pause or for an answer.
 *
 * <p>This test measures elapsed time because the bound on it is the contract under test, not a
 * speed claim. The margin is generous (3 s on top of deadline + request timeout) so that a loaded
 * machine does not fail it; before the fix calls took up to 28.5 s.
 */
class DeadlineUnderLoadTest extends WithFixture {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(5);
    private static final Duration MARGIN = Duration.ofSeconds(3);

    @AfterEach
    void clear() {
        fixture.emulator.clearFaults();
    }

    @Test
    void everyCallEndsByItsDeadlinePlusOneRequestTimeout() throws Exception {
        int secrets = 100;
        for (int i = 0; i < secrets; i++) {
            fixture.vault.setSecret("load" + i, "v" + i);
        }
        fixture.vault.inject(Fault.hang());
        ExecutorService callers = Executors.newFixedThreadPool(secrets);
        try (BatchVault vault = fixture.builder().processWide(new ProcessWide()).requestTimeout(REQUEST_TIMEOUT)
                .callDeadline(CALL_DEADLINE).build()) {
            List<Future<Long>> calls = new ArrayList<>();
            for (int i = 0; i < secrets; i++) {
                String name = "load" + i;
                calls.add(callers.submit(() -> {
                    long start = System.nanoTime();
                    try {
                        vault.get(name);
                        throw new AssertionError("a hanging vault answered " + name);
                    } catch (VaultUnavailableException expected) {
                        return System.nanoTime() - start;
                    }
                }));
            }
            long longest = 0;
            for (Future<Long> call : calls) {
                longest = Math.max(longest, call.get(2, TimeUnit.MINUTES));
            }
            assertThat(Duration.ofNanos(longest)).as("the longest of %d calls", secrets)
                    .isLessThanOrEqualTo(CALL_DEADLINE.plus(REQUEST_TIMEOUT).plus(MARGIN));
        } finally {
            callers.shutdownNow();
        }
    }
}
