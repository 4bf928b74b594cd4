package dev.batchvault;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** An HTTP answer as a value, for unit tests of what is made of one; no server involved. */
final class HandMadeResponse extends HttpResponse {
    private final int status;
    private final HttpHeaders headers;

    private HandMadeResponse(int status, HttpHeaders headers) {
        super(new HttpRequest(HttpMethod.GET, "https://v.vault.azure.net/secrets/x"));
        this.status = status;
        this.headers = headers;
    }

    /** The exception the Key Vault client throws for this answer; its message carries the body, as azure-core's does. */
    static HttpResponseException exception(int status, HttpHeaders headers, String body) {
        return new HttpResponseException("Status code " + status + ", \"" + body + "\"",
                new HandMadeResponse(status, headers));
    }

    @Override
    public int getStatusCode() {
        return status;
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
}
