package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Retry, after how long, or give up: on a clock the sleeps move, with a random source the test picks. */
class CallPolicyTest {
    private final AtomicLong nanos = new AtomicLong();
    private final List<Duration> sleeps = new ArrayList<>();
    private final Semaphore bound = new Semaphore(2, true);

    /** @param highest true: every backoff takes its whole range; false: none */
    private CallPolicy policy(Duration deadline, boolean highest) {
        return new CallPolicy(deadline, bound, "https://v.vault.azure.net", nanos::get,
                Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC), n -> highest ? n : 0,
                d -> {
                    sleeps.add(d);
                    nanos.addAndGet(d.toNanos());
                });
    }

    private static final Function<RuntimeException, BatchVaultException> TRANSIENT =
            e -> new VaultUnavailableException("The vault is down.", 0, e);

    private static RuntimeException ioFailure() {
        return new UncheckedIOException(new ConnectException("refused"));
    }

    @Test
    void transientFailuresAreRetriedUntilOneSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        String value = policy(Duration.ofSeconds(30), true).call("secret 'x'", () -> {
            if (attempts.incrementAndGet() < 4) {
                throw ioFailure();
            }
            return "ok";
        }, TRANSIENT);
        assertThat(value).isEqualTo("ok");
        assertThat(sleeps).as("full jitter up to 1, 2, 4 s").containsExactly(Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(bound.availablePermits()).as("every permit given back").isEqualTo(2);
    }

    @Test
    void refusalsAreNeverRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> policy(Duration.ofSeconds(30), true).call("secret 'x'", () -> {
            attempts.incrementAndGet();
            throw ioFailure();
        }, e -> new AccessDeniedException("c", "v", "refused", e))).isInstanceOf(AccessDeniedException.class);
        assertThat(attempts).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void ownExceptionsPassThroughUntranslated() {
        SecretNotFoundException notFound = new SecretNotFoundException("x", "gone", null);
        assertThatThrownBy(() -> policy(Duration.ofSeconds(30), true).call("secret 'x'", () -> {
            throw notFound;
        }, TRANSIENT)).isSameAs(notFound);
    }

    @Test
    void backoffIsCappedAt16Seconds() {
        CallPolicy highest = policy(Duration.ofMinutes(5), true);
        assertThat(highest.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(highest.backoff(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(highest.backoff(40)).isEqualTo(Duration.ofSeconds(16));
        assertThat(policy(Duration.ofMinutes(5), false).backoff(3)).as("full jitter reaches zero").isZero();
    }

    @Test
    void givesUpWhenTheNextAttemptWouldPassTheDeadline() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> policy(Duration.ofSeconds(5), true).call("secret 'x'", () -> {
            attempts.incrementAndGet();
            throw ioFailure();
        }, TRANSIENT))
                .isInstanceOf(VaultUnavailableException.class)
                .hasMessageContaining("The vault is down. Gave up after 3 attempts in 3000 ms (call deadline PT5S).")
                .satisfies(e -> assertThat(((VaultUnavailableException) e).attempts()).isEqualTo(3))
                .hasCauseInstanceOf(UncheckedIOException.class);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void aThrottledAnswersDelayWinsOverBackoff() {
        CallPolicy policy = policy(Duration.ofSeconds(30), true);
        RuntimeException throttled = HandMadeResponse.exception(429,
                new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, "7"), "{}");
        VaultUnavailableException translated = new VaultUnavailableException("throttled", 0, throttled);
        assertThat(policy.nextDelay(1, 0, translated, throttled)).hasValue(Duration.ofSeconds(7));
        assertThat(policy.nextDelay(1, Duration.ofSeconds(24).toNanos(), translated, throttled))
                .as("7 s from 24 s passes the 30 s deadline").isEmpty();
        assertThat(policy.nextDelay(1, 0, new AccessDeniedException("c", "v", "no", throttled), throttled)).isEmpty();
    }

    @Test
    void eachAttemptHoldsAPermitOfTheBound() {
        String seen = policy(Duration.ofSeconds(30), true).call("secret 'x'",
                () -> "permits left: " + bound.availablePermits(), TRANSIENT);
        assertThat(seen).isEqualTo("permits left: 1");
        assertThat(bound.availablePermits()).isEqualTo(2);
    }
}
