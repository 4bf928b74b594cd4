package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fault's factories, and the queue of injected faults (which one a request takes), without HTTP. */
class FaultTest {
    @Test
    void factoriesCheckTheirArguments() {
        assertThatThrownBy(() -> Fault.status(399)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.status(600)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.status(200)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.throttle(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.throttleMillis(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Fault.latency(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.rateLimit(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.rateLimit(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.reset().times(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Faults().add(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void immutableWithValueEqualityAndReadableToString() {
        Fault once = Fault.status(503);
        Fault twice = once.times(2);
        assertThat(once.times()).isEmpty();
        assertThat(twice.times()).hasValue(2);
        assertThat(twice).isNotSameAs(once).isNotEqualTo(once).isEqualTo(Fault.status(503).times(2))
                .hasSameHashCodeAs(Fault.status(503).times(2));
        assertThat(once).hasToString("Fault.status(503)");
        assertThat(twice).hasToString("Fault.status(503).times(2)");
        assertThat(Fault.rateLimit(4000, Duration.ofSeconds(10))).hasToString("Fault.rateLimit(4000, PT10S)");
        assertThat(Fault.hang().times(1)).hasToString("Fault.hang().times(1)");
    }

    @Test
    void retryAfterValuesAreRoundedUp() {
        assertThat(Fault.ceilSeconds(Duration.ofMillis(1200))).isEqualTo(2);
        assertThat(Fault.ceilSeconds(Duration.ofSeconds(2))).isEqualTo(2);
        assertThat(Fault.ceilSeconds(Duration.ZERO)).isZero();
        assertThat(Fault.ceilSeconds(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(Fault.ceilMillis(Duration.ofMillis(500))).isEqualTo(500);
        assertThat(Fault.ceilMillis(Duration.ofNanos(500_001))).isEqualTo(1);
        assertThat(Fault.ceilMillis(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void eachRequestTakesTheFirstActiveFaultInOrder() {
        Faults faults = new Faults();
        assertThat(faults.take()).isNull();
        faults.add(Fault.status(500).times(1));
        faults.add(Fault.reset().times(2));
        faults.add(Fault.latency(Duration.ofMillis(1)));
        assertThat(faults.take().fault).isEqualTo(Fault.status(500).times(1));
        assertThat(faults.active()).containsExactly(Fault.reset().times(2), Fault.latency(Duration.ofMillis(1)));
        assertThat(faults.take().fault).isEqualTo(Fault.reset().times(2));
        assertThat(faults.active()).containsExactly(Fault.reset().times(1), Fault.latency(Duration.ofMillis(1)));
        assertThat(faults.take().fault.kind).isEqualTo(Fault.Kind.RESET);
        for (int i = 0; i < 3; i++) {
            assertThat(faults.take().fault.kind).isEqualTo(Fault.Kind.LATENCY);
        }
        assertThat(faults.served()).isEqualTo(6);
        faults.clear();
        assertThat(faults.take()).isNull();
        assertThat(faults.active()).isEmpty();
    }

    @Test
    void aRateLimitIsChargedForEveryRequestAndAnswersOnlyBeyondIt() {
        Faults faults = new Faults();
        faults.add(Fault.rateLimit(2, Duration.ofMinutes(1)));
        faults.add(Fault.status(500).times(5));
        // The first two pass the rate limit (charged) and meet the 500 behind it.
        assertThat(faults.take().fault.kind).isEqualTo(Fault.Kind.STATUS);
        assertThat(faults.take().fault.kind).isEqualTo(Fault.Kind.STATUS);
        // Then the bucket is empty: the rate limit, first in the queue, answers; the 500 is not consumed.
        Faults.Taken throttled = faults.take();
        assertThat(throttled.fault.kind).isEqualTo(Fault.Kind.RATE_LIMIT);
        assertThat(throttled.retryAfterSeconds).isBetween(29L, 30L);
        assertThat(faults.active()).contains(Fault.status(500).times(3));

        Faults behind = new Faults();
        behind.add(Fault.status(503).times(1));
        behind.add(Fault.rateLimit(1, Duration.ofMinutes(1)));
        // The 503 answers the first request, which still takes the rate limit's only token.
        assertThat(behind.take().fault.kind).isEqualTo(Fault.Kind.STATUS);
        assertThat(behind.take().fault.kind).isEqualTo(Fault.Kind.RATE_LIMIT);
    }

    @Test
    void theBucketHoldsItsSizeAndRetryAfterIsAtLeastOneSecond() {
        Faults faults = new Faults();
        faults.add(Fault.rateLimit(4000, Duration.ofSeconds(10)));
        for (int i = 0; i < 4000; i++) {
            assertThat(faults.take()).isNull();
        }
        Faults.Taken throttled = null;
        for (int i = 0; i < 1000 && throttled == null; i++) {
            throttled = faults.take();
        }
        assertThat(throttled).isNotNull();
        assertThat(throttled.retryAfterSeconds).as("a token every 2.5 ms, rounded up to a second").isEqualTo(1);

        Faults slow = new Faults();
        slow.add(Fault.rateLimit(1, Duration.ofSeconds(10)));
        assertThat(slow.take()).isNull();
        assertThat(slow.take().retryAfterSeconds).isEqualTo(10);
    }

    @Test
    void aRateLimitWithTimesFallsAwayAfterAnsweringThatMany() {
        Faults faults = new Faults();
        faults.add(Fault.rateLimit(1, Duration.ofMinutes(1)).times(2));
        assertThat(faults.take()).isNull();
        assertThat(faults.take()).isNotNull();
        assertThat(faults.take()).isNotNull();
        assertThat(faults.take()).isNull();
        assertThat(faults.active()).isEmpty();
        assertThat(faults.served()).isEqualTo(2);
    }

    @Test
    void oneFaultInjectedTwiceCountsTwice() {
        Faults faults = new Faults();
        Fault once = Fault.status(503).times(1);
        faults.add(once);
        faults.add(once);
        assertThat(faults.active()).isEqualTo(List.of(once, once));
        assertThat(faults.take()).isNotNull();
        assertThat(faults.take()).isNotNull();
        assertThat(faults.take()).isNull();
    }
}
