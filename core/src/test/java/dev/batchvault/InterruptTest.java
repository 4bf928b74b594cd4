package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.RecordedRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An interrupted caller returns at once with its interrupt flag set and a typed exception
 * ({@link VaultUnavailableException} caused by an {@link InterruptedException}), whether it is
 * reading the secret itself or waiting for another thread's read of it. The vault hangs and the
 * deadline is long, so a caller that ignored the interrupt would still be waiting when the test
 * looks (the waits below are far shorter than the 60 s deadline and far longer than needed).
 */
class InterruptTest extends WithFixture {
    @AfterEach
    void clear() {
        fixture.emulator.clearFaults();
    }

    /** What a caller thread saw: the exception and whether its interrupt flag was set. */
    static final class Outcome {
        final Throwable thrown;
        final boolean interruptFlag;

        Outcome(Throwable thrown, boolean interruptFlag) {
            this.thrown = thrown;
            this.interruptFlag = interruptFlag;
        }
    }

    private static Thread caller(BatchVault vault, String name, CompletableFuture<Outcome> outcome) {
        Thread t = new Thread(() -> {
            try {
                vault.get(name);
                outcome.complete(new Outcome(null, Thread.currentThread().isInterrupted()));
            } catch (Throwable e) {
                outcome.complete(new Outcome(e, Thread.currentThread().isInterrupted()));
            }
        }, "caller-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void theLoaderAndTheWaiterBothReturnWhenInterrupted() throws Exception {
        fixture.vault.setSecret("interrupted", "v");
        fixture.vault.journal().clear();
        fixture.vault.inject(Fault.hang());
        try (BatchVault vault = fixture.builder().processWide(new ProcessWide()).requestTimeout(Duration.ofSeconds(30))
                .callDeadline(Duration.ofSeconds(60)).build()) {
            CompletableFuture<Outcome> loaderOutcome = new CompletableFuture<>();
            Thread loader = caller(vault, "interrupted", loaderOutcome);
            RecordedRequest held = fixture.vault.journal().take(Duration.ofSeconds(30));
            while (held != null && !held.tokenSent()) {
                held = fixture.vault.journal().take(Duration.ofSeconds(30));
            }
            assertThat(held).as("the loader's request is held by the vault").isNotNull();

            CompletableFuture<Outcome> waiterOutcome = new CompletableFuture<>();
            Thread waiter = caller(vault, "interrupted", waiterOutcome);
            while (waiter.getState() != Thread.State.WAITING && waiter.getState() != Thread.State.TIMED_WAITING) {
                Thread.sleep(10);
            }
            waiter.interrupt();
            Outcome w = waiterOutcome.get(10, TimeUnit.SECONDS);
            assertThat(w.thrown).isInstanceOf(VaultUnavailableException.class)
                    .hasMessageContaining("Interrupted while waiting for another thread's read of secret interrupted")
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(w.interruptFlag).isTrue();
            assertThat(loaderOutcome).as("the loader is still waiting for the vault").isNotDone();

            loader.interrupt();
            Outcome l = loaderOutcome.get(10, TimeUnit.SECONDS);
            assertThat(l.thrown).isInstanceOf(VaultUnavailableException.class)
                    .hasMessageContaining("Interrupted while")
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(l.interruptFlag).isTrue();
            assertThat(vault.cacheStats().loadFailures()).as("an interrupt is not the vault's failure").isZero();
        }
    }
}
