package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.SecretAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Stale-if-error, retries, throttling and the deadline, with faults injected into the emulator. */
class ResilienceTest extends WithFixture {
    final FakeTime time = new FakeTime();

    @AfterEach
    void clear() {
        fixture.emulator.clearFaults();
    }

    /** Short deadlines and timeouts keep each failing call to a second or two. */
    private BatchVault.Builder builder() {
        return fixture.builder().cacheJitter(0).timeSource(time).callDeadline(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofMillis(500));
    }

    private void staleServedThrough(Fault fault, String name) {
        fixture.vault.setSecret(name, "good");
        try (BatchVault vault = builder().build()) {
            assertThat(vault.get(name).value()).isEqualTo("good");
            fixture.vault.setSecret(name, "newer");
            fixture.vault.inject(fault);
            time.advance(Duration.ofMinutes(11));
            ListAppender<ILoggingEvent> logs = capture();
            assertThat(vault.get(name).value()).as("the last good value").isEqualTo("good");
            long requests = fixture.vault.requests();
            assertThat(vault.get(name).value()).as("no new attempt before the pause").isEqualTo("good");
            assertThat(fixture.vault.requests()).isEqualTo(requests);
            assertThat(logs.list).filteredOn(e -> e.getLevel().toString().equals("WARN")).hasSize(1)
                    .first().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .contains("serving the last good value of secret " + name);
            assertThat(vault.cacheStats().staleServes()).isEqualTo(2);

            fixture.emulator.clearFaults();
            time.advance(Duration.ofSeconds(2));
            assertThat(vault.get(name).value()).as("recovered").isEqualTo("newer");
        }
    }

    @Test
    void staleOn500() {
        staleServedThrough(Fault.status(500), "stale500");
    }

    @Test
    void staleOn503() {
        staleServedThrough(Fault.status(503), "stale503");
    }

    @Test
    void staleOnConnectionReset() {
        staleServedThrough(Fault.reset(), "staleReset");
    }

    @Test
    void staleOnTimeout() {
        staleServedThrough(Fault.hang(), "staleTimeout");
    }

    @Test
    void staleOnThrottlingBeyondTheDeadline() {
        staleServedThrough(Fault.throttleWithoutRetryAfter(), "stale429");
    }

    @Test
    void noStaleBeyondMaxStalenessOrPastExp() {
        fixture.vault.setSecret("old", "good");
        fixture.vault.setSecret("expiring", "good", SecretAttributes.defaults().expiresOn(Instant.now().plusSeconds(700)));
        try (BatchVault vault = builder().cacheMaxStaleness(Duration.ofMinutes(5)).build()) {
            vault.get("old");
            vault.get("expiring");
            fixture.vault.inject(Fault.status(503));
            time.advance(Duration.ofMinutes(12));
            assertThatThrownBy(() -> vault.get("expiring")).as("exp passed: never stale")
                    .isInstanceOf(VaultUnavailableException.class);
            time.advance(Duration.ofMinutes(4));
            assertThatThrownBy(() -> vault.get("old")).as("past max staleness")
                    .isInstanceOf(VaultUnavailableException.class);
            assertThat(vault.cacheStats().staleServes()).isZero();
        }
    }

    @Test
    void retryAfterIsHonoured() {
        fixture.vault.setSecret("throttled", "eventually");
        try (BatchVault vault = builder().callDeadline(Duration.ofSeconds(10)).build()) {
            vault.get("throttled");
            vault.invalidate("throttled");
            long faults = fixture.vault.faultsServed();
            fixture.vault.inject(Fault.throttle(Duration.ofSeconds(1)).times(1));
            long start = System.nanoTime();
            assertThat(vault.get("throttled").value()).isEqualTo("eventually");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited as asked").isGreaterThanOrEqualTo(
                    Duration.ofMillis(950));
            assertThat(fixture.vault.faultsServed() - faults).isEqualTo(1);

            vault.invalidate("throttled");
            fixture.vault.inject(Fault.throttleMillis(Duration.ofMillis(300)).times(2));
            assertThat(vault.get("throttled").value()).isEqualTo("eventually");
            assertThat(fixture.vault.faultsServed() - faults).isEqualTo(3);
        }
    }

    @Test
    void throttlingWithoutRetryAfterBacksOff() {
        fixture.vault.setSecret("backoff", "eventually");
        try (BatchVault vault = builder().callDeadline(Duration.ofSeconds(20)).build()) {
            long faults = fixture.vault.faultsServed();
            fixture.vault.inject(Fault.throttleWithoutRetryAfter().times(2));
            assertThat(vault.get("backoff").value()).isEqualTo("eventually");
            assertThat(fixture.vault.faultsServed() - faults).isEqualTo(2);
        }
    }

    @Test
    void theDeadlineEndsInVaultUnavailableWithTheLastCauseAndTheAttempts() {
        fixture.vault.setSecret("neverFree", "unreachable");
        try (BatchVault vault = builder().callDeadline(Duration.ofSeconds(3)).build()) {
            fixture.vault.inject(Fault.throttle(Duration.ofSeconds(1)));
            assertThatThrownBy(() -> vault.get("neverFree"))
                    .isInstanceOf(VaultUnavailableException.class)
                    .hasMessageContaining("answered HTTP 429")
                    .hasMessageContaining("Gave up after")
                    .hasMessageContaining("call deadline PT3S")
                    .satisfies(e -> {
                        assertThat(((VaultUnavailableException) e).attempts()).isBetween(2, 4);
                        assertThat(e.getCause()).isNotNull();
                    });
        }
    }

    @Test
    void aFailingTokenEndpointIsRetriedToo() {
        fixture.vault.setSecret("afterTokenHiccup", "ok");
        try (BatchVault vault = builder().callDeadline(Duration.ofSeconds(10)).build()) {
            long faults = fixture.emulator.tokenFaultsServed();
            fixture.emulator.injectToken(Fault.status(503).times(1));
            assertThat(vault.get("afterTokenHiccup").value()).isEqualTo("ok");
            assertThat(fixture.emulator.tokenFaultsServed() - faults).isEqualTo(1);
        }
    }

    @Test
    void requestsToOneVaultAreBounded() throws Exception {
        for (int i = 0; i < 12; i++) {
            fixture.vault.setSecret("bounded-" + i, "v" + i);
        }
        ProcessWide process = new ProcessWide();
        try (BatchVault vault = builder().processWide(process).maxConcurrentRequests(2)
                .callDeadline(Duration.ofSeconds(20)).build()) {
            vault.get("bounded-0");
            fixture.vault.inject(Fault.latency(Duration.ofMillis(150)));
            Semaphore bound = process.vaultBound(fixture.vault.url(), 2);
            int[] mostWaiting = {0};
            Thread watcher = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    mostWaiting[0] = Math.max(mostWaiting[0], bound.getQueueLength());
                    assertThat(bound.availablePermits()).isGreaterThanOrEqualTo(0);
                    Thread.onSpinWait();
                }
            });
            watcher.start();
            int[] i = {1};
            List<String> values = CacheContractTest.concurrently(11, () -> {
                int n;
                synchronized (i) {
                    n = i[0]++;
                }
                return vault.get("bounded-" + n).value();
            });
            watcher.interrupt();
            watcher.join();
            assertThat(values).hasSize(11);
            assertThat(mostWaiting[0]).as("callers queued behind the bound of 2").isPositive();
        }
    }

    private static ListAppender<ILoggingEvent> capture() {
        Logger logger = (Logger) LoggerFactory.getLogger(SecretCache.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }
}
