package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A call retrying for more than a few seconds says so once, at WARN: on a clock the sleeps move. */
class SlowCallWarningTest {
    private final AtomicLong nanos = new AtomicLong();
    private final Logger logger = (Logger) LoggerFactory.getLogger(CallPolicy.class);
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Level before;

    @BeforeEach
    void captureAtInfo() {
        before = logger.getLevel();
        logger.setLevel(Level.INFO);
        captured.start();
        logger.addAppender(captured);
    }

    @AfterEach
    void restore() {
        logger.detachAppender(captured);
        logger.setLevel(before);
    }

    private CallPolicy policy() {
        return new CallPolicy(Duration.ofSeconds(30), new Semaphore(1), "https://v.vault.azure.net", nanos::get,
                Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC), n -> n,
                d -> nanos.addAndGet(d.toNanos()));
    }

    private List<String> lines() {
        return captured.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(e -> e.getLevel() + " " + e.getFormattedMessage()).collect(Collectors.toList());
    }

    @Test
    void aLongRetryWarnsOnceWithWhatItWaitsForAndUntilWhen() {
        AtomicInteger attempts = new AtomicInteger();
        String value = policy().call("secret 'x'", () -> {
            if (attempts.incrementAndGet() < 5) {
                throw new UncheckedIOException(new ConnectException("refused"));
            }
            return "ok";
        }, e -> new VaultUnavailableException("Cannot reach the vault https://v.vault.azure.net.", 0, e));

        assertThat(value).isEqualTo("ok");
        // Backoffs of 1, 2, 4, 8 s: the third failure comes at 3 s, and its 4 s pause would reach 7 s.
        assertThat(lines()).containsExactly("WARN Still waiting to read secret 'x' from https://v.vault.azure.net "
                + "after 3 attempts in 3 s: Cannot reach the vault https://v.vault.azure.net. Retrying until "
                + "2026-03-01T12:00:27Z at the latest (call-deadline PT30S).");
    }

    @Test
    void aShortRetryIsQuiet() {
        AtomicInteger attempts = new AtomicInteger();
        policy().call("secret 'x'", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new UncheckedIOException(new ConnectException("refused"));
            }
            return "ok";
        }, e -> new VaultUnavailableException("Cannot reach the vault.", 0, e));

        assertThat(lines()).isEmpty();
    }
}
