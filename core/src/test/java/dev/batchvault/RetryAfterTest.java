package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The three ways a throttled answer names its delay; the emulator sends the first two, this covers the date. */
class RetryAfterTest {
    private static Throwable throttled(HttpHeaders headers) {
        HttpResponse response = new HttpResponse(new HttpRequest(HttpMethod.GET, "https://v.vault.azure.net/secrets/x")) {
            @Override
            public int getStatusCode() {
                return 429;
            }

            @Override
            @Deprecated
            public String getHeaderValue(String name) {
                return headers.getValue(HttpHeaderName.fromString(name));
            }

            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }

            @Override
            public Flux<ByteBuffer> getBody() {
                return Flux.empty();
            }

            @Override
            public Mono<byte[]> getBodyAsByteArray() {
                return Mono.empty();
            }

            @Override
            public Mono<String> getBodyAsString() {
                return Mono.empty();
            }

            @Override
            public Mono<String> getBodyAsString(Charset charset) {
                return Mono.empty();
            }
        };
        return new RuntimeException(new HttpResponseException("throttled", response));
    }

    @Test
    void millisecondsFirst() {
        HttpHeaders h = new HttpHeaders().set(HttpHeaderName.fromString("retry-after-ms"), "250")
                .set(HttpHeaderName.RETRY_AFTER, "7");
        assertThat(VaultAccess.retryAfter(throttled(h))).hasValue(Duration.ofMillis(250));
        h = new HttpHeaders().set(HttpHeaderName.fromString("x-ms-retry-after-ms"), "40");
        assertThat(VaultAccess.retryAfter(throttled(h))).hasValue(Duration.ofMillis(40));
    }

    @Test
    void secondsOrAnHttpDate() {
        assertThat(VaultAccess.retryAfter(throttled(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, "3"))))
                .hasValue(Duration.ofSeconds(3));
        String inFiveSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(5));
        assertThat(VaultAccess.retryAfter(throttled(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, inFiveSeconds))))
                .hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5)));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusSeconds(60));
        assertThat(VaultAccess.retryAfter(throttled(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, past))))
                .hasValue(Duration.ZERO);
    }

    @Test
    void nothingUsableMeansBackoff() {
        assertThat(VaultAccess.retryAfter(throttled(new HttpHeaders()))).isEmpty();
        assertThat(VaultAccess.retryAfter(throttled(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, "soon")))).isEmpty();
        assertThat(VaultAccess.retryAfter(new RuntimeException("no response"))).isEmpty();
    }
}
