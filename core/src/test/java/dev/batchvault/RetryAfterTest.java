package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** The three ways a throttled answer names its delay; the emulator sends the first two, this covers the date. */
class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static Throwable throttled(HttpHeaders headers) {
        return new RuntimeException(HandMadeResponse.exception(429, headers, "{}"));
    }

    @Test
    void millisecondsFirst() {
        HttpHeaders h = new HttpHeaders().set(HttpHeaderName.fromString("retry-after-ms"), "250")
                .set(HttpHeaderName.RETRY_AFTER, "7");
        assertThat(CallPolicy.retryAfter(throttled(h), NOW)).hasValue(Duration.ofMillis(250));
        h = new HttpHeaders().set(HttpHeaderName.fromString("x-ms-retry-after-ms"), "40");
        assertThat(CallPolicy.retryAfter(throttled(h), NOW)).hasValue(Duration.ofMillis(40));
    }

    @Test
    void secondsOrAnHttpDate() {
        assertThat(CallPolicy.retryAfter(throttled(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, "3")), NOW))
                .hasValue(Duration.ofSeconds(3));
        String inFiveSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.atZone(ZoneOffset.UTC).plusSeconds(5));
        assertThat(CallPolicy.retryAfter(throttled(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, inFiveSeconds)), NOW))
                .hasValue(Duration.ofSeconds(5));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.atZone(ZoneOffset.UTC).minusSeconds(60));
        assertThat(CallPolicy.retryAfter(throttled(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, past)), NOW))
                .hasValue(Duration.ZERO);
    }

    @Test
    void nothingUsableMeansBackoff() {
        assertThat(CallPolicy.retryAfter(throttled(new HttpHeaders()), NOW)).isEmpty();
        assertThat(CallPolicy.retryAfter(throttled(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, "soon")), NOW)).isEmpty();
        assertThat(CallPolicy.retryAfter(new RuntimeException("no response"), NOW)).isEmpty();
    }
}
